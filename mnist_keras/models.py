"""Named architectures, a JSON layer-spec builder and presets.

Every model takes (28, 28, 1) float inputs scaled by `scale_pixels` and ends in
a softmax over `num_classes`. Named models:

- `cnn` (default): the BatchNorm/He-normal CNN of the reference playground,
  225,930 parameters.
- `mlp`: 784-128-64-10.
- `cnn-compact`: two 5x5 and two 3x3 conv layers with BatchNorm and SiLU,
  44,174 parameters.
- `cnn-gap`: two padded conv layers and global average pooling, 5,322 parameters.
- `simple`, `deep`, `wide`: presets written as layer specs.

A layer spec is a list of dicts, one per hidden layer, e.g.
`[{"type": "Conv2D", "filters": 16}, {"type": "MaxPool"}, {"type": "Flatten"}]`;
`build_model_from_spec` appends the Flatten (if needed) and the softmax output.
"""

import copy
import json
import os

import keras
from keras import layers

from mnist_keras.errors import MnistKerasError, expected

INPUT_SHAPE = (28, 28, 1)

# The layer types a spec may use, with the settings each accepts (and defaults).
LAYER_SETTINGS = {
    "Conv2D": {"filters": 32, "kernel_size": 3, "strides": 1, "padding": "valid",
               "activation": "relu"},
    "MaxPool": {"pool_size": 2},
    "BatchNorm": {},
    "Dropout": {"rate": 0.5},
    "Flatten": {},
    "GlobalAveragePooling": {},
    "Dense": {"units": 128, "activation": "relu"},
    "Activation": {"activation": "relu"},
}
ACTIVATIONS = ("relu", "silu", "gelu", "tanh", "sigmoid", "elu", "linear")
_SPATIAL = ("Conv2D", "MaxPool", "GlobalAveragePooling")



def _conv_bn_relu_spec(filters):
    return [
        {"type": "Conv2D", "filters": filters, "padding": "same", "activation": "linear"},
        {"type": "BatchNorm"},
        {"type": "Activation", "activation": "relu"},
    ]


PRESETS = {
    "simple": [
        {"type": "Conv2D", "filters": 16, "kernel_size": 3},
        {"type": "MaxPool"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 64},
    ],
    "deep": [
        *_conv_bn_relu_spec(32), *_conv_bn_relu_spec(32), {"type": "MaxPool"},
        *_conv_bn_relu_spec(64), *_conv_bn_relu_spec(64), {"type": "MaxPool"},
        {"type": "Flatten"},
        {"type": "Dropout", "rate": 0.4},
        {"type": "Dense", "units": 128},
        {"type": "Dropout", "rate": 0.4},
    ],
    "wide": [
        {"type": "Conv2D", "filters": 128, "kernel_size": 5, "padding": "same"},
        {"type": "MaxPool"},
        {"type": "Conv2D", "filters": 128, "kernel_size": 3},
        {"type": "MaxPool"},
        {"type": "Flatten"},
        {"type": "Dropout", "rate": 0.5},
        {"type": "Dense", "units": 256},
        {"type": "Dropout", "rate": 0.5},
    ],
}


def _he():
    return keras.initializers.HeNormal()


def _conv_bn(x, filters, kernel_size, activation, padding="valid", name=None):
    # Conv keeps its bias as in the reference playground's CNN (the parameter
    # count, 225,930, includes it).
    x = layers.Conv2D(filters, kernel_size, padding=padding, kernel_initializer=_he(),
                      name=name)(x)
    x = layers.BatchNormalization()(x)
    return layers.Activation(activation)(x)


