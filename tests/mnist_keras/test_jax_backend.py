"""The library trains, evaluates, prunes and reloads under Keras' JAX backend (on the CPU).

Keras picks its backend once per process, so this runs the command line in a
child process with `KERAS_BACKEND=jax`.
"""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("jax")


def run_under_jax(*args):
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    completed = subprocess.run([sys.executable, "-m", "mnist_keras.cli", *args],
                               capture_output=True, text=True, env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(completed.stdout)


def test_training_pruning_and_evaluation_work_under_jax(tmp_path, synthetic_data_dir):
    data = ["--data-dir", synthetic_data_dir, "--train-size", "1200", "--test-size", "1000"]
    run_dir = tmp_path / "jax-run"
    trained = run_under_jax("train", "--run-dir", str(run_dir), "--model", "simple", *data,
                            "--epochs", "2", "--validation-split", "0.1",
                            "--label-smoothing", "0.1", "--json")
    assert trained["test_accuracy"] > 0.9  # the synthetic bars are learnt in two epochs
    assert len((run_dir / "events.jsonl").read_text().splitlines()) > 2  # live records

    # The augmentation layers run under JAX too. (The synthetic classes are bars
    # 2 px apart, so shifts and zoom would swap labels: those stay off here.)
    augmented = run_under_jax(
        "train", "--run-dir", str(tmp_path / "jax-augmented"), "--model", "simple", *data,
        "--epochs", "1", "--augment", "--rotation", "0", "--zoom", "0", "--translation", "0",
        "--stroke-width", "0.5", "--blur", "0.3", "--contrast", "0.3", "--binarize", "0.2",
        "--json")
    assert augmented["status"] == "completed" and augmented["test_accuracy"] > 0.3

    pruned = run_under_jax(
        "prune", str(run_dir / "model.keras"), "--sparsity", "0.5", "--fine-tune-epochs", "1",
        "--run-dir", str(tmp_path / "jax-pruned"), "--json",
    )
    assert pruned["sparsity"]["sparsity"] == pytest.approx(0.5, abs=1e-4)
    assert pruned["test_accuracy"] > 0.9

    evaluated = run_under_jax("evaluate", str(run_dir / "model.keras"),
                              str(tmp_path / "jax-pruned" / "model.keras"), "--tta",
                              "--data-dir", synthetic_data_dir, "--json")
    assert evaluated["test_accuracy"] > 0.9
