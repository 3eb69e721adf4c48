"""What each bounded request costs the dashboard at its limit: time and memory.

    python benchmarks/request_limits.py

Each probe is something a page (or a forged request) can send: the answer,
the server's time for it, and how much the dashboard process's resident
memory grew. The dashboard runs in this process on a real HTTP server on
127.0.0.1; an uploaded model is first loaded in a watched child process, so
its cost is the child's, reported separately.
"""

import contextlib
import http.client
import json
import os
import resource
import tempfile
import threading
import time
import zipfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from werkzeug.serving import make_server  # noqa: E402

from dashboard.app import create_app  # noqa: E402
from dashboard.panels.draw import canvas  # noqa: E402
from dashboard.shared.limits import MAX_REQUEST_BYTES  # noqa: E402
from mnist_keras.datasets import read_idx  # noqa: E402
from mnist_keras.errors import MnistKerasError  # noqa: E402
from mnist_keras.layer_specs import validate_spec  # noqa: E402
from mnist_keras.model_probe import probe_model_file  # noqa: E402
from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing  # noqa: E402
from mnist_keras.runs import check_digit_classifier  # noqa: E402


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


ROWS = []


def probe(name, action):
    """Runs `action()` (which returns what happened, in words) and records its cost."""
    before, peak_before = rss_mb(), peak_mb()
    start = time.perf_counter()
    try:
        outcome = action()
    except MnistKerasError as error:
        outcome = f"refused: {str(error)[:90]}"
    seconds = time.perf_counter() - start
    ROWS.append((name, outcome, 1000 * seconds, rss_mb() - before,
                 max(0.0, peak_mb() - peak_before)))


def request(port, method="GET", path="/", headers=None, body=None, with_text=False):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if body is not None:
        headers.setdefault("Content-Length", str(len(body)))
    for key, value in headers.items():
        connection.putheader(key, value)
    connection.endheaders()
    if body:
        connection.send(body)
    response = connection.getresponse()
    status = response.status
    text = response.read().decode(errors="replace")
    connection.close()
    return (f"HTTP {status}", text) if with_text else f"HTTP {status}"


def worst_canvas_json():
    # Every bound at once: 200 strokes of curves, as many as the character limit
    # holds, a pen a billion pixels wide, coordinates far off the canvas.
    def canvas_json(commands_per_stroke):
        commands = [["M", 10, 10]] + [["Q", 1e9, i % 280, 140, (i * 7) % 280]
                                      for i in range(commands_per_stroke - 1)]
        paths = [{"type": "path", "strokeWidth": 1e9, "path": commands}
                 for _ in range(canvas.MAX_STROKES)]
        return json.dumps({"objects": paths})

    per_stroke = canvas.MAX_COMMANDS_PER_STROKE
    while len(canvas_json(per_stroke)) > canvas.MAX_JSON_CHARS:
        per_stroke = int(per_stroke * 0.9)
    return canvas_json(per_stroke)


def draw(text):
    strokes = canvas.strokes_from_json(text)
    points = sum(len(stroke["points"]) for stroke in strokes)
    try:
        preprocess_drawing(canvas.render_strokes(strokes))
        return f"{len(strokes)} strokes, {points:,} points kept; drawn and preprocessed"
    except EmptyDrawingError:
        return f"{len(strokes)} strokes, {points:,} points kept: not a digit"


def huge_keras_file(folder, units=2_000_000):
    # A few hundred kilobytes of config that declares a layer of millions of units.
    config = {"module": "keras", "class_name": "Sequential", "config": {"name": "huge", "layers": [
        {"module": "keras.layers", "class_name": "InputLayer",
         "config": {"batch_shape": [None, 28, 28, 1], "dtype": "float32", "name": "input"}},
        {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten"}},
        {"module": "keras.layers", "class_name": "Dense",
         "config": {"name": "wide", "units": units, "activation": "relu"}},
        {"module": "keras.layers", "class_name": "Dense",
         "config": {"name": "out", "units": 10, "activation": "softmax"}}]},
        "build_config": {"input_shape": [None, 28, 28, 1]}}
    path = os.path.join(folder, "huge.keras")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
    return path


def big_config_file(folder, size=2 * 1024 * 1024):
    path = os.path.join(folder, "big-config.keras")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps({"padding": "x" * size}))
    return path


def gzip_bomb(folder):
    import gzip
    import struct

    path = os.path.join(folder, "t10k-labels-idx1-ubyte.gz")
    with gzip.open(path, "wb", compresslevel=9) as bomb:
        bomb.write(struct.pack(">HBBi", 0, 0x08, 1, 2_000_000_000))
        chunk = bytes(1024 * 1024)
        for _ in range(2048):
            bomb.write(chunk)
    return path


