"""Optimizers and learning-rate schedules by name, from Keras' own.

The names are those of `mnist_keras.registries` (`OPTIMIZERS`, `SCHEDULES`),
so the settings, the command line and the dashboard offer exactly these.
"""

import keras

from mnist_keras.registries import OPTIMIZERS, SCHEDULES

__all__ = ["make_optimizer", "make_schedule"]


def _schedule_builders():
    schedules = keras.optimizers.schedules
    return {
        "constant": lambda lr, steps, epochs: float(lr),
        "exponential": lambda lr, steps, epochs: schedules.ExponentialDecay(
            lr, decay_steps=steps, decay_rate=0.9),
        "cosine": lambda lr, steps, epochs: schedules.CosineDecay(
            lr, decay_steps=steps * epochs, alpha=0.01),
        "one-cycle": _one_cycle,
        "cosine-restarts": lambda lr, steps, epochs: schedules.CosineDecayRestarts(
            lr, first_decay_steps=steps, t_mul=2.0, m_mul=0.9, alpha=0.01),
    }


def _one_cycle(learning_rate, steps_per_epoch, epochs):
    # Keras' CosineDecay with a linear warm-up: from a tenth of the rate up to
    # it over the first 20% of the steps, then down to 1% of it by the last.
    total = steps_per_epoch * epochs
    warmup = max(1, total // 5)
    return keras.optimizers.schedules.CosineDecay(
        learning_rate / 10, decay_steps=max(1, total - warmup), alpha=0.01,
        warmup_target=learning_rate, warmup_steps=warmup)


def make_schedule(name, learning_rate, steps_per_epoch, epochs):
    """Builds a learning-rate schedule from Keras' own schedules.

    Args:
        name: a name from `mnist_keras.registries.SCHEDULES`: `"constant"`,
            `"exponential"` (x0.9 per epoch), `"cosine"` (decays to 1% over
            the run) or `"cosine-restarts"` (first cycle one epoch, each next
            twice as long, peaks x0.9).
        learning_rate: initial learning rate.
        steps_per_epoch: optimizer steps per epoch.
        epochs: epochs in the run.

    Returns:
        A float (constant) or a `keras.optimizers.schedules.LearningRateSchedule`.

    Raises:
        MnistKerasError: for an unknown name.

    Example:

    >>> make_schedule("constant", 1e-3, steps_per_epoch=100, epochs=5)
    0.001
    """
    builder = _schedule_builders()[SCHEDULES.check(name)]
    return builder(learning_rate, max(1, int(steps_per_epoch)), epochs)


def _optimizer_builders():
    optimizers = keras.optimizers
    return {
        "adam": lambda lr, momentum, decay, **clip: optimizers.Adam(lr, **clip),
        "sgd": lambda lr, momentum, decay, **clip: optimizers.SGD(lr, momentum=momentum,
                                                                  **clip),
        "rmsprop": lambda lr, momentum, decay, **clip: optimizers.RMSprop(
            lr, momentum=momentum, **clip),
        "adamw": lambda lr, momentum, decay, **clip: optimizers.AdamW(
            lr, weight_decay=decay, **clip),
        "muon": lambda lr, momentum, decay, **clip: optimizers.Muon(
            lr, weight_decay=decay, **clip),
    }


def make_optimizer(name, learning_rate, momentum=0.9, weight_decay=1e-4,
                   gradient_clip_norm=None):
    """Builds one of Keras' optimizers by name.

    Args:
        name: a name from `mnist_keras.registries.OPTIMIZERS`: `"adam"`,
            `"sgd"` (with momentum), `"rmsprop"`, `"adamw"` or `"muon"`.
        learning_rate: a float or a schedule (see `make_schedule`).
        momentum: momentum of SGD and RMSprop. Defaults to 0.9.
        weight_decay: weight decay of AdamW and Muon. Defaults to 1e-4.
        gradient_clip_norm: the largest global norm of a step's gradients
            (Keras' `global_clipnorm`), or None for no clipping (the default).

    Returns:
        A `keras.optimizers.Optimizer`.

    Raises:
        MnistKerasError: for an unknown name.

    Example:

    >>> type(make_optimizer("sgd", 0.01)).__name__
    'SGD'
    >>> make_optimizer("adam", 1e-3, gradient_clip_norm=1.0).global_clipnorm
    1.0
    """
    builder = _optimizer_builders()[OPTIMIZERS.check(name)]
    clip = {} if gradient_clip_norm is None else {"global_clipnorm": gradient_clip_norm}
    return builder(learning_rate, momentum, weight_decay, **clip)
