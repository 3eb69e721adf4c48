"""Models written in Python: made ready for training and described for the run folder.

`train(config, model=...)` and `RunRecorder` take a user's own Keras model
(functional, sequential or subclassed). Its settings cannot rebuild it, so
the run records a `CodeModel` (name, class, size, summary) instead.
"""

import keras

from mnist_keras.errors import expected
from mnist_keras.runs.code_model_file import MAX_SUMMARY_CHARACTERS, CodeModel

__all__ = ["describe_code_model", "prepare_code_model"]


def describe_code_model(model):
    """The `CodeModel` of a Keras model: name, class, parameters, shapes and summary.

    Args:
        model: a built `keras.Model`.

    Returns:
        A `CodeModel`.

    Example:

    >>> import keras
    >>> net = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="tiny")
    >>> described = describe_code_model(net)
    >>> (described.label, described.class_name, described.params)
    ('tiny (code)', 'Sequential', 10)
    """
    cls = type(model)
    # Keras' own classes by their name; a user's subclass with its module, so
    # people know what to import to rebuild it.
    keras_class = cls.__module__.startswith("keras.")
    class_name = cls.__name__ if keras_class else f"{cls.__module__}.{cls.__qualname__}"
    lines = []
    try:
        model.summary(print_fn=lambda line, *args, **kwargs: lines.append(line),
                      line_length=100)
    except ValueError:  # an unbuilt model has no summary yet
        lines = []
    return CodeModel(name=model.name, class_name=class_name[:200],
                     params=int(model.count_params()) if model.built else 0,
                     input_shape=_shape(getattr(model, "inputs", None)),
                     output_shape=_shape(getattr(model, "outputs", None)),
                     summary="\n".join(lines)[:MAX_SUMMARY_CHARACTERS])


def _shape(tensors):
    try:
        if tensors and len(tensors) == 1:
            return tuple(tensors[0].shape)[1:]
    except (AttributeError, TypeError, ValueError):  # a subclassed model has no symbolic inputs
        pass
    return None


def prepare_code_model(model, input_shape):
    """Builds a user's model for images of `input_shape` and checks it is a Keras model.

    A subclassed model is built by calling it once on a batch of zeros, so
    it has weights to count, save and restore before training starts.

    Args:
        model: a `keras.Model` (functional, sequential or subclassed).
        input_shape: the images' shape without the batch axis.

    Returns:
        The same model, built.

    Raises:
        MnistKerasError: for something that is not a Keras model, or a model
            that fails on a batch of these images.
    """
    if not isinstance(model, keras.Model):
        raise expected("a keras.Model built in Python (functional, sequential or subclassed)",
                       model=type(model).__name__)
    if not model.built or not model.weights:
        try:
            model(keras.ops.zeros((1, *input_shape)), training=False)
        except Exception as error:  # a user's call() may raise anything: one line, named
            first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
            raise expected(f"a model that takes images of shape {tuple(input_shape)}",
                           model=model.name, error=first or type(error).__name__) from None
    return model
