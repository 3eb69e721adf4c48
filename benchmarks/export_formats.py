"""Each export format's size, load time, per-drawing latency and agreement with Keras.

    python benchmarks/export_formats.py                    # the pretrained model
    python benchmarks/export_formats.py --default          # + the default recipe, 3 epochs
    python benchmarks/export_formats.py --model runs/x/model.keras
    python benchmarks/export_formats.py --browser          # + the pages in headless Chromium

For every format and quantization: the file's size; how long its runtime
takes to load it; the median time of one drawing (a batch of one, after a
warm-up), against Keras' compiled step (`predict_on_batch`) on the same
input; and, on all 10,000 MNIST test digits, the largest difference from
Keras' probabilities, how often both give the same answer, and accuracy.

With `--browser`, the TF.js page and the ONNX page (onnxruntime-web) are
served on loopback and opened in headless Chromium: per runtime and backend,
the time from opening the page to its first answer being possible, the
median time of one drawing, and agreement with Keras on 1,000 test digits.
WebGL and WebGPU run on Chromium's software adapter (SwiftShader) here; on a
machine with a GPU they are another story.
"""

import argparse
import functools
import http.server
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from timing import time_calls  # noqa: E402

import mnist_keras as mk  # noqa: E402

VARIANTS = (("onnx", "none"), ("tflite", "none"), ("tflite", "float16"), ("tflite", "int8"),
            ("savedmodel", "none"))


def _report(label, model, repeats):
    from web_export.formats import export_format
    from web_export.formats.exporting import WRITERS

    drawing = mk.preprocess_drawing(_a_drawing())[None, ..., None].astype(np.float32)
    keras_ms, _, _ = time_calls(lambda: model.predict_on_batch(drawing), repeats)
    print(f"\n{label}: {model.count_params():,} parameters; Keras one drawing "
          f"{keras_ms:.2f} ms (predict_on_batch)")
    print(f"  {'format':<18} {'bytes':>10} {'load ms':>8} {'1 drawing ms':>13} "
          f"{'max |diff|':>11} {'same answer':>12} {'accuracy':>9}")
    float32_accuracy = None
    with tempfile.TemporaryDirectory() as folder:
        for format_name, quantize in VARIANTS:
            out = os.path.join(folder, f"{format_name}-{quantize}")
            result = export_format(model, out, format=format_name, quantize=quantize)
            started = time.perf_counter()
            predict = WRITERS[format_name].predictor(out)
            predict(drawing)
            load_ms = 1000 * (time.perf_counter() - started)
            one_ms, _, _ = time_calls(lambda predict=predict: predict(drawing), repeats)
            parity = result.parity
            if (format_name, quantize) == ("tflite", "none"):
                float32_accuracy = parity["accuracy"]
            name = format_name + ("" if quantize == "none" else f" {quantize}")
            print(f"  {name:<18} {sum(result.files.values()):>10,} {load_ms:>8.0f} "
                  f"{one_ms:>13.3f} {parity['max_abs_difference']:>11.2g} "
                  f"{parity['argmax_agreement']:>12.2%} {parity['accuracy']:>9.2%}")
            if quantize == "int8":
                print(f"  {'':<18} int8 against float32 on MNIST: "
                      f"{100 * (parity['accuracy'] - float32_accuracy):+.2f} points")


# (page, runtime, backend) measured in Chromium.
BROWSER_VARIANTS = (("tfjs", "TF.js", "wasm"), ("tfjs", "TF.js", "webgl"),
                    ("tfjs", "TF.js", "webgpu"), ("onnx", "onnxruntime-web", "wasm"),
                    ("onnx", "onnxruntime-web", "webgpu"))
_TIME_ONE = """const [data, repeats, done] = arguments;
(async () => {
  const input = Float32Array.from(data);
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await mnistPage.predictBatch(mnistPage.model, input, 1);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  done(times[Math.floor(times.length / 2)]);
})();"""
_PREDICT = """const [data, count, done] = arguments;
mnistPage.predictBatch(mnistPage.model, Float32Array.from(data), count)
  .then((values) => done(Array.from(values)));"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder):
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _chromium():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options)
    driver.set_script_timeout(300)
    return driver


def _browser_report(label, model, repeats):
    from selenium.webdriver.support.ui import WebDriverWait

    from mnist_keras.datasets import load_raw, scale_pixels
    from web_export import export_model
    from web_export.formats import export_format

    _, _, images, _ = load_raw()
    digits = scale_pixels(images[:1000])
    expected = model.predict(digits, verbose=0)
    drawing = mk.preprocess_drawing(_a_drawing()).astype(np.float32).ravel().tolist()
    print(f"\n{label} in headless Chromium (WebGL and WebGPU on the software adapter):")
    print(f"  {'runtime':<16} {'backend':<8} {'site bytes':>11} {'open ms':>8} "
          f"{'1 drawing ms':>13} {'max |diff|':>11} {'same answer':>12}")
    with tempfile.TemporaryDirectory() as folder:
        sites = {"tfjs": export_model(model, os.path.join(folder, "tfjs")).out_dir,
                 "onnx": export_format(model, os.path.join(folder, "onnx"), format="onnx",
                                       page=True, parity_images=100).out_dir}
        driver = _chromium()
        try:
            for page, runtime, backend in BROWSER_VARIANTS:
                server = _serve(sites[page])
                started = time.perf_counter()
                driver.get(f"http://127.0.0.1:{server.server_port}/index.html?backend={backend}")
                WebDriverWait(driver, 300, poll_frequency=0.05).until(
                    lambda d: d.execute_script("return document.body.dataset.ready"))
                open_ms = 1000 * (time.perf_counter() - started)
                ran_on = driver.execute_script("return mnistPage.backend")
                one_ms = driver.execute_async_script(_TIME_ONE, drawing, repeats)
                got = np.asarray(driver.execute_async_script(
                    _PREDICT, digits.ravel().tolist(), len(digits))).reshape(-1, 10)
                size = sum(os.path.getsize(os.path.join(root, name))
                           for root, _, names in os.walk(sites[page]) for name in names)
                note = "" if ran_on == backend else f" (ran on {ran_on})"
                print(f"  {runtime:<16} {backend:<8} {size:>11,} {open_ms:>8.0f} "
                      f"{one_ms:>13.2f} {np.abs(got - expected).max():>11.2g} "
                      f"{np.mean(got.argmax(1) == expected.argmax(1)):>12.2%}{note}")
                server.shutdown()
                server.server_close()
        finally:
            driver.quit()


def _a_drawing():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[60:220, 120:160, 3] = 255  # a thick stroke on a transparent canvas
    return canvas


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="also a .keras model")
    parser.add_argument("--default", action="store_true",
                        help="also train the default recipe 3 epochs and measure it")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--browser", action="store_true",
                        help="also measure the TF.js and ONNX pages in headless Chromium")
    parser.add_argument("--browser-only", action="store_true",
                        help="only the pages in headless Chromium")
    args = parser.parse_args(argv)
    from mnist_keras.pretrained import load_pretrained

    if args.browser or args.browser_only:
        _browser_report("the pretrained model", load_pretrained(), min(args.repeats, 100))
    if args.browser_only:
        return 0
    _report("the pretrained model", load_pretrained(), args.repeats)
    for path in args.model:
        _report(path, mk.load_model(path), args.repeats)
    if args.default:
        result = mk.train(mk.recipe_config("default", epochs=3))
        _report("the default recipe, 3 epochs", result.model, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
