"""Your own Keras code in another process, followed live by the dashboard in headless Chromium."""

import os
import subprocess
import sys
import textwrap

import pytest

from dashboard.shared import ids
from mnist_keras.runs import Run
from tests.dashboard.browser import start_dashboard, stop_dashboard, until

pytestmark = pytest.mark.browser

# A user's script: a functional model trained by its own model.fit with the
# recorder, then a subclassed one through mk.train(config, model=...). Each
# waits after its first epoch until the test has seen it running.
SCRIPT = textwrap.dedent("""
    import os, sys, time
    import keras, numpy as np
    import mnist_keras as mk
    from mnist_keras.datasets import load_dataset

    runs, data_dir = sys.argv[1], sys.argv[2]

    class WaitFor(keras.callbacks.Callback):
        def __init__(self, path):
            super().__init__()
            self.path = path
        def on_epoch_end(self, epoch, logs=None):
            deadline = time.monotonic() + 120
            while epoch == 0 and not os.path.exists(self.path) and time.monotonic() < deadline:
                time.sleep(0.1)

    data = load_dataset("mnist", data_dir, train_size=600, test_size=300, validation_split=0.1)
    inputs = keras.Input((28, 28, 1))
    hidden = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(hidden),
                        name="notebook_mlp")
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train, data.y_train, validation_data=(data.x_val, data.y_val),
              epochs=2, batch_size=32, verbose=0,
              callbacks=[mk.RunRecorder(os.path.join(runs, "own-fit")),
                         WaitFor(os.path.join(runs, "..", "go-fit"))])

    class SmallNet(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.flatten = keras.layers.Flatten()
            self.out = keras.layers.Dense(10, activation="softmax")
        def call(self, x):
            return self.out(self.flatten(x))

    config = mk.recipe_config("plain", data_dir=data_dir, train_size=600,
                              test_size=300, epochs=2, batch_size=32)
    mk.train(config, run_dir=os.path.join(runs, "own-train"), model=SmallNet(name="small_net"),
             callbacks=[WaitFor(os.path.join(runs, "..", "go-train"))])
""")


def _row(duo, name):
    for row in duo.find_elements(f"#{ids.RUNS_TABLE} tbody tr"):
        if name in row.text:
            return row.text
    return ""


def _follow(duo, runs_dir, name, model, go):
    """The run is listed running, then (once let go on) completed with its metrics."""
    until(duo, lambda: "running" in _row(duo, name), timeout=120)
    assert model in _row(duo, name)
    go.touch()
    until(duo, lambda: "completed" in _row(duo, name), timeout=120)
    metrics = Run(runs_dir / name).metrics()
    # The parameters and the accuracy every run shows.
    until(duo, lambda: f"{metrics.num_params:,}" in _row(duo, name)
          and f"{round(100 * metrics.test_accuracy, 2):g}" in _row(duo, name), timeout=20)


def test_your_own_fit_in_another_process_shows_running_then_completed(
        dash_duo, tmp_path, synthetic_data_dir):
    runs_dir = tmp_path / "runs"
    runs_dir.mkdir()
    app = start_dashboard(dash_duo, runs_dir)
    with open(tmp_path / "script.log", "w") as log:
        script = subprocess.Popen([sys.executable, "-c", SCRIPT, str(runs_dir),
                                   synthetic_data_dir], stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        # The page opened on an empty folder: its progress panel follows the new run.
        until(dash_duo, lambda: "epoch 1/2" in dash_duo.find_element(
            f"#{ids.PROGRESS_TEXT}").text, timeout=120)
        _follow(dash_duo, runs_dir, "own-fit", "notebook_mlp (code)", tmp_path / "go-fit")
        until(dash_duo, lambda: "completed" in dash_duo.find_element(
            f"#{ids.PROGRESS_TEXT}").text, timeout=30)
        _follow(dash_duo, runs_dir, "own-train", "small_net (code)", tmp_path / "go-train")
        assert script.wait(timeout=60) == 0, (tmp_path / "script.log").read_text()[-2000:]
    finally:
        if script.poll() is None:
            script.kill()
        stop_dashboard(dash_duo, app)
