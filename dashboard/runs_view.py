"""What the page shows of the runs folder: the run picker's options and summaries."""

import functools
import os

from dashboard.jobs import list_runs_and_starting
from mnist_keras.datasets import load_raw


def run_label(run):
    """`name · model · status · accuracy` for the run picker."""
    config = run.read_json("config.json") or {}
    metrics = run.read_json("metrics.json") or {}
    parts = [run.name, os.path.basename(str(config.get("model", "?"))), run.status]
    if "test_accuracy" in metrics:
        parts.append(f"{100 * metrics['test_accuracy']:.2f}%")
    return " · ".join(parts)


def run_options(runs_dir):
    """Dropdown options for every run, newest first, and a key that changes with them."""
    runs = list_runs_and_starting(runs_dir)[::-1]
    options = [{"label": run_label(run), "value": run.name} for run in runs]
    return options, "|".join(option["label"] for option in options)


def raw_images(data_dir=None, dataset="mnist"):
    """The full uint8 train and test images and labels, read once per dataset.

    A cache rather than app state: the files never change while the app runs.
    """
    return _cached_raw_images(data_dir, dataset)


@functools.lru_cache(maxsize=4)
def _cached_raw_images(data_dir, dataset):
    # Positional, normalised arguments: lru_cache keys on how it is called.
    return load_raw(dataset, data_dir)
