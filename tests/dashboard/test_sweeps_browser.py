"""The Sweeps panel in headless Chromium: a sweep from elsewhere shows up, one starts here.

One test, because a sweep started from the page is the expensive part (its
worker process loads TensorFlow): it checks the panel end to end on two
tiny trials (the default CNN's space on 1,000 MNIST images, an MLP, one epoch).
"""

import csv
import os

import optuna
import pytest
from selenium.webdriver.common.keys import Keys

from dashboard.shared import ids
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import list_runs
from mnist_keras.sweeps import run_sweep, storage_url
from tests.dashboard.browser import (
    choose,
    configure,
    figure_text_problems,
    js,
    set_number,
    start_dashboard,
    until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(dash_duo, tmp_path, synthetic_data_dir):
    runs_dir = tmp_path / "runs"
    # A sweep run before the dashboard opened, as from another terminal.
    run_sweep("from-terminal", 2, runs_dir=runs_dir, config=TrainingConfig(
        model="mlp", data_dir=synthetic_data_dir, train_size=1_200, test_size=1_000,
        validation_split=0.1, epochs=1), space={"dropout": {"low": 0.1, "high": 0.5}})
    app = start_dashboard(dash_duo, runs_dir)
    dash_duo.wait_for_element(f"#{ids.SWEEP_START}", timeout=20)
    yield dash_duo, app, runs_dir
    app.jobs.shutdown()


def _table_rows(duo):
    return [row for row in duo.find_elements(f"#{ids.SWEEP_TABLE} tbody tr")
            if row.find_elements("css selector", "td")]


def _figure(duo, graph_id):
    return js(duo, f"""
        const plot = document.querySelector('#{graph_id} .js-plotly-plot');
        if (!plot || !plot.data) return null;
        // A figure with nothing to plot still says why (an annotation).
        if (!plot.data.length && !(plot.layout.annotations || []).length) return null;
        return {{types: plot.data.map(t => t.type), modes: plot.data.map(t => t.mode),
                 data: plot.data.map(t => ({{x: t.x ? Array.from(t.x) : null,
                                              y: t.y ? Array.from(t.y) : null}})),
                 axis: (plot.layout.xaxis || {{}}).ticktext || null,
                 annotation: (plot.layout.annotations || []).map(a => a.text).join(' ')}};""")


def test_sweeps_panel_shows_studies_starts_a_sweep_and_opens_its_trials(page):
    duo, app, runs_dir = page
    # The study swept from elsewhere is listed and shown, trial by trial.
    until(duo, lambda: len(_table_rows(duo)) == 2, timeout=20)
    assert "from-terminal: 2 of 2 finished" in duo.find_element(f"#{ids.SWEEP_PROGRESS}").text
    # A sweep from the panel, on the Train panel's settings: MLP, 1,000 images, 1 epoch.
    configure(duo, model="mlp", epochs=1, train_size=1000)
    until(duo, lambda: "Valid: the sweep varies learning_rate, batch_size" in
           duo.find_element(f"#{ids.SWEEP_SPACE_MESSAGE}").text, timeout=10)
    name = duo.find_element(f"#{ids.SWEEP_NAME}")
    name.send_keys(Keys.CONTROL, "a")
    name.send_keys("from-panel")
    set_number(duo, f"#{ids.SWEEP_TRIALS}", 2)
    duo.find_element(f"#{ids.SWEEP_START}").click()
    duo.wait_for_contains_text(f"#{ids.SWEEP_MESSAGE}", "Started sweep from-panel: 2 trials",
                               timeout=20)
    # One job at a time: no training starts while the sweep's worker lives.
    with pytest.raises(MnistKerasError, match="one job at a time.*sweep from-panel"):
        app.jobs.start(TrainingConfig(model="mlp", train_size=1000, test_size=1000, epochs=1))
    until(duo, lambda: duo.find_element(f"#{ids.SWEEP_STOP}").is_enabled(), timeout=10)
    # Trials arrive as they run, with no reload, until the study is done.
    until(duo, lambda: any("from-panel-trial-0" in row.text for row in _table_rows(duo)),
           timeout=90)
    duo.wait_for_contains_text(f"#{ids.SWEEP_PROGRESS}", "from-panel: 2 of 2 finished",
                               timeout=150)
    # The start message gives way to the end (it stayed "Started ..." after the sweep).
    duo.wait_for_contains_text(f"#{ids.SWEEP_MESSAGE}", "has ended; its trials are in the "
                                                        "table below.", timeout=30)
    study = optuna.load_study(study_name="from-panel", storage=storage_url(None, runs_dir))
    trials = study.trials
    assert [t.state for t in trials] == [optuna.trial.TrialState.COMPLETE] * 2
    # Optuna 5 draws parallel coordinates as one line per completed trial.
    until(duo, lambda: (_figure(duo, ids.SWEEP_PARALLEL) or {}).get("modes", []).count(
        "lines") == 2, timeout=20)
    parallel = _figure(duo, ids.SWEEP_PARALLEL)
    assert parallel["axis"][0] == "val_accuracy" and "learning_rate" in parallel["axis"]
    # The three figures come in separate answers: wait for each.
    until(duo, lambda: _figure(duo, ids.SWEEP_HISTORY) is not None
           and _figure(duo, ids.SWEEP_IMPORTANCE) is not None, timeout=20)
    history = _figure(duo, ids.SWEEP_HISTORY)
    assert history["data"][0]["y"] == pytest.approx([t.value for t in trials])
    importance = _figure(duo, ids.SWEEP_IMPORTANCE)
    if len({t.value for t in trials}) > 1:
        # The bars rank the settings the trials searched (the default space of
        # the page's recipe, augmentation strengths included when it augments).
        searched = set().union(*(trial.params for trial in trials))
        assert {"learning_rate", "batch_size"} <= searched
        assert importance["types"] == ["bar"] and set(importance["data"][0]["y"]) <= searched
    else:
        assert "scored the same" in importance["annotation"]
    # Every trial row shows its settings, metrics and run.
    rows = _table_rows(duo)
    assert len(rows) == 2 and "complete" in rows[0].text
    first_run = trials[0].user_attrs["run"]
    assert first_run in rows[0].text
    # Ticking a trial opens its run in the results, compare and drawing views.
    box = duo.find_elements(f"#{ids.SWEEP_TABLE} tbody input[type='checkbox']")[0]
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    duo.wait_for_contains_text(f"#{ids.SWEEP_OPEN_MESSAGE}", f"Opened {first_run}", timeout=10)
    duo.wait_for_contains_text(f"#{ids.RUN_SELECT}", first_run, timeout=10)
    duo.wait_for_contains_text(f"#{ids.RUN_SUMMARY}", "trial 0 of sweep from-panel: complete",
                               timeout=10)
    assert "best epoch 1: val_accuracy" in duo.find_element(f"#{ids.RUN_SUMMARY}").text
    until(duo, lambda: first_run in duo.find_element(f"#{ids.PREDICT_RUNS}").text, timeout=10)
    ticked = js(duo, f"""return Array.from(document.querySelectorAll(
        '#{ids.RUNS_TABLE} tbody tr')).filter(r => r.querySelector('input:checked'))
        .map(r => r.innerText);""")
    assert len(ticked) == 1 and first_run in ticked[0]
    # The table exports as CSV, one line per trial, its settings included.
    duo.find_element(f"#{ids.SWEEP_CSV}").click()
    path = os.path.join(duo.download_path, "from-panel-trials.csv")
    until(duo, lambda: os.path.isfile(path) and os.path.getsize(path) > 0, timeout=20)
    with open(path, newline="") as file:
        exported = list(csv.DictReader(file))
    assert [row["run"] for row in exported] == [t.user_attrs["run"] for t in trials]
    assert float(exported[0]["learning_rate"]) == trials[0].params["learning_rate"]
    assert len(list_runs(runs_dir)) == 4  # 2 from the terminal, 2 from the panel
    # The storage choice lists this runs folder's file.
    choose(duo, ids.SWEEP_STUDY, "from-terminal")
    duo.wait_for_contains_text(f"#{ids.SWEEP_PROGRESS}", "from-terminal: 2 of 2 finished",
                               timeout=10)


def _recorded_study(runs_dir, trials=12):
    """A study of the default space's eight settings, recorded without training."""
    distributions = {
        "learning_rate": optuna.distributions.FloatDistribution(1e-4, 1e-2, log=True),
        "batch_size": optuna.distributions.CategoricalDistribution([32, 64, 128, 256]),
        "dropout": optuna.distributions.FloatDistribution(0.0, 0.5),
        "label_smoothing": optuna.distributions.FloatDistribution(0.0, 0.2),
        "optimizer": optuna.distributions.CategoricalDistribution(["adam", "sgd", "rmsprop"]),
        "rotation": optuna.distributions.FloatDistribution(0.0, 15.0),
        "shear": optuna.distributions.FloatDistribution(0.0, 0.4),
        "elastic": optuna.distributions.FloatDistribution(0.0, 2.0)}
    runs_dir.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(study_name="recorded", direction="maximize",
                                storage=storage_url(None, runs_dir))
    for number in range(trials):
        # Spread over each range, so every axis gets its longest numbers (1.2e-4, 0.0202).
        share = (number * 7 % trials) / (trials - 1)
        params = {name: (spec.choices[number % len(spec.choices)]
                         if hasattr(spec, "choices") else
                         spec.low * (spec.high / spec.low) ** share if spec.log else
                         spec.low + (spec.high - spec.low) * share)
                  for name, spec in distributions.items()}
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=distributions, value=0.95 + 0.004 * number))


