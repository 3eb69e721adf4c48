"""Runs that can be reproduced: the environment record, deterministic ops, `reproduce`."""

import json
import shutil

import pytest

from mnist_keras.cli import main
from mnist_keras.config import TrainingConfig
from mnist_keras.determinism import op_determinism_enabled
from mnist_keras.environment import KERNEL_FEATURES
from mnist_keras.errors import MnistKerasError
from mnist_keras.reproduction import compare_weights, reproduce_run
from mnist_keras.runs import Run, RunStatus
from mnist_keras.training import train


def _config(data_dir, **settings):
    # Augmentation and dropout on: their random draws must repeat too.
    return TrainingConfig(**{**dict(
        model="simple", data_dir=data_dir, train_size=1_000, test_size=200, epochs=2,
        batch_size=64, validation_split=0.1, augment=True, dropout=0.2,
        deterministic=True), **settings})


@pytest.fixture(scope="module")
def deterministic_run(tmp_path_factory, synthetic_data_dir):
    run_dir = tmp_path_factory.mktemp("reproducible") / "first"
    train(_config(synthetic_data_dir), run_dir=run_dir)
    return run_dir


def test_a_run_records_its_environment(deterministic_run):
    environment = Run(deterministic_run).environment()
    assert environment.backend == "tensorflow" and environment.backend_version
    assert environment.keras and environment.numpy and environment.python
    assert set(environment.cpu_features) <= set(KERNEL_FEATURES)
    assert len(environment.data_sha256) == 64 and environment.data_images == 1_000
    assert environment.seed == 0 and environment.deterministic is True
    # The process's determinism is back to what it was once training ends.
    assert not op_determinism_enabled()


def test_a_deterministic_run_reproduces_bit_for_bit(deterministic_run, tmp_path, capsys):
    # Through the command, which prints what `reproduce_run` found.
    assert main(["reproduce", str(deterministic_run), "--run-dir", str(tmp_path / "again"),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["identical"] and result["max_weight_difference"] == 0.0
    assert result["values"] > 1_000 and result["tensors"] >= 4
    assert result["accuracy_difference"] == 0.0 and result["environment_differences"] == {}
    assert Run(tmp_path / "again").config().training.deterministic
    assert main(["reproduce", str(tmp_path / "missing")]) == 2
    assert "a run folder" in capsys.readouterr().err


def test_a_difference_names_its_weights_and_environment():
    from mnist_keras.reproduction import Reproduction

    result = Reproduction(original="runs/a", reproduced="runs/b", identical=False, tensors=6,
                          values=10_000, max_weight_difference=3.2e-5, accuracy=0.981,
                          reproduced_accuracy=0.979,
                          environment_differences={"keras": ("3.0.0", "3.15.0")},
                          original_deterministic=False)
    lines = result.lines()
    assert lines[0] == "weights: differ, largest difference 3.2e-05 (6 tensors, 10,000 values)"
    assert "(difference -0.0020)" in lines[1]
    assert lines[2] == "environment: keras '3.0.0' then, '3.15.0' now"
    assert "trained without deterministic ops" in lines[3]
    assert result.to_dict()["environment_differences"] == {"keras": ["3.0.0", "3.15.0"]}


def test_weights_that_differ_are_measured():
    import keras

    from mnist_keras.models import build_model

    keras.utils.set_random_seed(0)
    first = build_model("simple")
    keras.utils.set_random_seed(1)
    second = build_model("simple")
    identical, tensors, values, largest = compare_weights(first, second)
    assert not identical and tensors >= 4 and values > 1_000 and 0 < largest < float("inf")
    assert compare_weights(first, first)[0]
    assert compare_weights(first, build_model("mlp"))[3] == float("inf")


def test_only_a_completed_run_from_settings_is_reproduced(deterministic_run, tmp_path):
    with pytest.raises(MnistKerasError, match="a run folder"):
        reproduce_run(tmp_path / "nothing")
    failed = tmp_path / "failed"
    shutil.copytree(deterministic_run, failed)
    Run(failed).set_status(RunStatus.FAILED, error="killed")
    with pytest.raises(MnistKerasError, match="a completed run"):
        reproduce_run(failed)
    uploaded = tmp_path / "uploaded"
    uploaded.mkdir()
    (uploaded / "config.json").write_text('{"origin": "upload", "source_file": "m.keras"}')
    (uploaded / "status.json").write_text('{"status": "completed"}')
    with pytest.raises(MnistKerasError, match="an uploaded model has none"):
        reproduce_run(uploaded)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failed", "uploaded"]
