"""The parts of a classifier that explanations need: its last conv layer, its
penultimate layer, the model split in two at a layer, and the class score.

Works for Sequential and functional models alike (trained here, uploaded or
pruned): a Sequential model is a chain, so its second half is its remaining
layers applied in order; a functional model's second half is a new
`keras.Model` from the layer's output to the model's output, which Keras 3
builds from the existing graph.
"""

import threading
import weakref

import keras
import numpy as np

from mnist_keras.errors import expected

# Layers that keep the image's spatial layout and change each value alone:
# Grad-CAM reads the conv layer's output after them (normalised and
# activated), as the original paper takes the rectified feature maps.
_ELEMENTWISE = (keras.layers.BatchNormalization, keras.layers.Activation, keras.layers.ReLU,
                keras.layers.LeakyReLU, keras.layers.ELU, keras.layers.PReLU,
                keras.layers.LayerNormalization)
_CONV = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)


# Sub-models built from a model, kept while the model lives: building a
# keras.Model costs milliseconds, a saliency map for a drawing should not pay
# it every time. Keyed weakly, so a model that is dropped takes its parts along.
_parts = weakref.WeakKeyDictionary()
_parts_lock = threading.RLock()  # a part may be built from other parts


def _cached(model, key, build):
    with _parts_lock:
        parts = _parts.setdefault(model, {})
        if key not in parts:
            parts[key] = build()
        return parts[key]


def _layers(model):
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def last_conv_layer(model):
    """The layer whose output Grad-CAM weighs: the last conv layer, after the
    normalisation and activation layers that directly follow it.

    Args:
        model: a Keras model.

    Returns:
        The `keras.layers.Layer`.

    Raises:
        MnistKerasError: for a model without a 2-D conv layer, naming the
            gradient methods that work on any model.
    """
    layers = _layers(model)
    positions = [i for i, layer in enumerate(layers) if isinstance(layer, _CONV)]
    if not positions:
        raise expected("a model with a Conv2D layer for Grad-CAM (or a gradient method: "
                       "integrated_gradients or smoothgrad, which work on any model)",
                       model=model.name)
    position = positions[-1]
    shape = tuple(layers[position].output.shape)
    while (position + 1 < len(layers) and isinstance(layers[position + 1], _ELEMENTWISE)
           and tuple(layers[position + 1].output.shape) == shape):
        position += 1
    return layers[position]


def split_at(model, layer):
    """The model as two functions: images -> `layer`'s output -> the model's output.

    Args:
        model: a Keras model (Sequential or functional).
        layer: one of its layers.

    Returns:
        `(body, head)`: callables on tensors (inference mode), with
        `head(body(x))` equal to `model(x)`.
    """
    return _cached(model, ("split", layer.name), lambda: _split(model, layer))


def _split(model, layer):
    body_model = keras.Model(model.inputs[0], layer.output)
    if isinstance(model, keras.Sequential):
        following = _layers(model)[_layers(model).index(layer) + 1:]

        def head(x):
            for later in following:
                x = later(x, training=False)
            return x
    else:
        head_model = keras.Model(layer.output, model.outputs[0])

        def head(x):
            return head_model(x, training=False)
    return (lambda x: body_model(x, training=False)), head


def penultimate_layer(model):
    """The layer whose output feeds the model's last Dense layer: the features
    the classifier separates linearly (128 of them in the default CNN).

    Dropout, which is the identity at inference, is skipped, so the features
    are those of the layer before it.
    """
    layers = _layers(model)
    dense = [i for i, layer in enumerate(layers) if isinstance(layer, keras.layers.Dense)]
    if not dense or dense[-1] == 0:
        raise expected("a model whose last Dense layer has a layer before it",
                       model=model.name)
    position = dense[-1] - 1
    while position > 0 and isinstance(layers[position], keras.layers.Dropout):
        position -= 1
    return layers[position]


def feature_model(model):
    """A `keras.Model` from images to the penultimate layer's activations (flattened);
    built once per model."""
    return _cached(model, "features", lambda: _feature_model(model))


def _feature_model(model):
    layer = penultimate_layer(model)
    outputs = layer.output
    if len(outputs.shape) > 2:
        outputs = keras.layers.Flatten()(outputs)
    return keras.Model(model.inputs[0], outputs)


