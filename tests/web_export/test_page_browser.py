"""The exported page in real headless Chromium: TF.js predictions, preprocessing, drawing."""

import json
import os
from pathlib import Path

import keras
import numpy as np
import pytest
from PIL import Image, ImageDraw
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import Select, WebDriverWait

from mnist_keras.config import TrainingConfig
from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.drawing_pad import PAD_SIZE, PEN_WIDTH
from mnist_keras.models import build_model
from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing
from mnist_keras.runs import load_model
from mnist_keras.training import train
from tests.web_export.conftest import make_driver
from web_export import export_model

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def _with_random_statistics(model, seed=0):
    """An untrained model whose BatchNorm statistics are not the identity."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([rng.uniform(0.5, 1.5, gamma.shape), rng.normal(0, 0.1, beta.shape),
                               rng.normal(0, 0.2, mean.shape),
                               rng.uniform(0.5, 2.0, variance.shape)])
    return model


@pytest.fixture(scope="module")
def sites(tmp_path_factory, small_cnn_run):
    root = tmp_path_factory.mktemp("sites")
    found = {}
    for quantize in ("none", "float16", "uint8"):
        found[quantize] = export_model(small_cnn_run / "model.keras", root / quantize,
                                       quantize=quantize)
    pruned = train(TrainingConfig(parent_model=str(small_cnn_run / "model.keras"),
                                  parent_run="small-cnn", sparsity=0.8, epochs=0,
                                  train_size=1_000, test_size=1_000),
                   run_dir=root / "pruned-run")
    found["pruned"] = export_model(root / "pruned-run" / "model.keras", root / "pruned")
    found["pruned"].metrics = pruned.metrics
    keras.utils.set_random_seed(0)
    for name in ("cnn", "cnn-compact"):
        model = _with_random_statistics(build_model(name))
        found[name] = export_model(model, root / name)
        found[name].model = model
    return found


@pytest.fixture(scope="module")
def test_digits():
    _, _, images, labels = load_raw()
    return images, labels


def _open(browser, server, backend=None):
    browser.get(server.url + "index.html" + (f"?backend={backend}" if backend else ""))
    WebDriverWait(browser, 60, poll_frequency=0.2).until(
        lambda d: d.execute_script("return document.body.dataset.ready"))
    assert browser.execute_script("return document.body.dataset.ready") == "true", \
        browser.find_element("id", "status").text


def _browser_probabilities(browser, inputs, backend):
    result = browser.execute_async_script("""
        const [data, count, done] = arguments;
        (async () => {
          const values = await window.mnistPage.predictBatch(
              window.mnistPage.model, Float32Array.from(data), count);
          done({backend: window.mnistPage.backend, values: Array.from(values)});
        })().catch((error) => done({error: String(error)}));
    """, np.asarray(inputs, np.float32).ravel().tolist(), len(inputs))
    assert "error" not in result, result
    assert result["backend"] == backend  # no silent fallback
    return np.asarray(result["values"]).reshape(len(inputs), 10)


@pytest.mark.parametrize("backend", ["cpu", "webgl", "webgpu", "wasm"])
def test_sequential_model_matches_keras_on_each_backend(browser, serve, sites, small_cnn_run,
                                                       test_digits, backend):
    images, _ = test_digits
    inputs = scale_pixels(images[:100])
    expected = np.asarray(load_model(small_cnn_run / "model.keras").predict_on_batch(inputs))
    _open(browser, serve(sites["none"].out_dir), backend)
    got = _browser_probabilities(browser, inputs, backend)
    print(f"\nsimple on {backend}: max difference {np.abs(got - expected).max():.2e}")
    assert np.abs(got - expected).max() < 1e-4


@pytest.mark.parametrize("name", ["cnn", "cnn-compact"])
@pytest.mark.parametrize("backend", ["cpu", "webgl", "webgpu"])
def test_functional_models_match_keras(browser, serve, sites, test_digits, name, backend):
    images, _ = test_digits
    inputs = scale_pixels(images[100:140])
    expected = np.asarray(sites[name].model.predict_on_batch(inputs))
    _open(browser, serve(sites[name].out_dir), backend)
    got = _browser_probabilities(browser, inputs, backend)
    print(f"\n{name} on {backend}: max difference {np.abs(got - expected).max():.2e}")
    assert np.abs(got - expected).max() < 1e-4


def test_quantized_exports_keep_their_accuracy(browser, serve, sites, small_cnn_run,
                                               test_digits):
    images, labels = test_digits
    inputs, truth = scale_pixels(images[:1000]), labels[:1000]
    keras_accuracy = np.mean(np.asarray(load_model(small_cnn_run / "model.keras")
                                        .predict_on_batch(inputs)).argmax(axis=1) == truth)
    report = {}
    for quantize in ("none", "float16", "uint8"):
        _open(browser, serve(sites[quantize].out_dir), "webgl")
        predicted = _browser_probabilities(browser, inputs, "webgl").argmax(axis=1)
        report[quantize] = (sites[quantize].weight_bytes, float(np.mean(predicted == truth)))
    print(f"\nKeras {100 * keras_accuracy:.1f}%; in the browser (WebGL), 1,000 test digits: " +
          ", ".join(f"{q} {b:,} bytes {100 * a:.1f}%" for q, (b, a) in report.items()))
    assert report["none"][1] == pytest.approx(keras_accuracy, abs=1e-9)
    assert abs(report["float16"][1] - keras_accuracy) <= 0.002
    assert abs(report["uint8"][1] - keras_accuracy) <= 0.001 + 1e-9
    assert report["uint8"][0] * 4 == report["none"][0] == report["float16"][0] * 2


def _drawings():
    """RGBA drawings in every style a person might give: (name, array)."""
    def strokes(size, ink, paper, width, offset=(0, 0), scale=1.0, mode="RGB"):
        picture = Image.new(mode, size, paper)
        pen = ImageDraw.Draw(picture)
        dx, dy = offset
        points = [(60, 50), (200, 50), (140, 150), (110, 240)]  # a 7
        pen.line([(dx + x * scale, dy + y * scale) for x, y in points], fill=ink,
                 width=width, joint="curve")
        return np.asarray(picture.convert("RGBA"))

    _, _, images, _ = load_raw()
    upscaled = np.full((200, 260), 255, np.uint8)
    upscaled[40:152, 120:232] = 255 - np.kron(images[3], np.ones((4, 4), np.uint8))
    return [
        ("black on white", strokes((280, 280), (0, 0, 0), (255, 255, 255), 22)),
        ("white on black, small, off-centre", strokes((280, 280), (255, 255, 255), (0, 0, 0), 9,
                                                      offset=(120, 100), scale=0.5)),
        ("blue ink on transparent", strokes((280, 280), (30, 60, 200, 255), (0, 0, 0, 0), 18,
                                            mode="RGBA")),
        ("dark ink on grey paper", strokes((300, 320), (40, 40, 40), (225, 225, 225), 25)),
        ("tall thin page", strokes((120, 300), (0, 0, 0), (255, 255, 255), 10, scale=0.4,
                                   offset=(10, 60))),
        ("MNIST digit, scanned", np.asarray(Image.fromarray(upscaled).convert("RGBA"))),
    ]


def _benchmark_pages():
    """A page of every style of the robustness benchmark, and real UCI digits, as RGBA."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from handwriting_styles import STYLES, render
    from robustness import uci_pages

    _, _, images, _ = load_raw()
    for number, style in enumerate(STYLES):
        for seed in (number, number + 100):
            page = render(images[seed], style, seed)
            yield f"{style} #{seed}", np.dstack([page, np.full(page.shape[:2], 255, np.uint8)])
    pages, _ = uci_pages()
    for index in (0, 7, 400):
        gray = pages[index]
        yield f"UCI digit {index}", np.dstack([gray, gray, gray, np.full(gray.shape, 255,
                                                                          np.uint8)])


