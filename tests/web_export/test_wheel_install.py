"""The wheel, installed as a user would: in a fresh virtual environment, away from the source.

`pip install mnist-keras` must bring neither Dash nor tensorflowjs, and say
which extra a missing command needs; `pip install "mnist-keras[export]"` must
export a page that runs in a browser with no npm, no node_modules and no source
checkout: the TF.js runtime comes from the wheel. Dependencies come from PyPI
(or pip's cache, which the test session's own install has filled).
"""

import json
import os
import subprocess
import sys

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.web_export.test_page_browser import _draw_one

pytestmark = [pytest.mark.browser, pytest.mark.packaging]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(command, cwd, timeout=900):
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                               timeout=timeout, env={k: v for k, v in os.environ.items()
                                                     if k not in ("PYTHONPATH", "VIRTUAL_ENV")})
    return completed


def _reads_a_one(browser, url):
    browser.get(url)
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script("return document.body.dataset.ready") == "true")
    _draw_one(browser)
    WebDriverWait(browser, 30).until(lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("user")
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--wheel-dir", str(folder / "dist"), ROOT], cwd=folder)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = os.listdir(folder / "dist")
    wheel = str(folder / "dist" / wheel)
    venv = _run([sys.executable, "-m", "venv", str(folder / "venv")], cwd=folder)
    assert venv.returncode == 0, venv.stderr[-2000:]
    return folder, wheel, str(folder / "venv" / "bin")


def test_a_plain_install_has_the_library_and_names_missing_extras(installed):
    folder, wheel, bin_dir = installed
    # --no-compile: byte-compiling TensorFlow's files is most of an install's time
    # here, and Python compiles what it imports anyway.
    install = _run([f"{bin_dir}/pip", "install", "--quiet", "--no-compile", wheel], cwd=folder)
    assert install.returncode == 0, install.stderr[-3000:]
    listed = _run([f"{bin_dir}/pip", "list", "--format=freeze"], cwd=folder).stdout.lower()
    packages = {line.split("==")[0] for line in listed.split()}
    assert {"mnist-keras", "keras", "tensorflow"} <= packages
    assert not packages & {"dash", "dash-canvas", "plotly", "tensorflowjs", "jax", "flax"}
    help_text = _run([f"{bin_dir}/mnist-keras", "--help"], cwd=folder).stdout
    assert ("{train,evaluate,predict,prune,reproduce,sweep,explain,import,pretrained,"
            "personalize,data,doubt,dashboard,export}") in help_text
    # The shipped model comes with the wheel.
    shipped = _run([f"{bin_dir}/mnist-keras", "pretrained", "--path"], cwd=folder).stdout
    assert shipped.strip().startswith(str(folder / "venv")) and shipped.strip().endswith(
        "model.keras")
    for command, extra in (("dashboard", "dashboard"), ("export", "export")):
        args = [command] if command == "dashboard" else [command, "m.keras", "--out", "s"]
        refused = _run([f"{bin_dir}/mnist-keras", *args], cwd=folder)
        assert refused.returncode == 2
        assert refused.stderr.strip() == (
            f"mnist-keras {command}: error: Expected the {extra} extra to be installed "
            f"(pip install 'mnist-keras[{extra}]'). Received: no module named "
            f"'{'dash' if extra == 'dashboard' else 'tensorflowjs'}'")


def test_with_the_export_extra_a_page_exports_and_runs_without_npm(
        installed, small_cnn_run, browser, serve):
    folder, wheel, bin_dir = installed
    install = _run([f"{bin_dir}/pip", "install", "--quiet", "--no-compile", f"{wheel}[export]"],
                   cwd=folder)
    assert install.returncode == 0, install.stderr[-3000:]
    listed = _run([f"{bin_dir}/pip", "list", "--format=freeze"], cwd=folder).stdout.lower()
    assert {"tensorflowjs", "tf2onnx", "onnxruntime", "ai-edge-litert"} <= {
        line.split("==")[0] for line in listed.split()}  # every format's runtime came along
    away = folder / "elsewhere"  # no node_modules here, nor in any parent
    away.mkdir()
    assert not any(os.path.isdir(os.path.join(parent, "node_modules"))
                   for parent in (away, folder, folder.parent))
    exported = _run([f"{bin_dir}/mnist-keras", "export", str(small_cnn_run / "model.keras"),
                     "--out", "site"], cwd=away)
    assert exported.returncode == 0, exported.stderr[-3000:]
    assert "float32 weights; serve it with: python3 -m http.server -d" in exported.stdout
    # The runtime came from the installed wheel, not from this source tree.
    where = _run([f"{bin_dir}/python", "-c", "import web_export.runtime as r; "
                  "print(r.VENDOR_DIR)"], cwd=away).stdout.strip()
    assert where.startswith(str(folder / "venv")) and not where.startswith(ROOT)
    _reads_a_one(browser, serve(away / "site").url + "index.html")
    # ONNX with its page, checked in onnxruntime, whose onnxruntime-web came from the
    # wheel too. (TFLite and SavedModel bring no files of their own: the same installed
    # code writes them, tested in test_formats.)
    written = _run([f"{bin_dir}/mnist-keras", "export", "pretrained", "--format", "onnx",
                    "--parity-images", "500", "--out", "onnx", "--json", "--page"], cwd=away)
    assert written.returncode == 0, written.stderr[-3000:]
    assert json.loads(written.stdout)["parity"]["argmax_agreement"] > 0.999
    assert (away / "onnx" / "export-info.json").is_file()
    assert (away / "onnx" / "README.md").is_file()
    _reads_a_one(browser, serve(away / "onnx").url + "index.html?backend=wasm")
    assert browser.find_element("id", "status").text == "Running on WASM · onnxruntime-web"
