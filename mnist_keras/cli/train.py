"""`mnist-keras train`: train a model and write its run folder."""

import dataclasses

from mnist_keras.cli.parsing import print_json, summary
from mnist_keras.config import TrainingConfig
from mnist_keras.registries import DATASETS, MODELS, OPTIMIZERS, SCHEDULES

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainingConfig)}


def add_training_options(parser):
    """Adds every training setting as an option (also used by `sweep`).

    Defaults are the library's (`TrainingConfig()`), so the command and the
    library train the same recipe.
    """
    parser.add_argument("--model", default=_DEFAULTS["model"],
                        help=f"{', '.join(MODELS)}, or a JSON layer-spec file "
                             "(default: cnn)")
    parser.add_argument("--dataset", default=_DEFAULTS["dataset"],
                        help=f"{', '.join(DATASETS)} (default: mnist, bundled)")
    parser.add_argument("--data-dir",
                        help="folder with the four IDX files (default: bundled MNIST)")
    parser.add_argument("--epochs", type=int, default=_DEFAULTS["epochs"])
    parser.add_argument("--batch-size", type=int, default=_DEFAULTS["batch_size"])
    parser.add_argument("--learning-rate", type=float, default=_DEFAULTS["learning_rate"])
    parser.add_argument("--optimizer", default=_DEFAULTS["optimizer"],
                        help=" | ".join(OPTIMIZERS) + " (default: adam)")
    parser.add_argument("--schedule", default=_DEFAULTS["schedule"],
                        help=" | ".join(SCHEDULES) + " (default: cosine, as the library)")
    parser.add_argument("--train-size", type=int, default=_DEFAULTS["train_size"])
    parser.add_argument("--test-size", type=int, default=_DEFAULTS["test_size"])
    parser.add_argument("--validation-split", type=float,
                        default=_DEFAULTS["validation_split"])
    parser.add_argument("--dropout", type=float)
    parser.add_argument("--augment", action="store_true",
                        help="random rotation (15 deg), zoom (10%%) and translation (10%%)")
    parser.add_argument("--early-stopping-patience", type=int)
    parser.add_argument("--reduce-lr-patience", type=int)
    parser.add_argument("--label-smoothing", type=float, default=_DEFAULTS["label_smoothing"])
    parser.add_argument("--seed", type=int, default=_DEFAULTS["seed"])


def config_from_args(args, **overrides):
    """The `TrainingConfig` the training options describe (validated)."""
    values = dict(
        model=args.model, dataset=args.dataset, data_dir=args.data_dir, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        optimizer=args.optimizer, schedule=args.schedule, train_size=args.train_size,
        test_size=args.test_size, validation_split=args.validation_split,
        dropout=args.dropout, augment=args.augment,
        early_stopping_patience=args.early_stopping_patience,
        reduce_lr_patience=args.reduce_lr_patience, label_smoothing=args.label_smoothing,
        seed=args.seed)
    return TrainingConfig(**{**values, **overrides})


def register(subparsers):
    parser = subparsers.add_parser("train", help="train a model and write its run folder")
    parser.add_argument("--run-dir", required=True, help="new folder for the run")
    add_training_options(parser)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True)


def run(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.training import train

    config = config_from_args(args)
    result = train(config, run_dir=args.run_dir, callbacks=[ProgressBar()])
    metrics = result.metrics
    if args.json:
        payload = metrics.to_dict()
        print_json({"run_dir": result.run_dir, "status": result.status.value,
                    **summary(metrics), "per_class": payload["per_class"],
                    "confusion_matrix": payload["confusion_matrix"]})
    else:
        print(f"{result.status}: test accuracy {metrics.test_accuracy:.4f}, "
              f"loss {metrics.test_loss:.4f}, {metrics.num_params:,} parameters, "
              f"{metrics.train_seconds:.1f} s; run saved in {result.run_dir}")
