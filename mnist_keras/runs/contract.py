"""The run contract: what each JSON file of a run folder holds, as frozen dataclasses.

Every file carries a `schema_version`. A reader accepts files of its own
version and older ones (a file without a version is from before versioning
and reads with defaults), ignores keys it does not know (a newer release may
add some), and refuses a newer version with a message that says to upgrade.
The version only changes when a change would mislead an older reader.

The files stay plain JSON, so scripts can read them without this module:

```
config.json    RunConfig: {"schema_version", "origin", ...the TrainingConfig's settings}
status.json    RunState:  {"schema_version", "status", "started", "updated", "finished", "pid",
                           "phase", "error", "traceback"}
metrics.json   RunMetrics: {"schema_version", "test_accuracy", "test_loss", "num_params",
                            "nonzero_params", "class_names", "confusion_matrix", "per_class",
                            "misclassified", "dataset", "train_seconds", "epochs_done",
                            "parent_run", "sparsity", "best_epoch", "stopped_early",
                            "replicas", "calibration"}
history.json   RunHistory: {"schema_version", "epochs": [...], "batches": [...]}
trial.json     TrialLink:  {"schema_version", "study", "storage", "trial", "state", "value",
                            "objective", "pruned_epoch", "retry_of"} (a sweep's trial)
projection-{method}.json
               Projection: {"schema_version", "method", "seed", "dataset", "model_size",
                            "model_mtime_ns", "indices", "labels", "predicted",
                            "confidence", "x", "y", "mean", "components", "seconds"}
```
"""

import dataclasses
import enum
import os
from typing import Optional

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError

SCHEMA_VERSION = 1


class RunFormatError(MnistKerasError):
    """A run folder's file is not readable by this release (damaged, not a run, or newer)."""


class RunStatus(str, enum.Enum):
    """Where a run is in its life. A `str`, so it compares and serialises as its name.

    >>> RunStatus("cancelled").is_finished, RunStatus.FAILED.is_final
    (True, True)
    """

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def is_finished(self):
        """Ended with a saved, evaluated model (a cancelled run keeps what it learned)."""
        return self in (RunStatus.COMPLETED, RunStatus.CANCELLED)

    @property
    def is_final(self):
        """Will not change again: finished or failed."""
        return self.is_finished or self is RunStatus.FAILED

    def __str__(self):
        return self.value


def check_version(data, file_name, run_name=None):
    """Raises `RunFormatError` unless `data` is a dict this release can read."""
    where = f"{run_name}/{file_name}" if run_name else file_name
    if not isinstance(data, dict):
        raise RunFormatError(f"Expected {where} to hold a JSON object. "
                             f"Received: {type(data).__name__}")
    version = data.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise RunFormatError(f"Expected a schema_version as a whole number in {where}. "
                             f"Received: schema_version={version!r}")
    if version > SCHEMA_VERSION:
        raise RunFormatError(
            f"Expected {where} in run format version {SCHEMA_VERSION} or older. Received: "
            f"schema_version={version} (written by a newer mnist-keras: upgrade to read it)")
    return data


