import dataclasses

import pytest

from mnist_keras.config import RANGES, TrainingConfig
from mnist_keras.errors import MnistKerasError


def test_defaults_are_the_reference_recipe():
    config = TrainingConfig()
    assert (config.model, config.train_size, config.test_size) == ("cnn", 60_000, 10_000)
    assert (config.batch_size, config.epochs, config.learning_rate) == (128, 10, 3e-3)
    assert (config.optimizer, config.schedule, config.validation_split) == (
        "adam", "one-cycle", 0)
    # Robust to real handwriting by default (the robust recipe's settings).
    assert config.augment and (config.shear, config.stroke_width, config.binarize) == (
        0.15, 0.3, 0.5)
    assert (config.dropout, config.label_smoothing) == (0.25, 0.1)


def test_settings_written_under_older_defaults_read_as_they_meant():
    from mnist_keras.recipes import recipe_config
    from mnist_keras.settings import DEFAULTS_VERSION, defaults_changed_since

    # A dict from defaults version 1 that named only its epochs meant plain training.
    assert TrainingConfig.from_dict({"epochs": 3}, defaults_version=1) == \
        recipe_config("plain", epochs=3)
    assert TrainingConfig.from_dict({"epochs": 3}) == TrainingConfig(epochs=3)
    assert defaults_changed_since(DEFAULTS_VERSION) == {}
    for bad in (0, DEFAULTS_VERSION + 1, "2", True):
        with pytest.raises(MnistKerasError, match="defaults version"):
            TrainingConfig.from_dict({}, defaults_version=bad)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_each_range_accepts_its_bounds_and_refuses_beyond(name):
    low, high = RANGES[name]
    # Patience settings watch a validation split; the plateau one needs a constant rate.
    needs = {"validation_split": 0.1, "schedule": "constant"} if "patience" in name else {}
    TrainingConfig(**{name: low}, **needs)
    TrainingConfig(**{name: high}, **needs)
    step = 1 if isinstance(low, int) else (high - low) * 0.01 or 1e-6
    for bad in (low - step, high + step):
        with pytest.raises(MnistKerasError, match=f"Expected {name} as .* Received: {name}="):
            TrainingConfig(**{name: bad}, **needs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_size": 32.5}, "batch_size as an integer"),
        ({"epochs": "10"}, "epochs as an integer"),
        ({"learning_rate": True}, "learning_rate as a number"),
        ({"optimizer": "lion"}, "optimizer in"),
        ({"schedule": "step"}, "schedule in"),
        ({"dataset": "cifar10"}, "dataset in"),
        ({"model": "resnet"}, "model in"),
        ({"augment": "yes"}, "augment True or False"),
        ({"validation_split": 0.1, "reduce_lr_patience": 2}, "reduce_lr_patience only with"),
        ({"early_stopping_patience": 2}, "validation_split above 0"),
    ],
)
def test_bad_settings_are_reported(kwargs, message):
    with pytest.raises(MnistKerasError, match=message):
        TrainingConfig(**kwargs)


def test_whole_floats_become_integers():
    assert TrainingConfig(epochs=3.0).epochs == 3


def test_dict_round_trip_and_unknown_keys():
    config = TrainingConfig(epochs=2, conv_channels=(8, 16))
    again = TrainingConfig.from_dict(config.to_dict())
    assert again == config and again.conv_channels == (8, 16)
    assert config.to_dict()["conv_channels"] == [8, 16]  # plain JSON
    with pytest.raises(MnistKerasError, match="unknown=\\['epoch'\\]"):
        TrainingConfig.from_dict({"epoch": 3})
    assert {f.name for f in dataclasses.fields(TrainingConfig)} >= set(RANGES)


def test_layer_spec_files_are_checked_as_sources(tmp_path):
    good = tmp_path / "good.json"
    good.write_text('[{"type": "Flatten"}, {"type": "Dense", "units": 8}]')
    TrainingConfig(model=str(good)).check_sources()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"type": "Flatten"}, {"type": "Conv2D"}]')
    with pytest.raises(MnistKerasError, match=r"layer 2 \(Conv2D\)"):
        TrainingConfig(model=str(bad)).check_sources()
    # Creating a config reads no file: a stored run's config reads back even
    # after its spec file moved.
    missing = TrainingConfig(model=str(tmp_path / "missing.json"))
    with pytest.raises(MnistKerasError, match="existing layer-spec file"):
        missing.check_sources()
    with pytest.raises(MnistKerasError, match="parent_model as an existing"):
        TrainingConfig(parent_model=str(tmp_path / "gone.keras")).check_sources()


def test_a_config_is_immutable():
    config = TrainingConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.epochs = 3
    assert dataclasses.replace(config, epochs=3).epochs == 3