def _is_softmax(activation):
    return getattr(activation, "__name__", None) == "softmax"


def logits_model(model):
    """The model without its final softmax: class scores before normalisation.

    Saliency follows these (as Grad-CAM and gradient maps are defined): a
    softmax probability saturates near 1, and its log weighs one class
    against the others, which can leave no pixel speaking *for* the class.
    Built once per model: a copy whose last Dense layer is linear, with the
    same weights; or the model up to its last layer when that is a softmax
    activation layer.

    Returns:
        A `keras.Model`, or None when the model does not end in a softmax
        (its outputs are then used as they are).
    """
    return _cached(model, "logits", lambda: _logits_model(model))


def _logits_model(model):
    last = _layers(model)[-1]
    if isinstance(last, keras.layers.Dense) and _is_softmax(last.activation):
        def linear_last(layer):
            config = layer.get_config()
            if layer is last:
                config["activation"] = "linear"
            return layer.__class__.from_config(config)

        copy = keras.models.clone_model(model, clone_function=linear_last)
        copy.set_weights(model.get_weights())
        return copy
    if isinstance(last, keras.layers.Softmax) or (isinstance(last, keras.layers.Activation)
                                                  and _is_softmax(last.activation)):
        before = _layers(model)[-2]
        return keras.Model(model.inputs[0], before.output)
    return None


def pick(scores, classes):
    """scores[i, classes[i]] per sample, with `keras.ops`."""
    if isinstance(classes, (list, tuple, np.ndarray)):
        classes = np.asarray(classes, np.int32)
    classes = keras.ops.reshape(keras.ops.cast(classes, "int32"), (-1, 1))
    return keras.ops.take_along_axis(scores, classes, axis=1)[:, 0]


def log_scores(probabilities, classes):
    """log p(class) per sample, from softmax outputs: the score explanations follow.

    The log keeps gradients alive where a confident softmax saturates, and
    it weighs evidence for the class against the others.
    """
    return keras.ops.log(keras.ops.maximum(pick(probabilities, classes), 1e-12))


def score_gradients(model):
    """The compiled gradient of log p(class) with respect to the input, built once per model.

    Returns:
        `step(images, classes) -> (scores, grads)`, NumPy in and out.
    """
    from mnist_keras.explain.gradients import compile_gradients

    return _cached(model, "score-gradients", lambda: compile_gradients(
        lambda x, classes: log_scores(model(x, training=False), classes)))


def logit_gradients(model):
    """The compiled gradient of the class's logit (see `logits_model`) with respect
    to the input, built once per model: `step(images, classes) -> (scores, grads)`."""
    from mnist_keras.explain.gradients import compile_gradients

    def build():
        logits = logits_model(model)
        if logits is None:
            return score_gradients(model)
        return compile_gradients(lambda x, classes: pick(logits(x, training=False), classes))

    return _cached(model, "logit-gradients", build)


def head_logit_gradients(model, layer_name):
    """The compiled gradient of the class's logit with respect to a layer's output.

    Returns:
        `(body, step)`: `body(images)` gives the layer's output and
        `step(activations, classes) -> (scores, grads)`.
    """
    from mnist_keras.explain.gradients import compile_gradients

    def build():
        logits = logits_model(model)
        source = model if logits is None else logits
        body, head = split_at(source, source.get_layer(layer_name))
        score = log_scores if logits is None else pick
        return body, compile_gradients(lambda a, classes: score(head(a), classes))

    return _cached(model, ("head-gradients", layer_name), build)


def as_batch(image):
    """One 28x28 (or 28x28x1) input as a float32 batch (1, 28, 28, 1), checked."""
    array = np.asarray(image, np.float32)
    if array.size != 28 * 28 or not np.all(np.isfinite(array)):
        raise expected("one 28x28 input with finite values (see preprocess_drawing)",
                       shape=tuple(array.shape))
    return array.reshape(1, 28, 28, 1)


def predict_one(model, batch):
    """Softmax outputs of `model` for a batch, as float64 NumPy."""
    return np.asarray(model.predict_on_batch(batch), np.float64)
