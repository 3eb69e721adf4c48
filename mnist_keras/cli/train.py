"""`mnist-keras train`: train a model and write its run folder."""

import argparse
import dataclasses

from mnist_keras.cli.parsing import print_json, summary
from mnist_keras.config import TrainingConfig
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.registries import DATASETS, DISTRIBUTIONS, MODELS, OPTIMIZERS, SCHEDULES

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainingConfig)}

# Augmentation settings beyond --augment's rotation/zoom/shift, by option name.
_AUGMENTATION_HELP = {
    "rotation": "largest random rotation, degrees",
    "zoom": "largest random zoom, as a fraction",
    "translation": "largest random shift, as a fraction of the image",
    "shear": "largest random shear (0.3 slants strokes by about 17 degrees)",
    "stretch": "largest random change of aspect ratio, as a fraction",
    "elastic": "elastic distortion strength, in pixels",
    "stroke_width": "chance of thinning or thickening the strokes",
    "blur": "chance of a slight blur",
    "contrast": "chance of fainter ink",
    "binarize": "chance of black-and-white strokes",
}

# Options whose value comes from the recipe unless given (dest -> type).
SETTINGS = {
    "model": str, "dataset": str, "epochs": int, "batch_size": int, "learning_rate": float,
    "optimizer": str, "schedule": str, "train_size": int, "test_size": int,
    "validation_split": float, "dropout": float, "early_stopping_patience": int,
    "reduce_lr_patience": int, "label_smoothing": float, "seed": int,
    **{name: float for name in _AUGMENTATION_HELP},
    "distribute": str,
}


def add_training_options(parser):
    """Adds every training setting as an option (also used by `sweep`).

    Settings not given come from `--recipe` (default: the library's defaults,
    `TrainingConfig()`), so the command and the library train the same recipe.
    """
    parser.add_argument("--recipe", default="default", choices=RECIPES.names(),
                        help=RECIPES.help().replace("%", "%%")  # argparse formats help
                        + ". Options given beside it win.")
    helps = {
        "model": f"{', '.join(MODELS)}, or a JSON layer-spec file",
        "dataset": f"{', '.join(DATASETS)} (mnist is bundled)",
        "optimizer": " | ".join(OPTIMIZERS),
        "schedule": " | ".join(SCHEDULES),
        **_AUGMENTATION_HELP,
        "distribute": DISTRIBUTIONS.help(),
    }
    for name, kind in SETTINGS.items():
        default = _DEFAULTS[name]
        text = helps.get(name, "")
        if default is not None:
            text = f"{text} (library default: {default})".strip()
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=None,
                            help=text or None)
    parser.add_argument("--data-dir",
                        help="folder with the four IDX files (default: bundled MNIST)")
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=None,
                        help="random augmentation while training (settings above)")


def config_from_args(args, **overrides):
    """The `TrainingConfig` the options describe: the recipe, then what was given."""
    given = {name: getattr(args, name) for name in (*SETTINGS, "augment", "data_dir")
             if getattr(args, name) is not None}
    return recipe_config(args.recipe, **{**given, **overrides})


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
