"""Data-parallel training (`distribute="mirrored"`) on a CPU split into two devices.

TensorFlow's logical devices and JAX's host device count are fixed when the
framework initialises, so each backend trains in a child process of its own,
which prints what it measured as one JSON line.
"""

import json
import os
import subprocess
import sys

import pytest

from mnist_keras.distribution import placement
from mnist_keras.errors import MnistKerasError

TRAIN = """
import json, os, sys
backend = os.environ["KERAS_BACKEND"]
if backend == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import mnist_keras as mk

data_dir, folder = sys.argv[1], sys.argv[2]
settings = dict(model="mlp", data_dir=data_dir, train_size=1200, test_size=1000,
                validation_split=0.1, batch_size=64, epochs=1, distribute="mirrored")
result = mk.train(mk.TrainingConfig(**settings), run_dir=os.path.join(folder, "run"))
refused = None
try:  # every batch is split evenly: one of 77 cannot be, over 2 devices
    mk.train(mk.TrainingConfig(**{**settings, "batch_size": 77}),
             run_dir=os.path.join(folder, "odd"))
except mk.MnistKerasError as error:
    refused = str(error)
saved = mk.Run(os.path.join(folder, "run"))
test = mk.load_dataset(data_dir=data_dir, train_size=1200, test_size=1000)
print(json.dumps({
    "replicas": result.metrics.replicas,
    "accuracy": result.metrics.test_accuracy,
    "saved_replicas": saved.metrics().replicas,
    "status": saved.status.value,
    "distribute": saved.config().training.distribute,
    "reloaded": mk.evaluate(saved.load_model(), test.x_test, test.y_test).accuracy,
    "refused": refused, "odd_folder": os.path.exists(os.path.join(folder, "odd")),
}))
"""


def _train_in_child(backend, synthetic_data_dir, folder):
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu",
           "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    completed = subprocess.run([sys.executable, "-c", TRAIN, synthetic_data_dir, str(folder)],
                               capture_output=True, text=True, env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_mirrored_training_on_two_cpu_devices_under_tensorflow(tmp_path, synthetic_data_dir):
    measured = _train_in_child("tensorflow", synthetic_data_dir, tmp_path)
    assert measured["replicas"] == 2 and measured["saved_replicas"] == 2
    assert measured["status"] == "completed" and measured["distribute"] == "mirrored"
    assert measured["accuracy"] > 0.9  # the synthetic bars, learnt in one epoch
    assert measured["reloaded"] == measured["accuracy"]  # the saved model is a plain one
    assert "split evenly over the 2 devices" in measured["refused"]
    assert "batch_size=77" in measured["refused"] and not measured["odd_folder"]


def test_data_parallel_training_on_two_cpu_devices_under_jax(tmp_path, synthetic_data_dir):
    import jax  # noqa: F401  (tensorflowjs, in the export extra, brings it)
    measured = _train_in_child("jax", synthetic_data_dir, tmp_path)
    assert measured["replicas"] == 2 and measured["accuracy"] > 0.9
    assert measured["reloaded"] == measured["accuracy"]
    assert "split evenly over the 2 devices" in measured["refused"]
    assert "batch_size=77" in measured["refused"] and not measured["odd_folder"]


def test_one_device_needs_no_strategy_and_unknown_names_are_refused():
    where = placement("none")
    assert where.replicas == 1 and where.devices == ()
    with where.scope:
        pass
    with pytest.raises(MnistKerasError, match=r"Expected distribute in \['none', 'mirrored'\]"):
        placement("horovod")
