"""The run contract: what each JSON file of a run folder holds, as frozen dataclasses.

This module holds the files of a run's life (config, status, history, trial
link, projection); `metrics_file` holds metrics.json and its parts, and
`versioning` the rules every file is read by: each carries a
`schema_version`; a reader accepts its own version and older ones (a file
without a version is from before versioning and reads with defaults), ignores
keys it does not know (a newer release may add some), and refuses a newer
version with a message that says to upgrade. The version only changes when a
change would mislead an older reader.

The files stay plain JSON, so scripts can read them without this module:

```
config.json    RunConfig: {"schema_version", "origin", ...the TrainingConfig's settings,
                           "code_model" (a model from code: `code_model_file`)}
               or, a user's own model.fit: {"schema_version", "origin": "code",
                           "code_model", "recorded", "dataset", "test_size"}
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
notes.json     RunNotes:   (in `notes_file`: tags and a note, written by a person)
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
from mnist_keras.runs.code_model_file import CodeModel
from mnist_keras.runs.versioning import (
    RunFormatError,
    check_version,
    known_fields,
    versioned,
)
from mnist_keras.settings import DEFAULTS_VERSION


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
        note: what a reader should know of a finished run, in one line (a
            recorded run whose model is not a digit classifier: why it has
            no metrics).
    """

    status: RunStatus = RunStatus.UNKNOWN
    started: Optional[float] = None
    updated: Optional[float] = None
    finished: Optional[float] = None
    pid: Optional[int] = None
    phase: Optional[str] = None
    error: Optional[str] = None
    traceback: Optional[str] = None
    note: Optional[str] = None

    def to_dict(self):
        values = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        return versioned({**values, "status": self.status.value})

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = known_fields(cls, check_version(data, "status.json", run_name))
        status = values.get("status", RunStatus.UNKNOWN.value)
        values["status"] = (RunStatus(status) if status in RunStatus._value2member_map_
                            else RunStatus.UNKNOWN)
        return cls(**values)


