"""What the page shows of the runs folder: pickers' options, the runs table, the bundled images.

Read by several panels (a run picker is in many of them; the Sweeps panel
refreshes the runs table when it opens a study's runs).
"""

import functools

from dashboard.shared.formatting import duration
from dashboard.shared.limits import MAX_PREDICT_RUNS
from mnist_keras.datasets import DatasetSummary, dataset_summary, read_dataset
from mnist_keras.errors import MnistKerasError


def run_label(summary):
    """`name · model · status · accuracy` for the run picker (from a `RunSummary`)."""
    parts = [summary.name, summary.model_label, summary.status.value]
    if summary.test_accuracy is not None:
        parts.append(f"{100 * summary.test_accuracy:.2f}%")
    return " · ".join(parts)


def run_options(index, finished_only=False):
    """Dropdown options for the runs in `index`, newest first.

    Args:
        index: the runs folder's `RunIndex`.
        finished_only: only runs with a trained model.
    """
    runs = [run for run in index.refresh() if run.has_model or not finished_only]
    return [{"label": run_label(run), "value": run.name} for run in reversed(runs)]


def raw_images(data_dir=None, dataset="mnist"):
    """The full uint8 train and test images and labels, read once per dataset.

    A cache rather than app state: the files never change while the app runs.
    """
    return _cached_raw_dataset(data_dir, dataset)[:4]


def raw_dataset(data_dir=None, dataset="mnist"):
    """`raw_images` and the dataset's class names, as a 5-tuple (cached likewise)."""
    return _cached_raw_dataset(data_dir, dataset)


def data_summary(dataset, data_dir=None):
    """`dataset_summary`, from the cached arrays for an IDX dataset.

    The data settings are checked on every page load and every change; an IDX
    set (the bundled MNIST too) is read once, as the panels that show its
    images read it. An image folder is counted afresh: that decodes nothing,
    and its files may change while the app runs.
    """
    if dataset == "images":
        return dataset_summary(dataset, data_dir)
    train_images, _, test_images, _, class_names = raw_dataset(data_dir, dataset)
    return DatasetSummary(dataset, tuple(class_names), len(train_images), len(test_images))


@functools.lru_cache(maxsize=4)
def _cached_raw_dataset(data_dir, dataset):
    # Positional, normalised arguments: lru_cache keys on how it is called.
    return read_dataset(dataset, data_dir)


def table_rows(index):
    """One row per run, oldest first (new runs are appended, so ticks stay put).

    Args:
        index: the runs folder's `RunIndex`.
    """
    rows = []
    for run in index.refresh():
        rows.append({
            "id": run.name, "name": run.name, "model": run.model_label,
            "parameters": f"{run.num_params:,}" if run.num_params is not None else "",
            "non-zero": f"{run.nonzero_params:,}" if run.nonzero_params is not None else "",
            # A number (percent), so the table sorts and filters it as one (`> 98`).
            "accuracy": (round(100 * run.test_accuracy, 2) if run.test_accuracy is not None
                         else None),
            "duration": duration(run.train_seconds),
            # A sweep's pruned trial completed what it was let train: say so.
            "status": run.status.value + (" (pruned)" if run.stopped_early == "pruned" else ""),
            "parent": run.parent_run or "",
            "tags": ", ".join(run.tags),
            "note": run.note,
        })
    return rows


def ticked(rows, selected_rows):
    """Names of the ticked rows."""
    rows = rows or []
    return [rows[i]["name"] for i in selected_rows or [] if 0 <= i < len(rows)]


def one_ticked(rows, selected_rows, action):
    """The one ticked run's name, or a sentence saying what to tick.

    >>> one_ticked([{"name": "a"}, {"name": "b"}], [1], "prune")
    'b'
    >>> one_ticked([{"name": "a"}], [], "prune")
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Tick one run in the table to prune it: none is ticked.
    """
    names = ticked(rows, selected_rows)
    if len(names) != 1:
        state = "none is ticked" if not names else f"{len(names)} are ticked"
        raise MnistKerasError(f"Tick one run in the table to {action} it: {state}.")
    return names[0]


def chosen_runs(selected, limit=MAX_PREDICT_RUNS):
    """The selected run names, at most `limit` of them."""
    return list(selected or [])[:limit]
