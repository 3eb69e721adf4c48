"""The run store: one folder per run, the contract between library, CLI, dashboard and export.

```
RUN_DIR/config.json    RunConfig: how the model came to be (the TrainingConfig, or an upload)
RUN_DIR/status.json    RunState: running | completed | cancelled | failed, times, pid, error
RUN_DIR/events.jsonl   the live record stream (see callbacks.MetricsRecorder)
RUN_DIR/history.json   RunHistory: per-epoch records and subsampled batch records
RUN_DIR/metrics.json   RunMetrics: test accuracy and loss, parameters, class names,
                       confusion matrix, per-class table, mistakes, pruning report,
                       calibration
RUN_DIR/projection-{method}.json
                       Projection: a test-set sample mapped in 2-D (the projector's cache)
RUN_DIR/model.keras    the trained model (Keras 3 native format)
RUN_DIR/trial.json     TrialLink: the sweep study and trial the run belongs to (sweeps only)
RUN_DIR/environment.json
                       RunEnvironment: versions, backend and devices, CPU and its
                       instruction sets, source commit, data checksum, seed, determinism
RUN_DIR/personalization.json
                       Personalization: the person's samples a taught run learned from, and
                       the base and taught model on their held-out samples and on MNIST
```

Every JSON file is versioned (`schema_version`) and written atomically; see
`mnist_keras.runs.contract` for the rules. Nothing here imports Keras until a
model is saved or loaded.
"""

from mnist_keras.runs.contract import (
    TRIAL_STATES,
    Projection,
    RunConfig,
    RunHistory,
    RunState,
    RunStatus,
    TrialLink,
)
from mnist_keras.runs.environment_file import RunEnvironment
from mnist_keras.runs.index import RunIndex, RunSummary, runs_csv, summarize
from mnist_keras.runs.metrics_file import (
    BestEpoch,
    Calibration,
    ClassMetrics,
    LayerSparsity,
    Mistake,
    RunMetrics,
    SparsityReport,
)
from mnist_keras.runs.model_files import (
    MAX_CONFIG_BYTES,
    MAX_MODEL_PARAMETERS,
    MAX_UNPACKED_BYTES,
    check_digit_classifier,
    check_model_archive,
    import_custom_modules,
    load_model,
    use_custom_modules,
)
from mnist_keras.runs.notes_file import RunNotes
from mnist_keras.runs.personalization_file import Personalization, Scores
from mnist_keras.runs.store import RUN_NAME_PATTERN, Run, list_runs, run_in
from mnist_keras.runs.versioning import SCHEMA_VERSION, RunFormatError

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_MODEL_PARAMETERS",
    "MAX_UNPACKED_BYTES",
    "Personalization",
    "RunEnvironment",
    "Scores",
    "RUN_NAME_PATTERN",
    "SCHEMA_VERSION",
    "TRIAL_STATES",
    "BestEpoch",
    "Calibration",
    "ClassMetrics",
    "LayerSparsity",
    "Mistake",
    "Projection",
    "Run",
    "RunConfig",
    "RunFormatError",
    "RunHistory",
    "RunIndex",
    "RunMetrics",
    "RunNotes",
    "RunState",
    "RunStatus",
    "RunSummary",
    "SparsityReport",
    "TrialLink",
    "check_digit_classifier",
    "runs_csv",
    "check_model_archive",
    "list_runs",
    "load_model",
    "import_custom_modules",
    "use_custom_modules",
    "run_in",
    "summarize",
]
