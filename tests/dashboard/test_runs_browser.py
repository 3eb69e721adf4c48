"""Managing, pruning and comparing runs from the dashboard, in headless Chromium."""

import os
import re

import keras
import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.expected_conditions import alert_is_present
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.shared import ids
from tests.dashboard.browser import (
    copy_runs,
    low_contrast,
    set_number,
    start_dashboard,
    until,
    use_theme,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiny_mlp_run(tmp_path_factory):
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train

    run_dir = tmp_path_factory.mktemp("mlp") / "tiny-mlp"
    train(TrainingConfig(model="mlp", train_size=2_000, test_size=1_000, epochs=1,
                         batch_size=64), run_dir=run_dir)
    return run_dir


@pytest.fixture
def page(dash_duo, tmp_path, small_cnn_run, tiny_mlp_run):
    runs_dir = copy_runs(tmp_path / "runs", **{"small-cnn": small_cnn_run,
                                               "tiny-mlp": tiny_mlp_run})
    os.utime(runs_dir / "tiny-mlp" / "config.json")  # the newer of the two
    app = start_dashboard(dash_duo, runs_dir)
    until(dash_duo, lambda: len(_rows(dash_duo)) == 2, timeout=20)
    yield dash_duo, runs_dir
    app.jobs.shutdown()


def _rows(duo):
    return [row.text for row in duo.find_elements(f"#{ids.RUNS_TABLE} tbody tr")
            if row.find_elements("css selector", "td")]


def _tick(duo, index):
    boxes = duo.find_elements(f"#{ids.RUNS_TABLE} tbody input[type='checkbox']")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", boxes[index])
    boxes[index].click()


def _progress(duo):
    return duo.find_element(f"#{ids.PROGRESS_TEXT}").text


def _message(duo):
    return duo.find_element(f"#{ids.RUNS_MESSAGE}").text


def test_compare_two_runs(page):
    duo, _ = page
    assert "small-cnn" in _rows(duo)[0] and "tiny-mlp" in _rows(duo)[1]
    # The one-run actions are greyed out, saying why, until exactly one run is ticked.
    actions = [f"#{ids.RENAME}", f"#{ids.DELETE}", f"#{ids.REPORT}", f"#{ids.EXPORT_SITE}"]
    until(duo, lambda: all(not duo.find_element(a).is_enabled() for a in actions), timeout=10)
    assert duo.find_element(f"#{ids.DELETE}").get_attribute("title") == \
        "Tick a run in the table first"
    _tick(duo, 0)
    until(duo, lambda: all(duo.find_element(a).is_enabled() for a in actions), timeout=10)
    _tick(duo, 0)
    _tick(duo, 0)
    _tick(duo, 1)
    until(duo, lambda: duo.driver.execute_script(f"""
        const p = document.querySelector('#{ids.COMPARE_CURVES} .js-plotly-plot');
        return p && p.data.length >= 4;"""), timeout=20)
    names = duo.driver.execute_script(f"""return document.querySelector(
        '#{ids.COMPARE_CURVES} .js-plotly-plot').data.map(t => t.name);""")
    assert any(n.startswith("small-cnn") for n in names)
    assert any(n.startswith("tiny-mlp") for n in names)
    table = duo.find_element(f"#{ids.COMPARE_TABLE}").text
    assert "test_accuracy" in table and "model" in table
    # Rows whose values differ are highlighted: the model differs, the dataset does not.
    highlighted = duo.driver.execute_script(f"""return [...document.querySelectorAll(
        '#{ids.COMPARE_TABLE} tbody tr')].filter(r => r.querySelector('td') &&
        getComputedStyle(r.querySelector('td')).backgroundColor === 'rgb(254, 243, 199)')
        .map(r => r.querySelector('td').innerText);""")
    assert "model" in highlighted and "test_accuracy" in highlighted
    assert "dataset" not in highlighted
    until(duo, lambda: len(duo.find_elements(
        f"#{ids.COMPARE_MATRICES} .js-plotly-plot")) == 2, timeout=20)
    # Every text of the Runs panel (the table, the highlighted rows, buttons, hints)
    # is readable in both themes: at least 4.5:1. Regression: the differing rows were
    # light text on cream in the dark theme, the outlined buttons grey on black, the
    # filter row's hint and case toggles dark grey (and faded) on dark.
    until(duo, lambda: duo.find_elements(".confused-pairs .btn"), timeout=20)
    for theme in ("light", "dark"):
        use_theme(duo, theme)
        assert low_contrast(duo, f"#{ids.COMPARE_TABLE} td, #{ids.COMPARE_TABLE} th, "
                                 ".confused-pairs .btn, #section-runs .btn, #section-runs .hint, "
                                 f"#{ids.RUNS_TABLE} td, #{ids.RUNS_TABLE} th.dash-filter input"
                                 ) == [], theme
    use_theme(duo, "light")
    until(duo, lambda: len(duo.find_elements(
        f"#{ids.COMPARE_DIGITS} .test-section")) == 2, timeout=20)
    assert len(duo.find_elements(f"#{ids.COMPARE_DIGITS} .tile")) == 40
    # The two ticked runs as an ensemble: each alone, then together, on 10,000 test digits.
    button = duo.find_element(f"#{ids.ENSEMBLE_START}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()
    until(duo, lambda: len(duo.find_elements(f"#{ids.ENSEMBLE_RESULT} tbody tr")) == 3,
           timeout=60)
    rows = [row.text for row in duo.find_elements(f"#{ids.ENSEMBLE_RESULT} tbody tr")]
    assert rows[0].startswith("small-cnn") and rows[2].startswith("ensemble of 2")
    assert "%" in rows[2] and "10,000 test images" in duo.find_element(
        f"#{ids.ENSEMBLE_RESULT}").text


def test_delete_asks_for_confirmation(page):
    duo, runs_dir = page
    _tick(duo, 1)
    duo.find_element(f"#{ids.DELETE}").click()
    alert = WebDriverWait(duo.driver, 10).until(alert_is_present())
    assert "Delete run tiny-mlp" in alert.text
    alert.dismiss()
    assert (runs_dir / "tiny-mlp").is_dir()
    duo.find_element(f"#{ids.DELETE}").click()
    WebDriverWait(duo.driver, 10).until(alert_is_present()).accept()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Deleted tiny-mlp", timeout=10)
    assert not (runs_dir / "tiny-mlp").exists()
    until(duo, lambda: len(_rows(duo)) == 1, timeout=10)


def test_upload_a_valid_and_an_invalid_model(page, tmp_path, small_cnn_run):
    duo, runs_dir = page
    upload = duo.find_element(f"#{ids.UPLOAD} input[type='file']")
    upload.send_keys(str(small_cnn_run / "model.keras"))
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Added model.keras as run uploaded-",
                               timeout=30)
    until(duo, lambda: len(_rows(duo)) == 3, timeout=10)
    assert "uploaded" in _rows(duo)[2] and re.search(r"\b\d+\.\d\d\b", _rows(duo)[2])
    not_a_model = tmp_path / "notes.keras"
    not_a_model.write_text("not a zip archive")
    duo.find_element(f"#{ids.UPLOAD} input[type='file']").send_keys(str(not_a_model))
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Not added: Needs a .keras file (a zip "
                               "archive written by Keras 3); got model='notes.keras'.",
                               timeout=30)
    inputs = keras.Input((32, 32, 3))
    wrong = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    wrong.save(tmp_path / "wrong.keras")
    duo.find_element(f"#{ids.UPLOAD} input[type='file']").send_keys(str(tmp_path / "wrong.keras"))
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Not added: Needs a model from "
                               "28x28x1 images to 10 classes", timeout=30)
    # Scores without a softmax: it loads, but its answers are not confidences.
    inputs = keras.Input((28, 28, 1))
    keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs))).save(
        tmp_path / "scores.keras")
    duo.find_element(f"#{ids.UPLOAD} input[type='file']").send_keys(str(tmp_path / "scores.keras"))
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Not added: Needs a model whose "
                               "outputs are probabilities (a softmax at its end", timeout=30)
    assert len([n for n in os.listdir(runs_dir) if n.startswith("uploaded-")]) == 1


