"""Hyperparameter sweeps on Optuna: studies whose trials are runs.

    mnist-keras sweep --study lr --trials 20 --runs-dir runs --epochs 3

- `space`: which settings a sweep varies (`SearchSpace`, `default_space`).
- `storage`: where the study lives (`storage_url`: the runs folder's SQLite
  file by default, or any database URL, such as PostgreSQL for many machines).
- `worker`: `run_sweep`, one worker; start several on one storage to share
  the trials.
- `study`: how a study is set up and shared: sampler, pruner, the recorded
  sweep definition workers must match, recovery of trials whose worker died.
- `reporting`: `TrialReporter`, the Keras callback that feeds Optuna's pruner.
- `trials`: the trials of a study as table rows and CSV (dashboard, scripts).

Nothing here imports Optuna or Keras until a function needs it.
"""

from mnist_keras.sweeps.space import SearchSpace, default_space
from mnist_keras.sweeps.storage import display_url, open_storage, storage_url
from mnist_keras.sweeps.study import study_definition
from mnist_keras.sweeps.trials import study_names, trial_rows, trials_csv
from mnist_keras.sweeps.worker import (
    SweepResult,
    check_sweep,
    run_sweep,
    sweep_stop_file,
)

__all__ = [
    "SearchSpace",
    "SweepResult",
    "check_sweep",
    "default_space",
    "display_url",
    "open_storage",
    "run_sweep",
    "storage_url",
    "study_definition",
    "study_names",
    "sweep_stop_file",
    "trial_rows",
    "trials_csv",
]
