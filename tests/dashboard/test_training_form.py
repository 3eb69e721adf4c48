"""The training form derives from the settings table: every surface shows what the table says."""

import math

from dashboard.panels.train import layout
from dashboard.panels.train.share import FORM_SETTINGS
from dashboard.shared import help_texts, ids, training_form
from dashboard.shared.training_form import CONTROLS, FORM_STATES, build_config, form_values
from mnist_keras.config import TrainingConfig
from mnist_keras.settings import FORM, SETTINGS, SHARE, names_on


def test_one_control_per_setting_the_table_puts_on_the_form():
    assert sorted(control.setting for control in CONTROLS) == sorted(names_on(FORM))
    assert len({control.id for control in CONTROLS}) == len(CONTROLS)
    assert set(FORM_STATES) == {"rows", *names_on(FORM)}


def test_a_share_link_carries_exactly_the_share_settings():
    assert set(FORM_SETTINGS) == set(names_on(SHARE))


def test_every_form_setting_has_its_help_text_and_every_control_shows_it():
    assert set(help_texts.TRAINING) == set(names_on(FORM))
    for control in CONTROLS:
        assert help_texts.SETTINGS[control.id] == help_texts.TRAINING[control.setting]


def test_the_learning_rate_slider_ends_where_the_table_does():
    slider = layout.control_widget(ids.LEARNING_RATE)
    entry = SETTINGS["learning_rate"]
    assert entry.log and training_form.CONTROL[ids.LEARNING_RATE].log
    assert (slider.min, slider.max) == (math.log10(entry.low), math.log10(entry.high))
    assert sorted(slider.marks) == list(range(math.ceil(slider.min), math.floor(slider.max) + 1))


def test_number_boxes_and_sliders_take_their_bounds_from_the_table():
    for control in CONTROLS:
        widget = layout.control_widget(control.id)
        entry = SETTINGS[control.setting]
        if control.widget == "number":
            # No min/max on the box (a browser empties an out-of-range number):
            # the placeholder states the bounds unless it says what empty means.
            expected = control.placeholder or f"{entry.low:g}-{entry.high:g}"
            assert widget.placeholder == expected, control.id
        elif control.widget == "slider" and not control.log:
            assert (widget.min, widget.max) == (entry.low, entry.high), control.id


def test_values_travel_under_the_settings_own_names():
    config = TrainingConfig(learning_rate=0.01, early_stopping_patience=3, validation_split=0.1,
                            gradient_clip_norm=0.5, augment=True)
    values = form_values(config)
    again, spec = build_config(**{control.setting: values[control.id] for control in CONTROLS})
    assert again == config and spec is None


def test_the_mlflow_box_takes_a_tracking_server_and_nothing_that_writes_files():
    import pytest

    from mnist_keras.errors import MnistKerasError

    config, _ = build_config(mlflow=" http://127.0.0.1:5000 ", tensorboard=["on"])
    assert config.mlflow == "http://127.0.0.1:5000" and config.tensorboard is True
    config, _ = build_config(mlflow="", tensorboard=[])
    assert config.mlflow is None and config.tensorboard is False
    for store in ("file:/etc/mlruns", "sqlite:////tmp/x.db", "/tmp/mlruns"):
        with pytest.raises(MnistKerasError, match="an http:// or https:// tracking server"):
            build_config(mlflow=store)
    assert layout.control_widget(ids.MLFLOW).placeholder == "http://127.0.0.1:5000"