def test_prune_a_run_from_the_ui(page):
    duo, runs_dir = page
    _tick(duo, 0)
    duo.wait_for_contains_text(f"#{ids.PRUNE_COUNT}", "parameters non-zero", timeout=20)
    assert duo.find_element(f"#{ids.PRUNE_COUNT}").text.startswith("80%: ")
    set_number(duo, f"#{ids.PRUNE_EPOCHS}", 1)
    duo.find_element(f"#{ids.PRUNE_START}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Started small-cnn-pruned80-",
                               timeout=10)
    until(duo, lambda: len(_rows(duo)) == 3 and "completed" in _rows(duo)[2], timeout=180)
    row = _rows(duo)[2]
    assert row.startswith("small-cnn-pruned80-") and row.endswith("small-cnn")
    name = row.split()[0]
    from mnist_keras.pruning import sparsity_report
    from mnist_keras.runs import load_model

    report = sparsity_report(load_model(runs_dir / name / "model.keras"))
    assert report["sparsity"] == pytest.approx(0.8, abs=1e-4)


def test_rename_refuses_a_bad_name_and_renames(page):
    duo, runs_dir = page
    _tick(duo, 1)
    duo.find_element(f"#{ids.RENAME_TO}").send_keys("../escape")
    duo.find_element(f"#{ids.RENAME}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Needs a new name", timeout=10)
    # The refused attempt kept the tick and the run.
    assert (runs_dir / "tiny-mlp").is_dir()
    field = duo.find_element(f"#{ids.RENAME_TO}")
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys("mlp-baseline")
    duo.find_element(f"#{ids.RENAME}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Renamed tiny-mlp to mlp-baseline",
                               timeout=10)
    assert (runs_dir / "mlp-baseline" / "model.keras").is_file()


