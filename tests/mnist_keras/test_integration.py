"""One real training: the default CNN on a small MNIST subset, through the CLI's library path."""

import json

import numpy as np
import pytest

import mnist_keras as mk


@pytest.mark.integration
def test_default_cnn_learns_real_mnist_subset(tmp_path):
    config = mk.TrainingConfig(train_size=5_000, test_size=1_000, epochs=3, batch_size=32)
    result = mk.train(config, run_dir=tmp_path / "run")
    assert result.status == "completed"
    assert result.metrics.num_params == 225_930
    # 3 epochs on 5,000 images reach 95-96% here (seeds 0 and 1); 90% leaves room for
    # platforms. Fewer steps leave BatchNorm's moving averages unsettled and the result noisy.
    assert result.metrics.test_accuracy > 0.90
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test_accuracy"] == result.metrics.test_accuracy
    reloaded = mk.load_model(tmp_path / "run" / "model.keras")
    data = mk.load_dataset(train_size=1_000, test_size=1_000, validation_split=0)
    again = mk.evaluate(reloaded, data.x_test, data.y_test)
    assert again.accuracy == pytest.approx(metrics["test_accuracy"], abs=1e-9)
    # The same digits as someone would upload them: black ink on white, larger, off-centre.
    _, _, test_images, test_labels = mk.datasets.load_raw()
    pages = []
    for image in test_images[:100]:
        page = np.full((200, 240), 255, np.uint8)
        page[30:142, 90:202] = 255 - np.kron(image, np.ones((4, 4), np.uint8))
        pages.append(page)
    predictions = mk.predict_digits(reloaded, pages)
    redrawn = np.mean([p.label == label for p, label in zip(predictions, test_labels[:100])])
    original = np.mean(np.argmax(reloaded.predict(mk.scale_pixels(test_images[:100]),
                                                  verbose=0), axis=1) == test_labels[:100])
    assert redrawn >= original - 0.05
