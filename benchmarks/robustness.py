"""How well models read digits that are not MNIST look-alikes: a table per style.

    python benchmarks/robustness.py [--per-style 400] [--epochs 3] [--recipes default,robust]
    python benchmarks/robustness.py --model runs/x/model.keras   # evaluate a saved model

MNIST *test* digits (never trained on) are re-rendered in nine styles
(`handwriting_styles.py`: thin and thick pen, pencil at 20-60% contrast, a
blurred photo, a low-resolution scan, slanted, small and off-centre, ruled
paper, a noisy JPEG), 400 per style by default, seeded. Every page goes through
the same `predict_digits` path as a drawing in the dashboard. A second set is
real handwriting from other writers: the UCI digits bundled with scikit-learn
(1,797 digits by 43 people, scanned at 8x8), enlarged to 280x280 pages.

For each recipe the model is trained on all of MNIST for `--epochs` epochs and
the table gives accuracy per style, over all styles, on the UCI digits and on
the MNIST test set.
"""

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from handwriting_styles import STYLES, render  # noqa: E402

import mnist_keras as mk  # noqa: E402


def style_pages(per_style, seed=0):
    """`{style: (pages, labels)}`: MNIST test digits rendered in each style."""
    _, _, images, labels = mk.datasets.load_raw()
    pages = {}
    for number, style in enumerate(STYLES):
        rng = np.random.default_rng(seed + number)
        picks = rng.choice(len(images), per_style, replace=False)
        pages[style] = ([render(images[i], style, seed * 100_000 + int(i)) for i in picks],
                        labels[picks])
    return pages


def uci_pages():
    """The UCI handwritten digits (scikit-learn's copy), as 280x280 black-on-white pages."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    pages = []
    for image in digits.images:
        small = Image.fromarray(np.uint8(255 - image * 255 / 16))
        pages.append(np.asarray(small.resize((280, 280), Image.BILINEAR)))
    return pages, digits.target


def accuracy(model, pages, labels):
    predictions = mk.predict_digits(model, pages)
    return float(np.mean([p.label == label for p, label in zip(predictions, labels)]))


# The library's defaults against the recipe built for real handwriting.
COMPARED_RECIPES = ("default", "robust")


def report(name, model, pages, uci, seconds=None):
    rows = {style: accuracy(model, *pages[style]) for style in pages}
    everything = np.mean([rows[style] for style in pages])
    data = mk.load_dataset(train_size=1_000, validation_split=0)
    mnist = mk.evaluate(model, data.x_test, data.y_test).accuracy
    real = accuracy(model, *uci)
    print(f"\n{name}" + (f" (trained {seconds:.0f} s)" if seconds else ""))
    for style, value in rows.items():
        print(f"  {style:20s} {100 * value:6.2f}%")
    print(f"  {'all styles':20s} {100 * everything:6.2f}%   lowest {100 * min(rows.values()):.2f}%")
    print(f"  {'UCI digits (real)':20s} {100 * real:6.2f}%")
    print(f"  {'MNIST test set':20s} {100 * mnist:6.2f}%", flush=True)
    return rows, everything, real, mnist


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-style", type=int, default=400)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--recipes", default=",".join(COMPARED_RECIPES),
                        help=f"recipes from {mk.RECIPES.names()}, comma-separated")
    parser.add_argument("--model", action="append", default=[],
                        help="evaluate a saved .keras model instead of training")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    pages = style_pages(args.per_style)
    uci = uci_pages()
    total = sum(len(labels) for _, labels in pages.values())
    print(f"{total:,} pages in {len(pages)} styles and {len(uci[1]):,} UCI digits "
          f"rendered in {time.perf_counter() - started:.0f} s")
    for path in args.model:
        report(path, mk.load_model(path), pages, uci)
    if args.model:
        return 0
    for name in args.recipes.split(","):
        config = mk.recipe_config(name, epochs=args.epochs, seed=args.seed)
        started = time.perf_counter()
        result = mk.train(config)
        report(f"recipe {name}: {config.epochs} epochs", result.model, pages, uci,
               time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
