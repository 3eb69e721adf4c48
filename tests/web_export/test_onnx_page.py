"""The ONNX export's page in real headless Chromium: the same page on onnxruntime-web."""

import json
import os

import numpy as np
import pytest
from selenium.webdriver.support.ui import Select, WebDriverWait

from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.errors import MnistKerasError
from mnist_keras.pretrained import load_pretrained, pretrained_path
from tests.web_export.test_page_browser import _browser_probabilities, _draw_one, _open
from web_export.formats import export_format
from web_export.runtime import RUNTIMES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def onnx_site(tmp_path_factory):
    return export_format(pretrained_path(), tmp_path_factory.mktemp("onnx") / "site",
                         format="onnx", page=True, parity_images=500)


def test_the_onnx_export_carries_a_page_on_onnxruntime_web(onnx_site):
    site = onnx_site.out_dir
    files = set(os.listdir(site))
    assert {"model.onnx", "export-info.json", "README.md", "model-info.json", "index.html",
            "sw.js", "manifest.webmanifest"} <= files
    # Only onnxruntime-web: no TF.js, in the folder or in the page.
    assert sorted(os.listdir(os.path.join(site, "vendor"))) == sorted(
        name for _, name in RUNTIMES["onnxruntime-web"])
    with open(os.path.join(site, "index.html"), encoding="utf-8") as file:
        assert "tf.min.js" not in file.read()
    with open(os.path.join(site, "model-info.json"), encoding="utf-8") as file:
        info = json.load(file)
    assert info["runtime"] == "onnxruntime-web" and info["model_file"] == "model.onnx"
    assert info["weight_bytes"] == onnx_site.files["model.onnx"]
    assert info["test_accuracy"] == pytest.approx(0.9969)


def test_a_page_is_refused_for_other_formats(tmp_path):
    with pytest.raises(MnistKerasError, match="page only with the onnx format"):
        export_format(pretrained_path(), tmp_path / "t", format="tflite", page=True)
    assert not os.path.exists(tmp_path / "t")


@pytest.mark.parametrize("backend", ["wasm", "webgpu"])
def test_onnxruntime_web_gives_keras_answers_and_reads_a_drawing(browser, serve, onnx_site,
                                                                 backend):
    _, _, images, _ = load_raw()
    inputs = scale_pixels(images[:200])
    expected = load_pretrained().predict(inputs, verbose=0)
    _open(browser, serve(onnx_site.out_dir), backend)
    # The test browser has WebGPU (Chromium's software adapter): no fallback here.
    status = browser.find_element("id", "status").text
    assert status == f"Running on {'WASM' if backend == 'wasm' else 'WebGPU'} · onnxruntime-web"
    got = _browser_probabilities(browser, inputs, backend)
    print(f"\nonnxruntime-web {backend}: max difference {np.abs(got - expected).max():.2e}")
    assert np.abs(got - expected).max() < 1e-4
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    _draw_one(browser)
    WebDriverWait(browser, 15).until(lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"
    assert "(onnxruntime-web)" in browser.find_element("id", "timing").text
    facts = {element.get_attribute("data-fact"): element.text for element in
             browser.find_elements("css selector", "#facts dd")}
    assert facts["runtime"].startswith("onnxruntime-web 1.")
    assert facts["test accuracy"].startswith("99.69%")


def test_why_this_answer_blanks_out_the_ink_that_mattered(browser, serve, onnx_site):
    _open(browser, serve(onnx_site.out_dir), "wasm")
    _draw_one(browser)
    WebDriverWait(browser, 15).until(lambda d: d.find_element("id", "why-box").is_displayed())
    assert "occlusion" in browser.find_element("id", "why-caption").text
    # The map lies on the ink: blanking paper changes nothing.
    _, _, images, labels = load_raw()
    digit = scale_pixels(images[:1])
    heat = np.array(browser.execute_async_script("""const [data, label, done] = arguments;
        mnistPage.saliency(new Float32Array(data), label).then((map) => done(Array.from(map)));""",
        digit.ravel().tolist(), int(labels[0])))
    assert heat.max() == pytest.approx(1.0)
    near_ink = np.zeros((28, 28), bool)
    for dy in range(-5, 6):
        for dx in range(-5, 6):
            near_ink |= np.roll(np.roll(digit[0, :, :, 0] > 0, dy, 0), dx, 1)
    assert heat.reshape(28, 28)[~near_ink].max() == 0.0


def test_the_backend_chooser_lists_onnxruntimes_backends(browser, serve, onnx_site):
    _open(browser, serve(onnx_site.out_dir))
    options = [option.get_attribute("value") for option in
               Select(browser.find_element("id", "backend")).options]
    assert options == ["webgpu", "wasm"]


def test_cli_writes_the_page_with_the_onnx_format_only(tmp_path, capsys):
    from mnist_keras.cli import main

    assert main(["export", "pretrained", "--format", "onnx", "--page", "--parity-images", "100",
                 "--out", str(tmp_path / "site")]) == 0
    printed = capsys.readouterr().out
    assert ("The page runs it in the browser with onnxruntime-web; serve it with: "
            f"python3 -m http.server -d {tmp_path / 'site'}") in printed
    assert (tmp_path / "site" / "index.html").is_file()
    assert main(["export", "pretrained", "--format", "tflite", "--page", "--out",
                 str(tmp_path / "tflite")]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "Expected --page only with --format onnx (the tfjs format always has its page). "
        "Received: --format tflite")
    assert not (tmp_path / "tflite").exists()
