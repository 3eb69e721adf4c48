import json

import keras
import numpy as np
import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.models import build_model
from mnist_keras.pruning import (
    ConstantSparsity,
    PolynomialDecay,
    PruningCallback,
    count_nonzero_params,
    magnitude_masks,
    make_sparsity_schedule,
    prunable_layers,
    prune,
    sparsity_report,
    strip,
)
from mnist_keras.runs import load_model
from mnist_keras.training import train
from tests.conftest import make_digits


def test_constant_sparsity_prunes_every_frequency_steps_in_its_window():
    schedule = ConstantSparsity(0.5, begin_step=10, end_step=30, frequency=10)
    assert [step for step in range(50) if schedule(step)[0]] == [10, 20, 30]
    assert schedule(20) == (True, 0.5)
    assert [s for s in range(25) if ConstantSparsity(0.3, frequency=12)(s)[0]] == [0, 12, 24]


def test_polynomial_decay_follows_tfmot_formula():
    schedule = PolynomialDecay(0.1, 0.9, begin_step=0, end_step=100, power=3, frequency=30)
    assert schedule(0) == (True, pytest.approx(0.1))
    assert schedule(50)[1] == pytest.approx(0.9 + (0.1 - 0.9) * 0.5 ** 3)
    assert schedule(100) == (True, pytest.approx(0.9))  # the end step always prunes
    assert schedule(200) == (False, pytest.approx(0.9))
    assert [s for s in range(101) if schedule(s)[0]] == [0, 30, 60, 90, 100]


@pytest.mark.parametrize("make", [
    lambda: ConstantSparsity(1.0),
    lambda: ConstantSparsity(0.5, frequency=0),
    lambda: ConstantSparsity(0.5, begin_step=5, end_step=2),
    lambda: PolynomialDecay(0.0, 0.5, begin_step=10, end_step=10),
    lambda: make_sparsity_schedule("cubic", 0.5, 100),
])
def test_bad_schedules_are_refused(make):
    with pytest.raises(MnistKerasError, match="Expected"):
        make()


def test_run_schedules_reach_the_target_before_the_end():
    schedule = make_sparsity_schedule("polynomial", 0.8, total_steps=200)
    pruning_steps = [s for s in range(200) if schedule(s)[0]]
    assert pruning_steps[-1] == 140 and schedule(140)[1] == pytest.approx(0.8)
    assert len(pruning_steps) == 11
    assert make_sparsity_schedule("constant", 0.8, 200)(0) == (True, 0.8)


@pytest.fixture
def cnn():
    keras.utils.set_random_seed(0)
    return build_model("cnn")


def test_the_output_layer_is_left_dense_by_default(cnn):
    names = [layer.name for layer in prunable_layers(cnn)]
    assert cnn.layers[-1].name not in names and len(names) == 3
    assert prunable_layers(cnn, include_output=True)[-1] is cnn.layers[-1]


def test_global_pruning_shares_one_threshold(cnn):
    masks = magnitude_masks(cnn, 0.7, scope="global")
    zeros = sum(int((m == 0).sum()) for m in masks.values())
    total = sum(m.size for m in masks.values())
    assert zeros == round(0.7 * total)
    layers = {layer.name: layer for layer in cnn.layers}
    pruned_max = max(np.abs(np.asarray(layers[n].kernel))[m == 0].max() for n, m in masks.items())
    kept_min = min(np.abs(np.asarray(layers[n].kernel))[m == 1].min() for n, m in masks.items())
    assert pruned_max <= kept_min
    per_layer = [float((m == 0).mean()) for m in masks.values()]
    assert max(per_layer) - min(per_layer) > 0.05  # layers end up different


def test_layer_pruning_gives_each_layer_the_target(cnn):
    masks = magnitude_masks(cnn, 0.6, scope="layer")
    for mask in masks.values():
        assert (mask == 0).sum() == round(0.6 * mask.size)


def test_prune_and_report(cnn):
    prune(cnn, 0.5, layers=[cnn.layers[1].name], scope="layer")
    report = sparsity_report(cnn, layers=[cnn.layers[1].name])
    (row,) = report["layers"]
    assert row["zeros"] == round(0.5 * row["total"]) and report["sparsity"] == row["sparsity"]
    assert report["params"] == cnn.count_params() == 225_930
    assert report["nonzero_params"] == count_nonzero_params(cnn) < 225_930


@pytest.mark.parametrize("layers, scope, message", [
    (["nope"], "global", "layer names"),
    (None, "everywhere", "scope"),
])
def test_bad_pruning_requests_are_refused(cnn, layers, scope, message):
    with pytest.raises(MnistKerasError, match=message):
        magnitude_masks(cnn, 0.5, layers=layers, scope=scope)


