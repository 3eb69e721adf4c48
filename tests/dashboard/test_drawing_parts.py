"""The drawing panel's pure parts: canvas JSON, rendering, figures, model cache."""

import base64
import io
import json
import os
import shutil
import threading

import numpy as np
import pytest
from PIL import Image

from dashboard.panels.draw import callbacks as drawing_callbacks
from dashboard.panels.draw import canvas, figures
from dashboard.panels.inside import callbacks as inspection
from dashboard.panels.inside.figures import activation_flow_figure, heatmap_grid_figure, mosaic
from dashboard.shared import loaded_models
from dashboard.shared.runs_view import run_options
from dashboard.shared.test_digits import mnist_test_results
from mnist_keras import runs
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, RunConfig, RunIndex


def _canvas_json(*paths):
    """JSON as the canvas writes it: its background image, then one path per stroke."""
    objects = [{"type": "image", "left": 0, "top": 0, "width": 282, "height": 280,
                "src": "data:image/png;base64,AAAA"}]
    for path in paths:
        objects.append({"type": "path", "strokeWidth": 20, "stroke": "black",
                        "left": 0, "top": 0, "path": path})
    return json.dumps({"objects": objects})


def test_blank_backgrounds_make_a_280_by_280_canvas_and_differ():
    first, second = canvas.blank_background(0), canvas.blank_background(1)
    assert first != second
    picture = Image.open(io.BytesIO(base64.b64decode(first.split(",", 1)[1])))
    # One pixel wider than the canvas on each side: see COMPONENT_WIDTH.
    assert picture.size == (282, 280)
    assert np.asarray(picture.convert("L")).min() == 255


def test_strokes_come_from_path_objects_only():
    data = _canvas_json([["M", 100, 50], ["Q", 100, 60, 110, 70], ["L", 120, 200]])
    (stroke,) = canvas.strokes_from_json(data)
    assert stroke["width"] == 20
    assert stroke["points"][0] == [100, 50] and stroke["points"][-1] == [120, 200]
    # The quadratic segment is flattened into points along the curve, ending at its end.
    assert [110, 70] in stroke["points"] and len(stroke["points"]) == 1 + 6 + 1


@pytest.mark.parametrize("data", ["", "not json", "[1, 2]", '{"objects": 5}',
                                  '{"objects": [{"type": "path", "path": [["Q", "x"]]}]}',
                                  _canvas_json()])
def test_no_strokes_in_empty_or_foreign_data(data):
    assert canvas.strokes_from_json(data) == []


def test_stroke_count_is_bounded():
    data = _canvas_json(*[[["M", 10, 10], ["L", 20, 20]]] * (canvas.MAX_STROKES + 50))
    assert len(canvas.strokes_from_json(data)) == canvas.MAX_STROKES


def test_render_paints_strokes_black_on_white_with_round_caps():
    image = canvas.render_strokes([{"points": [[140, 40], [140, 240]], "width": 20}])
    assert image.shape == (280, 280) and image.dtype == np.uint8
    assert image[140, 140] == 0 and image[140, 100] == 255
    assert image[32, 140] == 0  # the round cap reaches past the end point
    dot = canvas.render_strokes([{"points": [[50, 50]], "width": 10}])
    assert dot[50, 50] == 0 and (dot == 0).sum() < 120


def test_confidence_colours():
    colors = figures.LEVEL_COLORS
    assert figures.confidence_color(0.95) == colors["high"]
    assert figures.confidence_color(0.8) == colors["medium"]
    assert figures.confidence_color(0.5) == colors["medium"]
    assert figures.confidence_color(0.49) == colors["low"]


def test_probability_bars_colour_the_winner():
    probabilities = np.full(10, 0.01)
    probabilities[3] = 0.91
    (bars,) = figures.probability_figure(probabilities)["data"]
    assert bars["x"] == [str(d) for d in range(10)] and bars["y"][3] == 0.91
    assert bars["marker"]["color"][3] == figures.LEVEL_COLORS["high"]
    assert len(set(bars["marker"]["color"])) == 2


