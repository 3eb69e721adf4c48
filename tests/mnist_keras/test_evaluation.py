import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.evaluation import evaluate


class FixedModel:
    """Stands in for a Keras model: returns preset probabilities."""

    def __init__(self, probabilities):
        self.probabilities = np.asarray(probabilities, dtype=np.float32)

    def predict(self, x, batch_size=None, verbose=0):
        return self.probabilities[: len(x)]


def test_metrics_match_hand_computed_values():
    # Labels 0,0,1,2; predictions 0,1,1,2 -> one mistake (position 1).
    probs = [[0.9, 0.05, 0.05], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]
    result = evaluate(FixedModel(probs), np.zeros((4, 28, 28, 1)), [0, 0, 1, 2], num_classes=3)
    assert result.accuracy == 0.75
    assert result.loss == pytest.approx(-np.mean(np.log([0.9, 0.3, 0.8, 0.6])), rel=1e-6)
    np.testing.assert_array_equal(result.confusion_matrix, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert result.per_class[0] == {"label": 0, "precision": 1.0, "recall": 0.5,
                                   "f1": pytest.approx(2 / 3), "support": 2}
    assert result.per_class[1]["precision"] == 0.5
    np.testing.assert_array_equal(result.misclassified, [1])
    np.testing.assert_array_equal(result.predictions, [0, 1, 1, 2])


def test_run_metrics_report_mistakes_by_test_set_index():
    import keras

    from mnist_keras.evaluation import run_metrics
    from mnist_keras.runs import Mistake

    probs = [[0.9, 0.1], [0.7, 0.3]]
    result = evaluate(FixedModel(probs), np.zeros((2, 28, 28, 1)), [0, 1], num_classes=2)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.layers[0].kernel.assign(np.zeros((3, 2)))
    metrics = run_metrics(result, model, ["cat", "dog"], "pets", test_indices=[100, 205],
                          train_seconds=1.5, epochs_done=2)
    assert metrics.misclassified == (Mistake(205, 1, 0, pytest.approx(0.7)),)
    assert metrics.confusion_matrix == ((1, 0), (1, 0)) and metrics.test_size == 2
    assert (metrics.num_params, metrics.nonzero_params) == (8, 0)  # zero kernel and biases
    assert metrics.class_names == ("cat", "dog") and metrics.dataset == "pets"
    assert run_metrics(result, model, ["cat", "dog"], "pets").misclassified[0].index == 1


def test_empty_or_mismatched_inputs_are_reported():
    with pytest.raises(MnistKerasError, match="as many labels as images"):
        evaluate(FixedModel([[1.0]]), np.zeros((2, 28, 28, 1)), [0])
    with pytest.raises(MnistKerasError):
        evaluate(FixedModel([[1.0]]), np.zeros((0, 28, 28, 1)), [])


class ShiftSensitiveModel:
    """Probability of class 0 = ink in the top-left pixel (so shifts change it)."""

    def predict(self, x, batch_size=None, verbose=0):
        corner = np.clip(x[:, 0, 0, 0], 0, 1)
        return np.stack([corner, 1 - corner], axis=1)


def test_shift_images_moves_pixels_and_fills_with_zeros():
    from mnist_keras.evaluation import shift_images

    image = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1) + 1
    down = shift_images(image, 1, 0)[0, :, :, 0]
    np.testing.assert_array_equal(down, [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    left = shift_images(image, 0, -1)[0, :, :, 0]
    np.testing.assert_array_equal(left, [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
    np.testing.assert_array_equal(shift_images(image, 0, 0), image)


def test_an_ensemble_averages_its_members_probabilities():
    from mnist_keras.evaluation import predict_probabilities

    first = FixedModel([[0.9, 0.1], [0.2, 0.8]])
    second = FixedModel([[0.3, 0.7], [0.4, 0.6]])
    x = np.zeros((2, 28, 28, 1), np.float32)
    np.testing.assert_allclose(predict_probabilities([first, second], x),
                               [[0.6, 0.4], [0.3, 0.7]], rtol=1e-6)
    result = evaluate([first, second], x, [0, 1], num_classes=2)
    np.testing.assert_array_equal(result.predictions, [0, 1])
    with pytest.raises(MnistKerasError, match="at least one model"):
        predict_probabilities([], x)
    with pytest.raises(MnistKerasError, match="same classes"):
        predict_probabilities([first, FixedModel([[1, 0, 0], [1, 0, 0]])], x)


def test_tta_averages_over_the_one_pixel_shifts():
    from mnist_keras.evaluation import TTA_SHIFTS, predict_probabilities

    x = np.zeros((1, 28, 28, 1), np.float32)
    x[0, 0, 1, 0] = 1.0  # ink next to the corner: only the shift one pixel left puts it there
    assert predict_probabilities(ShiftSensitiveModel(), x)[0, 0] == 0.0
    averaged = predict_probabilities(ShiftSensitiveModel(), x, tta=True)
    assert (0, -1) in TTA_SHIFTS
    assert averaged[0, 0] == pytest.approx(1 / len(TTA_SHIFTS))
