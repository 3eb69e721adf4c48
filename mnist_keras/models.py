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

import keras
from keras import layers

from mnist_keras.errors import expected
from mnist_keras.layer_specs import INPUT_SHAPE, PRESETS, load_spec, validate_spec
from mnist_keras.registries import MODELS
from mnist_keras.settings import check_value


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
    return MODELS.names()


def build_model(name="cnn", num_classes=10, conv_channels=None, dropout=None):
    """Builds a named, uncompiled classifier.

    Args:
        name: one of `model_names()`: `"cnn"` (default), `"mlp"`,
            `"cnn-compact"`, `"cnn-gap"`, or a preset (`"simple"`, `"deep"`,
            `"wide"`); or a path to a JSON layer-spec file.
        num_classes: number of output classes. Defaults to 10.
        conv_channels: filters of each conv layer, in order (2 for `cnn` and
            `cnn-gap`, 4 for `cnn-compact`); None keeps the model's own.
        dropout: dropout rate (bounds: `mnist_keras.settings`, 0-0.9); None keeps the model's own
            (0.5 for `cnn`, none for the others).

    Returns:
        A `keras.Model` taking (N, 28, 28, 1) inputs.

    Raises:
        MnistKerasError: for an unknown name, bad channels or dropout.

    Example:

    >>> build_model("cnn").count_params()
    225930
    """
    dropout = check_value("dropout", dropout)
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
