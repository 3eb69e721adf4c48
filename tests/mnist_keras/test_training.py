import json
import os

import keras
import numpy as np
import pytest

from mnist_keras.callbacks import StopSignal
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.optimizers import make_optimizer, make_schedule
from mnist_keras.runs import load_model
from mnist_keras.sinks import read_jsonl
from mnist_keras.training import train
from tests.conftest import RequestStopAfter


def _config(data_dir, **overrides):
    settings = dict(model="mlp", data_dir=data_dir, train_size=1_200, test_size=1_000,
                    epochs=1, batch_size=64, learning_rate=3e-3, validation_split=0.1)
    settings.update(overrides)
    return TrainingConfig(**settings)


def test_schedules_follow_their_definitions():
    assert make_schedule("constant", 0.01, 10, 5) == 0.01
    exponential = make_schedule("exponential", 0.01, 10, 5)
    assert float(exponential(10)) == pytest.approx(0.009)  # x0.9 per epoch
    cosine = make_schedule("cosine", 0.01, 10, 5)
    assert float(cosine(0)) == pytest.approx(0.01) and float(cosine(50)) == pytest.approx(1e-4)
    restarts = make_schedule("cosine-restarts", 0.01, 10, 5)
    assert float(restarts(9)) < 0.001 and float(restarts(10)) == pytest.approx(0.009, rel=0.01)
    with pytest.raises(MnistKerasError, match="schedule"):
        make_schedule("step", 0.01, 10, 5)


@pytest.mark.parametrize("name, cls", [
    ("adam", keras.optimizers.Adam), ("sgd", keras.optimizers.SGD),
    ("rmsprop", keras.optimizers.RMSprop), ("adamw", keras.optimizers.AdamW),
    ("muon", keras.optimizers.Muon),
])
def test_optimizers_are_keras_own(name, cls):
    optimizer = make_optimizer(name, 0.01)
    assert type(optimizer) is cls
    if name == "sgd":
        assert optimizer.momentum == 0.9


def test_gradient_clipping_bounds_each_step():
    # SGD without momentum moves a weight by lr x gradient: a gradient of norm
    # 10 clipped to 0.5 moves it by exactly 0.5 (learning rate 1).
    for clip, moved in ((None, 10.0), (0.5, 0.5)):
        optimizer = make_optimizer("sgd", 1.0, momentum=0.0, gradient_clip_norm=clip)
        weight = keras.Variable(np.zeros(2, dtype="float32"))
        optimizer.apply_gradients([(keras.ops.convert_to_tensor([6.0, 8.0]), weight)])
        assert float(np.linalg.norm(keras.ops.convert_to_numpy(weight))) == \
            pytest.approx(moved, rel=1e-5)


def test_gradient_clipping_reaches_the_training_optimizer(synthetic_data_dir):
    # Without augmentation the trained model is the one compiled with the optimizer.
    result = train(_config(synthetic_data_dir, gradient_clip_norm=1.0, augment=False))
    assert result.model.optimizer.global_clipnorm == 1.0
    plain = train(_config(synthetic_data_dir, augment=False))
    assert plain.model.optimizer.global_clipnorm is None


def test_unknown_optimizer_is_reported():
    with pytest.raises(MnistKerasError, match="optimizer"):
        make_optimizer("lion", 0.01)


