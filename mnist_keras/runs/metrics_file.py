"""metrics.json: a run's evaluation, as frozen dataclasses (see `contract` for all files)."""

import dataclasses
from typing import Optional

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs.versioning import RunFormatError, check_version, known_fields, versioned


@dataclasses.dataclass(frozen=True)
class ClassMetrics:
    """One class's row of the per-class table."""

    label: int
    precision: float
    recall: float
    f1: float
    support: int


@dataclasses.dataclass(frozen=True)
class Mistake:
    """A misclassified test image, by its index in the full test set."""

    index: int
    label: int
    predicted: int
    confidence: float


@dataclasses.dataclass(frozen=True)
class LayerSparsity:
    """Zeros in one pruned kernel."""

    name: str
    zeros: int
    total: int
    sparsity: float


@dataclasses.dataclass(frozen=True)
class SparsityReport:
    """Zeros per pruned layer and overall (see `mnist_keras.pruning.sparsity_report`)."""

    layers: tuple
    zeros: int
    total: int
    sparsity: float
    nonzero_params: int
    params: int

    @classmethod
    def from_dict(cls, data):
        values = known_fields(cls, data)
        values["layers"] = tuple(LayerSparsity(**known_fields(LayerSparsity, row))
                                 for row in data.get("layers", ()))
        return cls(**values)

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class BestEpoch:
    """The epoch whose monitored metric was best, with that epoch's figures.

    With early stopping or a pruned sweep trial the last epoch is rarely the
    best one; this is the one to compare runs by.

    Attributes:
        epoch: 1-based.
        monitor: the metric that chose it: `"val_accuracy"` with a
            validation split, else `"accuracy"` (training).
        value: its value at that epoch.
        loss, accuracy, val_loss, val_accuracy: the epoch's record (None
            where not measured).
    """

    epoch: int
    monitor: str
    value: float
    loss: Optional[float] = None
    accuracy: Optional[float] = None
    val_loss: Optional[float] = None
    val_accuracy: Optional[float] = None

    @classmethod
    def of(cls, epochs, monitor):
        """The best of `epochs` (epoch records) by `monitor` (higher is better), or None."""
        scored = [r for r in epochs if isinstance(r.get(monitor), (int, float))]
        if not scored:
            return None
        # The first of equal values: the earliest epoch that reached it.
        best = max(scored, key=lambda r: (r[monitor], -r["epoch"]))
        return cls(epoch=int(best["epoch"]), monitor=monitor, value=float(best[monitor]),
                   **{key: float(best[key]) for key in ("loss", "accuracy", "val_loss",
                                                        "val_accuracy") if key in best})

    @classmethod
    def from_dict(cls, data):
        return cls(**known_fields(cls, data))


@dataclasses.dataclass(frozen=True)
class Calibration:
    """A reliability curve and its expected calibration error (see
    `mnist_keras.explain.calibration`).

    Attributes:
        confidence: mean confidence (top probability) of each non-empty bin, in order.
        accuracy: accuracy of each non-empty bin.
        counts: predictions in each non-empty bin.
        ece: expected calibration error, in [0, 1]: the bins' gaps between
            confidence and accuracy, weighted by their counts.
        bins: the number of equal-width confidence bins.
        overconfident: whether the mean confidence is above the accuracy.
    """

    confidence: tuple
    accuracy: tuple
    counts: tuple
    ece: float
    bins: int
    overconfident: bool

    @property
    def confidence_gap(self):
        """Mean confidence minus accuracy over every prediction: above 0 the model is
        overconfident, below 0 underconfident (as a label-smoothed model often is)."""
        total = sum(self.counts)
        if not total:
            return 0.0
        return sum(count * (confidence - accuracy) for count, confidence, accuracy in
                   zip(self.counts, self.confidence, self.accuracy)) / total

    def describe(self):
        """Which way the confidences lean, in words.

        >>> Calibration((0.7,), (0.9,), (10,), 0.2, 15, False).describe()
        'underconfident on average (confidence 20.0 points below accuracy)'
        """
        gap = self.confidence_gap
        if abs(gap) < 0.0005:
            return "confidence matches accuracy on average"
        return (f"{'over' if gap > 0 else 'under'}confident on average (confidence "
                f"{100 * abs(gap):.1f} points {'above' if gap > 0 else 'below'} accuracy)")

    def to_dict(self):
        return {key: list(value) if isinstance(value, tuple) else value
                for key, value in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, data):
        return cls(confidence=tuple(float(v) for v in data["confidence"]),
                   accuracy=tuple(float(v) for v in data["accuracy"]),
                   counts=tuple(int(v) for v in data["counts"]), ece=float(data["ece"]),
                   bins=int(data["bins"]), overconfident=bool(data["overconfident"]))


