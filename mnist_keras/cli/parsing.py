"""What every subcommand shares: the parser class, JSON output, quiet imports, extras."""

import argparse
import json
import os
import sys
import tempfile

from mnist_keras.errors import MnistKerasError, expected

# How commands that take a model describe the argument (`resolve_model` reads it).
MODEL_HELP = ("a .keras file, a run folder, or 'pretrained' (the model that ships with "
              "mnist-keras)")


class PlainHelpFormatter(argparse.HelpFormatter):
    """Help texts as plain text: a `%` (a percentage in a description) is shown as it is.

    argparse reads every help text as a `%`-format string, so one percentage
    sign made `--help` fail; no help here uses `%(default)s`.
    """

    def _expand_help(self, action):
        return self._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block) and plain help texts."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", PlainHelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _values(args, names):
    for name in names:
        value = getattr(args, name, None)
        yield from (value if isinstance(value, list) else [value] if value else [])


def check_files_first(args):
    """Checks a command's model and image files before Keras is imported.

    A command names its file arguments with `set_defaults(model_files=(...),
    image_files=(...))`. Each model must be `pretrained`, a run folder or an
    existing file (a `.keras` one's archive directory is read, nothing is
    loaded); each image an existing file. The loaders check the rest. A
    command may add a check of its own: `set_defaults(check_first=function)`.

    Raises:
        MnistKerasError: naming the first argument that is not there.
    """
    from mnist_keras.pretrained import resolve_model
    from mnist_keras.runs import check_model_archive

    for model in _values(args, getattr(args, "model_files", ())):
        path = resolve_model(model)
        if not os.path.isfile(path):
            raise expected("an existing .keras model file, a run folder or 'pretrained'",
                           model=model)
        if path.endswith(".keras"):
            check_model_archive(path)
    for image in _values(args, getattr(args, "image_files", ())):
        if not os.path.isfile(image):
            raise expected("an existing image file", image=image)
    # A command's own checks of its arguments (`set_defaults(check_first=...)`).
    check = getattr(args, "check_first", None)
    if check is not None:
        check(args)


def import_keras_quietly():
    """Imports Keras (and TensorFlow) with C++ stderr output held back.

    Some of TensorFlow's import-time lines are written before its logging is
    configured, so no environment variable silences them. They are replayed
    if the import fails, so a broken installation still explains itself.
    """
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            import keras

            if keras.backend.backend() == "tensorflow":
                # The first device query probes CUDA and logs its findings.
                import tensorflow as tf

                tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.buffer.write(held.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def print_json(obj):
    """Writes `obj` as indented JSON to stdout."""
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def missing_extra(extra, error, modules):
    """The error for a command whose optional dependencies are not installed.

    Args:
        extra: the extra that installs them (`"dashboard"`, `"export"`).
        error: the `ImportError` raised.
        modules: top-level module names the extra provides.

    Returns:
        A `MnistKerasError` to raise, or `error` itself when the missing
        module is not one of the extra's (a real bug should not hide).
    """
    missing = (getattr(error, "name", None) or "").split(".")[0]
    if missing not in modules:
        return error
    return MnistKerasError(
        f"Expected the {extra} extra to be installed (pip install 'mnist-keras[{extra}]'). "
        f"Received: no module named {missing!r}")


def require_extra(extra, modules):
    """Raises the missing-extra error unless every module in `modules` is installed.

    Checked before a command does any work, without importing the modules. A
    plugin command asks for it with `set_defaults(requires_extra=(extra, modules))`.
    """
    import importlib.util

    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except ImportError:
            found = False
        if not found:
            raise MnistKerasError(
                f"Expected the {extra} extra to be installed (pip install "
                f"'mnist-keras[{extra}]'). Received: no module named {module!r}")


def summary(metrics):
    """The headline figures of a `RunMetrics`, for --json output."""
    return {"test_accuracy": metrics.test_accuracy, "test_loss": metrics.test_loss,
            "num_params": metrics.num_params, "train_seconds": metrics.train_seconds,
            "epochs_done": metrics.epochs_done}
