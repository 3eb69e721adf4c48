"""The dashboard's pure functions: figures, progress text, settings -> config."""

import time

import numpy as np
import pytest

from dashboard.panels.progress import figures
from dashboard.panels.progress.callbacks import progress
from dashboard.shared.figures import confusion_matrix_figure, empty_figure
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.training_form import CUSTOM_MODEL, build_config, rows_to_spec, spec_to_rows
from mnist_keras.errors import MnistKerasError
from mnist_keras.models import PRESETS
from mnist_keras.runs import RunState, RunStatus


def _batch(step, epoch=1, batch=None):
    return {"type": "batch", "step": step, "epoch": epoch, "batch": batch or step,
            "batch_loss": 1.0 / step, "batch_accuracy": 0.5, "batch_seconds": 0.01}


def test_batch_figure_and_extension_line_up():
    figure = figures.batch_figure([_batch(1), _batch(2)])
    assert [trace["name"] for trace in figure["data"]] == ["loss", "accuracy"]
    assert figure["data"][0]["x"] == [1, 2] and figure["data"][0]["y"] == [1.0, 0.5]
    assert figure["data"][1]["y"] == [0.5, 0.5] and figure["data"][1]["yaxis"] == "y2"
    data, traces = figures.batch_extension([_batch(3)])
    assert traces == [0, 1] and data["x"] == [[3], [3]] and data["y"] == [[1 / 3], [0.5]]


def test_epoch_figures_follow_trace_order():
    record = {"epoch": 1, "loss": 0.5, "val_loss": 0.4, "accuracy": 0.8, "val_accuracy": 0.85,
              "epoch_seconds": 3.0, "learning_rate": 1e-3}
    figure = figures.epoch_figure([record])
    assert [t["y"][0] for t in figure["data"]] == [0.5, 0.4, 0.8, 0.85]
    data, traces = figures.epoch_extension([record])
    assert data["y"] == [[0.5], [0.4], [0.8], [0.85]] and traces == [0, 1, 2, 3]
    data, _ = figures.epoch_time_extension([record])
    assert data["y"] == [[3.0], [1e-3]]
    assert figures.epoch_time_figure([record])["data"][0]["y"] == [3.0]


def test_confusion_matrix_figure_shows_counts():
    figure = confusion_matrix_figure([[5, 1], [0, 4]], ["a", "b"], title="t")
    heatmap = figure["data"][0]
    assert heatmap["type"] == "heatmap" and heatmap["x"] == ["a", "b"]
    assert heatmap["z"] == [[5, 1], [0, 4]] and heatmap["texttemplate"] == "%{text}"
    assert figure["layout"]["title"]["text"] == "t"
    # Regression: label 0 is the top row (the y categories run bottom-up), and
    # every count is drawn in one dark colour, readable on the light scale.
    assert figure["layout"]["yaxis"]["categoryarray"] == ["b", "a"]
    assert heatmap["textfont"]["color"] == "#111827"
    # Regression: empty cells were opaque near-white blocks in the dark theme; the
    # scale runs from see-through to a blue that keeps 4.5:1 under either text colour.
    assert heatmap["colorscale"][0][1].endswith(", 0)")
    assert heatmap["colorscale"][-1][1] == "rgba(37, 99, 235, 0.75)"


def test_figures_are_valid_plotly():
    import plotly.graph_objects as go

    record = {"epoch": 1, "loss": 0.5, "epoch_seconds": 3.0, "learning_rate": 1e-3}
    for figure in (figures.batch_figure([_batch(1)]), figures.epoch_figure([record]),
                   figures.epoch_time_figure([record]), empty_figure("x"),
                   confusion_matrix_figure([[1]], ["a"])):
        go.Figure(figure)  # raises on any property plotly does not know


