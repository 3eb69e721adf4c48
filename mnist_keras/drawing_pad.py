"""The drawing pad people draw on: its size, the pen, when a drawing is read, its strokes.

One source for both front ends: the dashboard's canvas reads these names, and
the exported page reads them from its `model-info.json` (`pad`), so neither
restates them. A stroke of `PEN_WIDTH` on a pad of `PAD_SIZE` becomes, once
the drawing recipe scales the digit's longer side to 20 px, about as thick as
MNIST's own strokes. A drawing's strokes are `{"points": [[x, y], ...],
"width": w}` in pad pixels; `render_strokes` paints them as the pad does.

>>> pad_settings()
{'size': 280, 'pen_width': 22, 'pause_ms': 500}
"""

import math

import numpy as np
from PIL import Image, ImageDraw

# The pad's side in pixels (square): ten pad pixels per model input pixel.
PAD_SIZE = 280
# The pen's width in pad pixels.
PEN_WIDTH = 22
# Milliseconds after the last stroke before the drawing is predicted: long
# enough to start the next stroke of the same digit, short enough to feel live.
PAUSE_MS = 500


# Bounds on strokes that came from a request or a file, each far above what a
# person draws (a digit is a few strokes of a few hundred points at 22 px).
MAX_STROKES = 200
MAX_POINTS = 20_000
MAX_STROKE_WIDTH = 100.0
# Points are kept within a pad's width of the pad; beyond that they only
# stretch a line across it.
_COORDINATE_LIMIT = 2.0 * PAD_SIZE


def pad_settings():
    """The pad as plain JSON-ready data: `{size, pen_width, pause_ms}`."""
    return {"size": PAD_SIZE, "pen_width": PEN_WIDTH, "pause_ms": PAUSE_MS}


def coordinate(value):
    """A coordinate from a request or a file: a finite number, clamped near the pad."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite coordinate")
    return min(max(number, -_COORDINATE_LIMIT), _COORDINATE_LIMIT)


def bounded_strokes(strokes):
    """Strokes that came from a request, checked and bounded before any drawing work.

    Args:
        strokes: a list of `{"points": [[x, y], ...], "width": w}`, as the
            page sends them back; anything else is ignored.

    Returns:
        The valid strokes, points rounded to 0.1 px: at most `MAX_STROKES`
        strokes and `MAX_POINTS` points (the rest is dropped), coordinates
        clamped to within a canvas' width of it, widths to
        [1, `MAX_STROKE_WIDTH`]; a stroke with a value that is not a finite
        number is skipped.

    >>> bounded_strokes([{"points": [[10, 10], [1e9, 20]], "width": 1e9}])
    [{'points': [[10.0, 10.0], [560.0, 20.0]], 'width': 100.0}]
    >>> bounded_strokes([{"points": [["nan", 1]], "width": 22}, "junk"])
    []
    """
    if not isinstance(strokes, list):
        return []
    kept, budget = [], MAX_POINTS
    for stroke in strokes[:MAX_STROKES]:
        try:
            points = stroke["points"][:budget]
            cleaned = [[round(coordinate(x), 1), round(coordinate(y), 1)] for x, y in points]
            width = float(stroke.get("width") or PEN_WIDTH)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            continue
        if not cleaned or not math.isfinite(width):
            continue
        kept.append({"points": cleaned, "width": min(max(width, 1.0), MAX_STROKE_WIDTH)})
        budget -= len(cleaned)
        if budget <= 0:
            break
    return kept


def render_strokes(strokes, size=PAD_SIZE):
    """Paints strokes black on white, with round caps and joins, as the pad does.

    The strokes pass through `bounded_strokes` first: they may come from a request.

    Returns:
        uint8 array (size, size).
    """
    picture = Image.new("L", (size, size), 255)
    pen = ImageDraw.Draw(picture)
    for stroke in bounded_strokes(strokes):
        points = [tuple(point) for point in stroke["points"]]
        width = max(1, round(stroke["width"]))
        radius = width / 2
        if len(points) > 1:
            pen.line(points, fill=0, width=width, joint="curve")
        # Round caps (and a dot for a single click).
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return np.asarray(picture)
