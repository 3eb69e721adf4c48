"""Magnitude pruning of Conv2D and Dense kernels, with fine-tuning that keeps zeros at zero.

The TensorFlow Model Optimization toolkit does not support Keras 3, and Keras 3
has no pruning of its own, so this follows tfmot's conventions without its
layer wrappers: a model stays a plain Keras model, a mask per pruned kernel
lives beside it, and `PruningCallback` re-applies the masks after every
optimizer step. Sparsity schedules (`ConstantSparsity`, `PolynomialDecay`)
answer tfmot's question "prune at this step, and to what sparsity?".

    pruning = PruningCallback(model, PolynomialDecay(0.0, 0.8, 0, 1000, frequency=100))
    model.fit(x, y, callbacks=[pruning])
    report = sparsity_report(strip(model))

Training runs prune through `TrainingConfig(parent_model=..., sparsity=...)`.
"""

import keras
import numpy as np

from mnist_keras.errors import expected
from mnist_keras.registries import PRUNING_SCHEDULES, PRUNING_SCOPES


def _check_sparsity(name, value):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value < 1:
        raise expected(f"{name} as a number in [0, 1)", **{name: value})


class ConstantSparsity:
    """Prunes to one sparsity every `frequency` steps from `begin_step` (tfmot's).

    Args:
        target_sparsity: fraction of weights set to zero, in [0, 1).
        begin_step: first step that prunes. Defaults to 0.
        end_step: last step that may prune, or -1 for no end. Defaults to -1.
        frequency: prune every this many steps. Defaults to 100.
    """

    def __init__(self, target_sparsity, begin_step=0, end_step=-1, frequency=100):
        _check_sparsity("target_sparsity", target_sparsity)
        _check_steps(begin_step, end_step, frequency)
        self.target_sparsity = float(target_sparsity)
        self.begin_step, self.end_step, self.frequency = begin_step, end_step, frequency

    def _in_window(self, step):
        return (step >= self.begin_step and (self.end_step == -1 or step <= self.end_step)
                and (step - self.begin_step) % self.frequency == 0)

    def __call__(self, step):
        """`(prune_now, sparsity)` at a training step (counted from 0)."""
        return self._in_window(step), self.target_sparsity

    @property
    def final_sparsity(self):
        return self.target_sparsity


class PolynomialDecay(ConstantSparsity):
    """Sparsity rising from `initial_sparsity` to `final_sparsity` (tfmot's schedule).

    sparsity(step) = final + (initial - final) * (1 - p) ** power, with
    p = (step - begin_step) / (end_step - begin_step) clipped to [0, 1];
    the masks are updated every `frequency` steps between `begin_step` and
    `end_step`, and once more at `end_step` so the final sparsity is reached.

    Args:
        initial_sparsity: the sparsity at `begin_step`, in [0, 1).
        final_sparsity: the sparsity from `end_step` on, in [0, 1).
        begin_step: the ramp's first step.
        end_step: the ramp's last step (after `begin_step`).
        power: the curve's exponent. Defaults to 3.
        frequency: defaults to 100.
    """

    def __init__(self, initial_sparsity, final_sparsity, begin_step, end_step, power=3,
                 frequency=100):
        _check_sparsity("initial_sparsity", initial_sparsity)
        _check_sparsity("final_sparsity", final_sparsity)
        if end_step <= begin_step:
            raise expected("end_step after begin_step", begin_step=begin_step,
                           end_step=end_step)
        super().__init__(final_sparsity, begin_step, end_step, frequency)
        self.initial_sparsity, self.power = float(initial_sparsity), power

    def __call__(self, step):
        progress = min(1.0, max(0.0, (step - self.begin_step) /
                                (self.end_step - self.begin_step)))
        sparsity = (self.target_sparsity + (self.initial_sparsity - self.target_sparsity)
                    * (1 - progress) ** self.power)
        return self._in_window(step) or step == self.end_step, sparsity


