"""How well a model reads writers who are not in MNIST, drawing as people draw on the pad.

Two sets of other writers, both as pen strokes on a 280x280 pad:

- **Drawn writers** (`benchmarks/writers.py`): writers with habits of their own
  (which form of each digit, slant, width, pen, roundness, steadiness), 10
  drawings of each digit each. Reported overall, per writer (the lowest), and
  per form of a digit (a "style": a 7 with a bar, a closed 4; the lowest).
- **UCI writers**: the 1,797 handwritten digits of 43 real writers that
  scikit-learn ships (8x8 grids of ink), as the soft scans they are.

    python benchmarks/other_writers.py                      # default recipe, 3 epochs, and
                                                            # the pretrained model
    python benchmarks/other_writers.py --recipes default,robust --epochs 3
    python benchmarks/other_writers.py --model runs/x/model.keras
"""

import argparse
import collections
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from writers import render, samples, writers  # noqa: E402

import mnist_keras as mk  # noqa: E402

# Enough writers that one odd hand cannot move the total by more than a point.
WRITERS, PER_DIGIT = 60, 10


def drawn_writers(count=WRITERS, per_digit=PER_DIGIT, seed=0):
    """`(pages, labels, writer_ids, styles)` of `count` drawn writers' digits."""
    pages, labels, ids, styles = [], [], [], []
    for writer in writers(count, seed):
        drawn, digits = samples(writer, per_digit, seed=seed)
        pages += [render(strokes) for strokes in drawn]
        labels += list(digits)
        ids += [writer.seed] * len(digits)
        styles += [f"{digit} {writer.forms[digit]}" for digit in digits]
    return pages, np.asarray(labels), np.asarray(ids), styles


def uci_writers():
    """`(scan_pages, labels)`: scikit-learn's UCI digits as the soft scans they are.

    Each UCI digit is an 8x8 grid of ink counts (0-16) from a 32x32 bitmap,
    enlarged smoothly to a page. (They are not re-drawn as strokes: at 8x8 a
    stroke is a pixel or two, and thinning or thresholding it loses whole
    bars, so a 2 becomes a bracket: the figure would measure the rendering.)
    """
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    scans = [np.asarray(Image.fromarray(np.uint8(255 - image * 255 / 16))
                        .resize((280, 280), Image.BILINEAR)) for image in digits.images]
    return scans, digits.target


def predicted(model, pages):
    """The label each page is read as (-1 where the page is not taken for a digit)."""
    return np.asarray([-1 if p.error else p.label for p in mk.predict_digits(model, pages)])


def report(name, model, drawn, uci, seconds=None):
    pages, labels, ids, styles = drawn
    answers = predicted(model, pages)
    right = answers == labels
    per_writer = {w: right[ids == w].mean() for w in np.unique(ids)}
    by_style = collections.defaultdict(list)
    for ok, style in zip(right, styles):
        by_style[style].append(ok)
    per_style = {style: float(np.mean(oks)) for style, oks in by_style.items()}
    worst_writer = min(per_writer, key=per_writer.get)
    worst_style = min(per_style, key=per_style.get)
    scans, uci_labels = uci
    scan = float(np.mean(predicted(model, scans) == uci_labels))
    took = "" if seconds is None else f" (trained in {seconds:.0f} s)"
    print(f"\n{name}{took}")
    print(f"  drawn writers ({len(per_writer)} x {len(labels) // len(per_writer)} digits): "
          f"{100 * right.mean():.2f}%; lowest writer {100 * per_writer[worst_writer]:.1f}% "
          f"(writer {worst_writer}), lowest style {100 * per_style[worst_style]:.1f}% "
          f"({worst_style})")
    weakest = sorted(per_style, key=per_style.get)[:5]
    print("  weakest styles: " + ", ".join(f"{s} {100 * per_style[s]:.0f}%" for s in weakest))
    print(f"  UCI writers (43, {len(uci_labels):,} soft scans): {100 * scan:.2f}%")
    confusions = collections.Counter((int(t), int(p)) for t, p in zip(labels, answers)
                                     if t != p)
    print("  commonest mistakes (true -> read): " + ", ".join(
        f"{t}->{p if p >= 0 else 'none'} x{n}" for (t, p), n in confusions.most_common(6)))
    return {"drawn": float(right.mean()), "lowest_writer": float(per_writer[worst_writer]),
            "lowest_style": float(per_style[worst_style]), "uci_scan": scan}


def main(argv=None):
    from mnist_keras.recipes import RECIPES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", default="default",
                        help=f"recipes from {RECIPES.names()}, comma-separated ('' for none)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--model", action="append", default=[],
                        help="also evaluate a saved .keras model")
    parser.add_argument("--no-pretrained", action="store_true",
                        help="leave out the pretrained model")
    parser.add_argument("--writers", type=int, default=WRITERS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    drawn = drawn_writers(args.writers, seed=args.seed)
    uci = uci_writers()
    print(f"{len(drawn[1]):,} digits of {args.writers} drawn writers and {len(uci[1]):,} UCI "
          f"digits rendered in {time.perf_counter() - started:.0f} s")
    if not args.no_pretrained:
        from mnist_keras.pretrained import load_pretrained

        report("the pretrained model", load_pretrained(), drawn, uci)
    for path in args.model:
        report(path, mk.load_model(path), drawn, uci)
    for name in filter(None, args.recipes.split(",")):
        config = mk.recipe_config(name, epochs=args.epochs, seed=args.seed)
        started = time.perf_counter()
        result = mk.train(config)
        report(f"recipe {name}: {config.epochs} epochs", result.model, drawn, uci,
               time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