@dataclasses.dataclass(frozen=True)
class RunMetrics:
    """metrics.json: the trained model evaluated on its test set.

    Attributes:
        test_accuracy, test_loss: on the test set.
        num_params, nonzero_params: the model's parameters, and those not zero.
        class_names: one name per class (always filled: `"0"`-`"9"` for MNIST).
        confusion_matrix: rows true labels, columns predictions (tuple of tuples).
        per_class: a `ClassMetrics` per class.
        misclassified: a `Mistake` for every wrong prediction (all of them,
            by index in the full test set; right answers are only counted,
            in the confusion matrix's diagonal).
        dataset: the dataset's name.
        train_seconds: time spent fitting (None for an upload).
        epochs_done: epochs trained (fewer than asked after a cancel or early stop).
        parent_run: the run it was pruned or fine-tuned from.
        sparsity: a `SparsityReport` for a pruned run.
        best_epoch: the `BestEpoch` (None for an upload or a run with no epoch).
        stopped_early: why training ended before its last epoch, if it did:
            `"early_stopping"` (no validation improvement) or `"pruned"` (a
            sweep's pruner judged the trial weak); None otherwise (a cancel
            shows in the run's status instead).
        replicas: how many devices trained data-parallel (`distribute`), or None.
        calibration: the reliability curve and ECE on the test set (None in
            files written before it was recorded).
    """

    test_accuracy: float
    test_loss: float
    num_params: int
    nonzero_params: int
    class_names: tuple
    confusion_matrix: tuple
    per_class: tuple
    misclassified: tuple = ()
    dataset: str = "mnist"
    train_seconds: Optional[float] = None
    epochs_done: int = 0
    parent_run: Optional[str] = None
    sparsity: Optional[SparsityReport] = None
    best_epoch: Optional[BestEpoch] = None
    stopped_early: Optional[str] = None
    replicas: Optional[int] = None
    calibration: Optional[Calibration] = None

    @property
    def test_size(self):
        """How many test images were evaluated."""
        return int(sum(sum(row) for row in self.confusion_matrix))

    @property
    def num_classes(self):
        return len(self.class_names)

    def mistakes_between(self, true, predicted):
        """The mistakes of one confusion-matrix cell, most confident first.

        Args:
            true: the true class (a row of `confusion_matrix`).
            predicted: the predicted class (a column), not `true`: the
                diagonal's right answers are counted, not listed.

        Returns:
            A tuple of `Mistake` (their `index` is in the full test set).

        Raises:
            MnistKerasError: for a class out of range or a diagonal cell.

        >>> metrics = RunMetrics(0.5, 1.0, 10, 10, ("0", "1"), ((1, 1), (0, 0)), (),
        ...                      misclassified=(Mistake(7, 0, 1, 0.9),))
        >>> metrics.mistakes_between(0, 1)
        (Mistake(index=7, label=0, predicted=1, confidence=0.9),)
        """
        for name, value in (("true", true), ("predicted", predicted)):
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not 0 <= value < self.num_classes:
                raise MnistKerasError(f"Expected {name} as a class in [0, "
                                      f"{self.num_classes - 1}]. Received: {name}={value!r}")
        if true == predicted:
            raise MnistKerasError(
                "Expected two different classes (a run lists its mistakes; right answers "
                f"are only counted). Received: true={true}, predicted={predicted}")
        return tuple(sorted((m for m in self.misclassified
                             if m.label == true and m.predicted == predicted),
                            key=lambda m: (-m.confidence, m.index)))

    def most_confused(self, limit=10):
        """The off-diagonal cells with the most mistakes: `(true, predicted, count)`, largest first.

        >>> RunMetrics(0.5, 1.0, 10, 10, ("0", "1"), ((5, 3), (1, 4)), ()).most_confused()
        [(0, 1, 3), (1, 0, 1)]
        """
        cells = [(true, predicted, count) for true, row in enumerate(self.confusion_matrix)
                 for predicted, count in enumerate(row) if true != predicted and count > 0]
        return sorted(cells, key=lambda cell: (-cell[2], cell[0], cell[1]))[:limit]

    def to_dict(self):
        values = dataclasses.asdict(self)
        values["class_names"] = list(self.class_names)
        values["confusion_matrix"] = [list(row) for row in self.confusion_matrix]
        return versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        data = check_version(data, "metrics.json", run_name)
        try:
            values = known_fields(cls, data)
            matrix = tuple(tuple(int(count) for count in row)
                           for row in values.get("confusion_matrix", ()))
            values["confusion_matrix"] = matrix
            values["per_class"] = tuple(ClassMetrics(**known_fields(ClassMetrics, row))
                                        for row in values.get("per_class", ()))
            values["misclassified"] = tuple(Mistake(**known_fields(Mistake, row))
                                            for row in values.get("misclassified", ()))
            # Older files may lack class names: a model of N classes is labelled 0..N-1.
            names = values.get("class_names") or [str(label) for label in range(len(matrix))]
            values["class_names"] = tuple(str(name) for name in names)
            if values.get("sparsity") is not None:
                values["sparsity"] = SparsityReport.from_dict(values["sparsity"])
            if values.get("best_epoch") is not None:
                values["best_epoch"] = BestEpoch.from_dict(values["best_epoch"])
            if values.get("calibration") is not None:
                values["calibration"] = Calibration.from_dict(values["calibration"])
            return cls(**values)
        except (TypeError, ValueError, AttributeError, KeyError) as error:
            where = f"{run_name}/metrics.json" if run_name else "metrics.json"
            raise RunFormatError(f"Expected the metrics of a run in {where}. Received: "
                                 f"{str(error)[:200]}") from None
