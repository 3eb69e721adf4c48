"""`RunRecorder`: one callback in a user's own `model.fit` makes a run like any other.

    recorder = mk.RunRecorder("runs/my-net")
    model.fit(x, y, epochs=5, callbacks=[recorder])

While the model trains, the run folder holds its status (`running`, with this
process's id) and the live batch and epoch records, so a dashboard in another
process follows it; at the end it holds the model and, for a model from
28x28x1 images to classes, the same metrics as any run. It then works
wherever a run works: compare, ensembles, drawing, explanations, pruning,
export.

Keras calls no callback when `fit` raises, so the recorder also ends its run
when the exception reaches the top (a script's uncaught error, Ctrl+C, a
notebook cell's error under IPython) or leaves a `with RunRecorder(...)`
block: `failed` with the error's first line, `cancelled` for Ctrl+C (what was
trained is kept and evaluated). A process killed outright is marked failed by
whoever reads the run next, as for any run.
"""

import atexit
import contextlib
import numbers
import os
import sys
import threading
import time
import traceback

import keras

from mnist_keras.callbacks import MetricsRecorder, current_learning_rate, history_of
from mnist_keras.code_models import describe_code_model
from mnist_keras.environment import current_environment
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import BestEpoch, Run, RunConfig, RunStatus
from mnist_keras.sinks import JsonlSink, MemorySink

__all__ = ["RunRecorder"]

# What a person may add to a recorded run's settings: a few plain values.
MAX_SETTINGS = 50
MAX_SETTING_NAME = 40
MAX_SETTING_TEXT = 200


