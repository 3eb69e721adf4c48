import json
import os
import time

import pytest

from dashboard.jobs import JobManager, list_runs_and_starting
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run


def _wait_for(predicate, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def quick_config(synthetic_data_dir):
    return TrainingConfig(model="mlp", data_dir=synthetic_data_dir, train_size=1_200,
                          test_size=1_000, epochs=1, batch_size=64)


def test_job_trains_in_a_spawned_child_and_one_runs_at_a_time(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    name = jobs.start(quick_config)
    run = Run(tmp_path / name)
    status = run.read_json("status.json")
    assert status["status"] == "running" and status["pid"] != os.getpid()
    assert jobs.running() == name
    with pytest.raises(MnistKerasError, match=f"one job at a time.*running='{name}'"):
        jobs.start(quick_config)
    assert _wait_for(lambda: jobs.running() is None)
    assert run.status == "completed"
    assert (tmp_path / name / "model.keras").exists()
    assert (tmp_path / name / "train.log").exists()  # the child's own output
    second = jobs.start(quick_config)  # allowed once the first has finished
    assert second != name
    jobs.shutdown()


def test_cancel_keeps_what_was_trained(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    config = TrainingConfig(**{**quick_config.to_dict(), "epochs": 200})
    name = jobs.start(config)
    events = tmp_path / name / "events.jsonl"
    assert _wait_for(lambda: events.exists() and b'"batch"' in events.read_bytes())
    jobs.cancel(name)
    assert _wait_for(lambda: jobs.running() is None)
    run = Run(tmp_path / name)
    assert run.status == "cancelled"
    assert run.read_json("metrics.json")["epochs_done"] < 200
    assert (tmp_path / name / "model.keras").exists()


def test_custom_spec_is_saved_in_the_run(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    spec = [{"type": "Flatten"}, {"type": "Dense", "units": 16}]
    name = jobs.start(quick_config, spec=spec)
    assert name.startswith("custom-")
    assert json.loads((tmp_path / name / "spec.json").read_text()) == spec
    assert _wait_for(lambda: jobs.running() is None)
    run = Run(tmp_path / name)
    assert run.status == "completed", run.read_json("status.json")
    assert run.read_json("config.json")["model"] == str(tmp_path / name / "spec.json")
    assert run.read_json("metrics.json")["num_params"] == 784 * 16 + 16 + 170


def test_a_crashed_child_is_marked_failed(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    name = jobs.start(quick_config)
    pid = Run(tmp_path / name).read_json("status.json")["pid"]
    os.kill(pid, 9)
    assert _wait_for(lambda: jobs.running() is None, timeout=30)
    status = Run(tmp_path / name).read_json("status.json")
    assert status["status"] == "failed" and "exit code -9" in status["error"]


def test_a_run_left_running_by_a_dead_process_is_marked_failed(tmp_path):
    run = Run.create(tmp_path / "orphan")
    run.write_json("config.json", {})
    run.set_status("running", pid=2**22 + 12345)  # no such process
    assert JobManager(tmp_path).running() is None
    assert run.status == "failed" and "process is gone" in run.read_json("status.json")["error"]


def test_runs_are_listed_by_start_time_including_starting_ones(tmp_path):
    for name, started in (("b", 2.0), ("a", 1.0), ("c", 3.0)):
        run = Run.create(tmp_path / name)
        if name != "c":
            run.write_json("config.json", {})
        run.set_status("completed", started=started)
    assert [run.name for run in list_runs_and_starting(tmp_path)] == ["a", "b", "c"]


def test_new_run_names_are_unique(tmp_path):
    jobs = JobManager(tmp_path)
    first = jobs.new_run_name("cnn")
    os.makedirs(tmp_path / first)
    second = jobs.new_run_name("cnn")
    assert second != first and second.startswith(first)
    assert jobs.new_run_name("/x/spec.json").startswith("spec-")


def test_queued_settings_train_after_the_started_job(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    second = TrainingConfig(**{**quick_config.to_dict(), "model": "cnn-gap"})
    assert jobs.enqueue(second) == 1
    assert jobs.advance_queue() is None  # nothing started yet: the queue waits
    first = jobs.start(quick_config, name_stem="first")
    assert first.startswith("first-")
    assert jobs.advance_queue() is None  # still busy
    assert _wait_for(lambda: jobs.running() is None)
    started = jobs.advance_queue()
    assert started.startswith("cnn-gap-") and jobs.queue == []
    assert _wait_for(lambda: jobs.running() is None)
    assert Run(tmp_path / started).status == "completed"
    jobs.shutdown()


def test_cancel_holds_the_queue(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    name = jobs.start(TrainingConfig(**{**quick_config.to_dict(), "epochs": 200}))
    jobs.enqueue(quick_config)
    jobs.cancel(name)
    assert _wait_for(lambda: jobs.running() is None)
    assert jobs.advance_queue() is None and len(jobs.queue) == 1
    jobs.shutdown()
