"""Digit images as PNG data URIs for `html.Img` (crisp, cheap, no figure per digit)."""

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