def test_progress_text_reads_like_tqdm():
    start = {"type": "start", "epochs": 2, "steps_per_epoch": 10, "time": time.time() - 10}
    running = RunState(RunStatus.RUNNING)
    percent, text = progress({"start": start, "batch": _batch(5)}, running)
    assert percent == 25
    assert text.startswith("epoch 1/2 · batch 5/10 · 5/20 batches (25%) · elapsed 00:1")
    assert "ETA 00:" in text
    assert progress({}, running)[1].startswith("starting")
    _, text = progress({}, RunState(RunStatus.FAILED, error="boom"))
    assert text == "failed: boom."
    percent, text = progress({"start": start, "batch": _batch(20, 2, 10)},
                             RunState(RunStatus.COMPLETED, updated=start["time"] + 30))
    assert percent == 100 and "elapsed 00:30" in text and text.endswith("completed")


def test_layer_rows_round_trip_to_a_spec():
    rows = spec_to_rows(PRESETS["simple"])
    assert rows_to_spec(rows) == PRESETS["simple"]
    rows[0]["units"] = 99  # a setting Conv2D does not have is ignored
    rows[0]["filters"] = ""
    assert rows_to_spec(rows)[0] == {"type": "Conv2D", "kernel_size": 3}


def _values(**overrides):
    # The form's values by setting name (the slider's log10 learning rate included).
    values = dict(model="mlp", rows=[], train_size=1000, test_size=1000, batch_size=32,
                  epochs=1, learning_rate=-2, optimizer="sgd", schedule="cosine", dropout=None,
                  augment=["on"], seed=3, validation_split=0.1)
    values.update(overrides)
    return values


def test_panel_values_become_a_config():
    config, spec = build_config(**_values())
    assert spec is None
    assert (config.model, config.learning_rate, config.augment, config.seed) == (
        "mlp", 0.01, True, 3)
    assert (config.validation_split, config.early_stopping_patience) == (0.1, None)


def test_advanced_values_reach_the_config():
    config, _ = build_config(**_values(validation_split=0.2, early_stopping_patience=3,
                                       reduce_lr_patience=None, gradient_clip_norm=2.0,
                                       label_smoothing=0.1, rotation=10.0, zoom=0.05,
                                       translation=0.0, elastic=1.5, binarize=0.4))
    assert (config.validation_split, config.early_stopping_patience, config.label_smoothing,
            config.rotation, config.zoom, config.translation) == (0.2, 3, 0.1, 10.0, 0.05, 0.0)
    # A setting the form does not send takes the library's default.
    assert (config.elastic, config.binarize, config.shear) == (1.5, 0.4, 0.15)
    assert config.gradient_clip_norm == 2.0


def test_every_recipe_fills_the_form_and_the_form_gives_it_back():
    # Choosing a recipe fills the controls; pressing Train with them unchanged
    # trains exactly that recipe.
    from dashboard.shared.training_form import CONTROLS, form_values
    from mnist_keras.recipes import RECIPES, recipe_config

    for name in RECIPES:
        recipe = recipe_config(name)
        values = form_values(recipe)
        settings = {control.setting: values[control.id] for control in CONTROLS}
        config, _ = build_config(rows=[], **settings)
        assert config == recipe, name


def test_custom_model_brings_its_validated_spec():
    _, spec = build_config(**_values(model=CUSTOM_MODEL, rows=spec_to_rows(PRESETS["simple"])))
    assert spec[0]["filters"] == 16 and spec[0]["padding"] == "valid"
    bad = [{"type": "Flatten"}, {"type": "Conv2D"}]
    with pytest.raises(MnistKerasError, match=r"layer 2 \(Conv2D\)"):
        build_config(**_values(model=CUSTOM_MODEL, rows=spec_to_rows(bad)))


@pytest.mark.parametrize("overrides, message", [
    ({"batch_size": None}, "Expected a value for batch_size"),
    ({"epochs": 500}, "epochs as an integer in"),
    ({"dropout": 2.0}, "dropout as a number in"),
    ({"validation_split": None}, "Expected a value for validation_split"),
    ({"shear": None}, "Expected a value for shear"),
    ({"elastic": 9.0}, "elastic as a number in"),
])
def test_bad_panel_values_are_reported(overrides, message):
    with pytest.raises(MnistKerasError, match=message):
        build_config(**_values(**overrides))


