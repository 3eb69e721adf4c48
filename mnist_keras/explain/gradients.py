"""Input gradients on any Keras backend: the one thing `keras.ops` does not offer.

Keras 3 has no backend-neutral `gradient` function, so each backend's own
automatic differentiation does it here: TensorFlow's `GradientTape` (inside a
`tf.function`), `jax.grad` (jitted), and torch's autograd. Everything else in
`mnist_keras.explain` is written with `keras.ops` and calls these for the
derivative.
"""

import keras
import numpy as np


def gradients(function, inputs, *args):
    """The values of `function` on `inputs` and the gradient of their sum.

    Args:
        function: `function(x, *args)` maps a batch tensor to one score per
            sample, (N,), using `keras.ops` (and Keras models called with
            `training=False`).
        inputs: a float32 array, e.g. (N, 28, 28, 1) images.
        *args: further arrays passed to `function` (class indices...), not
            differentiated.

    Returns:
        `(values, grads)`: NumPy arrays of shape (N,) and `inputs.shape`.
        Samples do not mix, so row i of `grads` is d values[i] / d inputs[i].

    Example:

    >>> values, grads = gradients(lambda x: keras.ops.sum(x * x, axis=1),
    ...                           np.array([[1.0, 2.0]], np.float32))
    >>> values.tolist(), grads.tolist()
    ([5.0], [[2.0, 4.0]])
    """
    return compile_gradients(function, eager=True)(inputs, *args)


def compile_gradients(function, eager=False):
    """`gradients` for one `function`, compiled once and called many times.

    The compiled step costs a trace on its first call and a few milliseconds
    after that (an eager TensorFlow gradient of the default CNN costs about 25).

    Args:
        function: as in `gradients`; class indices and the like must come in
            through `*args` (not closures), so one trace serves them all.
        eager: skip compiling (for one-off calls).

    Returns:
        `step(inputs, *args) -> (values, grads)`, NumPy in and out.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        step = _tensorflow(function, eager)
    elif backend == "jax":
        step = _jax(function, eager)
    elif backend == "torch":
        step = _torch(function)
    else:
        raise NotImplementedError(f"Expected the tensorflow, jax or torch backend for "
                                  f"gradients. Received: backend={backend!r}")

    def run(inputs, *args):
        values, grads = step(np.asarray(inputs, np.float32), *(np.asarray(a) for a in args))
        return np.asarray(values), np.asarray(grads)

    return run


def _tensorflow(function, eager):
    import tensorflow as tf

    def step(x, *args):
        with tf.GradientTape() as tape:
            tape.watch(x)
            values = function(x, *args)
            total = tf.reduce_sum(values)
        return values, tape.gradient(total, x)

    if eager:
        return lambda x, *args: step(tf.convert_to_tensor(x), *args)
    # Shapes vary (one drawing, 32 path points, a grid of attacks): relax them.
    compiled = tf.function(step, reduce_retracing=True)
    return lambda x, *args: compiled(tf.convert_to_tensor(x),
                                     *(tf.convert_to_tensor(a) for a in args))


def _jax(function, eager):
    import jax
    import jax.numpy as jnp

    def total(x, *args):
        values = function(x, *args)
        return jnp.sum(values), values

    grad = jax.grad(total, has_aux=True)
    if not eager:
        grad = jax.jit(grad)

    def step(x, *args):
        grads, values = grad(jnp.asarray(x), *(jnp.asarray(a) for a in args))
        return values, grads

    return step


def _torch(function):
    import torch

    def step(x, *args):
        x = torch.tensor(x, requires_grad=True)
        values = function(x, *(torch.as_tensor(a) for a in args))
        values.sum().backward()
        return values.detach().cpu().numpy(), x.grad.detach().cpu().numpy()

    return step
