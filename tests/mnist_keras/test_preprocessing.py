import numpy as np
import pytest
from PIL import Image, ImageDraw

from mnist_keras.datasets import load_raw
from mnist_keras.errors import MnistKerasError
from mnist_keras.preprocessing import (
    EmptyDrawingError,
    area_resize,
    center_of_mass,
    load_image,
    preprocess_drawing,
    to_ink,
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
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_gives_the_same_centred_digit(style):
    reference = preprocess_drawing(np.asarray(_seven()))
    result = preprocess_drawing(STYLES[style](_seven()))
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert np.abs(result - reference).max() < 0.02
    row, col = center_of_mass(result)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1


@pytest.mark.parametrize("size, offset, scale", [
    (280, (0, 0), 1.0), (280, (-80, 60), 0.5), (600, (150, -100), 0.6), (100, (0, 0), 1.0),
    (280, (90, 90), 0.3),
])
def test_size_and_position_do_not_matter(size, offset, scale):
    result = preprocess_drawing(_seven(size, offset, scale, width=max(3, int(18 * scale))))
    row, col = center_of_mass(result)
    assert abs(row - 14) <= 1 and abs(col - 14) <= 1
    inked = np.argwhere(result > 0.1)
    height, width = inked.max(axis=0) - inked.min(axis=0) + 1
    assert max(height, width) in (19, 20, 21)  # the longer side becomes 20 px


def test_mnist_digits_come_back_almost_unchanged():
    _, _, images, _ = load_raw()
    for image in images[:20]:
        np.testing.assert_allclose(preprocess_drawing(image), image / 255.0, atol=0.1)


@pytest.mark.parametrize("image", [
    np.zeros((280, 280), np.uint8),
    np.full((280, 280), 255, np.uint8),
    np.full((50, 50, 4), 0, np.uint8),
    np.pad(np.full((1, 1), 255, np.uint8), 100),
    np.pad(np.full((5, 5), 255, np.uint8), 140),  # a speck on a 280x280 canvas
])
def test_blank_images_are_not_digits(image):
    with pytest.raises(EmptyDrawingError, match="empty drawing"):
        preprocess_drawing(image)


def test_a_small_but_real_mark_is_still_a_digit():
    canvas = np.zeros((280, 280), np.uint8)
    canvas[100:140, 138:142] = 255  # 160 inked pixels: a short stroke
    assert preprocess_drawing(canvas).max() > 0.9


def test_light_paper_background_is_lifted_to_zero():
    page = np.full((100, 100), 230, np.uint8)
    page[20:80, 45:55] = 20
    ink = to_ink(page)
    assert ink.max() == 1.0 and ink[0, 0] == 0.0


@pytest.mark.parametrize("image, message", [
    (np.zeros((5, 5, 2)), "shape"),
    (np.zeros((5000, 10)), "at most 4096"),
    (np.array([["a"]]), "numeric"),
])
def test_non_images_are_reported(image, message):
    with pytest.raises(MnistKerasError, match=message):
        preprocess_drawing(image)


def test_area_resize_preserves_mean_and_averages_blocks():
    image = np.arange(16, dtype=float).reshape(4, 4)
    np.testing.assert_allclose(area_resize(image, 2, 2), [[2.5, 4.5], [10.5, 12.5]])
    odd = np.random.default_rng(0).random((7, 5))
    assert area_resize(odd, 3, 4).mean() == pytest.approx(odd.mean())


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
