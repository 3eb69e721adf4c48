"""The Sweeps panel's pure parts: the space table, the storages it may read, rows, figures, jobs."""

import os

import optuna
import pytest

from dashboard.panels.sweeps.callbacks import (
    display_rows,
    progress_text,
    sweep_config,
    table_columns,
)
from dashboard.panels.sweeps.figures import (
    PARALLEL_AXIS_WIDTH,
    finished_key,
    history_figure,
    importance_figure,
    parallel_coordinates_figure,
    parallel_min_width,
)
from dashboard.panels.sweeps.layout import TRIAL_COLUMNS
from dashboard.panels.sweeps.views import RUNS_FOLDER, SweepBrowser, rows_to_space, space_rows
from dashboard.shared.jobs import JobManager
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.recipes import recipe_config
from mnist_keras.sweeps import default_space, trial_rows


def test_the_space_table_round_trips_the_default_space_and_names_bad_rows():
    space = default_space(recipe_config("robust"))
    assert rows_to_space(space_rows(space)) == space
    rows = [{"setting": "augment", "choices": "true, false"},
            {"setting": "epochs", "choices": "1, 2"},
            {"setting": "learning_rate", "low": "0.001", "high": 0.01, "scale": "log"}]
    assert rows_to_space(rows).to_dict() == {
        "augment": {"choices": [True, False]}, "epochs": {"choices": [1, 2]},
        "learning_rate": {"low": 0.001, "high": 0.01, "log": True}}
    for bad, message in (([], "1-24 settings"),
                         ([{"setting": "dropout", "low": "a lot", "high": 0.5}],
                          "a number for dropout low"),
                         ([{"setting": "dropout", "low": 0, "high": 0.5}] * 2,
                          "each setting once"),
                         ([{"setting": "batch_size", "choices": "64, big"}],
                          "batch_size choices as numbers"),
                         ([{"setting": "optimizer", "choices": "adam, lion"}],
                          "Expected optimizer in"),
                         ([{"setting": "seed", "choices": "1, 2"}], "settings among"),
                         ([{"setting": "optimizer", "choices": "adam," * 200}],
                          "at most 500 characters")):
        with pytest.raises(MnistKerasError, match=message):
            rows_to_space(bad)


def test_the_browser_reads_only_its_own_storages_and_never_creates_one(tmp_path):
    browser = SweepBrowser(tmp_path, ["postgresql://me:secret@db.lan/sweeps"])
    assert [c["value"] for c in browser.choices()] == [RUNS_FOLDER, "storage-1"]
    assert browser.choices()[1]["label"] == "postgresql://me:***@db.lan/sweeps"
    assert browser.studies(RUNS_FOLDER) == [] and not (tmp_path / "sweeps.db").exists()
    with pytest.raises(MnistKerasError, match="Expected a storage among"):
        browser.url("sqlite:////etc/passwd.db")  # a request cannot name a URL
    with pytest.raises(MnistKerasError, match="a study in the chosen storage"):
        browser.study(RUNS_FOLDER, "missing")
    with pytest.raises(MnistKerasError, match="a database URL"):
        SweepBrowser(tmp_path, ["just-words"])


def _study(values):
    study = optuna.create_study(direction="maximize")
    distributions = {"learning_rate": optuna.distributions.FloatDistribution(1e-4, 1, log=True),
                     "optimizer": optuna.distributions.CategoricalDistribution(["adam", "sgd"])}
    for number, value in enumerate(values):
        study.add_trial(optuna.trial.create_trial(
            params={"learning_rate": 10 ** -(1 + number), "optimizer": ["adam", "sgd"][number % 2]},
            distributions=distributions, value=value, user_attrs={"run": f"r{number}"}))
    study.set_user_attr("mnist_keras_trials", 4)
    return study


def test_rows_columns_and_progress_of_a_study():
    study = _study([0.9, 0.95, 0.91])
    rows = trial_rows(study.get_trials())
    columns = table_columns(rows, TRIAL_COLUMNS)
    assert [c["id"] for c in columns][-2:] == ["param:learning_rate", "param:optimizer"]
    assert display_rows([{"value": 0.912345678, "run": "r0"}]) == [{"value": 0.9123,
                                                                     "run": "r0"}]
    text = progress_text(study, study.get_trials())
    assert text.startswith(f"{study.study_name}: 3 of 4 finished (3 complete, 0 pruned)")
    assert text.endswith("best val_accuracy 0.9500 (trial 1)")


