"""How well the doubtful-labels ranking finds labels flipped on purpose, and how fast.

    python benchmarks/doubt.py [--train-size 5000] [--flip 0.02] [--folds 5] [--seed 0]

A stratified subset of MNIST's training images has a share of its labels
flipped to another digit (seeded: the images and their wrong digits are drawn
at random). `mnist_keras.doubt` then ranks the subset (out-of-fold
probabilities from small models, confident learning), and the benchmark
prints how many of the flipped images rank among the most doubtful, as many
as were flipped (recall at 2% for 2% flipped), how many confident learning
flags, and the time the ranking took (models, predictions and ranking).
MNIST's own labels have a few mistakes too, so a perfect recall is not
expected: an unflipped image with a wrong label may rightly rank above a
flipped one.
"""

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import mnist_keras as mk  # noqa: E402
from mnist_keras.doubt import DoubtSettings, out_of_fold_probabilities, rank_by_doubt  # noqa: E402


def flip_labels(labels, share, num_classes, seed):
    """A copy of `labels` with `share` of them changed to another class, and which ones."""
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(labels), size=int(round(share * len(labels))), replace=False)
    noisy = labels.copy()
    # A shift of 1 to num_classes - 1 never lands on the true label.
    noisy[flipped] = (labels[flipped] + rng.integers(1, num_classes, len(flipped))) % num_classes
    return noisy, flipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=5_000)
    parser.add_argument("--flip", type=float, default=0.02, help="share of labels flipped")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=DoubtSettings.epochs)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = mk.load_dataset(train_size=args.train_size, test_size=100, validation_split=0,
                           seed=args.seed)
    noisy, flipped = flip_labels(data.y_train, args.flip, data.num_classes, args.seed)
    settings = DoubtSettings(folds=args.folds, epochs=args.epochs, seed=args.seed)
    started = time.perf_counter()
    probabilities = out_of_fold_probabilities(data.x_train, noisy, data.num_classes, settings)
    order, _, flagged = rank_by_doubt(noisy, probabilities)
    seconds = time.perf_counter() - started
    top = set(order[:len(flipped)].tolist())
    found = len(top & set(flipped.tolist()))
    flagged_flipped = int(flagged[flipped].sum())
    print(f"{args.train_size:,} MNIST training images, {len(flipped)} labels flipped "
          f"({100 * args.flip:g}%), {args.folds} folds of {args.epochs} epochs")
    print(f"recall in the top {len(flipped)} ({100 * args.flip:g}%): {found}/{len(flipped)} "
          f"= {found / len(flipped):.1%}")
    print(f"flagged by confident learning: {int(flagged.sum())} images, "
          f"{flagged_flipped} of them flipped ones")
    print(f"out-of-fold accuracy against the noisy labels: "
          f"{(probabilities.argmax(axis=1) == noisy).mean():.1%}")
    print(f"time: {seconds:.1f} s (training {args.folds} models, predicting, ranking)")


if __name__ == "__main__":
    main()
