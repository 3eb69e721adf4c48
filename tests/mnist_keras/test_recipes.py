import dataclasses

import numpy as np
import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.recipes import RECIPES, recipe_config, recipe_settings


@pytest.mark.parametrize("name", RECIPES.names())
def test_every_recipe_is_a_valid_config_of_known_settings(name):
    fields = {field.name for field in dataclasses.fields(TrainingConfig)}
    assert set(recipe_settings(name)) <= fields
    assert isinstance(recipe_config(name), TrainingConfig)


def test_default_is_the_library_default_and_overrides_win():
    assert recipe_config("default") == TrainingConfig()
    assert recipe_config("fast", epochs=4, seed=3).epochs == 4
    settings = recipe_settings("robust")
    settings["epochs"] = 99  # a copy: the recipe itself is unchanged
    assert recipe_settings("robust")["epochs"] != 99


def test_an_unknown_recipe_or_bad_override_is_refused():
    with pytest.raises(MnistKerasError, match="Expected recipe in"):
        recipe_config("slow")
    with pytest.raises(MnistKerasError, match="batch_size"):
        recipe_config("fast", batch_size=0)


def test_the_robust_recipe_augments_for_handwriting_without_shifting():
    config = recipe_config("robust")
    assert config.augment and config.shear > 0 and config.stroke_width > 0
    assert config.binarize > 0 and config.label_smoothing > 0
    # Preprocessing scales and centres every drawing; elastic distortion cost
    # the real writers' digits accuracy.
    assert config.translation == 0 and config.zoom == 0 and config.elastic == 0


def test_the_best_recipe_trains_the_compact_net_on_mnist_like_variation():
    config = recipe_config("best")
    assert config.model == "cnn-compact" and config.augment
    assert config.rotation > 0 and config.zoom > 0 and config.translation > 0
    assert config.shear == 0 and config.elastic == 0
    assert config.epochs > recipe_config("robust").epochs


def test_one_cycle_warms_up_then_decays():
    from mnist_keras.optimizers import make_schedule

    schedule = make_schedule("one-cycle", 2e-3, steps_per_epoch=100, epochs=2)
    rates = np.array([float(schedule(step)) for step in (0, 20, 40, 120, 200)])
    assert rates[0] == pytest.approx(2e-4)
    assert rates[0] < rates[1] < rates[2] == pytest.approx(2e-3)
    assert rates[2] > rates[3] > rates[4] == pytest.approx(2e-5, rel=0.05)
