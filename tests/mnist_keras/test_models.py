import json

import keras
import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.models import (
    PRESETS,
    build_model,
    build_model_from_spec,
    load_spec,
    model_names,
    validate_spec,
)


def _layer_types(model):
    names = [layer.__class__.__name__ for layer in model.layers]
    return [name for name in names if name != "InputLayer"]


def test_default_cnn_matches_reference_playground():
    model = build_model("cnn")
    assert model.count_params() == 225_930
    assert _layer_types(model) == [
        "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
        "Conv2D", "BatchNormalization", "Activation", "MaxPooling2D",
        "Flatten", "Dropout", "Dense", "BatchNormalization", "Activation", "Dropout", "Dense",
    ]
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [32, 64] and convs[0].kernel_size == (3, 3)
    assert all(isinstance(c.kernel_initializer, keras.initializers.HeNormal) for c in convs)
    dropouts = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == [0.5, 0.5]
    assert model.layers[-1].activation.__name__ == "softmax"
    assert model.output_shape == (None, 10)


@pytest.mark.parametrize(
    "name, params",
    [("mlp", 109_386), ("cnn-compact", 44_174), ("cnn-gap", 5_322), ("simple", 173_930)],
)
def test_named_models_have_documented_sizes(name, params):
    model = build_model(name)
    assert model.count_params() == params
    probabilities = model(np.zeros((2, 28, 28, 1), np.float32))
    np.testing.assert_allclose(np.sum(probabilities, axis=1), 1.0, rtol=1e-5)


def test_compact_model_uses_silu_and_ends_in_576_to_10():
    model = build_model("cnn-compact")
    activations = {layer.activation.__name__ for layer in model.layers
                   if isinstance(layer, keras.layers.Activation)}
    assert activations == {"silu"}
    assert model.layers[-1].input.shape[-1] == 576


def test_every_name_builds_and_presets_are_specs():
    assert set(PRESETS) == {"simple", "deep", "wide"}
    for name in model_names():
        assert build_model(name, num_classes=3).output_shape == (None, 3)


def test_channels_and_dropout_are_configurable():
    model = build_model("cnn", conv_channels=[8, 16], dropout=0.2)
    convs = [layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs == [8, 16]
    rates = {layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)}
    assert rates == {0.2}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "resnet"}, "model name"),
        ({"name": "cnn", "conv_channels": [8]}, "2 conv channel counts"),
        ({"name": "mlp", "conv_channels": [8, 8]}, "0 conv channel counts"),
        ({"name": "cnn", "conv_channels": [0, 8]}, r"\[1, 1024\]"),
        ({"name": "cnn", "dropout": 0.95}, "dropout as a number in"),
    ],
)
def test_bad_model_settings_are_reported(kwargs, message):
    with pytest.raises(MnistKerasError, match=message):
        build_model(**kwargs)


def test_spec_builds_sequential_with_output_head():
    spec = [{"type": "Conv2D", "filters": 4, "kernel_size": 3},
            {"type": "MaxPool"}, {"type": "Dense", "units": 8}]
    model = build_model_from_spec(spec)
    assert _layer_types(model)[-2:] == ["Flatten", "Dense"]
    assert model.output_shape == (None, 10)


def test_spec_defaults_are_filled_in():
    checked = validate_spec([{"type": "Conv2D"}, {"type": "Flatten"}])
    assert checked[0] == {"type": "Conv2D", "filters": 32, "kernel_size": 3, "strides": 1,
                          "padding": "valid", "activation": "relu"}


@pytest.mark.parametrize(
    "spec, message",
    [
        ([{"type": "Flatten"}, {"type": "Conv2D"}],
         r"layer 2 \(Conv2D\) after the image was flattened"),
        ([{"type": "GlobalAveragePooling"}, {"type": "MaxPool"}], r"layer 2 \(MaxPool\)"),
        ([{"type": "Conv2D", "kernel_size": 29}], r"layer 1 \(Conv2D\) kernel_size"),
        ([{"type": "MaxPool"}] * 5 + [{"type": "Flatten"}],
         r"layer 5 \(MaxPool\) to leave an image"),
        ([{"type": "Dense", "units": 0}], r"layer 1 \(Dense\) units"),
        ([{"type": "Dropout", "rate": 1.5}], r"layer 1 \(Dropout\) rate"),
        ([{"type": "Dense", "activation": "swish2"}], "activation"),
        ([{"type": "Conv2D", "padding": "full"}], "padding"),
        ([{"type": "Conv2D", "filter": 3}], r"Received: \['filter'\]"),
        ([{"type": "LSTM"}], "layer 1 to be an object with a type"),
        ([], "non-empty list"),
        ("Conv2D", "non-empty list"),
    ],
)
def test_invalid_specs_name_the_offending_layer(spec, message):
    with pytest.raises(MnistKerasError, match=message):
        validate_spec(spec)


def test_spec_file_loads_by_path(tmp_path):
    path = tmp_path / "spec.json"
    path.write_text(json.dumps({"layers": [{"type": "Flatten"}, {"type": "Dense", "units": 32}]}))
    assert load_spec(path)[1]["units"] == 32
    assert build_model(str(path)).count_params() == 25_450


def test_bad_spec_files_are_reported(tmp_path):
    with pytest.raises(MnistKerasError, match="existing layer-spec file"):
        load_spec(tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    with pytest.raises(MnistKerasError, match="JSON layer spec"):
        build_model(str(broken))