ORIGINS = ("training", "upload", "code")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """config.json: how the run's model came to be.

    Attributes:
        origin: `"training"` (trained or fine-tuned here), `"upload"` (a
            `.keras` file added to the runs folder) or `"code"` (trained by a
            user's own `model.fit`, recorded by a `RunRecorder`).
        training: the `TrainingConfig` it was trained with (None for an upload
            or a recorded run).
        source_file: an upload's original file name.
        dataset: what the model was evaluated on (an upload: `"mnist"`).
        test_size: test images it was evaluated on.
        read_only: a run that ships with mnist-keras (`pretrained`): it is
            never renamed or deleted.
        code_model: a `CodeModel` when the architecture came from Python code
            (a recorded run, or `train(config, model=...)`): its settings
            alone cannot rebuild it.
        recorded: a recorded run's settings: what the recorder read (optimizer,
            learning rate, loss, epochs...) and what the user passed.
    """

    origin: str = "training"
    training: Optional[TrainingConfig] = None
    source_file: Optional[str] = None
    dataset: str = "mnist"
    test_size: int = 10_000
    read_only: bool = False
    code_model: Optional[CodeModel] = None
    recorded: Optional[dict] = None

    @classmethod
    def for_training(cls, config, read_only=False, code_model=None):
        """The run config of a training (or pruning) run; `code_model` for a model from code."""
        return cls(origin="training", training=config, dataset=config.dataset,
                   test_size=config.test_size, read_only=bool(read_only),
                   code_model=code_model)

    @classmethod
    def for_upload(cls, source_file, dataset="mnist", test_size=10_000):
        """The run config of an uploaded model."""
        return cls(origin="upload", source_file=source_file, dataset=dataset,
                   test_size=test_size)

    @classmethod
    def for_code(cls, code_model, recorded, dataset="mnist", test_size=0):
        """The run config of a user's own `model.fit`, recorded by a `RunRecorder`."""
        return cls(origin="code", code_model=code_model, recorded=dict(recorded),
                   dataset=dataset, test_size=test_size)

    @property
    def model_label(self):
        """What the model is, in a word: `cnn`, `spec.json`, `uploaded`, `net (code)`."""
        if self.code_model is not None:
            return self.code_model.label
        if self.training is None:
            return "uploaded"
        return os.path.basename(self.training.model)

    @property
    def from_settings(self):
        """Whether the settings rebuild the model (not an upload, not a model from code)."""
        return self.training is not None and self.code_model is None

    @property
    def parent_run(self):
        return self.training.parent_run if self.training else None

    @property
    def data_dir(self):
        return self.training.data_dir if self.training else None

    def settings(self):
        """Every setting as a flat dict (the upload's file name for an upload)."""
        if self.origin == "code":
            return {"model": self.model_label, **(self.recorded or {}),
                    "dataset": self.dataset, "test_size": self.test_size}
        if self.training is None:
            return {"model": "uploaded", "source_file": self.source_file,
                    "dataset": self.dataset, "test_size": self.test_size}
        settings = self.training.to_dict()
        if self.code_model is not None:
            settings["model"] = self.model_label
        return settings

    def to_dict(self):
        # The defaults version the settings were written under: a release that
        # adds a setting reads this file's lack of it as the default it had then.
        extra = {"defaults_version": DEFAULTS_VERSION} if self.training is not None else {}
        if self.read_only:
            extra["read_only"] = True
        if self.code_model is not None:
            extra["code_model"] = self.code_model.to_dict()
        if self.origin == "code":
            return versioned({"origin": self.origin, **extra, "recorded": self.recorded or {},
                              "dataset": self.dataset, "test_size": self.test_size})
        settings = self.training.to_dict() if self.training is not None else self.settings()
        return versioned({"origin": self.origin, **extra, **settings})

    @classmethod
    def from_dict(cls, data, run_name=None):
        data = check_version(data, "config.json", run_name)
        where = f"{run_name}/config.json" if run_name else "config.json"
        # Files from before versioning mark an upload by its model label.
        origin = data.get("origin") or ("upload" if data.get("model") == "uploaded"
                                        else "training")
        if origin == "upload":
            return cls.for_upload(data.get("source_file"), data.get("dataset", "mnist"),
                                  data.get("test_size", 10_000))
        if origin not in ORIGINS:
            raise RunFormatError(f"Expected an origin in {list(ORIGINS)} in config.json. "
                                 f"Received: origin={origin!r}")
        code_model = (CodeModel.from_dict(data["code_model"], where)
                      if data.get("code_model") is not None else None)
        if origin == "code":
            if code_model is None:
                raise RunFormatError(f"Expected a code_model in {where} (a recorded run)")
            recorded = data.get("recorded")
            test_size = data.get("test_size", 0)
            return cls.for_code(code_model, recorded if isinstance(recorded, dict) else {},
                                dataset=str(data.get("dataset", "mnist")),
                                test_size=test_size if isinstance(test_size, int) else 0)
        try:
            # A file from before the record was written under defaults version 1.
            training = TrainingConfig.from_dict(known_fields(TrainingConfig, data),
                                                defaults_version=data.get("defaults_version", 1))
        except MnistKerasError as error:
            raise RunFormatError(f"Expected valid settings in {where}. Received: {error}") \
                from None
        return cls.for_training(training, read_only=data.get("read_only") is True,
                                code_model=code_model)


@dataclasses.dataclass(frozen=True)
class RunHistory:
    """history.json: the training records (see `mnist_keras.callbacks.MetricsRecorder`).

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
        return versioned({"epochs": list(self.epochs), "batches": list(self.batches)})

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
        return versioned(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data, run_name=None):
        values = known_fields(cls, check_version(data, "trial.json", run_name))
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
        return versioned(values)

    @classmethod
    def from_dict(cls, data, run_name=None):
        name = f"projection-{data.get('method')}.json" if isinstance(data, dict) else \
            "projection.json"
        data = check_version(data, name, run_name)
        try:
            values = known_fields(cls, data)
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
