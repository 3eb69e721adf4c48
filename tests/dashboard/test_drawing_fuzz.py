"""Whatever a request sends as a drawing: no exception, bounded work, a 280x280 image.

The strokes reach the server twice: as the canvas's fabric.js JSON and as the
store the page sends back with every Predict. Both are request data, so both
are fuzzed here with Hypothesis, and the probes that froze the server before
(a pen 1e9 px wide, NaN coordinates, a million points) are checked by name.
"""

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.panels.draw import canvas

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30),
    st.sampled_from(["nan", "inf", "-1e999", "12", "", None, True, [], {}]))
commands = st.lists(st.one_of(
    st.tuples(st.sampled_from(["M", "L", "Q", "Z", "C", 7, None]), numbers, numbers, numbers,
              numbers).map(list),
    st.lists(numbers, max_size=3), numbers), max_size=40)
fabric_objects = st.lists(st.fixed_dictionaries(
    {"type": st.sampled_from(["path", "image", "rect", None])},
    optional={"path": st.one_of(commands, numbers), "strokeWidth": numbers}), max_size=8)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=5),
    max_leaves=30)
store_strokes = st.one_of(json_values, st.lists(st.one_of(
    json_values, st.fixed_dictionaries({"points": st.lists(st.lists(numbers, max_size=3),
                                                           max_size=30),
                                        "width": numbers})), max_size=8))


def _within_bounds(strokes):
    assert len(strokes) <= canvas.MAX_STROKES
    assert sum(len(stroke["points"]) for stroke in strokes) <= canvas.MAX_POINTS
    for stroke in strokes:
        assert 1 <= stroke["width"] <= canvas.MAX_STROKE_WIDTH
        for x, y in stroke["points"]:
            assert math.isfinite(x) and math.isfinite(y)
            assert abs(x) <= 2 * canvas.CANVAS_SIZE and abs(y) <= 2 * canvas.CANVAS_SIZE


@settings(max_examples=150, deadline=2000)
@given(st.one_of(fabric_objects.map(lambda objects: json.dumps({"objects": objects})),
                 json_values.map(json.dumps), st.text(max_size=200)))
def test_any_canvas_json_gives_bounded_strokes(data):
    strokes = canvas.strokes_from_json(data)
    _within_bounds(strokes)
    image = canvas.render_strokes(strokes)
    assert image.shape == (280, 280) and image.dtype == np.uint8


@settings(max_examples=150, deadline=2000)
@given(store_strokes)
def test_any_stored_strokes_render_within_bounds(strokes):
    _within_bounds(canvas.bounded_strokes(strokes))
    image = canvas.render_strokes(strokes)
    assert image.shape == (280, 280) and image.dtype == np.uint8


def test_a_pen_a_billion_pixels_wide_is_clamped():
    data = json.dumps({"objects": [{"type": "path", "strokeWidth": 1e9,
                                    "path": [["M", 10, 10], ["L", 200, 200]]}]})
    (stroke,) = canvas.strokes_from_json(data)
    assert stroke["width"] == canvas.MAX_STROKE_WIDTH
    (stored,) = canvas.bounded_strokes([{"points": [[10, 10], [20, 20]], "width": 1e9}])
    assert stored["width"] == canvas.MAX_STROKE_WIDTH


def test_nan_and_infinite_coordinates_skip_the_stroke_not_the_drawing():
    good = [["M", 100, 50], ["L", 120, 200]]
    data = ('{"objects": [{"type": "path", "path": [["M", NaN, 1], ["L", 2, 3]]}, '
            '{"type": "path", "path": [["M", Infinity, 1]]}, '
            '{"type": "path", "path": ' + json.dumps(good) + '}]}')
    strokes = canvas.strokes_from_json(data)
    assert [stroke["points"] for stroke in strokes] == [[[100, 50], [120, 200]]]
    assert canvas.bounded_strokes([{"points": [[float("nan"), 1]], "width": 22}]) == []


def test_a_million_points_are_cut_to_the_bound_before_any_work():
    many = [["M", 0, 0]] + [["L", i % 280, (7 * i) % 280] for i in range(1_000_000)]
    data = json.dumps({"objects": [{"type": "path", "path": many}]})
    # Over the JSON size bound: refused before it is even parsed.
    assert len(data) > canvas.MAX_JSON_CHARS and canvas.strokes_from_json(data) == []
    stored = [{"points": [[i % 280, 5] for i in range(1_000_000)], "width": 22}]
    (stroke,) = canvas.bounded_strokes(stored)
    assert len(stroke["points"]) == canvas.MAX_POINTS
    within = json.dumps({"objects": [{"type": "path", "path": many[:50_000]}]})
    (stroke,) = canvas.strokes_from_json(within)
    assert len(stroke["points"]) == canvas.MAX_COMMANDS_PER_STROKE
