"""The teaching parts without a browser: help texts, shared settings, lessons, the diagram."""

import json

import pytest
from dash import dcc

from dashboard import page as layout
from dashboard.panels.inside.diagram import diagram, layer_kind
from dashboard.panels.progress.figures import batch_figure, epoch_figure
from dashboard.panels.train.share import MAX_QUERY_CHARS, query_for, read_query
from dashboard.shared import components, help_texts, ids, training_form
from dashboard.shared.figures import epoch_ticks
from dashboard.shared.formatting import plural
from dashboard.shared.lessons import LESSONS, lesson
from dashboard.shared.training_form import FORM_STATES, build_config, data_folder
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.layer_specs import validate_spec
from mnist_keras.recipes import RECIPES, recipe_config
from tests.dashboard.layout_tree import walk

# Buttons and the lesson-free stores: every other control on the page is a setting.
_NOT_SETTINGS = {ids.TRAIN, ids.ADD_LAYER, ids.PRUNE_START, ids.QUEUE}


def test_every_setting_on_the_page_has_help_in_plain_words():
    page = layout.page("CPU")
    tooltips = {getattr(node, "target", None): node.children for node in walk(page)
                if type(node).__name__ == "Tooltip"}
    settings = set(training_form.BUSY_CONTROLS) - _NOT_SETTINGS
    for control in settings | {ids.PRUNE_SPARSITY, ids.PRUNE_EPOCHS, ids.TEST_COUNT,
                               ids.EXPORT_QUANTIZE, ids.INSPECT_RUN, ids.PREDICT_RUNS}:
        text = help_texts.SETTINGS.get(control)
        assert text and len(text) >= 40, control
        assert tooltips.get(f"label-{control}") == text, control
    for key, _ in layout.SECTIONS:
        assert tooltips.get(f"heading-{key}") == help_texts.PANELS[key]


def test_help_for_a_number_says_what_happens_when_it_is_too_high_or_low():
    for control in (ids.LEARNING_RATE, ids.BATCH_SIZE, ids.DROPOUT, ids.EPOCHS):
        text = help_texts.SETTINGS[control].lower()
        assert any(word in text for word in ("too high", "too low", "large", "small", "above",
                                             "past a point")), control


def _form_settings(**changes):
    defaults = {"model": "cnn", "rows": [], "train_size": 5500, "test_size": 1000,
                "batch_size": 128, "epochs": 10, "learning_rate": -2.52, "optimizer": "adam",
                "schedule": "one-cycle", "dropout": None, "augment": [], "seed": 0,
                "validation_split": 0.1, "early_stopping_patience": None,
                "reduce_lr_patience": None, "label_smoothing": 0.0, "dataset": "mnist",
                "data_dir": ""}
    return {**defaults, **changes}


def test_the_form_reads_every_setting_it_shows():
    assert {"dataset", "data_dir"} <= set(FORM_STATES)
    config, spec = build_config(**_form_settings(dataset="images", data_dir=" /data/shapes "))
    assert config.dataset == "images" and config.data_dir == "/data/shapes" and spec is None
    config, _ = build_config(**_form_settings(data_dir="/ignored"))
    assert config.data_dir is None  # the bundled MNIST needs no folder
    assert data_folder("idx", "  ") is None and data_folder("mnist", "/x") is None


def test_a_batch_size_out_of_range_is_named_with_its_range():
    # Regression: the browser emptied an out-of-range box and the message said "empty".
    with pytest.raises(MnistKerasError, match=r"batch_size as an integer in \[1, 512\]. "
                                              r"Received: batch_size=600"):
        build_config(**_form_settings(batch_size=600))
    number = components.number(ids.BATCH_SIZE, 128, 1, 512)
    assert isinstance(number, dcc.Input) and getattr(number, "max", None) is None


@pytest.mark.parametrize("recipe", RECIPES.names())
def test_a_link_opens_exactly_the_settings_it_was_made_from(recipe):
    config = recipe_config(recipe, seed=3, dropout=0.3, learning_rate=0.002)
    query = query_for(config)
    assert query.startswith("?") and len(query) < 600
    again, spec, lesson_key = read_query(query)
    assert again == config and spec is None and lesson_key is None


def test_a_custom_model_travels_in_the_link():
    spec = [{"type": "Conv2D", "filters": 8}, {"type": "MaxPool"}, {"type": "Flatten"},
            {"type": "Dense", "units": 32}]
    config, _ = build_config(**_form_settings(model=training_form.CUSTOM_MODEL,
                                              rows=training_form.spec_to_rows(spec), epochs=3))
    query = query_for(config, spec)
    assert "spec=" in query and "model=" not in query
    again, spec_again, _ = read_query(query)
    assert spec_again == validate_spec(spec) and again.epochs == 3


