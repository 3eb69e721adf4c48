"""Logging a run to MLflow: its settings, every epoch, its results and its files.

`TrainingConfig(mlflow=URI)` (`--mlflow URI` on train, prune, personalize and
sweep) logs each run to the MLflow tracking server or store at URI
(`http://127.0.0.1:5000`, `file:./mlruns`, `sqlite:///mlflow.db`), in the
experiment `mnist-keras`:

- params: the run's settings (numbers, switches, names; see `scalar_settings`);
- metrics: each epoch's loss, accuracy, val_loss, val_accuracy, learning_rate
  and epoch_seconds (step: the epoch, from 1), then test_accuracy,
  test_loss, train_seconds, epochs_done and num_params;
- artifacts: `model/model.keras`, and the report: `report/metrics.json`,
  `config.json`, `history.json` and `environment.json`;
- tags: the run folder's name (also the MLflow run's name) and path; a
  sweep's trial is a child of one parent run per study.

The MLflow run's id is kept in the run folder (`mlflow.json`), so a resumed run
goes on in the same MLflow run. Logging never costs a run: when MLflow is not
installed, the server cannot be reached or refuses, one line on stderr says why
logging stopped, and training goes on. MLflow 3 keeps its file store in
maintenance mode (it refuses it unless `MLFLOW_ALLOW_FILE_STORE` is set): a
`file:` URI given here opts in, for this module's calls only.
"""

import contextlib
import os
import sys
import time

from mnist_keras.runs import RunStatus
from mnist_keras.settings import scalar_settings

EXPERIMENT = "mnist-keras"
RECORD_FILE = "mlflow.json"
RECORD_VERSION = 1
# What each epoch record gives MLflow, and the final metrics.
EPOCH_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
                 "epoch_seconds")
FINAL_METRICS = ("test_accuracy", "test_loss", "train_seconds", "epochs_done", "num_params")
REPORT_FILES = ("metrics.json", "config.json", "history.json", "environment.json")
_FINAL_STATUS = {RunStatus.COMPLETED: "FINISHED", RunStatus.CANCELLED: "KILLED"}
# A tracker waits this long for an answer and does not retry: an unreachable
# server must cost the training seconds, not MLflow's minutes of back-off.
REQUEST_TIMEOUT_SECONDS = 10


def is_file_store(uri):
    """Whether `uri` names MLflow's file store (`file:./mlruns`, or a plain path)."""
    return uri.startswith("file:") or "://" not in uri and not uri.startswith(
        ("databricks", "sqlite:", "postgresql:", "mysql:", "mssql:"))


@contextlib.contextmanager
def _calls_to(uri):
    # Only while this module calls MLflow: the rest of the process keeps its own.
    saved = {key: os.environ.get(key) for key in
             ("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "MLFLOW_HTTP_REQUEST_TIMEOUT",
              "MLFLOW_ALLOW_FILE_STORE")}
    os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(REQUEST_TIMEOUT_SECONDS)
    if is_file_store(uri):
        # MLflow 3 keeps its file store in maintenance mode and refuses it
        # unless asked: a `file:` URI given to this setting is that asking.
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _one_line(error):
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:300]


def _client(uri):
    try:
        from mlflow.tracking import MlflowClient
    except ImportError as error:
        raise RuntimeError("MLflow is not installed (pip install 'mnist-keras[mlflow]')") \
            from error
    return MlflowClient(tracking_uri=uri)


def _experiment_id(client, name=EXPERIMENT):
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    try:
        return client.create_experiment(name)
    except Exception:
        # Another worker created it a moment ago.
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return experiment.experiment_id


def study_parent_run(client, experiment_id, study):
    """The id of the MLflow run that groups a sweep's trials, created on first use.

    Args:
        client: an `MlflowClient`.
        experiment_id: the experiment the trials are logged in.
        study: the sweep's study name.
    """
    from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME

    quoted = study.replace("\\", "\\\\").replace("'", "\\'")
    found = client.search_runs(
        [experiment_id], max_results=1, order_by=["attributes.start_time ASC"],
        filter_string=f"tags.`mnist-keras.sweep` = '{quoted}'")
    if found:
        return found[0].info.run_id
    parent = client.create_run(experiment_id, run_name=study,
                               tags={"mnist-keras.sweep": study, MLFLOW_RUN_NAME: study})
    # The parent only groups its trials: it has nothing of its own to wait for.
    client.set_terminated(parent.info.run_id, "FINISHED")
    return parent.info.run_id


