"""Trains on all of MNIST and prints time per epoch, samples/s and test accuracy.

    python benchmarks/train_full.py                        # the default recipe
    python benchmarks/train_full.py --recipe augmented     # the 99.5% recipe
    python benchmarks/train_full.py --set epochs=20 --set schedule=cosine

Recipes (see the README's benchmarks):
  default    the library defaults: cnn, all 60,000 images, Adam from 1e-3 on a cosine
             schedule, batch 128, 10 epochs (--set epochs=15 for 99.3%).
  augmented  the defaults plus rotation/zoom/translation, dropout 0.25, 30 epochs.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import mnist_keras as mk  # noqa: E402

RECIPES = {
    "default": {},
    # With augmentation regularising, the CNN's own dropout (0.5) is too much.
    "augmented": {"augment": True, "dropout": 0.25, "epochs": 30},
}


class TestAccuracyEachEpoch(keras.callbacks.Callback):
    """Prints epoch time, samples/s and test accuracy after every epoch."""

    def __init__(self, data, train_samples):
        super().__init__()
        self.data = data
        self.train_samples = train_samples

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self.started
        evaluation = mk.evaluate(self.model, self.data.x_test, self.data.y_test)
        print(
            f"epoch {epoch + 1:3d}  {seconds:6.1f} s  {self.train_samples / seconds:7.0f} samples/s"
            f"  val_acc {logs.get('val_accuracy', float('nan')):.4f}"
            f"  test_acc {evaluation.accuracy:.4f}",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="default")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a TrainingConfig setting, e.g. --set epochs=20")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    settings = dict(RECIPES[args.recipe], seed=args.seed)
    for override in args.set:
        name, _, value = override.partition("=")
        settings[name] = json.loads(value) if value[:1] in "0123456789-[tfn" else value
    config = mk.TrainingConfig(**settings)
    data = mk.load_dataset(config.dataset, config.data_dir, config.train_size,
                           config.test_size, config.validation_split, config.seed)
    print(f"recipe {args.recipe}: {settings}; backend {keras.backend.backend()}; "
          f"{len(data.x_train)} training images", flush=True)
    started = time.perf_counter()
    result = mk.train(config, data=data,
                      callbacks=[TestAccuracyEachEpoch(data, len(data.x_train))])
    total = time.perf_counter() - started
    print(f"final test accuracy {result.metrics.test_accuracy:.4f} after "
          f"{result.metrics.epochs_done} epochs, {total:.0f} s in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