def test_train_writes_the_run_folder_and_learns(tmp_path, synthetic_data_dir):
    run_dir = tmp_path / "run"
    result = train(_config(synthetic_data_dir, epochs=2), run_dir=run_dir)
    assert result.status == "completed" and result.run_dir == str(run_dir)
    files = sorted(os.listdir(run_dir))
    # No resumable state once completed: a finished run keeps its size.
    assert files == ["config.json", "environment.json", "events.jsonl", "history.json",
                     "metrics.json", "model.keras", "status.json", "tensorboard"]
    config = json.loads((run_dir / "config.json").read_text())
    assert config["epochs"] == 2 and config["model"] == "mlp"
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.9  # the synthetic bars are easy
    assert metrics["num_params"] == 109_386 and metrics["epochs_done"] == 2
    assert metrics["best_epoch"]["monitor"] == "val_accuracy"
    assert metrics["stopped_early"] is None and metrics["replicas"] is None
    assert len(metrics["confusion_matrix"]) == 10 and len(metrics["per_class"]) == 10
    assert sum(map(sum, metrics["confusion_matrix"])) == 1_000
    history = json.loads((run_dir / "history.json").read_text())
    assert [e["epoch"] for e in history["epochs"]] == [1, 2]
    # 1,080 images / 64 per batch: 17 steps an epoch, recorded after each
    # execution of several steps, the last record of an epoch at its last step.
    last = [b for b in history["batches"] if b["batch"] == 17]
    assert [b["epoch"] for b in last] == [1, 2] and history["batches"][-1]["step"] == 34
    events, _ = read_jsonl(run_dir / "events.jsonl")
    assert events[0]["type"] == "start" and events[-1]["type"] == "end"
    assert json.loads((run_dir / "status.json").read_text())["status"] == "completed"
    model = load_model(run_dir / "model.keras")
    np.testing.assert_allclose(model.get_weights()[0], result.model.get_weights()[0])


def test_same_seed_gives_same_weights(synthetic_data_dir):
    first = train(_config(synthetic_data_dir, seed=7)).model.get_weights()
    second = train(_config(synthetic_data_dir, seed=7)).model.get_weights()
    third = train(_config(synthetic_data_dir, seed=8)).model.get_weights()
    for a, b in zip(first, second):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert not np.allclose(first[0], third[0])


def test_existing_run_is_never_overwritten(tmp_path, synthetic_data_dir):
    train(_config(synthetic_data_dir), run_dir=tmp_path / "run")
    before = (tmp_path / "run" / "model.keras").read_bytes()
    with pytest.raises(MnistKerasError, match="already holds a run"):
        train(_config(synthetic_data_dir), run_dir=tmp_path / "run")
    assert (tmp_path / "run" / "model.keras").read_bytes() == before


def test_cancelled_training_keeps_and_evaluates_what_was_trained(tmp_path, synthetic_data_dir):
    stop = StopSignal()
    result = train(_config(synthetic_data_dir, epochs=50), run_dir=tmp_path / "run",
                   callbacks=[RequestStopAfter(stop, 5), stop])
    assert result.status == "cancelled"
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "cancelled"
    assert (tmp_path / "run" / "model.keras").exists()
    # Cancelled after five recorded executions, long before the 50 epochs.
    assert len(result.history.batches) == 5 and result.metrics.epochs_done < 50


