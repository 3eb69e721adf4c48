"""A sweep worker: runs trials of an Optuna study until it has enough finished ones.

    mnist-keras sweep --study lr --trials 20 --runs-dir runs --epochs 3

Each trial is a normal run in the runs folder: its settings are the sweep's
fixed settings with the trial's drawn values, it trains through
`mnist_keras.train`, and its folder's `trial.json` names the study and trial
(the trial names its run back, as the user attributes `run` and `run_dir`).
Epoch validation accuracy goes to Optuna after every epoch, so its pruner can
stop a weak trial early; a pruned trial's run is kept (status `completed`,
`trial.json` state `pruned`, metrics `stopped_early: "pruned"`). The trial's
value is its best epoch's validation accuracy: the test set never chooses.

Several workers on one storage cooperate: Optuna hands each a different
trial, and before training a worker checks that its trial is not one too
many (two workers asking at the same moment for the last trial). A worker
that finds the remaining trials all running elsewhere waits for them, and
fails those whose worker stopped sending heartbeats; each such trial is
retried once (Optuna's `RetryHeartbeatStaleTrialCallback`).
"""

import dataclasses
import os
import re
import socket
import time
from collections.abc import Callable
from typing import Optional

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.registries import PRUNERS, SAMPLERS
from mnist_keras.runs import Run, RunStatus, TrialLink
from mnist_keras.sweeps.space import SearchSpace, default_space
from mnist_keras.sweeps.storage import display_url, open_storage, storage_error, storage_url
from mnist_keras.sweeps.study import (
    OBJECTIVE,
    TARGET_ATTRIBUTE,
    adopt_definition,
    fail_stale_trials,
    make_pruner,
    make_sampler,
    stale_trial_handler,
    trial_counts,
)

# 36 characters at most: a trial's run is named `{study}-trial-{N}-{time}`, and run
# names keep the first 50 characters of their stem.
STUDY_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$")
MAX_TRIALS = 10_000


@dataclasses.dataclass(frozen=True)
class SweepResult:
    """What `run_sweep` returns.

    Attributes:
        study: the study's name.
        storage: its storage URL (password hidden).
        finished: trials of the study that completed or were pruned.
        trials_run: numbers of the trials this worker ran to an end.
        best_trial, best_value, best_params, best_run: the study's best
            completed trial so far (None when there is none).
        stopped: `"done"` (the study has its trials), `"cancelled"` or
            `"failures"` (too many trials in a row failed).
    """

    study: str
    storage: str
    finished: int
    trials_run: tuple
    best_trial: Optional[int]
    best_value: Optional[float]
    best_params: dict
    best_run: Optional[str]
    stopped: str


class _StudyFull(Exception):
    """The trial Optuna handed out is one more than the study asked for."""


class _Cancelled(Exception):
    """A stop file ended the trial; the worker stops too."""


def sweep_stop_file(runs_dir, study):
    """The file whose existence asks every worker of `study` on this runs folder to stop."""
    return os.path.join(runs_dir, f".sweep-{study}.stop")


def _check_arguments(study, trials, heartbeat_seconds, sampler, pruner, max_failures):
    if not isinstance(study, str) or not STUDY_NAME_PATTERN.fullmatch(study):
        raise expected("a study name of 1-36 letters, digits, '.', '_' or '-'", study=study)
    for name, value, low, high in (("trials", trials, 1, MAX_TRIALS),
                                   ("heartbeat_seconds", heartbeat_seconds, 1, 3_600),
                                   ("max_failures", max_failures, 1, 1_000)):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise expected(f"{name} as an integer in [{low}, {high:,}]", **{name: value})
    if isinstance(sampler, str):
        SAMPLERS.check(sampler)
    if isinstance(pruner, str):
        PRUNERS.check(pruner)


def _one_line(error):
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


