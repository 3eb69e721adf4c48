"""Model files: load a `.keras` file safely; check a model is a digit classifier."""

import os

from mnist_keras.errors import MnistKerasError, expected


def load_model(path):
    """Loads a `.keras` model in Keras safe mode (no code from the file runs).

    Args:
        path: a `.keras` file.

    Returns:
        The `keras.Model`, uncompiled.

    Raises:
        MnistKerasError: if the file is missing, not a `.keras` archive, or
            cannot be loaded safely.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise expected("an existing .keras model file", model=path)
    if not path.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", model=path)
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # Keras raises many types for a bad archive.
        reason = str(e).splitlines()[0][:200] if str(e) else type(e).__name__
        raise MnistKerasError(
            f"Expected a loadable Keras 3 model ({reason}). Received: model={path!r}"
        ) from None


def check_digit_classifier(model, num_classes=10):
    """Raises unless `model` maps 28x28x1 images to `num_classes` outputs.

    Raises:
        MnistKerasError: naming the shapes it has.
    """
    input_shape = tuple(model.inputs[0].shape)[1:] if getattr(model, "inputs", None) else None
    output_shape = tuple(model.outputs[0].shape)[1:] if getattr(model, "outputs", None) else None
    if input_shape != (28, 28, 1) or output_shape != (num_classes,):
        raise expected(f"a model from 28x28x1 images to {num_classes} classes",
                       input_shape=input_shape, output_shape=output_shape)
