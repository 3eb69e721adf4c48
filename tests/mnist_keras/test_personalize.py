"""Teaching a model someone's digits: a run linked to its base and its samples, before and after."""

import json
import os

import keras
import numpy as np
import pytest
from PIL import Image

from mnist_keras.cli import main
from mnist_keras.drawing_pad import render_strokes
from mnist_keras.errors import MnistKerasError
from mnist_keras.personalize import personalize, read_personal_samples, split_held_out
from mnist_keras.runs import Run

# A continental 1 (a long flag) and a 7 with a bar, as one writer draws them.
STROKES = {
    1: [{"points": [[80, 100], [160, 40], [150, 240]], "width": 20}],
    7: [{"points": [[70, 50], [210, 50], [120, 240]], "width": 20},
        {"points": [[110, 140], [190, 140]], "width": 20}],
}


def _writer_folder(folder, per_digit=5, seed=0):
    rng = np.random.default_rng(seed)
    for digit, strokes in STROKES.items():
        os.makedirs(folder / str(digit), exist_ok=True)
        for number in range(per_digit):
            moved = [{"points": [[x + rng.normal(0, 4), y + rng.normal(0, 4)]
                                 for x, y in stroke["points"]], "width": stroke["width"]}
                     for stroke in strokes]
            Image.fromarray(render_strokes(moved)).save(folder / str(digit) / f"{number}.png")
    return folder


def test_samples_are_read_through_the_drawing_recipe_and_blanks_skipped(tmp_path):
    folder = _writer_folder(tmp_path / "mine", per_digit=3)
    Image.new("L", (280, 280), 255).save(folder / "7" / "blank.png")
    (folder / "7" / "notes.txt").write_text("not an image")
    samples = read_personal_samples(folder)
    assert samples.images.shape == (6, 28, 28, 1) and samples.counts() == {1: 3, 7: 3}
    assert samples.skipped == ["7/blank.png"] and samples.files[0] == "1/0.png"


def test_each_digit_keeps_samples_to_train_on_and_gives_some_to_measure():
    labels = np.array([1] * 5 + [7] * 2 + [3])
    train, held = split_held_out(labels, 0.2, seed=0)
    assert sorted(np.concatenate([train, held])) == list(range(8))
    assert [int((labels[held] == d).sum()) for d in (1, 7, 3)] == [1, 1, 0]
    assert split_held_out(labels, 0.0)[1].size == 0


def test_teaching_writes_a_run_linked_to_its_base_and_samples(tmp_path, small_cnn_run):
    folder = _writer_folder(tmp_path / "mine")
    result = personalize(small_cnn_run, folder, run_dir=tmp_path / "taught", replay=500,
                         epochs=1, dataset_name="mine")
    run = Run(result.run_dir)
    config = run.config().training
    assert config.parent_run == "small-cnn" and config.parent_model.endswith("model.keras")
    record = run.personalization()
    assert record == result.record and record.dataset == "mine"
    assert len(record.trained_on) == 8 and len(record.held_out) == 2
    assert not set(record.trained_on) & set(record.held_out)
    assert record.replay == 500 and record.seconds > 0
    for scores in (record.before, record.after):
        assert 0 <= scores.held_out <= 1 and 0 <= scores.mnist <= 1
    assert record.after.mnist == run.metrics().test_accuracy
    # The run reads like any other: a model of ten classes, MNIST's metrics.
    assert sum(map(sum, run.metrics().confusion_matrix)) == 10_000


def test_teaching_the_writers_digits_lifts_them(tmp_path, small_cnn_run):
    # Ten of each digit: the taught model reads this writer's held-out digits.
    folder = _writer_folder(tmp_path / "mine", per_digit=10, seed=1)
    result = personalize(small_cnn_run, folder, replay=500, epochs=4, held_out=0.3)
    assert result.after.held_out >= max(result.before.held_out, 0.8)


@pytest.mark.parametrize("make, message", [
    (lambda folder: None, "a folder of your digits"),
    (lambda folder: (folder / "bar").mkdir(parents=True), "sub-folders named for digits"),
    (lambda folder: (folder / "3").mkdir(parents=True), "at least one readable image"),
    (lambda folder: _only_ones(folder), "samples of at least two digits"),
])
def test_a_folder_that_cannot_teach_is_refused_before_anything_is_written(
        tmp_path, small_cnn_run, make, message):
    folder = tmp_path / "data"
    make(folder)
    with pytest.raises(MnistKerasError, match=message):
        personalize(small_cnn_run, folder, run_dir=tmp_path / "taught", replay=500)
    assert not (tmp_path / "taught").exists()


def _only_ones(folder):
    _writer_folder(folder)
    for name in os.listdir(folder / "7"):
        os.remove(folder / "7" / name)


def test_a_base_that_reads_no_digits_is_refused(tmp_path):
    path = tmp_path / "five.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(5)]).save(path)
    with pytest.raises(MnistKerasError, match="to 10 classes"):
        personalize(path, _writer_folder(tmp_path / "mine"), run_dir=tmp_path / "taught")
    assert not (tmp_path / "taught").exists()


def test_the_personalize_command_prints_before_and_after(tmp_path, small_cnn_run, capsys,
                                                          monkeypatch):
    # A database store keeps MLflow's artifacts in ./mlruns of the working folder.
    monkeypatch.chdir(tmp_path)
    folder = _writer_folder(tmp_path / "mine")
    store = tmp_path / "mlruns.db"
    assert main(["personalize", str(small_cnn_run), "--data", str(folder), "--run-dir",
                 str(tmp_path / "taught"), "--epochs", "1", "--replay", "500", "--json",
                 "--mlflow", f"sqlite:///{store}"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["personalization"]["before"]["held_out"] is not None
    # Logged to MLflow (an SQLite store, no server): read back with its client.
    from mlflow.tracking import MlflowClient

    record = json.loads((tmp_path / "taught" / "mlflow.json").read_text())
    logged = MlflowClient(tracking_uri=f"sqlite:///{store}").get_run(record["run_id"])
    assert logged.info.status == "FINISHED" and logged.info.run_name == "taught"
    assert logged.data.metrics["test_accuracy"] == pytest.approx(printed["test_accuracy"])
    assert main(["personalize", str(small_cnn_run), "--data", str(tmp_path / "none"),
                 "--run-dir", str(tmp_path / "again")]) == 2
    assert "Expected a folder of your digits" in capsys.readouterr().err
