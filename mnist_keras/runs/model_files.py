"""Model files: load a `.keras` file safely; check a model is a digit classifier.

A model with custom layers loads when the modules that register them
(`keras.saving.register_keras_serializable`) are imported first: the person
names them (`--import-module`, or `MNIST_KERAS_MODULES`, which child
processes inherit). Safe mode stays on: only code the person named runs,
never code from the file.
"""

import importlib
import os
import re
import sys
import zipfile

from mnist_keras.errors import MnistKerasError, expected

# A .keras file is a zip archive whose config.json describes the model; real
# ones hold a few kilobytes of it. A bound on it keeps a forged file from
# making the loader parse gigabytes of JSON.
MAX_CONFIG_BYTES = 1024 * 1024
# The most parameters a model file may hold, wherever it is loaded (the
# command line, the dashboard, an export): 50 million, 200 MB of float32.
MAX_MODEL_PARAMETERS = 50_000_000
# What the archive may unpack to: those weights and their overhead. A zip
# declares its entries' sizes, so a file whose weights inflate to gigabytes
# (4 MB on disk) is refused before a byte of it is read.
MAX_UNPACKED_BYTES = 4 * MAX_MODEL_PARAMETERS + 64 * 1024 * 1024


# The modules to import before loading a model: comma-separated names.
MODULES_VARIABLE = "MNIST_KERAS_MODULES"
_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*\Z")


def use_custom_modules(modules):
    """Imports `modules` now and has every later load (child processes too) import them.

    Args:
        modules: module names (`["my_layers"]`) that register custom layers.

    Raises:
        MnistKerasError: for a name that is not a module name, or a module
            that cannot be imported (with its error's first line).
    """
    modules = [name.strip() for name in modules if name and name.strip()]
    import_custom_modules(modules)
    known = [name for name in os.environ.get(MODULES_VARIABLE, "").split(",") if name]
    os.environ[MODULES_VARIABLE] = ",".join(dict.fromkeys(known + modules))


def import_custom_modules(modules=None):
    """Imports the modules that register custom layers (default: `MNIST_KERAS_MODULES`'s).

    A module is looked for on Python's path and in the working folder (a
    `my_layers.py` next to where the command runs).

    Raises:
        MnistKerasError: as for `use_custom_modules`.
    """
    if modules is None:
        modules = [name for name in os.environ.get(MODULES_VARIABLE, "").split(",") if name]
    for name in modules:
        if not _MODULE_NAME.match(name):
            raise expected("a Python module name (letters, digits, _ and dots)",
                           module=name[:100])
        if name in sys.modules:
            continue
        if os.getcwd() not in sys.path:
            sys.path.append(os.getcwd())
        try:
            importlib.import_module(name)
        except Exception as error:  # a user's module may raise anything: one line, named
            first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            raise expected("an importable module that registers your custom layers",
                           module=name, error=first or type(error).__name__) from None


def check_model_archive(path):
    """Checks that `path` is a `.keras` zip archive with a config of a sane size.

    Cheap (reads the archive's directory only), so it runs before Keras is
    asked to load anything.

    Raises:
        MnistKerasError: for a file that is not a zip archive, has no
            `config.json`, declares one over `MAX_CONFIG_BYTES`, or unpacks to
            more than `MAX_UNPACKED_BYTES` (weights for more than
            `MAX_MODEL_PARAMETERS` parameters).
    """
    shown = os.path.basename(os.fspath(path))[:100]
    if not zipfile.is_zipfile(path):
        raise expected("a .keras file (a zip archive written by Keras 3)", model=shown)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            config = next((info for info in entries if info.filename == "config.json"), None)
    except (zipfile.BadZipFile, OSError) as error:
        raise expected("a readable .keras archive", model=shown, reason=str(error)[:100]) \
            from None
    if config is None:
        raise expected("a .keras archive with a config.json", model=shown)
    if config.file_size > MAX_CONFIG_BYTES:
        raise expected(f"a model config of at most {MAX_CONFIG_BYTES:,} bytes", model=shown,
                       config_bytes=config.file_size)
    unpacked = sum(info.file_size for info in entries)
    if unpacked > MAX_UNPACKED_BYTES:
        raise expected(f"a model of at most {MAX_MODEL_PARAMETERS:,} parameters (an archive "
                       f"that unpacks to at most {MAX_UNPACKED_BYTES // 2**20:,} MB)",
                       model=shown, unpacks_to=f"{unpacked / 2**20:,.0f} MB")


