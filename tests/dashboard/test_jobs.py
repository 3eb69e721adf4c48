import dataclasses
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from dashboard.shared.jobs import JobManager
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run
from tests.conftest import run_folders


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
    name = jobs.start(dataclasses.replace(quick_config, epochs=200))
    events = tmp_path / name / "events.jsonl"
    assert _wait_for(lambda: events.exists() and b'"batch"' in events.read_bytes())
    jobs.cancel(name)
    assert _wait_for(lambda: jobs.running() is None)
    run = Run(tmp_path / name)
    assert run.status == "cancelled"
    assert run.metrics().epochs_done < 200
    assert (tmp_path / name / "model.keras").exists()


def test_a_cancelled_job_resumes_from_its_last_epoch(tmp_path, quick_config):
    from mnist_keras.resuming import epochs_kept

    jobs = JobManager(tmp_path)
    name = jobs.start(dataclasses.replace(quick_config, epochs=30))
    run = Run(tmp_path / name)
    assert _wait_for(lambda: epochs_kept(run) >= 2)
    jobs.cancel(name)
    assert _wait_for(lambda: jobs.running() is None)
    kept = epochs_kept(run)
    assert run.status == "cancelled" and kept >= 2
    with pytest.raises(MnistKerasError, match="an existing run"):
        jobs.start_resume("no-such-run")
    assert jobs.start_resume(name) == name
    assert jobs.running() == name
    with pytest.raises(MnistKerasError, match="one job at a time"):
        jobs.start_resume(name)
    assert _wait_for(lambda: jobs.running() is None, timeout=240)
    assert run.status == "completed"
    epochs = [record["epoch"] for record in run.history().epochs]
    assert epochs == list(range(1, 31)) and not (tmp_path / name / "resume").exists()
    jobs.shutdown()


