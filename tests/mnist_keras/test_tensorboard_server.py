"""A real TensorBoard server over a runs folder, seen in a browser: every run, its
HParams and its projector."""

import json
import sys
import time

import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.training import train
from tests.servers import free_port, serving
from tests.web_export.conftest import make_driver

pytestmark = pytest.mark.browser

# Everything the page shows, shadow roots and frames included (TensorBoard's
# HParams is a web component, its projector a page in a frame).
_DEEP_TEXT = """
function text(node) {
  let out = '';
  if (node.shadowRoot) out += text(node.shadowRoot);
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) out += child.textContent + ' ';
    else if (child.nodeType === Node.ELEMENT_NODE && child.localName !== 'style') {
      // Material fields show their label and value as properties, not text.
      if (child.label) out += child.label + ' ';
      if (typeof child.value === 'string') out += child.value + ' ';
      // The projector is a page of its own in a frame (same origin).
      if (child.localName === 'iframe' && child.contentDocument) {
        out += text(child.contentDocument.body || child.contentDocument);
      }
      out += text(child);
    }
  }
  return out;
}
return text(document.body).replace(/\\s+/g, ' ');
"""


@pytest.fixture(scope="module")
def tensorboard_url(tmp_path_factory, synthetic_data_dir):
    runs = tmp_path_factory.mktemp("tensorboard-runs")
    for name, learning_rate in (("run-a", 0.01), ("run-b", 0.001)):
        train(TrainingConfig(model="simple", data_dir=synthetic_data_dir, train_size=300,
                             test_size=100, epochs=2, batch_size=64, validation_split=0.1,
                             augment=False, learning_rate=learning_rate),
              run_dir=runs / name)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # Ready once it lists all six runs: each run's folder, train and validation.
    with serving([sys.executable, "-m", "tensorboard.main", "--logdir", str(runs), "--host",
                  "127.0.0.1", "--port", str(port), "--reload_interval", "1"],
                 f"{url}/data/runs", lambda answer: len(json.load(answer)) == 6,
                 "TensorBoard"):
        yield url


def _page_text(driver, url, wanted, timeout=60):
    # A fresh load for each dashboard: TensorBoard keeps the one before in the page.
    driver.get("about:blank")
    driver.get(url)
    deadline = time.monotonic() + timeout
    while True:
        text = driver.execute_script(_DEEP_TEXT)
        if all(word in text for word in wanted) or time.monotonic() > deadline:
            return text
        time.sleep(0.5)


def test_tensorboard_shows_every_run_its_hparams_and_its_projector(tensorboard_url):
    driver = make_driver(webgpu=False)
    try:
        runs = [f"run-{x}/tensorboard{sub}" for x in "ab" for sub in ("", "/train",
                                                                       "/validation")]
        text = _page_text(driver, f"{tensorboard_url}/#timeseries", runs + ["epoch_loss"])
        for run in runs:
            assert run in text
        assert "epoch_learning_rate" in text or "epoch_loss" in text
        # HParams: one trial per run, with its settings and test accuracy.
        text = _page_text(driver, f"{tensorboard_url}/#hparams",
                          ["run-a", "run-b", "learning_rate", "test/accuracy"])
        for word in ("run-a", "run-b", "learning_rate", "batch_size", "test/accuracy"):
            assert word in text, text[:2000]
        # The projector shows a run's test images by their features, with
        # their labels and predictions to label and colour them by.
        text = _page_text(driver, f"{tensorboard_url}/#projector",
                          ["test images: penultimate layer", "Points: 100", "predicted"])
        for words in ("1 tensor found", "test images: penultimate layer", "Points: 100",
                      "labels.tsv", "predicted"):
            assert words in text, text[-3000:]
    finally:
        driver.quit()