def _page_preprocess(browser, rgba):
    height, width = rgba.shape[:2]
    return browser.execute_script("""
        const [data, width, height] = arguments;
        try {
          return Array.from(window.mnistPage.preprocess(
              Uint8ClampedArray.from(data), width, height));
        } catch (error) { return error.constructor.name + ": " + error.message; }""",
        rgba.ravel().tolist(), width, height)


def test_page_preprocessing_is_the_librarys_bit_for_bit(browser, serve, sites):
    _open(browser, serve(sites["none"].out_dir))
    for name, rgba in [*_drawings(), *_benchmark_pages()]:
        got = _page_preprocess(browser, rgba)
        expected = preprocess_drawing(rgba)
        assert expected.max() > 0.9 and len(got) == 784, (name, got)
        difference = np.abs(np.asarray(got, np.float32).reshape(28, 28) - expected).max()
        assert difference == 0, f"{name}: JS vs Python max difference {difference:.2e}"


def _marks():
    """What is not a digit: blank, a speck, a tap, a short tick, a fat blob."""
    canvas = np.full((280, 280), 255, np.uint8)
    tap = canvas.copy()
    yy, xx = np.mgrid[:280, :280]
    tap[(yy - 140) ** 2 + (xx - 100) ** 2 <= 11 ** 2] = 0  # one tap of the 22 px pen
    tick = canvas.copy()
    tick[120:132, 100:130] = 0
    blob = canvas.copy()
    blob[(yy - 140) ** 2 + (xx - 140) ** 2 <= 30 ** 2] = 0  # a marker pressed down
    speck = canvas.copy()
    speck[140:143, 140:143] = 0
    for name, gray in (("blank", canvas), ("speck", speck), ("tap", tap), ("tick", tick),
                       ("blob", blob)):
        yield name, np.dstack([gray, gray, gray, np.full(gray.shape, 255, np.uint8)])