@pytest.mark.parametrize("query, message", [
    ("?epochs=0", r"epochs as an integer in \[1, 200\]"),
    ("?sparsity=0.5", "settings among"),
    ("?parent_model=/etc/model.keras", "settings among"),
    ("?lesson=nothing", "a lesson in"),
    ("?spec=[{\"type\": \"Lambda\"}]", "layer spec in the address"),
    ("?epochs=" + "9" * MAX_QUERY_CHARS, "page address of at most"),
])
def test_a_bad_link_says_what_is_wrong_and_sets_nothing(query, message):
    with pytest.raises(MnistKerasError, match=message):
        read_query(query)


def test_an_empty_address_asks_for_nothing():
    assert read_query("") == (None, None, None)
    assert read_query(None) == (None, None, None)


def test_every_lesson_is_a_valid_preset_with_a_link_and_what_to_watch():
    assert len({item.key for item in LESSONS}) == len(LESSONS) >= 4
    for item in LESSONS:
        config = item.config()
        assert isinstance(config, TrainingConfig)
        assert read_query(item.link) == (config, None, item.key)
        assert query_for(config, lesson_key=item.key) == item.link
        assert len(item.watch) > 80 and len(item.then) > 60 and item.summary.endswith("?")
    # Once its settings change, a lesson's link gives way to the settings themselves.
    changed = query_for(lesson("overfitting").config().__class__(epochs=2),
                        lesson_key="overfitting")
    assert changed == "?epochs=2&defaults=2"


def test_a_link_from_before_the_defaults_changed_opens_the_settings_it_meant():
    # Written under defaults version 1 (no version in it): plain training then.
    config, _, _ = read_query("?epochs=2")
    assert config == recipe_config("plain", epochs=2) and not config.augment
    # Written now: the robust defaults.
    now, _, _ = read_query(query_for(TrainingConfig(epochs=2)))
    assert now == TrainingConfig(epochs=2) and now.augment
    for bad in ("?epochs=2&defaults=x", "?epochs=2&defaults=99"):
        with pytest.raises(MnistKerasError, match="defaults"):
            read_query(bad)


def test_the_overfitting_lesson_really_invites_overfitting():
    config = lesson("overfitting").config()
    assert config.train_size <= 1_000 and config.dropout == 0 and config.epochs >= 20
    assert config.validation_split > 0  # a validation curve to watch
    assert not config.augment and config.label_smoothing == 0  # nothing hides memorising


def test_the_diagram_shows_each_layer_and_where_a_branch_comes_from():
    rows = [{"name": "a", "type": "Conv2D", "output_shape": (28, 28, 4), "params": 40,
             "inputs": []},
            {"name": "b", "type": "Conv2D", "output_shape": (28, 28, 4), "params": 148,
             "inputs": ["a"]},
            {"name": "add", "type": "Add", "output_shape": (28, 28, 4), "params": 0,
             "inputs": ["a", "b"]}]
    blocks = [item for item in diagram(rows, focused="b") if item.__class__.__name__ == "Button"]
    assert [block.id for block in blocks] == [{"type": ids.LAYER_BLOCK, "layer": name}
                                              for name in ("a", "b", "add")]
    assert "focused" in blocks[1].className and "net-conv" in blocks[0].className
    text = json.dumps(blocks[2].to_plotly_json(), default=str)
    assert "from a + b" in text and "no weights" in text
    assert layer_kind("MaxPooling2D") == "pool" and layer_kind("Lambda") == "other"


def test_layer_inputs_follow_a_functional_models_branches():
    import keras

    from mnist_keras.inspection import layer_summary

    x = keras.Input((28, 28, 1))
    a = keras.layers.Conv2D(4, 3, padding="same", name="a")(x)
    b = keras.layers.Conv2D(4, 3, padding="same", name="b")(a)
    added = keras.layers.Add(name="add")([a, b])
    out = keras.layers.Dense(10, activation="softmax", name="out")(
        keras.layers.Flatten(name="flat")(added))
    inputs = {row["name"]: row["inputs"] for row in layer_summary(keras.Model(x, out))}
    assert inputs == {"a": [], "b": ["a"], "add": ["a", "b"], "flat": ["add"], "out": ["flat"]}


def test_empty_charts_hide_their_axes_and_epochs_tick_whole():
    layout_ = batch_figure()["layout"]
    assert layout_["xaxis"]["visible"] is False and "No batches" in \
        layout_["annotations"][0]["text"]
    ticks = epoch_figure([{"epoch": 1, "loss": 0.3}, {"epoch": 2, "loss": 0.2}])["layout"]
    assert ticks["xaxis"]["dtick"] == 1 and ticks["xaxis"].get("visible") is not False
    assert epoch_ticks(200)["dtick"] == 20
    # The legend hangs below the x axis's title (Plotly makes room for it).
    assert ticks["legend"]["y"] < -0.1 and ticks["legend"]["yanchor"] == "top"
    assert batch_figure([{"step": 1, "epoch": 1, "batch": 1, "batch_seconds": 0.1}])[
        "layout"]["legend"]["y"] < -0.25


def test_counts_are_written_in_words_that_agree():
    assert plural(1, "epoch") == "1 epoch" and plural(3, "epoch") == "3 epochs"
    assert plural(1200, "image") == "1,200 images"
