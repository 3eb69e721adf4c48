"""Pictures as PNG data URIs for `html.Img` (crisp, cheap, no figure per digit).

Digits, saliency maps over their inputs, and the drawing's 28x28 model input
(which several panels read from the page's store).
"""

import base64
import io

import numpy as np
from PIL import Image


def digit_data_uri(image, scale=3):
    """Encodes a 28x28 uint8 image (white on black) as an upscaled PNG data URI."""
    pixels = np.asarray(image, dtype=np.uint8)
    picture = Image.fromarray(pixels, mode="L").resize(
        (pixels.shape[1] * scale, pixels.shape[0] * scale), Image.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


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


def drawing_input(image):
    """The 28x28 input from the page's store, checked (a request may send anything)."""
    from mnist_keras.errors import MnistKerasError, expected
    from mnist_keras.explain.model_parts import as_batch

    try:
        return as_batch(image)[0, :, :, 0]
    except (TypeError, ValueError) as error:
        if isinstance(error, MnistKerasError):
            raise
        raise expected("a 28x28 drawing of numbers", image=type(image).__name__) from None
