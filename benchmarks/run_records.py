"""What keeping runs reproducible, resumable and readable in TensorBoard and MLflow costs per epoch.

    python benchmarks/run_records.py [--train-size 20000] [--epochs 3] [--rounds 2]

Trains the default recipe's CNN through `mk.train` (the path every run takes),
taking turns: in memory (nothing written), in memory with `deterministic=True`,
into a run folder (live records, environment.json, and the resumable state
saved at every epoch's end, which the epoch's time includes), and into a run
folder with TensorBoard records too (scalars and weight histograms each
epoch; the HParams summary and projector files at the end, timed apart), and
into a run folder logged to MLflow (a `file:` store: each epoch's metrics; the
model and report at the end, timed apart). Prints the
median epoch time of each (the first epoch of every training, which traces the
model, is left out) and the cost in percent. Run it on a quiet machine: other
load moves these figures more than the switches do.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import mnist_keras as mk  # noqa: E402
from mnist_keras.datasets import load_dataset  # noqa: E402
from mnist_keras.runs import Run  # noqa: E402
from mnist_keras.tensorboard_records import write_run_summary  # noqa: E402


def epoch_seconds(result):
    """The epochs' times of a training, the first (tracing) one left out."""
    return [record["epoch_seconds"] for record in result.history.epochs[1:]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    variants = ("in memory", "deterministic", "run folder", "+ TensorBoard", "+ MLflow")
    times = {name: [] for name in variants}
    accuracy = {name: [] for name in variants}
    whole = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as folder:
        store = f"file:{os.path.join(folder, 'mlruns')}"
        for round_ in range(args.rounds):
            for name in variants:
                config = mk.TrainingConfig(train_size=args.train_size, test_size=2_000,
                                           epochs=args.epochs,
                                           deterministic=name == "deterministic",
                                           tensorboard=name == "+ TensorBoard",
                                           mlflow=store if name == "+ MLflow" else None)
                run_dir = os.path.join(folder, f"{name}-{round_}") \
                    if name.startswith(("run folder", "+")) else None
                started = time.perf_counter()
                result = mk.train(config, run_dir=run_dir)
                whole[name].append(time.perf_counter() - started)
                times[name] += epoch_seconds(result)
                accuracy[name].append(result.metrics.test_accuracy)
        # What the end of a run adds for TensorBoard, written again into the
        # last run's folder: the HParams summary, and the projector's
        # features, labels and sprite of 1,000 test images.
        data = load_dataset("mnist", train_size=100, test_size=2_000)
        summary = []
        for _ in range(3):
            started = time.perf_counter()
            write_run_summary(Run(run_dir), config, result.metrics, result.model, data)
            summary.append(time.perf_counter() - started)
    base = statistics.median(times["in memory"])
    print(f"default CNN, {args.train_size:,} images an epoch, median of "
          f"{len(times['in memory'])} epochs each:")
    fastest = min(times["in memory"])
    # The fastest epoch of each is the least disturbed by whatever else the
    # machine does; the median shows how noisy it was.
    for name in variants:
        median, least = statistics.median(times[name]), min(times[name])
        print(f"  {name:13s} median {median:5.2f} s ({100 * (median / base - 1):+5.1f}%), "
              f"fastest {least:5.2f} s ({100 * (least / fastest - 1):+5.1f}%)   "
              f"test accuracy {statistics.mean(accuracy[name]):.4f}")
    print(f"all epochs (s): {({k: [round(t, 2) for t in v] for k, v in times.items()})}")
    print(f"TensorBoard summary at a run's end: {min(summary):.2f} s (fastest of 3)")
    print("whole trainings (s, evaluation and saving included): "
          + ", ".join(f"{name} {min(whole[name]):.1f}" for name in variants))
    return 0


if __name__ == "__main__":
    sys.exit(main())
