"""Teaching curves: a base model taught 1, 3, 5 and 10 digits of each kind by writers it misreads.

Writers with unusual hands (`benchmarks/writers.py`: flagged 1s, hooked 7s,
g-like 9s, steep slant) whom the base reads at 60-90% are taught with
`mnist_keras.personalize`, from samples they drew for it; each is then scored
on 20 other drawings of each digit of theirs, and the taught model on the
MNIST test set. Printed per writer and samples per digit: the writer's
accuracy before and after, MNIST before and after, and the seconds teaching
took. (Target: 5 samples per digit lift each writer to 97% or more, MNIST
within 0.3 points, in 60 s or less.)

    python benchmarks/personalize.py                       # the pretrained model
    python benchmarks/personalize.py --base runs/x/model.keras --writers 3
"""

import argparse
import os
import statistics
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from other_writers import predicted  # noqa: E402
from PIL import Image  # noqa: E402
from writers import render, samples, writers  # noqa: E402

from mnist_keras.personalize import personalize  # noqa: E402
from mnist_keras.pretrained import resolve_model  # noqa: E402
from mnist_keras.runs import load_model  # noqa: E402

EVALUATION_PER_DIGIT = 20
TEACHING = (1, 3, 5, 10)


def _pages(writer, per_digit, seed):
    drawn, labels = samples(writer, per_digit, seed=seed)
    return [render(strokes) for strokes in drawn], labels


def _write_folder(folder, pages, labels):
    for number, (page, label) in enumerate(zip(pages, labels)):
        os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
        Image.fromarray(page).save(os.path.join(folder, str(label), f"{number:04d}.png"))


def hard_writers(model, count, pool=40, seed=0):
    """The `count` unusual writers of `pool` the model reads worst within 60-90%.

    Returns `[(writer, pages, labels, accuracy)]`, hardest first.
    """
    candidates = []
    for writer in writers(pool, seed, unusual=True):
        pages, labels = _pages(writer, EVALUATION_PER_DIGIT, seed=1_000)
        accuracy = float(np.mean(predicted(model, pages) == labels))
        if 0.6 <= accuracy <= 0.9:
            candidates.append((writer, pages, labels, accuracy))
    return sorted(candidates, key=lambda candidate: candidate[3])[:count]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="pretrained",
                        help="a .keras file, a run folder or 'pretrained'")
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--teach", default=",".join(map(str, TEACHING)),
                        help="samples per digit to teach with, comma-separated")
    args = parser.parse_args(argv)
    base = load_model(resolve_model(args.base))
    chosen = hard_writers(base, args.writers)
    print(f"base {args.base}: {len(chosen)} writers read at 60-90% "
          f"({', '.join(f'{100 * acc:.0f}%' for *_, acc in chosen)})")
    summary = {k: [] for k in map(int, args.teach.split(","))}
    for writer, pages, labels, before in chosen:
        forms = ", ".join(f"{d} {writer.forms[d]}" for d in (1, 4, 7, 9))
        print(f"\nwriter {writer.seed} ({forms}; slant {writer.slant:.2f}): "
              f"{100 * before:.1f}% before")
        for per_digit in summary:
            teach_pages, teach_labels = _pages(writer, per_digit, seed=2_000)
            with tempfile.TemporaryDirectory() as folder:
                _write_folder(folder, teach_pages, teach_labels)
                result = personalize(args.base, folder, held_out=0.0)
            after = float(np.mean(predicted(result.model, pages) == labels))
            record = result.record
            summary[per_digit].append((after, record.after.mnist - record.before.mnist,
                                       record.seconds))
            print(f"  {per_digit:2d} per digit: writer {100 * after:.1f}%, MNIST "
                  f"{100 * record.before.mnist:.2f}% -> {100 * record.after.mnist:.2f}%, "
                  f"{record.seconds:.0f} s")
    print("\nmean over writers (samples per digit: writer after, MNIST change, seconds)")
    for per_digit, rows in summary.items():
        if rows:
            print(f"  {per_digit:2d}: {100 * statistics.mean(r[0] for r in rows):.1f}% "
                  f"(lowest {100 * min(r[0] for r in rows):.1f}%), MNIST "
                  f"{100 * statistics.mean(r[1] for r in rows):+.2f} points, "
                  f"{statistics.mean(r[2] for r in rows):.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
