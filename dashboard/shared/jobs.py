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
one folder cannot both start one. A sweep started from the Sweeps panel
(`start_sweep`, see `dashboard/sweep_jobs.py`) is a job too: while its workers
live, nothing else starts.
"""

import contextlib
import dataclasses
import multiprocessing
import os
import shutil
import threading
import time

import filelock

from dashboard.shared.sweep_jobs import SweepJob, run_sweep_in_child, sweep_log_file
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import Run, RunIndex, RunStatus

STOP_FILE = "STOP"
# Held while checking that no job runs and starting one, across processes.
JOBS_LOCK_FILE = ".jobs.lock"
# A run marked running by another dashboard gets its pid a moment later.
STARTING_GRACE_SECONDS = 30


def _output_to_log(run_dir):
    # A child's own output (TensorFlow's C++ logs, a native crash report) goes to
    # the run's train.log, where it helps explain a failure, rather than into the
    # dashboard's terminal.
    log = os.open(os.path.join(run_dir, "train.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                  0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _stop_signal(run_dir):
    from mnist_keras.callbacks import StopSignal

    return StopSignal(stop_file=os.path.join(run_dir, STOP_FILE))


@contextlib.contextmanager
def _refusal_recorded(run_dir):
    # A refusal before `train` takes the run over (checks of the base, the
    # samples, the kept state) is recorded here, where the page reads it.
    run = Run(run_dir)
    try:
        yield
    except BaseException as error:
        if run.status is RunStatus.RUNNING:
            run.set_status(RunStatus.FAILED, error=str(error) or type(error).__name__)
        raise


def _train_in_child(config_dict, run_dir):
    """Entry point of the child process: train and write the run folder."""
    _output_to_log(run_dir)
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train

    train(TrainingConfig.from_dict(config_dict), run_dir=run_dir,
          callbacks=[_stop_signal(run_dir)])


def _resume_in_child(run_dir):
    """Entry point of a resumed job: train a run's remaining epochs from its kept state."""
    _output_to_log(run_dir)
    from mnist_keras.reproduction import resume_training

    with _refusal_recorded(run_dir):
        resume_training(run_dir, callbacks=[_stop_signal(run_dir)])


