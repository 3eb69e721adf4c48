"""Pixel scaling: the one definition shared by training, evaluation, prediction
and the exported page (which reads `PIXEL_SCALE` from the export's metadata).

Images are stored as uint8 0-255, white ink on black, like MNIST. Models see
float32 in [0, 1] with a trailing channel axis: (N, 28, 28, 1).
"""

import numpy as np

PIXEL_SCALE = 255.0


def scale_pixels(images):
    """Scales uint8 images to the model's float input.

    Args:
        images: array of shape (N, H, W) or (N, H, W, 1), values 0-255.

    Returns:
        float32 array of shape (N, H, W, 1) with values in [0, 1].

    Example:

    >>> x = scale_pixels(np.full((1, 28, 28), 255, np.uint8))
    >>> x.shape, x.dtype, float(x.max())
    ((1, 28, 28, 1), dtype('float32'), 1.0)
    """
    images = np.asarray(images, dtype=np.float32) / PIXEL_SCALE
    if images.ndim == 3:
        images = images[..., np.newaxis]
    return images


def unscale_pixels(inputs):
    """Inverts `scale_pixels`: model inputs back to uint8 images (N, H, W)."""
    inputs = np.asarray(inputs)
    if inputs.ndim == 4:
        inputs = inputs[..., 0]
    return np.clip(np.rint(inputs * PIXEL_SCALE), 0, 255).astype(np.uint8)
