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
- activations named differently (`silu` -> `swish`, `hard_sigmoid` ->
  `hardSigmoid`).

Layers and activations TF.js has no counterpart for are refused by name.
"""

from mnist_keras.errors import MnistKerasError

# Layers whose Keras 2 serialization TF.js 4.22 deserializes (tfjs-layers).
SUPPORTED_LAYERS = frozenset({
    "InputLayer", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense",
    "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "Flatten", "Reshape", "Dropout", "SpatialDropout2D", "BatchNormalization",
    "LayerNormalization", "Activation", "ReLU", "Add", "Concatenate", "Multiply",
    "Average", "Maximum", "ZeroPadding2D", "Cropping2D", "UpSampling2D",
})

# Keras activation name -> TF.js activation name.
ACTIVATIONS = {
    "linear": "linear", "relu": "relu", "relu6": "relu6", "elu": "elu", "selu": "selu",
    "sigmoid": "sigmoid", "hard_sigmoid": "hardSigmoid", "softmax": "softmax",
    "softplus": "softplus", "softsign": "softsign", "tanh": "tanh", "silu": "swish",
    "swish": "swish", "gelu": "gelu", "mish": "mish",
}

# Keras 3 additions Keras 2 never wrote; TF.js would not know them.
_DROPPED_KEYS = {"module", "registered_name", "build_config", "compile_config",
                 "quantization_config", "optional", "ragged", "synchronized", "lora_rank",
                 "lora_alpha"}


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
        raise MnistKerasError(
            f"Expected layers TensorFlow.js can run. Received: layer {name!r} ({class_name}); "
            f"supported: {', '.join(sorted(SUPPORTED_LAYERS))}")
    if "activation" in config:
        activation = config["activation"]
        if not isinstance(activation, str) or activation not in ACTIVATIONS:
            raise MnistKerasError(
                f"Expected an activation TensorFlow.js has. Received: layer {name!r} "
                f"({class_name}) activation={activation!r}; supported: "
                f"{', '.join(sorted(ACTIVATIONS))}")
        config["activation"] = ACTIVATIONS[activation]
    if class_name == "InputLayer":
        config["batch_input_shape"] = config.pop("batch_shape", None) or [
            None, *config.pop("shape", [])]
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
    `batch_normalization/moving_mean`, ...).
    """
    import numpy as np

    entries = []
    for layer in model.layers:
        for variable in layer.weights:
            entries.append({"name": f"{layer.name}/{variable.name}",
                            "data": np.asarray(variable.numpy(), dtype=np.float32)})
    return entries