def test_digit_images_become_png_data_uris():
    uri = digit_data_uri(np.zeros((28, 28), np.uint8), scale=2)
    assert uri.startswith("data:image/png;base64,")
    import base64
    import io

    from PIL import Image

    picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert picture.size == (56, 56)


def test_bundled_images_are_read_once_however_they_are_asked_for():
    from dashboard.shared.runs_view import raw_images

    # Regression: raw_images() and raw_images(None, "mnist") once missed each
    # other's cache entry and re-read 47 MB (280 ms in a callback).
    assert raw_images()[0] is raw_images(None, "mnist")[0] is raw_images(data_dir=None)[0]


def test_the_data_summary_reads_an_idx_set_once_and_counts_a_folder_afresh(tmp_path,
                                                                          monkeypatch):
    from dashboard.shared import runs_view
    from mnist_keras.datasets import dataset_summary
    from tests.conftest import write_image_folder

    assert runs_view.data_summary("mnist") == dataset_summary("mnist")
    # The bundled set is read once, by the cache the image panels share.
    reads = []
    monkeypatch.setattr(runs_view, "read_dataset",
                        lambda *args: reads.append(args))
    runs_view.data_summary("mnist")
    assert reads == []
    folder = write_image_folder(tmp_path / "shapes", per_class=5)
    before = runs_view.data_summary("images", str(folder))
    write_image_folder(tmp_path / "shapes", per_class=8, seed=1)
    after = runs_view.data_summary("images", str(folder))
    assert after.train_images + after.test_images > before.train_images + before.test_images


def test_class_names_show_literally_in_every_figure():
    # Regression: a class folder named with markup became a link or bold text in
    # Plotly's axes, titles and legends.
    from types import SimpleNamespace

    from dashboard.panels.draw.figures import probability_figure
    from dashboard.panels.projector.figures import projector_figure

    names = ["<a href='https://example.com'>zero</a>", "<b>one</b>", "two & three"]
    matrix = confusion_matrix_figure([[1, 0, 0], [0, 1, 0], [0, 0, 1]], names,
                                     title="<i>run</i> · 99%")
    shown = [*matrix["data"][0]["x"], matrix["layout"]["title"]["text"]]
    bars = probability_figure([0.2, 0.7, 0.1], names)["data"][0]["x"]
    projection = SimpleNamespace(method="pca", indices=[0, 1, 2], labels=[0, 1, 2],
                                 predicted=[0, 1, 2],
                                 confidence=[0.9, 0.9, 0.9], x=[0, 1, 2], y=[0, 1, 2])
    legend = [trace["name"] for trace in projector_figure(projection, names)["data"][:3]]
    for text in [*shown, *bars, *legend]:
        assert "<" not in text and ">" not in text, text
    assert bars == ["&lt;a href='https://example.com'&gt;zero&lt;/a&gt;", "&lt;b&gt;one&lt;/b&gt;",
                    "two &amp; three"]
    assert legend == bars


def test_the_accuracy_axis_never_runs_past_one():
    # Regression: during epoch 1 the single point spread the axis to 1.5.
    figure = figures.epoch_figure([{"epoch": 1, "loss": 0.4, "accuracy": 0.9}])
    assert figure["layout"]["yaxis2"]["autorangeoptions"] == {"minallowed": 0, "maxallowed": 1}
    assert figures.batch_figure([_batch(1)])["layout"]["yaxis2"]["range"] == [0, 1]


@pytest.mark.parametrize("message", [
    "Expected a batch size in [1, 512]. Received: batch_size=0",
    "Expected a .keras file (a zip archive written by Keras 3). Received: model='a.keras'",
    "Expected one run. Received: 2 runs.\nSecond line",
])
def test_the_page_says_library_errors_as_sentences(message):
    # Regression: messages on the page read like library errors
    # ("Expected one ticked run to prune. Received: 0").
    text = said(MnistKerasError(message))
    assert text.startswith("Needs ") and "Expected" not in text and "Received" not in text
    assert text.endswith(".") and not text.endswith("..")
