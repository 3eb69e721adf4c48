"""The drawing canvas's data: its blank background, and its strokes from its JSON.

The canvas (dash-canvas) reports a drawing as its fabric.js JSON: one `path`
object per stroke, with the pen's points in canvas pixels and its width.
`strokes_from_json` keeps just that; the library's `render_strokes`
(`mnist_keras.drawing_pad`) paints it back, black on white, at the pad's size.
"""

import base64
import io
import json

from PIL import Image

from mnist_keras.drawing_pad import (  # noqa: F401 (the canvas's strokes, as the pad has them)
    MAX_POINTS,
    MAX_STROKE_WIDTH,
    MAX_STROKES,
    PAD_SIZE,
    PEN_WIDTH,
    bounded_strokes,
    coordinate,
    render_strokes,
)

CANVAS_SIZE = PAD_SIZE
# react-sketch (inside dash-canvas) makes its canvas 2 px narrower than the
# width it is given, and only takes a height from a background image (it
# ignores the `height` prop and draws 200 px). So the component gets a width
# of 282 and a 282x280 white background: the canvas is 280x280.
COMPONENT_WIDTH = CANVAS_SIZE + 2
LINE_WIDTH = PEN_WIDTH
# Points per quadratic segment when flattening the pen's curves.
_CURVE_STEPS = 6
# Bounds on the work one request can ask for (the strokes' own are the pad's:
# `mnist_keras.drawing_pad`), far above what a person draws: checked before the
# work, so a forged drawing costs milliseconds, not minutes.
MAX_JSON_CHARS = 2_000_000
MAX_COMMANDS_PER_STROKE = 2_000


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
    for command in commands[:MAX_COMMANDS_PER_STROKE]:
        if not isinstance(command, list) or not command:
            continue
        op, *args = command
        if op in ("M", "L") and len(args) >= 2:
            points.append((coordinate(args[0]), coordinate(args[1])))
        elif op == "Q" and len(args) >= 4 and points:
            (x0, y0), (cx, cy), (x1, y1) = (points[-1], tuple(map(coordinate, args[:2])),
                                            tuple(map(coordinate, args[2:4])))
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


