"""Every layer the exporter accepts, run in the stock TF.js runtime against Keras.

One small model per layer type and per option that changes the topology or the
weight names (tests/web_export/layer_cases.py), exported with `write_model_files`,
loaded with `tf.loadLayersModel` in headless Chromium on each backend, and
compared with Keras on the same inputs: the largest difference must be under 1e-4.
"""

import json
import os

import keras
import numpy as np
import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.web_export.layer_cases import CASES, SEQUENTIAL_CASES, build_case
from web_export.export import write_model_files
from web_export.runtime import copy_runtime
from web_export.topology import ACTIVATIONS, SUPPORTED_LAYERS

pytestmark = pytest.mark.browser
TOLERANCE = 1e-4
ALL_CASES = [*CASES, *SEQUENTIAL_CASES]
_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-webgpu.min.js"></script>
<script src="vendor/tf-backend-wasm.min.js"></script></head><body>layer parity</body></html>"""
_RUN_ALL = """
const [names, data, count, backend, done] = arguments;
(async () => {
  if (tf.wasm) tf.wasm.setWasmPaths(new URL("vendor/", location.href).href);
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  await tf.ready();
  const outputs = {};
  for (const name of names) {
    try {
      const model = await tf.loadLayersModel(`models/${name}/model.json`);
      const y = tf.tidy(() => model.predict(tf.tensor4d(data, [count, 28, 28, 1])));
      outputs[name] = Array.from(await y.data());
      y.dispose();
      model.dispose();
    } catch (error) {
      outputs[name] = `error: ${error}`;
    }
  }
  done({backend: tf.getBackend(), outputs});
})().catch((error) => done({error: String(error)}));
"""


def test_every_accepted_layer_and_activation_has_a_case():
    used_layers, used_activations = set(), set()
    for name in ALL_CASES:
        for layer in build_case(name).layers:
            used_layers.add(type(layer).__name__)
            config = layer.get_config()
            if isinstance(config.get("activation"), str):
                used_activations.add(config["activation"])
    used_layers.add("InputLayer")  # every functional case has one
    assert used_layers >= SUPPORTED_LAYERS, SUPPORTED_LAYERS - used_layers
    # Keras 3 writes some names under another ("swish" is saved as "silu").
    written = {keras.activations.serialize(keras.activations.get(name)) for name in ACTIVATIONS}
    assert used_activations >= written, written - used_activations


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("parity")
    copy_runtime(root / "vendor")
    (root / "index.html").write_text(_PAGE)
    inputs = np.random.default_rng(1).random((4, 28, 28, 1)).astype(np.float32)
    expected = {}
    for name in ALL_CASES:
        model = build_case(name)
        os.makedirs(root / "models" / name)
        write_model_files(model, root / "models" / name)
        expected[name] = np.asarray(model(inputs, training=False))
    return root, inputs, expected


@pytest.mark.parametrize("backend", ["cpu", "wasm", "webgl", "webgpu"])
def test_each_layer_matches_keras_in_tfjs(browser, serve, exported, backend):
    root, inputs, expected = exported
    server = serve(root)
    browser.get(server.url + "index.html")
    WebDriverWait(browser, 30).until(lambda d: d.execute_script("return !!window.tf"))
    result = browser.execute_async_script(_RUN_ALL, ALL_CASES, inputs.ravel().tolist(),
                                          len(inputs), backend)
    assert "error" not in result, result
    assert result["backend"] == backend  # no silent fallback
    differences, problems = {}, []
    for name in ALL_CASES:
        output = result["outputs"][name]
        if isinstance(output, str):
            problems.append(f"{name}: {output[:200]}")
            continue
        difference = float(np.max(np.abs(np.reshape(output, expected[name].shape)
                                          - expected[name])))
        differences[name] = difference
        if not difference < TOLERANCE:
            problems.append(f"{name}: max |difference| {difference:.2e}")
    report = root / f"differences-{backend}.json"
    report.write_text(json.dumps(differences, indent=1))
    assert problems == [], "\n".join(problems)
