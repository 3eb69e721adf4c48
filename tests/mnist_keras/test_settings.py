"""The settings table is the one list of training settings: every surface derives from it."""

import argparse
import dataclasses

import pytest

from mnist_keras import reproduce, settings
from mnist_keras.cli import build_parser
from mnist_keras.cli.train import SETTINGS_WITH_OPTIONS
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.settings import CLI, GROUPS, SETTINGS, SURFACES, SWEEP, check_value, names_on
from mnist_keras.sweeps import space


def test_the_table_names_every_config_field_in_order():
    assert list(SETTINGS) == [field.name for field in dataclasses.fields(TrainingConfig)]


def test_every_entry_is_complete():
    for entry in SETTINGS.values():
        assert entry.group in GROUPS and entry.summary
        assert entry.surfaces <= set(SURFACES)
        if entry.numeric:
            assert entry.low < entry.high
            assert entry.low > 0 or not entry.log  # a log scale needs a positive floor
        else:
            assert entry.low is None and entry.high is None and not entry.log
        default = next(field.default for field in dataclasses.fields(TrainingConfig)
                       if field.name == entry.name)
        if default is not None:
            # Each default passes its own entry (epochs=0 etc. never a default).
            assert check_value(entry.name, default) == default


def _train_parser():
    parser = build_parser()
    subparsers = next(action for action in parser._actions
                      if isinstance(action, argparse._SubParsersAction))
    return subparsers.choices["train"]


def test_the_command_line_has_an_option_for_every_cli_setting_and_no_other():
    destinations = {action.dest for action in _train_parser()._actions}
    assert set(names_on(CLI)) <= destinations
    not_settings = {"help", "run_dir", "resume", "recipe", "json"}
    assert destinations - not_settings == set(names_on(CLI))
    assert tuple(names_on(CLI)) == SETTINGS_WITH_OPTIONS


def test_the_reproduce_command_names_exactly_the_cli_settings():
    assert tuple(names_on(CLI)) == reproduce._TRAIN_OPTIONS
    assert reproduce._BOOKKEEPING == ("parent_run",)


def test_the_sweep_space_takes_exactly_the_sweep_settings():
    assert set(space.CHOICE_SETTINGS) == set(names_on(SWEEP))
    assert set(space.RANGE_SETTINGS) == {name for name in names_on(SWEEP)
                                         if SETTINGS[name].numeric}
    low, high = SETTINGS["learning_rate"].low, SETTINGS["learning_rate"].high
    space.SearchSpace({"learning_rate": {"low": low, "high": high, "log": True}})
    with pytest.raises(MnistKerasError, match="learning_rate high as a number in"):
        space.SearchSpace({"learning_rate": {"low": low, "high": high * 2}})


def test_options_and_errors_follow_the_table_bounds(monkeypatch):
    # Narrow one bound in the table: the config, the sweep space and the
    # model builder all refuse what it no longer allows.
    narrowed = dataclasses.replace(SETTINGS["dropout"], high=0.3)
    monkeypatch.setitem(SETTINGS, "dropout", narrowed)
    with pytest.raises(MnistKerasError, match=r"dropout as a number in \[0, 0.3\]"):
        TrainingConfig(dropout=0.4)
    with pytest.raises(MnistKerasError, match=r"dropout high as a number in \[0, 0.3\]"):
        space.SearchSpace({"dropout": {"low": 0.1, "high": 0.4}})


@pytest.mark.parametrize("name, value, message", [
    ("batch_size", 2.5, "batch_size as an integer in"),
    ("learning_rate", float("nan"), "learning_rate as a number in"),
    ("optimizer", "lion", "optimizer in"),
    ("model", "resnet", r"model in \[.*\] or a .json file"),
    ("data_dir", 3, "data_dir as a folder path"),
    ("parent_model", "model.h5", "parent_model as a .keras file"),
    ("augment", 1, "augment True or False"),
    ("conv_channels", 16, "conv_channels as a list"),
    ("gradient_clip_norm", 0.0, "gradient_clip_norm as a number in"),
])
def test_check_value_says_what_the_setting_takes(name, value, message):
    with pytest.raises(MnistKerasError, match=message):
        check_value(name, value)


def test_check_value_normalises():
    assert check_value("epochs", 3.0) == 3 and isinstance(check_value("epochs", 3.0), int)
    assert check_value("conv_channels", [8, 16]) == (8, 16)
    assert check_value("dropout", None) is None
    assert check_value("model", "spec.json") == "spec.json"
    with pytest.raises(MnistKerasError, match="surface in"):
        names_on("menu")


def test_names_in_a_group():
    assert settings.names_in("augmentation")[:2] == ["augment", "rotation"]
    assert settings.names_in("record") == ["parent_run"]
