"""mnist-keras: train, inspect, prune and export handwritten-digit classifiers.

Example:

>>> import mnist_keras as mk
>>> data = mk.load_dataset(train_size=5500, test_size=1000)
>>> result = mk.train(mk.TrainingConfig(epochs=1, train_size=5500, test_size=1000),
...                   run_dir="runs/quick")  # doctest: +SKIP
>>> result.metrics.test_accuracy  # doctest: +SKIP

Names are imported on first use, so `import mnist_keras` (and the command
line's `--help`) does not pay for importing TensorFlow.
"""

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "build_augmentation": "augmentation",
    "describe_device": "devices",
    "placement": "distribution",
    "MetricsRecorder": "callbacks",
    "ProgressBar": "callbacks",
    "StopSignal": "callbacks",
    "TrainingConfig": "config",
    "FINE_TUNE_LEARNING_RATE": "fine_tuning",
    "pruning_config": "fine_tuning",
    "load_spec": "layer_specs",
    "validate_spec": "layer_specs",
    "ACTIVATIONS": "registries",
    "ATTACK_METHODS": "registries",
    "EMBEDDING_METHODS": "registries",
    "SALIENCY_METHODS": "registries",
    "DATASETS": "registries",
    "DISTRIBUTIONS": "registries",
    "MODELS": "registries",
    "OPTIMIZERS": "registries",
    "PRUNING_SCHEDULES": "registries",
    "PRUNING_SCOPES": "registries",
    "PRUNERS": "registries",
    "SAMPLERS": "registries",
    "Registry": "registries",
    "SCHEDULES": "registries",
    "CLASS_NAMES": "datasets",
    "PIXEL_SCALE": "datasets",
    "Dataset": "datasets",
    "dataset_summary": "datasets",
    "load_dataset": "datasets",
    "read_idx": "datasets",
    "scale_pixels": "datasets",
    "write_idx": "datasets",
    "MnistKerasError": "errors",
    "AdversarialExample": "explain",
    "Embedding": "explain",
    "adversarial": "explain",
    "calibration": "explain",
    "calibration_from_probabilities": "explain",
    "embed": "explain",
    "gradcam_layer": "explain",
    "place": "explain",
    "saliency": "explain",
    "Calibration": "runs",
    "Projection": "runs",
    "activation_flow": "inspection",
    "activation_model": "inspection",
    "feature_map_model": "inspection",
    "feature_maps": "inspection",
    "layer_summary": "inspection",
    "layer_weights": "inspection",
    "Evaluation": "evaluation",
    "evaluate": "evaluation",
    "TTA_SHIFTS": "evaluation",
    "predict_probabilities": "evaluation",
    "shift_images": "evaluation",
    "command_line": "reproduce",
    "python_snippet": "reproduce",
    "RECIPES": "recipes",
    "recipe_config": "recipes",
    "recipe_settings": "recipes",
    "PRESETS": "models",
    "build_model": "models",
    "build_model_from_spec": "models",
    "model_names": "models",
    "CONFIDENCE_LEVELS": "prediction",
    "Prediction": "prediction",
    "confidence_level": "prediction",
    "is_unsure": "prediction",
    "predict_digits": "prediction",
    "predict_inputs": "prediction",
    "EmptyDrawingError": "preprocessing",
    "preprocess_drawing": "preprocessing",
    "load_image": "preprocessing",
    "ConstantSparsity": "pruning",
    "PolynomialDecay": "pruning",
    "PruningCallback": "pruning",
    "apply_masks": "pruning",
    "count_nonzero_params": "pruning",
    "magnitude_masks": "pruning",
    "prunable_layers": "pruning",
    "prunable_weight_count": "pruning",
    "prune": "pruning",
    "sparsity_report": "pruning",
    "strip": "pruning",
    "BestEpoch": "runs",
    "Run": "runs",
    "RunConfig": "runs",
    "RunFormatError": "runs",
    "RunHistory": "runs",
    "RunIndex": "runs",
    "RunMetrics": "runs",
    "RunState": "runs",
    "RunStatus": "runs",
    "RunSummary": "runs",
    "TrialLink": "runs",
    "check_digit_classifier": "runs",
    "list_runs": "runs",
    "load_model": "runs",
    "run_in": "runs",
    "run_metrics": "runs",
    "SearchSpace": "sweeps",
    "SweepResult": "sweeps",
    "default_space": "sweeps",
    "run_sweep": "sweeps",
    "storage_url": "sweeps",
    "trial_rows": "sweeps",
    "trials_csv": "sweeps",
    "JsonlSink": "sinks",
    "MemorySink": "sinks",
    "read_jsonl": "sinks",
    "subsample": "sinks",
    "TrainingResult": "training",
    "make_optimizer": "training",
    "make_schedule": "training",
    "train": "training",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        # A submodule (`mk.datasets`, `mk.runs`) is imported on first use too.
        try:
            value = importlib.import_module(f"mnist_keras.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'mnist_keras' has no attribute {name!r}") from None
        globals()[name] = value
        return value
    value = getattr(importlib.import_module(f"mnist_keras.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
