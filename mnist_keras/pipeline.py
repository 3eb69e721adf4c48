"""Feeding `model.fit` faster than plain Keras does, with the same numbers.

Two things cost a plain `model.fit(x, y)` on a small model, measured with
`benchmarks/train_speed.py`: a Python round trip per step, and slicing NumPy
arrays into batches on the training thread. So:

- `steps_per_execution`: several optimizer steps per call into the compiled
  training function. Keras then calls batch callbacks once per call, so the
  number is chosen from the model's cost per step to keep live records coming
  at least twice a second (`steps_per_execution_for`).
- Under TensorFlow, the arrays become a `tf.data` pipeline once (each epoch
  a stateless shuffle of the run's seed and the epoch, batched, gathered and
  prefetched on other threads); other backends get the arrays, as before.
  This is the one TensorFlow-specific piece of training.
- Integer labels and a sparse cross-entropy where no label smoothing needs
  one-hot targets: a tenth of the label bytes per batch.
"""

import keras
import numpy as np

# The arithmetic this CPU sustains while training (floating-point operations per
# second, measured on the default CNN here) and the longest wait between live
# records; steps_per_execution keeps (steps x cost) under it.
ASSUMED_FLOPS_PER_SECOND = 2e10
MAX_SECONDS_BETWEEN_RECORDS = 0.5
MAX_STEPS_PER_EXECUTION = 16


def training_flops(model):
    """Floating-point operations to train on one image (forward and backward, about 3x)."""
    from mnist_keras.inspection import layer_summary

    return 3 * sum(row["flops"] for row in layer_summary(model))


def steps_per_execution_for(model, batch_size):
    """How many steps to run per call so that a call takes at most half a second.

    Args:
        model: the model to train.
        batch_size: images per step.

    Returns:
        An integer in [1, 16].

    Example:

    >>> from mnist_keras.models import build_model
    >>> steps_per_execution_for(build_model("cnn"), 128)
    4
    """
    try:
        step_seconds = training_flops(model) * batch_size / ASSUMED_FLOPS_PER_SECOND
    except (AttributeError, ValueError):
        # A subclassed model's layers have no symbolic outputs to count the
        # work of: one step per call keeps the live records on time.
        return 1
    steps = int(MAX_SECONDS_BETWEEN_RECORDS / max(step_seconds, 1e-9))
    return max(1, min(MAX_STEPS_PER_EXECUTION, steps))


def training_data(x, labels, batch_size, seed, num_classes, sparse):
    """What to pass to `model.fit` for training: `(inputs, fit_keyword_arguments, callbacks)`.

    Under TensorFlow each epoch's order is a stateless shuffle of `(seed,
    epoch)`: it depends on nothing but the two numbers, so a resumed training
    sees, from the epoch it resumes at, the orders the same training would have
    seen uninterrupted. (A seeded `shuffle` draws each epoch's order from a
    state that Keras' copy of the dataset starts afresh.) The returned
    callback tells the pipeline which epoch begins; Keras reads one epoch of
    batches from a fresh iterator each epoch.

    Args:
        x: images (N, 28, 28, 1) float32.
        labels: integer labels (N,).
        batch_size: images per step.
        seed: the shuffling seed.
        num_classes: number of classes (for one-hot targets).
        sparse: integer targets (sparse cross-entropy) rather than one-hot.

    Returns:
        `(data, kwargs, callbacks)`: a `tf.data.Dataset` under TensorFlow, else
        the arrays and `{"y", "batch_size"}`; kwargs go to `fit` too, and the
        callbacks with the others.
    """
    targets = np.asarray(labels, np.int32) if sparse else keras.utils.to_categorical(
        labels, num_classes).astype(np.float32)
    if keras.backend.backend() != "tensorflow":
        return x, {"y": targets, "batch_size": batch_size, "shuffle": True}, []
    import tensorflow as tf

    images, answers, count = tf.constant(x), tf.constant(targets), len(x)
    shuffle_seed = tf.constant(seed, tf.int64)
    epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_epoch")

    def this_epochs_order(_):
        # Read when Keras makes the epoch's iterator, after on_epoch_begin.
        order = tf.random.experimental.stateless_shuffle(
            tf.range(count, dtype=tf.int64), seed=tf.stack([shuffle_seed, epoch.read_value()]))
        return tf.data.Dataset.from_tensor_slices(order)

    dataset = (tf.data.Dataset.from_tensors(0).flat_map(this_epochs_order)
               .batch(batch_size)
               # Known, so Keras knows an epoch's steps (progress, records).
               .apply(tf.data.experimental.assert_cardinality(-(-count // batch_size)))
               # One gather per batch, in order, on tf.data's threads.
               .map(lambda batch: (tf.gather(images, batch), tf.gather(answers, batch)),
                    num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
               .prefetch(tf.data.AUTOTUNE))

    class EpochOrder(keras.callbacks.Callback):
        def on_epoch_begin(self, index, logs=None):
            epoch.assign(index)

    # shuffle=False: the pipeline shuffles; Keras would only warn that it cannot.
    return dataset, {"shuffle": False}, [EpochOrder()]


def targets(labels, num_classes, sparse):
    """Validation targets in the same form as the training ones."""
    if sparse:
        return np.asarray(labels, np.int32)
    return keras.utils.to_categorical(labels, num_classes).astype(np.float32)
