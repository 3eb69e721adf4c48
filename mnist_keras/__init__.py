"""mnist-keras: train, inspect, prune and export handwritten-digit classifiers.

Example:

>>> import mnist_keras as mk
>>> data = mk.load_dataset(train_size=5500, test_size=1000)
>>> model = mk.build_model("cnn")
>>> result = mk.train(mk.TrainingConfig(epochs=1, train_size=5500, test_size=1000),
...                   run_dir="runs/quick")  # doctest: +SKIP
>>> mk.evaluate(result.model, data.x_test, data.y_test).accuracy  # doctest: +SKIP
"""

from mnist_keras.augmentation import build_augmentation
from mnist_keras.callbacks import MetricsRecorder, ProgressBar, StopSignal
from mnist_keras.config import OPTIMIZERS, SCHEDULES, TrainingConfig
from mnist_keras.datasets import (
    CLASS_NAMES,
    PIXEL_SCALE,
    Dataset,
    load_dataset,
    read_idx,
    scale_pixels,
    write_idx,
)
from mnist_keras.errors import MnistKerasError
from mnist_keras.evaluation import Evaluation, evaluate
from mnist_keras.models import (
    PRESETS,
    build_model,
    build_model_from_spec,
    model_names,
    validate_spec,
)
from mnist_keras.runs import Run, list_runs, load_model
from mnist_keras.sinks import JsonlSink, MemorySink, read_jsonl
from mnist_keras.training import TrainingResult, make_optimizer, make_schedule, train

__version__ = "0.1.0"

__all__ = [
    "CLASS_NAMES",
    "Dataset",
    "Evaluation",
    "JsonlSink",
    "MemorySink",
    "MetricsRecorder",
    "MnistKerasError",
    "OPTIMIZERS",
    "PIXEL_SCALE",
    "PRESETS",
    "ProgressBar",
    "Run",
    "SCHEDULES",
    "StopSignal",
    "TrainingConfig",
    "TrainingResult",
    "build_augmentation",
    "build_model",
    "build_model_from_spec",
    "evaluate",
    "list_runs",
    "load_dataset",
    "load_model",
    "make_optimizer",
    "make_schedule",
    "model_names",
    "read_idx",
    "read_jsonl",
    "scale_pixels",
    "train",
    "validate_spec",
    "write_idx",
]
