"""Sweeps: search spaces, storages, the trial table, and a sweep run in this process.

The sweeps with several worker processes, a killed worker and a PostgreSQL
server are in test_sweep_workers.py.
"""

import datetime
import json

import optuna
import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.runs import RunIndex, RunStatus, list_runs
from mnist_keras.sweeps import (
    SearchSpace,
    default_space,
    display_url,
    open_storage,
    run_sweep,
    storage_url,
    study_definition,
    study_names,
    sweep_stop_file,
    trial_rows,
    trials_csv,
)
from mnist_keras.sweeps.reporting import TrialReporter


def _base(data_dir, **overrides):
    return TrainingConfig(**{**dict(model="mlp", data_dir=data_dir, train_size=1_200,
                                    test_size=1_000, validation_split=0.1, epochs=1,
                                    batch_size=64), **overrides})


@pytest.mark.parametrize("space, message", [
    ({"learning_rate": {"low": 1e-3, "high": 2}}, "learning_rate high as a number in"),
    ({"learning_rate": {"low": 0.01, "high": 0.001}}, "learning_rate low below its high"),
    ({"dropout": {"low": 0, "high": 0.5, "log": True}}, "low above 0 on a log scale"),
    ({"batch_size": {"low": 16, "high": 64.5}}, "batch_size high as an integer"),
    ({"optimizer": ["adam", "lion"]}, "Expected optimizer in"),
    ({"optimizer": {"low": 1, "high": 2}}, "optimizer as a list of choices"),
    ({"seed": [1, 2]}, "search space settings among"),  # data stays fixed
    ({"train_size": {"low": 1000, "high": 2000}}, "search space settings among"),
    ({"batch_size": [64, 64]}, "choices without repeats"),
    ({"batch_size": []}, "choices as a list of 1-32 values"),
    ({"augment": ["yes"]}, "augment choices true or false"),
    ({"dropout": {"low": 0, "high": 0.5, "step": 0.6}}, "step above 0 and at most"),
    ({"dropout": {"low": 0, "high": 0.5, "spread": 2}}, "keys among low, high"),
    ({}, "a search space of 1-24 settings"),
])
def test_a_space_is_checked_setting_by_setting(space, message):
    with pytest.raises(MnistKerasError, match=message):
        SearchSpace(space)


def test_a_space_round_trips_and_is_checked_on_the_fixed_settings():
    space = SearchSpace({"learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
                         "batch_size": {"low": 32, "high": 128, "step": 32},
                         "schedule": ["constant", "cosine"], "augment": [True, False]})
    assert SearchSpace(space.to_dict()) == space
    assert space.to_dict()["batch_size"] == {"low": 32, "high": 128, "step": 32}
    space.check_with(TrainingConfig(validation_split=0.1))
    # A plateau rule needs the constant schedule: the cosine choice cannot train.
    plateau = TrainingConfig(validation_split=0.1, schedule="constant", reduce_lr_patience=2)
    with pytest.raises(MnistKerasError, match=r"reduce_lr_patience only with.*searching "
                                              r"schedule='cosine'"):
        space.check_with(plateau)
    study = optuna.create_study()
    drawn = space.suggest(study.ask())
    assert 1e-3 <= drawn["learning_rate"] <= 1e-2 and drawn["batch_size"] in (32, 64, 96, 128)
    assert drawn["schedule"] in ("constant", "cosine") and drawn["augment"] in (True, False)


def test_spaces_from_json_and_yaml_files(tmp_path):
    (tmp_path / "space.yaml").write_text("learning_rate: {low: 0.001, high: 0.01, log: true}\n"
                                         "optimizer: [adam, sgd]\n")
    (tmp_path / "space.json").write_text(json.dumps({"learning_rate": {
        "low": 0.001, "high": 0.01, "log": True}, "optimizer": {"choices": ["adam", "sgd"]}}))
    assert SearchSpace.from_file(tmp_path / "space.yaml") == \
        SearchSpace.from_file(tmp_path / "space.json")
    (tmp_path / "broken.yaml").write_text("learning_rate: {low: [\n")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "huge.json").write_text(" " * 70_000)
    for name, message in (("broken.yaml", "in JSON or YAML"), ("list.json", "mapping"),
                          ("huge.json", "at most 65,536 bytes"), ("missing.json", "existing")):
        with pytest.raises(MnistKerasError, match=message):
            SearchSpace.from_file(tmp_path / name)


