"""A runs folder that takes nothing (read-only, or a full disk): every job and
upload is refused in one line, and no empty or half-written run is left."""

import base64
import os

import pytest

from dashboard.panels.runs import actions as run_actions
from dashboard.shared import ids
from dashboard.shared.jobs import JobManager
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.pretrained import pretrained_path
from tests import disks
from tests.conftest import run_folders
from tests.dashboard.browser import start_dashboard, stop_dashboard, wait_text

REFUSAL = "cannot take a new run"
CONFIG = TrainingConfig(model="mlp", train_size=1_000, test_size=1_000, epochs=1,
                        validation_split=0.1)


def _upload(path, name):
    with open(path, "rb") as file:
        data = base64.b64encode(file.read()).decode()
    return f"data:application/octet-stream;base64,{data}", name


@pytest.fixture(params=["read-only", "full"])
def refusing(request, tmp_path):
    """A runs folder that refuses writes, with one run in it already."""
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    make = disks.read_only if request.param == "read-only" else disks.full
    if request.param == "read-only":
        (runs_dir / "kept").mkdir()
        (runs_dir / "kept" / "status.json").write_text('{"status": "completed"}')
    with make(runs_dir):
        before = run_folders(runs_dir)
        yield runs_dir, before


def test_jobs_and_uploads_into_a_folder_that_takes_nothing_are_refused(refusing):
    # Regression: Train answered HTTP 500 and a full disk left an empty run folder.
    runs_dir, before = refusing
    jobs = JobManager(runs_dir)
    try:
        for start in (lambda: jobs.start(CONFIG),
                      lambda: jobs.start_personalize(pretrained_path(), runs_dir),
                      lambda: jobs.start_sweep("s", CONFIG, {"dropout": {"low": 0.1,
                                                                         "high": 0.3}}, 2)):
            with pytest.raises(MnistKerasError, match=REFUSAL) as refused:
                start()
            assert str(runs_dir) in str(refused.value)
            assert jobs.running() is None
        with pytest.raises(MnistKerasError, match="cannot be written|can be written to"):
            run_actions.import_uploaded_model(str(runs_dir),
                                              *_upload(pretrained_path(), "mine.keras"))
        assert run_folders(runs_dir) == before
    finally:
        jobs.shutdown()


def test_an_upload_with_a_300_character_name_is_added(tmp_path):
    # Regression: the name was longer than a file system takes (HTTP 500).
    name = "my-model-" + "x" * 291 + ".keras"
    added = run_actions.import_uploaded_model(str(tmp_path), *_upload(pretrained_path(), name))
    assert added.startswith("uploaded-my-model-xxx") and len(added) < 100
    config = (tmp_path / added / "config.json").read_text()
    assert "x" * 90 in config and os.path.isfile(tmp_path / added / "model.keras")


@pytest.mark.browser
def test_train_into_a_read_only_runs_folder_says_why_on_the_page(dash_duo, tmp_path):
    runs_dir = tmp_path / "runs"
    app = start_dashboard(dash_duo, runs_dir)
    try:
        # Refused before anything trains: the form's own settings will do.
        with disks.read_only(runs_dir):
            dash_duo.find_element(f"#{ids.TRAIN}").click()
            wait_text(dash_duo, ids.JOB_MESSAGE, f"Not started: The runs folder {runs_dir} "
                                                 f"{REFUSAL}", 15)
            # The page's own answer, not the notice for a callback that failed.
            assert not dash_duo.find_element(f"#{ids.CALLBACK_ERROR}").is_displayed()
            assert run_folders(runs_dir) == []
    finally:
        stop_dashboard(dash_duo, app)
