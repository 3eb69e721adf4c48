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
