"""Adversarial examples: the smallest change to a drawing that changes the answer.

Two attacks (`ATTACK_METHODS`), both bounded in the L-infinity norm: no pixel
moves by more than epsilon (inputs are in [0, 1]) and every pixel stays in
[0, 1].

- FGSM (Goodfellow et al., 2015): one step of size epsilon along the sign of
  the score's gradient.
- PGD (Madry et al., 2018): several smaller signed steps, each projected back
  into the epsilon box; finds flips FGSM misses.

The smallest epsilon is searched on a grid of candidates computed as one
batch, then refined between the largest one that failed and the smallest one
that worked, so the answer is within `max_epsilon / 256` of the smallest on
the search's path. Flipping is not monotonic in epsilon for every model; the
result is the smallest size found, not a proof that nothing smaller works.
"""

import dataclasses
from typing import Optional

import numpy as np

from mnist_keras.errors import expected
from mnist_keras.explain.model_parts import as_batch, predict_one, score_gradients
from mnist_keras.registries import ATTACK_METHODS

GRID = 16
PGD_STEPS = 10
DEFAULT_MAX_EPSILON = 0.3


@dataclasses.dataclass(frozen=True)
class AdversarialExample:
    """What `adversarial` found.

    Attributes:
        image: the perturbed (28, 28) input (the original when nothing flipped it).
        epsilon: the largest change of any pixel, or None when no perturbation
            up to `max_epsilon` flipped the prediction.
        original: the class predicted for the input.
        label: the class predicted for `image`.
        probabilities: the softmax outputs for `image`.
        method: the attack's name.
        target: the class asked for, or None (any other class).
    """

    image: np.ndarray
    epsilon: Optional[float]
    original: int
    label: int
    probabilities: np.ndarray
    method: str
    target: Optional[int] = None

    @property
    def flipped(self):
        """Whether the attack changed the prediction (to `target`, if one was asked)."""
        return self.epsilon is not None

    @property
    def confidence(self):
        return float(self.probabilities[self.label])


def adversarial(model, image, target=None, method="fgsm", max_epsilon=DEFAULT_MAX_EPSILON):
    """The smallest perturbation found that changes the model's answer.

    Args:
        model: a Keras classifier with softmax outputs.
        image: the (28, 28) input, scaled to [0, 1].
        target: a class to reach; None (default) for any class but the
            predicted one.
        method: one of `ATTACK_METHODS`: `"fgsm"` (default) or `"pgd"`.
        max_epsilon: the largest change of a pixel to try, in (0, 1].
            Defaults to 0.3.

    Returns:
        An `AdversarialExample`.

    Raises:
        MnistKerasError: for an unknown method, a bad input, epsilon or
            target (the predicted class itself is no target).

    Example:

    ```python
    found = adversarial(model, x, method="pgd")
    found.original, found.label, round(found.epsilon, 3)
    # (7, 3, 0.094)
    ```
    """
    ATTACK_METHODS.check(method)
    batch = as_batch(image)
    if (isinstance(max_epsilon, bool) or not isinstance(max_epsilon, (int, float))
            or not 0 < max_epsilon <= 1):
        raise expected("max_epsilon in (0, 1]", max_epsilon=max_epsilon)
    probabilities = predict_one(model, batch)[0]
    original = int(np.argmax(probabilities))
    num_classes = len(probabilities)
    if target is not None:
        if (isinstance(target, bool) or not isinstance(target, (int, np.integer))
                or not 0 <= target < num_classes or target == original):
            raise expected(f"a target class in [0, {num_classes - 1}] other than the predicted "
                           f"{original}", target=target)
        target = int(target)
    attack = _fgsm if method == "fgsm" else _pgd

    def succeeded(rows):
        labels = rows.argmax(axis=1)
        return labels == target if target is not None else labels != original

    low, found = 0.0, None
    epsilons = np.linspace(max_epsilon / GRID, max_epsilon, GRID)
    for _ in range(2):  # the grid, then the grid refined inside the first gap that flipped
        images = attack(model, batch, epsilons, original, target)
        rows = predict_one(model, images)
        hits = np.flatnonzero(succeeded(rows))
        if not len(hits):
            break
        first = hits[0]
        found = (float(epsilons[first]), images[first], rows[first])
        low = float(epsilons[first - 1]) if first else low
        epsilons = np.linspace(low + (found[0] - low) / GRID, found[0], GRID)
    if found is None:
        return AdversarialExample(batch[0, :, :, 0].copy(), None, original, original,
                                  probabilities, method, target)
    epsilon, perturbed, rows = found
    return AdversarialExample(perturbed[:, :, 0], epsilon, original, int(np.argmax(rows)), rows,
                              method, target)


def _direction(model, images, original, target):
    """The signed gradient that moves each image away from `original` (or towards `target`)."""
    classes = np.full(len(images), original if target is None else target, np.int32)
    _, grads = score_gradients(model)(images, classes)
    # Down the original class's score, or up the target's.
    return -np.sign(grads) if target is None else np.sign(grads)


def _fgsm(model, batch, epsilons, original, target):
    step = _direction(model, batch, original, target)  # one gradient for every epsilon
    return np.clip(batch + epsilons.reshape(-1, 1, 1, 1) * step, 0.0, 1.0).astype(np.float32)


def _pgd(model, batch, epsilons, original, target):
    # Every epsilon's attack runs in the same batch: PGD_STEPS gradients in all.
    sizes = epsilons.reshape(-1, 1, 1, 1).astype(np.float32)
    images = np.repeat(batch, len(epsilons), axis=0)
    step = 2.5 * sizes / PGD_STEPS
    for _ in range(PGD_STEPS):
        images = images + step * _direction(model, images, original, target)
        images = np.clip(np.clip(images, batch - sizes, batch + sizes), 0.0, 1.0)
    return images.astype(np.float32)
