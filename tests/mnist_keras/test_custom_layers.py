"""A model with a custom layer: loads in safe mode once its module is named, exports if it can."""

import os
import subprocess
import sys
import textwrap
import uuid

import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, load_model, use_custom_modules
from mnist_keras.runs.model_files import MODULES_VARIABLE

LAYERS = textwrap.dedent("""
    import keras

    @keras.saving.register_keras_serializable(package="{module}")
    class Brighten(keras.layers.Layer):
        '''Multiplies the image by a learned factor.'''

        def build(self, input_shape):
            self.factor = self.add_weight(shape=(), initializer="ones", name="factor")

        def call(self, inputs):
            return inputs * self.factor
""")

SAVE = textwrap.dedent("""
    import sys, keras
    import mnist_keras as mk
    from {module} import Brighten

    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(Brighten(name="brighten")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    config = mk.recipe_config("plain", data_dir=sys.argv[2], train_size=600, test_size=300,
                              epochs=1, batch_size=64)
    mk.train(config, run_dir=sys.argv[1], model=model)
""")


@pytest.fixture(scope="module")
def custom_run(tmp_path_factory, synthetic_data_dir):
    """A run whose model has a custom layer, trained in a process that imported its module."""
    folder = tmp_path_factory.mktemp("custom")
    module = f"layers_{uuid.uuid4().hex[:8]}"  # registered in this process only when imported
    (folder / f"{module}.py").write_text(LAYERS.format(module=module))
    done = subprocess.run([sys.executable, "-c", SAVE.format(module=module),
                           str(folder / "run"), synthetic_data_dir], cwd=folder,
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    return folder, module, Run(folder / "run")


@pytest.fixture
def clean_imports(monkeypatch):
    # Set, not deleted: monkeypatch then removes what use_custom_modules writes too.
    monkeypatch.setenv(MODULES_VARIABLE, "")
    monkeypatch.setattr(sys, "path", list(sys.path))


def test_a_custom_layer_loads_once_its_module_is_named(custom_run, clean_imports, monkeypatch):
    folder, module, run = custom_run
    with pytest.raises(MnistKerasError, match="--import-module NAME"):
        load_model(run.file("model.keras"))
    monkeypatch.chdir(folder)  # the module sits in the working folder
    with pytest.raises(MnistKerasError, match="importable module.*no_such_layers"):
        use_custom_modules(["no_such_layers"])
    with pytest.raises(MnistKerasError, match="module name"):
        use_custom_modules(["os; rm -rf"])
    use_custom_modules([module])
    assert os.environ[MODULES_VARIABLE] == module  # child processes import it too
    model = load_model(run.file("model.keras"))
    assert type(model.get_layer("brighten")).__module__ == module
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    assert model.predict(images, verbose=0).shape == (4, 10)


def test_the_export_says_per_format_whether_it_carries_a_custom_layer(
        custom_run, clean_imports, monkeypatch, tmp_path):
    from web_export import export_format, export_model

    folder, module, run = custom_run
    monkeypatch.chdir(folder)
    use_custom_modules([module])
    # ONNX traces the layer's operations: it carries it, proven against Keras.
    onnx = export_format(run.file("model.keras"), tmp_path / "onnx", format="onnx",
                         parity_images=200)
    assert onnx.parity["argmax_agreement"] == 1.0
    # TensorFlow.js rebuilds layers by class in the browser: it names the one it lacks.
    with pytest.raises(MnistKerasError, match="Brighten"):
        export_model(run.file("model.keras"), tmp_path / "site")


def test_the_command_line_takes_import_module(custom_run, clean_imports, monkeypatch, capsys):
    from mnist_keras.cli import main

    folder, module, run = custom_run
    monkeypatch.chdir(folder)
    assert main(["--import-module", module, "evaluate", run.file("model.keras"),
                 "--test-size", "300", "--json"]) == 0
    assert '"accuracy"' in capsys.readouterr().out
    assert os.environ[MODULES_VARIABLE] == module  # named for the children it starts too
