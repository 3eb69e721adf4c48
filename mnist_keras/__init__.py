"""mnist-keras: train, inspect, prune and export handwritten-digit classifiers.

Example:

```python
import mnist_keras as mk
result = mk.train(mk.TrainingConfig(epochs=1, train_size=5500, test_size=1000),
                  run_dir="runs/quick")
result.metrics.test_accuracy
```

The top level holds the everyday names (`mnist_keras.__all__`); the rest live
in subpackages: `mnist_keras.runs`, `mnist_keras.sweeps`, `mnist_keras.explain`,
`mnist_keras.datasets`, ... Names are imported on first use, so
`import mnist_keras` (and the command line's `--help`) does not pay for
importing TensorFlow.
"""

from mnist_keras.lazy import lazy_package

__version__ = "0.1.0"

# The everyday names, by the module that defines each. Everything else is
# reached through its subpackage (`mnist_keras.runs.RunIndex`,
# `mnist_keras.sweeps.run_sweep`, `mnist_keras.explain.embed`).
_EVERYDAY = {
    "config": ["TrainingConfig"],
    "training": ["train"],
    "recording": ["RunRecorder"],
    "reproduction": ["reproduce_run"],
    "recipes": ["recipe_config"],
    "datasets": ["load_dataset"],
    "models": ["build_model"],
    "evaluation": ["evaluate"],
    "prediction": ["predict_digits"],
    "preprocessing": ["preprocess_drawing", "load_image"],
    "runs": ["Run", "list_runs", "load_model"],
    "importing": ["import_model"],
    "pruning": ["prune"],
    "fine_tuning": ["pruning_config"],
    "callbacks": ["ProgressBar"],
    "explain": ["saliency"],
    "errors": ["MnistKerasError"],
}

# Names this package exported before it kept only the everyday ones: each
# still answers, from its subpackage, with a DeprecationWarning.
_MOVED = {
    **dict.fromkeys(["build_augmentation"], "mnist_keras.augmentation"),
    **dict.fromkeys(["describe_device"], "mnist_keras.devices"),
    **dict.fromkeys(["placement"], "mnist_keras.distribution"),
    **dict.fromkeys(["MetricsRecorder", "StopSignal"], "mnist_keras.callbacks"),
    **dict.fromkeys(["FINE_TUNE_LEARNING_RATE"], "mnist_keras.fine_tuning"),
    **dict.fromkeys(["load_spec", "validate_spec"], "mnist_keras.layer_specs"),
    **dict.fromkeys(["ACTIVATIONS", "ATTACK_METHODS", "EMBEDDING_METHODS", "SALIENCY_METHODS",
                     "DATASETS", "DISTRIBUTIONS", "MODELS", "OPTIMIZERS",
                     "PRUNING_SCHEDULES", "PRUNING_SCOPES", "PRUNERS", "SAMPLERS", "Registry",
                     "SCHEDULES"], "mnist_keras.registries"),
    **dict.fromkeys(["CLASS_NAMES", "PIXEL_SCALE", "Dataset", "dataset_summary", "read_idx",
                     "scale_pixels", "write_idx"], "mnist_keras.datasets"),
    **dict.fromkeys(["AdversarialExample", "Embedding", "adversarial", "calibration",
                     "calibration_from_probabilities", "embed", "gradcam_layer", "place"],
                    "mnist_keras.explain"),
    **dict.fromkeys(["activation_flow", "activation_model", "feature_map_model",
                     "feature_maps", "layer_summary", "layer_weights"],
                    "mnist_keras.inspection"),
    **dict.fromkeys(["Evaluation", "TTA_SHIFTS", "predict_probabilities", "shift_images",
                     "run_metrics"], "mnist_keras.evaluation"),
    **dict.fromkeys(["command_line", "python_snippet"], "mnist_keras.reproduce"),
    **dict.fromkeys(["RECIPES", "recipe_settings"], "mnist_keras.recipes"),
    **dict.fromkeys(["PRESETS", "build_model_from_spec", "model_names"], "mnist_keras.models"),
    **dict.fromkeys(["CONFIDENCE_LEVELS", "Prediction", "confidence_level", "is_unsure",
                     "predict_inputs"], "mnist_keras.prediction"),
    **dict.fromkeys(["EmptyDrawingError"], "mnist_keras.preprocessing"),
    **dict.fromkeys(["ConstantSparsity", "PolynomialDecay", "PruningCallback", "apply_masks",
                     "count_nonzero_params", "magnitude_masks", "prunable_layers",
                     "prunable_weight_count", "sparsity_report", "strip"],
                    "mnist_keras.pruning"),
    **dict.fromkeys(["BestEpoch", "Calibration", "Projection", "RunConfig", "RunFormatError",
                     "RunHistory", "RunIndex", "RunMetrics", "RunState", "RunStatus",
                     "RunSummary", "TrialLink", "check_digit_classifier", "run_in"],
                    "mnist_keras.runs"),
    **dict.fromkeys(["SearchSpace", "SweepResult", "default_space", "run_sweep", "storage_url",
                     "trial_rows", "trials_csv"], "mnist_keras.sweeps"),
    **dict.fromkeys(["JsonlSink", "MemorySink", "read_jsonl", "subsample"],
                    "mnist_keras.sinks"),
    **dict.fromkeys(["make_optimizer", "make_schedule"], "mnist_keras.optimizers"),
    **dict.fromkeys(["TrainingResult"],
                    "mnist_keras.training"),
}

__getattr__, __dir__, __all__ = lazy_package(__name__, _EVERYDAY, moved=_MOVED)
