"""Keras 3 configs rewritten into the topology TF.js reads (checked in a browser elsewhere)."""

import json

import keras
import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.models import build_model
from web_export.topology import tfjs_topology, weight_entries


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_sequential_input_layer_folds_into_the_first_layer():
    topology = tfjs_topology(build_model("simple"))
    assert topology["class_name"] == "Sequential"
    layers = topology["config"]["layers"]
    assert layers[0]["class_name"] == "Conv2D"
    assert layers[0]["config"]["batch_input_shape"] == [None, 28, 28, 1]
    assert layers[0]["config"]["dtype"] == "float32"
    assert "InputLayer" not in [layer["class_name"] for layer in layers]


def test_functional_nodes_and_endpoints_are_in_keras_2_form():
    model = build_model("cnn")
    topology = tfjs_topology(model)
    config = topology["config"]
    assert topology["class_name"] == "Model"
    assert config["input_layers"] == [["image", 0, 0]]
    assert config["output_layers"] == [["probabilities", 0, 0]]
    by_name = {layer["name"]: layer for layer in config["layers"]}
    assert by_name["image"]["config"]["batch_input_shape"] == [None, 28, 28, 1]
    assert by_name["image"]["inbound_nodes"] == []
    first, before_last = model.layers[1].name, model.layers[-2].name
    assert by_name[first]["inbound_nodes"] == [[["image", 0, 0, {}]]]
    assert by_name["probabilities"]["inbound_nodes"] == [[[before_last, 0, 0, {}]]]


def test_keras_3_only_keys_and_dtype_policies_are_gone():
    topology = tfjs_topology(build_model("cnn"))
    keys = set(_keys(topology))
    assert not keys & {"module", "registered_name", "build_config", "batch_shape"}
    text = json.dumps(topology)
    assert "DTypePolicy" not in text and '"dtype": "float32"' in text
    assert '"class_name": "HeNormal"' in text  # initializers keep Keras 2's form


def test_layers_with_two_inputs_list_both():
    inputs = keras.Input((28, 28, 1), name="image")
    left = keras.layers.Conv2D(4, 3, padding="same", name="left")(inputs)
    right = keras.layers.Conv2D(4, 3, padding="same", name="right")(inputs)
    merged = keras.layers.Add(name="add")([left, right])
    outputs = keras.layers.Dense(10, activation="softmax", name="out")(
        keras.layers.Flatten(name="flat")(merged))
    topology = tfjs_topology(keras.Model(inputs, outputs))
    add = next(layer for layer in topology["config"]["layers"] if layer["name"] == "add")
    assert add["inbound_nodes"] == [[["left", 0, 0, {}], ["right", 0, 0, {}]]]


def test_activations_are_renamed_for_tfjs():
    topology = tfjs_topology(build_model("cnn-compact"))
    activations = [layer["config"].get("activation") for layer in
                   topology["config"]["layers"] if "activation" in layer["config"]]
    assert "swish" in activations and "silu" not in activations


def _model_with(layer):
    inputs = keras.Input((28, 28, 1), name="image")
    hidden = layer(keras.layers.Reshape((28, 28), name="rows")(inputs))
    outputs = keras.layers.Dense(10, activation="softmax", name="out")(
        keras.layers.Flatten(name="flat")(hidden))
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize("make_layer, message", [
    (lambda: keras.layers.GRU(8, return_sequences=True, name="recurrent"),
     r"layer 'recurrent' \(GRU\) has no TF.js counterpart; TF.js runs RNNs.*use Conv2D"),
    (lambda: keras.layers.Dense(8, activation="leaky_relu", name="leaky"),
     r"layer 'leaky' \(Dense\) with activation 'leaky_relu'; use a LeakyReLU layer"),
    (lambda: keras.layers.Dense(8, activation="hard_sigmoid", name="hard"),
     r"layer 'hard' \(Dense\) with activation 'hard_sigmoid'; TF.js's hardSigmoid has slope"),
    (lambda: keras.layers.Dense(8, activation="exponential", name="exp"),
     r"activation 'exponential'; TF.js has elu, gelu"),
    (lambda: keras.layers.ReLU(negative_slope=0.1, name="slope"),
     r"layer 'slope' \(ReLU\) with negative_slope or threshold .*use LeakyReLU"),
    (lambda: keras.layers.ELU(alpha=0.5, name="elu"), r"\(ELU\) with alpha=0.5"),
    (lambda: keras.layers.LayerNormalization(rms_scaling=True, name="rms"), r"with rms_scaling"),
    (lambda: keras.layers.Conv1D(4, 3, groups=2, name="grouped"), r"\(Conv1D\) has no TF.js"),
    (lambda: keras.layers.UnitNormalization(name="unit"),
     r"TF.js runs Activation, Add, AlphaDropout"),
])
@pytest.mark.filterwarnings("ignore:You passed `rms_scaling=True`")
def test_what_tfjs_lacks_is_refused_by_name_with_an_alternative(make_layer, message):
    with pytest.raises(MnistKerasError, match=message):
        tfjs_topology(_model_with(make_layer()))


