"""The drawing canvas's data: its blank background, and its strokes as an image.

The canvas (dash-canvas) reports a drawing as its fabric.js JSON: one `path`
object per stroke, with the pen's points in canvas pixels and its width.
`strokes_from_json` keeps just that, and `render_strokes` paints it back,
black on white, at the canvas's size, for `mnist_keras.predict_digits`.
"""

import base64
import io
import json
import math

import numpy as np
from PIL import Image, ImageDraw

from mnist_keras.drawing_pad import PAD_SIZE, PEN_WIDTH

CANVAS_SIZE = PAD_SIZE
# react-sketch (inside dash-canvas) makes its canvas 2 px narrower than the
# width it is given, and only takes a height from a background image (it
# ignores the `height` prop and draws 200 px). So the component gets a width
# of 282 and a 282x280 white background: the canvas is 280x280.
COMPONENT_WIDTH = CANVAS_SIZE + 2
LINE_WIDTH = PEN_WIDTH
# Points per quadratic segment when flattening the pen's curves.
_CURVE_STEPS = 6
# Bounds on the work one request can ask for, each far above what a person
# draws (a digit is a few strokes of a few hundred points at 22 px): checked
# before the work, so a forged drawing costs milliseconds, not minutes.
MAX_STROKES = 200
MAX_JSON_CHARS = 2_000_000
MAX_COMMANDS_PER_STROKE = 2_000
MAX_POINTS = 20_000
MAX_STROKE_WIDTH = 100.0
# Points are kept within a canvas' width of the canvas; beyond that they only
# stretch a line across it.
_COORDINATE_LIMIT = 2.0 * CANVAS_SIZE


def blank_background(version=0):
    """A white PNG for the canvas's background, as a data URI.

    Two versions differ by an unused PNG text chunk: the Clear button swaps
    between them, because the canvas clears itself only when its background
    changes.
    """
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("version", str(version))
    buffer = io.BytesIO()
    Image.new("RGB", (COMPONENT_WIDTH, CANVAS_SIZE), "white").save(buffer, "PNG", pnginfo=info)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _coordinate(value):
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("not a finite coordinate")
    return min(max(number, -_COORDINATE_LIMIT), _COORDINATE_LIMIT)


def _path_points(commands):
    points = []
    for command in commands[:MAX_COMMANDS_PER_STROKE]:
        if not isinstance(command, list) or not command:
            continue
        op, *args = command
        if op in ("M", "L") and len(args) >= 2:
            points.append((_coordinate(args[0]), _coordinate(args[1])))
        elif op == "Q" and len(args) >= 4 and points:
            (x0, y0), (cx, cy), (x1, y1) = (points[-1], tuple(map(_coordinate, args[:2])),
                                            tuple(map(_coordinate, args[2:4])))
            for step in range(1, _CURVE_STEPS + 1):
                t = step / _CURVE_STEPS
                points.append(((1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t ** 2 * x1,
                               (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t ** 2 * y1))
    return points


def strokes_from_json(json_data):
    """The pen strokes in a dash-canvas `json_data` string.

    Args:
        json_data: the canvas's fabric.js JSON (a string; empty for none).

    Returns:
        A list of strokes `{"points": [[x, y], ...], "width": w}`, in canvas
        pixels, within `bounded_strokes`' limits; `[]` for no drawing or for
        data that is not canvas JSON.
    """
    if not isinstance(json_data, str) or len(json_data) > MAX_JSON_CHARS:
        return []
    try:
        objects = json.loads(json_data or "{}").get("objects", [])
    except (ValueError, AttributeError, RecursionError):
        return []
    if not isinstance(objects, list):
        return []
    paths = [item for item in objects if isinstance(item, dict) and item.get("type") == "path"]
    strokes, points_left = [], MAX_POINTS
    for item in paths[:MAX_STROKES]:
        if points_left <= 0:
            break  # the rest would be dropped: not worth flattening
        commands = item.get("path")
        try:
            points = _path_points(commands if isinstance(commands, list) else [])
        except (TypeError, ValueError, OverflowError):
            continue
        strokes.append({"points": points, "width": item.get("strokeWidth") or LINE_WIDTH})
        points_left -= len(points)
    return bounded_strokes(strokes)


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
            cleaned = [[round(_coordinate(x), 1), round(_coordinate(y), 1)] for x, y in points]
            width = float(stroke.get("width") or LINE_WIDTH)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            continue
        if not cleaned or not math.isfinite(width):
            continue
        kept.append({"points": cleaned, "width": min(max(width, 1.0), MAX_STROKE_WIDTH)})
        budget -= len(cleaned)
        if budget <= 0:
            break
    return kept


def render_strokes(strokes, size=CANVAS_SIZE):
    """Paints strokes black on white, with round caps and joins, as the canvas does.

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
