"""Any drawn, photographed or scanned digit -> the model's 28x28 input, MNIST's way.

MNIST's digits were black-and-white images, size-normalised into a 20x20 box
(the anti-aliasing made the grey levels) and centred by their centre of mass in
28x28. Real digits differ from them in what a model should not have to learn:
ink contrast, paper, lighting, noise, stroke width. So this recipe first turns
the image into black-and-white strokes of MNIST's typical width, then does what
MNIST did:

1. ink levels: grayscale (alpha-aware; a transparent canvas's ink is its
   alpha), dark ink on light paper inverted, the paper (lighting, grey or
   coloured paper) estimated by a morphological opening larger than any stroke
   and subtracted, and the levels stretched to 0-255;
2. black and white: half of Otsu's threshold (soft, blurred strokes keep their
   body), paper lines (ruled paper: long, thin, straight) and specks (pieces
   under 5% of the largest) removed;
3. is it a digit? blank, a speck, or ink spanning too little of the image (a
   tap, a dot, a short tick) raises `EmptyDrawingError`;
4. crop to the ink; resample the strokes onto a grid 4x the size the digit
   will have (its longer side 20 px);
5. stroke width: measured (twice the area over what one erosion removes) and
   brought towards MNIST's typical width, measured on MNIST itself, by eroding
   or dilating;
6. each 4x4 block of the grid averaged: the 20-px digit, anti-aliased as MNIST's;
7. pasted into 28x28 and shifted by whole pixels so its centre of mass is at
   (14, 14).

Every step is on integers or booleans, or element-wise arithmetic, or sums of
multiples of 1/16, which floating point computes exactly in any order: the
exported page's JavaScript port (web_export/site/js/preprocess.js) gives the same
28x28 array bit for bit.

Measured (benchmarks/robustness.py, the default CNN trained 3 epochs, before ->
after this recipe): real handwriting from 43 writers (the UCI digits) 46% ->
83%; MNIST digits on ruled paper 27% -> 98%, in a noisy JPEG 29% -> 99%, as a
blurred photo 38% -> 97%, scanned at 8-12 px 21% -> 93%. Moment-based deskewing
was tried and left out: it lowered the UCI digits by 5 points and MNIST digits
by 0.3 (the model was trained on MNIST's own slants).
"""

import os

import numpy as np

from mnist_keras.errors import MnistKerasError, expected

SIZE = 28
DIGIT_BOX = 20
CENTER = 14.0
GRID = 4  # the working grid is GRID times the digit's final size
# Paper estimate: an opening with a square of this fraction of the shorter side
# (larger than the thickest marker stroke, 14% of the page).
BACKGROUND_FRACTION = 0.125
# Longer inputs are reduced (by whole-pixel block means) to at most this size.
WORKING_SIDE = 560
# Paper lines: straight runs of at least this fraction of the image...
PAPER_LINE_LENGTH = 0.9
# ...and at most this thick (as a fraction of the image).
PAPER_LINE_THICKNESS = 0.025
# Pieces smaller than 1/MIN_PIECE_RATIO of the largest (5%) are specks.
MIN_PIECE_RATIO = 20
# MNIST's median stroke width on the working grid (2 x area / eroded pixels),
# measured over 2,000 MNIST training digits through this recipe.
TARGET_STROKE_WIDTH = 10.0
MAX_WIDTH_STEPS = 4
# Less ink than this share of the image is an empty drawing.
MIN_INK_FRACTION = 0.0005
# Ink spanning less than this fraction of the image's shorter side is too small
# to be a digit (a tap or a tick on a canvas).
MIN_EXTENT = 0.15
# Ink spanning less than this many times its thickness is a dot, a tick or a blob
# (a pen's tap spans 1, a digit 3 or more).
MIN_EXTENT_IN_STROKES = 2.0
# The longest side accepted, so a huge upload cannot exhaust memory.
MAX_SIDE = 4096


def recipe_settings():
    """The recipe's numbers, for the exported page's copy of it (model-info.json)."""
    return {"digit_box": DIGIT_BOX, "center": CENTER, "grid": GRID,
            "background_fraction": BACKGROUND_FRACTION, "working_side": WORKING_SIDE,
            "paper_line_length": PAPER_LINE_LENGTH,
            "paper_line_thickness": PAPER_LINE_THICKNESS, "min_piece_ratio": MIN_PIECE_RATIO,
            "target_stroke_width": TARGET_STROKE_WIDTH, "max_width_steps": MAX_WIDTH_STEPS,
            "min_ink_fraction": MIN_INK_FRACTION, "min_extent": MIN_EXTENT,
            "min_extent_in_strokes": MIN_EXTENT_IN_STROKES}


