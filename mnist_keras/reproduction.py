"""Runs trained again: `reproduce_run` (compare a re-run) and `resume_training` (continue one).

A run's config.json holds every setting and its seed; environment.json the
software, hardware and data it saw. Training the settings again with
deterministic ops on gives, on the same machine and software, the same
weights bit for bit when the first run had deterministic ops too. Otherwise
the comparison says how far apart the two are (largest weight difference,
test accuracy) and which entries of the environment differ, which is where
the difference comes from.
"""

import dataclasses
import os
from typing import Optional

from mnist_keras.errors import expected
from mnist_keras.runs import Run, RunStatus


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """What `reproduce_run` found.

    Attributes:
        original, reproduced: the two run folders.
        identical: every weight equal bit for bit.
        tensors, values: how many weight tensors and values were compared.
        max_weight_difference: the largest absolute difference of a weight
            (0.0 when identical; infinity when the models differ in shape).
        accuracy, reproduced_accuracy: both runs' test accuracy.
        environment_differences: `{entry: (original's, reproduction's)}` of
            environment.json (empty when the same; None when the original has
            no environment.json: it was trained before it was kept).
        original_deterministic: whether the original ran deterministic ops.
    """

    original: str
    reproduced: str
    identical: bool
    tensors: int
    values: int
    max_weight_difference: float
    accuracy: float
    reproduced_accuracy: float
    environment_differences: Optional[dict]
    original_deterministic: bool

    @property
    def accuracy_difference(self):
        """The reproduction's test accuracy less the original's."""
        return self.reproduced_accuracy - self.accuracy

    def lines(self):
        """The comparison in a few sentences, as `mnist-keras reproduce` prints it."""
        if self.identical:
            weights = (f"weights: identical, bit for bit ({self.tensors} tensors, "
                       f"{self.values:,} values)")
        else:
            weights = (f"weights: differ, largest difference {self.max_weight_difference:.3g} "
                       f"({self.tensors} tensors, {self.values:,} values)")
        lines = [weights, f"test accuracy: {self.accuracy:.4f} then, "
                          f"{self.reproduced_accuracy:.4f} now "
                          f"(difference {self.accuracy_difference:+.4f})"]
        if self.environment_differences is None:
            lines.append("environment: the original run has no environment.json (trained "
                         "before it was kept), so nothing can be compared")
        elif self.environment_differences:
            lines.append("environment: " + "; ".join(
                f"{name} {before!r} then, {after!r} now"
                for name, (before, after) in sorted(self.environment_differences.items())))
        else:
            lines.append("environment: the same (software, processor, data checksum, seed)")
        if not self.identical and not self.original_deterministic:
            lines.append("the original run trained without deterministic ops, so its "
                         "weights cannot be matched bit for bit; train with "
                         "--deterministic to make a run reproducible")
        return lines

    def to_dict(self):
        values = dataclasses.asdict(self)
        values["accuracy_difference"] = self.accuracy_difference
        if self.environment_differences is not None:
            values["environment_differences"] = {
                name: list(pair) for name, pair in self.environment_differences.items()}
        return values


def completed_training_run(path):
    """`(run, its TrainingConfig)` of a completed run trained from settings.

    Raises:
        MnistKerasError: for anything else (reads JSON only, imports no Keras).
    """
    run = Run(path)
    if not run.is_run():
        raise expected("a run folder (with config.json)", run=os.fspath(path))
    config = run.config()
    if config is None or not config.from_settings:
        raise expected("a run trained from settings (an uploaded model has none to train "
                       "again; a model from Python code needs that code: "
                       "mk.train(config, model=...))", run=os.fspath(path),
                       model=config.model_label if config else None)
    status = run.status
    if status is not RunStatus.COMPLETED:
        raise expected("a completed run (a cancelled or failed one stopped part way)",
                       run=os.fspath(path), status=str(status))
    return run, config.training


def compare_weights(model, other):
    """`(identical, tensors, values, max_difference)` of two models' weights, in order."""
    import numpy as np

    first, second = model.get_weights(), other.get_weights()
    if len(first) != len(second) or any(a.shape != b.shape for a, b in zip(first, second)):
        return False, len(first), sum(int(a.size) for a in first), float("inf")
    identical = all(np.array_equal(a, b) for a, b in zip(first, second))
    largest = max((float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))
                   for a, b in zip(first, second) if a.size), default=0.0)
    return identical, len(first), sum(int(a.size) for a in first), largest


def reproduce_run(run_dir, out_dir=None, callbacks=(), verbose=False):
    """Trains a completed run's settings again, with deterministic ops, and compares.

    Args:
        run_dir: the completed run to reproduce.
        out_dir: the new run's folder; defaults to a new folder beside it
            named after it (`NAME-reproduced-...`).
        callbacks: extra Keras callbacks for the training (a progress bar).
        verbose: passed to `model.fit`.

    Returns:
        A `Reproduction`.

    Raises:
        MnistKerasError: for a folder that is not a completed run trained from
            settings, or settings this release refuses.
    """
    import dataclasses as fields

    from mnist_keras.runs import load_model
    from mnist_keras.training import train

    original, config = completed_training_run(run_dir)
    if out_dir is None:
        parent = os.path.dirname(os.path.abspath(original.path))
        out_dir = Run.create_new(parent, f"{original.name}-reproduced").path
    result = train(fields.replace(config, deterministic=True), run_dir=out_dir,
                   callbacks=callbacks, verbose=verbose)
    reproduced = Run(result.run_dir)
    identical, tensors, values, largest = compare_weights(
        load_model(original.file("model.keras")), load_model(reproduced.file("model.keras")))
    before, after = original.environment(), reproduced.environment()
    differences = None if before is None else before.differences(after)
    if differences is not None:
        # The reproduction turns deterministic ops on by design: not a cause.
        differences.pop("deterministic", None)
    return Reproduction(
        original=original.path, reproduced=reproduced.path, identical=identical,
        tensors=tensors, values=values, max_weight_difference=largest,
        accuracy=original.metrics().test_accuracy,
        reproduced_accuracy=result.metrics.test_accuracy,
        environment_differences=differences,
        original_deterministic=bool(config.deterministic))


def resume_training(run_dir, callbacks=(), verbose=False):
    """Continues a killed, crashed or cancelled run from its last finished epoch.

    Args:
        run_dir: the run folder (see `resumable_run` for what it must be).
        callbacks: extra Keras callbacks, e.g. a `ProgressBar`.
        verbose: passed to `model.fit`.

    Returns:
        The `TrainingResult`, as `train` returns it, of the whole run.

    Raises:
        MnistKerasError: for a run that cannot resume, with the reason.
    """
    from mnist_keras.resuming import resumable_run
    from mnist_keras.training import continue_training

    run, config, done = resumable_run(run_dir)
    return continue_training(config, run, done, callbacks=callbacks, verbose=verbose)
