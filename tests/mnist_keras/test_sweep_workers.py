"""`mnist-keras sweep` workers in their own processes, sharing one study.

Two workers on a SQLite file, one of them killed with SIGKILL in the middle of
a trial; and two workers on a real PostgreSQL server that the test starts on
loopback, in a temporary folder (skipped only where PostgreSQL is not
installed: `.ci/run` installs Debian's `postgresql`).
"""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import optuna
import pytest

from mnist_keras.recipes import recipe_config
from mnist_keras.runs import Run, RunStatus, list_runs
from mnist_keras.sinks import read_jsonl
from mnist_keras.sweeps import default_space, run_sweep, storage_url

COMPLETE, FAIL = optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL
# The train options every worker fixes (tiny synthetic data, a small model).
# Plain training (no augmentation): the default space then searches the five
# core settings, and a trial takes about as long everywhere.
TRAINING = ("--recipe", "plain", "--model", "mlp", "--train-size", "1200", "--test-size",
            "1000", "--batch-size", "64")


def _worker(study, storage, runs_dir, data_dir, trials, epochs, log):
    command = [sys.executable, "-m", "mnist_keras.cli", "sweep", "--study", study,
               "--trials", str(trials), "--runs-dir", str(runs_dir), "--heartbeat", "1",
               "--data-dir", data_dir, "--epochs", str(epochs), *TRAINING]
    if storage:
        command += ["--storage", storage]
    with open(log, "w") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def _wait(process, log, timeout=240):
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, log.read_text()[-3000:]


def _check_each_trial_finished_once_and_linked(study, runs_dir, trials):
    """Every completed trial names its own run, and that run names it back."""
    completed = [t for t in study.trials if t.state is COMPLETE]
    assert len(completed) == trials
    assert not [t for t in study.trials if t.state not in (COMPLETE, FAIL)]
    runs = {run.name: run for run in list_runs(runs_dir)}
    names = [t.user_attrs["run"] for t in completed]
    assert len(set(names)) == trials  # no run shared, none trained twice
    for trial in completed:
        run = runs[trial.user_attrs["run"]]
        assert os.path.samefile(trial.user_attrs["run_dir"], run.path)
        link = run.trial()
        assert (link.study, link.trial, link.state) == (study.study_name, trial.number,
                                                        "complete")
        assert run.status is RunStatus.COMPLETED and link.value == trial.value
        assert run.config().training.learning_rate == trial.params["learning_rate"]
    return completed, runs


def _batches(run):
    records, _ = read_jsonl(run.file("events.jsonl")) if os.path.exists(
        run.file("events.jsonl")) else ([], 0)
    return sum(record["type"] == "batch" for record in records)


def test_two_workers_share_a_study_and_a_killed_one_loses_only_its_trial(
        tmp_path, synthetic_data_dir):
    runs_dir, trials = tmp_path / "runs", 5
    logs = {}
    for name in ("a", "b"):
        logs[name] = tmp_path / f"{name}.log"
    a = _worker("shared", None, runs_dir, synthetic_data_dir, trials, 2, logs["a"])
    b = _worker("shared", None, runs_dir, synthetic_data_dir, trials, 2, logs["b"])
    killed = survivor = None
    try:
        deadline = time.monotonic() + 180
        while killed is None and time.monotonic() < deadline and None in (a.poll(), b.poll()):
            states = [(run, run.state()) for run in list_runs(runs_dir)]
            # Kill a worker in the middle of a trial once the other is at work too.
            for victim, other in ((a, b), (b, a)):
                training = [r for r, s in states if s.pid == victim.pid
                            and s.status is RunStatus.RUNNING and _batches(r)]
                if training and any(s.pid == other.pid for _, s in states):
                    victim.send_signal(signal.SIGKILL)
                    victim.wait(timeout=30)
                    killed, survivor = training[0], other
                    break
            time.sleep(0.1)
        assert killed is not None, "the workers never trained at the same time"
        _wait(survivor, logs["a" if survivor is a else "b"])
    finally:
        for process in (a, b):
            if process.poll() is None:
                process.kill()
    url = storage_url(None, runs_dir)
    study = optuna.load_study(study_name="shared", storage=url)
    completed, runs = _check_each_trial_finished_once_and_linked(study, runs_dir, trials)
    # Both workers trained at the same time (the kill came then); the survivor finished.
    workers = {runs[t.user_attrs["run"]].state().pid for t in completed}
    assert survivor.pid in workers and workers <= {a.pid, b.pid}
    # The killed trial ended failed, its run says why, and it was retried once.
    (lost,) = [t for t in study.trials if t.state is FAIL]
    assert lost.user_attrs["run"] == killed.name
    assert killed.status is RunStatus.FAILED and "heartbeats" in killed.state().error
    assert killed.trial().state == "failed"
    (retry,) = [t for t in completed if t.system_attrs.get("failed_trial") == lost.number]
    assert retry.params == lost.params and runs[retry.user_attrs["run"]].trial().retry_of == \
        lost.number
    assert len(runs) == trials + 1  # every finished run kept, the lost one too
    # The study stays usable: one more trial, in this process.
    config = recipe_config("plain", model="mlp", train_size=1200, test_size=1000,
                           batch_size=64, epochs=2, validation_split=0.1,
                           data_dir=synthetic_data_dir)
    more = run_sweep("shared", trials + 1, runs_dir=runs_dir, config=config,
                     space=default_space(config).without({"batch_size"}),
                     heartbeat_seconds=1)
    assert more.finished == trials + 1 and len(more.trials_run) == 1


