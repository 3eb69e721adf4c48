"""Sweep throughput: trials per hour with 1 and 2 `mnist-keras sweep` workers on one study.

    python benchmarks/sweeps.py [--trials 6] [--train-size 2000] [--model cnn] [--workers 1 2]

Each configuration gets a fresh runs folder and SQLite study and starts its
workers as separate `mnist-keras sweep` processes, as a user would, on
identical small trials: the model on `--train-size` MNIST images (10% held
out for validation), 1,000 test images, one epoch, batch 128, no pruning,
only the learning rate searched (it does not change a trial's cost). Prints,
per worker count, the wall time from launch to the last worker's exit
(TensorFlow's import and the storage included) and from the first trial's
start to the last trial's end, each as trials per hour, and the median trial.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import optuna  # noqa: E402

SPACE = {"learning_rate": {"low": 3e-4, "high": 1e-2, "log": True}}


def sweep(workers, args, folder):
    runs_dir = os.path.join(folder, f"workers-{workers}")
    space = os.path.join(folder, "space.json")
    with open(space, "w") as file:
        json.dump(SPACE, file)
    command = [sys.executable, "-m", "mnist_keras.cli", "sweep", "--study", "bench",
               "--trials", str(args.trials), "--runs-dir", runs_dir, "--space", space,
               "--pruner", "none", "--model", args.model, "--train-size", str(args.train_size),
               "--test-size", "1000", "--epochs", "1", "--batch-size", "128"]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for _ in range(workers)]
    for process in processes:
        _, errors = process.communicate()
        if process.returncode:
            raise SystemExit(f"a worker failed: {errors[-2000:]}")
    wall = time.perf_counter() - started
    study = optuna.load_study(study_name="bench",
                              storage=f"sqlite:///{os.path.join(runs_dir, 'sweeps.db')}")
    trials = [t for t in study.trials if t.state.name == "COMPLETE"]
    first = min(t.datetime_start for t in trials)
    last = max(t.datetime_complete for t in trials)
    busy = (last - first).total_seconds()
    durations = [(t.datetime_complete - t.datetime_start).total_seconds() for t in trials]
    return len(trials), wall, busy, statistics.median(durations)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--train-size", type=int, default=2_000)
    parser.add_argument("--model", default="cnn")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"{args.trials} trials of {args.model}: {args.train_size:,} images (10% for "
          f"validation), 1 epoch, batch 128; {os.cpu_count()} CPU cores")
    with tempfile.TemporaryDirectory() as folder:
        for workers in args.workers:
            count, wall, busy, median = sweep(workers, args, folder)
            print(f"{workers} worker(s): {count} trials in {wall:.1f} s from launch "
                  f"({3600 * count / wall:.0f} trials/hour); {busy:.1f} s from the first "
                  f"trial's start to the last one's end ({3600 * count / busy:.0f} "
                  f"trials/hour); median trial {median:.1f} s", flush=True)


if __name__ == "__main__":
    main()
