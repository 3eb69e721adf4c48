"""Deterministic ops for one training: `deterministic_ops(True)` while a block runs.

TensorFlow runs some ops (reductions across threads, tf.data's parallel
stages) in an order that varies from run to run, so two trainings with the
same seed drift apart in the last bits of their weights. Its op determinism
fixes that order. It is a switch for the whole process, so it is turned back
to what it was when the training ends (a notebook or a dashboard job trains
more than once).
"""

import contextlib


def op_determinism_enabled():
    """Whether the backend's deterministic ops are on in this process (TensorFlow only)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return False
    # The query and the switch back have no public name in TensorFlow 2.19.
    from tensorflow.python.framework import config as tf_config

    return bool(tf_config.is_op_determinism_enabled())


@contextlib.contextmanager
def deterministic_ops(enabled=True):
    """Turns on deterministic ops while the block runs, then back to what they were.

    Other backends are left alone: JAX on a CPU computes in a fixed order
    already, and the seed fixes everything random.

    Args:
        enabled: False leaves everything as it is.
    """
    import keras

    if not enabled or keras.backend.backend() != "tensorflow":
        yield
        return
    import tensorflow as tf
    from tensorflow.python.framework import config as tf_config

    was_on = tf_config.is_op_determinism_enabled()
    tf.config.experimental.enable_op_determinism()
    try:
        yield
    finally:
        if not was_on:
            tf_config.disable_op_determinism()
