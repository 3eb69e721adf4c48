"""Layer specs: a model written as a JSON list of layers, read and checked without Keras.

A spec is a list of dicts, one per hidden layer, e.g.
`[{"type": "Conv2D", "filters": 16}, {"type": "MaxPool"}, {"type": "Flatten"}]`;
`mnist_keras.models.build_model_from_spec` appends the Flatten (if needed) and
the softmax output. Checking happens here, before any Keras import, so a bad
spec is refused in milliseconds with the offending layer named.
"""

import json
import os
import reprlib

from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.registries import ACTIVATIONS

INPUT_SHAPE = (28, 28, 1)
# Bounds on what a spec may ask to build, checked before Keras allocates
# anything: the presets have at most 9 layers and 1.7 million parameters.
MAX_SPEC_LAYERS = 64
MAX_SPEC_PARAMETERS = 20_000_000
# The softmax head `build_model_from_spec` appends, counted in the bound.
_HEAD_CLASSES = 10



# Room a spec's value gets in a message, whose own words take up to ~170 characters.
MAX_SHOWN_SPEC_CHARS = 150


def _shown(value):
    """A value from a spec as an error message shows it: short, however deep or long.

    reprlib bounds each part (depth, strings, items) but not their sum: a few
    nested dicts of long strings still add up, so the whole is cut too.

    >>> len(_shown([{"type": None, "units": {"x": "y" * 500, "z": [1e16] * 9}}] * 9)) <= 158
    True
    """
    short = reprlib.Repr()
    short.maxlevel, short.maxstring, short.maxother, short.maxlist, short.maxdict = 3, 60, 60, 6, 6
    text = short.repr(value)
    return text if len(text) <= MAX_SHOWN_SPEC_CHARS else text[:MAX_SHOWN_SPEC_CHARS] + "...(cut)"

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


def load_spec(path):
    """Reads a JSON layer spec: a list of layers, or `{"layers": [...]}`."""
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except FileNotFoundError:
        raise expected("an existing layer-spec file", path=os.fspath(path)) from None
    except (OSError, ValueError, RecursionError) as e:
        raise MnistKerasError(
            f"Expected a JSON layer spec ({_shown(str(e))}). Received: path={os.fspath(path)!r}"
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
        raise MnistKerasError(f"Expected a non-empty list of layers. Received: spec={_shown(spec)}")
    if len(spec) > MAX_SPEC_LAYERS:
        raise MnistKerasError(f"Expected at most {MAX_SPEC_LAYERS} layers in a spec. "
                              f"Received: {len(spec):,} layers")
    height, width, channels = input_shape
    flat = False
    features = 0  # inputs of the next Dense layer once flat
    parameters = 0
    checked = []
    for position, layer in enumerate(spec, start=1):
        where = f"layer {position}"
        kind = layer.get("type") if isinstance(layer, dict) else None
        if not isinstance(kind, str) or kind not in LAYER_SETTINGS:
            raise MnistKerasError(
                f"Expected {where} to be an object with a type in {list(LAYER_SETTINGS)}. "
                f"Received: {where}={_shown(layer)}"
            )
        where = f"layer {position} ({kind})"
        settings = dict(LAYER_SETTINGS[kind])
        unknown = set(layer) - set(settings) - {"type"}
        if unknown:
            raise MnistKerasError(
                f"Expected {where} settings among {sorted(settings) or 'none'}. "
                f"Received: {_shown(sorted(unknown))}"
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
            parameters += (settings["kernel_size"] ** 2 * channels + 1) * settings["filters"]
            channels = settings["filters"]
        elif kind == "MaxPool":
            height //= settings["pool_size"]
            width //= settings["pool_size"]
        elif kind == "BatchNorm":
            parameters += 4 * (features if flat else channels)
        elif kind == "Dense":
            inputs = features if flat else channels
            parameters += (inputs + 1) * settings["units"]
            if flat:
                features = settings["units"]
            else:
                channels = settings["units"]
        elif kind in ("Flatten", "GlobalAveragePooling"):
            features = max(height, 1) * max(width, 1) * channels if kind == "Flatten" else channels
            flat = True
        if parameters > MAX_SPEC_PARAMETERS:
            _too_many_parameters(where, parameters)
        if height < 1 or width < 1:
            raise MnistKerasError(
                f"Expected {where} to leave an image of at least 1x1. "
                f"Received: an output of {height}x{width} (use padding 'same' or fewer poolings)"
            )
        checked.append({"type": kind, **settings})
    # The softmax head on whatever the last layer leaves (flattened if need be).
    parameters += ((features if flat else height * width * channels) + 1) * _HEAD_CLASSES
    if parameters > MAX_SPEC_PARAMETERS:
        _too_many_parameters("the output layer", parameters)
    return checked


def _too_many_parameters(where, parameters):
    raise MnistKerasError(f"Expected a model of at most {MAX_SPEC_PARAMETERS:,} parameters. "
                          f"Received: {where} brings it to {parameters:,}")


def _check_settings(where, kind, settings):
    def check_int(key, low, high):
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise MnistKerasError(
                f"Expected {where} {key} to be an integer in [{low}, {high}]. "
                f"Received: {key}={_shown(value)}"
            )

    if kind == "Conv2D":
        check_int("filters", 1, 1024)
        check_int("kernel_size", 1, 28)
        check_int("strides", 1, 4)
        if settings["padding"] not in ("valid", "same"):
            raise MnistKerasError(
                f"Expected {where} padding 'valid' or 'same'. "
                f"Received: padding={_shown(settings['padding'])}"
            )
    elif kind == "MaxPool":
        check_int("pool_size", 1, 28)
    elif kind == "Dense":
        check_int("units", 1, 8192)
    elif kind == "Dropout":
        rate = settings["rate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 0.9:
            raise MnistKerasError(
                f"Expected {where} rate in [0, 0.9]. Received: rate={_shown(rate)}"
            )
    activation = settings.get("activation")
    if "activation" in settings and (not isinstance(activation, str)
                                     or activation not in ACTIVATIONS):
        raise MnistKerasError(
            f"Expected {where} activation in {list(ACTIVATIONS)}. "
            f"Received: activation={_shown(activation)}"
        )