@pytest.mark.parametrize("recipe", RECIPES.names())
def test_the_default_space_trains_with_every_recipe(recipe):
    config = recipe_config(recipe, validation_split=0.1)
    space = default_space(config)
    space.check_with(config)
    assert ("rotation" in space.names()) == config.augment


@pytest.mark.parametrize("url", [
    "postgresql://me:hunter2@db/sweeps",
    "postgresql://me@db/sweeps?password=hunter2",
    "postgresql://me@db/sweeps?sslmode=require&PassWord=hunter2",
    "postgresql+psycopg://me@db/sweeps?sslpassword=hunter2&application_name=x",
    "postgresql://me@db/sweeps?access_token=hunter2",
    "postgresql://me@db/sweeps?password=hunter2&password=hunter2",
    "mysql://me@db/sweeps?passwd=hunter2",
    "postgresql://me:hun%40ter2@db/sweeps?password=hun%26ter2",
])
def test_no_form_of_a_storage_url_shows_its_secret(url):
    # Regression: a password given as a query parameter was printed, recorded in
    # every trial.json and listed by the dashboard.
    shown = display_url(url)
    assert "hunter2" not in shown and "hun" not in shown.split("@")[-1], shown
    assert "***" in shown


def test_storage_urls_default_to_the_runs_folder_and_hide_passwords(tmp_path):
    assert storage_url(None, tmp_path) == f"sqlite:///{tmp_path}/sweeps.db"
    assert storage_url("postgresql://me@db/sweeps") == "postgresql://me@db/sweeps"
    assert display_url("postgresql://me:hunter2@db/sweeps") == "postgresql://me:***@db/sweeps"
    with pytest.raises(MnistKerasError, match="a database URL"):
        storage_url("sweeps.txt")
    with pytest.raises(MnistKerasError, match="Expected a reachable Optuna storage.*"
                                              "storage='sqlite:///"):
        not_a_database = tmp_path / "text.db"
        not_a_database.write_text("hello, not a database" * 100)
        open_storage(storage_url(str(not_a_database)))
    with pytest.raises(MnistKerasError, match=r"Expected the database driver for "
                                              r"mysql\+pymysql://me@127.0.0.1/sweeps"):
        open_storage("mysql+pymysql://me@127.0.0.1/sweeps")  # PyMySQL is not installed


def test_trial_rows_and_csv_show_settings_metrics_state_and_run():
    study = optuna.create_study(direction="maximize")
    distributions = {"learning_rate": optuna.distributions.FloatDistribution(1e-4, 1, log=True)}
    start = datetime.datetime(2026, 11, 30, 10, 0, 0)
    study.add_trial(optuna.trial.create_trial(
        params={"learning_rate": 0.01}, distributions=distributions, value=0.93,
        user_attrs={"run": "lr-trial-0", "test_accuracy": 0.92, "best_epoch": 2,
                    "final_val_accuracy": 0.91, "epochs_done": 3},
        intermediate_values={1: 0.8, 2: 0.93, 3: 0.91}))
    study.add_trial(optuna.trial.create_trial(
        params={"learning_rate": 0.5}, distributions=distributions,
        state=optuna.trial.TrialState.FAIL, user_attrs={"error": "diverged"}))
    trials = study.get_trials()  # copies
    for trial in trials:
        trial.datetime_start = start
        trial.datetime_complete = start + datetime.timedelta(seconds=42)
    rows = trial_rows(trials)
    assert [row["state"] for row in rows] == ["complete", "failed"]
    assert rows[0]["value"] == 0.93 and rows[0]["best_epoch"] == 2
    assert rows[0]["run"] == "lr-trial-0" and rows[0]["param:learning_rate"] == 0.01
    assert rows[1]["note"] == "diverged" and rows[1]["seconds"] == 42.0
    text = trials_csv(rows).splitlines()
    assert text[0].endswith(",note,learning_rate") and text[0].startswith("trial,state,value")
    assert text[1].startswith("0,complete,0.93,2,0.91,0.92,3,42.0,lr-trial-0")


