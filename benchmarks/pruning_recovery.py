"""A dashboard-quick run pruned to 80% with the library's default fine-tuning.

    python benchmarks/pruning_recovery.py [--sparsity 0.8] [--seed 0] [--out DIR]

Trains the `quick` recipe (5,500 images with a 10% validation split, 10
epochs, 1,000 test images), prunes it with `pruning_config`'s defaults (as the
dashboard's Prune & fine-tune does with the epochs left empty) and prints the
test accuracy before and after, the points lost and the fine-tuning settings.
"""

import argparse
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import mnist_keras as mk  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sparsity", type=float, default=0.8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="keep the two runs here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out or scratch
        parent = mk.train(mk.recipe_config("quick", seed=args.seed),
                          run_dir=os.path.join(folder, "quick"))
        config = mk.pruning_config(os.path.join(parent.run_dir, "model.keras"), args.sparsity)
        pruned = mk.train(config, run_dir=os.path.join(folder, "quick-pruned"))
    before, after = parent.metrics.test_accuracy, pruned.metrics.test_accuracy
    print(f"quick run: {100 * before:.2f}% in {parent.metrics.train_seconds:.0f} s; pruned to "
          f"{100 * pruned.metrics.sparsity.sparsity:.0f}% with {config.epochs} fine-tuning "
          f"epochs at {config.learning_rate:g}: {100 * after:.2f}% in "
          f"{pruned.metrics.train_seconds:.0f} s; lost {100 * (before - after):.2f} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
