"""The library trains, prunes, evaluates and explains under Keras' JAX backend (on the CPU).

Keras picks its backend once per process, so the work runs in one child process
with `KERAS_BACKEND=jax`, which prints what it measured as one JSON line.
"""

import json
import os
import subprocess
import sys

import jax  # noqa: F401  (tensorflowjs, in the export extra, brings it)
import pytest

UNDER_JAX = """
import json, os, sys
import keras
import mnist_keras as mk

data_dir, folder = sys.argv[1], sys.argv[2]
data = dict(data_dir=data_dir, train_size=1200, test_size=1000)
trained = mk.train(mk.TrainingConfig(model="simple", epochs=2, validation_split=0.1,
                                     label_smoothing=0.1, **data),
                   run_dir=os.path.join(folder, "jax-run"))
# The augmentation layers run under JAX too. (The synthetic classes are bars
# 2 px apart, so shifts and zoom would swap labels: those stay off here.)
augmented = mk.train(mk.TrainingConfig(model="simple", epochs=1, augment=True, rotation=0,
                                       zoom=0, translation=0, stroke_width=0.5, blur=0.3,
                                       contrast=0.3, binarize=0.2, **data))
parent = os.path.join(trained.run_dir, "model.keras")
pruned = mk.train(mk.pruning_config(parent, 0.5, fine_tune_epochs=1),
                  run_dir=os.path.join(folder, "jax-pruned"))
test = mk.load_dataset(validation_split=0, **data)
models = [mk.load_model(parent), mk.load_model(os.path.join(pruned.run_dir, "model.keras"))]
# Explanations: jax.grad behind saliency and attacks, keras.ops everywhere else.
import numpy as np
first = test.x_test[0]
heat = {method: mk.saliency(models[1], first, method=method) for method in mk.SALIENCY_METHODS}
flip = mk.adversarial(models[0], first, method="fgsm", max_epsilon=1.0)
layout = mk.embed(models[0], test.x_test[:50])
print(json.dumps({
    "saliency": {method: [float(m.min()), float(m.max()), list(m.shape)]
                 for method, m in heat.items()},
    "flipped": flip.flipped and flip.label != flip.original,
    "placed": float(np.abs(np.array(mk.place(models[0], layout, test.x_test[3]))
                           - layout.coordinates[3]).max()),
    "backend": keras.backend.backend(),
    "trained": trained.metrics.test_accuracy,
    "records": len(open(os.path.join(trained.run_dir, "events.jsonl")).readlines()),
    "augmented": augmented.metrics.test_accuracy,
    "pruned": pruned.metrics.test_accuracy,
    "sparsity": pruned.metrics.sparsity.sparsity,
    "ensemble_tta": mk.evaluate(models, test.x_test, test.y_test, tta=True).accuracy,
}))
"""


def test_training_pruning_and_evaluation_work_under_jax(tmp_path, synthetic_data_dir):
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    completed = subprocess.run([sys.executable, "-c", UNDER_JAX, synthetic_data_dir,
                                str(tmp_path)], capture_output=True, text=True, env=env,
                               timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    assert measured["backend"] == "jax"
    assert measured["trained"] > 0.9  # the synthetic bars are learnt in two epochs
    assert measured["records"] > 2  # live records
    assert measured["augmented"] > 0.3
    # Pruned weights stay zero under JAX's functional training loop.
    assert measured["sparsity"] == pytest.approx(0.5, abs=1e-4) and measured["pruned"] > 0.9
    assert measured["ensemble_tta"] > 0.9
    assert set(measured["saliency"]) == {"gradcam", "integrated_gradients", "smoothgrad"}
    for low, high, shape in measured["saliency"].values():
        assert 0 <= low < high == pytest.approx(1.0) and shape == [28, 28]
    assert measured["flipped"] and measured["placed"] < 1e-3