@pytest.mark.parametrize("build, message", [
    (lambda x: keras.layers.Conv2D(4, 3, groups=1, data_format="channels_first",
                                   name="first")(keras.layers.Permute((3, 1, 2))(x)),
     r"'first' \(Conv2D\) with data_format channels_first"),
    (lambda x: keras.layers.Conv2D(4, 3, groups=2, name="grouped")(
        keras.layers.Conv2D(4, 3)(x)), r"'grouped' \(Conv2D\) with groups=2 .*SeparableConv2D"),
    (lambda x: keras.layers.GlobalAveragePooling2D(keepdims=True, name="kept")(x),
     r"'kept' \(GlobalAveragePooling2D\) with keepdims=True"),
    (lambda x: keras.layers.UpSampling2D(interpolation="bilinear", name="up")(x),
     r"'up' \(UpSampling2D\) with interpolation 'bilinear'"),
    (lambda x: keras.layers.Lambda(lambda t: t * 2, name="code")(x),
     r"'code' \(Lambda\) has no TF.js counterpart; write the operation as a Keras layer"),
])
def test_settings_tfjs_cannot_honour_are_refused(build, message, tmp_path):
    from web_export import export_model

    inputs = keras.Input((28, 28, 1), name="image")
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(build(inputs)))
    with pytest.raises(MnistKerasError, match=message):
        export_model(keras.Model(inputs, outputs), tmp_path / "site")
    assert not (tmp_path / "site").exists()  # refused before anything was written


def test_keras_3_names_become_the_names_tfjs_reads():
    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.DepthwiseConv2D(3, name="depthwise")(inputs)
    x = keras.layers.LeakyReLU(negative_slope=0.2, name="leaky")(x)
    x = keras.layers.SpatialDropout2D(0.3, name="spatial")(x)
    x = keras.layers.Identity(name="same")(x)
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(x)))
    layers = {layer["name"]: layer for layer in tfjs_topology(model)["config"]["layers"]}
    assert layers["leaky"]["config"]["alpha"] == pytest.approx(0.2)
    assert layers["spatial"]["class_name"] == "Dropout"
    assert layers["same"]["class_name"] == "Activation"
    assert layers["same"]["config"]["activation"] == "linear"
    names = [entry["name"] for entry in weight_entries(model)]
    assert "depthwise/depthwise_kernel" in names and "depthwise/kernel" not in names


def test_subclassed_models_are_refused():
    class Tiny(keras.Model):
        def __init__(self):
            super().__init__(name="tiny")
            self.dense = keras.layers.Dense(10)

        def call(self, x):
            return self.dense(keras.ops.reshape(x, (-1, 784)))

    model = Tiny()
    model(np.zeros((1, 28, 28, 1), np.float32))
    with pytest.raises(MnistKerasError, match="subclassed"):
        tfjs_topology(model)


def test_weights_are_named_layer_slash_weight():
    model = build_model("cnn")
    entries = weight_entries(model)
    names = [entry["name"] for entry in entries]
    conv, norm = model.layers[1].name, model.layers[2].name
    assert names[:2] == [f"{conv}/kernel", f"{conv}/bias"]
    assert f"{norm}/moving_variance" in names
    assert sum(entry["data"].size for entry in entries) == model.count_params()
    assert all(entry["data"].dtype == np.float32 for entry in entries)
