"""Writers who are not in MNIST: each a consistent hand, drawing digits as pen strokes.

A writer is a seeded set of habits: which form of each digit they write (a 1
with or without a flag or a foot, an open or a closed 4, a 7 with a bar, a 9
with a straight or a curled tail, a 2 with or without a loop, ...), how they
slant, how wide and tall their digits are, how round their curves are, how
steady their hand is, and their pen. Every digit they draw follows their
habits, with the small differences of a hand drawing the same thing twice.
Each digit comes out as strokes on a 280x280 pad, as the dashboard's canvas
records them (`{"points": [[x, y], ...], "width": w}`), and as the page.

None of it comes from MNIST or any dataset: the forms are drawn from
descriptions of how people write digits, so a model trained on MNIST meets
them as new writers. The benchmarks measure models on them
(`benchmarks/other_writers.py`) and teach models a writer's hand
(`benchmarks/personalize.py`).

    python benchmarks/writers.py --out writers.png   # a sheet of ten writers' digits
"""

import argparse
import dataclasses
import math

import numpy as np
from PIL import Image, ImageDraw

PAD = 280

# Each digit's forms: strokes of control points in a unit box (x right, y
# down), smoothed into curves when drawn. A writer picks one form per digit.
_LOOP = [(0.5, 0.0), (0.93, 0.22), (0.96, 0.6), (0.62, 1.0), (0.18, 0.9), (0.04, 0.45),
         (0.3, 0.04), (0.55, 0.02)]
FORMS = {
    0: {
        "oval": [_LOOP],
        "narrow": [[(0.5, 0.0), (0.82, 0.2), (0.84, 0.75), (0.5, 1.0), (0.17, 0.78),
                    (0.16, 0.22), (0.48, 0.0), (0.56, 0.08)]],
        "slashed": [_LOOP, [(0.8, 0.1), (0.2, 0.9)]],
    },
    1: {
        "stick": [[(0.55, 0.0), (0.5, 1.0)]],
        "flag": [[(0.2, 0.3), (0.58, 0.0), (0.54, 1.0)]],
        "flag_foot": [[(0.22, 0.28), (0.56, 0.0), (0.54, 1.0)], [(0.25, 1.0), (0.82, 1.0)]],
    },
    2: {
        "swan": [[(0.1, 0.25), (0.35, 0.02), (0.72, 0.05), (0.85, 0.32), (0.6, 0.6),
                  (0.08, 1.0), (0.92, 0.98)]],
        "looped": [[(0.12, 0.22), (0.4, 0.0), (0.78, 0.1), (0.72, 0.45), (0.25, 0.88),
                    (0.1, 0.98), (0.3, 0.78), (0.5, 0.95), (0.95, 0.95)]],
        "z": [[(0.12, 0.12), (0.5, 0.0), (0.85, 0.15), (0.1, 0.98), (0.92, 0.98)]],
    },
    3: {
        "round": [[(0.12, 0.15), (0.48, 0.0), (0.82, 0.15), (0.72, 0.42), (0.42, 0.5),
                   (0.8, 0.6), (0.86, 0.85), (0.48, 1.0), (0.1, 0.85)]],
        "flat_top": [[(0.12, 0.02), (0.85, 0.02), (0.42, 0.42), (0.8, 0.55), (0.85, 0.82),
                      (0.5, 1.0), (0.1, 0.85)]],
    },
    4: {
        "open": [[(0.58, 0.0), (0.08, 0.68), (0.95, 0.68)], [(0.7, 0.3), (0.68, 1.0)]],
        "closed": [[(0.66, 1.0), (0.66, 0.0), (0.08, 0.66), (0.95, 0.66)]],
        "gap": [[(0.3, 0.0), (0.12, 0.62), (0.92, 0.62)], [(0.7, 0.08), (0.66, 1.0)]],
    },
    5: {
        "hat": [[(0.3, 0.05), (0.22, 0.45), (0.6, 0.38), (0.88, 0.62), (0.7, 0.95),
                 (0.15, 0.9)], [(0.3, 0.05), (0.85, 0.03)]],
        "one_stroke": [[(0.85, 0.02), (0.3, 0.03), (0.25, 0.45), (0.65, 0.4), (0.88, 0.68),
                        (0.6, 0.98), (0.12, 0.86)]],
    },
    6: {
        "curl": [[(0.75, 0.0), (0.3, 0.35), (0.12, 0.72), (0.4, 1.0), (0.78, 0.85),
                  (0.72, 0.55), (0.35, 0.55), (0.2, 0.7)]],
        "straight": [[(0.6, 0.0), (0.2, 0.6), (0.3, 0.95), (0.7, 0.92), (0.75, 0.62),
                      (0.4, 0.55), (0.22, 0.68)]],
    },
    7: {
        "plain": [[(0.08, 0.05), (0.92, 0.03), (0.42, 1.0)]],
        "barred": [[(0.08, 0.05), (0.92, 0.03), (0.42, 1.0)], [(0.3, 0.5), (0.8, 0.48)]],
        "hooked": [[(0.05, 0.2), (0.12, 0.03), (0.9, 0.05), (0.55, 0.5), (0.45, 1.0)]],
    },
    8: {
        "two_loops": [[(0.5, 0.48), (0.18, 0.25), (0.5, 0.0), (0.82, 0.22), (0.5, 0.48),
                       (0.12, 0.75), (0.5, 1.0), (0.88, 0.75), (0.5, 0.48)]],
        "snowman": [[(0.5, 0.0), (0.75, 0.2), (0.5, 0.42), (0.25, 0.2), (0.5, 0.0)],
                    [(0.5, 0.42), (0.88, 0.7), (0.5, 1.0), (0.12, 0.7), (0.5, 0.42)]],
    },
    9: {
        "straight": [[(0.82, 0.25), (0.5, 0.45), (0.2, 0.28), (0.45, 0.0), (0.82, 0.15),
                      (0.82, 0.45), (0.75, 1.0)]],
        "curled": [[(0.82, 0.25), (0.5, 0.45), (0.2, 0.28), (0.45, 0.0), (0.82, 0.15),
                    (0.78, 0.6), (0.55, 0.98), (0.25, 0.9)]],
        "g": [[(0.8, 0.2), (0.45, 0.02), (0.18, 0.25), (0.45, 0.46), (0.8, 0.3),
               (0.8, 0.05), (0.78, 0.75), (0.5, 1.0), (0.2, 0.88)]],
    },
}


