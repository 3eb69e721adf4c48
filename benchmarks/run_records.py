"""What keeping a run reproducible costs per epoch: deterministic ops against the default.

    python benchmarks/run_records.py [--train-size 20000] [--epochs 3] [--rounds 2]

Trains the default recipe's CNN through `mk.train` (the path every run takes),
alternating trainings without and with `deterministic=True`, and prints the
median epoch time of each (the first epoch of every training, which traces
the model, is left out) and the cost in percent. Run it on a quiet machine:
other load moves these figures more than the switch does.
"""

import argparse
import os
import statistics
import sys

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
    times = {"default": [], "deterministic": []}
    accuracy = {"default": [], "deterministic": []}
    for _ in range(args.rounds):
        for name in times:
            config = mk.TrainingConfig(train_size=args.train_size, test_size=2_000,
                                       epochs=args.epochs,
                                       deterministic=name == "deterministic")
            result = mk.train(config)
            times[name] += epoch_seconds(result)
            accuracy[name].append(result.metrics.test_accuracy)
    default, deterministic = (statistics.median(times[name]) for name in times)
    print(f"default CNN, {args.train_size:,} images an epoch, median of "
          f"{len(times['default'])} epochs each:")
    print(f"  default        {default:6.2f} s an epoch   test accuracy "
          f"{statistics.mean(accuracy['default']):.4f}")
    print(f"  deterministic  {deterministic:6.2f} s an epoch   test accuracy "
          f"{statistics.mean(accuracy['deterministic']):.4f}")
    print(f"  cost of deterministic ops: {100 * (deterministic / default - 1):+.1f}% an epoch")
    print(f"all epochs (s): {({k: [round(t, 2) for t in v] for k, v in times.items()})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
