"""Predicting drawn digits: preprocessing plus one compiled model call."""

import dataclasses

import numpy as np

from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing

# How sure a prediction is, by its top probability: above "high" it is shown
# as confident (green), from "medium" up as so-so (yellow), below as a guess
# (red). The dashboard and the exported page (through its model-info.json)
# read these, so the three front ends agree.
CONFIDENCE_LEVELS = (("high", 0.8), ("medium", 0.5))
# A prediction is unsure when its top probability is under "top_below", or
# the runner-up is within "margin_below" of it: it is then shown as unsure,
# with the runner-up, everywhere.
UNSURE = (("top_below", 0.5), ("margin_below", 0.25))


def confidence_level(confidence):
    """`"high"`, `"medium"` or `"low"` for a top probability in [0, 1].

    >>> confidence_level(0.93), confidence_level(0.5), confidence_level(0.2)
    ('high', 'medium', 'low')
    """
    levels = dict(CONFIDENCE_LEVELS)
    if confidence > levels["high"]:
        return "high"
    return "medium" if confidence >= levels["medium"] else "low"


def is_unsure(probabilities):
    """Whether the model hesitates: a low top probability, or a close runner-up.

    >>> is_unsure([0.05, 0.9, 0.05]), is_unsure([0.5, 0.4, 0.1]), is_unsure([0.3, 0.2, 0.5])
    (False, True, True)
    """
    ordered = np.sort(np.asarray(probabilities, np.float64))[::-1]
    thresholds = dict(UNSURE)
    runner_up = ordered[1] if len(ordered) > 1 else 0.0
    return bool(ordered[0] < thresholds["top_below"]
                or ordered[0] - runner_up < thresholds["margin_below"])


@dataclasses.dataclass
class Prediction:
    """One drawing's prediction.

    Attributes:
        label: the predicted class, or None when the image is not a digit.
        probabilities: the 10 softmax outputs (None when not a digit).
        image: the 28x28 input the model saw (None when not a digit).
        error: why there is no prediction ("not a digit: ..."), or None.
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
        """`confidence_level` of this prediction (None when not a digit)."""
        return None if self.probabilities is None else confidence_level(self.confidence)

    @property
    def runner_up(self):
        """The second most likely class (None when not a digit)."""
        if self.probabilities is None or len(self.probabilities) < 2:
            return None
        others = np.array(self.probabilities, np.float64)
        others[int(np.argmax(others))] = -np.inf
        return int(np.argmax(others))

    @property
    def unsure(self):
        """Whether to show this prediction as unsure (see `is_unsure`)."""
        return self.probabilities is not None and is_unsure(self.probabilities)


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

    ```python
    [p.label for p in predict_digits(model, [canvas])]
    # [7]
    ```
    """
    results, inputs = [], []
    for image in images:
        try:
            inputs.append(preprocess_drawing(image))
            results.append(None)
        except EmptyDrawingError as error:
            results.append(Prediction(error=f"not a digit: {error}"))
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
