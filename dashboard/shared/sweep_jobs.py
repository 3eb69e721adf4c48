"""A sweep started from the dashboard: worker processes running `mnist_keras.run_sweep`.

Each worker is a child process started with spawn (TensorFlow is not
fork-safe), like a training job, and all of them share the study in its
storage. The `JobManager` holds the running `SweepJob` and counts it as the
one job of the runs folder: no training starts while its workers live, and
Cancel or Stop asks them, through the study's stop file, to stop after their
current batch (each trial's run is kept as cancelled).
"""

import dataclasses
import os


def sweep_log_file(runs_dir, study):
    """Where the workers' own output goes (TensorFlow's logs, a crash report)."""
    return os.path.join(runs_dir, f".sweep-{study}.log")


def run_sweep_in_child(arguments, log_path):
    """Entry point of a worker process: run `run_sweep(**arguments)`, output to `log_path`."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import logging

    from mnist_keras.config import TrainingConfig
    from mnist_keras.sweeps import run_sweep

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    arguments = dict(arguments)
    arguments["config"] = TrainingConfig.from_dict(arguments["config"])
    run_sweep(**arguments, log=lambda line: print(line, flush=True))


@dataclasses.dataclass
class SweepJob:
    """The dashboard's running sweep: its study, storage and worker processes."""

    study: str
    storage: str
    processes: list
    stop_file: str

    @property
    def label(self):
        return f"sweep {self.study}"

    def alive(self):
        return any(process.is_alive() for process in self.processes)

    def trial_prefix(self):
        # Trial runs are named `{study}-trial-{number}-{time}`.
        return f"{self.study}-trial-"