@dataclasses.dataclass(frozen=True)
class Writer:
    """One writer's habits; `draw(digit, rng)` draws a digit in their hand.

    Attributes:
        seed: the seed the habits were drawn from.
        forms: the form each digit is written in (a key of `FORMS[digit]`).
        slant: horizontal shear (0.3 leans the top about 17 degrees right).
        width: width against height of the digits' box.
        height: the digits' height on the 280 px pad, in pixels.
        pen: the pen's width in pixels.
        roundness: how far curves bulge between their control points (0-1).
        shakiness: how far each control point strays, as a share of the box.
    """

    seed: int
    forms: dict
    slant: float
    width: float
    height: float
    pen: float
    roundness: float
    shakiness: float

    @classmethod
    def from_seed(cls, seed, unusual=False):
        """A writer's habits drawn from `seed`.

        With `unusual`, every digit takes one of its less common forms (a
        flagged 1, a hooked 7, a 9 like a g, a slashed 0, ...) and the hand
        slants more: writers a model trained on MNIST reads worst, whom
        teaching is for.
        """
        rng = np.random.default_rng(seed)
        forms = {digit: str(rng.choice(list(options)[1:] if unusual and len(options) > 1
                                       else sorted(options)))
                 for digit, options in FORMS.items()}
        return cls(seed=seed, forms=forms,
                   slant=float(rng.uniform(0.2, 0.5) if unusual else rng.uniform(-0.15, 0.45)),
                   width=float(rng.uniform(0.5, 0.95)), height=float(rng.uniform(150, 230)),
                   pen=float(rng.uniform(10, 30)), roundness=float(rng.uniform(0.2, 0.9)),
                   shakiness=float(rng.uniform(0.01, 0.05)))

    def draw(self, digit, rng):
        """The strokes of `digit` in this hand, on a 280x280 pad (canvas coordinates)."""
        height = self.height * rng.uniform(0.92, 1.08)
        width = height * self.width * rng.uniform(0.92, 1.08)
        left = PAD / 2 - width / 2 + rng.uniform(-20, 20)
        top = PAD / 2 - height / 2 + rng.uniform(-15, 15)
        slant = self.slant + rng.normal(0, 0.04)
        turn = math.radians(rng.normal(0, 3))
        strokes = []
        for stroke in FORMS[digit][self.forms[digit]]:
            points = np.asarray(stroke, np.float64)
            points = points + rng.normal(0, self.shakiness, points.shape)
            curve = _smooth(points, self.roundness)
            x = curve[:, 0] + slant * (0.5 - curve[:, 1])
            y = curve[:, 1]
            x, y = (0.5 + (x - 0.5) * math.cos(turn) - (y - 0.5) * math.sin(turn),
                    0.5 + (x - 0.5) * math.sin(turn) + (y - 0.5) * math.cos(turn))
            strokes.append({"points": [[round(float(left + a * width), 1),
                                        round(float(top + b * height), 1)]
                                       for a, b in zip(x, y)],
                            "width": round(self.pen * rng.uniform(0.9, 1.1), 1)})
        return strokes


