"""A model trained elsewhere becomes a run: from Python and from `mnist-keras import`."""

import json
import os

import keras
import pytest

from mnist_keras.cli import main
from mnist_keras.errors import MnistKerasError
from mnist_keras.importing import import_model
from mnist_keras.models import build_model
from mnist_keras.runs import RunStatus, list_runs


@pytest.fixture(scope="module")
def mlp_file(tmp_path_factory):
    # Untrained: the import evaluates it as it is (about 10% accuracy).
    path = tmp_path_factory.mktemp("models") / "mlp.keras"
    build_model("mlp").save(path)
    return str(path)


def test_an_imported_model_is_an_evaluated_run_in_a_fresh_runs_folder(tmp_path, mlp_file):
    runs_dir = tmp_path / "fresh" / "runs"  # neither folder exists yet
    run = import_model(mlp_file, runs_dir, name="from-elsewhere")
    assert run.name == "from-elsewhere" and run.status is RunStatus.COMPLETED
    config, metrics = run.config(), run.metrics()
    assert config.origin == "upload" and config.source_file == "mlp.keras"
    assert metrics.num_params == 109_386 and sum(map(sum, metrics.confusion_matrix)) == 10_000
    assert 0 <= metrics.test_accuracy <= 1 and metrics.calibration is not None
    assert [found.name for found in list_runs(runs_dir)] == ["from-elsewhere"]
    # Without a name, the file names it.
    assert import_model(mlp_file, runs_dir).name.startswith("imported-mlp-")


@pytest.mark.parametrize("content, name, message", [
    (b"not a zip", "model.keras", "a zip archive"),
    (None, "missing.keras", "an existing .keras model file"),
    (b"", "model.h5", "ending in .keras"),
])
def test_a_bad_file_is_refused_and_nothing_is_left(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    runs_dir = tmp_path / "runs"
    with pytest.raises(MnistKerasError, match=message):
        import_model(path, runs_dir)
    assert not runs_dir.exists()


def test_a_model_that_cannot_read_digits_is_refused(tmp_path):
    path = tmp_path / "five.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(5)]).save(path)
    with pytest.raises(MnistKerasError, match="to 10 classes"):
        import_model(path, tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_a_taken_or_bad_name_is_refused_before_any_work(tmp_path, mlp_file):
    runs_dir = tmp_path / "runs"
    (runs_dir / "taken").mkdir(parents=True)
    with pytest.raises(MnistKerasError, match="a name no other run has"):
        import_model(mlp_file, runs_dir, name="taken")
    with pytest.raises(MnistKerasError, match="a run name of"):
        import_model(mlp_file, runs_dir, name="../outside")
    assert os.listdir(runs_dir) == ["taken"]


def test_the_import_command_writes_a_run_and_says_so(tmp_path, mlp_file, capsys):
    runs_dir = tmp_path / "runs"
    assert main(["import", mlp_file, "--runs-dir", str(runs_dir), "--name", "cli",
                 "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["name"] == "cli" and printed["num_params"] == 109_386
    assert (runs_dir / "cli" / "model.keras").is_file()
    assert main(["import", mlp_file, "--runs-dir", str(runs_dir)]) == 0
    assert "imported" in capsys.readouterr().out


def test_the_import_command_refuses_in_one_line_and_leaves_nothing(tmp_path, capsys):
    forged = tmp_path / "forged.keras"
    forged.write_text("not a zip")
    runs_dir = tmp_path / "runs"
    assert main(["import", str(forged), "--runs-dir", str(runs_dir)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("mnist-keras import: error: Expected a .keras file")
    assert len(error.strip().splitlines()) == 1 and not runs_dir.exists()