class _Objective:
    """One trial: draw settings, train a run, report, return the best epoch's accuracy."""

    def __init__(self, *, study_name, storage_shown, trials, config, space, runs_dir, data,
                 stop_file, log):
        self.study_name, self.storage_shown = study_name, storage_shown
        self.trials, self.config, self.space = trials, config, space
        self.runs_dir, self.data, self.stop_file, self.log = runs_dir, data, stop_file, log
        self.cancelled = False
        self.last_number = None  # the trial this worker ran last

    def _retry_of(self, trial):
        # Checks that the trial is not one too many; returns the number of the
        # trial it retries, if any (Optuna keeps that on the frozen trial).
        from optuna.trial import TrialState

        ahead, retry_of = 0, None
        for other in trial.study.get_trials(deepcopy=False):
            if other.number == trial.number:
                retry_of = other.system_attrs.get("failed_trial")
            elif other.number < trial.number and other.state in (
                    TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING,
                    TrialState.WAITING):
                ahead += 1
        if ahead >= self.trials:
            trial.set_user_attr("surplus", True)
            raise _StudyFull(f"the study already has {self.trials} trials")
        return retry_of

    def __call__(self, trial):
        import keras
        import optuna

        from mnist_keras.callbacks import StopSignal
        from mnist_keras.sweeps.reporting import TrialReporter
        from mnist_keras.training import train

        self.last_number = trial.number
        retry_of = self._retry_of(trial)
        params = self.space.suggest(trial)
        try:
            config = dataclasses.replace(self.config, **params)
        except MnistKerasError as error:
            trial.set_user_attr("error", _one_line(error))
            raise
        # The previous trial's graphs and weights go: a long sweep in one
        # process would otherwise grow, and retrace functions with each model.
        keras.backend.clear_session()
        run = Run.create_new(self.runs_dir, f"{self.study_name}-trial-{trial.number}")
        trial.set_user_attr("run", run.name)
        trial.set_user_attr("run_dir", os.path.abspath(run.path))
        trial.set_user_attr("host", socket.gethostname())
        link = TrialLink(study=self.study_name, storage=self.storage_shown, trial=trial.number,
                         objective=OBJECTIVE, retry_of=retry_of)
        run.write_trial(link)
        self.log(f"trial {trial.number}: {_settings_text(params)} -> {run.name}")
        reporter = TrialReporter(trial, OBJECTIVE)
        stops = [StopSignal(run.file("STOP"))]
        if self.stop_file:
            stops.append(StopSignal(self.stop_file))
        try:
            result = train(config, run_dir=run.path, callbacks=[reporter, *stops],
                           data=self.data)
        except BaseException as error:
            message = _one_line(error)
            run.write_trial(dataclasses.replace(link, state="failed", error=message))
            trial.set_user_attr("error", message)
            raise
        metrics = result.metrics
        best = metrics.best_epoch
        value = best.value if best is not None else None
        last = result.history.epochs[-1] if result.history.epochs else {}
        for key, figure in (("test_accuracy", metrics.test_accuracy),
                            ("test_loss", metrics.test_loss),
                            ("best_epoch", best.epoch if best else None),
                            ("final_val_accuracy", last.get(OBJECTIVE)),
                            ("epochs_done", metrics.epochs_done),
                            ("train_seconds", metrics.train_seconds),
                            ("num_params", metrics.num_params)):
            trial.set_user_attr(key, figure)
        if result.status is RunStatus.CANCELLED:
            self.cancelled = True
            run.write_trial(dataclasses.replace(link, state="cancelled", value=value))
            raise _Cancelled("cancelled: its run keeps what it learned")
        if reporter.pruned_epoch is not None:
            run.write_trial(dataclasses.replace(link, state="pruned", value=value,
                                                pruned_epoch=reporter.pruned_epoch))
            raise optuna.TrialPruned(f"pruned after epoch {reporter.pruned_epoch}")
        run.write_trial(dataclasses.replace(link, state="complete", value=value))
        return value


def _settings_text(params):
    return ", ".join(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"
                     for key, value in params.items())


def _quiet_log(_message):
    pass