class EmptyDrawingError(MnistKerasError):
    """The image holds no digit: it is blank, or its ink is a speck, a dot or a tick.

    Attributes:
        hint: what to tell a person at a canvas, in one short sentence.
    """

    def __init__(self, message, hint="That is an empty drawing: draw a digit."):
        super().__init__(message)
        self.hint = hint


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
    if array.dtype != np.uint8:
        if not np.issubdtype(array.dtype, np.number):
            raise expected("a numeric image", dtype=str(array.dtype))
        # Floats are 0-1; NaN reads as 0, infinities as the ends of the range.
        values = np.nan_to_num(np.asarray(array, np.float64), nan=0.0, posinf=1.0, neginf=0.0)
        array = np.clip(np.round(values * 255), 0, 255).astype(np.uint8)
    return array


def _gray(array):
    """Integer gray levels 0-255,000 (ITU-R 601 luma x 1000), white ink on black."""
    values = array.astype(np.int64)
    if values.ndim == 3 and values.shape[2] == 4:
        alpha = values[..., 3]
        if alpha.min() < 253:
            # A transparent canvas: whatever colour the strokes are, the alpha
            # channel is where the ink is.
            return alpha * 1000
        values = values[..., :3]
    if values.ndim == 3:
        gray = 299 * values[..., 0] + 587 * values[..., 1] + 114 * values[..., 2]
    else:
        gray = values * 1000
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 127_500:
        gray = 255_000 - gray  # dark ink on light paper
    return gray


