"""Training jobs: each runs `mnist_keras.training.train` in a child process.

The child is started with the spawn method (TensorFlow is not fork-safe) and
writes everything to its run folder; the dashboard only reads that folder, so
it survives whatever happens to the child. One job runs at a time: a second
Train press is refused with a message (training twice at once on the same
cores would only make both slow).

A `JobManager` holds the child process handles and the queue. It lives on the
app object (one per dashboard), not at module level; every change of its state
happens under one lock, because Flask answers requests (two open tabs, a
poll and a click) on several threads at once. Checking that nothing trains and
starting a job also hold a lock file in the runs folder, so two dashboards on
one folder cannot both start one.
"""

import dataclasses
import multiprocessing
import os
import threading
import time

import filelock

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, RunIndex, RunStatus

STOP_FILE = "STOP"
# Held while checking that no job runs and starting one, across processes.
JOBS_LOCK_FILE = ".jobs.lock"
# A run marked running by another dashboard gets its pid a moment later.
STARTING_GRACE_SECONDS = 30


def _train_in_child(config_dict, run_dir):
    """Entry point of the child process: train and write the run folder.

    The child's own output (TensorFlow's C++ logs, a native crash report) goes
    to the run's train.log, where it helps explain a failure, rather than into
    the dashboard's terminal.
    """
    log = os.open(os.path.join(run_dir, "train.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                  0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mnist_keras.callbacks import StopSignal
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train

    stop = StopSignal(stop_file=os.path.join(run_dir, STOP_FILE))
    train(TrainingConfig.from_dict(config_dict), run_dir=run_dir, callbacks=[stop])


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _just_started(state):
    return state.started is not None and time.time() - state.started < STARTING_GRACE_SECONDS


class JobManager:
    """Starts, cancels and watches training jobs under one runs folder.

    Args:
        runs_dir: the folder that holds one sub-folder per run.
        index: the `RunIndex` of that folder, shared with the page's views;
            a new one by default.
    """

    def __init__(self, runs_dir, index=None):
        self.runs_dir = os.fspath(runs_dir)
        self.index = index or RunIndex(self.runs_dir)
        self._processes = {}
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._folder_lock = filelock.FileLock(os.path.join(self.runs_dir, JOBS_LOCK_FILE))
        # Settings waiting to train after the current job, in order: (config, spec).
        self._queue = []
        self._queue_armed = False

    @property
    def queue(self):
        """A copy of the queued `(config, spec)` pairs, next first."""
        with self._lock:
            return list(self._queue)

    def start(self, config, spec=None, name_stem=None):
        """Starts training `config` (a `TrainingConfig`) in a child process.

        Args:
            config: the settings.
            spec: optional layer spec (list of dicts) from the model builder;
                saved as the run's `spec.json`, which becomes `config.model`,
                so the run folder holds everything needed to rebuild it.
            name_stem: the run name's start (a time stamp follows); defaults
                to the model's name.

        Returns:
            The new run's name (its folder under `runs_dir`).

        Raises:
            MnistKerasError: if a job is already running, or the config names
                a file that is missing.
        """
        with self._lock, self._folder_lock:
            running = self.running()
            if running:
                raise MnistKerasError(
                    "Expected no training in progress (one job at a time: cancel it or wait). "
                    f"Received: running={running!r}")
            if not spec:
                config.check_sources()  # a missing parent or spec: refused, no folder
            stem = name_stem or ("custom" if spec else
                                 os.path.splitext(os.path.basename(config.model))[0])
            run = Run.create_new(self.runs_dir, stem)
            if spec:
                run.write_json("spec.json", spec)
                config = dataclasses.replace(config, model=run.file("spec.json"))
            # Marked running before the child starts (importing TensorFlow takes
            # seconds), so the page shows the job at once and a second request
            # sees it even before the child has a pid.
            run.set_status(RunStatus.RUNNING, phase="starting", started=time.time(), pid=None)
            process = self._context.Process(
                target=_train_in_child, args=(config.to_dict(), run.path),
                name=f"train-{run.name}", daemon=True)
            self._processes[run.name] = process
            process.start()
            run.set_status(RunStatus.RUNNING, pid=process.pid)
            # Whatever is queued follows this job.
            self._queue_armed = True
            return run.name

    def enqueue(self, config, spec=None):
        """Adds settings to train after the current (or next started) job. Returns the count."""
        with self._lock:
            self._queue.append((config, spec))
            return len(self._queue)

    def clear_queue(self):
        with self._lock:
            self._queue.clear()

    def advance_queue(self):
        """Starts the next queued job if none is running and a job was started since.

        Returns:
            The started run's name, or None.
        """
        with self._lock:
            if not self._queue:
                self._queue_armed = False
                return None
            if not self._queue_armed or self.running():
                return None
            config, spec = self._queue.pop(0)
            return self.start(config, spec=spec)

    def cancel(self, name):
        """Asks the job to stop after its current batch; what was trained is kept.

        The queue waits: a cancel stops the chain until Train is pressed again.
        """
        with self._lock:
            self._queue_armed = False
            run = Run(os.path.join(self.runs_dir, name))
            if run.status is RunStatus.RUNNING:
                with open(run.file(STOP_FILE), "w"):
                    pass

    def is_running(self, name):
        """Whether run `name` is the job in progress (a cancelled one is not, once it saved)."""
        return self.running() == name

    def running(self):
        """Returns the name of the running job, or None.

        Also notices jobs whose process ended without saying so (killed, out
        of memory, a crash in native code, or a dashboard restart while one
        ran) and marks their runs failed, so they never look running forever.
        """
        with self._lock:
            for name, process in list(self._processes.items()):
                if process.pid is not None and not process.is_alive():
                    process.join()
                    del self._processes[name]
                    self._mark_if_vanished(Run(os.path.join(self.runs_dir, name)),
                                           f"exit code {process.exitcode}")
            current = None
            for summary in self.index.refresh():
                if summary.status is not RunStatus.RUNNING:
                    continue
                pid = summary.state.pid
                if (summary.name in self._processes or (pid and _process_alive(pid))
                        or (pid is None and _just_started(summary.state))):
                    current = summary.name
                else:
                    self._mark_if_vanished(Run(summary.path), "the process is gone")
            return current

    @staticmethod
    def _mark_if_vanished(run, how):
        if run.status is RunStatus.RUNNING:
            run.set_status(RunStatus.FAILED,
                           error=f"The training process ended unexpectedly ({how}).")

    def shutdown(self):
        """Stops running jobs (used when the dashboard exits)."""
        with self._lock:
            processes = dict(self._processes)
        for name, process in processes.items():
            self.cancel(name)
            # Time for a child still importing TensorFlow to reach its first
            # batch, see the stop file and save what it has as cancelled.
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
