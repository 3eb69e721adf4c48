"""A Keras 3 model's configuration -> the layers-model topology TensorFlow.js 4.22 loads.

TF.js reads the Keras 2 (`tf.keras`) serialization. A Keras 3 config differs in
ways that make `tf.loadLayersModel` fail, so this rewrites it:

- `InputLayer`: `batch_shape` -> `batch_input_shape`; a Sequential model's
  input layer is folded into its first layer, as Keras 2 wrote it;
- `dtype`: a `DTypePolicy` object -> its name (`"float32"`);
- serialized objects (initializers, ...): `module` / `registered_name` dropped;
- functional models: each node's `{"args": [keras tensors], "kwargs": {...}}`
  -> Keras 2's `[[layer, node, tensor, kwargs], ...]`, and `input_layers` /
  `output_layers` as lists of `[layer, node, tensor]` triples;
- activations named differently (`silu` -> `swish`, `log_softmax` ->
  `logSoftmax`), settings renamed (LeakyReLU's `negative_slope` -> `alpha`),
  weights renamed (DepthwiseConv2D's `kernel` -> `depthwise_kernel`), and
  SpatialDropout2D written as Dropout (both are the identity at inference).

Layers, activations and settings TF.js has no counterpart for (or computes
differently) are refused by name, with what to use instead, before anything
is written. Every accepted layer is checked against Keras in the stock TF.js
runtime by tests/web_export/test_layer_parity.py.
"""

from mnist_keras.errors import MnistKerasError

# Layers whose Keras 2 serialization TF.js 4.22 deserializes (tfjs-layers), each
# checked by a parity test (tests/web_export/test_layer_parity.py).
SUPPORTED_LAYERS = frozenset({
    "InputLayer", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D", "Dense",
    "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "Flatten", "Reshape", "Permute", "Dropout", "SpatialDropout2D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "BatchNormalization", "LayerNormalization", "Activation",
    "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "Rescaling", "Identity", "Add",
    "Concatenate", "Multiply", "Average", "Maximum", "Minimum", "ZeroPadding2D", "Cropping2D",
    "UpSampling2D",
})

# Keras layers TF.js has no class for, written as one that computes the same at
# inference: spatial dropout drops whole channels while training, and is the
# identity afterwards, as Dropout is; TF.js's "Identity" is an initializer, so
# an Identity layer is written as a linear Activation.
WRITTEN_AS = {"SpatialDropout2D": "Dropout", "Identity": "Activation"}

# Keras activation name -> TF.js activation name.
ACTIVATIONS = {
    "linear": "linear", "relu": "relu", "relu6": "relu6", "elu": "elu", "selu": "selu",
    "sigmoid": "sigmoid", "softmax": "softmax", "log_softmax": "logSoftmax",
    "softplus": "softplus", "softsign": "softsign", "tanh": "tanh", "silu": "swish",
    "swish": "swish", "gelu": "gelu", "mish": "mish",
}
# Activations Keras has and TF.js computes differently or not at all: what to use instead.
ACTIVATION_ALTERNATIVES = {
    "hard_sigmoid": "TF.js's hardSigmoid has slope 0.2 where Keras 3's has 1/6; use 'sigmoid'",
    "leaky_relu": "use a LeakyReLU layer",
    "hard_silu": "use 'silu'", "hard_swish": "use 'swish'",
}
# Layers TF.js lacks, and what to build instead.
LAYER_ALTERNATIVES = {
    "GRU": "TF.js runs RNNs, but this exporter takes 28x28 images: use Conv2D layers",
    "LSTM": "TF.js runs RNNs, but this exporter takes 28x28 images: use Conv2D layers",
    "Lambda": "write the operation as a Keras layer (Lambda code is never exported)",
    "Subtract": "use Add with a negated branch",
    "RandomFlip": "apply augmentation while training only (mnist-keras train --augment)",
    "RandomRotation": "apply augmentation while training only (mnist-keras train --augment)",
}