class MlflowTracker:
    """Logs one run folder's training to MLflow; a sink of its live records.

    Made by `MlflowTracker.start`. Training writes its records to it (only
    `"epoch"` records are logged) and calls `finish` or `fail` at the end.
    Every MLflow call is guarded: the first failure prints one line and
    stops the logging, never the training.

    Attributes:
        run_id: the MLflow run's id (None until started, or if starting failed).
        stopped: whether logging stopped after a failure.
    """

    def __init__(self, uri, run, config):
        self.uri, self.run, self.config = uri, run, config
        self.client = None
        self.run_id = None
        self.stopped = False
        self.ended = False

    @classmethod
    def start(cls, uri, run, config, resumed=False):
        """Starts (or, for a resumed run, reopens) the MLflow run of `run`.

        Args:
            uri: the tracking URI.
            run: the `Run` being trained (its folder exists, its config written).
            config: its `TrainingConfig`.
            resumed: whether the run is resumed: its MLflow run, when the run
                folder names one at the same URI, goes on.

        Returns:
            The `MlflowTracker` (stopped, after one line on stderr, if MLflow
            could not be reached).
        """
        tracker = cls(uri, run, config)
        tracker._guarded(tracker._open, resumed)
        return tracker

    def _guarded(self, action, *args):
        if self.stopped:
            return None
        try:
            with _calls_to(self.uri):
                return action(*args)
        except Exception as error:  # the record, never the run
            self.stopped = True
            print(f"MLflow logging stopped ({self.uri}): {_one_line(error)}; training goes on.",
                  file=sys.stderr, flush=True)
            return None

    def _open(self, resumed):
        from mlflow.entities import Param
        from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID

        self.client = _client(self.uri)
        kept = self.run.read_json(RECORD_FILE) if resumed else None
        if isinstance(kept, dict) and kept.get("tracking_uri") == self.uri \
                and isinstance(kept.get("run_id"), str):
            self.run_id = kept["run_id"]
            self.client.update_run(self.run_id, status="RUNNING")
            return
        experiment_id = _experiment_id(self.client)
        tags = {"mnist-keras.run_folder": self.run.name,
                "mnist-keras.run_path": os.path.abspath(self.run.path)}
        link = self.run.trial()
        if link is not None:
            tags.update({"mnist-keras.study": link.study, "mnist-keras.trial": str(link.trial),
                         MLFLOW_PARENT_RUN_ID: study_parent_run(self.client, experiment_id,
                                                                link.study)})
        created = self.client.create_run(experiment_id, tags=tags, run_name=self.run.name)
        self.run_id = created.info.run_id
        self.run.write_json(RECORD_FILE, {"schema_version": RECORD_VERSION,
                                          "tracking_uri": self.uri,
                                          "experiment_id": experiment_id,
                                          "run_id": self.run_id})
        params = [Param(key, str(value)) for key, value in
                  sorted(scalar_settings(self.config).items())]
        self.client.log_batch(self.run_id, params=params)

    # The sink interface of `MetricsRecorder`: only epochs go to MLflow.
    def write(self, record):
        if record.get("type") == "epoch" and self.run_id and not self.stopped:
            self._guarded(self._log_metrics, record, int(record["epoch"]), EPOCH_METRICS)

    def flush(self):
        pass

    def close(self):
        pass

    def _log_metrics(self, values, step, keys):
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        metrics = [Metric(key, float(values[key]), now, step) for key in keys
                   if isinstance(values.get(key), (int, float))]
        if metrics:
            self.client.log_batch(self.run_id, metrics=metrics)

    def finish(self, status, metrics):
        """Logs the final metrics and the run's files, and ends the MLflow run.

        Args:
            status: the run's `RunStatus` (completed or cancelled).
            metrics: its `RunMetrics`.
        """
        if not self.run_id or self.stopped:
            return
        self.ended = True
        self._guarded(self._finish, status, metrics)

    def _finish(self, status, metrics):
        values = {key: getattr(metrics, key, None) for key in FINAL_METRICS}
        self._log_metrics(values, int(metrics.epochs_done), FINAL_METRICS)
        model_file = self.run.file("model.keras")
        if os.path.isfile(model_file):
            self.client.log_artifact(self.run_id, model_file, artifact_path="model")
        for name in REPORT_FILES:
            if os.path.isfile(self.run.file(name)):
                self.client.log_artifact(self.run_id, self.run.file(name),
                                         artifact_path="report")
        self.client.set_terminated(self.run_id, _FINAL_STATUS.get(status, "FINISHED"))

    def fail(self, message):
        """Ends the MLflow run as failed, with the error's first line as a tag."""
        if not self.run_id or self.stopped or self.ended:
            return
        self.ended = True
        self._guarded(self._fail, message)

    def _fail(self, message):
        self.client.set_tag(self.run_id, "mnist-keras.error", _one_line(message))
        self.client.set_terminated(self.run_id, "FAILED")
