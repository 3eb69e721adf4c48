import io

import keras
import numpy as np
import pytest

from mnist_keras.callbacks import MetricsRecorder, ProgressBar, StopSignal, current_learning_rate
from mnist_keras.sinks import MemorySink
from tests.conftest import RequestStopAfter


@pytest.fixture
def tiny_problem():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(200, 28, 28, 1)).astype("float32")
    y = keras.utils.to_categorical(np.arange(200) % 10, 10)
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_recorder_emits_start_batches_epochs_and_end(tiny_problem):
    model, x, y = tiny_problem
    sink = MemorySink()
    model.fit(x, y, batch_size=50, epochs=2, validation_data=(x[:20], y[:20]),
              callbacks=[MetricsRecorder([sink])], verbose=0)
    types = [r["type"] for r in sink.records()]
    assert types[0] == "start" and types[-1] == "end"
    assert sink.records(kind="start")[0]["steps_per_epoch"] == 4
    batches = sink.records(kind="batch")
    assert [(b["epoch"], b["batch"], b["step"]) for b in batches][:5] == [
        (1, 1, 1), (1, 2, 2), (1, 3, 3), (1, 4, 4), (2, 1, 5)]
    assert all(b["batch_seconds"] > 0 for b in batches)
    epochs = sink.records(kind="epoch")
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "epoch_seconds",
            "learning_rate"} <= set(epochs[0])
    assert epochs[0]["learning_rate"] == pytest.approx(1e-3)
    # The last batch's running mean is the epoch's loss, and the per-batch
    # losses average back to it (equal batch sizes here).
    first_epoch = [b for b in batches if b["epoch"] == 1]
    assert first_epoch[-1]["loss"] == pytest.approx(epochs[0]["loss"], rel=1e-5)
    assert np.mean([b["batch_loss"] for b in first_epoch]) == pytest.approx(
        epochs[0]["loss"], rel=1e-4)
    assert sink.records(kind="end")[0]["epochs_done"] == 2


def test_recorder_can_skip_batch_records(tiny_problem):
    model, x, y = tiny_problem
    sink = MemorySink()
    recorder = MetricsRecorder([sink], batch_records=False)
    model.fit(x, y, batch_size=50, epochs=1, callbacks=[recorder], verbose=0)
    assert not sink.records(kind="batch") and len(sink.records(kind="epoch")) == 1


def test_stop_signal_ends_training_after_the_current_batch(tiny_problem):
    model, x, y = tiny_problem
    stop, sink = StopSignal(), MemorySink()
    model.fit(x, y, batch_size=10, epochs=5,
              callbacks=[RequestStopAfter(stop, 3), stop, MetricsRecorder([sink])], verbose=0)
    assert stop.requested
    assert len(sink.records(kind="batch")) == 3
    assert len(sink.records(kind="epoch")) == 1


def test_stop_file_requests_a_stop_from_another_process(tiny_problem, tmp_path):
    model, x, y = tiny_problem
    stop_file = tmp_path / "STOP"
    stop = StopSignal(stop_file=stop_file)
    assert not stop.requested
    stop_file.write_text("")
    sink = MemorySink()
    model.fit(x, y, batch_size=10, epochs=3, callbacks=[stop, MetricsRecorder([sink])], verbose=0)
    assert stop.requested and len(sink.records(kind="batch")) == 1


def test_progress_bar_draws_epochs_and_metrics(tiny_problem):
    model, x, y = tiny_problem
    out = io.StringIO()
    model.fit(x, y, batch_size=50, epochs=2, callbacks=[ProgressBar(file=out)], verbose=0)
    text = out.getvalue()
    assert "epoch 1/2" in text and "epoch 2/2" in text and "4/4" in text and "loss=" in text


def test_current_learning_rate_evaluates_schedules():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = keras.optimizers.SGD(schedule)
    assert current_learning_rate(optimizer) == pytest.approx(0.1)