# Keras 3 weight name -> the tf.keras name TF.js looks for, per layer class.
WEIGHT_NAMES = {"DepthwiseConv2D": {"kernel": "depthwise_kernel"}}

# Keras 3 additions Keras 2 never wrote; TF.js would not know them.
_DROPPED_KEYS = {"module", "registered_name", "build_config", "compile_config",
                 "quantization_config", "optional", "ragged", "synchronized", "lora_rank",
                 "lora_alpha", "renorm", "renorm_clipping", "renorm_momentum", "rms_scaling",
                 "groups", "seed", "noise_shape", "output_padding", "keepdims"}
_CONV = ("Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D")


def _refuse(name, class_name, what):
    raise MnistKerasError(f"Expected layers TensorFlow.js can run. Received: layer {name!r} "
                          f"({class_name}) {what}")


def _check_options(name, class_name, config):
    if config.get("data_format", "channels_last") != "channels_last":
        _refuse(name, class_name, "with data_format channels_first (the page feeds "
                                  "channels_last images; Keras on a CPU cannot run it either)")
    if class_name in _CONV and config.get("groups", 1) != 1:
        _refuse(name, class_name, f"with groups={config['groups']} (TF.js has no grouped "
                                  "convolution; use SeparableConv2D)")
    if class_name == "Conv2DTranspose" and config.get("output_padding") is not None:
        _refuse(name, class_name, "with output_padding (TF.js has none)")
    if class_name == "ReLU" and (config.get("negative_slope") or config.get("threshold")):
        _refuse(name, class_name, "with negative_slope or threshold (TF.js's ReLU has only "
                                  "max_value; use LeakyReLU)")
    if class_name.startswith("Global") and config.get("keepdims"):
        _refuse(name, class_name, "with keepdims=True (TF.js has none; add a Reshape)")
    if class_name == "LayerNormalization" and config.get("rms_scaling"):
        _refuse(name, class_name, "with rms_scaling (TF.js has none)")
    if class_name == "ELU" and config.get("alpha", 1.0) != 1.0:
        _refuse(name, class_name, f"with alpha={config['alpha']} (TF.js's ELU supports only "
                                  "1.0)")
    if class_name == "UpSampling2D" and config.get("interpolation", "nearest") != "nearest":
        _refuse(name, class_name, f"with interpolation {config['interpolation']!r} (TF.js "
                                  "resizes differently; use 'nearest')")