def test_marks_that_are_not_digits_are_refused_by_both(browser, serve, sites):
    _open(browser, serve(sites["none"].out_dir))
    for name, rgba in _marks():
        with pytest.raises(EmptyDrawingError):
            preprocess_drawing(rgba)
        got = _page_preprocess(browser, rgba)
        assert isinstance(got, str) and got.startswith("EmptyDrawingError"), (name, got)


def _draw_one(browser):
    pad = browser.find_element("id", "pad")
    (ActionChains(browser).move_to_element_with_offset(pad, 140, 45).click_and_hold()
     .move_by_offset(2, 60).move_by_offset(2, 60).move_by_offset(1, 70).release().perform())


def test_drawing_with_the_mouse_predicts_and_clear_empties(browser, serve, sites):
    server = serve(sites["none"].out_dir)
    _open(browser, server)
    # The pad as the library's drawing_pad has it (read from model-info.json).
    pad = browser.execute_script("""const pad = document.getElementById('pad');
        return [pad.width, pad.height, pad.getBoundingClientRect().width - 4,
                pad.getContext('2d').lineWidth];""")
    assert pad == [PAD_SIZE, PAD_SIZE, PAD_SIZE, PEN_WIDTH]
    _draw_one(browser)
    wait = WebDriverWait(browser, 15, poll_frequency=0.2)
    wait.until(lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"
    confidence = browser.find_element("id", "confidence")
    percent = float(confidence.text.split()[-1].rstrip("%"))
    expected_level = "high" if percent > 80 else "medium" if percent >= 50 else "low"
    assert confidence.get_attribute("class") == f"confidence {expected_level}"
    assert len(browser.find_elements("css selector", "#bars .bar")) == 10
    assert " ms on " in browser.find_element("id", "timing").text
    ink = browser.execute_script("""const d = document.getElementById('input').getContext('2d')
        .getImageData(0, 0, 28, 28).data; let s = 0; for (let i = 0; i < d.length; i += 4)
        s += d[i]; return s;""")
    assert ink > 0
    browser.find_element("id", "clear").click()
    assert browser.find_element("id", "digit").text == "–"
    assert browser.find_elements("css selector", "#bars .bar") == []
    # Offline: every resource came from the page's own server, and the rest of
    # the network really is unreachable from this browser.
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name);")
    assert resources and all(url.startswith(server.url) for url in resources)
    assert all(not path.startswith("//") for path in server.requested)
    blocked = browser.execute_async_script("""const done = arguments[0];
        fetch('http://example.com/').then(() => done('reached'), () => done('blocked'));""")
    assert blocked == "blocked"


