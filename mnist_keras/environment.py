"""What a training runs on, read from this process: `current_environment`.

The versions, the backend and its devices, the processor and the instruction
sets its kernels can use, the source checkout, and a checksum of the data a
run trains on: what two runs must share to give the same weights. Reading it
costs about 50 ms for 60,000 images (hashing) and one `git` call.
"""

import hashlib
import os
import platform
import subprocess
import time

from mnist_keras.runs.environment_file import RunEnvironment

# Instruction sets TensorFlow's and XLA's CPU kernels use when a processor
# has them (the names /proc/cpuinfo gives them).
KERNEL_FEATURES = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
                   "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8")
_SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data_checksum(*arrays):
    """SHA-256 of arrays' shapes, types and bytes, in order (the data a run used).

    >>> import numpy as np
    >>> data_checksum(np.zeros(3, np.uint8)) == data_checksum(np.zeros(3, np.uint8))
    True
    >>> data_checksum(np.zeros(3, np.uint8)) == data_checksum(np.zeros(3, np.float32))
    False
    >>> len(data_checksum(np.zeros((0, 28, 28, 1), np.float32)))
    64
    """
    import numpy as np

    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        if array.size:  # (an empty array has no bytes, and no byte view)
            digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _cpu():
    # The model name and flags Linux reports; elsewhere, what platform knows.
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as file:
            text = file.read(200_000)
    except OSError:
        return platform.processor() or None, ()
    name = flags = None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and name is None:
            name = value.strip()
        elif key == "flags" and flags is None:
            flags = set(value.split())
    return name or platform.processor() or None, tuple(
        feature for feature in KERNEL_FEATURES if feature in (flags or ()))


def _source():
    # The commit of a checkout this package runs from; nothing for an install.
    if not os.path.isdir(os.path.join(_SOURCE, ".git")):
        return None, None
    try:
        commit = subprocess.run(["git", "-C", _SOURCE, "rev-parse", "HEAD"],
                                capture_output=True, text=True, timeout=10)
        changed = subprocess.run(["git", "-C", _SOURCE, "status", "--porcelain",
                                  "--untracked-files=no"],
                                 capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None, None
    if commit.returncode:
        return None, None
    return commit.stdout.strip(), bool(changed.stdout.strip()) if not changed.returncode \
        else None


def _backend():
    import keras

    backend = keras.backend.backend()
    version, gpus = None, ()
    if backend == "tensorflow":
        import tensorflow as tf

        version = tf.__version__
        gpus = tuple(tf.config.experimental.get_device_details(device).get(
            "device_name", device.name) for device in tf.config.list_physical_devices("GPU"))
    elif backend == "jax":
        import jax

        version = jax.__version__
        gpus = tuple(device.device_kind for device in jax.devices() if device.platform == "gpu")
    return keras.__version__, backend, version, gpus


def current_environment(seed=None, deterministic=False, data=None):
    """This process's `RunEnvironment`.

    Args:
        seed: the run's seed.
        deterministic: whether deterministic ops are on.
        data: the `Dataset` trained on; its training and validation images
            and labels are checksummed.

    Returns:
        A `RunEnvironment`.
    """
    import numpy as np

    from mnist_keras import __version__

    keras_version, backend, backend_version, gpus = _backend()
    cpu, features = _cpu()
    commit, changed = _source()
    checksum = images = None
    if data is not None:
        checksum = data_checksum(data.x_train, data.y_train, data.x_val, data.y_val)
        images = int(len(data.x_train) + len(data.x_val))
    return RunEnvironment(
        python=platform.python_version(), mnist_keras=__version__, keras=keras_version,
        numpy=np.__version__, backend=backend, backend_version=backend_version,
        system=f"{platform.system()} {platform.machine()}", cpu=cpu, cpu_features=features,
        gpus=gpus, source_commit=commit, source_changed=changed, data_sha256=checksum,
        data_images=images, seed=seed, deterministic=bool(deterministic),
        recorded=round(time.time(), 3))


__all__ = ["KERNEL_FEATURES", "current_environment", "data_checksum"]