def _cnn(num_classes, conv_channels, dropout):
    c1, c2 = conv_channels or (32, 64)
    rate = 0.5 if dropout is None else dropout
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = _conv_bn(inputs, c1, 3, "relu")
    x = layers.MaxPooling2D(2)(x)
    x = _conv_bn(x, c2, 3, "relu")
    x = layers.MaxPooling2D(2)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(rate)(x)
    x = layers.Dense(128, kernel_initializer=_he())(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.Dropout(rate)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cnn")


def _mlp(num_classes, conv_channels, dropout):
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = layers.Flatten()(inputs)
    x = layers.Dense(128, activation="relu", kernel_initializer=_he())(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    x = layers.Dense(64, activation="relu", kernel_initializer=_he())(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mlp")


def _cnn_compact(num_classes, conv_channels, dropout):
    c1, c2, c3, c4 = conv_channels or (20, 24, 32, 64)
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    for filters, size in ((c1, 5), (c2, 5)):
        x = layers.Conv2D(filters, size, use_bias=False, kernel_initializer=_he())(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("silu")(x)
    x = layers.MaxPooling2D(2)(x)  # 20x20 -> 10x10
    for filters in (c3, c4):
        x = layers.Conv2D(filters, 3, use_bias=False, kernel_initializer=_he())(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("silu")(x)
    x = layers.MaxPooling2D(2)(x)  # 6x6 -> 3x3, so 3*3*64 = 576 features
    x = layers.Flatten()(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cnn_compact")


def _cnn_gap(num_classes, conv_channels, dropout):
    c1, c2 = conv_channels or (16, 32)
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = _conv_bn(inputs, c1, 3, "relu", padding="same")
    x = layers.MaxPooling2D(2)(x)
    x = _conv_bn(x, c2, 3, "relu", padding="same")
    x = layers.GlobalAveragePooling2D()(x)
    if dropout:
        x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cnn_gap")


ARCHITECTURES = {
    "cnn": (_cnn, 2),
    "mlp": (_mlp, 0),
    "cnn-compact": (_cnn_compact, 4),
    "cnn-gap": (_cnn_gap, 2),
}


def model_names():
    """Returns the names `build_model` accepts: architectures, then presets."""
    return list(ARCHITECTURES) + list(PRESETS)


def build_model(name="cnn", num_classes=10, conv_channels=None, dropout=None):
    """Builds a named, uncompiled classifier.

    Args:
        name: one of `model_names()`: `"cnn"` (default), `"mlp"`,
            `"cnn-compact"`, `"cnn-gap"`, or a preset (`"simple"`, `"deep"`,
            `"wide"`); or a path to a JSON layer-spec file.
        num_classes: number of output classes. Defaults to 10.
        conv_channels: filters of each conv layer, in order (2 for `cnn` and
            `cnn-gap`, 4 for `cnn-compact`); None keeps the model's own.
        dropout: dropout rate in [0, 0.9]; None keeps the model's own
            (0.5 for `cnn`, none for the others).

    Returns:
        A `keras.Model` taking (N, 28, 28, 1) inputs.

    Raises:
        MnistKerasError: for an unknown name, bad channels or dropout.

    Example:

    >>> build_model("cnn").count_params()
    225930
    """
    if dropout is not None and not 0 <= dropout <= 0.9:
        raise expected("a dropout rate in [0, 0.9]", dropout=dropout)
    if name in PRESETS:
        return build_model_from_spec(PRESETS[name], num_classes, name=name, dropout=dropout)
    if name not in ARCHITECTURES:
        if str(name).endswith(".json"):
            return build_model_from_spec(load_spec(name), num_classes, dropout=dropout)
        raise expected(f"a model name in {model_names()} or a .json layer spec", model=name)
    builder, num_convs = ARCHITECTURES[name]
    if conv_channels is not None:
        conv_channels = tuple(conv_channels)
        if num_convs == 0 or len(conv_channels) != num_convs:
            raise expected(
                f"{num_convs} conv channel counts for {name!r}", conv_channels=conv_channels
            )
        if any(not isinstance(c, int) or not 1 <= c <= 1024 for c in conv_channels):
            raise expected("conv channel counts in [1, 1024]", conv_channels=conv_channels)
    return builder(num_classes, conv_channels, dropout)


def load_spec(path):
    """Reads a JSON layer spec: a list of layers, or `{"layers": [...]}`."""
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except FileNotFoundError:
        raise expected("an existing layer-spec file", path=os.fspath(path)) from None
    except (OSError, ValueError) as e:
        raise MnistKerasError(
            f"Expected a JSON layer spec ({e}). Received: path={os.fspath(path)!r}"
        ) from None
    if isinstance(spec, dict) and "layers" in spec:
        spec = spec["layers"]
    return spec


def validate_spec(spec, input_shape=INPUT_SHAPE):
    """Checks a layer spec and fills in defaults.

    Each layer is checked in order, tracking the shape it would produce, so a
    message can name the offending layer: a Conv2D after Flatten, a kernel
    larger than its input, an unknown setting or an out-of-range value.

    Args:
        spec: list of dicts, each with a `"type"` from `LAYER_SETTINGS`.
        input_shape: the model input shape. Defaults to (28, 28, 1).

    Returns:
        A new list of layer dicts with every setting present.

    Raises:
        MnistKerasError: naming the layer (1-based) that is wrong.

    Example:

    >>> validate_spec([{"type": "Flatten"}, {"type": "Conv2D"}])
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected Conv2D before Flatten/...
    """
    if not isinstance(spec, list) or not spec:
        raise expected("a non-empty list of layers", spec=spec)
    height, width, _ = input_shape
    flat = False
    checked = []
    for position, layer in enumerate(spec, start=1):
        where = f"layer {position}"
        if not isinstance(layer, dict) or layer.get("type") not in LAYER_SETTINGS:
            raise MnistKerasError(
                f"Expected {where} to be an object with a type in {list(LAYER_SETTINGS)}. "
                f"Received: {where}={layer!r}"
            )
        kind = layer["type"]
        where = f"layer {position} ({kind})"
        settings = dict(LAYER_SETTINGS[kind])
        unknown = set(layer) - set(settings) - {"type"}
        if unknown:
            raise MnistKerasError(
                f"Expected {where} settings among {sorted(settings) or 'none'}. "
                f"Received: {sorted(unknown)}"
            )
        settings.update({k: v for k, v in layer.items() if k != "type"})
        _check_settings(where, kind, settings)
        if kind in _SPATIAL and flat:
            raise MnistKerasError(
                f"Expected {kind} before Flatten/GlobalAveragePooling (it needs an image). "
                f"Received: {where} after the image was flattened"
            )
        if kind == "Conv2D":
            if settings["padding"] == "valid":
                height -= settings["kernel_size"] - 1
                width -= settings["kernel_size"] - 1
            height = -(-height // settings["strides"])
            width = -(-width // settings["strides"])
        elif kind == "MaxPool":
            height //= settings["pool_size"]
            width //= settings["pool_size"]
        elif kind in ("Flatten", "GlobalAveragePooling"):
            flat = True
        if height < 1 or width < 1:
            raise MnistKerasError(
                f"Expected {where} to leave an image of at least 1x1. "
                f"Received: an output of {height}x{width} (use padding 'same' or fewer poolings)"
            )
        checked.append({"type": kind, **settings})
    return checked


def _check_settings(where, kind, settings):
    def check_int(key, low, high):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise MnistKerasError(
                f"Expected {where} {key} to be an integer in [{low}, {high}]. "
                f"Received: {key}={value!r}"
            )

    if kind == "Conv2D":
        check_int("filters", 1, 1024)
        check_int("kernel_size", 1, 28)
        check_int("strides", 1, 4)
        if settings["padding"] not in ("valid", "same"):
            raise MnistKerasError(
                f"Expected {where} padding 'valid' or 'same'. "
                f"Received: padding={settings['padding']!r}"
            )
    elif kind == "MaxPool":
        check_int("pool_size", 1, 28)
    elif kind == "Dense":
        check_int("units", 1, 8192)
    elif kind == "Dropout":
        rate = settings["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 0.9:
            raise MnistKerasError(
                f"Expected {where} rate in [0, 0.9]. Received: rate={rate!r}"
            )
    if "activation" in settings and settings["activation"] not in ACTIVATIONS:
        raise MnistKerasError(
            f"Expected {where} activation in {list(ACTIVATIONS)}. "
            f"Received: activation={settings['activation']!r}"
        )


def build_model_from_spec(spec, num_classes=10, name="custom", dropout=None):
    """Builds a sequential classifier from a layer spec.

    Args:
        spec: list of layer dicts (see `validate_spec`).
        num_classes: number of output classes. Defaults to 10.
        name: the model's name. Defaults to `"custom"`.
        dropout: if given, overrides the rate of every Dropout layer.

    Returns:
        A `keras.Sequential` ending in Flatten (added if the spec has none)
        and a softmax Dense layer.

    Raises:
        MnistKerasError: if the spec is invalid (see `validate_spec`).

    Example:

    >>> model = build_model_from_spec([{"type": "Flatten"}, {"type": "Dense", "units": 32}])
    >>> model.count_params()
    25450
    """
    spec = validate_spec(copy.deepcopy(spec))
    model = keras.Sequential(name=name.replace("-", "_"))
    model.add(keras.Input(INPUT_SHAPE, name="image"))
    flat = False
    for layer in spec:
        kind = layer["type"]
        if kind == "Conv2D":
            activation = layer["activation"]
            model.add(layers.Conv2D(
                layer["filters"], layer["kernel_size"], strides=layer["strides"],
                padding=layer["padding"], activation=activation,
                kernel_initializer=_he(),
            ))
        elif kind == "MaxPool":
            model.add(layers.MaxPooling2D(layer["pool_size"]))
        elif kind == "BatchNorm":
            model.add(layers.BatchNormalization())
        elif kind == "Dropout":
            model.add(layers.Dropout(layer["rate"] if dropout is None else dropout))
        elif kind == "Flatten":
            model.add(layers.Flatten())
            flat = True
        elif kind == "GlobalAveragePooling":
            model.add(layers.GlobalAveragePooling2D())
            flat = True
        elif kind == "Dense":
            model.add(layers.Dense(layer["units"], activation=layer["activation"],
                                   kernel_initializer=_he()))
        elif kind == "Activation":
            model.add(layers.Activation(layer["activation"]))
    if not flat:
        model.add(layers.Flatten())
    model.add(layers.Dense(num_classes, activation="softmax", name="probabilities"))
    return model
