import os

import mnist_keras as mk


def test_device_description_names_backend_and_device():
    text = mk.describe_device()
    assert "TensorFlow" in text
    # This suite runs on CPU-only machines and on GPU machines alike.
    assert text.startswith("GPU: ") or text.startswith(f"CPU, {os.cpu_count()} cores")


def test_gpus_are_named_with_a_count(monkeypatch):
    import mnist_keras.devices as devices

    monkeypatch.setattr(devices, "_gpu_names", lambda backend: ["NVIDIA H100", "NVIDIA H100"])
    assert devices.describe_device() == "GPU: NVIDIA H100 (+1 more) (TensorFlow)"