def test_mosaic_lays_tiles_out_with_gaps():
    tiles = np.arange(5 * 2 * 3).reshape(5, 2, 3)
    grid = mosaic(tiles, columns=2)
    assert grid.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(grid[0:2, 4:7], tiles[1])
    np.testing.assert_array_equal(grid[6:8, 0:3], tiles[4])
    assert np.isnan(grid[2]).all() and np.isnan(grid[6:8, 4:7]).all()


def test_heatmap_grid_names_each_tile_and_centres_weights():
    tiles = np.random.default_rng(0).normal(size=(4, 3, 3))
    figure = heatmap_grid_figure(tiles, "kernels", columns=2, symmetric=True,
                                         tile_label="kernel")
    (trace,) = figure["data"]
    assert trace["customdata"][0][0] == 0 and trace["customdata"][-1][-1] == 3
    assert trace["zmid"] == 0 and trace["zmax"] == pytest.approx(np.abs(tiles).max())
    assert trace["z"][3] == [None] * 7  # the gap row
    assert figure["layout"]["title"]["text"] == "kernels"


def test_activation_flow_figure_has_a_point_per_layer():
    flow = [{"name": "conv", "output_shape": (26, 26, 8), "mean": 0.5, "max": 2.0,
             "active_fraction": 0.4},
            {"name": "probabilities", "output_shape": (10,), "mean": 0.1, "max": 0.9,
             "active_fraction": 1.0}]
    bars, line = activation_flow_figure(flow)["data"]
    assert bars["x"] == ["conv", "probabilities"] and bars["customdata"] == ["26×26×8", "10"]
    assert line["y"] == [0.4, 1.0]


def test_weight_tiles_for_conv_pixel_dense_and_other_dense():
    conv = np.zeros((3, 3, 2, 4))
    conv[:, :, 1, 2] = 7
    tiles, columns, what, note = inspection.weight_tiles(conv)
    assert tiles.shape == (8, 3, 3) and columns == 4 and what == "kernel"
    assert (tiles[1 * 4 + 2] == 7).all() and tiles.sum() == 7 * 9  # row = input, column = filter
    assert note == "2 input channels (rows), 4 filters (columns)"
    pixels = np.zeros((784, 40))
    pixels[28 * 5 + 6, 1] = 1
    tiles, _, what, note = inspection.weight_tiles(pixels)
    assert tiles.shape == (32, 28, 28) and what == "unit" and tiles[1, 5, 6] == 1
    assert note.startswith("first 32 of 40 units")
    tiles, columns, what, _ = inspection.weight_tiles(np.ones((64, 16)))
    assert tiles.shape == (1, 16, 64) and columns == 1 and what == "matrix"


def test_weight_tiles_say_which_input_channels_they_leave_out_and_wrap_a_first_layer():
    _, columns, _, note = inspection.weight_tiles(np.zeros((3, 3, 32, 64)))
    assert note == "first 8 of 32 input channels (rows), 64 filters (columns)"
    tiles, columns, _, note = inspection.weight_tiles(np.zeros((3, 3, 1, 32)))
    assert tiles.shape == (32, 3, 3) and columns == 8 and note == "32 filters of the input image"


@pytest.fixture
def runs_dir(tmp_path, small_cnn_run):
    shutil.copytree(small_cnn_run, tmp_path / "small-cnn")
    failed = Run.create(tmp_path / "broken")
    failed.write_config(RunConfig.for_training(TrainingConfig()))
    failed.set_status("failed", error="boom")
    return tmp_path


def test_only_runs_with_a_model_are_offered(runs_dir):
    options = run_options(RunIndex(runs_dir), finished_only=True)
    assert [option["value"] for option in options] == ["small-cnn"]
    assert "completed" in options[0]["label"]


