import keras
import numpy as np
import pytest

from mnist_keras.inspection import (
    activation_flow,
    activation_model,
    feature_map_model,
    feature_maps,
    layer_summary,
    layer_weights,
)
from mnist_keras.models import build_model


@pytest.fixture(scope="module")
def cnn():
    keras.utils.set_random_seed(0)
    return build_model("cnn")


def test_feature_maps_of_every_conv_and_pooling_layer(cnn):
    image = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    maps = feature_maps(cnn, image)
    assert [m.shape for _, m in maps] == [(26, 26, 32), (13, 13, 32), (11, 11, 64), (5, 5, 64)]
    # The first map is the first conv layer's own output.
    first_conv = keras.Model(cnn.inputs[0], cnn.layers[1].output)
    np.testing.assert_allclose(maps[0][1], np.asarray(first_conv(image[None, ..., None]))[0],
                               atol=1e-5)
    extractor = feature_map_model(cnn)
    again = feature_maps(cnn, image[..., None], extractor=extractor)
    np.testing.assert_allclose(again[3][1], maps[3][1], atol=1e-6)


def test_feature_maps_work_for_sequential_models():
    model = build_model("simple")
    (name, maps), _ = feature_maps(model, np.zeros((28, 28)))
    assert maps.shape == (26, 26, 16) and "conv" in name


def test_models_without_convolutions_are_refused():
    with pytest.raises(ValueError, match="Conv2D or pooling"):
        feature_map_model(build_model("mlp"))


def test_weights_are_the_kernels(cnn):
    weights = layer_weights(cnn)
    assert [(w["type"], w["kernel"].shape) for w in weights] == [
        ("Conv2D", (3, 3, 1, 32)), ("Conv2D", (3, 3, 32, 64)),
        ("Dense", (1600, 128)), ("Dense", (128, 10))]
    np.testing.assert_array_equal(weights[0]["kernel"], np.asarray(cnn.layers[1].kernel))


def test_summary_counts_parameters_and_flops(cnn):
    rows = layer_summary(cnn)
    assert sum(row["params"] for row in rows) == 225_930
    conv1, conv2 = (row for row in rows if row["type"] == "Conv2D")
    assert conv1["output_shape"] == (26, 26, 32) and conv1["params"] == 320
    assert conv1["flops"] == 2 * 26 * 26 * 32 * 9
    assert conv2["flops"] == 2 * 11 * 11 * 64 * 9 * 32
    dense = next(row for row in rows if row["type"] == "Dense")
    assert dense["flops"] == 2 * 1600 * 128 and dense["params"] == 1600 * 128 + 128
    pool = next(row for row in rows if row["type"] == "MaxPooling2D")
    assert pool["flops"] == 13 * 13 * 32 * 4
    assert all(row["flops"] == 0 for row in rows if row["type"] in ("Flatten", "Dropout"))


def test_activation_flow_follows_every_layer(cnn):
    image = np.random.default_rng(1).random((28, 28)).astype(np.float32)
    flow = activation_flow(cnn, image)
    layers = [layer for layer in cnn.layers if not isinstance(layer, keras.layers.InputLayer)]
    assert [row["name"] for row in flow] == [layer.name for layer in layers]
    assert flow[-1]["output_shape"] == (10,)
    # The softmax output: probabilities, all non-zero, summing to 1.
    probabilities = np.asarray(cnn(image[None, ..., None]))[0]
    assert flow[-1]["mean"] == pytest.approx(probabilities.mean(), rel=1e-5)
    assert flow[-1]["max"] == pytest.approx(probabilities.max(), rel=1e-5)
    assert flow[-1]["active_fraction"] == 1.0
    relu = next(row for row in flow if row["name"].startswith("re_lu") or "activation" in
                row["name"])
    assert 0.0 < relu["active_fraction"] < 1.0
    again = activation_flow(cnn, image[..., None], extractor=activation_model(cnn))
    assert again == flow


def test_activation_flow_works_for_sequential_models():
    model = build_model("mlp")
    flow = activation_flow(model, np.zeros((28, 28)))
    assert len(flow) == len(model.layers) - 1 and flow[0]["output_shape"] == (784,)
