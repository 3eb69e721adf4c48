import os
import time

import keras
import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, list_runs, load_model


def test_create_refuses_a_folder_that_holds_a_run(tmp_path):
    run = Run.create(tmp_path / "a")
    run.write_json("config.json", {"epochs": 1})
    with pytest.raises(MnistKerasError, match="already holds a run"):
        Run.create(tmp_path / "a")
    (tmp_path / "file").write_text("x")
    with pytest.raises(MnistKerasError, match="folder path"):
        Run.create(tmp_path / "file")


def test_status_is_recorded_with_details(tmp_path):
    run = Run.create(tmp_path / "r")
    assert run.status == "unknown"
    run.set_status("running")
    status = run.read_json("status.json")
    assert status["status"] == "running" and status["pid"] == os.getpid()
    run.set_status("failed", error="boom")
    status = run.read_json("status.json")
    assert (run.status, status["error"], status["started"]) == ("failed", "boom", status["started"])
    with pytest.raises(MnistKerasError, match="status in"):
        run.set_status("paused")


def test_damaged_json_reads_as_default(tmp_path):
    run = Run.create(tmp_path / "r")
    (tmp_path / "r" / "metrics.json").write_text("{half")
    assert run.read_json("metrics.json", {}) == {}


def test_model_round_trip_in_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    run = Run.create(tmp_path / "r")
    run.save_model(model)
    loaded = run.load_model()
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)
    assert sorted(os.listdir(run.path)) == ["model.keras"]


def test_model_with_code_is_refused_in_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(MnistKerasError, match="loadable Keras 3 model"):
        load_model(path)


@pytest.mark.parametrize("content, name, message", [
    (None, "missing.keras", "existing .keras model file"),
    (b"not a zip", "broken.keras", "a zip archive written by Keras 3"),
    (b"x", "model.h5", "ending in .keras"),
])
def test_bad_model_files_are_reported(tmp_path, content, name, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(MnistKerasError, match=message):
        load_model(tmp_path / name)


def test_list_runs_finds_run_folders_oldest_first(tmp_path):
    assert list_runs(tmp_path / "none") == []
    for name in ("b", "a"):
        Run.create(tmp_path / name).write_json("config.json", {})
        time.sleep(0.01)
    (tmp_path / "not-a-run").mkdir()
    assert [run.name for run in list_runs(tmp_path)] == ["b", "a"]


def test_check_digit_classifier_names_the_shapes():
    import keras

    from mnist_keras.errors import MnistKerasError
    from mnist_keras.models import build_model
    from mnist_keras.runs import check_digit_classifier

    check_digit_classifier(build_model("cnn-gap"))
    inputs = keras.Input((28, 28, 1))
    three = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(
        keras.layers.Flatten()(inputs)))
    check_digit_classifier(three, num_classes=3)
    with pytest.raises(MnistKerasError, match=r"output_shape=\(3,\)"):
        check_digit_classifier(three)


def test_check_digit_classifier_wants_probabilities():
    # Regression: a model without a softmax loaded, and its scores were shown as
    # confidences ("0 (412%)"); it was exported too.
    import keras

    from mnist_keras.errors import MnistKerasError
    from mnist_keras.runs import check_digit_classifier

    keras.utils.set_random_seed(0)
    inputs = keras.Input((28, 28, 1))
    scores = keras.layers.Dense(10)(keras.layers.Flatten()(inputs))
    with pytest.raises(MnistKerasError, match=r"outputs are probabilities \(a softmax at its "
                                              r"end.*Received: outputs='from -?\d"):
        check_digit_classifier(keras.Model(inputs, scores))
    check_digit_classifier(keras.Model(inputs, keras.layers.Softmax()(scores)))
    # Sigmoids are between 0 and 1 but do not sum to 1: not a classifier's answer either.
    sigmoid = keras.layers.Dense(10, activation="sigmoid")(keras.layers.Flatten()(inputs))
    with pytest.raises(MnistKerasError, match="summing to"):
        check_digit_classifier(keras.Model(inputs, sigmoid))


def _finished_run(path):
    run = Run.create(path)
    run.write_json("config.json", {"model": "cnn"})
    run.set_status("completed")
    return run


def test_rename_moves_the_folder_within_the_runs_folder(tmp_path):
    run = _finished_run(tmp_path / "old")
    renamed = run.rename("  new-name  ")
    assert renamed.name == "new-name" and renamed.status.value == "completed"
    assert not (tmp_path / "old").exists()
    _finished_run(tmp_path / "other")
    for bad, message in (("other", "a name no other run has"), ("../up", "a new name of"),
                         ("", "a new name of"), (3, "a new name of")):
        with pytest.raises(MnistKerasError, match=message):
            renamed.rename(bad)
    assert sorted(os.listdir(tmp_path)) == ["new-name", "other"]


def test_delete_removes_the_run_but_never_one_that_trains(tmp_path):
    run = _finished_run(tmp_path / "done")
    run.delete()
    assert not (tmp_path / "done").exists()
    training = Run.create(tmp_path / "training")
    training.set_status("running")
    for action in (training.delete, lambda: training.rename("x")):
        with pytest.raises(MnistKerasError, match="is training"):
            action()
    assert (tmp_path / "training").is_dir()