class _Crash(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise RuntimeError("disk on fire")


def test_crash_marks_the_run_failed(tmp_path, synthetic_data_dir):
    with pytest.raises(RuntimeError, match="disk on fire"):
        train(_config(synthetic_data_dir), run_dir=tmp_path / "run", callbacks=[_Crash()])
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "failed" and status["error"] == "disk on fire"
    assert (tmp_path / "run" / "config.json").exists()


def test_settings_refused_before_training_leave_no_folder(tmp_path):
    # Regression: a bad data folder used to leave a `failed` run folder that
    # made the corrected command refuse to start ("already holds a run").
    with pytest.raises(MnistKerasError, match="existing folder"):
        train(_config(str(tmp_path / "no-such-data")), run_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_a_job_folder_records_a_refusal(tmp_path):
    # A dashboard job's folder exists (status only) before training starts:
    # a refusal is recorded there, so the page can say why.
    from mnist_keras.runs import Run

    Run.create(tmp_path / "job").set_status("running", phase="starting")
    with pytest.raises(MnistKerasError, match="existing folder"):
        train(_config(str(tmp_path / "no-such-data")), run_dir=tmp_path / "job")
    state = Run(tmp_path / "job").state()
    assert state.status == "failed" and "existing folder" in state.error


def test_augmentation_trains_but_is_not_saved(tmp_path, synthetic_data_dir):
    result = train(_config(synthetic_data_dir, model="cnn-gap", augment=True, rotation=5.0),
                   run_dir=tmp_path / "run")
    saved = load_model(tmp_path / "run" / "model.keras")
    names = [layer.name for layer in saved.layers]
    assert not any("random" in name or "augmentation" in name for name in names)
    assert saved.count_params() == result.model.count_params() == 5_322


def test_schedule_and_label_smoothing_reach_keras(synthetic_data_dir):
    result = train(_config(synthetic_data_dir, epochs=2, schedule="exponential",
                           label_smoothing=0.1, optimizer="sgd", learning_rate=0.05))
    rates = [e["learning_rate"] for e in result.history.epochs]
    # 17 steps per epoch; the rate after epoch 1 is 0.05 * 0.9.
    assert rates[0] == pytest.approx(0.045, rel=1e-4)
    assert rates[1] == pytest.approx(0.0405, rel=1e-4)


def test_early_stopping_stops_and_restores(synthetic_data_dir):
    # Validation labels that contradict the training labels: the better the
    # model learns, the worse the validation loss, so it stops early. (A test
    # that relied on a diverging learning rate kept improving on some CPUs.)
    import dataclasses

    from mnist_keras.datasets import load_dataset

    data = load_dataset("mnist", synthetic_data_dir, 1_200, 1_000, 0.1, seed=0)
    data = dataclasses.replace(data, y_val=(data.y_val + 1) % 10)
    result = train(_config(synthetic_data_dir, epochs=30, early_stopping_patience=1),
                   data=data)
    assert result.metrics.epochs_done <= 3
    val_losses = [e["val_loss"] for e in result.history.epochs]
    assert val_losses[1] > val_losses[0]
    # The metrics say why it stopped, and which epoch was best, not only the last.
    best = result.metrics.best_epoch
    epochs = result.history.epochs
    assert result.metrics.stopped_early == "early_stopping"
    assert best.monitor == "val_accuracy"
    assert best.value == max(e["val_accuracy"] for e in epochs)
    assert epochs[best.epoch - 1]["val_accuracy"] == best.value
    assert best.val_loss == epochs[best.epoch - 1]["val_loss"]


class _Interrupt(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def test_ctrl_c_marks_the_run_interrupted_and_keeps_its_files(tmp_path, synthetic_data_dir):
    with pytest.raises(KeyboardInterrupt):
        train(_config(synthetic_data_dir), run_dir=tmp_path / "run", callbacks=[_Interrupt()])
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "failed" and status["error"].startswith("Interrupted (Ctrl+C)")
    events, _ = read_jsonl(tmp_path / "run" / "events.jsonl")
    assert events[0]["type"] == "start"  # what was recorded before the interrupt is flushed


def test_several_steps_per_execution_keep_live_records_and_batch_means(synthetic_data_dir):
    from mnist_keras.pipeline import steps_per_execution_for

    config = _config(synthetic_data_dir, epochs=1)
    result = train(config)
    batches = result.history.batches
    model = result.model
    steps = steps_per_execution_for(model, config.batch_size)
    assert steps > 1 and len(batches) == -(-17 // steps)  # one record per execution
    # The running mean is rebuilt from the records' own batch means.
    rebuilt = sum(b["batch_loss"] * (b["batch"] - (batches[i - 1]["batch"] if i else 0))
                  for i, b in enumerate(batches)) / 17
    assert rebuilt == pytest.approx(batches[-1]["loss"], rel=1e-4)


def test_sparse_targets_unless_label_smoothing_needs_one_hot(synthetic_data_dir):
    # The same data trains either way; only the targets' form differs.
    for smoothing in (0.0, 0.1):
        result = train(_config(synthetic_data_dir, epochs=2, label_smoothing=smoothing))
        assert result.metrics.test_accuracy > 0.9
