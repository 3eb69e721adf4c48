"""Training-time augmentation as a Keras preprocessing layer.

Rotation, zoom and translation are composed into one affine transform and
applied with a single bilinear resampling. (Chaining Keras' RandomRotation,
RandomZoom and RandomTranslation resamples three times; on 28x28 digits that
blurs the strokes visibly, and a model trained on blurred digits loses about
a point of accuracy on sharp ones.)

The layer is active only in training, and `train` wraps it around the model
rather than inside it, so the saved model never carries it.
"""

import math

import keras
from keras import ops


def affine_transforms(angles, scales, shifts_x, shifts_y, height, width):
    """Builds `keras.ops.image.affine_transform` matrices for rotate-zoom-shift.

    Each image is rotated by its angle and scaled by its factor about the image
    centre, then shifted. The returned rows map output pixels back to input
    pixels, as `affine_transform` expects.

    Args:
        angles: (N,) rotation angles in radians (counter-clockwise on screen).
        scales: (N,) zoom factors (>1 enlarges the digit).
        shifts_x, shifts_y: (N,) shifts in pixels (right, down).
        height, width: image size.

    Returns:
        (N, 8) float32 transforms.
    """
    cos, sin = ops.cos(angles) / scales, ops.sin(angles) / scales
    center_x, center_y = (width - 1) / 2.0, (height - 1) / 2.0
    target_x, target_y = center_x + shifts_x, center_y + shifts_y
    # Inverse of "rotate by angle, scale, shift": rows y point down, so a
    # counter-clockwise turn on screen is a clockwise one in (x, y).
    a0, a1 = cos, -sin
    b0, b1 = sin, cos
    a2 = center_x - (a0 * target_x + a1 * target_y)
    b2 = center_y - (b0 * target_x + b1 * target_y)
    zeros = ops.zeros_like(angles)
    return ops.cast(ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1), "float32")


class RandomAffine(keras.layers.Layer):
    """Random rotation, zoom and translation in one resampling; training only.

    Empty space is filled with 0 (black), the MNIST background.

    Args:
        rotation: maximum rotation in degrees, either way.
        zoom: maximum zoom in or out, as a fraction.
        translation: maximum shift, as a fraction of height and width.
        seed: seed of the random draws.
    """

    def __init__(self, rotation=15.0, zoom=0.1, translation=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rotation, self.zoom, self.translation, self.seed = rotation, zoom, translation, seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=False):
        if not training or not (self.rotation or self.zoom or self.translation):
            return images
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]

        def uniform(limit):
            return keras.random.uniform((batch,), -limit, limit, seed=self.seed_generator)

        angles = uniform(math.radians(self.rotation))
        scales = 1.0 + uniform(self.zoom)
        shift_x, shift_y = uniform(self.translation * width), uniform(self.translation * height)
        transforms = affine_transforms(angles, scales, shift_x, shift_y, height, width)
        return ops.image.affine_transform(images, transforms, interpolation="bilinear",
                                          fill_mode="constant", fill_value=0.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rotation": self.rotation, "zoom": self.zoom,
                "translation": self.translation, "seed": self.seed}


def build_augmentation(rotation=15.0, zoom=0.1, translation=0.1, seed=None):
    """Builds the training-time augmentation.

    Args:
        rotation: maximum rotation in degrees, either way. Defaults to 15.
        zoom: maximum zoom in or out, as a fraction. Defaults to 0.1.
        translation: maximum shift, as a fraction of height and width.
            Defaults to 0.1.
        seed: seed of the random draws.

    Returns:
        A `RandomAffine` layer (identity outside training, and when every
        setting is 0).

    Example:

    >>> augment = build_augmentation(rotation=10)
    >>> augment(images, training=True)  # doctest: +SKIP
    """
    return RandomAffine(rotation, zoom, translation, seed=seed, name="augmentation")
