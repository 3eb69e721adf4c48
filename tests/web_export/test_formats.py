"""ONNX, LiteRT and SavedModel exports, each run in its own runtime against Keras.

The runtimes are the real ones: onnxruntime, the LiteRT interpreter
(ai-edge-litert) and TensorFlow loading the SavedModel back.
"""

import json
import os

import keras
import numpy as np
import pytest
from keras import layers

from mnist_keras.cli import main
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import load_model
from tests.web_export.layer_cases import CASES, SEQUENTIAL_CASES, _randomise, build_case
from web_export.formats import export_format

FLOAT_TOLERANCE = 1e-4
# What each format cannot carry (measured: every other case converts, runs and matches).
# tf2onnx turns Keras' exact gelu into an Erfc node, which ONNX does not define;
# LiteRT has no built-in Softsign.
CANNOT_CARRY = {"onnx": {"activation-gelu": "Erfc", "activation-layer": "Erfc"},
                "tflite": {"activation-softsign": "Softsign"}, "savedmodel": {}}


def _with_softmax(model):
    """A case's model with the softmax every digit classifier ends in."""
    return keras.Model(model.inputs, layers.Softmax(name="probabilities")(model.outputs[0]),
                       name=model.name)


def _every_layer_model(left_out=()):
    """One model holding every layer case as a branch of its own, each feeding the logits."""
    inputs = keras.Input((28, 28, 1), name="image")
    branches = [builder(inputs) for name, (_, builder) in CASES.items() if name not in left_out]
    for _, (_, layers_of) in SEQUENTIAL_CASES.items():
        x = inputs
        for layer in layers_of():
            x = layer(x)
        branches.append(x)
    features = [layers.Dense(3)(layers.Flatten()(x) if len(x.shape) > 2 else x)
                for x in branches]
    outputs = layers.Dense(10, name="logits")(layers.Concatenate()(features))
    return _with_softmax(_randomise(keras.Model(inputs, outputs, name="every_layer"), seed=0))


@pytest.mark.parametrize("format_name", ["onnx", "tflite", "savedmodel"])
def test_each_format_gives_keras_answers_on_test_digits(tmp_path, small_cnn_run, format_name):
    result = export_format(small_cnn_run / "model.keras", tmp_path / format_name,
                           format=format_name, parity_images=1_000)
    parity = result.parity
    assert parity["images"] == 1_000
    assert parity["max_abs_difference"] < FLOAT_TOLERANCE
    assert parity["argmax_agreement"] == 1.0 and parity["accuracy"] == parity["keras_accuracy"]
    with open(tmp_path / format_name / "export-info.json", encoding="utf-8") as file:
        info = json.load(file)
    assert info == json.loads(json.dumps(result.info))
    assert info["format"] == format_name and info["source"]["run"] == "small-cnn"
    metrics = json.loads((small_cnn_run / "metrics.json").read_text())
    assert info["source"]["test_accuracy"] == metrics["test_accuracy"]
    assert info["input"]["shape"] == [None, 28, 28, 1] and info["output"]["shape"] == [None, 10]
    for name, size in result.files.items():
        assert size > 10_000 and os.path.exists(tmp_path / format_name / name)
    # Nothing is left beside the export.
    assert sorted(os.listdir(tmp_path)) == [format_name]


