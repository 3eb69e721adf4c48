"""The drawing canvas's data: its blank background, and its strokes as an image.

The canvas (dash-canvas) reports a drawing as its fabric.js JSON: one `path`
object per stroke, with the pen's points in canvas pixels and its width.
`strokes_from_json` keeps just that, and `render_strokes` paints it back,
black on white, at the canvas's size, for `mnist_keras.predict_digits`.
"""

import base64
import io
import json

import numpy as np
from PIL import Image, ImageDraw

CANVAS_SIZE = 280
# react-sketch (inside dash-canvas) makes its canvas 2 px narrower than the
# width it is given, and only takes a height from a background image (it
# ignores the `height` prop and draws 200 px). So the component gets a width
# of 282 and a 282x280 white background: the canvas is 280x280.
COMPONENT_WIDTH = CANVAS_SIZE + 2
LINE_WIDTH = 22
# Points per quadratic segment when flattening the pen's curves.
_CURVE_STEPS = 6
# More strokes than anyone draws for one digit; a bound on work per request.
MAX_STROKES = 200


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


def _path_points(commands):
    points = []
    for command in commands:
        op, *args = command
        if op in ("M", "L") and len(args) >= 2:
            points.append((float(args[0]), float(args[1])))
        elif op == "Q" and len(args) >= 4 and points:
            (x0, y0), (cx, cy), (x1, y1) = points[-1], args[:2], args[2:4]
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
        pixels; `[]` for no drawing or for data that is not canvas JSON.
    """
    try:
        objects = json.loads(json_data or "{}").get("objects", [])
    except (ValueError, AttributeError):
        return []
    if not isinstance(objects, list):
        return []
    paths = [item for item in objects if isinstance(item, dict) and item.get("type") == "path"]
    strokes = []
    for item in paths[:MAX_STROKES]:
        try:
            points = _path_points(item.get("path") or [])
            width = float(item.get("strokeWidth") or LINE_WIDTH)
        except (TypeError, ValueError):
            continue
        if points:
            strokes.append({"points": [[round(x, 1), round(y, 1)] for x, y in points],
                            "width": width})
    return strokes


def render_strokes(strokes, size=CANVAS_SIZE):
    """Paints strokes black on white, with round caps and joins, as the canvas does.

    Returns:
        uint8 array (size, size).
    """
    picture = Image.new("L", (size, size), 255)
    pen = ImageDraw.Draw(picture)
    for stroke in strokes:
        points = [tuple(point) for point in stroke["points"]]
        width = max(1, round(stroke["width"]))
        radius = width / 2
        if len(points) > 1:
            pen.line(points, fill=0, width=width, joint="curve")
        # Round caps (and a dot for a single click).
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return np.asarray(picture)
