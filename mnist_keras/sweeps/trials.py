"""A study's trials as table rows and CSV: what the dashboard's table and its export show."""

import csv
import io

# Columns every row has, in order; the searched settings follow them.
COLUMNS = ("trial", "state", "value", "best_epoch", "final_val_accuracy", "test_accuracy",
           "epochs_done", "seconds", "run", "host", "retry_of", "note")
_STATES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed",
           "RUNNING": "running", "WAITING": "waiting"}


def study_names(storage):
    """The names of the studies in a storage (an `RDBStorage` or a URL), sorted.

    Raises:
        MnistKerasError: for a storage that cannot be opened.
    """
    import optuna

    from mnist_keras.sweeps.storage import open_storage

    if isinstance(storage, str):
        storage = open_storage(storage)
    return sorted(optuna.study.get_all_study_names(storage))


def _seconds(trial, now):
    if trial.datetime_start is None:
        return None
    end = trial.datetime_complete or now
    return round((end - trial.datetime_start).total_seconds(), 1)


def trial_rows(trials, now=None):
    """One row (a flat dict) per trial, by trial number.

    Args:
        trials: `optuna.trial.FrozenTrial`s (`study.get_trials()`).
        now: the time a running trial's duration runs to (a `datetime`);
            defaults to now.

    Returns:
        A list of dicts with the keys in `COLUMNS`, then one per searched
        setting (`lr`, ...) as `param:NAME`: `state` is complete, pruned,
        failed, running or waiting; `value` the best epoch's validation
        accuracy (a pruned trial's last reported one); `seconds` from start to
        end; `run` the run folder's name.

    Example:

    ```python
    rows = trial_rows(study.get_trials())
    rows[0]["state"], rows[0]["param:learning_rate"]
    # ('complete', 0.0031)
    ```
    """
    import datetime

    now = now or datetime.datetime.now()
    rows = []
    for trial in sorted(trials, key=lambda t: t.number):
        attributes = trial.user_attrs
        note = attributes.get("error") or ""
        if attributes.get("surplus"):
            note = "not run: the study already had its trials"
        retry_of = trial.system_attrs.get("failed_trial")
        row = {
            "trial": trial.number,
            "state": _STATES.get(trial.state.name, trial.state.name.lower()),
            "value": trial.value if trial.values else None,
            "best_epoch": attributes.get("best_epoch"),
            "final_val_accuracy": attributes.get("final_val_accuracy"),
            "test_accuracy": attributes.get("test_accuracy"),
            "epochs_done": attributes.get("epochs_done"),
            "seconds": _seconds(trial, now),
            # A waiting retry still carries the attributes of the trial it retries.
            "run": attributes.get("run") if trial.state.name != "WAITING" else None,
            "host": attributes.get("host"),
            "retry_of": retry_of,
            "note": note,
        }
        row.update({f"param:{name}": value for name, value in sorted(trial.params.items())})
        rows.append(row)
    return rows


def trials_csv(rows):
    """The rows of `trial_rows` as CSV text: the fixed columns, then the settings.

    >>> trials_csv([{"trial": 0, "state": "complete", "value": 0.9, "param:lr": 0.01}])
    'trial,state,value,...,note,lr\\r\\n0,complete,0.9,...,,0.01\\r\\n'
    """
    params = sorted({key for row in rows for key in row if key.startswith("param:")})
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*COLUMNS, *(key[len("param:"):] for key in params)])
    for row in rows:
        writer.writerow(["" if row.get(key) is None else row.get(key)
                         for key in (*COLUMNS, *params)])
    return buffer.getvalue()
