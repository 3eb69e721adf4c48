"""One real training: the default CNN on a small MNIST subset, through the CLI's library path."""

import json

import pytest

import mnist_keras as mk


@pytest.mark.integration
def test_default_cnn_learns_real_mnist_subset(tmp_path):
    config = mk.TrainingConfig(train_size=3_000, test_size=1_000, epochs=2, batch_size=64)
    result = mk.train(config, run_dir=tmp_path / "run")
    assert result.status == "completed"
    assert result.metrics["num_params"] == 225_930
    # 2 epochs on 2,700 images reach ~94% here; 90% leaves room for seeds and platforms.
    assert result.metrics["test_accuracy"] > 0.90
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test_accuracy"] == result.metrics["test_accuracy"]
    reloaded = mk.load_model(tmp_path / "run" / "model.keras")
    data = mk.load_dataset(train_size=1_000, test_size=1_000, validation_split=0)
    again = mk.evaluate(reloaded, data.x_test, data.y_test)
    assert again.accuracy == pytest.approx(metrics["test_accuracy"], abs=1e-9)
