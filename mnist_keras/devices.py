"""Which device Keras computes on, in words, for people (CLI, dashboard)."""

import os

import keras


def describe_device():
    """Describes the device the current Keras backend will train on.

    Returns:
        A short string such as `"GPU: NVIDIA H100 (TensorFlow)"` or
        `"CPU, 2 cores (TensorFlow; no GPU found)"`.

    Example:

    ```python
    describe_device()
    # 'CPU, 2 cores (TensorFlow; no GPU found)'
    ```
    """
    backend = keras.backend.backend()
    label = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}.get(backend, backend)
    gpus = _gpu_names(backend)
    if gpus:
        more = f" (+{len(gpus) - 1} more)" if len(gpus) > 1 else ""
        return f"GPU: {gpus[0]}{more} ({label})"
    return f"CPU, {os.cpu_count()} cores ({label}; no GPU found)"


def _gpu_names(backend):
    if backend == "tensorflow":
        import tensorflow as tf

        names = []
        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        return names
    if backend == "jax":
        import jax

        return [str(d.device_kind) for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []
