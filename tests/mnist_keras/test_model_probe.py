"""Model files from elsewhere: forged ones are refused before this process loads them."""

import json
import zipfile

import keras
import pytest

from mnist_keras import model_probe
from mnist_keras.errors import MnistKerasError
from mnist_keras.models import build_model
from mnist_keras.runs import MAX_CONFIG_BYTES, check_model_archive


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "mlp.keras"
    build_model("mlp").save(path)
    return path


def _rewritten(source, target, change_config):
    """A copy of a .keras archive whose config.json is changed by `change_config(text)`."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "config.json":
                data = change_config(data.decode()).encode()
            copy.writestr(info, data)
    return target


def test_a_sound_model_is_probed_for_its_parameter_count(mlp_file):
    assert model_probe.probe_model_file(mlp_file) == build_model("mlp").count_params()


def test_a_small_file_declaring_a_huge_layer_is_stopped_by_memory(mlp_file, tmp_path):
    # The small model's file, with a config that asks Keras for 1.6 billion weights (6 GiB).
    config = json.loads(zipfile.ZipFile(mlp_file).read("config.json"))
    dense = next(layer for layer in config["config"]["layers"]
                 if layer["class_name"] == "Dense")
    forged = _rewritten(mlp_file, tmp_path / "huge.keras", lambda text: text.replace(
        f'"units": {dense["config"]["units"]}', '"units": 2000000', 1))
    with pytest.raises(MnistKerasError, match="loads in at most 2 GiB"):
        model_probe.probe_model_file(forged)


def test_more_parameters_than_the_bound_are_refused(mlp_file, monkeypatch):
    monkeypatch.setattr(model_probe, "MAX_UPLOAD_PARAMETERS", 1000)
    with pytest.raises(MnistKerasError, match="at most 1,000 parameters"):
        model_probe.probe_model_file(mlp_file)


def test_a_model_that_is_no_digit_classifier_is_refused_by_the_probe(tmp_path):
    path = tmp_path / "five.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(5)]).save(path)
    with pytest.raises(MnistKerasError, match="to 10 classes"):
        model_probe.probe_model_file(path)


def test_archives_are_checked_before_keras_sees_them(mlp_file, tmp_path):
    not_zip = tmp_path / "text.keras"
    not_zip.write_text("not a zip")
    with pytest.raises(MnistKerasError, match="a zip archive") as error:
        check_model_archive(not_zip)
    assert str(tmp_path) not in str(error.value)  # no temporary path shown
    no_config = tmp_path / "empty.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("other.txt", "x")
    with pytest.raises(MnistKerasError, match="with a config.json"):
        check_model_archive(no_config)
    padded = _rewritten(mlp_file, tmp_path / "padded.keras",
                        lambda text: text[:-1] + ', "pad": "' + "x" * MAX_CONFIG_BYTES + '"}')
    with pytest.raises(MnistKerasError, match="config of at most 1,048,576 bytes"):
        check_model_archive(padded)


def test_an_import_of_a_forged_file_adds_no_run(tmp_path):
    from mnist_keras.importing import import_model

    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    forged = tmp_path / "forged.keras"
    forged.write_text("not a zip")
    with pytest.raises(MnistKerasError, match="a zip archive"):
        import_model(forged, runs_dir)
    assert list(runs_dir.iterdir()) == []


def _inflating(source, target, unpacked_bytes):
    """A copy of a .keras archive whose weights file inflates to `unpacked_bytes` (zeros)."""
    with zipfile.ZipFile(source) as original, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            if info.filename.endswith(".h5"):
                with copy.open(info.filename, "w", force_zip64=True) as weights:
                    chunk = bytes(2**24)
                    for _ in range(unpacked_bytes // len(chunk)):
                        weights.write(chunk)
            else:
                copy.writestr(info, original.read(info.filename))
    return target


def test_an_archive_that_inflates_past_the_limit_is_refused_everywhere(mlp_file, tmp_path,
                                                                       capsys):
    # Regression: the command line loaded a 4 MB file whose weights inflate to
    # 1.5 GiB (3.8 GB of memory); the dashboard refused it. One limit for all.
    from PIL import Image

    from mnist_keras.cli import main
    from mnist_keras.runs import MAX_UNPACKED_BYTES, load_model

    bomb = _inflating(mlp_file, tmp_path / "bomb.keras", MAX_UNPACKED_BYTES + 2**24)
    Image.new("L", (28, 28)).save(tmp_path / "digit.png")
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(MnistKerasError, match="at most 50,000,000 parameters"):
        check_model_archive(bomb)
    with pytest.raises(MnistKerasError, match="unpacks to at most"):
        load_model(bomb)
    for command in (["evaluate", str(bomb), "--test-size", "100"],
                    ["predict", str(bomb), str(tmp_path / "digit.png")],
                    ["export", str(bomb), "--out", str(tmp_path / "site")]):
        assert main(command) == 2, command
        error = capsys.readouterr().err.strip()
        assert len(error.splitlines()) == 1 and "unpacks to" in error, error
    assert not (tmp_path / "site").exists()


def test_models_that_cannot_predict_digits_are_refused(tmp_path):
    # Regression: a model with NaN weights was accepted and answered "0 (nan%)";
    # one with two inputs was accepted as a classifier of its first.
    import numpy as np

    from mnist_keras.importing import import_model
    from mnist_keras.runs import check_digit_classifier

    broken = build_model("mlp")
    weights = broken.get_weights()
    weights[0][0, 0] = np.nan
    broken.set_weights(weights)
    with pytest.raises(MnistKerasError, match="weights are all finite.*NaN or infinite"):
        check_digit_classifier(broken)
    broken.save(tmp_path / "nan.keras")
    with pytest.raises(MnistKerasError, match="all finite"):
        import_model(tmp_path / "nan.keras", tmp_path / "runs")
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    image, extra = keras.Input((28, 28, 1)), keras.Input((3,))
    merged = keras.layers.Concatenate()([keras.layers.Flatten()(image), extra])
    two_inputs = keras.Model([image, extra], keras.layers.Dense(10, "softmax")(merged))
    with pytest.raises(MnistKerasError, match="one input and one output"):
        check_digit_classifier(two_inputs)