def _personalize_in_child(arguments, run_dir):
    """Entry point of a teaching child: `personalize` into `run_dir`."""
    _output_to_log(run_dir)
    from mnist_keras.personalize import personalize

    with _refusal_recorded(run_dir):
        personalize(run_dir=run_dir, callbacks=[_stop_signal(run_dir)], **arguments)


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
        # The sweep started from this dashboard, while its workers live.
        self._sweep = None

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
        with self._lock, self._locked_folder():
            self._refuse_if_busy()
            if not spec:
                config.check_sources()  # a missing parent or spec: refused, no folder
            stem = name_stem or ("custom" if spec else
                                 os.path.splitext(os.path.basename(config.model))[0])
            with self._new_run(stem) as run:
                if spec:
                    run.write_json("spec.json", spec)
                    config = dataclasses.replace(config, model=run.file("spec.json"))
                # Marked running before the child starts (importing TensorFlow takes
                # seconds), so the page shows the job at once and a second request
                # sees it even before the child has a pid.
                run.set_status(RunStatus.RUNNING, phase="starting", started=time.time(),
                               pid=None)
                process = self._context.Process(
                    target=_train_in_child, args=(config.to_dict(), run.path),
                    name=f"train-{run.name}", daemon=True)
                self._processes[run.name] = process
                process.start()
                run.set_status(RunStatus.RUNNING, pid=process.pid)
            # Whatever is queued follows this job.
            self._queue_armed = True
            return run.name

    def start_resume(self, name):
        """Continues run `name` (killed, crashed or cancelled) from its last finished epoch.

        Returns:
            The run's name.

        Raises:
            MnistKerasError: if a job is running, or the run cannot resume
                (`mnist_keras.resuming.resumable_run` says why).
        """
        from mnist_keras.resuming import resumable_run
        from mnist_keras.runs import run_in

        with self._lock, self._locked_folder():
            self._refuse_if_busy()
            run = run_in(self.runs_dir, name)
            resumable_run(run.path)
            try:
                # A cancelled run's stop request must not stop it again at once.
                with contextlib.suppress(FileNotFoundError):
                    os.remove(run.file(STOP_FILE))
                run.set_status(RunStatus.RUNNING, phase="starting", started=time.time(),
                               pid=None)
                process = self._context.Process(target=_resume_in_child, args=(run.path,),
                                                name=f"resume-{run.name}", daemon=True)
                self._processes[run.name] = process
                process.start()
                run.set_status(RunStatus.RUNNING, pid=process.pid)
            except OSError as error:
                self._processes.pop(run.name, None)
                raise self._no_room(error) from None
            self._queue_armed = True
            return run.name

    def start_personalize(self, base, data, dataset_name=None):
        """Starts teaching `base` a person's digits (`mnist_keras.personalize`) in a child.

        Args:
            base: the model's `.keras` file (a finished run's, or the
                pretrained one's).
            data: the folder of the person's digits by class.
            dataset_name: the personal dataset's name, recorded with the run
                and the start of the run's name.

        Returns:
            The new run's name.

        Raises:
            MnistKerasError: if a job is already running.
        """
        with self._lock, self._locked_folder():
            self._refuse_if_busy()
            with self._new_run(f"{dataset_name or 'personal'}-taught") as run:
                run.set_status(RunStatus.RUNNING, phase="starting", started=time.time(),
                               pid=None)
                arguments = dict(base=os.fspath(base), data=os.fspath(data),
                                 dataset_name=dataset_name)
                process = self._context.Process(target=_personalize_in_child,
                                                args=(arguments, run.path),
                                                name=f"teach-{run.name}", daemon=True)
                self._processes[run.name] = process
                process.start()
                run.set_status(RunStatus.RUNNING, pid=process.pid)
            return run.name

    @contextlib.contextmanager
    def _locked_folder(self):
        """The runs folder's job lock (one job at a time across dashboards on the folder)."""
        try:
            self._folder_lock.acquire()
        except OSError as error:  # the lock file cannot be made: nothing else can
            raise self._no_room(error) from None
        try:
            yield
        finally:
            self._folder_lock.release()

    @contextlib.contextmanager
    def _new_run(self, stem):
        """A new run folder for a job. A disk that refuses it (full, read-only) leaves
        no empty or half-written run behind, and the page says why in one line."""
        run = None
        try:
            run = Run.create_new(self.runs_dir, stem)
            yield run
        except OSError as error:
            if run is not None:
                self._processes.pop(run.name, None)
                shutil.rmtree(run.path, ignore_errors=True)
            raise self._no_room(error) from None

    def _check_room(self):
        """Refuses a job whose children would write into a folder that takes nothing
        (a sweep's storage and log): a 4 kB file must fit."""
        probe = os.path.join(self.runs_dir, f".write-probe-{os.getpid()}")
        try:
            with open(probe, "wb") as file:
                file.write(bytes(4096))
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            raise self._no_room(error) from None
        finally:
            with contextlib.suppress(OSError):
                os.remove(probe)

    def _no_room(self, error):
        return MnistKerasError(
            f"The runs folder {self.runs_dir} cannot take a new run "
            f"({error.strerror or error}): free some space, or start the dashboard "
            "with a writable --runs-dir.")

    def _refuse_if_busy(self):
        running = self.running() or (self._live_sweep() and self._live_sweep().label)
        if running:
            raise MnistKerasError(
                "Expected no training in progress (one job at a time: cancel it or wait). "
                f"Received: running={running!r}")

    def _live_sweep(self):
        # The sweep job while any of its workers lives; reaps it once all ended.
        with self._lock:
            if self._sweep is None:
                return None
            if self._sweep.alive():
                return self._sweep
            for process in self._sweep.processes:
                process.join()
            self._sweep = None
            return None

    def sweep(self):
        """The running `SweepJob` started here, or None."""
        return self._live_sweep()

    def start_sweep(self, study, config, space, trials, workers=1, storage=None,
                    pruner="median"):
        """Starts `workers` processes that run trials of `study` (see `mnist_keras.run_sweep`).

        Args:
            study: the study's name (new, or one to continue with the same settings).
            config: the fixed settings (a `TrainingConfig` with a validation split).
            space: a `SearchSpace` or its dict.
            trials: finished trials the study should reach.
            workers: processes on this machine, 1 to the number of CPU cores.
            storage: an Optuna storage URL; None is the runs folder's `sweeps.db`.
            pruner: a name from `mnist_keras.registries.PRUNERS`.

        Returns:
            The job's label, `sweep NAME`.

        Raises:
            MnistKerasError: if a job is running, or an argument is refused
                (checked here, before any process starts).
        """
        from mnist_keras.sweeps import check_sweep, sweep_stop_file

        with self._lock, self._locked_folder():
            self._refuse_if_busy()
            cores = os.cpu_count() or 1
            if not isinstance(workers, int) or isinstance(workers, bool) \
                    or not 1 <= workers <= cores:
                raise expected(f"workers as an integer in [1, {cores}] (one per CPU core at "
                               "most)", workers=workers)
            config, space = check_sweep(study, trials, config, space, pruner=pruner)
            self._check_room()
            stop_file = sweep_stop_file(self.runs_dir, study)
            if os.path.exists(stop_file):
                os.remove(stop_file)
            arguments = dict(study=study, trials=trials, runs_dir=self.runs_dir,
                             config=config.to_dict(), space=space.to_dict(), storage=storage,
                             pruner=pruner, stop_file=stop_file)
            log = sweep_log_file(self.runs_dir, study)
            processes = [self._context.Process(target=run_sweep_in_child,
                                               args=(arguments, log),
                                               name=f"sweep-{study}-{number}", daemon=True)
                         for number in range(workers)]
            for process in processes:
                process.start()
            self._sweep = SweepJob(study, storage, processes, stop_file)
            return self._sweep.label

    def stop_sweep(self):
        """Asks the running sweep's workers to stop after their current batch.

        Returns:
            The stopped job's label, or None when no sweep runs here.
        """
        sweep = self._live_sweep()
        if sweep is None:
            return None
        with open(sweep.stop_file, "w"):
            pass
        return sweep.label

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
            if not self._queue_armed or self.running() or self._live_sweep():
                return None
            config, spec = self._queue.pop(0)
            return self.start(config, spec=spec)

    def cancel(self, name):
        """Asks the job to stop after its current batch; what was trained is kept.

        The queue waits: a cancel stops the chain until Train is pressed again.
        A sweep started here stops too (all its workers, after their batch).
        """
        with self._lock:
            self._queue_armed = False
            self.stop_sweep()
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
            summaries = self.index.refresh()
            for summary in summaries:
                if summary.status is not RunStatus.RUNNING:
                    continue
                pid = summary.state.pid
                if (summary.name in self._processes or (pid and _process_alive(pid))
                        or (pid is None and _just_started(summary.state))):
                    current = summary.name
                else:
                    self._mark_if_vanished(Run(summary.path), "the process is gone")
            sweep = self._live_sweep()
            if current is None and sweep is not None:
                # Between two trials: the sweep's newest run stands for the job.
                trial_runs = [summary.name for summary in summaries
                              if summary.name.startswith(sweep.trial_prefix())]
                current = trial_runs[-1] if trial_runs else None
            return current

    @staticmethod
    def _mark_if_vanished(run, how):
        if run.status is RunStatus.RUNNING:
            run.set_status(RunStatus.FAILED,
                           error=f"The training process ended unexpectedly ({how}).")

    def shutdown(self):
        """Stops running jobs, sweeps included (used when the dashboard exits)."""
        with self._lock:
            processes = dict(self._processes)
            sweep = self._sweep
        for name, process in processes.items():
            self.cancel(name)
            # Time for a child still importing TensorFlow to reach its first
            # batch, see the stop file and save what it has as cancelled.
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
        if sweep is not None:
            self.stop_sweep()
            for process in sweep.processes:
                process.join(timeout=60)
                if process.is_alive():
                    process.terminate()
