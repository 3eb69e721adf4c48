"""Doubtful labels in headless Chromium: rank a run, decide, train again without the excluded."""

import json
import os

import pytest

from dashboard.shared import ids
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets.label_review import REVIEW_FILE, read_label_review
from mnist_keras.runs import Run
from tests.conftest import run_folders
from tests.dashboard.browser import set_number, start_dashboard, stop_dashboard, until, wait_text

pytestmark = pytest.mark.browser


@pytest.fixture
def runs_dir(tmp_path, synthetic_data_dir):
    from mnist_keras.training import train

    train(TrainingConfig(model="mlp", dataset="idx", data_dir=synthetic_data_dir,
                         train_size=100, test_size=100, epochs=1, batch_size=32,
                         augment=False), run_dir=tmp_path / "runs" / "first")
    return tmp_path / "runs"


def test_rank_decide_and_train_again(dash_duo, runs_dir):
    duo = dash_duo
    app = start_dashboard(duo, runs_dir)
    try:
        panel = duo.find_element("#section-doubt")
        duo.driver.execute_script("arguments[0].scrollIntoView();", panel)
        wait_text(duo, ids.DOUBT_SUMMARY, "Choose a finished run", timeout=10)
        duo.select_dcc_dropdown(f"#{ids.DOUBT_RUN}", index=0)
        wait_text(duo, ids.DOUBT_STATUS, "Not ranked yet", timeout=10)
        set_number(duo, f"#{ids.DOUBT_FOLDS}", 2)
        set_number(duo, f"#{ids.DOUBT_SHOWN}", 6)
        duo.find_element(f"#{ids.DOUBT_START}").click()
        wait_text(duo, ids.DOUBT_MESSAGE, "in the background", timeout=10)
        # The page stays responsive while the child ranks: the progress shows.
        until(duo, lambda: "Fold" in duo.find_element(f"#{ids.DOUBT_STATUS}").text
              or "flagged" in duo.find_element(f"#{ids.DOUBT_STATUS}").text, timeout=60)
        wait_text(duo, ids.DOUBT_STATUS, "flagged as likely label errors", timeout=90)
        until(duo, lambda: len(duo.find_elements(".doubt-tile")) == 6, timeout=20)
        assert "undecided of the 100 most doubtful" in duo.find_element(
            f"#{ids.DOUBT_SUMMARY}").text

        first = duo.find_elements(".doubt-tile")[0]
        duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", first)
        first.find_element("css selector", "input[value='exclude']").click()
        wait_text(duo, ids.DOUBT_SUMMARY, "1 excluded", timeout=10)
        until(duo, lambda: "exclude" in duo.find_elements(".doubt-tile")[0]
              .get_attribute("class"), timeout=10)
        review = read_label_review(runs_dir / "first" / REVIEW_FILE)
        assert review.counts()["exclude"] == 1 and review.images[0].decision == "exclude"

        duo.find_element(f"#{ids.DOUBT_RETRAIN}").click()
        wait_text(duo, ids.DOUBT_MESSAGE, "without the excluded images", timeout=20)
        new = next(name for name in run_folders(runs_dir) if name != "first")
        until(duo, lambda: Run(runs_dir / new).status.value == "completed", timeout=90)
        config = Run(runs_dir / new).config().training
        assert config.parent_run == "first"
        assert config.label_review == os.path.abspath(runs_dir / "first" / REVIEW_FILE)
        with open(runs_dir / new / "config.json", encoding="utf-8") as file:
            assert json.load(file)["label_review"].endswith(REVIEW_FILE)
        # The Runs panel lists it with its parent, ready to compare.
        until(duo, lambda: any(new in row.text and "first" in row.text for row in
                               duo.find_elements(f"#{ids.RUNS_TABLE} tbody tr")), timeout=20)
    finally:
        app.doubt_jobs.shutdown()
        stop_dashboard(duo, app)