def _known(cls, data):
    names = {field.name for field in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _versioned(values):
    return {"schema_version": SCHEMA_VERSION, **values}


@dataclasses.dataclass(frozen=True)
class RunState:
    """status.json: the run's status and its times.

    Attributes:
        status: a `RunStatus`.
        started, updated, finished: Unix times (None until they happen).
        pid: the training process.
        phase: `"starting"` while a dashboard job's process loads TensorFlow.
        error: why the run failed, in one line.
        traceback: the end of the traceback of a crash.
    """

    status: RunStatus = RunStatus.UNKNOWN
    started: Optional[float] = None
    updated: Optional[float] = None
    finished: Optional[float] = None
    pid: Optional[int] = None
    phase: Optional[str] = None
    error: Optional[str] = None
    traceback: Optional[str] = None

    def to_dict(self):
        values = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return _versioned({**values, "status": self.status.value})

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = _known(cls, check_version(data, "status.json", run_name))
        status = values.get("status", RunStatus.UNKNOWN.value)
        values["status"] = (RunStatus(status) if status in RunStatus._value2member_map_
                            else RunStatus.UNKNOWN)
        return cls(**values)


ORIGINS = ("training", "upload")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """config.json: how the run's model came to be.

    Attributes:
        origin: `"training"` (trained or fine-tuned here) or `"upload"` (a
            `.keras` file added to the runs folder).
        training: the `TrainingConfig` it was trained with (None for an upload).
        source_file: an upload's original file name.
        dataset: what the model was evaluated on (an upload: `"mnist"`).
        test_size: test images it was evaluated on.
    """

    origin: str = "training"
    training: Optional[TrainingConfig] = None
    source_file: Optional[str] = None
    dataset: str = "mnist"
    test_size: int = 10_000

    @classmethod
    def for_training(cls, config):
        """The run config of a training (or pruning) run."""
        return cls(origin="training", training=config, dataset=config.dataset,
                   test_size=config.test_size)

    @classmethod
    def for_upload(cls, source_file, dataset="mnist", test_size=10_000):
        """The run config of an uploaded model."""
        return cls(origin="upload", source_file=source_file, dataset=dataset,
                   test_size=test_size)

    @property
    def model_label(self):
        """What the model is, in a word: `cnn`, `spec.json`, `uploaded`."""
        if self.training is None:
            return "uploaded"
        return os.path.basename(self.training.model)

    @property
    def parent_run(self):
        return self.training.parent_run if self.training else None

    @property
    def data_dir(self):
        return self.training.data_dir if self.training else None

    def settings(self):
        """Every setting as a flat dict (the upload's file name for an upload)."""
        if self.training is None:
            return {"model": "uploaded", "source_file": self.source_file,
                    "dataset": self.dataset, "test_size": self.test_size}
        return self.training.to_dict()

    def to_dict(self):
        return _versioned({"origin": self.origin, **self.settings()})

    @classmethod
    def from_dict(cls, data, run_name=None):
        data = check_version(data, "config.json", run_name)
        # Files from before versioning mark an upload by its model label.
        origin = data.get("origin") or ("upload" if data.get("model") == "uploaded"
                                        else "training")
        if origin == "upload":
            return cls.for_upload(data.get("source_file"), data.get("dataset", "mnist"),
                                  data.get("test_size", 10_000))
        if origin not in ORIGINS:
            raise RunFormatError(f"Expected an origin in {list(ORIGINS)} in config.json. "
                                 f"Received: origin={origin!r}")
        try:
            training = TrainingConfig(**_known(TrainingConfig, data))
        except MnistKerasError as error:
            where = f"{run_name}/config.json" if run_name else "config.json"
            raise RunFormatError(f"Expected valid settings in {where}. Received: {error}") \
                from None
        return cls.for_training(training)


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
    """Zeros per pruned layer and overall (see `mnist_keras.sparsity_report`)."""

    layers: tuple
    zeros: int
    total: int
    sparsity: float
    nonzero_params: int
    params: int

    @classmethod
    def from_dict(cls, data):
        values = _known(cls, data)
        values["layers"] = tuple(LayerSparsity(**_known(LayerSparsity, row))
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
        return cls(**_known(cls, data))


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
        return _versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        data = check_version(data, "metrics.json", run_name)
        try:
            values = _known(cls, data)
            matrix = tuple(tuple(int(count) for count in row)
                           for row in values.get("confusion_matrix", ()))
            values["confusion_matrix"] = matrix
            values["per_class"] = tuple(ClassMetrics(**_known(ClassMetrics, row))
                                        for row in values.get("per_class", ()))
            values["misclassified"] = tuple(Mistake(**_known(Mistake, row))
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


@dataclasses.dataclass(frozen=True)
class RunHistory:
    """history.json: the training records (see `mnist_keras.MetricsRecorder`).

    Attributes:
        epochs: one record (a dict) per epoch: `epoch`, `loss`, `accuracy`,
            `val_loss`, `val_accuracy` (with a validation split),
            `epoch_seconds`, `learning_rate`.
        batches: batch records, subsampled to at most 2,000: `epoch`,
            `batch`, `step`, `loss`, `accuracy`, `batch_loss`,
            `batch_accuracy`, `batch_seconds`.
    """

    epochs: tuple = ()
    batches: tuple = ()

    def to_dict(self):
        return _versioned({"epochs": list(self.epochs), "batches": list(self.batches)})

    @classmethod
    def from_dict(cls, data, run_name=None):
        data = check_version(data, "history.json", run_name)
        epochs, batches = data.get("epochs", []), data.get("batches", [])
        if not isinstance(epochs, list) or not isinstance(batches, list):
            raise RunFormatError("Expected lists of epoch and batch records in history.json. "
                                 f"Received: {type(epochs).__name__}, {type(batches).__name__}")
        return cls(tuple(r for r in epochs if isinstance(r, dict)),
                   tuple(r for r in batches if isinstance(r, dict)))


TRIAL_STATES = ("running", "complete", "pruned", "failed", "cancelled")


@dataclasses.dataclass(frozen=True)
class TrialLink:
    """trial.json: the sweep trial a run belongs to (see `mnist_keras.sweeps`).

    The Optuna trial records the run the other way round, as its user
    attributes `run` (the folder's name) and `run_dir` (its path).

    Attributes:
        study: the study's name.
        storage: where the study lives (an Optuna storage URL, password hidden).
        trial: the trial's number in the study (0-based, as Optuna counts).
        state: `"running"`, then `"complete"`, `"pruned"` (stopped early by the
            sweep's pruner; the run keeps what it learned), `"failed"` or
            `"cancelled"`.
        value: the trial's objective value (best `objective` over its epochs).
        objective: the metric the sweep maximises (`"val_accuracy"`).
        pruned_epoch: the epoch after which the pruner stopped it.
        retry_of: the number of the trial this one retries (its worker died).
        error: why it failed, in one line.
    """

    study: str
    storage: str
    trial: int
    state: str = "running"
    value: Optional[float] = None
    objective: str = "val_accuracy"
    pruned_epoch: Optional[int] = None
    retry_of: Optional[int] = None
    error: Optional[str] = None

    def to_dict(self):
        return _versioned(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = _known(cls, check_version(data, "trial.json", run_name))
        try:
            link = cls(**values)
        except TypeError as error:
            where = f"{run_name}/trial.json" if run_name else "trial.json"
            raise RunFormatError(f"Expected a sweep trial in {where}. Received: "
                                 f"{str(error)[:200]}") from None
        if link.state not in TRIAL_STATES:
            link = dataclasses.replace(link, state="unknown")
        return link


@dataclasses.dataclass(frozen=True)
class Projection:
    """projection-{method}.json: a seeded sample of the test set mapped in 2-D by the
    model's penultimate layer (see `mnist_keras.explain.embed`), kept so it is
    computed once per model.

    Attributes:
        method: the `EMBEDDING_METHODS` name.
        seed: the sample's and the method's seed.
        dataset: the dataset the indices point into.
        model_size, model_mtime_ns: the model file it was computed from; a
            different file (`is_current_for`) means it must be computed again.
        indices: the sampled images, by index in the full test set.
        labels, predicted, confidence: per point, its true class, the
            model's answer and its top probability.
        x, y: the coordinates.
        mean, components: PCA's projection (to place new drawings); None
            for the other methods.
        seconds: how long it took to compute.
    """

    method: str
    seed: int
    dataset: str
    model_size: int
    model_mtime_ns: int
    indices: tuple
    labels: tuple
    predicted: tuple
    confidence: tuple
    x: tuple
    y: tuple
    mean: Optional[tuple] = None
    components: Optional[tuple] = None
    seconds: Optional[float] = None

    def is_current_for(self, model_path):
        """Whether this projection was computed from the model file at `model_path` as it is."""
        try:
            stat = os.stat(model_path)
        except OSError:
            return False
        return stat.st_size == self.model_size and stat.st_mtime_ns == self.model_mtime_ns

    def to_dict(self):
        values = dataclasses.asdict(self)
        for key, value in values.items():
            if isinstance(value, tuple):
                values[key] = [list(row) if isinstance(row, tuple) else row for row in value]
        return _versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        name = f"projection-{data.get('method')}.json" if isinstance(data, dict) else \
            "projection.json"
        data = check_version(data, name, run_name)
        try:
            values = _known(cls, data)
            for key in ("indices", "labels", "predicted"):
                values[key] = tuple(int(v) for v in values[key])
            for key in ("confidence", "x", "y"):
                values[key] = tuple(float(v) for v in values[key])
            if values.get("mean") is not None:
                values["mean"] = tuple(float(v) for v in values["mean"])
                values["components"] = tuple(tuple(float(v) for v in row)
                                             for row in values["components"])
            lengths = {len(values[key]) for key in ("indices", "labels", "predicted",
                                                    "confidence", "x", "y")}
            if len(lengths) != 1:
                raise ValueError(f"points of different lengths {sorted(lengths)}")
            return cls(**values)
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            where = f"{run_name}/{name}" if run_name else name
            raise RunFormatError(f"Expected a projection in {where}. Received: "
                                 f"{str(error)[:200]}") from None
