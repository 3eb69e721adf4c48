"""Calibration: does "90% sure" mean right 9 times in 10?

A reliability curve bins the test predictions by their confidence (the top
probability) and compares each bin's mean confidence with its accuracy; the
expected calibration error (ECE, Guo et al., 2017) is the gap averaged over
the bins, weighted by how many predictions fall in each. scikit-learn's
`calibration_curve` computes the curve, on the binary question "was the top
class right?"; the bin counts, which it does not return, weigh the ECE.
"""

import numpy as np

from mnist_keras.errors import expected
from mnist_keras.runs.metrics_file import Calibration

MIN_BINS, MAX_BINS = 2, 100


def calibration(model, x, y, bins=15, batch_size=512):
    """The reliability curve and ECE of a classifier on images and labels.

    Args:
        model: a Keras classifier with softmax outputs.
        x: inputs (N, 28, 28, 1), scaled as in `scale_pixels`.
        y: integer labels (N,).
        bins: equal-width confidence bins, 2-100. Defaults to 15.
        batch_size: inference batch size.

    Returns:
        A `Calibration`.

    Raises:
        MnistKerasError: for mismatched or empty inputs, or a bad bin count.

    Example:

    ```python
    report = calibration(model, data.x_test, data.y_test)
    round(report.ece, 3)
    # 0.012
    ```
    """
    y = np.asarray(y)
    if len(x) == 0 or len(x) != len(y):
        raise expected("as many labels as images, at least one", images=len(x), labels=len(y))
    _check_bins(bins)
    probabilities = np.asarray(model.predict(np.asarray(x, np.float32), batch_size=batch_size,
                                             verbose=0))
    return calibration_from_probabilities(probabilities, y, bins)


def calibration_from_probabilities(probabilities, labels, bins=15):
    """`calibration` from softmax outputs already computed (N, classes) and labels (N,).

    >>> report = calibration_from_probabilities([[0.9, 0.1], [0.95, 0.05], [0.4, 0.6]],
    ...                                         [0, 1, 1], bins=5)
    >>> report.accuracy, report.counts, round(report.ece, 3)
    ((1.0, 0.5), (1, 2), 0.417)
    """
    from sklearn.calibration import calibration_curve

    _check_bins(bins)
    probabilities = np.asarray(probabilities, np.float64)
    labels = np.asarray(labels).astype(np.int64)
    if probabilities.ndim != 2 or len(probabilities) != len(labels) or not len(labels):
        raise expected("(N, classes) probabilities and N labels, N >= 1",
                       probabilities=probabilities.shape, labels=labels.shape)
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == labels).astype(np.int64)
    # scikit-learn needs both outcomes present; a perfect (or hopeless) model has one.
    if 0 < correct.sum() < len(correct):
        accuracy, mean_confidence = calibration_curve(correct, confidence, n_bins=bins,
                                                      strategy="uniform")
    else:
        accuracy = mean_confidence = None
    # The same equal-width bins as calibration_curve: [0, 1/bins), ..., [.., 1].
    which = np.clip(np.searchsorted(np.linspace(0, 1, bins + 1)[1:-1], confidence,
                                    side="left"), 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    kept = counts > 0
    if accuracy is None:
        accuracy = (np.bincount(which, weights=correct, minlength=bins)[kept] / counts[kept])
        mean_confidence = (np.bincount(which, weights=confidence, minlength=bins)[kept]
                           / counts[kept])
    weights = counts[kept] / len(labels)
    ece = float(np.sum(weights * np.abs(accuracy - mean_confidence)))
    return Calibration(confidence=tuple(float(v) for v in mean_confidence),
                       accuracy=tuple(float(v) for v in accuracy),
                       counts=tuple(int(v) for v in counts[kept]), ece=ece, bins=int(bins),
                       overconfident=bool(confidence.mean() > correct.mean()))


def _check_bins(bins):
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) \
            or not MIN_BINS <= bins <= MAX_BINS:
        raise expected(f"bins in [{MIN_BINS}, {MAX_BINS}]", bins=bins)
