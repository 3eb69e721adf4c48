"""Training jobs: each runs `mnist_keras.training.train` in a child process.

The child is started with the spawn method (TensorFlow is not fork-safe) and
writes everything to its run folder; the dashboard only reads that folder, so
it survives whatever happens to the child. One job runs at a time: a second
Train press is refused with a message (training twice at once on the same
cores would only make both slow).

A `JobManager` holds the child process handles. It lives on the app object
(one per dashboard), not at module level; everything a browser needs to know
is in the run folders, so a reopened tab or a restarted dashboard sees it.
"""

import dataclasses
import multiprocessing
import os
import time

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, list_runs

STOP_FILE = "STOP"


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


class JobManager:
    """Starts, cancels and watches training jobs under one runs folder.

    Args:
        runs_dir: the folder that holds one sub-folder per run.
    """

    def __init__(self, runs_dir):
        self.runs_dir = os.fspath(runs_dir)
        self._processes = {}
        self._context = multiprocessing.get_context("spawn")
        # Settings waiting to train after the current job, in order: (config, spec).
        self.queue = []
        self._queue_armed = False

    def new_run_name(self, model):
        """A fresh run folder name: `{model}-{YYYYmmdd-HHMMSS}` (+ `-N` if taken)."""
        stem = f"{os.path.splitext(os.path.basename(model))[0]}-{time.strftime('%Y%m%d-%H%M%S')}"
        name, counter = stem, 2
        while os.path.exists(os.path.join(self.runs_dir, name)):
            name, counter = f"{stem}-{counter}", counter + 1
        return name

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
            MnistKerasError: if a job is already running.
        """
        running = self.running()
        if running:
            raise MnistKerasError(
                "Expected no training in progress (one job at a time: cancel it or wait). "
                f"Received: running={running!r}"
            )
        os.makedirs(self.runs_dir, exist_ok=True)
        name = self.new_run_name(name_stem or ("custom" if spec else config.model))
        run = Run.create(os.path.join(self.runs_dir, name))
        if spec:
            run.write_json("spec.json", spec)
            config = dataclasses.replace(config, model=run.file("spec.json"))
        process = self._context.Process(
            target=_train_in_child, args=(config.to_dict(), run.path), name=f"train-{name}",
            daemon=True,
        )
        process.start()
        # Whatever is queued follows this job.
        self._queue_armed = True
        # Marked running now, not when the child gets going (importing
        # TensorFlow takes seconds), so the page shows the job at once.
        run.set_status("running", pid=process.pid, phase="starting", started=time.time())
        self._processes[name] = process
        return name

    def enqueue(self, config, spec=None):
        """Adds settings to train after the current (or next started) job. Returns the count."""
        self.queue.append((config, spec))
        return len(self.queue)

    def advance_queue(self):
        """Starts the next queued job if none is running and a job was started since.

        Returns:
            The started run's name, or None.
        """
        if not self.queue or not self._queue_armed or self.running():
            if not self.queue:
                self._queue_armed = False
            return None
        config, spec = self.queue.pop(0)
        return self.start(config, spec=spec)

    def cancel(self, name):
        """Asks the job to stop after its current batch; what was trained is kept.

        The queue waits: a cancel stops the chain until Train is pressed again.
        """
        self._queue_armed = False
        run = Run(os.path.join(self.runs_dir, name))
        if run.status == "running":
            with open(run.file(STOP_FILE), "w"):
                pass

    def running(self):
        """Returns the name of the running job, or None.

        Also notices jobs whose process ended without saying so (killed, out
        of memory, a crash in native code, or a dashboard restart while one
        ran) and marks their runs failed, so they never look running forever.
        """
        for name, process in list(self._processes.items()):
            if not process.is_alive():
                process.join()
                del self._processes[name]
                self._mark_if_vanished(Run(os.path.join(self.runs_dir, name)),
                                       f"exit code {process.exitcode}")
        current = None
        for run in list_runs_and_starting(self.runs_dir):
            if run.status != "running":
                continue
            pid = (run.read_json("status.json") or {}).get("pid")
            if run.name in self._processes or (pid and _process_alive(pid)):
                current = run.name
            else:
                self._mark_if_vanished(run, "the process is gone")
        return current

    @staticmethod
    def _mark_if_vanished(run, how):
        if run.status == "running":
            run.set_status("failed", error=f"The training process ended unexpectedly ({how}).")

    def shutdown(self):
        """Stops running jobs (used when the dashboard exits)."""
        for name, process in self._processes.items():
            self.cancel(name)
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()


def list_runs_and_starting(runs_dir):
    """Like `list_runs`, plus runs whose child has not yet written config.json,
    oldest first by the time they started."""
    runs = list_runs(runs_dir)
    known = {run.name for run in runs}
    if os.path.isdir(runs_dir):
        for name in sorted(os.listdir(runs_dir)):
            path = os.path.join(runs_dir, name)
            if name not in known and os.path.isfile(os.path.join(path, "status.json")):
                runs.append(Run(path))

    def started(run):
        status = run.read_json("status.json") or {}
        return status.get("started") or os.path.getmtime(run.path)

    return sorted(runs, key=started)
