"""Trains a recipe on all of MNIST: time per epoch, test accuracy, and time to 99%.

    python benchmarks/train_full.py                      # the library's default recipe
    python benchmarks/train_full.py --recipe fast        # a recipe from mnist_keras.recipes
    python benchmarks/train_full.py --recipe best --set epochs=30 --seed 1

After every epoch it prints the training seconds so far (test evaluation not
counted) and the test accuracy: the time-to-accuracy curve of the recipe. At
the end: the first point at 99% or more, if any.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from timing import TestAccuracyCurve  # noqa: E402

import mnist_keras as mk  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=mk.RECIPES.names(), default="default")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a TrainingConfig setting, e.g. --set epochs=20")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    settings = dict(mk.recipe_settings(args.recipe), seed=args.seed)
    for override in args.set:
        name, _, value = override.partition("=")
        settings[name] = json.loads(value) if value[:1] in "0123456789-[tfn" else value
    config = mk.TrainingConfig(**settings)
    data = mk.load_dataset(config.dataset, config.data_dir, config.train_size,
                           config.test_size, config.validation_split, config.seed)
    print(f"recipe {args.recipe}: {settings}; backend {keras.backend.backend()}; "
          f"{len(data.x_train)} training images", flush=True)
    started = time.perf_counter()
    each_epoch = TestAccuracyCurve(data, args.recipe)
    result = mk.train(config, data=data, callbacks=[each_epoch])
    total = time.perf_counter() - started
    print(f"final test accuracy {result.metrics.test_accuracy:.4f} after "
          f"{result.metrics.epochs_done} epochs, {total:.0f} s in all", flush=True)
    reached = each_epoch.first_reaching(0.99)
    print(f"time to 99%: {reached[0]:.0f} s of training (epoch {reached[1]})"
          if reached else "time to 99%: not reached", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
