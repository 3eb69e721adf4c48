"""Model cards: written from a run's files, readable by a model hub."""

import json
import shutil

import pytest
import yaml

from mnist_keras.errors import MnistKerasError
from mnist_keras.model_card import CARD_FILE, model_card, write_model_card
from mnist_keras.pretrained import pretrained_run
from mnist_keras.runs import Run, RunStatus
from mnist_keras.runs.contract import RunConfig


def _front_matter(card):
    assert card.startswith("---\n")
    return yaml.safe_load(card[4:card.index("\n---\n", 4)])


def test_a_trained_runs_card_says_what_it_is_how_it_was_made_and_measured(small_cnn_run):
    card = model_card(small_cnn_run)
    metrics = json.loads((small_cnn_run / "metrics.json").read_text())
    meta = _front_matter(card)
    assert meta["library_name"] == "keras" and meta["pipeline_tag"] == "image-classification"
    assert meta["datasets"] == ["ylecun/mnist"]
    (result,) = meta["model-index"][0]["results"]
    assert result["dataset"]["split"] == "test"
    assert result["metrics"][0] == {"type": "accuracy",
                                    "value": round(metrics["test_accuracy"], 4)}
    for heading in ("# small-cnn", "## Intended use", "## Training", "## Results",
                    "## Known limits"):
        assert f"\n{heading}\n" in card
    assert "Architecture: `simple`" in card and "6,000 training images" in card
    assert f"**{metrics['test_accuracy']:.2%}** accuracy on 1,000 MNIST test images" in card
    # One row per class, and the command that trains it again.
    assert card.count("\n| ") == 11
    assert "mnist-keras train --run-dir runs/simple-again" in card
    assert "expected calibration error" in card and "on average" in card


def test_the_shipped_models_card_records_its_figures():
    card = model_card(pretrained_run().path)
    assert "**99.69%** accuracy on 10,000 MNIST test images" in card
    assert "15 epochs of adam" in card and "1 written with a long flag" in card


def test_an_imported_model_says_it_was_trained_elsewhere(tmp_path):
    run = Run.create(tmp_path / "upload")
    run.write_config(RunConfig.for_upload("theirs.keras"))
    run.set_status(RunStatus.COMPLETED)
    card = model_card(run.path)
    assert "Imported from `theirs.keras`" in card
    assert "Not evaluated" in card and "model-index" not in card


def test_a_card_is_written_as_the_folders_readme(tmp_path, small_cnn_run):
    path = write_model_card(small_cnn_run, tmp_path)
    assert path == str(tmp_path / CARD_FILE)
    assert (tmp_path / CARD_FILE).read_text() == model_card(small_cnn_run)


def test_a_folder_without_a_run_is_refused(tmp_path):
    with pytest.raises(MnistKerasError, match="a run folder"):
        model_card(tmp_path)


def test_names_with_quotes_stay_valid_yaml(tmp_path, small_cnn_run):
    shutil.copytree(small_cnn_run, tmp_path / 'say "hi": yes')
    meta = _front_matter(model_card(tmp_path / 'say "hi": yes'))
    assert meta["model-index"][0]["name"] == 'say "hi": yes'