def test_pruned_weights_stay_zero_through_fine_tuning():
    keras.utils.set_random_seed(0)
    images, labels = make_digits(512)
    x = images[..., None].astype("float32") / 255
    y = keras.utils.to_categorical(labels, 10)
    model = build_model("simple")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
    pruning = PruningCallback(model, ConstantSparsity(0.8, end_step=0, frequency=1))
    model.fit(x, y, batch_size=32, epochs=2, callbacks=[pruning], verbose=0)
    by_name = {layer.name: layer for layer in model.layers}
    for name, mask in pruning.masks.items():
        kernel = np.asarray(by_name[name].kernel)
        assert (kernel[mask == 0] == 0).all()  # exactly zero, after 32 Adam steps
        assert (kernel[mask == 1] != 0).mean() > 0.99
    assert sparsity_report(model)["sparsity"] == pytest.approx(0.8, abs=1e-6)


def test_strip_leaves_a_plain_model_with_the_same_outputs(cnn):
    prune(cnn, 0.9)
    stripped = strip(cnn)
    assert type(stripped) is type(cnn) and stripped is not cnn
    x = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(stripped.predict_on_batch(x), cnn.predict_on_batch(x), atol=1e-6)
    assert getattr(stripped, "optimizer", None) is None
    assert sparsity_report(stripped)["sparsity"] == pytest.approx(0.9, abs=1e-6)


@pytest.fixture(scope="module")
def parent(tmp_path_factory, synthetic_data_dir):
    run_dir = tmp_path_factory.mktemp("parent") / "parent-run"
    train(TrainingConfig(model="simple", data_dir=synthetic_data_dir, train_size=1_200,
                         test_size=1_000, epochs=1), run_dir=run_dir)
    return run_dir


def test_a_pruning_run_fine_tunes_the_parent_and_records_it(tmp_path, parent,
                                                           synthetic_data_dir):
    config = TrainingConfig(parent_model=str(parent / "model.keras"), parent_run="parent-run",
                            sparsity=0.75, epochs=2, learning_rate=1e-4,
                            data_dir=synthetic_data_dir, train_size=1_200, test_size=1_000)
    result = train(config, run_dir=tmp_path / "pruned")
    metrics = json.loads((tmp_path / "pruned" / "metrics.json").read_text())
    assert metrics["parent_run"] == "parent-run"
    assert metrics["sparsity"]["sparsity"] == pytest.approx(0.75, abs=1e-6)
    assert metrics["nonzero_params"] == metrics["sparsity"]["nonzero_params"]
    assert metrics["nonzero_params"] < metrics["num_params"]
    assert result.metrics.test_accuracy > 0.9  # the synthetic bars survive pruning
    saved = load_model(tmp_path / "pruned" / "model.keras")
    assert sparsity_report(saved)["sparsity"] == pytest.approx(0.75, abs=1e-6)
    # The parent is untouched.
    assert sparsity_report(load_model(parent / "model.keras"))["sparsity"] < 0.01


def test_zero_epochs_prunes_without_fine_tuning(tmp_path, parent, synthetic_data_dir):
    config = TrainingConfig(parent_model=str(parent / "model.keras"), sparsity=0.5, epochs=0,
                            data_dir=synthetic_data_dir, train_size=1_200, test_size=1_000,
                            pruning_scope="layer")
    result = train(config, run_dir=tmp_path / "one-shot")
    assert result.status == "completed" and result.metrics.epochs_done == 0
    for row in result.metrics.sparsity.layers:
        assert row.sparsity == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("settings, message", [
    ({"sparsity": 1.0}, "sparsity"),
    ({"sparsity": 0.5, "pruning_scope": "all"}, "pruning_scope"),
    ({"parent_model": "missing.keras"}, "parent_model"),
    ({"parent_model": "model.h5"}, "parent_model as a .keras file"),
    ({"epochs": 0}, "epochs"),  # zero epochs only when starting from a parent
])
def test_bad_pruning_settings_are_refused(settings, message):
    with pytest.raises(MnistKerasError, match=message):
        TrainingConfig(**settings).check_sources()


def test_prunable_weight_count_is_the_kernels_of_prunable_layers(cnn):
    from mnist_keras.pruning import prunable_weight_count

    assert prunable_weight_count(cnn) == sum(m.size for m in magnitude_masks(cnn, 0.5).values())
    assert prunable_weight_count(cnn, include_output=True) == prunable_weight_count(cnn) + 1280


def test_the_pruning_recipe_fine_tunes_for_steps_at_a_tenth_of_the_parents_rate(parent):
    from mnist_keras.fine_tuning import FINE_TUNE_STEPS, fine_tune_epochs_for, pruning_config

    assert fine_tune_epochs_for(60_000, 128) == 2
    assert fine_tune_epochs_for(4_950, 128) * 39 >= FINE_TUNE_STEPS  # 39 steps an epoch
    assert fine_tune_epochs_for(100, 128) == 50  # capped
    config = pruning_config(str(parent / "model.keras"), 0.8)
    assert config.train_size == 1_200 and config.parent_run == "parent-run"
    assert config.epochs == fine_tune_epochs_for(1_200, 128)
    # A tenth of the rate the parent trained at (the default peak, 3e-3).
    assert config.learning_rate == pytest.approx(TrainingConfig().learning_rate / 10)
    assert config.schedule == "constant" and config.sparsity == 0.8
    assert pruning_config(str(parent / "model.keras"), 0.8, fine_tune_epochs=1,
                          learning_rate=5e-4, train_size=6_000).epochs == 1