def main():
    folder = tempfile.mkdtemp(prefix="limits-")
    app = create_app(os.path.join(folder, "runs"))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    request(port)  # warm up: the first page load builds Dash's index
    callback = json.dumps({"output": "preview.children", "outputs": {
        "id": "preview", "property": "children"}, "inputs": [
        {"id": "reshuffle", "property": "n_clicks", "value": 1},
        {"id": "dataset", "property": "value", "value": "mnist"},
        {"id": "data-dir", "property": "value", "value": ""}],
        "changedPropIds": ["reshuffle.n_clicks"], "state": []}).encode()

    probe("page with Host: evil.example (DNS rebinding)",
          lambda: request(port, headers={"Host": "evil.example"}))
    probe("callback with Origin: http://evil.example",
          lambda: request(port, "POST", "/_dash-update-component", body=callback,
                          headers={"Content-Type": "application/json",
                                   "Origin": "http://evil.example"}))
    probe(f"body announcing {MAX_REQUEST_BYTES + 1:,} bytes (headers only)",
          lambda: request(port, "POST", "/_dash-update-component", body=b"",
                          headers={"Content-Type": "application/json",
                                   "Content-Length": str(MAX_REQUEST_BYTES + 1)}))
    probe("a callback of the page itself",
          lambda: request(port, "POST", "/_dash-update-component", body=callback,
                          headers={"Content-Type": "application/json",
                                   "Origin": f"http://127.0.0.1:{port}"}))
    worst = worst_canvas_json()
    probe(f"canvas JSON at its limit ({len(worst):,} chars, width 1e9, far coordinates)",
          lambda: draw(worst))
    long_stroke = json.dumps({"objects": [{"type": "path", "path": [["M", 1, 1]] + [
        ["L", i % 280, i % 279] for i in range(1_000_000)]}]})
    probe(f"one stroke of 1,000,000 points ({len(long_stroke):,} chars)",
          lambda: draw(long_stroke))
    long_stroke_in_limit = json.dumps({"objects": [{"type": "path", "path": [["M", 1, 1]] + [
        ["L", i % 280, i % 279] for i in range(150_000)]}]})
    probe(f"one stroke of 150,000 points ({len(long_stroke_in_limit):,} chars)",
          lambda: draw(long_stroke_in_limit))
    probe("strokes with NaN and infinite coordinates",
          lambda: draw('{"objects": [{"type": "path", "path": [["M", NaN, 1], '
                       '["L", Infinity, 2]]}]}'))
    probe("layer spec of 10,000 layers",
          lambda: validate_spec([{"type": "Dense", "units": 8}] * 10_000) and "accepted")
    probe("layer spec of 6.6e9 parameters",
          lambda: validate_spec([{"type": "Dense", "units": 81_000}] * 3) and "accepted")
    nested = {"type": "Dense"}
    for _ in range(50_000):
        nested = {"type": [nested]}
    probe("layer spec nested 50,000 deep",
          lambda: validate_spec([nested]) and "accepted")
    huge = huge_keras_file(folder)
    probe(f".keras of {os.path.getsize(huge) / 1024:.0f} KB declaring Dense(2,000,000) "
          "(loaded in a watched child)",
          lambda: f"{probe_model_file(huge):,} parameters")
    big = big_config_file(folder)
    probe(f".keras whose config.json holds 2 MiB ({os.path.getsize(big) / 1024:.0f} KB "
          "zipped)", lambda: f"{probe_model_file(big):,} parameters")
    bomb = gzip_bomb(folder)
    probe(f"labels file: {os.path.getsize(bomb) / 1024:.0f} KB of gzip that inflates to 2 GiB",
          lambda: f"{len(read_idx(bomb)):,} labels")

    def learning_rate_label(value):
        body = json.dumps({"output": "learning-rate-label.children", "outputs": {
            "id": "learning-rate-label", "property": "children"}, "inputs": [
            {"id": "learning-rate", "property": "value", "value": value}],
            "changedPropIds": ["learning-rate.value"], "state": []}).encode()
        return request(port, "POST", "/_dash-update-component", body=body,
                       headers={"Content-Type": "application/json"})

    probe("learning-rate slider sent 1,000,000,000 (10**1e9 ran for minutes)",
          lambda: learning_rate_label(10**9))
    probe("learning-rate slider sent a list (an HTTP 500 before on_error)",
          lambda: learning_rate_label([1, 2]))

    def data_message(path):
        body = json.dumps({"output": "..data-dir-box.style...data-message.children..."
                                     "data-message.className...train-size.max...train-size"
                                     ".marks...test-size.max...test-size.marks..",
                           "outputs": [{"id": i, "property": p} for i, p in (
                               ("data-dir-box", "style"), ("data-message", "children"),
                               ("data-message", "className"), ("train-size", "max"),
                               ("train-size", "marks"), ("test-size", "max"),
                               ("test-size", "marks"))],
                           "inputs": [{"id": "dataset", "property": "value", "value": "images"},
                                      {"id": "data-dir", "property": "value", "value": path}],
                           "changedPropIds": ["data-dir.value"], "state": []}).encode()
        status, text = request(port, "POST", "/_dash-update-component", body=body,
                               headers={"Content-Type": "application/json"}, with_text=True)
        return f"{status}, " + ("the same line as any folder outside the roots"
                                if "data folder inside" in text else text[:60])

    probe("Data folder box asked about /etc (a folder outside the data roots)",
          lambda: data_message("/etc"))
    probe("Data folder box asked about /no/such/folder",
          lambda: data_message("/no/such/folder"))

    def scores_model():
        import keras

        inputs = keras.Input((28, 28, 1))
        model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
        check_digit_classifier(model)
        return "accepted"

    probe("a model without a softmax (scores, not probabilities)", scores_model)

    starts = []

    def press_train():
        from mnist_keras.config import TrainingConfig

        with contextlib.suppress(MnistKerasError):  # a refused press: one job at a time
            starts.append(app.jobs.start(TrainingConfig(model="mlp", train_size=1000,
                                                        test_size=1000, epochs=1)))

    def four_presses():
        threads = [threading.Thread(target=press_train) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return f"{len(starts)} job started of 4 presses"

    probe("4 simultaneous Train presses", four_presses)
    app.jobs.shutdown()
    server.shutdown()

    print(f"{'probe':78s} {'outcome':60s} {'ms':>8s} {'RSS +MB':>8s} {'peak +MB':>8s}")
    for name, outcome, ms, grown, peak in ROWS:
        print(f"{name[:78]:78s} {outcome[:60]:60s} {ms:8.1f} {grown:8.1f} {peak:8.1f}")


if __name__ == "__main__":
    main()