def test_tags_and_a_note_filter_the_table_and_every_run_downloads_as_csv(page, tmp_path):
    import csv

    duo, runs_dir = page
    assert not duo.find_element(f"#{ids.SAVE_NOTES}").is_enabled()
    _tick(duo, 1)
    until(duo, lambda: duo.find_element(f"#{ids.SAVE_NOTES}").is_enabled(), timeout=10)
    duo.find_element(f"#{ids.RUN_TAGS}").send_keys("baseline, dense")
    duo.find_element(f"#{ids.RUN_NOTE}").send_keys("no convolutions at all")
    duo.find_element(f"#{ids.SAVE_NOTES}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Saved tiny-mlp: baseline, dense; "
                               "with a note.", timeout=10)
    until(duo, lambda: "baseline, dense" in _rows(duo)[1], timeout=10)
    assert (runs_dir / "tiny-mlp" / "notes.json").is_file()
    # Ticking the other run shows its own (empty) tags; ticking back shows these.
    _tick(duo, 1)
    _tick(duo, 0)
    until(duo, lambda: duo.find_element(f"#{ids.RUN_TAGS}").get_attribute("value") == "",
          timeout=10)
    _tick(duo, 0)
    _tick(duo, 1)
    until(duo, lambda: duo.find_element(f"#{ids.RUN_TAGS}").get_attribute("value")
          == "baseline, dense", timeout=10)
    # Filtering: by a tag (any case), then by accuracy (a number: "> 100" keeps none).
    tags_filter = duo.find_element(f"#{ids.RUNS_TABLE} th.dash-filter[data-dash-column='tags'] "
                                   "input")
    tags_filter.send_keys("DENSE", Keys.ENTER)
    until(duo, lambda: len(_rows(duo)) == 1 and "tiny-mlp" in _rows(duo)[0], timeout=10)
    tags_filter.send_keys(Keys.CONTROL, "a")
    tags_filter.send_keys(Keys.DELETE, Keys.ENTER)
    until(duo, lambda: len(_rows(duo)) == 2, timeout=10)
    accuracy_filter = duo.find_element(
        f"#{ids.RUNS_TABLE} th.dash-filter[data-dash-column='accuracy'] input")
    accuracy_filter.send_keys("> 100", Keys.ENTER)
    until(duo, lambda: len(_rows(duo)) == 0, timeout=10)
    accuracy_filter.send_keys(Keys.CONTROL, "a")
    accuracy_filter.send_keys("> 1", Keys.ENTER)
    until(duo, lambda: len(_rows(duo)) == 2, timeout=10)
    # Every run as CSV, tags and note included.
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    duo.find_element(f"#{ids.RUNS_CSV}").click()
    until(duo, lambda: (downloads / "runs.csv").is_file(), timeout=10)
    with open(downloads / "runs.csv", newline="", encoding="utf-8") as file:
        rows = {row["name"]: row for row in csv.DictReader(file)}
    assert set(rows) == {"small-cnn", "tiny-mlp"}
    assert rows["tiny-mlp"]["tags"] == "baseline; dense"
    assert rows["tiny-mlp"]["note"] == "no convolutions at all"
    assert rows["small-cnn"]["model"] == "simple" and rows["tiny-mlp"]["model"] == "mlp"


def test_export_a_run_to_a_tfjs_site_from_the_ui_and_open_it(page):
    duo, runs_dir = page
    _tick(duo, 0)
    # A busy indicator while it runs. A fast export shows it for less than a
    # polling interval, so the page itself records every text it shows.
    duo.driver.execute_script(f"""
        const busy = document.getElementById('{ids.EXPORT_BUSY}');
        window.busyTexts = [];
        new MutationObserver(() => window.busyTexts.push(busy.textContent))
            .observe(busy, {{childList: true, characterData: true, subtree: true}});""")
    duo.find_element(f"#{ids.EXPORT_SITE}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Exported small-cnn to", timeout=120)
    shown = duo.driver.execute_script("return window.busyTexts")
    assert any(text.startswith("Exporting") for text in shown), shown
    until(duo, lambda: duo.find_element(f"#{ids.EXPORT_BUSY}").text == "", timeout=10)
    message = _message(duo)
    assert "float32 weights" in message and "python3 -m http.server -d" in message
    site = runs_dir / "small-cnn" / "site"
    assert (site / "index.html").is_file() and (site / "model.json").is_file()
    # The link opens the page, served by the dashboard itself: it loads and predicts.
    link = duo.find_element("#exported-page-link")
    assert link.get_attribute("href").endswith("/exported/small-cnn/index.html")
    duo.driver.get(link.get_attribute("href"))
    WebDriverWait(duo.driver, 60).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "true")
    from tests.web_export.test_page_browser import _draw_one

    _draw_one(duo.driver)
    WebDriverWait(duo.driver, 30).until(lambda d: d.find_element("id", "digit").text != "–")
    assert duo.find_element("#digit").text == "1"


