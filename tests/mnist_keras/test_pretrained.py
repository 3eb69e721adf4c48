"""The model that ships with mnist-keras: its figures hold, it installs as a read-only run."""

import json
import os

import numpy as np
import pytest

from mnist_keras.cli import main
from mnist_keras.errors import MnistKerasError
from mnist_keras.pretrained import (
    PRETRAINED,
    install_pretrained,
    load_pretrained,
    pretrained_path,
    pretrained_run,
    resolve_model,
)
from mnist_keras.runs import Run


def test_the_shipped_run_is_small_strong_and_read_only():
    shipped = pretrained_run()
    assert os.path.getsize(pretrained_path()) <= 1024 * 1024
    config, metrics = shipped.config(), shipped.metrics()
    assert config.read_only and config.training.model == "cnn-compact"
    assert metrics.test_accuracy >= 0.995 and metrics.num_params == 44_174
    assert shipped.status.value == "completed" and len(shipped.history().epochs) == 15


@pytest.mark.integration  # all 10,000 MNIST test images through the shipped model
def test_the_shipped_model_reads_the_test_set_as_its_run_records():
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate

    data = load_dataset(train_size=1_000, test_size=10_000, validation_split=0)
    result = evaluate(load_pretrained(), data.x_test, data.y_test)
    recorded = pretrained_run().metrics()
    # The same images, the same answers: at most a float's difference on one digit.
    assert abs(result.accuracy - recorded.test_accuracy) <= 1e-4
    assert np.array_equal(result.confusion_matrix, np.asarray(recorded.confusion_matrix)) or \
        np.abs(result.confusion_matrix - np.asarray(recorded.confusion_matrix)).sum() <= 2


def test_installing_copies_the_run_once_and_restores_a_changed_copy(tmp_path):
    runs_dir = tmp_path / "fresh" / "runs"
    run = install_pretrained(runs_dir)
    assert run.name == PRETRAINED and run.config().read_only
    assert sorted(os.listdir(run.path)) == ["config.json", "history.json", "metrics.json",
                                            "model.keras", "status.json"]
    modified = os.path.getmtime(run.file("model.keras"))
    assert install_pretrained(runs_dir).path == run.path  # already there: untouched
    assert os.path.getmtime(run.file("model.keras")) == modified
    with open(run.file("metrics.json"), "a") as file:
        file.write(" ")  # changed by hand: the shipped one comes back
    install_pretrained(runs_dir)
    assert run.metrics() == pretrained_run().metrics()
    assert not [name for name in os.listdir(runs_dir) if name.startswith(".")]


def test_a_run_of_ones_own_called_pretrained_is_never_overwritten(tmp_path):
    mine = Run.create(tmp_path / PRETRAINED)
    mine.write_json("config.json", {"model": "cnn"})
    with pytest.raises(MnistKerasError, match="no run of your own called 'pretrained'"):
        install_pretrained(tmp_path)
    assert json.loads((tmp_path / PRETRAINED / "config.json").read_text()) == {"model": "cnn"}


def test_the_installed_run_is_never_renamed_or_deleted(tmp_path):
    run = install_pretrained(tmp_path)
    for action in (run.delete, lambda: run.rename("mine")):
        with pytest.raises(MnistKerasError, match="ships with mnist-keras and is read-only"):
            action()
    assert run.is_run()


def test_commands_take_the_word_pretrained_and_run_folders(tmp_path):
    assert resolve_model("pretrained") == pretrained_path()
    run = install_pretrained(tmp_path)
    assert resolve_model(run.path) == run.file("model.keras")
    assert resolve_model("elsewhere.keras") == "elsewhere.keras"


def test_the_pretrained_command_prints_its_path_and_figures(capsys):
    assert main(["pretrained", "--path"]) == 0
    assert capsys.readouterr().out.strip() == pretrained_path()
    assert main(["pretrained", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["model"] == "cnn-compact" and printed["test_accuracy"] >= 0.995
    assert main(["pretrained"]) == 0
    assert "44,174 parameters" in capsys.readouterr().out


def test_predict_reads_a_drawing_with_the_pretrained_model_before_any_training(tmp_path,
                                                                               capsys):
    from PIL import Image, ImageDraw

    page = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(page).line([(70, 50), (210, 50), (120, 240)], fill=0, width=22)
    page.save(tmp_path / "seven.png")
    assert main(["predict", "pretrained", str(tmp_path / "seven.png"), "--json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)
    assert answer["label"] == 7


def test_pruning_the_pretrained_model_makes_a_run_of_ones_own(tmp_path):
    from mnist_keras.fine_tuning import pruning_config

    config = pruning_config(pretrained_path(), 0.5, fine_tune_epochs=0)
    assert config.parent_run == PRETRAINED and config.model == "cnn-compact"
    assert config.train_size == 60_000  # the data settings it was trained with
