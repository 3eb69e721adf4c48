import math

import numpy as np
from keras import ops

from mnist_keras.augmentation import affine_transforms, build_augmentation


def _dot(row, col, size=28):
    image = np.zeros((1, size, size, 1), np.float32)
    image[0, row, col, 0] = 1.0
    return image


def _apply(image, angle=0.0, scale=1.0, shift_x=0.0, shift_y=0.0):
    size = image.shape[1]
    transforms = affine_transforms(*(np.array([v], np.float32) for v in
                                     (angle, scale, shift_x, shift_y)), size, size)
    return np.asarray(ops.image.affine_transform(image, transforms, fill_value=0.0))


def _where(image):
    return tuple(int(v) for v in np.argwhere(image[0, :, :, 0] > 0.5)[0])


def test_shift_moves_right_and_down():
    assert _where(_apply(_dot(10, 10), shift_x=3, shift_y=2)) == (12, 13)


def test_quarter_turn_is_counter_clockwise_on_screen():
    # A dot right of the centre of a 29x29 image ends above the centre.
    assert _where(_apply(_dot(14, 20, size=29), angle=math.pi / 2)) == (8, 14)


def test_zoom_enlarges_about_the_centre():
    assert _where(_apply(_dot(14, 20, size=29), scale=1.5)) == (14, 23)


def test_identity_transform_changes_nothing():
    image = np.random.default_rng(0).random((1, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(_apply(image), image, atol=1e-5)


def test_layer_is_identity_outside_training_and_random_inside():
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype(np.float32)
    augment = build_augmentation(seed=1)
    np.testing.assert_array_equal(np.asarray(augment(images)), images)
    first = np.asarray(augment(images, training=True))
    second = np.asarray(augment(images, training=True))
    assert first.shape == images.shape
    assert not np.allclose(first, images) and not np.allclose(first, second)


def test_zero_settings_leave_images_alone_even_in_training():
    images = np.random.default_rng(0).random((2, 28, 28, 1)).astype(np.float32)
    augment = build_augmentation(rotation=0, zoom=0, translation=0)
    np.testing.assert_array_equal(np.asarray(augment(images, training=True)), images)


def test_digits_keep_their_ink_and_stay_sharp():
    # One resampling keeps the total ink and most of the peak brightness.
    image = np.zeros((1, 28, 28, 1), np.float32)
    image[0, 6:22, 12:16, 0] = 1.0  # a thick vertical bar, like a "1"
    out = np.asarray(build_augmentation(rotation=15, zoom=0.1, translation=0.1, seed=0)(
        np.repeat(image, 16, axis=0), training=True))
    ink = out.sum(axis=(1, 2, 3)) / image.sum()
    assert np.all((ink > 0.75) & (ink < 1.3))
    assert np.all(out.max(axis=(1, 2, 3)) > 0.95)


def test_shear_slants_to_the_right_and_stretch_widens():
    size = 29
    transforms = affine_transforms(*(np.array([v], np.float32) for v in (0.0, 1.0, 0.0, 0.0)),
                                   size, size, shears=np.array([0.5], np.float32))
    sheared = np.asarray(ops.image.affine_transform(_dot(4, 14, size), transforms))
    assert _where(sheared) == (4, 19)  # 10 rows above the centre: 5 px to the right
    transforms = affine_transforms(*(np.array([v], np.float32) for v in (0.0, 1.0, 0.0, 0.0)),
                                   size, size, stretches=np.array([np.log(1.5)], np.float32))
    assert _where(np.asarray(ops.image.affine_transform(_dot(14, 20, size), transforms))) \
        == (14, 23)


def _bar(count=8):
    image = np.zeros((count, 28, 28, 1), np.float32)
    image[:, 6:22, 12:16, 0] = 1.0
    return image


def test_elastic_distortion_moves_strokes_a_little_and_keeps_them():
    from mnist_keras.augmentation import RandomElastic

    images = _bar()
    layer = RandomElastic(alpha=2.0, seed=0)
    np.testing.assert_array_equal(np.asarray(layer(images)), images)  # inference: identity
    out = np.asarray(layer(images, training=True))
    assert not np.allclose(out, images)
    ink = out.sum(axis=(1, 2, 3)) / images[0].sum()  # stretched or squeezed locally
    assert np.all((ink > 0.6) & (ink < 1.6))
    # Nothing travels further than the largest displacement (plus a pixel of blur).
    assert out[:, :, :9].max() == 0 and out[:, :, 19:].max() == 0


def test_stroke_width_blur_and_contrast_change_the_pen_not_the_shape():
    from mnist_keras.augmentation import RandomBlur, RandomContrast, RandomStrokeWidth

    images = _bar(32)
    widths = np.asarray(RandomStrokeWidth(1.0, seed=0)(images, training=True))
    inks = widths.sum(axis=(1, 2, 3)) / images[0].sum()
    assert inks.max() > 1.2 and inks.min() < 0.8  # some thicker, some thinner
    assert np.abs(widths - images)[:, :, :8].max() == 0  # only next to the strokes
    line = np.zeros((32, 28, 28, 1), np.float32)
    line[:, 6:22, 14, 0] = 1.0
    blurred = np.asarray(RandomBlur(1.0, seed=0)(line, training=True))
    assert blurred.max(axis=(1, 2, 3)).min() < 1.0 and blurred[:, 10, 13].max() > 0
    assert np.allclose(blurred.sum(axis=(1, 2, 3)), line.sum(axis=(1, 2, 3)), rtol=1e-4)
    faint = np.asarray(RandomContrast(0.6, seed=0)(images, training=True)).max(axis=(1, 2, 3))
    assert faint.min() >= 0.4 - 1e-6 and faint.max() <= 1.0 and faint.std() > 0


def test_binarize_redraws_a_share_of_digits_in_black_and_white():
    from mnist_keras.augmentation import RandomBinarize

    images = np.random.default_rng(0).random((64, 28, 28, 1)).astype(np.float32)
    out = np.asarray(RandomBinarize(0.5, seed=0)(images, training=True))
    changed = ~np.all(np.isclose(out, images), axis=(1, 2, 3))
    assert 0.25 < changed.mean() < 0.75
    # A redrawn digit is 4x4 blocks of black and white: sixteenths.
    np.testing.assert_allclose(out[changed] * 16, np.round(out[changed] * 16), atol=1e-5)
    np.testing.assert_array_equal(
        np.asarray(RandomBinarize(0.0)(images, training=True)), images)


def test_build_augmentation_stacks_what_is_asked_for():
    augment = build_augmentation(rotation=5, elastic=1.5, stroke_width=0.3, blur=0.2,
                                 contrast=0.2, binarize=0.5, seed=0)
    assert [layer.name for layer in augment.layers] == [
        "elastic", "affine", "binarize", "stroke_width", "blur", "contrast"]
    assert np.asarray(augment(_bar(2), training=True)).shape == (2, 28, 28, 1)