def check_sweep(study, trials, config=None, space=None, sampler="tpe", pruner="median",
                heartbeat_seconds=30, max_failures=3):
    """Checks a sweep's arguments as `run_sweep` does, before any work.

    For a caller that starts workers elsewhere (the dashboard's child
    processes) and wants a refusal now, in one line, rather than in a log.

    Returns:
        `(config, space)`: the fixed settings and the `SearchSpace`, with the
        defaults filled in.

    Raises:
        MnistKerasError: naming the first argument refused.
    """
    _check_arguments(study, trials, heartbeat_seconds, sampler, pruner, max_failures)
    config = config or TrainingConfig(train_size=5_500, test_size=1_000, validation_split=0.1)
    if config.validation_split == 0:
        raise expected("a validation_split above 0 (trials are chosen by validation "
                       "accuracy, never by the test set)", validation_split=0)
    if config.parent_model is not None or config.sparsity is not None:
        raise expected("a sweep over training from scratch (no parent model or sparsity)",
                       parent_model=config.parent_model, sparsity=config.sparsity)
    space = default_space(config) if space is None else (
        space if isinstance(space, SearchSpace) else SearchSpace(space))
    space.check_with(config)
    config.check_sources()
    return config, space


def run_sweep(study, trials, runs_dir="runs", config=None, space=None, storage=None,
              sampler="tpe", pruner="median", heartbeat_seconds=30, stop_file=None,
              max_failures=3, log: Optional[Callable[[str], None]] = None):
    """Runs trials of a study until it has `trials` finished ones (one worker).

    Start the same call in several processes, on one machine or many, with
    the same study and storage: they share the work. Each finished trial is
    a run folder under `runs_dir` (see the module docstring).

    Args:
        study: the study's name (1-36 letters, digits, '.', '_' or '-');
            created on first use.
        trials: how many finished (completed or pruned) trials the study
            should have, 1-10,000. A study that has them already runs none.
        runs_dir: where the trials' run folders go. Defaults to `runs`.
        config: the `TrainingConfig` every trial starts from (a recipe, with
            the settings to fix); needs a `validation_split` above 0, since
            trials are chosen by validation accuracy. Defaults to
            `TrainingConfig(train_size=5_500, test_size=1_000, validation_split=0.1)`.
        space: a `SearchSpace` or a dict; defaults to `default_space(config)`.
        storage: an Optuna storage URL or SQLite file; defaults to the runs
            folder's `sweeps.db` (see `mnist_keras.sweeps.storage_url`).
        sampler: `"tpe"` or `"random"` (`mnist_keras.registries.SAMPLERS`), or an Optuna
            sampler object.
        pruner: `"median"`, `"hyperband"` or `"none"` (`mnist_keras.registries.PRUNERS`),
            or an Optuna pruner object.
        heartbeat_seconds: how often the running trial's heartbeat is
            recorded; a trial silent for 3x as long is failed and retried once.
            1-3,600; defaults to 30.
        stop_file: a path whose creation stops the worker after the current
            batch (the dashboard's Stop); its trial's run is kept as cancelled.
        max_failures: stop after this many failed trials in a row. Defaults to 3.
        log: called with one line per event (trial started, finished); silent
            by default.

    Returns:
        A `SweepResult`.

    Raises:
        MnistKerasError: for bad arguments, an unreachable storage, or a study
            created with another space or other settings.

    Example:

    ```python
    result = run_sweep("lr", trials=8, runs_dir="runs",
                       config=recipe_config("quick", epochs=3))
    result.best_params, result.best_run
    # ({'learning_rate': 0.0041, ...}, 'lr-trial-5-20261130-101500')
    ```
    """
    import optuna

    from mnist_keras.training import load_training_data

    config, space = check_sweep(study, trials, config, space, sampler, pruner,
                                heartbeat_seconds, max_failures)
    log = log or _quiet_log
    url = storage_url(storage, runs_dir)
    shown = display_url(url)
    # Every trial trains on the same images: the data is loaded once per worker.
    data = load_training_data(config)  # its label review applied
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)  # the log lines below say it once
    try:
        return _work(study, trials, runs_dir, config, space, url, shown, data, sampler, pruner,
                     heartbeat_seconds, stop_file, max_failures, log)
    finally:
        optuna.logging.set_verbosity(verbosity)