def test_export_a_run_as_an_onnx_page_from_the_ui(page):
    duo, runs_dir = page
    _tick(duo, 0)
    duo.select_dcc_dropdown(f"#{ids.EXPORT_QUANTIZE}", value="ONNX page (onnxruntime-web)")
    duo.find_element(f"#{ids.EXPORT_SITE}").click()
    duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Exported small-cnn to", timeout=120)
    message = _message(duo)
    assert "model.onnx" in message and "on 10,000 test digits" in message
    folder = runs_dir / "small-cnn" / "exports" / "onnx-page"
    assert {"README.md", "export-info.json", "model.onnx", "index.html"} <= set(
        os.listdir(folder))
    assert "onnxruntime" in duo.find_element("#export-use-with").text
    # Its page, served by the dashboard, runs on onnxruntime-web and reads a drawing.
    link = duo.find_element("#exported-page-link")
    assert link.get_attribute("href").endswith(
        "/exported/small-cnn/exports/onnx-page/index.html")
    duo.driver.get(link.get_attribute("href") + "?backend=wasm")
    WebDriverWait(duo.driver, 60).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "true")
    assert duo.find_element("#status").text == "Running on WASM · onnxruntime-web"
    from tests.web_export.test_page_browser import _draw_one

    _draw_one(duo.driver)
    WebDriverWait(duo.driver, 30).until(lambda d: d.find_element("id", "digit").text != "–")
    assert duo.find_element("#digit").text == "1"


def test_resume_continues_a_cancelled_run_from_its_last_epoch(dash_duo, tmp_path,
                                                              synthetic_data_dir):
    import json

    from mnist_keras.callbacks import StopSignal
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train
    from tests.conftest import RequestStopAfterEpoch
    from tests.dashboard.browser import stop_dashboard

    runs_dir = tmp_path / "runs"
    stop = StopSignal()
    first = train(TrainingConfig(model="mlp", data_dir=synthetic_data_dir, train_size=600,
                                 test_size=200, epochs=3, batch_size=64, tensorboard=False),
                  run_dir=runs_dir / "stopped", callbacks=[RequestStopAfterEpoch(stop), stop])
    assert first.status == "cancelled"
    app = start_dashboard(dash_duo, runs_dir)
    try:
        until(dash_duo, lambda: len(_rows(dash_duo)) == 1, timeout=20)
        # The progress panel shows the run as it ended, and (below) follows its resumption.
        until(dash_duo, lambda: "cancelled" in _progress(dash_duo), timeout=20)
        assert not dash_duo.find_element(f"#{ids.RESUME}").is_enabled()
        _tick(dash_duo, 0)
        until(dash_duo, lambda: dash_duo.find_element(f"#{ids.RESUME}").is_enabled(),
              timeout=10)
        dash_duo.find_element(f"#{ids.RESUME}").click()
        dash_duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}",
                                        "Resumed stopped from its last finished epoch.",
                                        timeout=20)
        # The resumed job trains to the end: three epochs in one history, and the
        # table says so.
        until(dash_duo, lambda: "completed" in _rows(dash_duo)[0], timeout=180)
        history = json.loads((runs_dir / "stopped" / "history.json").read_text())
        assert [epoch["epoch"] for epoch in history["epochs"]] == [1, 2, 3]
        assert not (runs_dir / "stopped" / "resume").exists()
        until(dash_duo, lambda: "epoch 3/3" in _progress(dash_duo)
              and "completed" in _progress(dash_duo), timeout=30)
        # Resuming it again is refused, in one line: it has nothing left to train.
        _tick(dash_duo, 0)
        _tick(dash_duo, 0)
        dash_duo.find_element(f"#{ids.RESUME}").click()
        dash_duo.wait_for_contains_text(f"#{ids.RUNS_MESSAGE}", "Not resumed:", timeout=20)
    finally:
        stop_dashboard(dash_duo, app)
