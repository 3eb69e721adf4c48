"""The run index: one read per changed run, nothing read when nothing changed."""

import os
import time

import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.runs import Run, RunConfig, RunIndex, RunStatus


def _make_run(folder, name, status="completed", age=60.0):
    run = Run.create(os.path.join(folder, name))
    run.write_config(RunConfig.for_training(TrainingConfig(model="mlp")))
    run.set_status(status, started=time.time() - age)
    _age(run, age)
    return run


def _age(run, seconds):
    # As if the folder last changed `seconds` ago (past the index's settle time).
    past = time.time() - seconds
    os.utime(run.path, (past, past))


def test_a_poll_with_nothing_new_reads_nothing(tmp_path):
    for i in range(5):
        _make_run(tmp_path, f"run-{i}", age=60 - i)
    index = RunIndex(tmp_path)
    assert [s.name for s in index.refresh()] == [f"run-{i}" for i in range(5)]
    assert index.reads == 5
    version = index.version
    index.refresh()
    index.refresh()
    assert index.reads == 5 and index.version == version


def test_only_the_changed_run_is_read_again(tmp_path):
    runs = [_make_run(tmp_path, f"run-{i}") for i in range(3)]
    index = RunIndex(tmp_path)
    index.refresh()
    runs[1].set_status("failed", error="boom")
    (summary,) = [s for s in index.refresh() if s.name == "run-1"]
    assert summary.status is RunStatus.FAILED and summary.state.error == "boom"
    assert index.reads == 4


def test_added_renamed_and_deleted_runs(tmp_path):
    _make_run(tmp_path, "a")
    index = RunIndex(tmp_path)
    assert [s.name for s in index.refresh()] == ["a"]
    version = index.version
    _make_run(tmp_path, "b", age=30)
    os.rename(tmp_path / "a", tmp_path / "renamed")
    assert sorted(s.name for s in index.refresh()) == ["b", "renamed"]
    import shutil

    shutil.rmtree(tmp_path / "b")
    assert [s.name for s in index.refresh()] == ["renamed"]
    assert index.version > version and index.get("b") is None
    (tmp_path / "not-a-run").mkdir()
    (tmp_path / ".hidden").mkdir()
    assert [s.name for s in index.refresh()] == ["renamed"]


def test_a_write_in_the_same_clock_tick_is_not_missed(tmp_path):
    # A change that leaves the folder's modification time as it was (two
    # writes within one tick of the file system's clock) is still seen while
    # the folder's last change is recent.
    run = _make_run(tmp_path, "racy", status="running", age=0)
    index = RunIndex(tmp_path, settle_seconds=2.0)
    assert index.refresh()[0].status is RunStatus.RUNNING
    stat = os.stat(run.path)
    run.set_status("completed")
    os.utime(run.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime as before
    assert index.refresh()[0].status is RunStatus.COMPLETED


def test_summaries_describe_runs_and_their_problems(tmp_path, small_cnn_run):
    import shutil

    shutil.copytree(small_cnn_run, tmp_path / "small")
    broken = _make_run(tmp_path, "broken")
    with open(broken.file("metrics.json"), "w") as file:
        file.write('{"schema_version": 99}')
    starting = Run.create(tmp_path / "starting")
    starting.set_status("running", phase="starting", pid=None)
    index = RunIndex(tmp_path)
    by_name = {s.name: s for s in index.refresh()}
    small = by_name["small"]
    assert small.has_model and small.model_label == "simple" and small.num_params > 0
    assert small.class_names == tuple(str(d) for d in range(10))
    assert "newer mnist-keras" in by_name["broken"].problem
    assert by_name["starting"].config is None and by_name["starting"].model_label == "?"
    assert not by_name["starting"].has_model


def test_a_missing_folder_is_an_empty_index(tmp_path):
    index = RunIndex(tmp_path / "none")
    assert index.refresh() == [] and index.get("x") is None


@pytest.mark.parametrize("threads", [8])
def test_refresh_is_safe_from_many_threads(tmp_path, threads):
    import threading

    for i in range(20):
        _make_run(tmp_path, f"r{i}")
    index = RunIndex(tmp_path)
    results = []
    workers = [threading.Thread(target=lambda: results.append(len(index.refresh())))
               for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results == [20] * threads and index.reads == 20
