"""Evaluation: accuracy, loss, confusion matrix, per-class metrics, mistakes.

`evaluate` scores a model (or an ensemble) on test images; `run_metrics`
turns that into the `RunMetrics` a run records: one recipe for every writer
(training, pruning, an imported model).
"""

import dataclasses

import numpy as np
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from mnist_keras.errors import expected
from mnist_keras.runs.metrics_file import (
    BestEpoch,
    ClassMetrics,
    Mistake,
    RunMetrics,
    SparsityReport,
)


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


# Test-time augmentation: the image as it is and moved one pixel each way.
TTA_SHIFTS = ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1))


def shift_images(x, rows, columns):
    """Images (N, H, W, C) moved by whole pixels, with zeros moved in.

    >>> image = np.zeros((1, 3, 3, 1)); image[0, 1, 1, 0] = 1
    >>> shift_images(image, 1, -1)[0, :, :, 0]
    array([[0., 0., 0.],
           [0., 0., 0.],
           [1., 0., 0.]])
    """
    moved = np.zeros_like(x)
    height, width = x.shape[1:3]
    source = x[:, max(0, -rows):height - max(0, rows), max(0, -columns):width - max(0, columns)]
    moved[:, max(0, rows):max(0, rows) + source.shape[1],
          max(0, columns):max(0, columns) + source.shape[2]] = source
    return moved


def predict_probabilities(models, x, tta=False, batch_size=512):
    """Class probabilities averaged over models and, with `tta`, over small shifts.

    Args:
        models: a Keras model, or a sequence of them (an ensemble) with the
            same classes.
        x: inputs, float32 (N, 28, 28, 1).
        tta: also average over the image moved one pixel up, down, left and
            right (`TTA_SHIFTS`).
        batch_size: inference batch size.

    Returns:
        (N, num_classes) float32 probabilities.
    """
    models = list(models) if isinstance(models, (list, tuple)) else [models]
    if not models:
        raise expected("at least one model", models=0)
    shifts = TTA_SHIFTS if tta else TTA_SHIFTS[:1]
    total = None
    for model in models:
        for rows, columns in shifts:
            inputs = shift_images(x, rows, columns) if (rows or columns) else x
            probabilities = np.asarray(model.predict(inputs, batch_size=batch_size, verbose=0),
                                       np.float64)
            if total is not None and probabilities.shape != total.shape:
                raise expected("models with the same classes",
                               classes=[total.shape[1], probabilities.shape[1]])
            total = probabilities if total is None else total + probabilities
    return (total / (len(models) * len(shifts))).astype(np.float32)


def evaluate(model, x, y, num_classes=10, batch_size=512, tta=False):
    """Evaluates a classifier, or an ensemble, on images and integer labels.

    Args:
        model: a Keras model with softmax outputs, or a sequence of them
            whose probabilities are averaged (an ensemble).
        x: inputs, float32 (N, 28, 28, 1), scaled as in `scale_pixels`.
        y: integer labels (N,).
        num_classes: number of classes. Defaults to 10.
        batch_size: inference batch size. Defaults to 512.
        tta: test-time augmentation (see `predict_probabilities`).

    Returns:
        An `Evaluation`.

    Raises:
        MnistKerasError: if `x` and `y` are empty or differ in length.

    Example:

    ```python
    result = evaluate(model, data.x_test, data.y_test)
    result.accuracy
    # 0.9912
    ```
    """
    y = np.asarray(y).astype(np.int64)
    if len(x) == 0 or len(x) != len(y):
        raise expected("as many labels as images, at least one", images=len(x), labels=len(y))
    probabilities = predict_probabilities(model, x, tta=tta, batch_size=batch_size)
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


def run_metrics(evaluation, model, class_names, dataset, test_indices=None,
                train_seconds=None, epochs_done=0, parent_run=None, sparsity=None,
                best_epoch=None, stopped_early=None, replicas=None):
    """The `RunMetrics` of a model evaluated with `mnist_keras.evaluate`.

    Args:
        evaluation: an `Evaluation`.
        model: the evaluated `keras.Model` (its parameters are counted).
        class_names: one name per class.
        dataset: the dataset's name.
        test_indices: positions of the evaluated images in the full test
            set; mistakes are recorded by them, so a viewer can find them.
        train_seconds: time spent fitting, or None (an upload).
        epochs_done: epochs trained.
        parent_run: the run this one was pruned or fine-tuned from.
        sparsity: a `sparsity_report` dict of a pruned model.
        best_epoch: a `BestEpoch`, or None.
        stopped_early: `"early_stopping"`, `"pruned"` or None.
        replicas: devices trained on data-parallel, or None.

    Returns:
        A `RunMetrics`.
    """
    from mnist_keras.explain.calibration import calibration_from_probabilities
    from mnist_keras.pruning import count_nonzero_params

    positions = evaluation.misclassified
    indices = positions if test_indices is None else np.asarray(test_indices)[positions]
    mistakes = tuple(
        Mistake(index=int(index), label=int(evaluation.labels[pos]),
                predicted=int(evaluation.predictions[pos]),
                confidence=float(evaluation.probabilities[pos].max()))
        for index, pos in zip(indices, positions))
    return RunMetrics(
        test_accuracy=float(evaluation.accuracy),
        test_loss=float(evaluation.loss),
        num_params=int(model.count_params()),
        nonzero_params=count_nonzero_params(model),
        class_names=tuple(str(name) for name in class_names),
        confusion_matrix=tuple(tuple(int(c) for c in row)
                               for row in np.asarray(evaluation.confusion_matrix)),
        per_class=tuple(ClassMetrics(**row) for row in evaluation.per_class),
        misclassified=mistakes,
        dataset=dataset,
        train_seconds=None if train_seconds is None else float(train_seconds),
        epochs_done=int(epochs_done),
        parent_run=parent_run,
        sparsity=None if sparsity is None else SparsityReport.from_dict(sparsity),
        best_epoch=best_epoch if best_epoch is None or isinstance(best_epoch, BestEpoch)
        else BestEpoch.from_dict(best_epoch),
        stopped_early=stopped_early,
        replicas=None if replicas is None else int(replicas),
        calibration=calibration_from_probabilities(evaluation.probabilities,
                                                   evaluation.labels),
    )