def test_optunas_figures_from_a_copy_of_the_trials():
    trials = _study([0.9, 0.95, 0.91]).get_trials()
    parallel = parallel_coordinates_figure(trials)
    assert [t["mode"] for t in parallel["data"]].count("lines") == 3
    assert parallel["layout"]["xaxis"]["ticktext"][0] == "val_accuracy"
    # Orange for the worst trial, blue for the best, no separate colour bar;
    # 1e-3 on the log axis reads "1.0e-3"-style short, never "0.000100".
    colours = {t["customdata"][0][1]: t["line"]["color"] for t in parallel["data"]}
    assert colours["0.9"] == "rgb(217, 119, 6)" and colours["0.95"] == "rgb(37, 99, 235)"
    assert all(len(a["text"]) <= 6 for a in parallel["layout"]["annotations"])
    assert parallel_min_width(parallel) == 3 * PARALLEL_AXIS_WIDTH
    assert parallel["layout"]["title"]["text"] == "Settings of each completed trial"
    importance = importance_figure(trials)
    assert importance["data"][0]["type"] == "bar"
    assert set(importance["data"][0]["y"]) == {"learning_rate", "optimizer"}
    assert list(history_figure(trials)["data"][0]["y"]) == [0.9, 0.95, 0.91]
    same = _study([0.9, 0.9]).get_trials()
    assert "scored the same" in importance_figure(same)["layout"]["annotations"][0]["text"]
    assert "first completed trial" in \
        parallel_coordinates_figure([])["layout"]["annotations"][0]["text"]
    assert finished_key(trials) == "0:COMPLETE|1:COMPLETE|2:COMPLETE"


def test_a_sweep_job_is_refused_before_any_process_for_bad_arguments(tmp_path):
    jobs = JobManager(tmp_path)
    config = TrainingConfig(model="mlp", train_size=1_000, test_size=1_000, epochs=1,
                            validation_split=0.1)
    space = {"dropout": {"low": 0.1, "high": 0.3}}
    for kwargs, message in ((dict(workers=0), "workers as an integer in"),
                            (dict(workers=(os.cpu_count() or 1) + 1), "one per CPU core"),
                            (dict(trials=0), "trials as an integer"),
                            (dict(study="../up"), "a study name")):
        arguments = {**dict(study="s", config=config, space=space, trials=2), **kwargs}
        with pytest.raises(MnistKerasError, match=message):
            jobs.start_sweep(**arguments)
    with pytest.raises(MnistKerasError, match="validation_split above 0"):
        jobs.start_sweep("s", TrainingConfig(validation_split=0), space, 2)
    assert jobs.sweep() is None and jobs.stop_sweep() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".jobs.lock"]  # nothing started


def test_a_custom_layer_table_is_not_swept():
    from dashboard.shared.training_form import CUSTOM_MODEL

    settings = dict(model=CUSTOM_MODEL, rows=[{"type": "Dense", "units": 8}], train_size=1000,
                    test_size=1000, batch_size=32, epochs=1, learning_rate=-3, optimizer="adam",
                    schedule="constant", dropout=None, augment=[], seed=0)
    with pytest.raises(MnistKerasError, match="a named model to sweep"):
        sweep_config(settings)
    assert sweep_config({**settings, "model": "mlp"}).model == "mlp"


def test_a_pruned_trials_run_says_so_in_the_runs_table(tmp_path):
    from dashboard.shared.runs_view import table_rows
    from mnist_keras.runs import Run, RunConfig, RunIndex, RunMetrics

    run = Run.create(tmp_path / "lr-trial-3")
    run.write_config(RunConfig.for_training(TrainingConfig(validation_split=0.1)))
    run.write_json("metrics.json", RunMetrics(
        test_accuracy=0.5, test_loss=1.0, num_params=10, nonzero_params=10,
        class_names=("0", "1"), confusion_matrix=((1, 0), (1, 0)), per_class=(),
        stopped_early="pruned").to_dict())
    run.set_status("completed")
    (row,) = table_rows(RunIndex(tmp_path))
    assert row["status"] == "completed (pruned)"
