"""Data-parallel training: one copy of the model per device, each batch split between them.

`TrainingConfig(distribute="mirrored")` trains under

- TensorFlow: `tf.distribute.MirroredStrategy` over every GPU, or over every
  logical CPU device where there is no GPU (TensorFlow's own default would
  use a single CPU device then, which mirrors nothing). Variables, the
  optimizer and the input pipeline are created in the strategy's scope;
  Keras splits each batch of the `tf.data` pipeline between the replicas and
  sums their gradients.
- JAX: Keras' distribution API, `keras.distribution.DataParallel` over
  `keras.distribution.list_devices()`: weights replicated, the batch sharded.

`batch_size` stays the global batch (128 over 2 GPUs is 64 on each), so a
config trains the same recipe whatever the machine. With one device the
strategy still works and gains nothing. Every batch is split into equal
shares (TensorFlow's replicas fail on unequal ones, JAX refuses to shard
them), so the batch size and each data set's last, smaller batch must divide
by the device count; `train` checks that before it starts.

Splitting the CPU into logical devices (to try this without GPUs) has to
happen before TensorFlow initialises, so it is the caller's job:

    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
"""

import contextlib
import dataclasses

import keras

from mnist_keras.errors import expected
from mnist_keras.registries import DISTRIBUTIONS


@dataclasses.dataclass
class Placement:
    """Where a training runs: the context to build and compile in, and its device count.

    Attributes:
        scope: a context manager; build, compile and fit the model inside it.
        replicas: how many copies of the model train (1 without distribution).
        devices: the devices' names.
        shards_batches: every batch is split into equal shares, so batch
            sizes must divide by `replicas`.
    """

    scope: contextlib.AbstractContextManager
    replicas: int
    devices: tuple
    shards_batches: bool = False

    def check_split(self, batch_size, **set_sizes):
        """Refuses batches that cannot be split evenly between the devices.

        Args:
            batch_size: the training batch size.
            **set_sizes: `name=(images, batch_size)` for each data set fed
                in batches (training, validation, test).

        Raises:
            MnistKerasError: naming the first batch that does not divide.
        """
        if not self.shards_batches or self.replicas == 1:
            return
        batches = {"batch_size": batch_size}
        for name, (images, size) in set_sizes.items():
            if images % size:
                batches[f"last_{name}_batch"] = images % size
        for name, size in batches.items():
            if size % self.replicas:
                raise expected(
                    f"batches that split evenly over the {self.replicas} devices (data-"
                    "parallel training gives each an equal share): a batch size, and a data "
                    f"size whose last batch, divisible by {self.replicas}", **{name: size})


def placement(distribute="none"):
    """The `Placement` for a `TrainingConfig.distribute` setting.

    Args:
        distribute: a name from `mnist_keras.registries.DISTRIBUTIONS`:
            `"none"` or `"mirrored"`. Defaults to `"none"`.

    Returns:
        A `Placement`.

    Raises:
        MnistKerasError: for an unknown name, or `"mirrored"` under a backend
            without a data-parallel strategy here (PyTorch).

    Example:

    >>> where = placement("none")
    >>> where.replicas
    1
    >>> with where.scope:
    ...     pass
    """
    DISTRIBUTIONS.check(distribute, "distribute")
    if distribute == "none":
        return Placement(contextlib.nullcontext(), 1, ())
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _mirrored_tensorflow()
    if backend == "jax":
        return _data_parallel_jax()
    raise expected("distribute='none' under this Keras backend (mirrored training uses "
                   "TensorFlow's MirroredStrategy or Keras' DataParallel under JAX)",
                   distribute=distribute, backend=backend)


def _mirrored_tensorflow():
    import tensorflow as tf

    devices = [device.name for device in tf.config.list_logical_devices("GPU")]
    if not devices:
        devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(devices=devices)
    return Placement(strategy.scope(), strategy.num_replicas_in_sync, tuple(devices),
                     shards_batches=True)


def _data_parallel_jax():
    devices = keras.distribution.list_devices()
    distribution = keras.distribution.DataParallel(devices=devices)
    return Placement(distribution.scope(), len(devices), tuple(str(d) for d in devices),
                     shards_batches=True)
