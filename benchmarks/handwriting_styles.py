"""MNIST test digits re-rendered the way people's digits really arrive: pens, pencil, photos.

Each style takes a 28x28 MNIST digit (white on black, uint8) and returns a
280x280 RGB page (dark ink on light paper) that a person could have drawn,
photographed or scanned. The digit's shape is kept (its skeleton, re-drawn with
another pen, or the digit itself degraded); everything a model should not care
about changes: stroke width, ink contrast, blur, resolution, slant, size and
position, paper, noise. Seeded: the same seed gives the same pages.

    python benchmarks/robustness.py      # the benchmark that uses them
"""

import io
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.strokes import skeleton  # noqa: E402

PAGE = 280
UPSCALE = 2  # the skeleton is traced on the digit upscaled to 56x56


def _skeleton_segments(digit):
    """Pairs of neighbouring skeleton points of the digit, in unit-square coordinates."""
    big = ndimage.zoom(digit.astype(np.float32) / 255.0, UPSCALE, order=1)
    bones = skeleton(big > 0.45)
    size = bones.shape[0]
    points = list(zip(*np.nonzero(bones)))
    segments = []
    for y, x in points:
        start = ((x + 0.5) / size, (y + 0.5) / size)
        segments.append((start, start))
        for dy, dx in ((0, 1), (1, 1), (1, 0), (1, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < size and 0 <= nx < size and bones[ny, nx]:
                segments.append((start, ((nx + 0.5) / size, (ny + 0.5) / size)))
    return segments


def _draw(segments, width, box, shear=0.0, page=PAGE, scale=4):
    """The strokes as an ink mask (float, 0-1) on a page, drawn at `scale`x then reduced.

    Args:
        box: (left, top, size) of the digit's 28x28 frame on the page, in pixels.
        shear: horizontal shear (x += shear * (0.5 - y)), a slant to the right.
    """
    left, top, size = box
    canvas = Image.new("L", (page * scale, page * scale), 0)
    pen = ImageDraw.Draw(canvas)
    radius = width * scale / 2

    def place(point):
        x, y = point
        x = x + shear * (0.5 - y)
        return ((left + x * size) * scale, (top + y * size) * scale)

    for start, end in segments:
        a, b = place(start), place(end)
        if a != b:
            pen.line([a, b], fill=255, width=max(1, round(width * scale)))
        for x, y in (a, b):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    small = canvas.resize((page, page), Image.BOX)
    return np.asarray(small, np.float32) / 255.0


def _page(ink, paper=(1.0, 1.0, 1.0), color=(0.05, 0.05, 0.1)):
    """Ink mask -> RGB page: paper where there is no ink, the ink colour where there is."""
    paper = np.broadcast_to(np.asarray(paper, np.float32), ink.shape + (3,)) \
        if np.ndim(paper) == 1 else paper
    color = np.asarray(color, np.float32)
    page = paper * (1 - ink[..., None]) + color * ink[..., None]
    return np.clip(np.round(page * 255), 0, 255).astype(np.uint8)


def _box(rng, fraction=(0.6, 0.8)):
    # The digit's 28x28 frame: MNIST digits fill about 20/28 of it.
    size = PAGE * rng.uniform(*fraction)
    left = (PAGE - size) / 2 + rng.uniform(-0.08, 0.08) * PAGE
    top = (PAGE - size) / 2 + rng.uniform(-0.08, 0.08) * PAGE
    return left, top, size


def thin_pen(digit, rng):
    """A fine ballpoint: strokes 1-2% of the page wide."""
    return _page(_draw(_skeleton_segments(digit), rng.uniform(3, 6), _box(rng)))


def thick_pen(digit, rng):
    """A marker: strokes 10-14% of the page wide."""
    return _page(_draw(_skeleton_segments(digit), rng.uniform(28, 38), _box(rng)))


def pencil(digit, rng):
    """Pencil on grey paper at 20-60% contrast, with grain."""
    ink = _draw(_skeleton_segments(digit), rng.uniform(10, 18), _box(rng))
    ink = ink * rng.uniform(0.2, 0.6) * rng.uniform(0.7, 1.0, ink.shape)
    paper = rng.uniform(0.8, 0.95)
    return _page(ink, paper=(paper, paper, paper * 0.97), color=(0.0, 0.0, 0.0))


def blurred_photo(digit, rng):
    """A photo out of focus: soft strokes, uneven light."""
    ink = _draw(_skeleton_segments(digit), rng.uniform(12, 22), _box(rng))
    ink = ndimage.gaussian_filter(ink, rng.uniform(4, 8))
    y, x = np.mgrid[0:PAGE, 0:PAGE] / PAGE
    angle = rng.uniform(0, 2 * np.pi)
    light = 0.9 - 0.2 * (np.cos(angle) * x + np.sin(angle) * y)
    paper = np.repeat(light[..., None], 3, axis=2) * np.array([1.0, 0.98, 0.93])
    return _page(np.clip(ink * 1.4, 0, 1), paper=paper, color=(0.15, 0.15, 0.2))


def low_resolution(digit, rng):
    """Scanned at low resolution (8 to 12 px), then enlarged to the page: grey and blurred."""
    side = int(rng.integers(8, 13))
    small = Image.fromarray(digit).resize((side, side), Image.BOX)
    size = int(PAGE * rng.uniform(0.7, 0.95))
    big = np.asarray(small.resize((size, size), Image.BILINEAR), np.float32) / 255.0
    ink = np.zeros((PAGE, PAGE), np.float32)
    top, left = (PAGE - size) // 2, (PAGE - size) // 2
    ink[top:top + size, left:left + size] = big
    return _page(ink, color=(0.0, 0.0, 0.0))


def slanted(digit, rng):
    """Written with a strong slant, either way."""
    shear = rng.choice([-1, 1]) * rng.uniform(0.3, 0.55)
    return _page(_draw(_skeleton_segments(digit), rng.uniform(10, 18), _box(rng), shear))


def small_off_centre(digit, rng):
    """A small digit (30-45% of the page) near a corner."""
    size = PAGE * rng.uniform(0.3, 0.45)
    left, top = rng.uniform(0, PAGE - size, 2)
    return _page(_draw(_skeleton_segments(digit), rng.uniform(5, 9), (left, top, size)))


def ruled_paper(digit, rng):
    """On ruled paper: light blue lines, a red margin, blue ink."""
    paper = np.ones((PAGE, PAGE, 3), np.float32) * np.array([0.99, 0.98, 0.94])
    gap = int(rng.integers(22, 34))
    for row in range(int(rng.integers(5, gap)), PAGE, gap):
        paper[row:row + 2] = (0.65, 0.78, 0.95)
    margin = int(rng.integers(20, 40))
    paper[:, margin:margin + 2] = (0.95, 0.55, 0.55)
    ink = _draw(_skeleton_segments(digit), rng.uniform(8, 14), _box(rng))
    return _page(ink, paper=paper, color=(0.1, 0.15, 0.55))


def noisy_scan(digit, rng):
    """A noisy grey scan saved as a low-quality JPEG."""
    ink = _draw(_skeleton_segments(digit), rng.uniform(10, 18), _box(rng))
    paper = rng.uniform(0.75, 0.9)
    page = _page(ink, paper=(paper, paper, paper), color=(0.1, 0.1, 0.1)).astype(np.float32)
    page += rng.normal(0, 0.08 * 255, page.shape[:2])[..., None]
    buffer = io.BytesIO()
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(0.6)).save(buffer, "JPEG", quality=int(rng.integers(15, 35)))
    return np.asarray(Image.open(buffer).convert("RGB"))


STYLES = {
    "thin pen": thin_pen,
    "thick pen": thick_pen,
    "pencil 20-60%": pencil,
    "blurred photo": blurred_photo,
    "low resolution": low_resolution,
    "slanted": slanted,
    "small, off-centre": small_off_centre,
    "ruled paper": ruled_paper,
    "noisy JPEG scan": noisy_scan,
}


def render(digit, style, seed):
    """One page: the digit in `style`, the same for the same seed."""
    return STYLES[style](np.asarray(digit, np.uint8), np.random.default_rng(seed))