def _reduce(gray):
    # A large photo is reduced by an integer factor (block means, rounded down)
    # so that the rest costs the same whatever its size.
    factor = -(-max(gray.shape) // WORKING_SIDE)
    if factor <= 1:
        return gray
    height, width = gray.shape[0] // factor * factor, gray.shape[1] // factor * factor
    blocks = gray[:height, :width].reshape(height // factor, factor, width // factor, factor)
    return blocks.sum(axis=(1, 3)) // (factor * factor)


def _running(values, size, axis, pick):
    # Running min or max over `size` (odd) along `axis`, edges repeated: van
    # Herk / Gil-Werman, two passes of accumulate over blocks of `size`.
    values = np.moveaxis(values, axis, -1)
    length, radius = values.shape[-1], size // 2
    padded = np.concatenate([np.repeat(values[..., :1], radius, -1), values,
                             np.repeat(values[..., -1:], radius, -1)], axis=-1)
    blocks = -(-padded.shape[-1] // size)
    extra = blocks * size - padded.shape[-1]
    padded = np.concatenate([padded, np.repeat(padded[..., -1:], extra, -1)], axis=-1)
    shaped = padded.reshape(*padded.shape[:-1], blocks, size)
    forward = pick.accumulate(shaped, axis=-1).reshape(padded.shape)
    backward = np.flip(pick.accumulate(np.flip(shaped, -1), axis=-1), -1).reshape(padded.shape)
    result = pick(backward[..., :length], forward[..., size - 1:size - 1 + length])
    return np.moveaxis(result, -1, axis)


def ink_levels(image):
    """Ink intensity 0-255 (integers): white ink on black, paper removed, stretched.

    Args:
        image: see `preprocess_drawing`.

    Returns:
        int64 array (H, W), possibly reduced for an image over 560 px.

    Raises:
        MnistKerasError: for an array that is not an image.
    """
    gray = _reduce(_gray(_as_array(image)))
    size = 2 * max(1, int(round(BACKGROUND_FRACTION * min(gray.shape)))) + 1
    opened = gray
    for pick in (np.minimum, np.maximum):
        for axis in (0, 1):
            opened = _running(opened, size, axis, pick)
    ink = gray - opened
    peak = int(ink.max())
    return (ink * 255) // peak if peak > 0 else np.zeros(ink.shape, np.int64)


def otsu_threshold(levels):
    """Otsu's threshold of integer levels 0-255: the level that best splits them in two.

    >>> otsu_threshold(np.array([0] * 90 + [10] * 5 + [255] * 5))
    132
    """
    histogram = np.bincount(levels.ravel(), minlength=256)[:256]
    total, level_sum = int(histogram.sum()), int(histogram @ np.arange(256))
    below = np.cumsum(histogram)[:-1].astype(np.int64)
    below_sum = np.cumsum(histogram * np.arange(256))[:-1].astype(np.int64)
    above = total - below
    valid = (below > 0) & (above > 0)
    if not valid.any():
        return 0
    spread = (level_sum * below - total * below_sum).astype(np.float64)
    score = np.where(valid, spread * spread / np.where(valid, below * above, 1)
                     .astype(np.float64), -1.0)
    # When no level lies between the two groups, every threshold in the gap
    # splits them alike: take the middle of the gap, not its bottom edge.
    best = np.flatnonzero(score == score.max())
    return int((best[0] + best[-1]) // 2)


def _runs(mask):
    # (row, start, end) of every horizontal run of True.
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), np.int8)
    padded[:, 1:-1] = mask
    steps = np.diff(padded, axis=1)
    starts, ends = np.nonzero(steps == 1), np.nonzero(steps == -1)
    return zip(starts[0], starts[1], ends[1])


def _paper_lines(mask):
    # Horizontal runs spanning most of the width, which are also thin. Only rows
    # with enough ink can hold one, so most drawings cost a row sum.
    need = int(np.ceil(PAPER_LINE_LENGTH * mask.shape[1]))
    thin = np.zeros_like(mask)
    candidates = np.flatnonzero(mask.sum(axis=1) >= need)
    if not candidates.size:
        return thin
    long_runs = np.zeros_like(mask)
    for row, start, end in _runs(mask[candidates]):
        if end - start >= need:
            long_runs[candidates[row], start:end] = True
    thickest = max(2, int(PAPER_LINE_THICKNESS * mask.shape[0]))
    columns = np.flatnonzero(long_runs.any(axis=0))
    for column, start, end in _runs(long_runs.T[columns]):
        if end - start <= thickest:
            thin[start:end, columns[column]] = True
    return thin


def _neighbourhood(mask, combine):
    # A 3x3 binary erosion (combine: AND) or dilation (OR); outside is no ink.
    # In plain NumPy, step for step as the page's JS does it.
    padded = np.pad(mask, 1)
    out = mask.copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            combine(out, padded[dy:dy + mask.shape[0], dx:dx + mask.shape[1]], out=out)
    return out


def _erode(mask):
    return _neighbourhood(mask, np.logical_and)


def _dilate(mask):
    return _neighbourhood(mask, np.logical_or)


def stroke_width(mask):
    """Typical stroke width of a black-and-white image, in pixels.

    A stroke of width w and length L covers about w*L pixels, and one 3x3
    erosion removes about 2*L of them, so w is twice the area over the pixels
    an erosion removes.
    """
    area = int(mask.sum())
    removed = area - int(_erode(mask).sum())
    return 2.0 * area / removed if removed else 0.0


def ink_mask(levels):
    """The digit in black and white, without paper lines and specks.

    Returns:
        `(mask, threshold)`: a boolean array and the ink level it cuts at.
    """
    from scipy import ndimage

    threshold = otsu_threshold(levels) // 2
    mask = levels > threshold
    # Both directions found on the same mask: the margin line crosses the rules.
    mask &= ~(_paper_lines(mask) | _paper_lines(mask.T).T)
    pieces, count = ndimage.label(mask, structure=np.ones((3, 3), int))
    if count > 1:
        sizes = np.bincount(pieces.ravel())[1:]
        keep = np.zeros(count + 1, bool)
        keep[1:] = sizes * MIN_PIECE_RATIO >= sizes.max()
        mask = keep[pieces]
    return mask, threshold


def _check_digit(mask):
    height, width = mask.shape
    inked = int(mask.sum())
    if inked < max(2, MIN_INK_FRACTION * height * width):
        raise EmptyDrawingError(
            "Expected a drawing with some ink (this is an empty drawing, not a digit). "
            f"Received: {inked} inked pixels")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    if extent < MIN_EXTENT * min(height, width):
        raise EmptyDrawingError(
            "Expected a digit spanning at least "
            f"{100 * MIN_EXTENT:.0f}% of the image (this is a dot or a tick, not a digit; "
            f"draw larger, or crop around the digit). Received: ink spanning "
            f"{100 * extent / min(height, width):.0f}%",
            hint="That is a dot or a tick, not a digit: draw a digit, larger.")
    # Thicker than extent / MIN_EXTENT_IN_STROKES: it survives that many
    # erosions (a stroke of width w vanishes after w / 2).
    erosions = int(np.ceil(extent / (2 * MIN_EXTENT_IN_STROKES)))
    core = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    for _ in range(erosions):
        core = _erode(core)
        if not core.any():
            break
    else:
        raise EmptyDrawingError(
            "Expected a digit longer than its strokes are thick (this is a dot, a tick or a "
            f"blob, not a digit). Received: ink spanning {extent} px that is still there "
            f"after {erosions} erosions",
            hint="That is a dot or a tick, not a digit: draw a digit, larger.")
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _grid_mask(levels, threshold, height, width):
    # The cropped strokes on the working grid: blocks of the crop that hold
    # any ink when shrinking (thin strokes survive), bilinear when enlarging.
    rows, cols = levels.shape
    if rows >= height and cols >= width:
        inked = np.pad((levels > threshold).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
        ys, xs = (np.arange(height + 1) * rows) // height, (np.arange(width + 1) * cols) // width
        counts = (inked[ys[1:, None], xs[None, 1:]] - inked[ys[:-1, None], xs[None, 1:]]
                  - inked[ys[1:, None], xs[None, :-1]] + inked[ys[:-1, None], xs[None, :-1]])
        return counts > 0
    source_y = np.clip((np.arange(height) + 0.5) * (rows / height) - 0.5, 0, rows - 1)
    source_x = np.clip((np.arange(width) + 0.5) * (cols / width) - 0.5, 0, cols - 1)
    y0, x0 = np.floor(source_y).astype(int), np.floor(source_x).astype(int)
    y1, x1 = np.minimum(y0 + 1, rows - 1), np.minimum(x0 + 1, cols - 1)
    wy, wx = (source_y - y0)[:, None], (source_x - x0)[None, :]
    values = levels.astype(np.float64)
    top = values[y0][:, x0] * (1 - wx) + values[y0][:, x1] * wx
    bottom = values[y1][:, x0] * (1 - wx) + values[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy > threshold


def _normalise_width(mask):
    steps = int(round((stroke_width(mask) - TARGET_STROKE_WIDTH) / 2))
    steps = max(-MAX_WIDTH_STEPS, min(MAX_WIDTH_STEPS, steps))
    for _ in range(abs(steps)):
        changed = _erode(mask) if steps > 0 else _dilate(mask)
        if not changed.any():
            break
        mask = changed
    return mask


def center_of_mass(image):
    """(row, column) of the intensity centre of mass, in pixel-index units."""
    total = image.sum()
    rows, cols = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows / total), float(image.sum(axis=0) @ cols / total)


def preprocess_drawing(image):
    """Turns a drawing, photo or scan of one digit into the model's 28x28 input.

    Args:
        image: a PIL image, or an array (H, W), (H, W, 1), (H, W, 3) or
            (H, W, 4) in uint8 0-255 or float 0-1; dark ink on light paper
            (any colours, ruled or grey paper, uneven light), light on dark,
            or ink on a transparent canvas; any size up to 4096 px.

    Returns:
        float32 array (28, 28) in [0, 1]: white digit on black, longer side
        20 px, strokes of MNIST's typical width, centre of mass at (14, 14).
        Add the batch and channel axes (`x[None, ..., None]`) to feed a model.

    Raises:
        EmptyDrawingError: if the image is blank, or its ink is a speck, a
            dot or a tick rather than a digit.
        MnistKerasError: if it is not an image.

    Example:

    >>> canvas = np.zeros((280, 280), np.uint8)
    >>> canvas[60:220, 130:150] = 255          # a thick "1"
    >>> x = preprocess_drawing(canvas)
    >>> x.shape, float(x.max())
    ((28, 28), 1.0)
    """
    levels = ink_levels(image)
    mask, threshold = ink_mask(levels)
    top, bottom, left, right = _check_digit(mask)
    crop = np.where(mask[top:bottom, left:right], levels[top:bottom, left:right], 0)
    rows, cols = crop.shape
    scale = DIGIT_BOX / max(rows, cols)
    height, width = max(1, int(round(rows * scale))), max(1, int(round(cols * scale)))
    strokes = _normalise_width(_grid_mask(crop, threshold, GRID * height, GRID * width))
    digit = strokes.reshape(height, GRID, width, GRID).sum(axis=(1, 3)) / (GRID * GRID)
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
