"""Predicting drawn digits: preprocessing plus one compiled model call."""

import dataclasses

import numpy as np

from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing

# How sure a prediction is, by its top probability: above "high" it is shown
# as confident (green), from "medium" up as so-so (yellow), below as a guess
# (red). The dashboard and the exported page (through its model-info.json)
# read these, so the three front ends agree.
CONFIDENCE_LEVELS = (("high", 0.8), ("medium", 0.5))


def confidence_level(confidence):
    """`"high"`, `"medium"` or `"low"` for a top probability in [0, 1].

    >>> confidence_level(0.93), confidence_level(0.5), confidence_level(0.2)
    ('high', 'medium', 'low')
    """
    levels = dict(CONFIDENCE_LEVELS)
    if confidence > levels["high"]:
        return "high"
    return "medium" if confidence >= levels["medium"] else "low"


@dataclasses.dataclass
class Prediction:
    """One drawing's prediction.

    Attributes:
        label: the predicted class, or None for an empty drawing.
        probabilities: the 10 softmax outputs (None for an empty drawing).
        image: the 28x28 input the model saw (None for an empty drawing).
        error: why there is no prediction ("empty drawing: ..."), or None.
    """

    label: int = None
    probabilities: np.ndarray = None
    image: np.ndarray = None
    error: str = None

    @property
    def confidence(self):
        return None if self.probabilities is None else float(self.probabilities.max())

    @property
    def level(self):
        """`confidence_level` of this prediction (None for an empty drawing)."""
        return None if self.probabilities is None else confidence_level(self.confidence)


def predict_digits(model, images):
    """Preprocesses drawings and predicts them with one batched model call.

    Uses `model.predict_on_batch`, Keras' compiled prediction step (about
    2 ms here), not `model.predict`, whose per-call set-up costs about 50 ms.

    Args:
        model: a Keras classifier taking (N, 28, 28, 1) inputs.
        images: a list of drawings (anything `preprocess_drawing` takes).

    Returns:
        A list of `Prediction`, one per image, in order. An empty drawing
        gets a `Prediction` with `error` set and no label.

    Raises:
        MnistKerasError: for an input that is not an image at all.

    Example:

    >>> [p.label for p in predict_digits(model, [canvas])]  # doctest: +SKIP
    [7]
    """
    results, inputs = [], []
    for image in images:
        try:
            inputs.append(preprocess_drawing(image))
            results.append(None)
        except EmptyDrawingError as error:
            results.append(Prediction(error=f"empty drawing: {error}"))
    predicted = iter(predict_inputs(model, inputs))
    return [result or next(predicted) for result in results]


def predict_inputs(model, inputs):
    """Predicts already preprocessed 28x28 inputs with one batched model call.

    For one drawing shown to several models: preprocess it once with
    `preprocess_drawing`, then call this per model.

    Args:
        model: a Keras classifier taking (N, 28, 28, 1) inputs.
        inputs: a list of (28, 28) float arrays from `preprocess_drawing`.

    Returns:
        A list of `Prediction`, one per input, in order.
    """
    if not len(inputs):
        return []
    batch = np.stack([np.asarray(x, np.float32).reshape(28, 28) for x in inputs])
    probabilities = np.asarray(model.predict_on_batch(batch[..., np.newaxis]))
    return [Prediction(label=int(row.argmax()), probabilities=row.astype(np.float64),
                       image=image) for image, row in zip(inputs, probabilities)]