def test_touch_strokes_predict(browser, serve, sites):
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.interaction import POINTER_TOUCH
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    _open(browser, serve(sites["none"].out_dir))
    box = browser.execute_script(
        "return document.getElementById('pad').getBoundingClientRect().toJSON();")
    left, top = box["left"] + 140, box["top"] + 45
    actions = ActionBuilder(browser, mouse=PointerInput(POINTER_TOUCH, "finger"))
    actions.pointer_action.move_to_location(int(left), int(top)).pointer_down()
    for step in range(1, 11):
        actions.pointer_action.move_to_location(int(left + step // 4), int(top + 19 * step))
    actions.pointer_action.pointer_up()
    actions.perform()
    WebDriverWait(browser, 15, poll_frequency=0.2).until(
        lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"


def test_backend_chooser_and_model_facts(browser, serve, sites, small_cnn_run):
    _open(browser, serve(sites["uint8"].out_dir))
    status = browser.find_element("id", "status")
    assert status.text.startswith("Running on WebGPU")
    # Choosing another backend loads the page again on it, and it predicts there.
    for value, label in (("cpu", "CPU"), ("wasm", "WASM"), ("webgl", "WebGL")):
        Select(browser.find_element("id", "backend")).select_by_value(value)
        WebDriverWait(browser, 30).until(lambda d, label=label: d.find_element(
            "id", "status").text.startswith(f"Running on {label}"))
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script("return document.body.dataset.ready") == "true")
        assert browser.find_element("id", "backend").get_attribute("value") == value
        _draw_one(browser)
        WebDriverWait(browser, 15).until(
            lambda d, label=label: f"ms on {label}" in d.find_element("id", "timing").text)
    facts = {element.get_attribute("data-fact"): element.text for element in
             browser.find_elements("css selector", "#facts dd")}
    metrics = json.loads((small_cnn_run / "metrics.json").read_text())
    assert facts["parameters"] == f"{metrics['num_params']:,}"
    assert facts["test accuracy"].startswith(f"{100 * metrics['test_accuracy']:.2f}%")
    assert facts["weights"] == "quantized to uint8"
    assert facts["weight bytes"].startswith(f"{sites['uint8'].weight_bytes:,}")
    rows = browser.find_elements("css selector", "#layers tbody tr")
    assert len(rows) == len(sites["uint8"].info["layers"])


def test_without_webgpu_the_page_says_it_fell_back(serve, sites):
    driver = make_driver(webgpu=False, extra_flags=("--disable-features=WebGPU",))
    try:
        _open(driver, serve(sites["none"].out_dir))
        status = driver.find_element("id", "status").text
        assert status.startswith("Running on WebGL (WebGPU failed: "), status
    finally:
        driver.quit()


def test_strokes_drawn_while_the_model_loads_are_kept_and_predicted(browser, serve, sites):
    # The model arrives 3 s late: the page says so, drawing already works, and
    # the stroke is predicted once the model is ready (it used to be dropped).
    server = serve(sites["none"].out_dir, delays={"/model.json": 3.0})
    browser.get(server.url + "index.html")
    loading = browser.find_element("id", "loading")
    WebDriverWait(browser, 10).until(lambda d: loading.is_displayed())
    assert loading.text == "Loading model…"
    panel = browser.find_element("css selector", ".panel.results")
    width = panel.size["width"]
    _draw_one(browser)
    assert browser.execute_script("return document.body.dataset.ready") is None
    WebDriverWait(browser, 60, poll_frequency=0.2).until(
        lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"
    assert not loading.is_displayed()
    # The results panel kept its width when the prediction filled it.
    assert panel.size["width"] == width


def test_a_pruned_models_page_shows_its_sparsity(browser, serve, sites):
    _open(browser, serve(sites["pruned"].out_dir))
    facts = {element.get_attribute("data-fact"): element.text for element in
             browser.find_elements("css selector", "#facts dd")}
    metrics = sites["pruned"].metrics
    assert facts["sparsity"].startswith(f"{100 * metrics.sparsity.sparsity:.1f}%")
    assert facts["non-zero parameters"] == f"{metrics.nonzero_params:,}"
    assert facts["weights"] == "float32"


@pytest.fixture(scope="module")
def pretrained_site(tmp_path_factory):
    from mnist_keras.pretrained import pretrained_path

    return export_model(pretrained_path(), tmp_path_factory.mktemp("pretrained-site"))


def _samples_status(browser):
    return browser.find_element("id", "samples-status").text


def _answer_buttons_enabled(browser):
    return [button.is_enabled() for button in
            browser.find_elements("css selector", "#answer button")]


def test_the_pretrained_models_page_keeps_answers_in_the_browser(browser, serve,
                                                                 pretrained_site, tmp_path):
    from mnist_keras.personal import PersonalDataset, import_samples

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    # Each server is an origin of its own, so the browser's store starts empty.
    _open(browser, serve(pretrained_site.out_dir))
    wait = WebDriverWait(browser, 15, poll_frequency=0.2)
    wait.until(lambda d: _samples_status(d).startswith("0 samples kept"))
    # Nothing to answer before a drawing is read: the buttons and keys do nothing.
    buttons = _answer_buttons_enabled(browser)
    assert len(buttons) == 11 and not any(buttons)
    assert not browser.find_element("id", "download-samples").is_enabled()
    ActionChains(browser).send_keys("3").perform()

    _draw_one(browser)
    wait.until(lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "1"
    assert all(_answer_buttons_enabled(browser))
    browser.find_element("id", "answer-right").click()
    wait.until(lambda d: _samples_status(d).startswith("1 sample kept"))
    assert "1:1" in _samples_status(browser)
    assert browser.find_element("id", "answer-prompt").text == "Kept as 1. Draw the next one."
    # The pad is cleared for the next digit, and that answer cannot be given twice.
    assert browser.find_element("id", "digit").text == "–"
    assert not any(_answer_buttons_enabled(browser))

    # "It was 7", with the key.
    _draw_one(browser)
    wait.until(lambda d: all(_answer_buttons_enabled(d)))
    ActionChains(browser).send_keys("7").perform()
    wait.until(lambda d: _samples_status(d).startswith("2 samples kept"))
    assert "1:1" in _samples_status(browser) and "7:1" in _samples_status(browser)

    # Kept across a reload: they live in the browser's storage, not the page.
    browser.refresh()
    wait.until(lambda d: _samples_status(d).startswith("2 samples kept"))

    browser.find_element("id", "download-samples").click()
    wait.until(lambda d: [p for p in downloads.iterdir() if p.suffix == ".json"])
    (downloaded,) = list(downloads.glob("*.json"))
    assert downloaded.name == "mnist-keras-samples.json"
    content = json.loads(downloaded.read_text())
    assert content["format"] == "mnist-keras-samples" and content["version"] == 1
    assert content["classes"] == [str(digit) for digit in range(10)]
    assert [sample["label"] for sample in content["samples"]] == [1, 7]
    stroke = content["samples"][0]["strokes"][0]
    assert stroke["width"] == PEN_WIDTH and len(stroke["points"]) >= 2

    # The file is what the library imports: the strokes redraw as the digit drawn.
    dataset, added, skipped = import_samples(downloaded, tmp_path / "runs")
    assert (dataset.name, added, skipped) == ("my-handwriting", 2, 0)
    assert dataset.counts()[1] == dataset.counts()[7] == 1
    again = PersonalDataset.open(tmp_path / "runs", "my-handwriting")
    assert [sample.label for sample in again.samples()] == [1, 7]
    image = np.asarray(Image.open(again.image_file(again.samples()[0])).convert("L"))
    assert image.shape == (PAD_SIZE, PAD_SIZE) and (image != image[0, 0]).sum() > 500

    # Forgetting asks first; cancelled, nothing is lost.
    browser.find_element("id", "forget-samples").click()
    browser.switch_to.alert.dismiss()
    assert _samples_status(browser).startswith("2 samples kept")
    browser.find_element("id", "forget-samples").click()
    browser.switch_to.alert.accept()
    wait.until(lambda d: _samples_status(d).startswith("0 samples kept"))


def test_the_page_installs_and_works_offline_after_the_first_visit(serve, pretrained_site):
    driver = make_driver()
    try:
        server = serve(pretrained_site.out_dir)
        _open(driver, server)
        WebDriverWait(driver, 30).until(
            lambda d: d.execute_script("return document.body.dataset.offline") == "registered")
        # The worker takes the page over once it has cached every file of the site.
        WebDriverWait(driver, 60, poll_frequency=0.2).until(lambda d: d.execute_script(
            "return navigator.serviceWorker.controller !== null"))
        manifest = driver.execute_cdp_cmd("Page.getAppManifest", {})
        assert manifest["url"].endswith("/manifest.webmanifest") and manifest["errors"] == []
        assert driver.execute_cdp_cmd("Page.getInstallabilityErrors", {})[
            "installabilityErrors"] == []
        cached = driver.execute_async_script("""const done = arguments[0];
            caches.keys().then((names) => caches.open(names[0]))
              .then((cache) => cache.keys()).then((requests) => done(requests.length));""")
        site_files = sum(len(files) for _, _, files in os.walk(pretrained_site.out_dir))
        assert cached == site_files - 2  # all but sw.js and the model card

        # The network goes: the server stops. The page opens and predicts all the same.
        server.close()
        driver.refresh()
        WebDriverWait(driver, 60, poll_frequency=0.2).until(
            lambda d: d.execute_script("return document.body.dataset.ready") == "true")
        _draw_one(driver)
        WebDriverWait(driver, 15).until(lambda d: d.find_element("id", "digit").text != "–")
        assert driver.find_element("id", "digit").text == "1"
    finally:
        driver.quit()


def _photo_of_a_seven(path):
    from mnist_keras.drawing_pad import render_strokes

    # A wide photo, grey paper, the digit off-centre: fitted onto the pad as it is.
    seven = render_strokes([{"points": [[70, 60], [210, 60], [120, 240]], "width": 24}])
    photo = Image.new("L", (500, 320), 200)
    photo.paste(Image.fromarray(seven).resize((240, 240)), (60, 40))
    photo.convert("RGB").save(path)


def test_a_photo_is_read_like_a_drawing_and_kept_as_an_image(browser, serve, pretrained_site,
                                                           tmp_path):
    _open(browser, serve(pretrained_site.out_dir))
    wait = WebDriverWait(browser, 15, poll_frequency=0.2)
    wait.until(lambda d: _samples_status(d).startswith("0 samples kept"))
    _photo_of_a_seven(tmp_path / "seven.jpg")
    browser.find_element("id", "photo").send_keys(str(tmp_path / "seven.jpg"))
    wait.until(lambda d: d.find_element("id", "digit").text != "–")
    assert browser.find_element("id", "digit").text == "7"
    browser.find_element("id", "answer-right").click()
    wait.until(lambda d: _samples_status(d).startswith("1 sample kept"))
    kept = browser.execute_async_script("""const done = arguments[0];
        const request = indexedDB.open("mnist-keras");
        request.onsuccess = () => {
          const all = request.result.transaction("samples").objectStore("samples").getAll();
          all.onsuccess = () => done(all.result.map((s) => [s.label, Boolean(s.image),
                                                            Boolean(s.strokes)]));
        };""")
    assert kept == [[7, True, False]]


def test_why_this_answer_shows_where_the_evidence_is(browser, serve, pretrained_site,
                                                   test_digits):
    _open(browser, serve(pretrained_site.out_dir))
    _draw_one(browser)
    WebDriverWait(browser, 15).until(lambda d: d.find_element("id", "why-box").is_displayed())
    assert browser.find_element("id", "why-box").get_attribute("data-label") == \
        browser.find_element("id", "digit").text == "1"
    red = browser.execute_script("""
        const why = document.getElementById('why').getContext('2d')
          .getImageData(0, 0, 28, 28).data;
        let red = 0;
        for (let i = 0; i < why.length; i += 4) red += Math.max(0, why[i] - why[i + 1]);
        return red;""")
    assert red > 0
    # The map is Keras' own gradient, computed in the browser: on a test digit, the two
    # agree (not to the last digit: where several pooled values tie, as on blank
    # paper, TF.js and TensorFlow pass the gradient to different ones).
    import tensorflow as tf

    from mnist_keras.pretrained import load_pretrained

    images, labels = test_digits
    digit = scale_pixels(images[:1])
    in_browser = np.array(browser.execute_async_script("""const [data, label, done] = arguments;
        mnistPage.saliency(new Float32Array(data), label).then((map) => done(Array.from(map)));""",
        digit.ravel().tolist(), int(labels[0])))
    model = load_pretrained()
    x = tf.constant(digit)
    with tf.GradientTape() as tape:
        tape.watch(x)
        probability = model(x, training=False)[0, int(labels[0])]
    gradient = np.abs(tape.gradient(probability, x).numpy().ravel())
    keras_map = gradient / gradient.max()
    correlation = np.corrcoef(in_browser, keras_map)[0, 1]
    assert correlation > 0.9
    browser.find_element("id", "clear").click()
    assert not browser.find_element("id", "why-box").is_displayed()
    # Drawn readable: a few extreme pixels no longer wash out the rest of the evidence
    # (the strongest 5% shows at full strength; the library's overlay does the same).
    shown = browser.execute_script("return Array.from(mnistPage.readableHeat("
                                   "Float32Array.from(arguments[0])));",
                                   [0.0] * 700 + [0.01] * 80 + [1.0] * 4)
    assert shown[:700] == [0.0] * 700 and min(shown[700:]) == pytest.approx(1.0)
