"""The recipes against plain Keras: short runs, the quick default, `fast`, and ensembles.

    python benchmarks/recipes.py [--skip-plain] [--best N]

1. One and two epochs of the default CNN on all of MNIST: plain `model.fit`
   (Adam at a constant 1e-3, the Keras examples' recipe) against `mk.train`
   with the library's defaults cut to the same epochs.
2. The dashboard's `quick` recipe against plain `model.fit` on the same
   images and epochs.
3. The `fast` recipe: test accuracy and training seconds (target: 99% within
   60 s on two CPU cores).
4. With `--best N`: N runs of the `best` recipe (seeds 0..N-1), each alone,
   then together as an ensemble, with and without test-time augmentation.
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import mnist_keras as mk  # noqa: E402


def plain_keras(data, epochs, seed=0):
    """Plain Keras: the default CNN, Adam 1e-3 constant, batch 128."""
    keras.utils.set_random_seed(seed)
    model = mk.build_model("cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=128, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - started
    return mk.evaluate(model, data.x_test, data.y_test).accuracy, seconds


def library(config, data, folder, name):
    result = mk.train(config, run_dir=os.path.join(folder, name), data=data)
    return result.metrics.test_accuracy, result.metrics.train_seconds, result.run_dir


def row(label, accuracy, seconds):
    print(f"  {label:44s} {100 * accuracy:6.2f}%  {seconds:6.0f} s", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-plain", action="store_true", help="skip parts 1 and 2")
    parser.add_argument("--best", type=int, default=0, help="train N best runs (part 4)")
    args = parser.parse_args(argv)
    full = mk.load_dataset(validation_split=0)
    with tempfile.TemporaryDirectory() as folder:
        if not args.skip_plain:
            print("1. short runs, all 60,000 images, 10,000 test images:")
            for epochs in (1, 2):
                row(f"model.fit, constant 1e-3, {epochs} epoch(s)", *plain_keras(full, epochs))
                row(f"mk.train defaults, {epochs} epoch(s)",
                    *library(mk.recipe_config(epochs=epochs), full, folder, f"d{epochs}")[:2])
            quick = mk.recipe_config("quick")
            small = mk.load_dataset(train_size=quick.train_size, test_size=quick.test_size,
                                    validation_split=quick.validation_split)
            print(f"2. the quick recipe ({len(small.x_train):,} training images, "
                  f"{quick.epochs} epochs):")
            row("model.fit, constant 1e-3", *plain_keras(small, quick.epochs))
            row("mk.train, quick recipe", *library(quick, small, folder, "quick")[:2])
        print("3. the fast recipe:")
        accuracy, seconds, _ = library(mk.recipe_config("fast"), full, folder, "fast")
        row("mk.train, fast recipe", accuracy, seconds)
        print(f"  99% within 60 s: {'yes' if accuracy >= 0.99 and seconds <= 60 else 'no'}")
        if args.best:
            print(f"4. {args.best} runs of the best recipe, then their ensemble:")
            models = []
            for seed in range(args.best):
                accuracy, seconds, run_dir = library(mk.recipe_config("best", seed=seed), full,
                                                     folder, f"best{seed}")
                row(f"best, seed {seed}", accuracy, seconds)
                models.append(mk.load_model(os.path.join(run_dir, "model.keras")))
            for tta in (False, True):
                started = time.perf_counter()
                result = mk.evaluate(models, full.x_test, full.y_test, tta=tta)
                row(f"ensemble of {len(models)}{' with TTA' if tta else ''} (inference)",
                    result.accuracy, time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
