"""Training callbacks: metric recording to sinks, a stop signal, a progress bar."""

import os
import sys
import threading
import time

import keras
import numpy as np

from mnist_keras.runs import RunHistory
from mnist_keras.sinks import subsample

# history.json keeps at most this many batch records (evenly subsampled); the
# full stream stays in events.jsonl.
MAX_HISTORY_BATCHES = 2_000


def history_of(records):
    """The `RunHistory` of a `MetricsRecorder`'s records: every epoch, at most 2,000 batches."""
    return RunHistory(
        epochs=tuple(r for r in records if r["type"] == "epoch"),
        batches=tuple(subsample([r for r in records if r["type"] == "batch"],
                                MAX_HISTORY_BATCHES)))


def current_learning_rate(optimizer):
    """Returns the optimizer's learning rate now, as a float (schedules evaluated)."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))


class MetricsRecorder(keras.callbacks.Callback):
    """Emits batch- and epoch-level training records to one or more sinks.

    Records (dicts) by `"type"`:

    - `"start"`: `epochs`, `steps_per_epoch`, `time`.
    - `"batch"`: `epoch` (1-based), `batch` (1-based), `step` (global),
      `loss`/`accuracy` (Keras' running means over the epoch so far),
      `batch_loss`/`batch_accuracy` (the batches since the last record,
      recovered from the running means), `batch_seconds` (time per batch).
    - `"epoch"`: `epoch`, `loss`, `accuracy`, `val_loss`, `val_accuracy`
      (when validating), `epoch_seconds`, `learning_rate`.
    - `"end"`: `epochs_done`, `stopped_early`, `train_seconds`.

    When the model runs several steps per execution (`steps_per_execution`),
    Keras calls batch hooks once per execution, with the last step's index: a
    `"batch"` record then covers the batches since the previous one.

    Args:
        sinks: objects with `write(record)` and `flush()`, e.g. `MemorySink`,
            `JsonlSink`.
        batch_records: whether to emit `"batch"` records. Defaults to True.

    Example:

    >>> from mnist_keras.sinks import MemorySink
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    >>> model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"])
    >>> sink = MemorySink()
    >>> _ = model.fit(np.zeros((8, 4)), np.eye(2)[[0, 1] * 4], batch_size=4, epochs=2,
    ...               verbose=0, callbacks=[MetricsRecorder([sink])])
    >>> [(r["epoch"], r["batch"]) for r in sink.records(kind="batch")]
    [(1, 1), (1, 2), (2, 1), (2, 2)]
    """

    def __init__(self, sinks, batch_records=True):
        super().__init__()
        self.sinks = list(sinks)
        self.batch_records = batch_records
        self._epoch = 0
        self._step = 0

    def _emit(self, record):
        for sink in self.sinks:
            sink.write(record)

    def on_train_begin(self, logs=None):
        self._train_start = time.perf_counter()
        self._step = 0
        self._epochs_done = 0
        self._emit({
            "type": "start",
            "epochs": self.params.get("epochs"),
            "steps_per_epoch": self.params.get("steps"),
            "time": time.time(),
        })

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch + 1
        # A resumed training starts at a later epoch: its steps count on from there.
        self._step = max(self._step, epoch * (self.params.get("steps") or 0))
        self._epoch_start = self._batch_start = time.perf_counter()
        self._previous = {"loss": 0.0, "accuracy": 0.0}
        self._batches_done = 0

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        # An epoch's last execution may run fewer steps than asked, and Keras
        # still reports its planned last index.
        done, before = min(batch + 1, self.params.get("steps") or batch + 1), self._batches_done
        steps = max(1, done - before)
        self._step += steps
        self._batches_done = done
        if not self.batch_records:
            return
        record = {"type": "batch", "epoch": self._epoch, "batch": done, "step": self._step}
        for key in ("loss", "accuracy"):
            if logs and key in logs:
                running = float(logs[key])
                # Keras reports the mean over the epoch so far; the new
                # batches' own mean is the difference of the running sums
                # (batches of one epoch are equal-sized but for the last).
                record[key] = running
                record[f"batch_{key}"] = (running * done - self._previous[key] * before) / steps
                self._previous[key] = running
        record["batch_seconds"] = (now - self._batch_start) / steps
        self._batch_start = now
        self._emit(record)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        record = {"type": "epoch", "epoch": epoch + 1}
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            if key in logs:
                record[key] = float(logs[key])
        record["epoch_seconds"] = time.perf_counter() - self._epoch_start
        record["learning_rate"] = current_learning_rate(self.model.optimizer)
        self._epochs_done = epoch + 1
        self._emit(record)
        for sink in self.sinks:
            sink.flush()

    def on_train_end(self, logs=None):
        self._emit({
            "type": "end",
            "epochs_done": self._epochs_done,
            "stopped_early": bool(getattr(self.model, "stop_training", False)),
            "train_seconds": time.perf_counter() - self._train_start,
        })
        for sink in self.sinks:
            sink.flush()


class StopSignal(keras.callbacks.Callback):
    """Ends training cleanly after the current batch when asked.

    Ask from another thread with `request()`, or from another process by
    creating `stop_file` (the dashboard does this to cancel a job). The
    model keeps what it learned so far; `requested` tells afterwards whether
    training was cancelled.

    Args:
        stop_file: optional path whose existence requests a stop.

    Example:

    ```python
    stop = StopSignal()
    threading.Timer(5, stop.request).start()
    model.fit(x, y, epochs=100, callbacks=[stop])
    ```
    """

    def __init__(self, stop_file=None):
        super().__init__()
        self.stop_file = None if stop_file is None else os.fspath(stop_file)
        self._event = threading.Event()

    def request(self):
        """Asks training to stop after the current batch."""
        self._event.set()

    @property
    def requested(self):
        if not self._event.is_set() and self.stop_file and os.path.exists(self.stop_file):
            self._event.set()
        return self._event.is_set()

    def on_train_batch_end(self, batch, logs=None):
        if self.requested:
            self.model.stop_training = True


class ProgressBar(keras.callbacks.Callback):
    """A tqdm progress bar per epoch, with loss and accuracy as it goes.

    Args:
        file: stream to draw on. Defaults to `sys.stderr`, so `--json` output
            on stdout stays clean.
    """

    def __init__(self, file=None):
        super().__init__()
        self.file = file

    def on_epoch_begin(self, epoch, logs=None):
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=self.params.get("steps"),
            desc=f"epoch {epoch + 1}/{self.params.get('epochs')}",
            unit="batch",
            file=self.file or sys.stderr,
            dynamic_ncols=True,
            leave=True,
        )

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        # Several steps per execution: Keras reports the last one's index.
        self._bar.update(min(batch + 1, self._bar.total or batch + 1) - self._bar.n)
        if "loss" in logs:
            self._bar.set_postfix(
                loss=f"{float(logs['loss']):.4f}", acc=f"{float(logs.get('accuracy', np.nan)):.4f}",
                refresh=False,
            )

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {
            key: f"{float(logs[key]):.4f}"
            for key in ("loss", "accuracy", "val_loss", "val_accuracy")
            if key in logs
        }
        self._bar.set_postfix(shown, refresh=False)
        self._bar.close()
