"""personalization.json: how a run taught a model a person's handwriting, and what it gained.

A run made by `mnist_keras.personalize` is a training run (its config names
the base model as its parent) whose training images were a person's samples
with MNIST mixed in. This file links it to the samples it learned from and
records the figures people compare: the base and the taught model on the
person's held-out samples and on the MNIST test set.
"""

import dataclasses
from typing import Optional

from mnist_keras.runs.versioning import RunFormatError, check_version, known_fields, versioned


@dataclasses.dataclass(frozen=True)
class Scores:
    """Accuracy on the person's held-out samples and on the MNIST test set (None: not measured)."""

    held_out: Optional[float] = None
    mnist: Optional[float] = None

    @classmethod
    def from_dict(cls, data):
        return cls(**known_fields(cls, data if isinstance(data, dict) else {}))


@dataclasses.dataclass(frozen=True)
class Personalization:
    """personalization.json.

    Attributes:
        data: the folder of the person's images by class it read.
        dataset: the personal dataset's name, when the folder is one.
        base: the base model's file, and `base_run` its run's name (if any).
        trained_on: the samples it learned from (files, relative to `data`).
        held_out: the samples kept out to measure it (files, likewise).
        skipped: files that were not digits or not images.
        replay: MNIST training images mixed in so MNIST is not forgotten.
        before: the base model's `Scores`; `after`: the taught model's.
        seconds: how long teaching took, data reading included.
    """

    data: str
    base: str
    dataset: Optional[str] = None
    base_run: Optional[str] = None
    trained_on: tuple = ()
    held_out: tuple = ()
    skipped: tuple = ()
    replay: int = 0
    before: Scores = Scores()
    after: Scores = Scores()
    seconds: Optional[float] = None

    def to_dict(self):
        values = dataclasses.asdict(self)
        for key in ("trained_on", "held_out", "skipped"):
            values[key] = list(values[key])
        return versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = known_fields(cls, check_version(data, "personalization.json", run_name))
        try:
            for key in ("trained_on", "held_out", "skipped"):
                values[key] = tuple(values.get(key) or ())
            for key in ("before", "after"):
                values[key] = Scores.from_dict(values.get(key))
            return cls(**values)
        except TypeError as error:
            where = f"{run_name}/personalization.json" if run_name else "personalization.json"
            raise RunFormatError(f"Expected a personalization record in {where}. Received: "
                                 f"{str(error)[:200]}") from None
