"""The run contract: typed files, versions, old and newer formats, damaged files."""

import json

import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import (
    SCHEMA_VERSION,
    Run,
    RunConfig,
    RunFormatError,
    RunHistory,
    RunMetrics,
    RunState,
    RunStatus,
    TrialLink,
    run_in,
)
from mnist_keras.training import train


def _read(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, synthetic_data_dir):
    run_dir = tmp_path_factory.mktemp("contract") / "run"
    config = TrainingConfig(model="mlp", data_dir=synthetic_data_dir, train_size=1_200,
                            test_size=1_000, epochs=1, batch_size=64)
    result = train(config, run_dir=run_dir)
    return Run(run_dir), result, config


def test_every_file_is_versioned_and_reads_back_typed(trained):
    run, result, config = trained
    for name in ("config.json", "status.json", "metrics.json", "history.json"):
        with open(run.file(name)) as file:
            assert json.load(file)["schema_version"] == SCHEMA_VERSION
    assert run.config() == RunConfig.for_training(config)
    assert run.config().training == config and run.config().origin == "training"
    assert run.metrics() == result.metrics
    assert run.history() == result.history
    state = run.state()
    assert state.status is RunStatus.COMPLETED and state.finished >= state.started


def test_metrics_always_name_their_classes(trained):
    run, result, _ = trained
    assert result.metrics.class_names == tuple(str(d) for d in range(10))
    assert result.metrics.test_size == 1_000 and result.metrics.num_classes == 10
    # A file from before versioning, without class names, still reads with them.
    legacy = _read(run.file("metrics.json"))
    del legacy["schema_version"], legacy["class_names"]
    assert RunMetrics.from_dict(legacy).class_names == result.metrics.class_names


def test_files_stay_plain_json_for_scripts(trained):
    run, result, _ = trained
    metrics = _read(run.file("metrics.json"))
    assert metrics["test_accuracy"] == result.metrics.test_accuracy
    assert metrics["per_class"][0]["label"] == 0 and len(metrics["confusion_matrix"]) == 10
    config = _read(run.file("config.json"))
    assert config["epochs"] == 1 and config["origin"] == "training"


@pytest.mark.parametrize("cls, name", [(RunConfig, "config.json"), (RunState, "status.json"),
                                       (RunMetrics, "metrics.json"),
                                       (RunHistory, "history.json")])
def test_a_newer_format_is_refused_with_a_reason(trained, cls, name):
    run, _, _ = trained
    data = _read(run.file(name))
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(RunFormatError, match=f"{name} in run format version "
                                             f"{SCHEMA_VERSION} or older.*upgrade"):
        cls.from_dict(data)


def test_a_sweep_trial_link_round_trips_and_guards_its_format(tmp_path):
    run = Run.create(tmp_path / "trial-run")
    assert run.trial() is None  # a run outside any sweep
    link = TrialLink(study="lr", storage="sqlite:///runs/sweeps.db", trial=3, state="pruned",
                     value=0.91, pruned_epoch=2, retry_of=1)
    run.write_trial(link)
    assert run.trial() == link and _read(run.file("trial.json"))["schema_version"] == 1
    assert TrialLink.from_dict({**link.to_dict(), "state": "exploded"}).state == "unknown"
    with pytest.raises(RunFormatError, match="trial.json in run format version"):
        TrialLink.from_dict({**link.to_dict(), "schema_version": SCHEMA_VERSION + 1})
    with pytest.raises(RunFormatError, match="Expected a sweep trial in trial.json"):
        TrialLink.from_dict({"schema_version": 1, "study": "lr"})


def test_unknown_keys_from_a_newer_release_are_ignored():
    state = RunState.from_dict({"schema_version": 1, "status": "running", "gpu": "H100"})
    assert state.status is RunStatus.RUNNING
    config = RunConfig.from_dict({"schema_version": 1, "epochs": 3, "new_setting": True})
    assert config.training.epochs == 3


