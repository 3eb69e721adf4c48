"""Saliency maps drawn over their digit: readable at a glance for every method."""

import numpy as np
import pytest

from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.explain import saliency
from mnist_keras.explain.overlay import INK_UNDER_MAP, heat_colors, overlay
from mnist_keras.pretrained import load_pretrained
from mnist_keras.registries import SALIENCY_METHODS


def test_overlay_enlarges_and_dims_the_ink_under_an_empty_map():
    image = np.zeros((28, 28))
    image[5:20, 12:15] = 1.0
    picture = overlay(image, np.zeros((28, 28)), scale=3)
    assert picture.shape == (84, 84, 3) and picture.dtype == np.uint8
    # No evidence: the digit itself, dimmed (white ink made the bright end invisible).
    assert picture.max() == round(255 * INK_UNDER_MAP) and picture[0, 0].tolist() == [0, 0, 0]
    # Full evidence: the ramp's top colour shows over the ink.
    full = overlay(image, np.ones((28, 28)), scale=1)
    assert np.abs(full[10, 13].astype(int) - heat_colors(np.ones((1, 1)))[0, 0]).max() < 40
    # NaN in a map is no evidence, not a crash.
    assert overlay(image, np.full((28, 28), np.nan), scale=1).max() == round(255 * INK_UNDER_MAP)


@pytest.mark.parametrize("method", SALIENCY_METHODS.names())
def test_each_methods_map_differs_visibly_from_the_plain_digit(method):
    # Regression: integrated gradients and SmoothGrad were pale tints on white
    # ink, nearly invisible. Where a map puts the stronger half of its evidence,
    # the picture must move far from the plain digit: 50 levels in some channel (measured 61-78;
    # a few before).
    _, _, images, _ = load_raw()
    model = load_pretrained()
    for digit in scale_pixels(images[:3])[..., 0]:
        heat = np.asarray(saliency(model, digit, method=method))
        if not heat.max() > 0:
            continue  # an empty map is said in words (the dashboard's caption)
        plain = overlay(digit, np.zeros((28, 28)), scale=1).astype(int)
        shown = overlay(digit, heat, scale=1).astype(int)
        strongest = heat >= np.quantile(heat[heat > 0], 0.5)
        distance = np.abs(shown - plain).max(axis=2)[strongest].mean()
        assert distance >= 50, (method, distance)