def _plain(value):
    """Keras 3 serialized objects -> Keras 2's `{class_name, config}`."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy":
            return value["config"]["name"]
        return {key: _plain(item) for key, item in value.items() if key not in _DROPPED_KEYS}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _layer_config(layer):
    class_name, config = layer["class_name"], dict(layer["config"])
    name = config.get("name", layer.get("name"))
    if class_name not in SUPPORTED_LAYERS:
        instead = LAYER_ALTERNATIVES.get(
            class_name, f"TF.js runs {', '.join(sorted(SUPPORTED_LAYERS - {'InputLayer'}))}")
        _refuse(name, class_name, f"has no TF.js counterpart; {instead}")
    _check_options(name, class_name, config)
    if "activation" in config:
        activation = config["activation"]
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            instead = ACTIVATION_ALTERNATIVES.get(
                activation if isinstance(activation, str) else "",
                f"TF.js has {', '.join(sorted(ACTIVATIONS))}")
            _refuse(name, class_name, f"with activation {activation!r}; {instead}")
        config["activation"] = ACTIVATIONS[activation]
    if class_name == "InputLayer":
        config["batch_input_shape"] = config.pop("batch_shape", None) or [
            None, *config.pop("shape", [])]
    elif class_name == "LeakyReLU":
        config["alpha"] = config.pop("negative_slope", 0.3)
    elif class_name == "ReLU":
        config.pop("negative_slope", None)
        config.pop("threshold", None)
    elif class_name == "Identity":
        config["activation"] = "linear"
    class_name = WRITTEN_AS.get(class_name, class_name)
    return {"class_name": class_name, "config": _plain(config)}


def _history(tensor):
    layer_name, node_index, tensor_index = tensor["config"]["keras_history"]
    return layer_name, node_index, tensor_index


def _inbound_nodes(nodes):
    converted = []
    for node in nodes:
        if isinstance(node, list):  # already Keras 2 form
            converted.append(node)
            continue
        args = node.get("args", [])
        first = args[0] if args else []
        tensors = first if isinstance(first, list) else [first]
        kwargs = {key: value for key, value in (node.get("kwargs") or {}).items()
                  if value is not None and key not in ("mask", "training")}
        converted.append([[*_history(tensor), _plain(kwargs)] for tensor in tensors
                          if isinstance(tensor, dict) and "config" in tensor])
    return converted


def _endpoints(value):
    # Keras 3 writes one endpoint as a flat ["name", 0, 0].
    if value and isinstance(value[0], str):
        return [list(value)]
    return [list(item) for item in value]


def _sequential(config):
    layers = [_layer_config(layer) for layer in config["layers"]]
    if layers and layers[0]["class_name"] == "InputLayer":
        input_layer = layers.pop(0)["config"]
        if not layers:
            raise MnistKerasError("Expected a model with layers. Received: only an input")
        layers[0]["config"]["batch_input_shape"] = input_layer["batch_input_shape"]
        layers[0]["config"]["dtype"] = input_layer.get("dtype", "float32")
    elif config.get("build_input_shape") and layers:
        layers[0]["config"]["batch_input_shape"] = list(config["build_input_shape"])
    return {"class_name": "Sequential", "config": {"name": config["name"], "layers": layers}}


def _functional(config):
    layers = []
    for layer in config["layers"]:
        converted = _layer_config(layer)
        converted["name"] = layer.get("name", converted["config"].get("name"))
        converted["inbound_nodes"] = _inbound_nodes(layer.get("inbound_nodes", []))
        layers.append(converted)
    return {"class_name": "Model", "config": {
        "name": config["name"], "layers": layers,
        "input_layers": _endpoints(config["input_layers"]),
        "output_layers": _endpoints(config["output_layers"])}}


def tfjs_topology(model):
    """The TF.js `modelTopology` for a built Keras 3 model.

    Args:
        model: a `keras.Sequential` or functional `keras.Model`.

    Returns:
        A JSON-ready dict: `{class_name, config, keras_version, backend}`.

    Raises:
        MnistKerasError: naming the first layer or activation TF.js lacks, or
            for a subclassed model (no layer graph to write).
    """
    import keras

    if isinstance(model, keras.Sequential):
        topology = _sequential(model.get_config())
    elif hasattr(model, "_operations") and "input_layers" in (model.get_config() or {}):
        topology = _functional(model.get_config())
    else:
        raise MnistKerasError(
            f"Expected a Sequential or functional Keras model. Received: "
            f"{type(model).__name__} {model.name!r} (a subclassed model has no layer graph)")
    # The Keras 2 format TF.js reads; the version only labels it.
    return {**topology, "keras_version": "2.15.0", "backend": "tensorflow"}


def weight_entries(model):
    """Every weight as `{"name": "layer/weight", "data": array}`, in layer order.

    TF.js finds weights by these names (`conv2d/kernel`,
    `batch_normalization/moving_mean`, ...); where Keras 3 names a weight
    differently from tf.keras (a DepthwiseConv2D's `kernel` is TF.js's
    `depthwise_kernel`), the TF.js name is written.
    """
    import numpy as np

    entries = []
    for layer in model.layers:
        renamed = WEIGHT_NAMES.get(type(layer).__name__, {})
        for variable in layer.weights:
            name = renamed.get(variable.name, variable.name)
            entries.append({"name": f"{layer.name}/{name}",
                            "data": np.asarray(variable.numpy(), dtype=np.float32)})
    return entries
