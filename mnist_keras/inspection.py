"""Looking inside a model: feature maps, weights, and per-layer cost.

FLOPs count a multiply-add as 2 (Conv2D: 2*H*W*kh*kw*Cin*Cout, Dense: 2*in*out);
element-wise layers (BatchNorm, activations, pooling, dropout) count one
operation per output element per pooled input; reshaping layers count none.
"""

import keras
import numpy as np

_FEATURE_LAYERS = (keras.layers.Conv2D, keras.layers.MaxPooling2D,
                   keras.layers.AveragePooling2D)


def feature_map_model(model):
    """Builds a model that returns the output of every conv and pooling layer.

    Build it once per model and reuse it for every drawing.

    Args:
        model: a built Keras model (functional or Sequential).

    Returns:
        `(extractor, names)`: a `keras.Model` with one output per conv or
        pooling layer, and those layers' names in order.

    Raises:
        ValueError: if the model has no conv or pooling layer.
    """
    layers = [layer for layer in model.layers if isinstance(layer, _FEATURE_LAYERS)]
    if not layers:
        raise ValueError(f"Expected a model with Conv2D or pooling layers. "
                         f"Received: model={model.name!r} without any")
    extractor = keras.Model(model.inputs[0], [layer.output for layer in layers])
    return extractor, [layer.name for layer in layers]


def feature_maps(model, image, extractor=None):
    """Feature maps of every conv and pooling layer for one 28x28 input.

    Args:
        model: the Keras model.
        image: (28, 28) or (28, 28, 1) float input (see `preprocess_drawing`).
        extractor: optional `(extractor, names)` from `feature_map_model`,
            to skip building it again.

    Returns:
        A list of `(layer_name, maps)` with `maps` of shape (H, W, channels).

    Example:

    ```python
    for name, maps in feature_maps(model, x):
        print(name, maps.shape)
    # conv2d (26, 26, 32)
    ```
    """
    extractor, names = extractor or feature_map_model(model)
    batch = np.asarray(image, np.float32).reshape(1, 28, 28, 1)
    outputs = extractor.predict_on_batch(batch)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return [(name, np.asarray(output)[0]) for name, output in zip(names, outputs)]


def activation_model(model):
    """Builds a model that returns the output of every layer, in order.

    Returns:
        `(extractor, names)`, as `feature_map_model` does, for all layers
        except input layers.
    """
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    extractor = keras.Model(model.inputs[0], [layer.output for layer in layers])
    return extractor, [layer.name for layer in layers]


def activation_flow(model, image, extractor=None):
    """How one input's activations flow through the model, layer by layer.

    Args:
        model: the Keras model.
        image: (28, 28) or (28, 28, 1) float input.
        extractor: optional `(extractor, names)` from `activation_model`.

    Returns:
        A list of dicts `{name, output_shape, mean, max, active_fraction}`
        per layer: the mean and largest absolute activation and the fraction
        of outputs that are non-zero (after a ReLU, the units that fired).

    Example:

    ```python
    [row["name"] for row in activation_flow(model, x)][-1]
    # 'dense_1'
    ```
    """
    extractor, names = extractor or activation_model(model)
    batch = np.asarray(image, np.float32).reshape(1, 28, 28, 1)
    outputs = extractor.predict_on_batch(batch)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    rows = []
    for name, output in zip(names, outputs):
        values = np.abs(np.asarray(output)[0])
        rows.append({"name": name, "output_shape": tuple(values.shape),
                     "mean": float(values.mean()), "max": float(values.max()),
                     "active_fraction": float(np.mean(values > 1e-6))})
    return rows


def layer_weights(model):
    """Kernels of the Conv2D and Dense layers, for heatmaps.

    Returns:
        A list of dicts `{name, type, kernel}`: Conv2D kernels have shape
        (kh, kw, in_channels, filters), Dense kernels (inputs, units).
    """
    weights = []
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            weights.append({"name": layer.name, "type": layer.__class__.__name__,
                            "kernel": np.asarray(layer.kernel)})
    return weights


def _shape(tensor):
    return tuple(int(d) for d in tensor.shape[1:])


def _keras_histories(value):
    # The layers a functional node's arguments come from, in order.
    if isinstance(value, dict):
        history = value.get("config", {}).get("keras_history") \
            if value.get("class_name") == "__keras_tensor__" else None
        if history:
            return [history[0]]
        return [name for item in value.values() for name in _keras_histories(item)]
    if isinstance(value, (list, tuple)):
        return [name for item in value for name in _keras_histories(item)]
    return []


def layer_inputs(model):
    """The layers each layer reads from, by name: `{layer: [input layers]}`.

    A Sequential model's layers read the one before; a functional model's
    come from its config's nodes (branches and residual connections show as
    several inputs). Input layers are left out of the lists.
    """
    config = model.get_config()
    inputs = {entry.get("config", {}).get("name") for entry in config.get("layers", [])
              if entry.get("class_name") == "InputLayer"}
    result, previous = {}, []
    for entry in config.get("layers", []):
        name = entry.get("config", {}).get("name")
        nodes = entry.get("inbound_nodes")
        if nodes is None:  # Sequential
            result[name] = previous
        else:
            result[name] = [n for n in dict.fromkeys(_keras_histories(nodes))
                            if n not in inputs]
        if name not in inputs:
            previous = [name]
    return result


def layer_summary(model):
    """Per-layer output shape, parameter count, FLOPs and inputs for one input.

    Returns:
        A list of dicts `{name, type, output_shape, params, flops, inputs}`,
        in order, input layers left out; `inputs` names the layers it reads
        (see `layer_inputs`).

    Example:

    >>> from mnist_keras.models import build_model
    >>> sum(row["params"] for row in layer_summary(build_model("cnn")))
    225930
    """
    rows, inputs = [], layer_inputs(model)
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        output_shape = _shape(layer.output)
        elements = int(np.prod(output_shape))
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            in_channels = int(layer.input.shape[-1])
            flops = 2 * elements * kh * kw * in_channels
        elif isinstance(layer, keras.layers.Dense):
            flops = 2 * int(layer.input.shape[-1]) * elements
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            flops = elements * int(np.prod(layer.pool_size))
        elif isinstance(layer, keras.layers.GlobalAveragePooling2D):
            flops = int(np.prod(_shape(layer.input)))
        elif isinstance(layer, (keras.layers.Flatten, keras.layers.Dropout)):
            flops = 0
        else:  # BatchNormalization, Activation and other element-wise layers
            flops = elements
        rows.append({"name": layer.name, "type": layer.__class__.__name__,
                     "output_shape": output_shape, "params": int(layer.count_params()),
                     "flops": int(flops), "inputs": inputs.get(layer.name, [])})
    return rows
