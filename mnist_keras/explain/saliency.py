"""Saliency maps: which pixels of a 28x28 input a prediction rests on.

Three methods (`SALIENCY_METHODS`), all on one class's score before the
softmax (its logit; see `model_parts.logits_model`):

- Grad-CAM (Selvaraju et al., 2017): the last conv layer's feature maps,
  each weighted by the mean gradient of the score with respect to it, summed,
  rectified and resized to 28x28. Coarse (the conv layer's grid) but cheap:
  one gradient.
- Integrated gradients (Sundararajan et al., 2017): the gradient averaged
  along the straight path from a black image to the input, times the input.
  Only inked pixels can score, and the scores add up to the change in score.
- SmoothGrad (Smilkov et al., 2017): the gradient averaged over copies of the
  input with Gaussian noise added, times the input (the paper's "SmoothGrad
  on gradient x input"); any model. The plain gradient's magnitude was tried
  first: on a small CNN it is a template spread over the whole image (it
  says where *adding* ink would change the score), only 1.2x denser near the
  ink than away from it, so the map would not show what the drawing used.

Each map is scaled to [0, 1] by its largest value (all zeros when nothing
speaks for the class).
"""

import keras
import numpy as np

from mnist_keras.errors import expected
from mnist_keras.explain.model_parts import (
    as_batch,
    head_logit_gradients,
    last_conv_layer,
    logit_gradients,
    predict_one,
)
from mnist_keras.registries import SALIENCY_METHODS

# Integrated gradients: points on the path from black (one batched gradient).
IG_STEPS = 32
# SmoothGrad: noisy copies, and the noise's standard deviation (inputs are in [0, 1]).
SMOOTHGRAD_SAMPLES = 32
SMOOTHGRAD_NOISE = 0.15
MAX_STEPS = 256


def saliency(model, image, method="gradcam", class_index=None, steps=None, seed=0):
    """A saliency map of one prediction over its 28x28 input.

    Args:
        model: a Keras classifier on (N, 28, 28, 1) inputs with softmax outputs.
        image: the (28, 28) or (28, 28, 1) input, scaled to [0, 1]
            (`preprocess_drawing`, `scale_pixels`).
        method: one of `SALIENCY_METHODS`: `"gradcam"` (default),
            `"integrated_gradients"` or `"smoothgrad"`.
        class_index: the class to explain; defaults to the predicted one.
        steps: path points (integrated gradients, default 32) or noisy
            copies (SmoothGrad, default 32), at most 256; ignored by Grad-CAM.
        seed: SmoothGrad's noise seed. Defaults to 0.

    Returns:
        A float32 (28, 28) array in [0, 1]: 1 where the evidence for the
        class is strongest, 0 where there is none (or evidence against it).

    Raises:
        MnistKerasError: for an unknown method, a bad input or class, or
            Grad-CAM on a model without a conv layer.

    Example:

    ```python
    heat = saliency(model, x, method="gradcam")
    heat.shape, float(heat.max())
    # ((28, 28), 1.0)
    ```
    """
    SALIENCY_METHODS.check(method)
    batch = as_batch(image)
    num_classes = int(model.outputs[0].shape[-1])
    if class_index is None:
        class_index = int(np.argmax(predict_one(model, batch)[0]))
    elif (not isinstance(class_index, (int, np.integer)) or isinstance(class_index, bool)
          or not 0 <= class_index < num_classes):
        raise expected(f"a class_index in [0, {num_classes - 1}]", class_index=class_index)
    if steps is not None and (not isinstance(steps, (int, np.integer))
                              or not 1 <= steps <= MAX_STEPS):
        raise expected(f"steps in [1, {MAX_STEPS}]", steps=steps)
    if method == "gradcam":
        heat = _gradcam(model, batch, int(class_index))
    elif method == "integrated_gradients":
        heat = _integrated_gradients(model, batch, int(class_index), steps or IG_STEPS)
    else:
        heat = _smoothgrad(model, batch, int(class_index), steps or SMOOTHGRAD_SAMPLES, seed)
    return _unit(heat)


def gradcam_layer(model):
    """The name of the layer Grad-CAM reads (see `last_conv_layer`); raises without one."""
    return last_conv_layer(model).name


def _unit(heat):
    heat = np.maximum(np.nan_to_num(np.asarray(heat, np.float64)), 0.0)
    top = heat.max()
    return (heat / top if top > 0 else heat).astype(np.float32)


def _gradcam(model, batch, class_index):
    body, step = head_logit_gradients(model, last_conv_layer(model).name)
    maps = np.asarray(body(batch))  # (1, h, w, k)
    _, grads = step(maps, np.array([class_index], np.int32))
    weights = grads.mean(axis=(1, 2), keepdims=True)  # one weight per channel
    cam = np.maximum((weights * maps).sum(axis=-1), 0.0)[0]  # (h, w)
    if cam.shape != (28, 28):
        # Bilinear, as the paper upsamples the coarse map to the input.
        resized = keras.ops.image.resize(cam[np.newaxis, :, :, np.newaxis].astype(np.float32),
                                         (28, 28), interpolation="bilinear")
        cam = np.asarray(resized)[0, :, :, 0]
    return cam


def _integrated_gradients(model, batch, class_index, steps):
    # Midpoints of `steps` equal segments from black (MNIST's background) to the input.
    alphas = ((np.arange(steps, dtype=np.float32) + 0.5) / steps).reshape(-1, 1, 1, 1)
    path = alphas * batch
    _, grads = logit_gradients(model)(path, np.full(steps, class_index, np.int32))
    return (batch[0] * grads.mean(axis=0))[:, :, 0]


def _smoothgrad(model, batch, class_index, samples, seed):
    rng = np.random.default_rng(seed)
    noisy = batch + rng.normal(0.0, SMOOTHGRAD_NOISE, size=(samples, 28, 28, 1))
    _, grads = logit_gradients(model)(noisy.astype(np.float32),
                                      np.full(samples, class_index, np.int32))
    return (batch[0] * grads.mean(axis=0))[:, :, 0]