def test_the_onnx_file_is_valid_and_names_its_opset(tmp_path, small_cnn_run):
    import onnx
    import onnxruntime

    result = export_format(small_cnn_run / "model.keras", tmp_path / "onnx", format="onnx",
                           parity_images=100)
    onnx.checker.check_model(str(tmp_path / "onnx" / "model.onnx"))
    assert result.info["opset"] >= 13
    session = onnxruntime.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    assert session.get_inputs()[0].name == result.info["input"]["name"]
    # A batch of any size.
    images = np.zeros((3, 28, 28, 1), np.float32)
    (probabilities,) = session.run(None, {session.get_inputs()[0].name: images})
    assert probabilities.shape == (3, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_the_savedmodel_serves_a_named_signature(tmp_path, small_cnn_run):
    import tensorflow as tf

    export_format(small_cnn_run / "model.keras", tmp_path / "serving", format="savedmodel",
                  parity_images=100)
    # TensorFlow Serving's layout: a numbered version folder.
    assert os.listdir(tmp_path / "serving" / "1")
    loaded = tf.saved_model.load(str(tmp_path / "serving" / "1"))
    signature = loaded.signatures["serving_default"]
    assert list(signature.structured_input_signature[1]) == ["image"]
    assert list(signature.structured_outputs) == ["probabilities"]
    model = load_model(small_cnn_run / "model.keras")
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    served = signature(image=tf.constant(images))["probabilities"].numpy()
    assert np.abs(served - model.predict(images, verbose=0)).max() < FLOAT_TOLERANCE


@pytest.mark.parametrize("quantize, agreement, size_ratio", [
    ("float16", 0.999, 0.6), ("int8", 0.98, 0.35)])
def test_quantized_litert_models_keep_their_answers(tmp_path, small_cnn_run, quantize,
                                                    agreement, size_ratio):
    full = export_format(small_cnn_run / "model.keras", tmp_path / "float32", format="tflite",
                         parity_images=100)
    result = export_format(small_cnn_run / "model.keras", tmp_path / quantize, format="tflite",
                           quantize=quantize)
    parity = result.parity
    assert parity["images"] == 10_000
    assert parity["argmax_agreement"] >= agreement
    assert abs(parity["accuracy"] - parity["keras_accuracy"]) < 0.01
    assert result.files["model.tflite"] < size_ratio * full.files["model.tflite"]
    if quantize == "int8":
        # Integer-only: the file says how to make its input and read its output.
        assert result.info["input"]["dtype"] == "int8"
        assert {"scale", "zero_point"} <= set(result.info["input"]["quantization"])
        assert {"scale", "zero_point"} <= set(result.info["output"]["quantization"])


@pytest.mark.parametrize("format_name", ["onnx", "tflite", "savedmodel"])
def test_every_layer_the_project_accepts_matches_keras(tmp_path, format_name):
    keras.utils.set_random_seed(0)
    model = _every_layer_model(left_out=CANNOT_CARRY[format_name])
    result = export_format(model, tmp_path / format_name, format=format_name,
                           parity_images=200)
    # Probabilities of random weights (measured: at most 1.5e-5 apart); a layer
    # converted wrongly moves them by far more.
    assert result.parity["max_abs_difference"] < 1e-4, result.parity
    assert result.parity["argmax_agreement"] == 1.0


def test_bad_requests_are_refused_before_anything_is_written(tmp_path, small_cnn_run):
    model_file = small_cnn_run / "model.keras"
    with pytest.raises(MnistKerasError, match=r"Expected format in \['tfjs', 'onnx'"):
        export_format(model_file, tmp_path / "x", format="coreml")
    with pytest.raises(MnistKerasError, match=r"quantize in \['none'\] for the onnx format"):
        export_format(model_file, tmp_path / "x", format="onnx", quantize="int8")
    with pytest.raises(MnistKerasError, match="quantize in .*for the tflite format"):
        export_format(model_file, tmp_path / "x", format="tflite", quantize="uint8")
    wrong = keras.Sequential([keras.Input((32, 32, 3)), layers.Flatten(), layers.Dense(10)])
    with pytest.raises(MnistKerasError, match="28x28x1 images to 10 classes"):
        export_format(wrong, tmp_path / "x", format="onnx")
    # A run folder is not an export: it is left alone.
    with pytest.raises(MnistKerasError, match="an empty folder or an earlier export"):
        export_format(model_file, small_cnn_run, format="onnx", parity_images=10)
    assert not os.path.exists(tmp_path / "x")
    assert "export-info.json" not in os.listdir(small_cnn_run)


@pytest.mark.parametrize("format_name, case", [
    (format_name, case) for format_name, cases in CANNOT_CARRY.items() for case in cases])
def test_what_a_format_cannot_carry_is_refused_by_name(tmp_path, format_name, case):
    model = _with_softmax(build_case(case))
    operator = CANNOT_CARRY[format_name][case]
    with pytest.raises(MnistKerasError, match=f"a model the {format_name} format can carry "
                                              f"\\(.* has no (built-in )?{operator} operator "
                                              f"\\(in .*\\)\\); "):
        export_format(model, tmp_path / "out", format=format_name, parity_images=10)
    assert os.listdir(tmp_path) == []


def test_a_model_the_runtime_cannot_run_is_refused_with_a_way_out(tmp_path):
    # LiteRT converts a Fourier transform of 784 values, then its kernel refuses
    # a length that is not a power of two: found by running it, not converting it.
    inputs = keras.Input((28, 28, 1))
    x = layers.Flatten()(inputs)
    real, _ = keras.ops.rfft(x)
    outputs = layers.Dense(10, activation="softmax")(real)
    model = keras.Model(inputs, outputs)
    with pytest.raises(MnistKerasError, match="a model the tflite format can carry "
                                              r"\(.*rfft2d.*\); .*onnx or savedmodel"):
        export_format(model, tmp_path / "tflite", format="tflite", parity_images=10)
    assert os.listdir(tmp_path) == []


def test_exporting_again_replaces_the_earlier_export(tmp_path, small_cnn_run):
    first = export_format(small_cnn_run / "model.keras", tmp_path / "out", format="onnx",
                          parity_images=10)
    second = export_format(small_cnn_run / "model.keras", tmp_path / "out", format="tflite",
                           parity_images=10)
    # The run's model card travels with every export.
    assert sorted(os.listdir(tmp_path / "out")) == ["README.md", "export-info.json",
                                                    "model.tflite"]
    assert first.info["created"] < second.info["created"]


def test_cli_export_writes_each_format_and_reports_its_parity(tmp_path, small_cnn_run,
                                                              capsys):
    main(["export", str(small_cnn_run), "--format", "onnx", "--out", str(tmp_path / "onnx")])
    printed = capsys.readouterr().out
    assert "Wrote " in printed and "model.onnx" in printed
    assert "on 10,000 MNIST test digits: largest difference from Keras" in printed
    main(["export", str(small_cnn_run), "--format", "tflite", "--quantize", "int8", "--out",
          str(tmp_path / "int8"), "--json"])
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == "tflite" and info["quantize"] == "int8"
    assert info["parity"]["argmax_agreement"] > 0.98
    assert main(["export", str(small_cnn_run), "--format", "onnx", "--quantize", "uint8",
                 "--out", str(tmp_path / "bad")]) == 2
    assert "quantize in ['none'] for the onnx format" in capsys.readouterr().err
    # A quicker check when asked, and a count out of range named as given.
    main(["export", str(small_cnn_run), "--format", "onnx", "--parity-images", "300", "--out",
          str(tmp_path / "quick"), "--json"])
    assert json.loads(capsys.readouterr().out)["parity"]["images"] == 300
    assert main(["export", str(small_cnn_run), "--format", "onnx", "--parity-images", "0",
                 "--out", str(tmp_path / "none")]) == 2
    assert "parity_images from 1 to 10,000. Received: parity_images=0" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()
