"""Ticked runs evaluated together: each model alone, then their averaged probabilities.

An ensemble is judged on the whole test set of the runs' dataset, the same
images for every model, so the rows compare like with like. Each model's
probabilities are kept per file (and modification time) and TTA choice:
ticking one more run costs one model's predictions, not all of them again.
"""

import functools
import os

import numpy as np

from dashboard.shared import loaded_models
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import raw_images
from mnist_keras.datasets import scale_pixels
from mnist_keras.errors import MnistKerasError
from mnist_keras.evaluation import predict_probabilities
from mnist_keras.runs import run_in

MAX_ENSEMBLE = 4


def ensemble_rows(runs_dir, names, tta=False):
    """Test accuracy of each run's model and of their ensemble, on the same images.

    Args:
        runs_dir: the runs folder.
        names: two or more finished runs with models, all evaluated on one
            dataset.
        tta: average each model over the image and its one-pixel shifts.

    Returns:
        `(rows, test_images)`: rows `{model, accuracy, mistakes}`, one per run
        then one for the ensemble, accuracy a fraction.

    Raises:
        MnistKerasError: for fewer than two or more than `MAX_ENSEMBLE` runs,
            a run without a model, or runs of different datasets.
    """
    if not 2 <= len(names) <= MAX_ENSEMBLE:
        raise MnistKerasError(f"Tick 2 to {MAX_ENSEMBLE} finished runs to evaluate them as an "
                              f"ensemble (ticked: {len(names)}).")
    configs = [run_in(runs_dir, name).config() for name in names]
    sources = {(config.dataset, config.data_dir) for config in configs}
    if len(sources) > 1:
        raise MnistKerasError("An ensemble needs runs of one dataset; these differ: "
                              + ", ".join(f"{name} ({config.dataset})"
                                          for name, config in zip(names, configs)))
    dataset, data_dir = sources.pop()
    labels = raw_images(data_dir, dataset)[3]
    probabilities = [_probabilities(runs_dir, name, dataset, data_dir, bool(tta))
                     for name in names]
    rows = [_row(name, p, labels) for name, p in zip(names, probabilities)]
    rows.append(_row(f"ensemble of {len(names)}", np.mean(probabilities, axis=0), labels))
    return rows, len(labels)


def _row(model, probabilities, labels):
    right = int((probabilities.argmax(axis=1) == labels).sum())
    return {"model": model, "accuracy": right / len(labels), "mistakes": len(labels) - right}


def _probabilities(runs_dir, name, dataset, data_dir, tta):
    loaded = loaded_models.load(runs_dir, name)
    path = run_in(runs_dir, name).file("model.keras")
    return _cached_probabilities(path, os.path.getmtime(path), dataset, data_dir, tta, loaded)


@functools.lru_cache(maxsize=16)
def _cached_probabilities(path, mtime, dataset, data_dir, tta, loaded):
    # Keyed on the file and its modification time: a replaced model is predicted again.
    images = scale_pixels(raw_images(data_dir, dataset)[2])
    with loaded.lock:
        try:
            return predict_probabilities(loaded.model, images, tta=tta)
        except ValueError as error:  # a model whose input does not fit the images
            raise MnistKerasError(f"{os.path.basename(os.path.dirname(path))} cannot predict "
                                  f"these images: {said(error)}") from None
