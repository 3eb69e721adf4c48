"""Every option's name lives in one registry; the code behind each name agrees with it."""

import keras
import pytest

from mnist_keras import registries
from mnist_keras.errors import MnistKerasError
from mnist_keras.layer_specs import PRESETS
from mnist_keras.models import ARCHITECTURES, build_model_from_spec
from mnist_keras.optimizers import _optimizer_builders, _schedule_builders
from mnist_keras.pruning import make_sparsity_schedule


def test_builders_match_their_registries():
    assert list(_optimizer_builders()) == registries.OPTIMIZERS.names()
    assert list(_schedule_builders()) == registries.SCHEDULES.names()
    assert list(ARCHITECTURES) + list(PRESETS) == registries.MODELS.names()
    for name in registries.PRUNING_SCHEDULES:
        assert make_sparsity_schedule(name, 0.5, 100).final_sparsity == 0.5


@pytest.mark.parametrize("activation", registries.ACTIVATIONS.names())
def test_every_spec_activation_builds(activation):
    model = build_model_from_spec([{"type": "Flatten"},
                                   {"type": "Dense", "units": 4, "activation": activation}])
    assert keras.activations.serialize(model.layers[1].activation) is not None


def test_unknown_names_list_the_choices_in_one_line():
    with pytest.raises(MnistKerasError, match=r"Expected optimizer in \['adam', 'sgd'.*"
                                              r"Received: optimizer='lion'"):
        registries.OPTIMIZERS.check("lion")
    for odd in (["adam"], {"a": 1}, None, 3):  # from a file or a request: not even a string
        with pytest.raises(MnistKerasError, match="Expected schedule in"):
            registries.SCHEDULES.check(odd)
        assert odd not in registries.SCHEDULES


def test_descriptions_serve_help_texts():
    assert "momentum" in registries.OPTIMIZERS.describe("sgd")
    assert registries.PRUNING_SCOPES.help().startswith("global: ")
    assert len(registries.MODELS) == 7 and "cnn" in repr(registries.MODELS)
