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

    from mnist_keras.runs import Mistake, run_metrics

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
