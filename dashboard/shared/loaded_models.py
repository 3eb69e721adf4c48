"""Trained models of finished runs, loaded once and kept for prediction and inspection.

Loading a `.keras` file takes about half a second; a drawing is predicted in a
few milliseconds. So models are cached by file and modification time (a file
that changes is read again), with the extractors inspection needs built once
beside them. A lock per model serialises calls from the server's threads.
"""

import functools
import os
import threading

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in


class LoadedModel:
    """A run's model with its inspection extractors, built on first use."""

    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()
        self._feature_extractor = None
        self._activation_extractor = None

    @property
    def feature_extractor(self):
        """`(extractor, names)` for conv and pooling layers, or None if it has none."""
        from mnist_keras.inspection import feature_map_model

        if self._feature_extractor is None:
            try:
                self._feature_extractor = feature_map_model(self.model)
            except ValueError:
                self._feature_extractor = False
        return self._feature_extractor or None

    @property
    def activation_extractor(self):
        from mnist_keras.inspection import activation_model

        if self._activation_extractor is None:
            self._activation_extractor = activation_model(self.model)
        return self._activation_extractor


def has_model(run):
    """Whether a run finished with a saved model (a cancelled run keeps what it trained)."""
    return run.status.is_finished and os.path.exists(run.file("model.keras"))


def load(runs_dir, name):
    """The `LoadedModel` of run `name`.

    Raises:
        MnistKerasError: for a name that is not a run of `runs_dir`, a run
            without a model, or a file that cannot be read.
    """
    run = run_in(runs_dir, name)
    if not has_model(run):
        raise MnistKerasError(f"Run {name!r} has no trained model.")
    path = run.file("model.keras")
    # One load per file at a time: twenty tabs asking for a model at once wait
    # for the first load instead of each reading the file.
    with _loading_locks.setdefault(path, threading.Lock()):  # setdefault is atomic
        return _load_cached(path, os.path.getmtime(path))


_loading_locks = {}


@functools.lru_cache(maxsize=8)
def _load_cached(path, mtime):
    from mnist_keras.runs import load_model

    return LoadedModel(load_model(path))
