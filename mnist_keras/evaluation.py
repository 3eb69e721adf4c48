"""Evaluation: accuracy, loss, confusion matrix, per-class metrics, mistakes."""

import dataclasses

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from mnist_keras.errors import expected


@dataclasses.dataclass
class Evaluation:
    """The result of `evaluate`.

    Attributes:
        accuracy: fraction of correct predictions.
        loss: mean categorical cross-entropy.
        confusion_matrix: (num_classes, num_classes) int array; rows are true
            labels, columns predictions.
        per_class: list of dicts `{label, precision, recall, f1, support}`.
        misclassified: positions (into the evaluated arrays) of the mistakes.
        predictions: predicted label per image.
        probabilities: (N, num_classes) softmax outputs.
        labels: the true labels that were evaluated.
    """

    accuracy: float
    loss: float
    confusion_matrix: np.ndarray
    per_class: list
    misclassified: np.ndarray
    predictions: np.ndarray
    probabilities: np.ndarray
    labels: np.ndarray


def evaluate(model, x, y, num_classes=10, batch_size=512):
    """Evaluates a classifier on images and integer labels.

    Args:
        model: a Keras model with softmax outputs.
        x: inputs, float32 (N, 28, 28, 1), scaled as in `scale_pixels`.
        y: integer labels (N,).
        num_classes: number of classes. Defaults to 10.
        batch_size: inference batch size. Defaults to 512.

    Returns:
        An `Evaluation`.

    Raises:
        MnistKerasError: if `x` and `y` are empty or differ in length.

    Example:

    >>> result = evaluate(model, data.x_test, data.y_test)  # doctest: +SKIP
    >>> result.accuracy  # doctest: +SKIP
    0.9912
    """
    y = np.asarray(y).astype(np.int64)
    if len(x) == 0 or len(x) != len(y):
        raise expected("as many labels as images, at least one", images=len(x), labels=len(y))
    probabilities = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    predictions = probabilities.argmax(axis=1)
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
    labels = np.arange(num_classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predictions, labels=labels, zero_division=0
    )
    return Evaluation(
        accuracy=float((predictions == y).mean()),
        loss=float(-np.log(picked).mean()),
        confusion_matrix=confusion_matrix(y, predictions, labels=labels),
        per_class=[
            {
                "label": int(label),
                "precision": float(precision[label]),
                "recall": float(recall[label]),
                "f1": float(f1[label]),
                "support": int(support[label]),
            }
            for label in labels
        ],
        misclassified=np.flatnonzero(predictions != y),
        predictions=predictions,
        probabilities=probabilities,
        labels=y,
    )