def load_model(path):
    """Loads a `.keras` model in Keras safe mode (no code from the file runs).

    Args:
        path: a `.keras` file.

    Returns:
        The `keras.Model`, uncompiled.

    Raises:
        MnistKerasError: if the file is missing, not a `.keras` archive (see
            `check_model_archive`), or cannot be loaded safely.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise expected("an existing .keras model file", model=path)
    if not path.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", model=path)
    check_model_archive(path)
    import_custom_modules()
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many types for a bad archive.
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        if "Could not locate class" in str(e):
            reason += ("; a custom layer loads once the module that registers it is "
                       "imported: --import-module NAME")
        raise MnistKerasError(
            f"Expected a loadable Keras 3 model ({reason}). Received: model={path!r}"
        ) from None


def check_digit_classifier(model, num_classes=10):
    """Raises unless `model` maps 28x28x1 images to `num_classes` probabilities, with sound weights.

    Raises:
        MnistKerasError: naming the shapes it has, for more than one input or
            output, for weights that are not all finite numbers (a model
            with NaN weights answers "0 (nan%)" to everything), or for
            outputs that are not probabilities (scores without a softmax, or
            a model that fails on an image), found by running it on two
            probe images.
    """
    inputs, outputs = getattr(model, "inputs", None) or [], getattr(model, "outputs", None) or []
    if len(inputs) > 1 or len(outputs) > 1:
        raise expected("a model with one input and one output", inputs=len(inputs),
                       outputs=len(outputs))
    input_shape = tuple(inputs[0].shape)[1:] if inputs else None
    output_shape = tuple(outputs[0].shape)[1:] if outputs else None
    if not inputs and not outputs and getattr(model, "built", False):
        # A subclassed model has no symbolic inputs: what it answers to an image tells.
        input_shape, output_shape = (28, 28, 1), _answer_shape(model)
    if input_shape != (28, 28, 1) or output_shape != (num_classes,):
        raise expected(f"a model from 28x28x1 images to {num_classes} classes",
                       input_shape=input_shape, output_shape=output_shape)
    import numpy as np

    for variable in model.weights:
        if not np.isfinite(np.asarray(variable)).all():
            raise expected("a model whose weights are all finite numbers",
                           weights=f"{variable.path}: NaN or infinite values")
    _check_probabilities(model)


def _answer_shape(model):
    import numpy as np

    try:
        answer = model(np.zeros((1, 28, 28, 1), np.float32), training=False)
        return tuple(answer.shape)[1:]
    except Exception:  # any layer may raise anything: the shapes then say "unknown"
        return None


# Two probe images, blank paper and a bar of ink: a classifier's answers to
# them are probabilities, whatever it was trained on.
def _check_probabilities(model):
    import numpy as np

    probe = np.zeros((2, 28, 28, 1), np.float32)
    probe[1, 4:24, 12:16] = 1.0
    try:
        answers = np.asarray(model(probe, training=False), dtype=np.float64)
    except Exception as error:  # any layer may raise anything: one line, named
        message = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise expected("a model that can predict a 28x28x1 image",
                       error=f"{type(error).__name__}: {message}") from None
    sums = answers.sum(axis=1)
    if not (np.isfinite(answers).all() and answers.min() >= -1e-6
            and np.abs(sums - 1).max() < 1e-3):
        raise expected(
            "a model whose outputs are probabilities (a softmax at its end; add "
            "keras.layers.Softmax() after a model that gives scores)",
            outputs=f"from {answers.min():.3g} to {answers.max():.3g}, summing to "
                    f"{', '.join(f'{total:.3g}' for total in sums)}")

