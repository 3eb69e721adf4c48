"""The run store: one folder per run, every file written atomically.

```
RUN_DIR/config.json    the TrainingConfig, exactly as trained
RUN_DIR/status.json    running | completed | cancelled | failed, with times and error
RUN_DIR/events.jsonl   the live record stream (see callbacks.MetricsRecorder)
RUN_DIR/history.json   per-epoch metrics and subsampled batch metrics
RUN_DIR/metrics.json   test_accuracy, test_loss, num_params, train_seconds,
                       confusion_matrix, per_class, misclassified
RUN_DIR/model.keras    the trained model (Keras 3 native format)
```
"""

import json
import os
import time

import keras

from mnist_keras.atomic import atomic_path, atomic_write_json
from mnist_keras.errors import MnistKerasError, expected

STATUSES = ("running", "completed", "cancelled", "failed")
FINISHED = ("completed", "cancelled")


class Run:
    """A run folder.

    Args:
        path: the folder.

    Example:

    >>> run = Run.create("runs/first")  # doctest: +SKIP
    >>> run.write_json("config.json", {"epochs": 1})  # doctest: +SKIP
    >>> run.set_status("completed")  # doctest: +SKIP
    """

    def __init__(self, path):
        self.path = os.fspath(path)

    @classmethod
    def create(cls, path):
        """Creates a new run folder; refuses one that already holds a run.

        Raises:
            MnistKerasError: if `path` is a file or already holds a run, so an
                earlier run is never overwritten.
        """
        path = os.fspath(path)
        if os.path.exists(path) and not os.path.isdir(path):
            raise expected("a folder path for the run", run_dir=path)
        if os.path.exists(os.path.join(path, "config.json")):
            raise expected("a new run folder (this one already holds a run)", run_dir=path)
        os.makedirs(path, exist_ok=True)
        return cls(path)

    def file(self, name):
        return os.path.join(self.path, name)

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.path))

    def write_json(self, name, obj):
        atomic_write_json(self.file(name), obj)

    def read_json(self, name, default=None):
        """Reads one of the run's JSON files; `default` if missing or damaged."""
        try:
            with open(self.file(name), encoding="utf-8") as f:
                return json.load(f)
        except (FileNotFoundError, ValueError):
            return default

    def set_status(self, status, **details):
        """Records the run's status (`running`, `completed`, `cancelled`, `failed`)."""
        if status not in STATUSES:
            raise expected(f"a status in {STATUSES}", status=status)
        record = self.read_json("status.json", {}) or {}
        record.update(details, status=status, updated=time.time())
        if status == "running":
            record.setdefault("started", time.time())
            record.setdefault("pid", os.getpid())
        self.write_json("status.json", record)

    @property
    def status(self):
        return (self.read_json("status.json") or {}).get("status", "unknown")

    def save_model(self, model):
        with atomic_path(self.file("model.keras")) as tmp:
            model.save(tmp)

    def load_model(self):
        return load_model(self.file("model.keras"))


def load_model(path):
    """Loads a `.keras` model in Keras safe mode (no code from the file runs).

    Args:
        path: a `.keras` file.

    Returns:
        The `keras.Model`, uncompiled.

    Raises:
        MnistKerasError: if the file is missing, not a `.keras` archive, or
            cannot be loaded safely.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise expected("an existing .keras model file", model=path)
    if not path.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", model=path)
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many types for a bad archive.
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise MnistKerasError(
            f"Expected a loadable Keras 3 model ({reason}). Received: model={path!r}"
        ) from None


def check_digit_classifier(model, num_classes=10):
    """Raises unless `model` maps 28x28x1 images to `num_classes` outputs.

    Raises:
        MnistKerasError: naming the shapes it has.
    """
    input_shape = tuple(model.inputs[0].shape)[1:] if getattr(model, "inputs", None) else None
    output_shape = tuple(model.outputs[0].shape)[1:] if getattr(model, "outputs", None) else None
    if input_shape != (28, 28, 1) or output_shape != (num_classes,):
        raise expected(f"a model from 28x28x1 images to {num_classes} classes",
                       input_shape=input_shape, output_shape=output_shape)


def list_runs(runs_dir):
    """Returns the runs under `runs_dir` (folders with a config.json), oldest first."""
    if not os.path.isdir(runs_dir):
        return []
    runs = [
        Run(os.path.join(runs_dir, name))
        for name in os.listdir(runs_dir)
        if os.path.isfile(os.path.join(runs_dir, name, "config.json"))
    ]
    return sorted(runs, key=lambda run: os.path.getmtime(run.file("config.json")))
