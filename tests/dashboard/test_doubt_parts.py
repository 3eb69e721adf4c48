"""The Doubtful labels panel without a browser: tiles, retraining settings, refusals."""

import os

import numpy as np
import pytest

from dashboard import page as layout
from dashboard.panels.doubt.callbacks import (
    retrain_config,
    review_tiles,
    status_text,
    summary_text,
    tile_class,
    trained_run_options,
)
from dashboard.panels.doubt.jobs import IDLE, DoubtJobs
from dashboard.shared import help_texts, ids
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets.label_review import REVIEW_FILE, DoubtfulImage, LabelReview
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, RunConfig, RunIndex, RunStatus
from tests.dashboard.layout_tree import walk

DIGITS = tuple("0123456789")


def _review():
    return LabelReview("mnist", DIGITS, 50, images=(
        DoubtfulImage(4, given=3, suggested=5, label_quality=0.01, flagged=True),
        DoubtfulImage(9, given=1, suggested=1, label_quality=0.4)), folds=5, accuracy=0.9,
        seconds=12.0)


@pytest.fixture
def runs(tmp_path):
    trained = Run.create(tmp_path / "trained")
    trained.write_config(RunConfig.for_training(TrainingConfig(epochs=1, train_size=1000)))
    trained.set_status(RunStatus.COMPLETED)
    upload = Run.create(tmp_path / "upload")
    upload.write_config(RunConfig.for_upload("model.keras"))
    upload.set_status(RunStatus.COMPLETED)
    for run in (trained, upload):
        open(run.file("model.keras"), "wb").close()
    return tmp_path


def test_tiles_show_each_image_with_its_labels_and_decision():
    images = np.zeros((50, 28, 28), np.uint8)
    review = _review().decide(4, "relabel", label=5)
    tiles = review_tiles(review, images, shown=1)
    assert len(tiles) == 1 and tiles[0].id == {"type": ids.DOUBT_TILE, "index": 4}
    assert tiles[0].className == tile_class("relabel") == "tile doubt-tile relabel"
    parts = {type(node).__name__: node for node in walk(tiles[0])}
    assert parts["RadioItems"].value == "relabel" and parts["Dropdown"].value == 5
    assert [span.children for span in parts["Figcaption"].children] == ["given 3", " → 5"]
    assert len(review_tiles(review, images, shown=10)) == 2
    with pytest.raises(MnistKerasError, match="the dataset the review was made on"):
        review_tiles(review, images[:40], shown=10)


def test_the_texts_count_decisions_and_say_how_it_was_ranked():
    review = _review().decide(4, "exclude")
    assert summary_text(review).startswith("1 excluded, 0 relabelled, 0 kept, 1 undecided of "
                                           "the 2 most doubtful; confident learning flags 1")
    assert status_text(review) == "Ranked with 5 folds: out-of-fold accuracy 90.0%, 12 s."
    assert status_text(None).startswith("Not ranked yet")


def test_training_again_takes_the_run_s_settings_with_the_review(runs):
    run = Run(runs / "trained")
    path = run.file(REVIEW_FILE)
    with pytest.raises(MnistKerasError, match="an existing label review file"):
        retrain_config(run, path)
    _review().save(path)
    with pytest.raises(MnistKerasError, match="at least one image excluded or relabelled"):
        retrain_config(run, path)
    _review().decide(4, "exclude").save(path)
    config = retrain_config(run, path)
    assert config.label_review == os.path.abspath(path) and config.parent_run == "trained"
    assert config.train_size == 1000 and config.epochs == 1
    with pytest.raises(MnistKerasError, match="a run trained here"):
        retrain_config(Run(runs / "upload"), path)


def test_only_runs_trained_here_can_be_ranked(runs):
    assert [option["value"] for option in trained_run_options(RunIndex(runs))] == ["trained"]


def test_the_ranking_job_refuses_before_starting_anything(runs):
    jobs = DoubtJobs(runs, busy=lambda: "other-run")
    with pytest.raises(MnistKerasError, match="folds as an integer"):
        jobs.start("trained", 1)
    with pytest.raises(MnistKerasError, match="a run name of"):
        jobs.start("../trained", 2)
    with pytest.raises(MnistKerasError, match="a run trained here"):
        jobs.start("upload", 2)
    with pytest.raises(MnistKerasError, match="no training job running"):
        jobs.start("trained", 2)
    assert jobs.status("trained").state == IDLE and jobs.computing() is None
    assert jobs.review("trained") is None
    jobs.shutdown()


def test_every_control_of_the_panel_has_help():
    page = layout.page("CPU")
    tooltips = {getattr(node, "target", None): node.children for node in walk(page)
                if type(node).__name__ == "Tooltip"}
    for control in (ids.DOUBT_RUN, ids.DOUBT_FOLDS, ids.DOUBT_SHOWN, ids.DOUBT_DECISION):
        assert len(help_texts.SETTINGS[control]) >= 40
        assert tooltips.get(f"label-{control}") == help_texts.SETTINGS[control], control
    assert tooltips.get("heading-doubt") == help_texts.PANELS["doubt"]
