import keras
import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.prediction import predict_digits, predict_inputs
from mnist_keras.preprocessing import preprocess_drawing


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")])


def _bar(row):
    image = np.zeros((100, 100), np.uint8)
    image[row:row + 40, 45:55] = 255
    return image


def test_predictions_match_the_model_on_preprocessed_inputs(model):
    drawings = [_bar(10), _bar(50)]
    results = predict_digits(model, drawings)
    expected = np.asarray(model(np.stack([preprocess_drawing(d) for d in drawings])[..., None]))
    for result, row in zip(results, expected):
        np.testing.assert_allclose(result.probabilities, row, atol=1e-6)
        assert result.label == int(row.argmax()) and result.error is None
        assert result.confidence == pytest.approx(row.max())
        assert result.image.shape == (28, 28)


def test_empty_drawings_get_a_message_and_keep_their_place(model):
    results = predict_digits(model, [np.zeros((50, 50)), _bar(20), np.full((9, 9), 255, np.uint8)])
    assert [r.label is None for r in results] == [True, False, True]
    assert results[0].error.startswith("not a digit: ") and results[0].probabilities is None
    assert results[1].error is None and 0 <= results[1].label <= 9


def test_all_empty_calls_no_model(model):
    assert predict_digits(model, [np.zeros((5, 5))])[0].label is None
    assert predict_digits(model, []) == []


def test_non_images_are_refused(model):
    with pytest.raises(MnistKerasError):
        predict_digits(model, [np.zeros((3, 3, 7))])


def test_predict_inputs_skips_preprocessing_and_agrees_with_predict_digits(model):
    canvas = np.zeros((280, 280), np.uint8)
    canvas[60:220, 130:150] = 255
    x = preprocess_drawing(canvas)
    (direct,) = predict_inputs(model, [x])
    (drawn,) = predict_digits(model, [canvas])
    assert direct.image is x and direct.label == drawn.label
    np.testing.assert_allclose(direct.probabilities, drawn.probabilities, atol=1e-6)
    assert predict_inputs(model, []) == []


@pytest.mark.parametrize("probabilities, unsure, runner_up", [
    ([0.02, 0.9, 0.08], False, 2),   # sure
    ([0.1, 0.45, 0.45], True, 2),   # a tie: unsure, the other is the runner-up
    ([0.35, 0.55, 0.1], True, 0),   # a runner-up within 0.25
    ([0.2, 0.45, 0.35], True, 2),   # a low top probability
])
def test_unsure_predictions_name_the_runner_up(probabilities, unsure, runner_up):
    from mnist_keras.prediction import Prediction, is_unsure

    prediction = Prediction(label=int(np.argmax(probabilities)),
                            probabilities=np.asarray(probabilities))
    assert prediction.unsure is unsure and is_unsure(probabilities) is unsure
    assert prediction.runner_up == runner_up != prediction.label
    assert Prediction(error="not a digit").unsure is False
