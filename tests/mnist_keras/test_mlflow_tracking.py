"""Runs logged to MLflow: a real tracking server on loopback (SQLite backend) and a
`file:` store, read back with MLflow's own client."""

import json
import os
import pathlib
import sys
from unittest import mock

import keras
import pytest
from mlflow.tracking import MlflowClient

from mnist_keras.callbacks import StopSignal
from mnist_keras.cli import main
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.mlflow_tracking import EXPERIMENT, RECORD_FILE
from mnist_keras.reproduction import resume_training
from mnist_keras.runs import Run, RunStatus
from mnist_keras.sweeps import run_sweep
from mnist_keras.training import train
from tests.conftest import RequestStopAfterEpoch
from tests.servers import free_port, serving


def _config(data_dir, **settings):
    return TrainingConfig(**{**dict(
        model="simple", data_dir=data_dir, train_size=400, test_size=100, epochs=2,
        batch_size=64, validation_split=0.1, augment=False, tensorboard=False), **settings})


@pytest.fixture(scope="module")
def tracking_server(tmp_path_factory):
    """`mlflow server` on loopback, its runs in SQLite and its artifacts in a folder."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving([sys.executable, "-m", "mlflow", "server", "--host", "127.0.0.1", "--port",
                  str(port), "--backend-store-uri", f"sqlite:///{folder / 'mlflow.db'}",
                  "--artifacts-destination", str(folder / "artifacts"), "--workers", "1"],
                 f"{url}/health", lambda answer: answer.status == 200, "the MLflow server",
                 cwd=folder):
        yield url


@pytest.fixture(autouse=True)
def _read_file_stores(monkeypatch):
    # MLflow 3 refuses its file store unless asked; the tracker asks for its own
    # calls only (checked here: the process is left as it was), and the tests
    # ask to read the stores back.
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)
    yield
    assert "MLFLOW_ALLOW_FILE_STORE" not in os.environ


def _reading():
    return mock.patch.dict(os.environ, {"MLFLOW_ALLOW_FILE_STORE": "true"})


def _logged(uri, run_dir):
    record = json.loads((run_dir / RECORD_FILE).read_text())
    client = MlflowClient(tracking_uri=uri)
    return client, client.get_run(record["run_id"])


def _read_back(uri, run_dir, result):
    client, logged = _logged(uri, run_dir)
    assert logged.info.run_name == run_dir.name and logged.info.status == "FINISHED"
    assert logged.data.tags["mnist-keras.run_folder"] == run_dir.name
    assert client.get_experiment(logged.info.experiment_id).name == EXPERIMENT
    params = logged.data.params
    assert params["model"] == "simple" and params["batch_size"] == "64"
    assert float(params["learning_rate"]) == _config("x").learning_rate
    assert "data_dir" not in params and "mlflow" not in params
    losses = client.get_metric_history(logged.info.run_id, "loss")
    assert [metric.step for metric in losses] == [1, 2]
    assert [metric.value for metric in losses] == pytest.approx(
        [epoch["loss"] for epoch in result.history.epochs])
    assert len(client.get_metric_history(logged.info.run_id, "val_accuracy")) == 2
    assert logged.data.metrics["test_accuracy"] == pytest.approx(result.metrics.test_accuracy)
    assert logged.data.metrics["num_params"] == result.metrics.num_params
    artifacts = {item.path for folder in ("model", "report")
                 for item in client.list_artifacts(logged.info.run_id, folder)}
    assert {"model/model.keras", "report/metrics.json", "report/config.json",
            "report/history.json", "report/environment.json"} <= artifacts
    # The logged model is the run's, byte for byte.
    copy = client.download_artifacts(logged.info.run_id, "model/model.keras",
                                     str(run_dir.parent))
    assert pathlib.Path(copy).read_bytes() == (run_dir / "model.keras").read_bytes()
    return client, logged


def test_a_run_is_logged_to_a_tracking_server(tracking_server, tmp_path, synthetic_data_dir):
    run_dir = tmp_path / "served"
    result = train(_config(synthetic_data_dir, mlflow=tracking_server), run_dir=run_dir)
    _read_back(tracking_server, run_dir, result)


def test_a_run_is_logged_to_a_file_store(tmp_path, synthetic_data_dir):
    uri = f"file:{tmp_path / 'mlruns'}"
    run_dir = tmp_path / "filed"
    result = train(_config(synthetic_data_dir, mlflow=uri), run_dir=run_dir)
    with _reading():
        _read_back(uri, run_dir, result)


def test_an_unreachable_server_stops_the_logging_not_the_training(tmp_path, synthetic_data_dir,
                                                                  capfd):
    run_dir = tmp_path / "alone"
    result = train(_config(synthetic_data_dir, epochs=1,
                           mlflow=f"http://127.0.0.1:{free_port()}"), run_dir=run_dir)
    assert result.status is RunStatus.COMPLETED and Run(run_dir).status is RunStatus.COMPLETED
    said = [line for line in capfd.readouterr().err.splitlines() if "MLflow" in line]
    assert len(said) == 1 and "MLflow logging stopped" in said[0], said
    assert said[0].endswith("training goes on.")
    assert not (run_dir / RECORD_FILE).exists()


def test_a_scheme_mlflow_does_not_know_stops_the_logging_in_one_line(tmp_path,
                                                                     synthetic_data_dir, capfd):
    result = train(_config(synthetic_data_dir, epochs=1, mlflow="nosuch://somewhere"),
                   run_dir=tmp_path / "unknown")
    assert result.status is RunStatus.COMPLETED
    said = [line for line in capfd.readouterr().err.splitlines() if "MLflow" in line]
    assert len(said) == 1 and "MLflow logging stopped (nosuch://somewhere)" in said[0]


class _Crash(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise RuntimeError("the disk went away\nsecond line")


def test_a_crashed_training_ends_its_mlflow_run_failed(tmp_path, synthetic_data_dir):
    uri = f"file:{tmp_path / 'mlruns'}"
    run_dir = tmp_path / "crashed"
    with pytest.raises(RuntimeError):
        train(_config(synthetic_data_dir, mlflow=uri), run_dir=run_dir, callbacks=[_Crash()])
    with _reading():
        _, logged = _logged(uri, run_dir)
    assert logged.info.status == "FAILED"
    assert logged.data.tags["mnist-keras.error"] == "the disk went away"


def test_a_cancelled_run_is_killed_and_its_resume_goes_on_in_the_same_mlflow_run(
        tmp_path, synthetic_data_dir):
    uri = f"file:{tmp_path / 'mlruns'}"
    run_dir = tmp_path / "stopped"
    config = _config(synthetic_data_dir, epochs=3, mlflow=uri)
    stop = StopSignal()
    first = train(config, run_dir=run_dir, callbacks=[RequestStopAfterEpoch(stop), stop])
    assert first.status is RunStatus.CANCELLED
    with _reading():
        client, logged = _logged(uri, run_dir)
    assert logged.info.status == "KILLED"
    resumed = resume_training(run_dir)
    assert resumed.status is RunStatus.COMPLETED
    with _reading():
        client, again = _logged(uri, run_dir)
        steps = [metric.step for metric in
                 client.get_metric_history(again.info.run_id, "loss")]
    assert again.info.run_id == logged.info.run_id and again.info.status == "FINISHED"
    assert steps[-1] == 3 and sorted(set(steps)) == [1, 2, 3]


def test_a_sweeps_trials_are_children_of_one_parent_run(tmp_path, synthetic_data_dir):
    uri = f"file:{tmp_path / 'mlruns'}"
    result = run_sweep("logged", 2, runs_dir=tmp_path / "runs",
                       config=_config(synthetic_data_dir, epochs=1, mlflow=uri),
                       space={"learning_rate": {"low": 1e-3, "high": 1e-2, "log": True}})
    assert result.finished == 2
    client = MlflowClient(tracking_uri=uri)
    with _reading():
        experiment = client.get_experiment_by_name(EXPERIMENT)
        runs = client.search_runs([experiment.experiment_id])
    (parent,) = [run for run in runs if run.data.tags.get("mnist-keras.sweep") == "logged"]
    children = [run for run in runs if run.data.tags.get("mlflow.parentRunId")
                == parent.info.run_id]
    assert sorted(int(run.data.tags["mnist-keras.trial"]) for run in children) == [0, 1]
    assert all(run.data.tags["mnist-keras.study"] == "logged" for run in children)
    # Each trial logs the learning rate the sweep drew for it.
    drawn = {run.data.params["learning_rate"] for run in children}
    assert len(drawn) == 2


def test_prune_logs_its_run_from_the_command_line(tmp_path, small_cnn_run, capsys):
    uri = f"file:{tmp_path / 'mlruns'}"
    main(["prune", str(small_cnn_run / "model.keras"), "--sparsity", "0.5",
          "--fine-tune-epochs", "0", "--run-dir", str(tmp_path / "pruned"), "--mlflow", uri])
    with _reading():
        _, logged = _logged(uri, tmp_path / "pruned")
    assert logged.data.params["sparsity"] == "0.5" and logged.info.status == "FINISHED"


@pytest.mark.parametrize("uri", ["http://me:secret@tracking.lan", "https://t.lan/?token=abc",
                                 "http://a b", ""])
def test_a_uri_with_a_password_or_spaces_is_refused(uri):
    with pytest.raises(MnistKerasError, match="Expected mlflow"):
        TrainingConfig(mlflow=uri)