def _work(study, trials, runs_dir, config, space, url, shown, data, sampler, pruner,
          heartbeat_seconds, stop_file, max_failures, log):
    import optuna

    backend = open_storage(url, heartbeat_seconds, stale_trial_handler())
    try:
        handle = optuna.create_study(study_name=study, storage=backend, direction="maximize",
                                     sampler=make_sampler(sampler),
                                     pruner=make_pruner(pruner, config.epochs),
                                     load_if_exists=True)
        if handle.direction != optuna.study.StudyDirection.MAXIMIZE:
            raise expected(f"a study that maximises {OBJECTIVE}", study=study,
                           direction=handle.direction.name.lower())
        adopt_definition(handle, config, space)
        # The latest worker's target, for viewers' "5 of 8 finished".
        handle.set_user_attr(TARGET_ATTRIBUTE, trials)
    except (MnistKerasError, KeyboardInterrupt):
        raise
    except Exception as error:
        raise storage_error(url, error) from None
    objective = _Objective(study_name=study, storage_shown=shown, trials=trials, config=config,
                           space=space, runs_dir=runs_dir, data=data, stop_file=stop_file,
                           log=log)
    ran, failures, stopped, waiting = [], 0, "done", False
    while True:
        if stop_file and os.path.exists(stop_file):
            stopped = "cancelled"
            break
        fail_stale_trials(handle)
        counts = trial_counts(handle)
        finished = counts[optuna.trial.TrialState.COMPLETE] + \
            counts[optuna.trial.TrialState.PRUNED]
        active = counts[optuna.trial.TrialState.RUNNING]
        queued = counts[optuna.trial.TrialState.WAITING]
        if finished >= trials:
            break
        if finished + active + queued >= trials and queued == 0:
            # The rest are running elsewhere: wait for them to finish, or to
            # go stale and come back to be retried.
            if not waiting:
                log(f"waiting: {active} trial(s) running in other workers")
            waiting = True
            time.sleep(min(heartbeat_seconds, 2))
            continue
        waiting = False
        objective.last_number = None
        handle.optimize(objective, n_trials=1, catch=(Exception,))
        last = _trial_numbered(handle, objective.last_number)
        if last is None:
            continue
        state = last.state.name.lower()
        if last.user_attrs.get("surplus"):
            log(f"trial {last.number}: not run, the study already has its {trials} trials")
            continue
        if state in ("complete", "pruned"):
            failures = 0
            ran.append(last.number)
            value = "" if last.value is None else f" {OBJECTIVE} {last.value:.4f}"
            log(f"trial {last.number}: {state}{value} ({last.user_attrs.get('run')})")
        elif objective.cancelled:
            log(f"trial {last.number}: cancelled ({last.user_attrs.get('run')})")
            stopped = "cancelled"
            break
        else:
            failures += 1
            log(f"trial {last.number}: failed: {last.user_attrs.get('error', 'see its run')}")
            if failures >= max_failures:
                stopped = "failures"
                break
    return _result(handle, study, shown, ran, stopped)


def _trial_numbered(study, number):
    if number is None:
        return None
    return next((t for t in study.get_trials(deepcopy=False) if t.number == number), None)


def _result(study, name, shown, ran, stopped):
    from optuna.trial import TrialState

    counts = trial_counts(study)
    completed = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                 if t.value is not None]
    best = max(completed, key=lambda t: t.value) if completed else None
    return SweepResult(
        study=name, storage=shown,
        finished=counts[TrialState.COMPLETE] + counts[TrialState.PRUNED],
        trials_run=tuple(ran),
        best_trial=best.number if best else None, best_value=best.value if best else None,
        best_params=dict(best.params) if best else {},
        best_run=best.user_attrs.get("run") if best else None, stopped=stopped)
