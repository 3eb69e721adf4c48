"""What the page shows of the runs folder: the run picker's options, the bundled images."""

import functools

from mnist_keras.datasets import DatasetSummary, dataset_summary, read_dataset


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