def _smooth(points, roundness, steps=12):
    """A Catmull-Rom curve through the points; `roundness` 0 keeps straight lines."""
    if len(points) < 3:
        return np.linspace(points[0], points[-1], steps)
    padded = np.vstack([points[0], points, points[-1]])
    curve = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1:i + 3]
        for t in np.linspace(0, 1, steps, endpoint=False):
            spline = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t ** 2
                            + (3 * p1 - p0 - 3 * p2 + p3) * t ** 3)
            line = p1 + (p2 - p1) * t
            curve.append(line + roundness * (spline - line))
    curve.append(points[-1])
    return np.asarray(curve)


def render(strokes, size=PAD):
    """Strokes -> a black-on-white uint8 page, drawn with a round pen at 4x, then reduced."""
    scale = 4
    canvas = Image.new("L", (size * scale, size * scale), 255)
    pen = ImageDraw.Draw(canvas)
    for stroke in strokes:
        width = stroke["width"] * scale
        points = [(x * scale, y * scale) for x, y in stroke["points"]]
        if len(points) > 1:
            pen.line(points, fill=0, width=max(1, round(width)), joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=0)
    return np.asarray(canvas.resize((size, size), Image.BOX))


def writers(count, seed=0, unusual=False):
    """`count` writers, each with habits of their own (the same seed, the same writers).

    With `unusual`, writers of the less common forms (see `Writer.from_seed`).
    """
    offset = 50_000 if unusual else 0
    return [Writer.from_seed(seed * 100_000 + offset + number, unusual=unusual)
            for number in range(count)]


def samples(writer, per_digit, seed=0):
    """`(strokes, labels)`: `per_digit` drawings of each digit by `writer`."""
    rng = np.random.default_rng([writer.seed, seed])
    drawn, labels = [], []
    for _ in range(per_digit):
        for digit in range(10):
            drawn.append(writer.draw(digit, rng))
            labels.append(digit)
    return drawn, np.asarray(labels)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="writers.png", help="the sheet to write (PNG)")
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    cell = 70
    sheet = Image.new("L", (10 * cell, args.writers * cell), 255)
    for row, writer in enumerate(writers(args.writers, args.seed)):
        drawn, _ = samples(writer, 1, seed=1)
        for column, strokes in enumerate(drawn):
            page = Image.fromarray(render(strokes)).resize((cell, cell), Image.BOX)
            sheet.paste(page, (column * cell, row * cell))
    sheet.save(args.out)
    print(f"{args.writers} writers' digits written to {args.out}")


if __name__ == "__main__":
    main()
