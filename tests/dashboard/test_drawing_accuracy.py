"""Drawn digits are predicted about as well as the test digits they were drawn from."""

import json

import numpy as np
import pytest

from dashboard.panels.draw.canvas import render_strokes
from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.prediction import predict_digits
from mnist_keras.runs import load_model
from tests.strokes import digit_to_strokes

COUNT = 300


@pytest.mark.integration
def test_mnist_digits_redrawn_as_canvas_strokes_keep_their_accuracy(small_cnn_run):
    model = load_model(small_cnn_run / "model.keras")
    test_accuracy = json.loads((small_cnn_run / "metrics.json").read_text())["test_accuracy"]
    _, _, images, labels = load_raw()
    picks = np.random.default_rng(0).choice(len(images), COUNT, replace=False)
    original = np.mean(model.predict_on_batch(scale_pixels(images[picks])).argmax(axis=1)
                       == labels[picks])
    drawings = [render_strokes(digit_to_strokes(images[i])) for i in picks]
    predictions = predict_digits(model, drawings)
    drawn = np.mean([p.label == labels[i] for p, i in zip(predictions, picks)])
    print(f"test accuracy {test_accuracy:.3f}, these {COUNT} digits {original:.3f}, "
          f"re-drawn as strokes {drawn:.3f}")
    assert drawn >= original - 0.08