def test_custom_spec_is_saved_in_the_run(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    spec = [{"type": "Flatten"}, {"type": "Dense", "units": 16}]
    name = jobs.start(quick_config, spec=spec)
    assert name.startswith("custom-")
    assert json.loads((tmp_path / name / "spec.json").read_text()) == spec
    assert _wait_for(lambda: jobs.running() is None)
    run = Run(tmp_path / name)
    assert run.status == "completed", run.read_json("status.json")
    assert run.config().training.model == str(tmp_path / name / "spec.json")
    assert run.metrics().num_params == 784 * 16 + 16 + 170


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
    run.set_status("running", pid=2**22 + 12345)  # no such process
    assert JobManager(tmp_path).running() is None
    assert run.status == "failed" and "process is gone" in run.state().error


def test_a_missing_parent_model_is_refused_before_any_folder(tmp_path, quick_config):
    jobs = JobManager(tmp_path / "runs")
    config = dataclasses.replace(quick_config, parent_model=str(tmp_path / "gone.keras"),
                                 sparsity=0.5)
    with pytest.raises(MnistKerasError, match="parent_model as an existing"):
        jobs.start(config)
    assert not (tmp_path / "runs").exists() or run_folders(tmp_path / "runs") == []


def test_the_queue_starts_exactly_one_job_from_many_threads(tmp_path, quick_config):
    # Two open tabs poll at once: each poll may advance the queue. Without the
    # lock, several threads saw "nothing running" and each started a job.
    jobs = JobManager(tmp_path)
    for _ in range(3):
        jobs.enqueue(quick_config)
    jobs._queue_armed = True  # as after a Train press
    barrier = threading.Barrier(16)
    started, errors = [], []

    def poll():
        barrier.wait()
        try:
            name = jobs.advance_queue()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
        else:
            if name:
                started.append(name)

    threads = [threading.Thread(target=poll) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(started) == 1 and len(jobs.queue) == 2
    running = [p for p in os.listdir(tmp_path) if Run(tmp_path / p).status == "running"]
    assert running == started
    jobs.shutdown()


def test_many_train_presses_at_once_start_one_job(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    barrier = threading.Barrier(8)
    outcomes = []

    def press():
        barrier.wait()
        try:
            outcomes.append(jobs.start(quick_config))
        except MnistKerasError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=press) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = [o for o in outcomes if isinstance(o, str)]
    assert len(names) == 1 and len(run_folders(tmp_path)) == 1
    assert all("one job at a time" in str(o) for o in outcomes if o not in names)
    jobs.shutdown()


def test_queued_settings_train_after_the_started_job(tmp_path, quick_config):
    jobs = JobManager(tmp_path)
    second = dataclasses.replace(quick_config, model="cnn-gap")
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
    name = jobs.start(dataclasses.replace(quick_config, epochs=200))
    jobs.enqueue(quick_config)
    jobs.cancel(name)
    assert _wait_for(lambda: jobs.running() is None)
    assert jobs.advance_queue() is None and len(jobs.queue) == 1
    jobs.shutdown()


def _start_in_another_dashboard(runs_dir, config_dict, barrier, outcomes):
    # One dashboard process: its own JobManager on the shared runs folder.
    jobs = JobManager(runs_dir)
    barrier.wait()
    try:
        name = jobs.start(TrainingConfig.from_dict(config_dict))
    except MnistKerasError as error:
        outcomes.put(str(error))
        return
    outcomes.put(name)
    _wait_for(lambda: jobs.running() is None)  # the job dies with its dashboard


def test_dashboards_sharing_a_runs_folder_start_one_job(tmp_path, quick_config):
    context = multiprocessing.get_context("spawn")
    barrier, outcomes = context.Barrier(4), context.Queue()
    dashboards = [context.Process(target=_start_in_another_dashboard,
                                  args=(str(tmp_path), quick_config.to_dict(), barrier, outcomes))
                  for _ in range(4)]
    for dashboard in dashboards:
        dashboard.start()
    results = [outcomes.get(timeout=120) for _ in dashboards]
    for dashboard in dashboards:
        dashboard.join(timeout=180)
    started = [r for r in results if "one job at a time" not in r]
    assert len(started) == 1 and run_folders(tmp_path) == started
    assert Run(tmp_path / started[0]).status == "completed"


def test_a_run_another_dashboard_is_starting_counts_as_running(tmp_path):
    starting = Run.create(tmp_path / "starting")
    starting.set_status("running", phase="starting", started=time.time(), pid=None)
    jobs = JobManager(tmp_path)
    assert jobs.running() == "starting" and starting.status == "running"
    starting.set_status("running", started=time.time() - 3600, pid=None)  # never got a pid
    assert jobs.running() is None and starting.status == "failed"


DASHBOARD_WITH_A_JOB = """
import sys
from dashboard.app import create_app, serve
from mnist_keras.config import TrainingConfig

if __name__ == "__main__":
    app = create_app(sys.argv[1])
    print(app.jobs.start(TrainingConfig(model="mlp", data_dir=sys.argv[2], train_size=1200,
                                        test_size=1000, epochs=200, batch_size=64)), flush=True)
    serve(app, "127.0.0.1", 0)
"""


def test_sigterm_stops_the_dashboard_and_cancels_its_job(tmp_path, synthetic_data_dir):
    script = tmp_path / "dashboard_with_a_job.py"
    script.write_text(DASHBOARD_WITH_A_JOB)
    runs_dir = tmp_path / "runs"
    dashboard = subprocess.Popen([sys.executable, str(script), str(runs_dir), synthetic_data_dir],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 cwd=os.getcwd())
    try:
        run = Run(runs_dir / dashboard.stdout.readline().strip())
        assert _wait_for(lambda: os.path.exists(run.file("events.jsonl")))  # training
        child = run.state().pid
        dashboard.send_signal(signal.SIGTERM)
        dashboard.wait(timeout=120)
    finally:
        dashboard.kill()
    assert run.status == "cancelled"  # what was trained is kept
    assert _wait_for(lambda: not _alive(child), timeout=10)  # no orphan left training


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
