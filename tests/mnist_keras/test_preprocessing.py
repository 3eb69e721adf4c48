import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnist_keras.datasets import load_raw
from mnist_keras.errors import MnistKerasError
from mnist_keras.preprocessing import (
    TARGET_STROKE_WIDTH,
    EmptyDrawingError,
    center_of_mass,
    ink_levels,
    ink_mask,
    load_image,
    otsu_threshold,
    preprocess_drawing,
    stroke_width,
)


def _seven(size=280, offset=(0, 0), scale=1.0, width=18):
    """A '7' drawn as strokes: a PIL grayscale image, white ink on black."""
    picture = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(picture)
    dx, dy = offset

    def point(x, y):
        return (dx + size / 2 + (x - 140) * scale * size / 280,
                dy + size / 2 + (y - 140) * scale * size / 280)

    draw.line([point(80, 70), point(200, 70), point(120, 220)], fill=255, width=width,
              joint="curve")
    return picture


STYLES = {
    "white on black": lambda p: np.asarray(p),
    "black on white": lambda p: 255 - np.asarray(p),
    "RGB black on white": lambda p: np.stack([255 - np.asarray(p)] * 3, axis=-1),
    "ink on transparent": lambda p: np.dstack([np.zeros((*p.size[::-1], 3), np.uint8),
                                               np.asarray(p)]),
    "blue ink on transparent": lambda p: np.dstack([
        np.zeros(p.size[::-1], np.uint8), np.zeros(p.size[::-1], np.uint8),
        np.full(p.size[::-1], 200, np.uint8), np.asarray(p)]),
    "float grayscale": lambda p: np.asarray(p) / 255.0,
    "PIL image": lambda p: p,
    "faint pencil on grey paper": lambda p: (200 - np.asarray(p, np.float64) * 0.2)
    .astype(np.uint8),
    "a shadow across the page": lambda p: np.clip(
        255 - np.asarray(p, np.float64) - np.linspace(0, 90, 280)[None, :], 0, 255)
    .astype(np.uint8),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_gives_the_same_centred_digit(style):
    reference = preprocess_drawing(np.asarray(_seven()))
    result = preprocess_drawing(STYLES[style](_seven()))
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert np.abs(result - reference).mean() < 0.01
    row, col = center_of_mass(result)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


@pytest.mark.parametrize("size, offset, scale", [
    (280, (0, 0), 1.0), (280, (-80, 60), 0.5), (600, (150, -100), 0.6), (100, (0, 0), 1.0),
    (280, (90, 90), 0.3), (2000, (0, 0), 0.8),
])
def test_size_and_position_do_not_matter(size, offset, scale):
    result = preprocess_drawing(_seven(size, offset, scale, width=max(3, int(18 * scale))))
    row, col = center_of_mass(result)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1
    inked = np.argwhere(result > 0.1)
    height, width = inked.max(axis=0) - inked.min(axis=0) + 1
    assert max(height, width) in (19, 20, 21)  # the longer side becomes 20 px


@pytest.mark.parametrize("pen", [4, 18, 40])
def test_stroke_width_is_brought_to_mnists(pen):
    # A thin ballpoint, a pen and a marker give strokes of about the same width.
    result = preprocess_drawing(_seven(width=pen))
    inked = result > 0.5
    width = stroke_width(np.kron(inked, np.ones((4, 4), bool)))
    assert abs(width - TARGET_STROKE_WIDTH) <= 6


def test_mnist_digits_come_back_close_to_themselves():
    _, _, images, _ = load_raw()
    for image in images[:20]:
        result = preprocess_drawing(image)
        # Redrawn as black-and-white strokes of MNIST's median width: the
        # same digit, with other grey levels.
        assert np.abs(result - image / 255.0).mean() < 0.12
        assert np.corrcoef(result.ravel(), image.ravel())[0, 1] > 0.7


@pytest.mark.parametrize("image", [
    np.zeros((280, 280), np.uint8),
    np.full((280, 280), 255, np.uint8),
    np.full((50, 50, 4), 0, np.uint8),
    np.pad(np.full((1, 1), 255, np.uint8), 100),
    np.pad(np.full((5, 5), 255, np.uint8), 140),  # a speck on a 280x280 canvas
])
def test_blank_images_are_not_digits(image):
    with pytest.raises(EmptyDrawingError, match="empty drawing") as error:
        preprocess_drawing(image)
    assert error.value.hint == "That is an empty drawing: draw a digit."


def _canvas_with(mark):
    canvas = np.zeros((280, 280), np.uint8)
    yy, xx = np.mgrid[:280, :280]
    mark(canvas, yy, xx)
    return canvas


@pytest.mark.parametrize("name, mark", [
    ("a tap of the 22 px pen",
     lambda c, y, x: c.__setitem__((y - 140) ** 2 + (x - 100) ** 2 <= 11 ** 2, 255)),
    ("a short tick", lambda c, y, x: c.__setitem__((slice(120, 132), slice(100, 130)), 255)),
    ("a marker pressed down",
     lambda c, y, x: c.__setitem__((y - 140) ** 2 + (x - 140) ** 2 <= 30 ** 2, 255)),
])
def test_taps_ticks_and_blobs_are_not_digits(name, mark):
    # Regression: a tap on the canvas was predicted "0" with 93% confidence.
    with pytest.raises(EmptyDrawingError, match="not a digit") as error:
        preprocess_drawing(_canvas_with(mark))
    assert "not a digit" in error.value.hint


def test_a_small_but_real_digit_is_still_a_digit():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[100:150, 138:142] = 255  # a short "1": 18% of the canvas, 12 strokes long
    assert preprocess_drawing(canvas).max() > 0.9


def test_paper_grey_paper_and_lighting_are_removed():
    page = np.full((100, 100), 230, np.uint8) - np.linspace(0, 60, 100).astype(np.uint8)
    page[20:80, 45:55] = 20
    levels = ink_levels(page)
    assert levels.max() == 255 and levels[0, 0] == 0
    assert levels[:, -1].max() < 0.1 * 255  # the shading at the edge: far under the ink


def test_ruled_paper_lines_and_specks_are_not_ink():
    page = np.full((280, 280, 3), 250, np.uint8)
    page[::28, :] = (150, 190, 240)  # ruled lines, across the whole page
    page[:, 30] = (240, 130, 130)    # the margin
    page[60:220, 130:140] = (20, 30, 120)  # a "1" in blue ink
    page[250, 250] = (0, 0, 0)  # a speck of dust
    mask, _ = ink_mask(ink_levels(page))
    rows, cols = np.nonzero(mask)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (60, 219, 130, 139)


def test_otsu_splits_two_groups_and_stroke_width_is_measured():
    levels = np.array([10] * 50 + [200] * 50)
    assert 10 <= otsu_threshold(levels) < 200
    bar = np.zeros((60, 60), bool)
    bar[10:50, 20:28] = True  # 8 px wide
    assert stroke_width(bar) == pytest.approx(8, rel=0.25)


@pytest.mark.parametrize("image, message", [
    (np.zeros((5, 5, 2)), "shape"),
    (np.zeros((5000, 10)), "at most 4096"),
    (np.array([["a"]]), "numeric"),
])
def test_non_images_are_reported(image, message):
    with pytest.raises(MnistKerasError, match=message):
        preprocess_drawing(image)


def test_nan_and_infinite_values_do_not_crash():
    image = np.zeros((100, 100))
    image[20:80, 45:55] = 1.0
    image[0, 0], image[1, 1] = np.nan, np.inf
    assert preprocess_drawing(image).max() == 1.0


def test_load_image_reads_files_and_reports_bad_ones(tmp_path):
    _seven().save(tmp_path / "seven.png")
    assert load_image(tmp_path / "seven.png").size == (280, 280)
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(MnistKerasError, match="readable image file"):
        load_image(tmp_path / "bad.png")
    with pytest.raises(MnistKerasError, match="existing image file"):
        load_image(tmp_path / "none.png")
    Image.new("L", (5000, 10)).save(tmp_path / "wide.png")
    with pytest.raises(MnistKerasError, match="at most 4096"):
        load_image(tmp_path / "wide.png")