def test_run_sweep_refuses_bad_arguments_before_any_work(tmp_path, synthetic_data_dir):
    base = _base(synthetic_data_dir)
    for kwargs, message in ((dict(study="../x", trials=2), "a study name"),
                            (dict(study="s", trials=0), "trials as an integer"),
                            (dict(study="s", trials=2, pruner="sometimes"), "pruner in"),
                            (dict(study="s", trials=2, heartbeat_seconds=0), "heartbeat")):
        with pytest.raises(MnistKerasError, match=message):
            run_sweep(runs_dir=tmp_path, config=base, **kwargs)
    with pytest.raises(MnistKerasError, match="validation_split above 0"):
        run_sweep("s", 2, runs_dir=tmp_path, config=_base(synthetic_data_dir,
                                                          validation_split=0))
    assert list(tmp_path.iterdir()) == []  # no database, no run


@pytest.mark.parametrize("epochs, pruned_epoch", [(3, 1), (1, None)])
def test_a_trial_is_pruned_after_an_epoch_but_never_after_its_last(synthetic_data_dir, epochs,
                                                                   pruned_epoch):
    # A threshold no accuracy reaches prunes every trial after its first epoch, unless
    # that epoch was its last: then pruning would save nothing, and the trial completes.
    study = optuna.create_study(direction="maximize",
                                pruner=optuna.pruners.ThresholdPruner(lower=2.0))
    trial = study.ask()
    reporter = TrialReporter(trial)
    from mnist_keras.training import train

    result = train(_base(synthetic_data_dir, epochs=epochs), callbacks=[reporter])
    assert reporter.pruned_epoch == pruned_epoch and result.metrics.epochs_done == 1
    assert result.metrics.stopped_early == ("pruned" if pruned_epoch else None)
    assert result.status is RunStatus.COMPLETED
    assert study.trials[0].intermediate_values == {1: result.history.epochs[0]["val_accuracy"]}


@pytest.fixture(scope="module")
def pruned_sweep(tmp_path_factory, synthetic_data_dir):
    runs_dir = tmp_path_factory.mktemp("sweep") / "runs"
    lines = []
    space = {"learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
             "optimizer": ["adam", "sgd"]}
    result = run_sweep("pruned", 3, runs_dir=runs_dir, config=_base(synthetic_data_dir,
                                                                    epochs=2),
                       space=space, pruner=optuna.pruners.ThresholdPruner(lower=2.0),
                       log=lines.append)
    return runs_dir, space, result, lines


def test_a_sweep_in_process_links_trials_and_runs_both_ways(pruned_sweep, synthetic_data_dir):
    runs_dir, space, result, lines = pruned_sweep
    assert result.finished == 3 and result.trials_run == (0, 1, 2)
    assert result.stopped == "done" and result.best_trial is None  # all pruned
    study = optuna.load_study(study_name="pruned", storage=storage_url(None, runs_dir))
    assert study_names(storage_url(None, runs_dir)) == ["pruned"]
    runs = {run.name: run for run in list_runs(runs_dir)}
    assert len(runs) == 3
    for trial in study.trials:
        assert trial.state is optuna.trial.TrialState.PRUNED
        run = runs[trial.user_attrs["run"]]
        assert trial.user_attrs["run_dir"] == str(runs_dir / run.name)
        link = run.trial()
        assert (link.study, link.trial, link.state, link.pruned_epoch) == \
            ("pruned", trial.number, "pruned", 1)
        assert run.status is RunStatus.COMPLETED and run.metrics().stopped_early == "pruned"
        assert run.metrics().best_epoch.epoch == 1 and run.metrics().epochs_done == 1
        settings = run.config().training
        assert settings.learning_rate == trial.params["learning_rate"]
        assert settings.optimizer == trial.params["optimizer"] and settings.epochs == 2
        assert link.value == trial.value == trial.user_attrs["final_val_accuracy"]
    assert study_definition(study)["space"] == SearchSpace(space).to_dict()
    assert {s.stopped_early for s in RunIndex(runs_dir).refresh()} == {"pruned"}
    assert any("trial 2: pruned" in line for line in lines)


