"""What keeping runs reproducible and resumable costs per epoch.

    python benchmarks/run_records.py [--train-size 20000] [--epochs 3] [--rounds 2]

Trains the default recipe's CNN through `mk.train` (the path every run takes),
taking turns: in memory (nothing written), in memory with `deterministic=True`,
and into a run folder (live records, environment.json, and the resumable
state saved at every epoch's end, which the epoch's time includes). Prints the
median epoch time of each (the first epoch of every training, which traces the
model, is left out) and the cost in percent. Run it on a quiet machine: other
load moves these figures more than the switches do.
"""

import argparse
import os
import statistics
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import mnist_keras as mk  # noqa: E402


def epoch_seconds(result):
    """The epochs' times of a training, the first (tracing) one left out."""
    return [record["epoch_seconds"] for record in result.history.epochs[1:]]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    variants = ("in memory", "deterministic", "run folder")
    times = {name: [] for name in variants}
    accuracy = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as folder:
        for round_ in range(args.rounds):
            for name in variants:
                config = mk.TrainingConfig(train_size=args.train_size, test_size=2_000,
                                           epochs=args.epochs,
                                           deterministic=name == "deterministic")
                run_dir = os.path.join(folder, f"run-{round_}") if name == "run folder" \
                    else None
                result = mk.train(config, run_dir=run_dir)
                times[name] += epoch_seconds(result)
                accuracy[name].append(result.metrics.test_accuracy)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