@pytest.mark.parametrize("name", ["broken", "missing", "../small-cnn", "", None, "."])
def test_loading_anything_but_a_finished_run_is_refused(runs_dir, name):
    with pytest.raises(MnistKerasError):
        loaded_models.load(str(runs_dir), name)


def test_models_are_loaded_once_and_again_when_the_file_changes(runs_dir):
    first = loaded_models.load(str(runs_dir), "small-cnn")
    assert loaded_models.load(str(runs_dir), "small-cnn") is first
    path = runs_dir / "small-cnn" / "model.keras"
    os.utime(path, (os.path.getmtime(path) + 10,) * 2)
    assert loaded_models.load(str(runs_dir), "small-cnn") is not first
    assert first.feature_extractor[1][0].startswith("conv2d")
    assert first.activation_extractor[1][-1] == "probabilities"


def test_drawn_strokes_are_predicted_by_each_selected_run(runs_dir):
    one = [{"points": [[140, 40], [142, 240]], "width": 22}]
    cards, image, labels = drawing_callbacks.predict_strokes(str(runs_dir), one, ["small-cnn"])
    assert image.shape == (28, 28) and len(cards) == 1 and labels == [1]
    text = str(cards[0])
    assert "small-cnn" in text and "confidence" in text


@pytest.mark.parametrize("strokes, says", [
    (None, "Draw a digit"), ([], "Draw a digit"),
    ([{"points": [[5, 5]], "width": 1}], "empty drawing"),
    # Regression: one tap of the pen was predicted "0" at 93%, shown in green.
    ([{"points": [[140, 140]], "width": 22}], "a dot or a tick, not a digit"),
    ([{"points": [[140, 120], [150, 135]], "width": 22}], "a dot or a tick, not a digit"),
])
def test_nothing_a_speck_a_tap_or_a_tick_is_not_predicted(runs_dir, strokes, says):
    message, image, _ = drawing_callbacks.predict_strokes(str(runs_dir), strokes, ["small-cnn"])
    assert image is None and says in str(message)


def test_test_on_mnist_marks_each_digit_and_bounds_the_count(runs_dir):
    (section,) = mnist_test_results(str(runs_dir), ["small-cnn"], 12, seed=1)
    text = str(section)
    assert "of 12 right" in text
    assert text.count("tile correct") + text.count("tile wrong") == 12
    (section,) = mnist_test_results(str(runs_dir), ["small-cnn"], 10**6,
                                                      seed=1)
    assert "of 100 right" in str(section)


def test_twenty_first_loads_at_once_read_the_file_once(runs_dir, monkeypatch):
    loaded_models._load_cached.cache_clear()
    reads = []
    original = runs.load_model

    def counting_load_model(path):
        reads.append(path)
        return original(path)

    monkeypatch.setattr(runs, "load_model", counting_load_model)
    barrier = threading.Barrier(20)
    results = []

    def first_visit():
        barrier.wait()
        results.append(loaded_models.load(str(runs_dir), "small-cnn"))

    threads = [threading.Thread(target=first_visit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1
    assert len(results) == 20 and all(result is results[0] for result in results)


def test_the_canvas_script_never_restates_the_pads_numbers():
    # drawing.js reads the pause from the page (the canvas box's data-pause-ms).
    import re

    import dashboard
    from mnist_keras.drawing_pad import PAD_SIZE, PAUSE_MS, PEN_WIDTH

    path = os.path.join(os.path.dirname(dashboard.__file__), "assets", "drawing.js")
    with open(path, encoding="utf-8") as file:
        script = file.read()
    assert not re.findall(rf"\b({PAD_SIZE}|{PEN_WIDTH}|{PAUSE_MS})\b", script)
    assert "dataset.pauseMs" in script
    assert (canvas.CANVAS_SIZE, canvas.LINE_WIDTH) == (PAD_SIZE, PEN_WIDTH)