class RunRecorder(keras.callbacks.Callback):
    """Records a user's own `model.fit` as a run folder, live, under the run contract.

    Args:
        run_dir: the new run's folder (created; one that holds a run is refused).
        settings: extra settings to record, a dict of names to plain values
            (text, numbers, booleans); they override what the recorder reads
            from the model (`optimizer`, `learning_rate`, `loss`, `epochs`,
            `steps_per_epoch`).
        test_data: `(x, y)` to evaluate the finished model on: images shaped
            `(N, 28, 28, 1)` and scaled as the model was trained, integer labels.
            Defaults to the 10,000 bundled MNIST test images (scaled to [0, 1]).
        class_names: one name per class. Defaults to the digits.
        batch_size: the batch size `fit` was given (Keras does not tell
            callbacks), recorded as a setting.
        batch_records: whether to record every batch (the live loss curve).
            Defaults to True.

    Attributes:
        run: the `Run`, once training started.

    Raises:
        MnistKerasError: for a folder that holds a run, settings that are not
            plain values, or test data of the wrong shape.

    Example:

    ```python
    recorder = mk.RunRecorder("runs/my-net", settings={"note": "wider"}, batch_size=128)
    model.fit(x_train, y_train, batch_size=128, epochs=3, callbacks=[recorder])
    recorder.run.metrics().test_accuracy
    # 0.9871
    ```
    """

    def __init__(self, run_dir, settings=None, test_data=None, class_names=None,
                 batch_size=None, batch_records=True):
        super().__init__()
        self.run_dir = os.fspath(run_dir)
        if os.path.exists(self.run_dir) and not os.path.isdir(self.run_dir):
            raise expected("a folder path for the run", run_dir=self.run_dir)
        if Run(self.run_dir).is_run():
            raise expected("a new run folder (this one already holds a run)",
                           run_dir=self.run_dir)
        self.settings = _checked_settings(settings or {})
        if batch_size is not None:
            if not isinstance(batch_size, int) or isinstance(batch_size, bool) \
                    or batch_size < 1:
                raise expected("batch_size as a whole number of at least 1",
                               batch_size=batch_size)
            self.settings.setdefault("batch_size", batch_size)
        self.test_data = _checked_test_data(test_data)
        self.class_names = None if class_names is None else [str(c) for c in class_names]
        self.batch_records = batch_records
        self.run = None
        self._memory = self._live = self._records = None
        self._thread = None

    # The context manager form ends the run however the block ends.

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if error is not None:
            self._end_abruptly(error)
        return False

    # Keras' hooks.

    def on_train_begin(self, logs=None):
        if self.run is not None:
            raise expected("a new RunRecorder (and run folder) for each model.fit",
                           run_dir=self.run_dir)
        _end_others_in_this_thread(self)
        run = Run.create(self.run_dir)
        try:
            code_model = describe_code_model(self.model)
            evaluated_on = "mnist" if self.test_data is None else "given"
            run.write_config(RunConfig.for_code(
                code_model, {**self._read_settings(), **self.settings}, dataset=evaluated_on,
                test_size=10_000 if self.test_data is None else len(self.test_data[1])))
            run.write_environment(current_environment())
            run.set_status(RunStatus.RUNNING, phase="training")
        except BaseException:
            self._set_status(run, RunStatus.FAILED, error="The run could not be started.")
            raise
        self.run = run
        self._memory = MemorySink()
        self._live = JsonlSink(run.file("events.jsonl"))
        self._records = MetricsRecorder([self._memory, self._live], self.batch_records)
        self._records.set_model(self.model)
        self._records.set_params(self.params)
        self._thread = threading.get_ident()
        _OPEN.add(self)
        _install_exception_hooks()
        self._records.on_train_begin(logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._records.on_epoch_begin(epoch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._records.on_train_batch_end(batch, _with_accuracy(logs))

    def on_epoch_end(self, epoch, logs=None):
        self._records.on_epoch_end(epoch, _with_accuracy(logs))

    def on_train_end(self, logs=None):
        self._records.on_train_end(logs)
        self._finish(RunStatus.COMPLETED)

    # The end of the run.

    def _read_settings(self):
        """What the model and `fit` tell: the optimizer, its learning rate, the loss, epochs."""
        settings = {"epochs": self.params.get("epochs"),
                    "steps_per_epoch": self.params.get("steps")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            settings["optimizer"] = type(optimizer).__name__.lower()
            with contextlib.suppress(TypeError, ValueError):  # not a number: left out
                settings["learning_rate"] = current_learning_rate(optimizer)
            schedule = getattr(optimizer, "_learning_rate", None)
            if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
                settings["schedule"] = type(schedule).__name__
        loss = getattr(self.model, "loss", None)
        if loss is not None:
            settings["loss"] = str(loss if isinstance(loss, str) else
                                   getattr(loss, "name", None) or type(loss).__name__)[:100]
        return {key: value for key, value in settings.items() if value is not None}

    def _finish(self, status):
        _OPEN.discard(self)
        self._live.close()
        history = history_of(self._memory.records())
        train_seconds = sum(r.get("epoch_seconds", 0.0) for r in history.epochs)
        metrics, note = self._evaluate(history, train_seconds)
        self.run.write_json("history.json", history.to_dict())
        if metrics is None:
            self.run.save_model(self.model)
            self._set_status(self.run, status, note=note, finished=time.time())
        else:
            self.run.save_results(self.model, metrics, history, status)

    def _evaluate(self, history, train_seconds):
        """The run's metrics, or None and why (a model that is not a digit classifier)."""
        from mnist_keras.evaluation import evaluate, run_metrics
        from mnist_keras.runs import check_digit_classifier

        outputs = getattr(self.model, "outputs", None)
        classes = (int(outputs[0].shape[-1]) if outputs and len(outputs) == 1
                   and outputs[0].shape[-1] else len(self.class_names or range(10)))
        try:
            check_digit_classifier(self.model, classes)
        except MnistKerasError as error:
            return None, f"No metrics: they need a model from 28x28x1 images to classes. {error}"
        if self.test_data is None:
            from mnist_keras.datasets import load_dataset

            data = load_dataset("mnist", train_size=1_000, test_size=10_000, validation_split=0)
            x, y, names, dataset, indices = (data.x_test, data.y_test, data.class_names,
                                             data.name, data.test_indices)
        else:
            (x, y), dataset, indices = self.test_data, "given", None
            names = [str(c) for c in range(classes)]
        names = self.class_names or names
        if len(names) != classes or (y.max() >= classes if len(y) else False):
            return None, (f"No metrics: the model has {classes} classes, the test data "
                          f"{len(names)} names and labels up to {int(y.max())}.")
        evaluation = evaluate(self.model, x, y, num_classes=classes)
        monitor = "val_accuracy" if any("val_accuracy" in r for r in history.epochs) \
            else "accuracy"
        return run_metrics(evaluation, self.model, class_names=names, dataset=dataset,
                           test_indices=indices, train_seconds=train_seconds,
                           epochs_done=len(history.epochs),
                           best_epoch=BestEpoch.of(history.epochs, monitor)), None

    def _end_abruptly(self, error):
        """Ends a run that `fit` left by an exception: cancelled for Ctrl+C, else failed."""
        if self not in _OPEN:
            return
        if isinstance(error, KeyboardInterrupt):
            try:
                self._finish(RunStatus.CANCELLED)
                return
            except Exception:  # a model that cannot be saved: the run still ends, failed
                pass
        _OPEN.discard(self)
        self._live.close()
        message = ("Interrupted (Ctrl+C) before training finished."
                   if isinstance(error, KeyboardInterrupt) else
                   _first_line(error) if error is not None else
                   "Training stopped without finishing (the fit raised, or the process ended).")
        trace = "".join(traceback.format_exception(error))[-4000:] if error else None
        self._set_status(self.run, RunStatus.FAILED, error=message, traceback=trace,
                         finished=time.time())

    @staticmethod
    def _set_status(run, status, **details):
        # A folder that went away has nothing left to record into.
        with contextlib.suppress(OSError, MnistKerasError):
            run.set_status(status, **{k: v for k, v in details.items() if v is not None})


def _first_line(error):
    text = str(error).strip()
    return (text.splitlines()[0][:300] if text else type(error).__name__)


def _with_accuracy(logs):
    """`logs` with `accuracy` (and `val_accuracy`) under those names.

    A model compiled with `sparse_categorical_accuracy` or `acc` reports its
    accuracy under that name; the records and the dashboard read `accuracy`.
    """
    if not logs:
        return logs
    logs = dict(logs)
    for prefix in ("", "val_"):
        if f"{prefix}accuracy" in logs:
            continue
        for key in list(logs):
            if prefix == "" and key.startswith("val_") or not key.startswith(prefix):
                continue
            bare = key[len(prefix):]
            if bare.endswith("accuracy") or bare == "acc":
                logs[f"{prefix}accuracy"] = logs[key]
                break
    return logs


def _checked_settings(settings):
    if not isinstance(settings, dict):
        raise expected("settings as a dict of names to values", settings=type(settings).__name__)
    if len(settings) > MAX_SETTINGS:
        raise expected(f"at most {MAX_SETTINGS} settings", settings=len(settings))
    checked = {}
    for name, value in settings.items():
        if not isinstance(name, str) or not name or len(name) > MAX_SETTING_NAME:
            raise expected(f"setting names of 1-{MAX_SETTING_NAME} characters",
                           name=str(name)[:60])
        if isinstance(value, str):
            value = value[:MAX_SETTING_TEXT]
        elif value is not None and not isinstance(value, (bool, numbers.Real)):
            raise expected("settings of text, numbers or booleans",
                           **{name: type(value).__name__})
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = int(value) if isinstance(value, numbers.Integral) else float(value)
        checked[name] = value
    return checked


def _checked_test_data(test_data):
    if test_data is None:
        return None
    import numpy as np

    try:
        x, y = test_data
        x, y = np.asarray(x, dtype=np.float32), np.asarray(y).astype(np.int64).reshape(-1)
    except (TypeError, ValueError) as error:
        raise expected("test_data as (images, integer labels)", error=str(error)[:100]) \
            from None
    if x.ndim != 4 or tuple(x.shape[1:]) != (28, 28, 1) or len(x) != len(y) or not len(y) \
            or y.min() < 0:
        raise expected("test images shaped (N, 28, 28, 1) with N labels of 0 or more",
                       images=tuple(x.shape), labels=len(y))
    return x, y


# The recorders whose fit has begun and not ended, for the exception hooks. Held
# strongly: a recorder written inline (`callbacks=[RunRecorder(...)]`) has no other
# owner once its fit raised, and must still end its run.
_OPEN = set()
_hooks_installed = False


def _end_others_in_this_thread(current):
    # Fits do not nest in one thread: an open recorder of this thread belongs
    # to a fit that raised (caught in a notebook cell, say).
    for recorder in list(_OPEN):
        if recorder is not current and recorder._thread == threading.get_ident():
            recorder._end_abruptly(None)


def _end_open_recorders(error):
    for recorder in list(_OPEN):
        recorder._end_abruptly(error)


def _install_exception_hooks():
    """Ends open runs when an exception reaches the top of a script or a notebook cell."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    previous = sys.excepthook

    def excepthook(kind, error, trace):
        _end_open_recorders(error)
        previous(kind, error, trace)

    sys.excepthook = excepthook
    atexit.register(_end_open_recorders, None)
    shell = _ipython_shell()
    if shell is not None and getattr(shell, "CustomTB", None) is None:
        def on_cell_error(shell, kind, error, trace, tb_offset=None):
            _end_open_recorders(error)
            shell.showtraceback((kind, error, trace), tb_offset=tb_offset)

        shell.set_custom_exc((BaseException,), on_cell_error)


def _ipython_shell():
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:  # an IPython too old or half imported: no cell hook
        return None
