"""Your own Keras code: `RunRecorder` in a plain `model.fit`, and `train(config, model=...)`."""

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.recording import RunRecorder
from mnist_keras.runs import Run, RunIndex, RunStatus
from mnist_keras.sinks import read_jsonl
from tests.conftest import make_digits


def _digits(count, seed=0):
    images, labels = make_digits(count, seed)
    return images[..., None].astype("float32") / 255.0, labels.astype("int64")


def _functional():
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(32, activation="relu")(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="my_mlp")


class SmallNet(keras.Model):
    """A subclassed model, as people write them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.out = keras.layers.Dense(10, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(self.flatten(inputs)))


class Explode(keras.callbacks.Callback):
    def __init__(self, error):
        super().__init__()
        self.error = error

    def on_epoch_end(self, epoch, logs=None):
        raise self.error


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A functional model trained by its own `model.fit`, recorded (two epochs)."""
    x, y = _digits(640)
    test = _digits(200, seed=1)
    model = _functional()
    model.compile(keras.optimizers.Adam(2e-3), "sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    run_dir = tmp_path_factory.mktemp("own") / "my-mlp"
    recorder = RunRecorder(run_dir, settings={"width": 32, "idea": "a plain MLP"},
                           test_data=test, batch_size=64)
    model.fit(x, y, batch_size=64, epochs=2, validation_split=0.1, verbose=0,
              callbacks=[recorder])
    return recorder, model, test


def test_a_plain_fit_with_the_recorder_writes_a_whole_run(recorded):
    recorder, model, (x_test, y_test) = recorded
    run = recorder.run
    assert run.status is RunStatus.COMPLETED
    config = run.config()
    assert config.origin == "code" and config.training is None and not config.from_settings
    assert config.model_label == "my_mlp (code)"
    assert config.code_model.class_name == "Functional"
    assert config.code_model.params == model.count_params()
    assert config.code_model.input_shape == (28, 28, 1) and "dense" in config.code_model.summary
    settings = config.settings()
    assert settings["optimizer"] == "adam" and settings["learning_rate"] == pytest.approx(2e-3)
    assert settings["loss"] == "sparse_categorical_crossentropy"
    assert (settings["epochs"], settings["steps_per_epoch"], settings["batch_size"]) == (2, 9, 64)
    assert (settings["width"], settings["idea"]) == (32, "a plain MLP")
    # The live records, under the names every run uses (the model said
    # sparse_categorical_accuracy).
    events, _ = read_jsonl(run.file("events.jsonl"))
    assert [e["epoch"] for e in events if e["type"] == "epoch"] == [1, 2]
    assert sum(e["type"] == "batch" for e in events) == 18
    history = run.history()
    assert all("accuracy" in e and "val_accuracy" in e for e in history.epochs)
    # The same metrics as any run, on the data given.
    metrics = run.metrics()
    expected = float((model.predict(x_test, verbose=0).argmax(1) == y_test).mean())
    assert metrics.test_accuracy == pytest.approx(expected)
    assert metrics.epochs_done == 2 and len(metrics.confusion_matrix) == 10
    assert metrics.best_epoch.epoch in (1, 2) and run.environment().keras == keras.__version__
    # It lists, loads (safe mode) and predicts like any run.
    (summary,) = RunIndex(os.path.dirname(run.path)).refresh()
    assert summary.has_model and summary.test_accuracy == metrics.test_accuracy
    assert summary.model_label == "my_mlp (code)"
    loaded = run.load_model()
    np.testing.assert_allclose(loaded.predict(x_test[:5], verbose=0),
                               model.predict(x_test[:5], verbose=0), atol=1e-6)


def test_a_recorded_run_prunes_exports_and_has_a_model_card(recorded, tmp_path):
    from mnist_keras.fine_tuning import pruning_config
    from mnist_keras.model_card import model_card
    from mnist_keras.training import train
    from web_export import export_model

    recorder, _, _ = recorded
    card = model_card(recorder.run.path)
    assert "`my_mlp` (Functional" in card and "recorded there" in card
    pruned = train(pruning_config(recorder.run.file("model.keras"), 0.5, fine_tune_epochs=0,
                                  train_size=600, test_size=500), run_dir=tmp_path / "pruned")
    assert pruned.metrics.sparsity.sparsity == pytest.approx(0.5, abs=0.02)
    site = export_model(recorder.run.file("model.keras"), tmp_path / "site")
    assert site.info["test_accuracy"] == recorder.run.metrics().test_accuracy


def test_reproduce_and_resume_say_a_model_from_code_needs_its_code(recorded):
    from mnist_keras.reproduction import reproduce_run
    from mnist_keras.resuming import resumable_run

    recorder, _, _ = recorded
    with pytest.raises(MnistKerasError, match="needs that code"):
        reproduce_run(recorder.run.path)
    with pytest.raises(MnistKerasError, match="needs that code"):
        resumable_run(recorder.run.path)
    # The dashboard's "Reproduce this run" says what to do instead.
    from dashboard.panels.results.callbacks import run_lines

    python, command = run_lines(os.path.dirname(recorder.run.path), recorder.run.name)
    assert python.startswith("Trained by its own code's model.fit") and command == ""


def test_a_model_that_is_not_a_digit_classifier_is_recorded_without_metrics(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)], name="regressor")
    model.compile("sgd", "mse")
    recorder = RunRecorder(tmp_path / "regression")
    model.fit(np.ones((16, 4)), np.zeros((16, 3)), epochs=1, verbose=0, callbacks=[recorder])
    state = recorder.run.state()
    assert state.status is RunStatus.COMPLETED and recorder.run.metrics() is None
    assert state.note.startswith("No metrics: they need a model from 28x28x1 images")
    assert os.path.isfile(recorder.run.file("model.keras"))
    assert recorder.run.config().settings()["loss"] == "mse"


