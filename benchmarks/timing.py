"""Timing helpers shared by the benchmarks."""

import statistics
import time

import keras

import mnist_keras as mk


def time_calls(function, repeats):
    """Calls `function` once to warm up, then `repeats` times.

    Returns:
        `(median, fastest, slowest)` in milliseconds.
    """
    function()  # the first call loads, traces and compiles
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), min(times), max(times)


class TestAccuracyCurve(keras.callbacks.Callback):
    """Evaluates on the test set after every epoch: the time-to-accuracy curve.

    `curve` holds `(training seconds so far, test accuracy)` per epoch; the
    evaluation itself is not counted as training time.
    """

    def __init__(self, data, label="", verbose=True):
        super().__init__()
        self.data, self.label, self.verbose = data, label, verbose
        self.training_seconds = 0.0
        self.curve = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.started
        self.training_seconds += seconds
        accuracy = mk.evaluate(self.model, self.data.x_test, self.data.y_test).accuracy
        self.curve.append((self.training_seconds, accuracy))
        if self.verbose:
            print(f"    {self.label} epoch {epoch + 1:3d}  {seconds:6.1f} s"
                  f"  {self.training_seconds:6.0f} s so far"
                  f"  {len(self.data.x_train) / seconds:7.0f} samples/s"
                  f"  test_acc {accuracy:.4f}", flush=True)

    def first_reaching(self, accuracy):
        """`(seconds, epoch)` of the first epoch at `accuracy` or more, or None."""
        for epoch, (seconds, reached) in enumerate(self.curve, 1):
            if reached >= accuracy:
                return seconds, epoch
        return None


def untrained_run(runs_dir, name="cnn", model="cnn"):
    """A finished run folder holding an untrained model: for timing, not accuracy.

    Returns:
        The `mnist_keras.runs.Run`.
    """
    import os

    from mnist_keras.config import TrainingConfig
    from mnist_keras.models import build_model
    from mnist_keras.runs import Run, RunConfig, RunStatus

    run = Run.create(os.path.join(runs_dir, name))
    run.write_config(RunConfig.for_training(TrainingConfig(model=model)))
    run.save_model(build_model(model))
    run.set_status(RunStatus.COMPLETED)
    return run
