"""A saliency map drawn over its 28x28 input, as an RGB image people can read."""

import numpy as np

# A perceptually ordered ramp from transparent-ish dark red to bright yellow
# (anchor colours in the spirit of matplotlib's "inferno"; written out so the
# library needs no plotting package).
_RAMP = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]],
                 np.float64)
MAX_SCALE = 40


def heat_colors(heat):
    """(H, W) values in [0, 1] -> (H, W, 3) uint8 colours along the ramp."""
    heat = np.clip(np.nan_to_num(np.asarray(heat, np.float64)), 0.0, 1.0)
    position = heat * (len(_RAMP) - 1)
    low = np.minimum(position.astype(int), len(_RAMP) - 2)
    fraction = (position - low)[..., np.newaxis]
    return np.rint(_RAMP[low] * (1 - fraction) + _RAMP[low + 1] * fraction).astype(np.uint8)


# The ink is dimmed to this share of white under the map: on full-white ink the
# ramp's bright end (yellow) and faint tints were nearly invisible.
INK_UNDER_MAP = 0.35


def overlay(image, heat, scale=10, opacity=0.9):
    """The input, dimmed, with the map's colours over it, enlarged.

    Args:
        image: the (28, 28) input in [0, 1], white ink on black.
        heat: a (28, 28) map in [0, 1] (`saliency`).
        scale: pixels per input pixel, 1-40. Defaults to 10 (280x280).
        opacity: how much of the colour shows where the map is 1; it fades
            to nothing where the map is 0, along the square root of the map
            (scaled so that its strongest 5% of non-zero values are 1) so
            that weak evidence still shows. Defaults to 0.9.

    Returns:
        A uint8 RGB array of shape (28 * scale, 28 * scale, 3).

    >>> overlay(np.zeros((28, 28)), np.ones((28, 28)), scale=2).shape
    (56, 56, 3)
    """
    scale = int(min(max(scale, 1), MAX_SCALE))
    grey = np.clip(np.asarray(image, np.float64).reshape(28, 28), 0, 1)[..., np.newaxis] \
        * 255 * INK_UNDER_MAP
    heat = np.clip(np.nan_to_num(np.asarray(heat, np.float64)).reshape(28, 28), 0, 1)
    # Gradient maps are sparse with a few extreme pixels (integrated gradients:
    # 9% of pixels non-zero, the 95th percentile at a sixth of the top): scaled
    # by their largest value they were pale tints. The strongest 5% of the
    # evidence shows at full strength instead.
    evidence = heat[heat > 0]
    if evidence.size:
        heat = np.clip(heat / max(np.quantile(evidence, 0.95), 1e-12), 0, 1)
    alpha = (opacity * np.sqrt(heat))[..., np.newaxis]
    blended = grey * (1 - alpha) + heat_colors(heat) * alpha
    picture = np.rint(blended).astype(np.uint8)
    return np.kron(picture, np.ones((scale, scale, 1), np.uint8))