def _postgres_bin():
    folders = []
    if shutil.which("pg_config"):
        folders.append(subprocess.run(["pg_config", "--bindir"], capture_output=True,
                                      text=True).stdout.strip())
    folders += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in folders:
        if all(os.path.isfile(os.path.join(folder, name))
               for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _as_server_user():
    # PostgreSQL refuses to run as root: run it as its own (or an unprivileged) user.
    if os.geteuid() != 0:
        return [], None
    for user in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return ["runuser", "-u", user, "--"], entry
        if shutil.which("setpriv"):
            return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                    "--clear-groups"], entry
    pytest.fail("running as root with no unprivileged user (postgres or nobody) to run "
                "PostgreSQL as; installing Debian's postgresql package creates one")


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server on 127.0.0.1 with an empty `sweeps` database; stopped after."""
    folder = _postgres_bin()
    if folder is None:
        pytest.fail("PostgreSQL is not installed (Debian: apt-get install postgresql; "
                    ".ci/run installs it)")
    import psycopg  # the test extra
    prefix, user = _as_server_user()
    base = tempfile.mkdtemp(prefix="mnist-keras-postgres-")
    data = os.path.join(base, "data")
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def pg(*args):
        completed = subprocess.run([*prefix, os.path.join(folder, args[0]), *args[1:]],
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]

    pg("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg("pg_ctl", "-D", data, "-l", os.path.join(base, "server.log"), "-o", options, "-w",
       "-t", "60", "start")
    try:
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                             autocommit=True) as connection:
            connection.execute("CREATE DATABASE sweeps")
        yield f"postgresql://postgres@127.0.0.1:{port}/sweeps"
    finally:
        subprocess.run([*prefix, os.path.join(folder, "pg_ctl"), "-D", data, "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_two_workers_share_a_study_on_a_postgresql_server(tmp_path, synthetic_data_dir,
                                                         postgres_url):
    runs_dir, trials = tmp_path / "runs", 3
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = [_worker("on-postgres", postgres_url, runs_dir, synthetic_data_dir, trials, 1,
                       log) for log in logs]
    for worker, log in zip(workers, logs):
        _wait(worker, log)
    study = optuna.load_study(study_name="on-postgres", storage=postgres_url)
    completed, runs = _check_each_trial_finished_once_and_linked(study, runs_dir, trials)
    # Two workers may ask for the last trial at once: Optuna hands out one too
    # many, which the worker marks surplus and never runs (it fails, unrun). No
    # other trial fails.
    failed = [t for t in study.trials if t.state is FAIL and not t.user_attrs.get("surplus")]
    assert len(runs) == trials and not failed
    # Which worker trains how many depends on which loads TensorFlow first; both joined.
    assert {runs[t.user_attrs["run"]].state().pid for t in completed} <= \
        {worker.pid for worker in workers}
    for log in logs:
        assert f"on-postgres: {trials} finished trials in postgresql://postgres@127.0.0.1" in \
            log.read_text()
    assert Run(runs[completed[0].user_attrs["run"]].path).trial().storage == postgres_url