def test_a_study_refuses_other_settings_and_runs_nothing_once_full(pruned_sweep,
                                                                  synthetic_data_dir):
    runs_dir, space, _, _ = pruned_sweep
    with pytest.raises(MnistKerasError, match=r"settings study 'pruned' was created with.*"
                                              r"epochs=3, study_epochs=2"):
        run_sweep("pruned", 3, runs_dir=runs_dir, config=_base(synthetic_data_dir, epochs=3),
                  space=space)
    with pytest.raises(MnistKerasError, match="the search space study 'pruned'"):
        run_sweep("pruned", 3, runs_dir=runs_dir, config=_base(synthetic_data_dir, epochs=2),
                  space={"learning_rate": {"low": 1e-3, "high": 1e-2}})
    again = run_sweep("pruned", 3, runs_dir=runs_dir, config=_base(synthetic_data_dir,
                                                                   epochs=2), space=space)
    assert again.trials_run == () and again.finished == 3
    assert len(list_runs(runs_dir)) == 3


def test_a_study_from_before_a_setting_existed_takes_that_settings_default():
    from mnist_keras.sweeps.study import DEFINITION_ATTRIBUTE, _definition, adopt_definition

    space = SearchSpace({"learning_rate": {"low": 1e-3, "high": 1e-2}})
    study = optuna.create_study()
    older = _definition(TrainingConfig(epochs=2), space)
    del older["settings"]["deterministic"]  # recorded by a release without it
    assert "tensorboard" not in older["settings"]  # what a run writes: workers may differ
    study.set_user_attr(DEFINITION_ATTRIBUTE, older)
    adopt_definition(study, TrainingConfig(epochs=2, tensorboard=False), space)
    with pytest.raises(MnistKerasError, match="deterministic=True, study_deterministic=False"):
        adopt_definition(study, TrainingConfig(epochs=2, deterministic=True), space)


def test_a_stop_file_cancels_the_trial_and_the_worker(tmp_path, synthetic_data_dir):
    stop = sweep_stop_file(tmp_path, "stopped")

    def stop_when_training_starts(line):
        if "->" in line:  # "trial 0: dropout=... -> RUN": train() starts next
            open(stop, "w").close()

    result = run_sweep("stopped", 2, runs_dir=tmp_path, config=_base(synthetic_data_dir),
                       space={"dropout": {"low": 0.1, "high": 0.2}}, stop_file=stop,
                       log=stop_when_training_starts)
    assert result.stopped == "cancelled" and result.trials_run == () and result.finished == 0
    (run,) = list_runs(tmp_path)
    assert run.status is RunStatus.CANCELLED and run.trial().state == "cancelled"
    assert run.metrics() is not None  # what it learned is kept and evaluated
    study = optuna.load_study(study_name="stopped", storage=storage_url(None, tmp_path))
    assert [t.state for t in study.trials] == [optuna.trial.TrialState.FAIL]


def test_a_trial_beyond_the_asked_number_is_not_trained():
    # Two workers asking for the last trial at once both get one: the later one
    # sees enough trials ahead of it and gives its trial back unrun.
    from mnist_keras.sweeps.worker import _Objective, _StudyFull

    study = optuna.create_study(direction="maximize")
    first, second = study.ask(), study.ask()
    objective = _Objective(study_name="s", storage_shown="memory", trials=1, config=None,
                           space=None, runs_dir="unused", data=None, stop_file=None,
                           log=print)
    assert objective._retry_of(first) is None  # nothing ahead of it: it trains
    with pytest.raises(_StudyFull, match="already has 1 trials"):
        objective._retry_of(second)
    assert study.trials[1].user_attrs == {"surplus": True}
    rows = trial_rows(study.get_trials())
    assert rows[1]["note"] == "not run: the study already had its trials"
