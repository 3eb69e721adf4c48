"""Any drawn or uploaded digit -> the model's 28x28 input, by LeCun's MNIST recipe.

1. grayscale, alpha-aware (ink on a transparent canvas is its alpha);
2. white ink on black (a light background is inverted), background lifted to 0;
3. crop to the ink's bounding box;
4. resize so the longer side is 20 px, keeping the aspect ratio, by exact
   area averaging (anti-aliased, and simple to reproduce in JavaScript);
5. paste into 28x28, then shift by whole pixels so the intensity centre of
   mass is at (14, 14), where MNIST's digits have theirs (mean 14.00, std 0.3);
6. scale like the training data (`scale_pixels`).

Every step is plain NumPy, so the exported page's JS version can match it.
"""

import os

import numpy as np

from mnist_keras.datasets.scaling import PIXEL_SCALE
from mnist_keras.errors import MnistKerasError, expected

SIZE = 28
DIGIT_BOX = 20
CENTER = 14.0
# Ink below this fraction of full intensity is background noise.
INK_THRESHOLD = 0.1
# Less ink than this share of the image is a speck, not a digit (on a 280x280
# canvas: under 40 pixels; one stroke of a 20 px pen is hundreds).
MIN_INK_FRACTION = 0.0005
# The longest side accepted, so a huge upload cannot exhaust memory.
MAX_SIDE = 4096


class EmptyDrawingError(MnistKerasError):
    """The image has no ink to speak of: it is not a digit."""


def to_ink(image):
    """Turns an image into ink intensity in [0, 1]: white digit on black.

    Args:
        image: array (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), uint8 (0-255)
            or float (0-1), or a PIL image.

    Returns:
        float64 array (H, W) in [0, 1], background 0.

    Raises:
        MnistKerasError: for an array that is not an image.
    """
    array = _as_array(image)
    if array.ndim == 3 and array.shape[2] == 4:
        alpha = array[..., 3]
        if alpha.min() < 0.99:
            # A transparent canvas: whatever colour the strokes are, the
            # alpha channel is where the ink is.
            return _lift_background(alpha)
        array = array[..., :3]
    if array.ndim == 3:
        # ITU-R 601 luma, as PIL's "L" conversion uses.
        array = array[..., :3] @ np.array([0.299, 0.587, 0.114])
    border = np.concatenate([array[0], array[-1], array[:, 0], array[:, -1]])
    if np.median(border) > 0.5:
        array = 1.0 - array  # dark ink on light paper
    return _lift_background(array)


def _as_array(image):
    if hasattr(image, "mode") and hasattr(image, "size"):  # a PIL image
        if image.mode not in ("L", "RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image = np.asarray(image)
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)) \
            or min(array.shape[:2]) < 1:
        raise expected("an image of shape (H, W), (H, W, 3) or (H, W, 4)", shape=array.shape)
    if max(array.shape[:2]) > MAX_SIDE:
        raise expected(f"an image at most {MAX_SIDE} px on each side", shape=array.shape)
    if array.dtype == np.uint8:
        return array.astype(np.float64) / PIXEL_SCALE
    if not np.issubdtype(array.dtype, np.number):
        raise expected("a numeric image", dtype=str(array.dtype))
    return np.clip(array.astype(np.float64), 0.0, 1.0)


def _lift_background(ink):
    # Paper is rarely pure white: the most common level (the background) becomes 0.
    background = np.median(ink)
    lifted = np.clip(ink - background, 0.0, None)
    peak = lifted.max()
    return lifted / peak if peak > 0 else lifted


def area_resize(image, height, width):
    """Resizes by exact area averaging: each output pixel is the mean of the
    input area it covers (fractional pixels weighted by coverage).

    Args:
        image: float array (H, W).
        height, width: output size.

    Returns:
        float64 array (height, width).
    """
    return _area_weights(image.shape[0], height) @ image @ _area_weights(image.shape[1], width).T


def _area_weights(size_in, size_out):
    # weights[o, i] = overlap of output cell o (scaled to input units) with input cell i.
    scale = size_in / size_out
    starts = np.arange(size_out)[:, None] * scale
    ends = starts + scale
    cells = np.arange(size_in)[None, :]
    overlap = np.clip(np.minimum(ends, cells + 1) - np.maximum(starts, cells), 0.0, None)
    return overlap / scale


def center_of_mass(image):
    """(row, column) of the intensity centre of mass, in pixel-index units."""
    total = image.sum()
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / total), float(image.sum(axis=0) @ cols / total)


def preprocess_drawing(image):
    """Turns a drawing or photo of one digit into the model's 28x28 input.

    Args:
        image: a PIL image, or an array (H, W), (H, W, 1), (H, W, 3) or
            (H, W, 4) in uint8 0-255 or float 0-1; black ink on white, white
            on black, or ink on a transparent canvas; any size up to 4096 px.

    Returns:
        float32 array (28, 28) in [0, 1]: white digit on black, longer side
        20 px, centre of mass at (14, 14). Add the batch and channel axes
        (`x[None, ..., None]`) to feed a model.

    Raises:
        EmptyDrawingError: if the image is blank or nearly so.
        MnistKerasError: if it is not an image.

    Example:

    >>> canvas = np.zeros((280, 280), np.uint8)
    >>> canvas[60:220, 130:150] = 255          # a thick "1"
    >>> x = preprocess_drawing(canvas)
    >>> x.shape, round(float(x.max()), 2)
    ((28, 28), 1.0)
    """
    ink = to_ink(image)
    mask = ink >= INK_THRESHOLD
    if mask.sum() < max(2, MIN_INK_FRACTION * mask.size):
        raise EmptyDrawingError(
            "Expected a drawing with some ink (this is an empty drawing, not a digit). "
            f"Received: {int(mask.sum())} inked pixels"
        )
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    height = max(1, int(round(crop.shape[0] * scale)))
    width = max(1, int(round(crop.shape[1] * scale)))
    digit = area_resize(crop, height, width)
    canvas = np.zeros((SIZE, SIZE))
    top, left = (SIZE - height) // 2, (SIZE - width) // 2
    canvas[top:top + height, left:left + width] = digit
    row, col = center_of_mass(canvas)
    canvas = _shift(canvas, int(round(CENTER - row)), int(round(CENTER - col)))
    return np.clip(canvas, 0.0, 1.0).astype(np.float32)


def _shift(image, down, right):
    # Whole-pixel shift with zero fill; the digit fits (20 px in 28), so
    # nothing that matters falls off the edge.
    shifted = np.zeros_like(image)
    height, width = image.shape
    src_rows = slice(max(0, -down), min(height, height - down))
    dst_rows = slice(max(0, down), min(height, height + down))
    src_cols = slice(max(0, -right), min(width, width - right))
    dst_cols = slice(max(0, right), min(width, width + right))
    shifted[dst_rows, dst_cols] = image[src_rows, src_cols]
    return shifted


def load_image(path):
    """Opens an image file for `preprocess_drawing`, with clear errors.

    Raises:
        MnistKerasError: if the file is missing, not an image, or too large.
    """
    from PIL import Image, UnidentifiedImageError

    path = os.fspath(path)
    try:
        with Image.open(path) as picture:
            if max(picture.size) > MAX_SIDE:
                raise expected(f"an image at most {MAX_SIDE} px on each side",
                               image=path, size=picture.size)
            picture.load()
            return picture.copy()
    except FileNotFoundError:
        raise expected("an existing image file", image=path) from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise MnistKerasError(
            f"Expected a readable image file (PNG, JPEG, ...) ({e}). Received: image={path!r}"
        ) from None
