"""How a sweep's study is set up and shared by its workers.

Its sampler and pruner; the sweep's definition (objective, fixed settings,
space) that the first worker records and every later one must match; and the
recovery of trials whose worker died (failed on missed heartbeats, their run
marked, retried once).
"""

import dataclasses
import os
import warnings

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.registries import PRUNERS, SAMPLERS
from mnist_keras.runs import Run, RunStatus
from mnist_keras.settings import SETTINGS

OBJECTIVE = "val_accuracy"
# A trial whose worker died is run again this many times, then left failed.
MAX_RETRIES = 1
# Settings that say how a machine trains or what it writes besides the results,
# not what it trains: workers may differ there.
_MACHINE_SETTINGS = tuple(name for name, entry in SETTINGS.items()
                          if entry.per_machine or entry.group == "logging")
# What a study records of its sweep, in its user attributes.
DEFINITION_ATTRIBUTE = "mnist_keras"
TARGET_ATTRIBUTE = "mnist_keras_trials"


def make_sampler(name):
    """The Optuna sampler named `name` (`SAMPLERS`), or `name` itself if it is one."""
    import optuna

    if not isinstance(name, str):
        if not isinstance(name, optuna.samplers.BaseSampler):
            raise expected(f"sampler in {SAMPLERS.names()} or an Optuna sampler",
                           sampler=name)
        return name
    if name == "random":
        return optuna.samplers.RandomSampler()
    # constant_liar (Optuna's default here): a worker treats the trials other
    # workers are running as already scored, so two workers do not try the
    # same region at once.
    return optuna.samplers.TPESampler(constant_liar=True)


def make_pruner(name, epochs):
    """The Optuna pruner named `name` (`PRUNERS`) for runs of `epochs`, or `name` itself."""
    import optuna

    if not isinstance(name, str):
        if not isinstance(name, optuna.pruners.BasePruner):
            raise expected(f"pruner in {PRUNERS.names()} or an Optuna pruner", pruner=name)
        return name
    if name == "none":
        return optuna.pruners.NopPruner()
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(1, epochs))
    # Judge from the second epoch on, once three trials have shown the median.
    return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2)


def _definition(config, space):
    settings = {key: value for key, value in config.to_dict().items()
                if key not in _MACHINE_SETTINGS}
    return {"version": 1, "objective": OBJECTIVE, "settings": settings,
            "space": space.to_dict()}


def adopt_definition(study, config, space):
    """Records the sweep in a new study, or checks it against the one recorded."""
    # The first worker records the sweep (fixed settings, space, objective);
    # the others must bring the same, or their trials would not be comparable.
    wanted = _definition(config, space)
    recorded = study.user_attrs.get(DEFINITION_ATTRIBUTE)
    if recorded is None:
        study.set_user_attr(DEFINITION_ATTRIBUTE, wanted)
        return
    if recorded.get("space") != wanted["space"]:
        raise expected(f"the search space study {study.study_name!r} was created with "
                       "(give the same --space, or a new study name)",
                       space=wanted["space"], study_space=recorded.get("space"))
    # A setting a study does not record did not exist when it was created: it
    # trained with what is now that setting's default.
    defaults = _definition(TrainingConfig(), space)["settings"]
    theirs, ours = {**defaults, **recorded.get("settings", {})}, wanted["settings"]
    differing = sorted(key for key in set(theirs) | set(ours) if theirs.get(key) != ours.get(key))
    if differing:
        key = differing[0]
        raise expected(f"the settings study {study.study_name!r} was created with (give the "
                       "same options, or a new study name)",
                       **{key: ours.get(key), f"study_{key}": theirs.get(key)})


def study_definition(study):
    """What a study records of its sweep: `{objective, settings, space}`, or None.

    Args:
        study: an `optuna.Study` (or its `user_attrs` dict).
    """
    attributes = study if isinstance(study, dict) else study.user_attrs
    return attributes.get(DEFINITION_ATTRIBUTE)


def trial_counts(study):
    """How many of the study's trials are in each `TrialState`."""
    from optuna.trial import TrialState

    counts = dict.fromkeys(TrialState, 0)
    for trial in study.get_trials(deepcopy=False):
        counts[trial.state] += 1
    return counts


def _mark_lost_run(trial, study):
    # The stale trial's run folder, if it is on this machine, says so too
    # (the worker that wrote it cannot any more).
    run_dir = trial.user_attrs.get("run_dir")
    if not run_dir or not os.path.isdir(run_dir):
        return
    run = Run(run_dir)
    message = (f"Its sweep worker stopped sending heartbeats (killed or lost); trial "
               f"{trial.number} of study {study.study_name!r} was marked failed.")
    if run.status is RunStatus.RUNNING:
        run.set_status(RunStatus.FAILED, error=message)
    try:
        link = run.trial()
    except MnistKerasError:
        link = None
    if link is not None and link.state == "running":
        run.write_trial(dataclasses.replace(link, state="failed", error=message))


def stale_trial_handler():
    """Optuna's callback for a trial whose worker died: mark its run, retry it once."""
    from optuna.storages import RetryHeartbeatStaleTrialCallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental since Optuna 2.8, and stable since
        retry = RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRIES)

    def on_stale_trial(study, trial):
        _mark_lost_run(trial, study)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            retry(study, trial)

    return on_stale_trial


def fail_stale_trials(study):
    """Fails the study's trials whose workers stopped sending heartbeats."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
