"""The Draw panel's "Why?" cards say what an empty map means."""

import numpy as np

from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.pretrained import load_pretrained


def test_an_empty_map_is_said_in_words(monkeypatch):
    # Regression: Grad-CAM is all zero for about 1 digit in 8 of the default CNN,
    # and the dashboard showed the blank map without a word.
    import mnist_keras.explain
    from dashboard.panels.draw.why import saliency_figure

    monkeypatch.setattr(mnist_keras.explain, "saliency",
                        lambda model, image, method: np.zeros((28, 28)))
    _, _, images, _ = load_raw()
    figure = saliency_figure(load_pretrained(), scale_pixels(images[:1])[0, ..., 0], "gradcam")
    caption = figure.children[1].children
    assert caption.startswith("gradcam: an empty map for 7 (no part of the drawing raised")
    assert "integrated gradients or SmoothGrad show it" in caption
