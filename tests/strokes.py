"""MNIST digits re-drawn as pen strokes, the way a person draws on the canvas.

A digit is thresholded and thinned to a one-pixel skeleton (Zhang-Suen), and
every pair of neighbouring skeleton pixels becomes a short stroke of a round
pen of uniform width, scaled up to the canvas. What is left of the original is
its shape; thickness, blur and ink density are the pen's.
"""

import numpy as np

_NEIGHBOURS = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _shifted(image, dy, dx):
    padded = np.pad(image, 1)
    return padded[1 + dy:1 + dy + image.shape[0], 1 + dx:1 + dx + image.shape[1]]


def skeleton(mask):
    """Zhang-Suen thinning of a boolean image."""
    mask = mask.astype(bool).copy()
    while True:
        changed = False
        for first in (True, False):
            p = [_shifted(mask, dy, dx) for dy, dx in _NEIGHBOURS]  # P2..P9 clockwise
            count = sum(n.astype(int) for n in p)
            transitions = sum((~p[i] & p[(i + 1) % 8]).astype(int) for i in range(8))
            p2, p4, p6, p8 = p[0], p[2], p[4], p[6]
            if first:
                side = ~(p2 & p4 & p6) & ~(p4 & p6 & p8)
            else:
                side = ~(p2 & p4 & p8) & ~(p2 & p6 & p8)
            remove = mask & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                mask &= ~remove
                changed = True
        if not changed:
            return mask


def digit_to_strokes(image, scale=10, width=22, threshold=100):
    """Strokes (as `dashboard.drawing.render_strokes` takes them) for a 28x28 digit."""
    bones = skeleton(np.asarray(image) > threshold)
    strokes = []
    height, breadth = bones.shape
    for y, x in zip(*np.nonzero(bones)):
        centre = [(x + 0.5) * scale, (y + 0.5) * scale]
        strokes.append({"points": [centre], "width": width})
        for dy, dx in ((0, 1), (1, 1), (1, 0), (1, -1)):
            ny, nx = y + dy, x + dx
            if 0 <= ny < height and 0 <= nx < breadth and bones[ny, nx]:
                strokes.append({"points": [centre, [(nx + 0.5) * scale, (ny + 0.5) * scale]],
                                "width": width})
    return strokes