def test_a_config_records_its_defaults_version_and_older_ones_read_as_they_meant():
    from mnist_keras.recipes import recipe_config
    from mnist_keras.settings import DEFAULTS_VERSION

    config = RunConfig.for_training(TrainingConfig(epochs=3))
    written = config.to_dict()
    assert written["defaults_version"] == DEFAULTS_VERSION
    assert RunConfig.from_dict(written) == config
    # A run written before the record trained with version 1's defaults: a
    # setting its file lacks (one that did not exist then) reads as it was.
    old = {key: value for key, value in written.items()
           if key not in ("defaults_version", "augment", "binarize", "shear", "stroke_width",
                          "dropout", "label_smoothing", "rotation", "zoom", "translation")}
    assert RunConfig.from_dict(old).training == recipe_config("plain", epochs=3)
    newer = {**written, "defaults_version": DEFAULTS_VERSION + 1}
    with pytest.raises(MnistKerasError, match="upgrade to read it"):
        RunConfig.from_dict(newer)


def test_an_upload_round_trips_and_old_uploads_read():
    upload = RunConfig.for_upload("mine.keras")
    assert RunConfig.from_dict(upload.to_dict()) == upload
    assert upload.model_label == "uploaded" and upload.settings()["source_file"] == "mine.keras"
    old = {"model": "uploaded", "source_file": "x.keras", "test_size": 10000,
           "dataset": "mnist"}  # written before versioning
    assert RunConfig.from_dict(old).origin == "upload"


def test_damaged_and_foreign_files(tmp_path):
    run = Run.create(tmp_path / "r")
    assert run.config() is None and run.metrics() is None
    assert run.state().status is RunStatus.UNKNOWN and run.history() == RunHistory()
    (tmp_path / "r" / "metrics.json").write_text("{half")
    with pytest.raises(RunFormatError, match="readable JSON in r/metrics.json"):
        run.metrics()
    (tmp_path / "r" / "config.json").write_text('["a", "list"]')
    with pytest.raises(RunFormatError, match="r/config.json to hold a JSON object"):
        run.config()
    (tmp_path / "r" / "config.json").write_text('{"epochs": 9999}')
    with pytest.raises(RunFormatError, match="valid settings in r/config.json"):
        run.config()
    (tmp_path / "r" / "status.json").write_text("garbage")
    assert run.status is RunStatus.UNKNOWN  # an unreadable status is unknown, not a crash


def test_status_is_an_enum_that_reads_as_text():
    assert RunStatus.CANCELLED.is_finished and not RunStatus.FAILED.is_finished
    assert RunStatus.FAILED.is_final and not RunStatus.RUNNING.is_final
    assert RunStatus.COMPLETED == "completed" and f"{RunStatus.RUNNING}" == "running"
    assert RunState.from_dict({"status": "exploded"}).status is RunStatus.UNKNOWN


def test_run_names_from_requests_stay_inside_the_runs_folder(tmp_path):
    (tmp_path / "runs" / "good").mkdir(parents=True)
    Run(tmp_path / "runs" / "good").set_status("completed")
    (tmp_path / "outside").mkdir()
    Run(tmp_path / "outside").set_status("completed")
    (tmp_path / "runs" / "link").symlink_to(tmp_path / "outside")
    assert run_in(tmp_path / "runs", "good").name == "good"
    for name in ("../outside", "link", "/etc", ".hidden", "", None, ["good"], "a" * 81,
                 "good/../good"):
        with pytest.raises(MnistKerasError):
            run_in(tmp_path / "runs", name)
    with pytest.raises(MnistKerasError, match="an existing run"):
        run_in(tmp_path / "runs", "missing")


def test_new_run_names_are_unique_and_made_atomically(tmp_path):
    first = Run.create_new(tmp_path, "cnn")
    second = Run.create_new(tmp_path, "cnn")
    assert first.name != second.name and second.name.startswith(first.name)
    assert Run.create_new(tmp_path, "../../x y").name.startswith("x-y-")
    assert Run.create_new(tmp_path, "").name.startswith("run-")
