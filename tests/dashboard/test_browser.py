"""The dashboard in real headless Chromium, driven with Dash's own dash_duo fixture.

These tests train on small real MNIST subsets from the UI: each takes a few
seconds, most of it the training child importing TensorFlow.
"""

import json

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard.app import create_app
from dashboard.shared import ids
from tests.conftest import run_folders
from tests.dashboard.browser import (
    choose,
    configure,
    js,
    points,
    set_number,
    start_dashboard,
    until,
    wait_text,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def runs_dir(tmp_path):
    return tmp_path / "runs"


@pytest.fixture
def dashboard(dash_duo, runs_dir):
    app = start_dashboard(dash_duo, runs_dir)
    yield dash_duo
    app.jobs.shutdown()


def test_the_page_renders_its_controls_and_a_recipe_fills_the_form(dashboard):
    from mnist_keras.recipes import RECIPES, recipe_config

    duo = dashboard
    assert duo.driver.title == "mnist-keras"
    wait_text(duo, ids.DEVICE, "TensorFlow", 10)
    assert duo.find_element(f"#{ids.TRAIN_SIZE} input").get_attribute("value") == "5500"
    assert duo.find_element(f"#{ids.TEST_SIZE} input").get_attribute("value") == "1000"
    assert duo.find_element(f"#{ids.BATCH_SIZE}").get_attribute("value") == "128"
    assert duo.find_element(f"#{ids.EPOCHS}").get_attribute("value") == "10"
    wait_text(duo, ids.LEARNING_RATE_LABEL, "0.003", 10)
    duo.wait_for_element(f"#{ids.PREVIEW} img", timeout=10)
    first = [img.get_attribute("src") for img in duo.find_elements(f"#{ids.PREVIEW} img")]
    assert len(first) == 40
    duo.find_element(f"#{ids.RESHUFFLE}").click()
    until(duo, lambda: duo.find_elements(f"#{ids.PREVIEW} img")[0].get_attribute("src")
                 != first[0], timeout=10)
    assert duo.find_element(f"#{ids.CANCEL}").get_attribute("disabled")
    assert duo.get_logs() == [] or all(entry["level"] != "SEVERE" for entry in duo.get_logs())
    # A recipe fills the form, which stays editable.
    duo.select_dcc_dropdown(f"#{ids.RECIPE}", value="fast")
    fast = recipe_config("fast")
    until(duo, lambda: duo.find_element(f"#{ids.EPOCHS}").get_attribute("value")
           == str(fast.epochs), timeout=10)
    assert duo.find_element(f"#{ids.TRAIN_SIZE} input").get_attribute("value") == "60000"
    assert float(duo.find_element(f"#{ids.LABEL_SMOOTHING}").get_attribute("value")) == \
        fast.label_smoothing
    wait_text(duo, ids.RECIPE_HINT, RECIPES.describe("fast"), 10)
    wait_text(duo, ids.LEARNING_RATE_LABEL, f"{fast.learning_rate:.2g}", 10)
    # `fast` does not augment: the quick recipe's augmentation is cleared.
    assert not fast.augment and fast.binarize == 0
    assert not duo.find_element(f"#{ids.AUGMENT} input").is_selected()
    assert float(duo.find_element(f"#{ids.BINARIZE}").get_attribute("value") or 0) == 0
    duo.select_dcc_dropdown(f"#{ids.RECIPE}", value="robust")
    robust = recipe_config("robust")
    assert robust.binarize > 0  # a setting `fast` leaves off
    until(duo, lambda: float(duo.find_element(f"#{ids.BINARIZE}").get_attribute("value") or 0)
           == robust.binarize, timeout=10)
    assert duo.find_element(f"#{ids.AUGMENT} input").is_selected()
    # A hand on a control: the box no longer names the recipe as if it were still it.
    # Regression: it said "fast" after a lesson or a link had set other values.
    wait_text(duo, ids.RECIPE_HINT, RECIPES.describe("robust"), 10)
    set_number(duo, f"#{ids.EPOCHS}", robust.epochs + 1)
    wait_text(duo, ids.RECIPE_HINT, "Custom settings: Epochs differs from the robust recipe.",
              10)
    set_number(duo, f"#{ids.EPOCHS}", robust.epochs)
    wait_text(duo, ids.RECIPE_HINT, RECIPES.describe("robust"), 10)


def test_short_training_streams_points_and_ends_with_results(dashboard, runs_dir):
    duo = dashboard
    configure(duo, model="mlp", epochs=2)
    duo.find_element(f"#{ids.TRAIN}").click()
    wait_text(duo, ids.JOB_MESSAGE, "Started mlp-", 10)
    # While it runs the controls that would change it are disabled.
    until(duo, lambda: duo.find_element(f"#{ids.TRAIN}").get_attribute("disabled"), timeout=10)
    assert duo.find_element(f"#{ids.EPOCHS}").get_attribute("disabled")
    wait_text(duo, ids.PROGRESS_TEXT, "completed", 120)
    # One point per batch record: Keras reports every `steps_per_execution`
    # steps (several for this tiny model) and always the epoch's last step.
    (run,) = run_folders(runs_dir)
    with open(runs_dir / run / "events.jsonl") as events:
        records = [json.loads(line) for line in events]
    batches = [r for r in records if r["type"] == "batch"]
    assert [b["batch"] for b in batches if b["epoch"] == 1][-1] == 29  # 900/32 -> 29 steps
    until(duo, lambda: points(duo, ids.BATCH_GRAPH) == len(batches), timeout=10)
    assert points(duo, ids.EPOCH_GRAPH) == 2 and points(duo, ids.EPOCH_GRAPH, trace=1) == 2
    assert points(duo, ids.EPOCH_TIME_GRAPH) == 2
    assert "epoch 2/2 · batch 29/29" in duo.find_element(f"#{ids.PROGRESS_TEXT}").text
    until(duo, lambda: js(duo, f"""
        const plot = document.querySelector('#{ids.CONFUSION_GRAPH} .js-plotly-plot');
        return plot && plot.data.length && plot.data[0].type === 'heatmap';"""), timeout=20)
    total = js(duo, f"""return document.querySelector('#{ids.CONFUSION_GRAPH} .js-plotly-plot')
        .data[0].z.flat().reduce((a, b) => a + b, 0);""")
    assert total == 1000
    rows = duo.find_elements(f"#{ids.PER_CLASS_TABLE} tbody tr")
    assert len(rows) == 11  # header + 10 classes
    assert "test accuracy" in duo.find_element(f"#{ids.RUN_SUMMARY}").text
    duo.wait_for_element(f"#{ids.MISTAKES} img", timeout=10)
    assert not duo.find_element(f"#{ids.TRAIN}").get_attribute("disabled")
    assert json.loads((runs_dir / run / "status.json").read_text())["status"] == "completed"


def test_a_reopened_tab_follows_the_running_job_and_cancel_keeps_the_run(dashboard,
                                                                           runs_dir):
    duo = dashboard
    configure(duo, model="mlp", epochs=200)
    duo.find_element(f"#{ids.TRAIN}").click()
    until(duo, lambda: points(duo, ids.BATCH_GRAPH) > 40, timeout=60)
    duo.driver.refresh()
    duo.wait_for_element(f"#{ids.TRAIN}", timeout=20)
    # The fresh page picks the running job and loads its whole history so far.
    until(duo, lambda: points(duo, ids.BATCH_GRAPH) > 40, timeout=20)
    assert duo.find_element(f"#{ids.TRAIN}").get_attribute("disabled")
    assert "running" in duo.find_element(f"#{ids.RUN_SELECT}").text
    duo.find_element(f"#{ids.CANCEL}").click()
    # "Cancelling..." at once; on a loaded machine the poll may already have
    # replaced it with "Cancelled ..." by the time it is looked for.
    until(duo, lambda: "Cancel" in duo.find_element(f"#{ids.JOB_MESSAGE}").text, timeout=10)
    wait_text(duo, ids.PROGRESS_TEXT, "cancelled", 60)
    (run,) = run_folders(runs_dir)
    status = json.loads((runs_dir / run / "status.json").read_text())
    assert status["status"] == "cancelled"
    assert (runs_dir / run / "model.keras").exists()
    wait_text(duo, ids.RUN_SUMMARY, "status: cancelled", 20)
    # Regression: "Cancelling..." stayed after the cancel was done.
    wait_text(duo, ids.JOB_MESSAGE, f"Cancelled {run}", 20)


def test_invalid_layer_spec_shows_message_instead_of_training(dashboard, runs_dir):
    duo = dashboard
    width = js(duo, "return document.getElementById('section-train').offsetWidth;")
    choose(duo, ids.MODEL, "custom (layer builder)")
    duo.wait_for_element(f"#{ids.LAYER_TABLE}", timeout=10)
    wait_text(duo, ids.SPEC_MESSAGE, "Valid: 4 layers", 10)
    # Regression: the layer table widened the settings panel to half the page.
    assert js(duo, "return document.getElementById('section-train').offsetWidth;") == width
    # Put a 40x40 kernel in the first Conv2D: larger than the image.
    cell = duo.find_element(f"#{ids.LAYER_TABLE} td[data-dash-column='kernel_size']")
    cell.click()
    duo.driver.switch_to.active_element.send_keys("40", Keys.ENTER)
    wait_text(duo, ids.SPEC_MESSAGE, "layer 1 (Conv2D) kernel_size", 10)
    train = duo.find_element(f"#{ids.TRAIN}")
    # The table's cell editor may still cover the button: click it directly.
    duo.driver.execute_script("arguments[0].click()", train)
    wait_text(duo, ids.JOB_MESSAGE, "Not started: Needs layer 1 (Conv2D) kernel_size", 10)
    assert not runs_dir.exists() or run_folders(runs_dir) == []


def test_finished_runs_are_listed_after_a_restart(dash_duo, runs_dir, synthetic_data_dir):
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train

    train(TrainingConfig(model="mlp", data_dir=synthetic_data_dir, train_size=1_200,
                         test_size=1_000, epochs=1), run_dir=runs_dir / "earlier")
    app = create_app(runs_dir)
    dash_duo.start_server(app)
    wait_text(dash_duo, ids.RUN_SELECT, "earlier · mlp · completed", 20)
    until(dash_duo, lambda: points(dash_duo, ids.EPOCH_GRAPH) == 1, timeout=20)
    wait_text(dash_duo, ids.RUN_SUMMARY, "test accuracy", 20)