@pytest.mark.parametrize("width", [1400, 400])
def test_sweep_figures_keep_every_label_readable(dash_duo, tmp_path, width):
    # Regression: labels ran over each other (parallel-coordinate numbers, the
    # importance axis title over the setting names) and titles were cut on phones.
    runs_dir = tmp_path / "runs"
    _recorded_study(runs_dir)
    app = start_dashboard(dash_duo, runs_dir, width=width)
    try:
        for graph in (ids.SWEEP_PARALLEL, ids.SWEEP_IMPORTANCE, ids.SWEEP_HISTORY):
            until(dash_duo, lambda graph=graph: (_figure(dash_duo, graph) or {}).get("types"),
                  timeout=30)
        for graph in (ids.SWEEP_PARALLEL, ids.SWEEP_IMPORTANCE, ids.SWEEP_HISTORY):
            assert figure_text_problems(dash_duo, graph) == [], graph
        parallel = _figure(dash_duo, ids.SWEEP_PARALLEL)
        assert parallel["modes"].count("lines") == 12
        # On a phone the figure keeps its room and scrolls sideways inside the
        # panel; the page itself never gets wider than the screen.
        assert js(dash_duo, "return document.documentElement.scrollWidth") <= max(width, 500)
    finally:
        app.jobs.shutdown()
