"""Resumable runs: the state kept at each epoch's end, a run killed with -9 resumed to the bit."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from mnist_keras.cli import main
from mnist_keras.errors import MnistKerasError
from mnist_keras.reproduction import compare_weights, resume_training
from mnist_keras.resuming import RESUME_FOLDER, epochs_kept, resumable_run
from mnist_keras.runs import Run, RunStatus, load_model
from mnist_keras.training import train
from tests.mnist_keras.test_reproduction import _config

EPOCHS = 4


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, synthetic_data_dir):
    run_dir = tmp_path_factory.mktemp("whole") / "run"
    train(_config(synthetic_data_dir, epochs=EPOCHS), run_dir=run_dir)
    return run_dir


def _killed_after_epoch(run_dir, data_dir, epoch):
    """Trains in a child process and kills it (SIGKILL) once `epoch` is kept."""
    code = ("import sys\nfrom mnist_keras.training import train\n"
            "from tests.mnist_keras.test_reproduction import _config\n"
            f"train(_config({str(data_dir)!r}, epochs={EPOCHS}), run_dir={str(run_dir)!r})\n")
    child = subprocess.Popen([sys.executable, "-c", code], cwd=os.getcwd(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while epochs_kept(Run(run_dir)) < epoch:
            assert child.poll() is None, "the training ended before it was killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    return epochs_kept(Run(run_dir))


def test_a_completed_run_keeps_no_state(uninterrupted):
    assert not (uninterrupted / RESUME_FOLDER).exists()
    with pytest.raises(MnistKerasError, match="a completed run has nothing left"):
        resumable_run(uninterrupted)


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(uninterrupted, tmp_path,
                                                                synthetic_data_dir):
    run_dir = tmp_path / "killed"
    kept = _killed_after_epoch(run_dir, synthetic_data_dir, epoch=2)
    assert 2 <= kept < EPOCHS
    # Left "running" by a process that is gone: resumable.
    assert Run(run_dir).status is RunStatus.RUNNING
    assert resumable_run(run_dir)[2] == kept
    result = resume_training(run_dir)
    assert result.status is RunStatus.COMPLETED
    identical, _, values, largest = compare_weights(
        load_model(Run(uninterrupted).file("model.keras")), result.model)
    assert identical and largest == 0.0 and values > 1_000
    # One record per epoch, in order, as if never interrupted; the state is gone.
    history = Run(run_dir).history()
    assert [record["epoch"] for record in history.epochs] == list(range(1, EPOCHS + 1))
    steps = [record["step"] for record in history.batches]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    whole = Run(uninterrupted).history()
    assert [r["loss"] for r in history.epochs] == pytest.approx(
        [r["loss"] for r in whole.epochs], abs=0)
    assert not (run_dir / RESUME_FOLDER).exists()
    assert result.metrics.test_accuracy == Run(uninterrupted).metrics().test_accuracy
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in events if r["type"] == "epoch"] == list(range(1, EPOCHS + 1))


def test_resume_refuses_what_cannot_continue(uninterrupted, tmp_path, synthetic_data_dir,
                                              capsys):
    with pytest.raises(MnistKerasError, match="a run folder"):
        resumable_run(tmp_path / "missing")
    # Stopped before its first epoch ended (or trained before state was kept).
    early = tmp_path / "early"
    early.mkdir()
    (early / "config.json").write_text((uninterrupted / "config.json").read_text())
    Run(early).set_status(RunStatus.FAILED, error="killed")
    with pytest.raises(MnistKerasError, match="stopped before its first epoch ended"):
        resumable_run(early)
    # A run whose process still trains (another live process).
    Run(early).set_status(RunStatus.RUNNING, pid=os.getppid())
    with pytest.raises(MnistKerasError, match="not training now"):
        resumable_run(early)
    # A pruning run keeps no state (its masks are not part of it).
    pruned = tmp_path / "pruned"
    pruned.mkdir()
    settings = json.loads((uninterrupted / "config.json").read_text())
    settings.update(sparsity=0.5, parent_model=str(uninterrupted / "model.keras"))
    (pruned / "config.json").write_text(json.dumps(settings))
    Run(pruned).set_status(RunStatus.FAILED, error="killed")
    with pytest.raises(MnistKerasError, match="a pruning run keeps no state"):
        resumable_run(pruned)
    # The command: one line, before Keras, and no settings beside --resume.
    assert main(["train", "--resume", str(uninterrupted)]) == 2
    assert "a completed run has nothing left" in capsys.readouterr().err
    assert main(["train", "--resume", str(early), "--epochs", "3"]) == 2
    assert "no settings beside --resume" in capsys.readouterr().err


def test_a_kill_just_after_an_epochs_state_is_kept_loses_no_record(tmp_path, monkeypatch,
                                                                   synthetic_data_dir):
    # Regression (a CI flake): the state of epoch 2 was kept before its record was
    # written, and a kill in between left a resumed history of epochs 1, 3, 4.
    import mnist_keras.training as training

    real = training.backup_callback

    def killed_after_keeping_epoch_2(run):
        callback = real(run)
        keep = callback.on_epoch_end

        def on_epoch_end(epoch, logs=None):
            keep(epoch, logs)
            if epoch == 1:
                raise KeyboardInterrupt  # as if killed right after the state was kept

        callback.on_epoch_end = on_epoch_end
        return callback

    monkeypatch.setattr(training, "backup_callback", killed_after_keeping_epoch_2)
    run_dir = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        train(_config(synthetic_data_dir, epochs=3), run_dir=run_dir)
    monkeypatch.setattr(training, "backup_callback", real)
    assert resumable_run(run_dir)[2] == 2
    resume_training(run_dir)
    assert [r["epoch"] for r in Run(run_dir).history().epochs] == [1, 2, 3]