def test_bad_input_is_refused_with_one_line(recorded, tmp_path):
    recorder, model, _ = recorded
    with pytest.raises(MnistKerasError, match="already holds a run"):
        RunRecorder(recorder.run.path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(MnistKerasError, match="a folder path"):
        RunRecorder(tmp_path / "file")
    with pytest.raises(MnistKerasError, match="text, numbers or booleans"):
        RunRecorder(tmp_path / "a", settings={"layers": [1, 2]})
    with pytest.raises(MnistKerasError, match="shaped \\(N, 28, 28, 1\\)"):
        RunRecorder(tmp_path / "b", test_data=(np.zeros((3, 28, 28)), [0, 1, 2]))
    with pytest.raises(MnistKerasError, match="batch_size"):
        RunRecorder(tmp_path / "c", batch_size=0)
    # One recorder per fit: a second fit with it is refused before touching the run.
    with pytest.raises(MnistKerasError, match="a new RunRecorder"):
        model.fit(*_digits(64), epochs=1, verbose=0, callbacks=[recorder])
    assert recorder.run.status is RunStatus.COMPLETED
    assert not os.path.exists(tmp_path / "a")


def test_a_fit_that_raises_ends_failed_and_ctrl_c_ends_cancelled(tmp_path):
    x, y = _digits(128)
    model = _functional()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    with pytest.raises(ValueError), RunRecorder(tmp_path / "raises") as recorder:
        model.fit(x, y, epochs=3, verbose=0,
                  callbacks=[recorder, Explode(ValueError("loss went to NaN\nmore"))])
    state = recorder.run.state()
    assert state.status is RunStatus.FAILED and state.error == "loss went to NaN"
    assert "ValueError" in state.traceback
    with pytest.raises(KeyboardInterrupt), RunRecorder(tmp_path / "interrupted") as recorder:
        model.fit(x, y, epochs=3, verbose=0,
                  callbacks=[recorder, Explode(KeyboardInterrupt())])
    run = recorder.run
    assert run.status is RunStatus.CANCELLED  # what was trained is kept and evaluated
    assert run.metrics().test_accuracy > 0 and len(run.history().epochs) == 1
    # Without a `with` block, a fit that raised is ended by the next one in
    # the same thread (a notebook cell that caught the error, then trained again).
    lone = RunRecorder(tmp_path / "lone")
    with pytest.raises(RuntimeError):
        model.fit(x, y, epochs=2, verbose=0, callbacks=[lone, Explode(RuntimeError("boom"))])
    assert lone.run.status is RunStatus.RUNNING  # the process lives: nothing says otherwise yet
    model.fit(x, y, epochs=1, verbose=0, callbacks=[RunRecorder(tmp_path / "next")])
    assert lone.run.status is RunStatus.FAILED and "without finishing" in lone.run.state().error


def test_an_uncaught_error_in_a_script_ends_its_run_failed(tmp_path):
    script = textwrap.dedent(f"""
        import keras, numpy as np
        import mnist_keras as mk
        model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        class Explode(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                raise RuntimeError("the data ran out")
        model.fit(np.zeros((32, 28, 28, 1)), np.zeros(32), epochs=2, verbose=0,
                  callbacks=[mk.RunRecorder({str(tmp_path / "script")!r}), Explode()])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 1 and "the data ran out" in done.stderr
    state = Run(tmp_path / "script").state()
    assert state.status is RunStatus.FAILED and state.error == "the data ran out"


def test_train_takes_your_own_subclassed_model_and_records_it(synthetic_data_dir, tmp_path):
    from mnist_keras.recipes import recipe_config
    from mnist_keras.training import train

    config = recipe_config("plain", model="mlp", data_dir=synthetic_data_dir, train_size=600,
                           test_size=300, epochs=1, batch_size=64)
    net = SmallNet(name="small_net")
    result = train(config, run_dir=tmp_path / "net", model=net)
    assert result.model is net and result.metrics.test_accuracy > 0.5
    run = Run(tmp_path / "net")
    config_read = run.config()
    assert config_read.origin == "training" and not config_read.from_settings
    assert config_read.code_model.class_name.endswith("test_recording.SmallNet")
    assert config_read.code_model.params == net.count_params()
    assert config_read.model_label == "small_net (code)"
    assert config_read.settings()["model"] == "small_net (code)"
    assert config_read.training.optimizer == config.optimizer  # the recipe's optimizer
    # Its reproduce lines pass a model built in Python; the command line cannot.
    from dashboard.panels.results.callbacks import run_lines

    python, command = run_lines(tmp_path, "net")
    assert "test_recording.SmallNet" in python and "model=model" in python and command == ""
    with pytest.raises(MnistKerasError, match="keras.Model"):
        train(config, model="cnn")
    wrong = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    with pytest.raises(MnistKerasError, match="to 10 classes"):
        train(config, run_dir=tmp_path / "wrong", model=wrong)
    assert not os.path.exists(tmp_path / "wrong")


def test_a_run_that_cannot_start_ends_failed_and_says_so(tmp_path, monkeypatch):
    import mnist_keras.recording as recording

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recording, "current_environment", broken)
    model = _functional()
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(OSError, match="No space left"):
        model.fit(*_digits(32), epochs=1, verbose=0,
                  callbacks=[RunRecorder(tmp_path / "full")])
    state = Run(tmp_path / "full").state()
    assert state.status is RunStatus.FAILED and state.error == "The run could not be started."
