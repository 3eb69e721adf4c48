"""`mnist-keras train`: train a model and write its run folder."""

import argparse
import dataclasses

from mnist_keras.cli.parsing import print_json, summary
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import expected
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.settings import CLI, GROUPS, SETTINGS, names_on

_DEFAULTS = {field.name: field.default for field in dataclasses.fields(TrainingConfig)}

# Every setting `mnist-keras train` has an option for (`--batch-size` for
# batch_size), from the settings table; a value not given comes from the recipe.
SETTINGS_WITH_OPTIONS = tuple(names_on(CLI))


# What `--dropout none` (any optional setting) reads as: the setting's None
# ("off", "the model's own"), told apart from an option not given.
NONE = "none"
_GIVEN_NONE = object()


def _value_type(entry):
    if not entry.optional:
        return entry.kind

    def parse(text):
        return _GIVEN_NONE if text.strip().lower() == NONE else entry.kind(text)

    parse.__name__ = entry.kind.__name__  # argparse names the type in its errors
    return parse


def option_name(name):
    """The command-line option of a setting: `batch_size` -> `--batch-size`."""
    return "--" + name.replace("_", "-")


def _help(entry):
    text = entry.summary
    if entry.registry is not None:
        text = f"{text}: {' | '.join(entry.registry)}"
        if entry.path:
            text += f", or a {entry.path} file"
    if entry.integer:
        text += f"; {entry.low}-{entry.high}"
    elif entry.numeric:
        text += f"; {entry.low:g}-{entry.high:g}"
    default = _DEFAULTS[entry.name]
    if entry.optional:
        text += f"; '{NONE}' for none"
    if default is not None:
        text += f" (library default: {default})"
    return text.replace("%", "%%")  # argparse formats help texts


def add_training_options(parser):
    """Adds an option for every setting the table shows on the command line.

    Used by `train` and `sweep`. Settings not given come from `--recipe`
    (default: the library's defaults, `TrainingConfig()`), so the command and
    the library train the same recipe. Options are grouped as in `--help`.
    """
    parser.add_argument("--recipe", default="default", choices=RECIPES.names(),
                        help=RECIPES.help().replace("%", "%%")  # argparse formats help
                        + ". Options given beside it win.")
    groups = {}
    for name in SETTINGS_WITH_OPTIONS:
        entry = SETTINGS[name]
        if entry.group not in groups:
            groups[entry.group] = parser.add_argument_group(f"settings: {GROUPS[entry.group]}")
        group = groups[entry.group]
        if entry.kind is bool:
            group.add_argument(option_name(name), action=argparse.BooleanOptionalAction,
                               default=None, help=entry.summary)
        else:
            group.add_argument(option_name(name), type=_value_type(entry), default=None,
                               help=_help(entry))


def config_from_args(args, **overrides):
    """The `TrainingConfig` the options describe: the recipe, then what was given."""
    given = {name: None if getattr(args, name) is _GIVEN_NONE else getattr(args, name)
             for name in SETTINGS_WITH_OPTIONS if getattr(args, name) is not None}
    return recipe_config(args.recipe, **{**given, **overrides})


def register(subparsers):
    parser = subparsers.add_parser("train", help="train a model and write its run folder")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--run-dir", help="new folder for the run")
    where.add_argument("--resume", metavar="RUN",
                       help="continue a killed, crashed or cancelled run from its last "
                            "finished epoch, with its own settings")
    add_training_options(parser)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True, check_first=_check_resume)


def _check_resume(args):
    # Before Keras loads: the run must be resumable, and its settings are its own.
    if not args.resume:
        return
    from mnist_keras.resuming import resumable_run

    given = sorted(name for name in SETTINGS_WITH_OPTIONS if getattr(args, name) is not None)
    if given or args.recipe != "default":
        raise expected("no settings beside --resume (the run continues with its own)",
                       given=[option_name(name) for name in given] or ["--recipe"])
    resumable_run(args.resume)


def run(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.training import train

    if args.resume:
        from mnist_keras.reproduction import resume_training

        result = resume_training(args.resume, callbacks=[ProgressBar()])
    else:
        result = train(config_from_args(args), run_dir=args.run_dir,
                       callbacks=[ProgressBar()])
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
