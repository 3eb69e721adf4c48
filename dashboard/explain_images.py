"""Explanation pictures as PNG data URIs: a map over its input, an input as the model saw it."""

import base64
import io

import numpy as np
from PIL import Image


def rgb_data_uri(pixels):
    """Encodes an (H, W, 3) uint8 array as a PNG data URI."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(pixels, np.uint8), mode="RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def saliency_uri(image, heat, scale=5):
    """The 28x28 input in grey with its saliency map over it."""
    from mnist_keras.explain import overlay

    return rgb_data_uri(overlay(image, heat, scale=scale))


def input_uri(image, scale=5):
    """A 28x28 model input in [0, 1] (white on black), enlarged."""
    grey = np.rint(np.clip(np.asarray(image, np.float64).reshape(28, 28), 0, 1) * 255)
    picture = np.kron(grey.astype(np.uint8), np.ones((scale, scale), np.uint8))
    return rgb_data_uri(np.repeat(picture[..., np.newaxis], 3, axis=2))
