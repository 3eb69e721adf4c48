"""The recipes against plain Keras: short runs, the quick default, `fast`, and ensembles.

    python benchmarks/recipes.py [--skip-plain | --quick-only] [--best N] [--plot PNG]
                                 [--runs-dir DIR]

1. One and two epochs of the default CNN on all of MNIST: plain `model.fit`
   (Adam at a constant 1e-3, the Keras examples' recipe) against `mk.train`
   with the library's defaults cut to the same epochs.
2. The dashboard's `quick` recipe against plain `model.fit` on the same
   images, first at the same epochs, then for as many epochs as fit in the
   recipe's training time (`--quick-only`: this part alone).
3. The `fast` recipe: test accuracy and training seconds (target: 99% within
   60 s on two CPU cores).
4. With `--best N`: N runs of the `best` recipe (seeds 0..N-1), each alone,
   then together as an ensemble, with and without test-time augmentation.
   With `--runs-dir`, the run folders are kept there (to ensemble them again
   with `mnist-keras evaluate`); otherwise they go with a temporary folder.

Every two-epoch-or-longer run is evaluated on the test set after each epoch;
the end prints each recipe's time to 99% and, with matplotlib installed,
plots the time-to-accuracy curves (`--plot`, default docs/time-to-accuracy.png).
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
from timing import TestAccuracyCurve  # noqa: E402

import mnist_keras as mk  # noqa: E402

DEFAULT_PLOT = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "time-to-accuracy.png")


def plain_keras(data, epochs, seed=0, curve=None):
    """Plain Keras: the default CNN, Adam 1e-3 constant, batch 128."""
    keras.utils.set_random_seed(seed)
    model = mk.build_model("cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(data.x_train, data.y_train, batch_size=128, epochs=epochs, verbose=0,
              callbacks=[curve] if curve else [])
    # With a curve, its per-epoch test evaluation is not counted as training.
    seconds = curve.training_seconds if curve else time.perf_counter() - started
    return mk.evaluate(model, data.x_test, data.y_test).accuracy, seconds


def library(config, data, folder, name, curve=None):
    result = mk.train(config, run_dir=os.path.join(folder, name), data=data,
                      callbacks=[curve] if curve else [])
    seconds = curve.training_seconds if curve else result.metrics.train_seconds
    return result.metrics.test_accuracy, seconds, result.run_dir


def quick_against_plain(folder):
    """Part 2: the `quick` recipe against plain Keras at equal epochs and at equal time."""
    quick = mk.recipe_config("quick")
    small = mk.load_dataset(train_size=quick.train_size, test_size=quick.test_size,
                            validation_split=quick.validation_split)
    print(f"2. the quick recipe ({len(small.x_train):,} training images, "
          f"{quick.epochs} epochs, {len(small.x_test):,} test images):")
    plain_accuracy, plain_seconds = plain_keras(small, quick.epochs)
    row(f"model.fit, constant 1e-3, {quick.epochs} epochs", plain_accuracy, plain_seconds)
    accuracy, seconds, _ = library(quick, small, folder, "quick")
    row("mk.train, quick recipe", accuracy, seconds)
    # As many plain epochs as fit in the recipe's time: "equal time".
    epochs = max(1, round(seconds / (plain_seconds / quick.epochs)))
    row(f"model.fit, 1e-3, {epochs} epochs (same time)", *plain_keras(small, epochs))


def row(label, accuracy, seconds):
    print(f"  {label:44s} {100 * accuracy:6.2f}%  {seconds:6.0f} s", flush=True)


def plot_curves(curves, path):
    """Test accuracy against training seconds, one line per recipe, with the 99% line."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        print("(no plot: matplotlib is not installed)")
        return
    figure, axes = plt.subplots(figsize=(7, 4), dpi=120)
    for curve in curves:
        seconds, accuracies = zip(*curve.curve)
        axes.plot(seconds, [100 * a for a in accuracies], marker="o", label=curve.label)
    axes.axhline(99.0, color="grey", linestyle="--", linewidth=1)
    axes.set_xlabel("training seconds (2-core CPU)")
    axes.set_ylabel("MNIST test accuracy (%)")
    axes.set_ylim(97.0, 100.0)
    axes.set_xscale("log")
    # Plain seconds on the log axis: matplotlib's default "3x10^1" labels collide.
    ticks = [t for t in (15, 30, 60, 120, 300, 600, 1200, 2400)
             if t <= max(s for c in curves for s, _ in c.curve) * 1.5]
    axes.set_xticks(ticks, [str(t) for t in ticks])
    axes.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path)
    print(f"plot: {os.path.normpath(path)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-plain", action="store_true", help="skip parts 1 and 2")
    parser.add_argument("--quick-only", action="store_true", help="run part 2 alone")
    parser.add_argument("--best", type=int, default=0, help="train N best runs (part 4)")
    parser.add_argument("--plot", default=DEFAULT_PLOT, help="where to save the curves")
    parser.add_argument("--runs-dir", help="keep the run folders here (a new or empty folder)")
    args = parser.parse_args(argv)
    full = mk.load_dataset(validation_split=0)
    curves = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.runs_dir or scratch
        if not (args.skip_plain or args.quick_only):
            print("1. short runs, all 60,000 images, 10,000 test images:")
            row("model.fit, constant 1e-3, 1 epoch", *plain_keras(full, 1))
            row("mk.train defaults, 1 epoch",
                *library(mk.recipe_config(epochs=1), full, folder, "d1")[:2])
            curves.append(TestAccuracyCurve(full, "model.fit, constant 1e-3"))
            row("model.fit, constant 1e-3, 2 epochs", *plain_keras(full, 2, curve=curves[-1]))
            curves.append(TestAccuracyCurve(full, "defaults cut to 2 epochs"))
            row("mk.train defaults, 2 epochs",
                *library(mk.recipe_config(epochs=2), full, folder, "d2", curves[-1])[:2])
        if not args.skip_plain:
            quick_against_plain(folder)
        if args.quick_only:
            return 0
        print("3. the fast recipe:")
        curves.append(TestAccuracyCurve(full, "fast"))
        accuracy, seconds, _ = library(mk.recipe_config("fast"), full, folder, "fast", curves[-1])
        row("mk.train, fast recipe", accuracy, seconds)
        print(f"  99% within 60 s: {'yes' if accuracy >= 0.99 and seconds <= 60 else 'no'}")
        if args.best:
            print(f"4. {args.best} runs of the best recipe, then their ensemble:")
            models, total = [], 0.0
            for seed in range(args.best):
                curves.append(TestAccuracyCurve(full, f"best, seed {seed}"))
                accuracy, seconds, run_dir = library(mk.recipe_config("best", seed=seed), full,
                                                     folder, f"best{seed}", curves[-1])
                total += seconds
                row(f"best, seed {seed}", accuracy, seconds)
                models.append(mk.load_model(os.path.join(run_dir, "model.keras")))
            for count in range(2, len(models) + 1):
                for tta in (False, True):
                    started = time.perf_counter()
                    result = mk.evaluate(models[:count], full.x_test, full.y_test, tta=tta)
                    row(f"ensemble of {count}{' with TTA' if tta else ''} (inference)",
                        result.accuracy, time.perf_counter() - started)
            print(f"  training time of the {len(models)} best runs: {total:.0f} s")
    print("time to 99% (training seconds, evaluation not counted):")
    for curve in curves:
        reached = curve.first_reaching(0.99)
        print(f"  {curve.label:44s} " + (f"{reached[0]:6.0f} s (epoch {reached[1]})" if reached
                                         else "not reached"))
    plot_curves(curves, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