def _check_steps(begin_step, end_step, frequency):
    if not isinstance(frequency, int) or frequency < 1:
        raise expected("frequency as an integer of at least 1", frequency=frequency)
    if begin_step < 0 or (end_step != -1 and end_step < begin_step):
        raise expected("0 <= begin_step <= end_step (or end_step -1)", begin_step=begin_step,
                       end_step=end_step)


def make_sparsity_schedule(name, sparsity, total_steps):
    """The schedule a training run uses to reach `sparsity` within `total_steps`.

    `"constant"`: prune to `sparsity` at the first step (one shot), then
    fine-tune. `"polynomial"`: ramp from 0 over the first 70% of the steps,
    updating the masks about 10 times, and fine-tune at the final sparsity
    for the rest.
    """
    if PRUNING_SCHEDULES.check(name) == "constant":
        return ConstantSparsity(sparsity, begin_step=0, end_step=0, frequency=1)
    end_step = max(1, int(0.7 * total_steps))
    return PolynomialDecay(0.0, sparsity, 0, end_step, power=3,
                           frequency=max(1, end_step // 10))


def prunable_layers(model, include_output=False):
    """The Conv2D and Dense layers whose kernels pruning touches, in order.

    Args:
        model: a Keras model.
        include_output: also prune the last Dense layer (the classifier).
            Defaults to False, as tfmot's guides advise: it is small and
            every one of its weights matters.
    """
    layers = [layer for layer in model.layers
              if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    if layers and not include_output and isinstance(layers[-1], keras.layers.Dense):
        layers = layers[:-1]
    return layers


def prunable_weight_count(model, include_output=False):
    """How many kernel weights `prunable_layers` holds: what a sparsity is a fraction of."""
    return int(sum(np.prod(layer.kernel.shape)
                   for layer in prunable_layers(model, include_output)))


def _resolve(model, layers):
    if layers is None:
        return prunable_layers(model)
    by_name = {layer.name: layer for layer in model.layers}
    resolved = []
    for layer in layers:
        if isinstance(layer, str):
            if layer not in by_name:
                raise expected(f"layer names of model {model.name!r}", layer=layer)
            layer = by_name[layer]
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            raise expected("Conv2D or Dense layers to prune", layer=layer.name)
        resolved.append(layer)
    return resolved


def _zero_smallest(magnitudes, count):
    mask = np.ones(magnitudes.size, np.float32)
    if count > 0:
        # A stable sort gives exactly `count` zeros even when magnitudes tie.
        mask[np.argsort(magnitudes, kind="stable")[:count]] = 0.0
    return mask


def magnitude_masks(model, sparsity, layers=None, scope="global"):
    """Masks that zero the smallest-magnitude kernel weights.

    Args:
        model: a Keras model.
        sparsity: fraction of the selected weights to zero, in [0, 1).
        layers: layers or layer names to prune; defaults to
            `prunable_layers(model)`.
        scope: `"global"`: one threshold across all selected kernels (layers
            end up with different sparsities); `"layer"`: each kernel pruned
            to `sparsity` on its own.

    Returns:
        `{layer_name: mask}`, float32 arrays of 0 and 1 shaped like the kernels.
    """
    _check_sparsity("sparsity", sparsity)
    PRUNING_SCOPES.check(scope, "scope")
    layers = _resolve(model, layers)
    kernels = {layer.name: np.abs(np.asarray(layer.kernel)) for layer in layers}
    if scope == "layer":
        return {name: _zero_smallest(k.ravel(), int(round(sparsity * k.size))).reshape(k.shape)
                for name, k in kernels.items()}
    flat = np.concatenate([k.ravel() for k in kernels.values()]) if kernels else np.zeros(0)
    mask = _zero_smallest(flat, int(round(sparsity * flat.size)))
    masks, start = {}, 0
    for name, kernel in kernels.items():
        masks[name] = mask[start:start + kernel.size].reshape(kernel.shape)
        start += kernel.size
    return masks


def apply_masks(model, masks):
    """Multiplies each masked layer's kernel by its mask (in place)."""
    by_name = {layer.name: layer for layer in model.layers}
    for name, mask in masks.items():
        kernel = by_name[name].kernel
        kernel.assign(keras.ops.multiply(kernel, keras.ops.convert_to_tensor(mask)))


def prune(model, sparsity, layers=None, scope="global"):
    """One-shot magnitude pruning, in place. Returns the masks applied."""
    masks = magnitude_masks(model, sparsity, layers, scope)
    apply_masks(model, masks)
    return masks


def _sync_training_state(fit_model):
    # Under JAX, `fit` keeps the weights outside the model's variables between
    # steps; this writes them back, so the masks read and change the current
    # weights, and the next step starts from the masked ones.
    sync = getattr(fit_model, "jax_state_sync", None)
    if sync is not None:
        sync()


class PruningCallback(keras.callbacks.Callback):
    """Prunes `model` on a sparsity schedule while it trains and keeps pruned weights at 0.

    At each step the schedule allows, the masks are recomputed from the
    current weights' magnitudes; after every optimizer step the masks are
    applied again, so a weight pruned stays exactly zero whatever the
    optimizer's momentum does.

    Args:
        model: the model being pruned (it may be wrapped in another model
            for `fit`, e.g. with augmentation in front).
        schedule: a `ConstantSparsity` or `PolynomialDecay`.
        layers: layers or names to prune; defaults to `prunable_layers(model)`.
        scope: `"global"` or `"layer"` (see `magnitude_masks`).
    """

    def __init__(self, model, schedule, layers=None, scope="global"):
        super().__init__()
        self.pruned_model, self.schedule, self.scope = model, schedule, scope
        self.layer_names = [layer.name for layer in _resolve(model, layers)]
        self.masks, self.step = {}, 0
        PRUNING_SCOPES.check(scope, "scope")

    def on_train_batch_begin(self, batch, logs=None):
        prune_now, sparsity = self.schedule(self.step)
        if prune_now:
            _sync_training_state(self.model)
            self.masks = magnitude_masks(self.pruned_model, sparsity, self.layer_names,
                                         self.scope)
            apply_masks(self.pruned_model, self.masks)

    def on_train_batch_end(self, batch, logs=None):
        _sync_training_state(self.model)
        apply_masks(self.pruned_model, self.masks)
        self.step += 1

    def finish(self):
        """Prunes to the schedule's final sparsity if training stopped before reaching it."""
        self.masks = magnitude_masks(self.pruned_model, self.schedule.final_sparsity,
                                     self.layer_names, self.scope)
        apply_masks(self.pruned_model, self.masks)
        return self.masks


def strip(model):
    """A plain copy of a pruned model, for saving and export.

    The model was never wrapped, so this is a clone with the same (masked)
    weights and nothing of the pruning state attached: no callback, no
    masks, no optimizer.
    """
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def count_nonzero_params(model):
    """Parameters that are not exactly zero, over every weight of the model."""
    return int(sum(np.count_nonzero(np.asarray(w)) for w in model.weights))


def sparsity_report(model, layers=None):
    """Zeros per pruned layer and overall.

    Args:
        model: a Keras model.
        layers: the layers to report; defaults to `prunable_layers(model)`.

    Returns:
        `{"layers": [{name, zeros, total, sparsity}], "zeros", "total",
        "sparsity", "nonzero_params", "params"}`: kernels of the reported
        layers, then the whole model's non-zero and total parameters.
    """
    rows = []
    for layer in _resolve(model, layers):
        kernel = np.asarray(layer.kernel)
        zeros = int(kernel.size - np.count_nonzero(kernel))
        rows.append({"name": layer.name, "zeros": zeros, "total": int(kernel.size),
                     "sparsity": zeros / kernel.size})
    zeros, total = sum(r["zeros"] for r in rows), sum(r["total"] for r in rows)
    return {"layers": rows, "zeros": zeros, "total": total,
            "sparsity": zeros / total if total else 0.0,
            "nonzero_params": count_nonzero_params(model), "params": int(model.count_params())}
