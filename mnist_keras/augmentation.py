"""Training-time augmentation: what a person's handwriting varies in and preprocessing keeps.

- `RandomAffine`: rotation, zoom, shift, shear (slant) and stretch (aspect
  ratio) composed into one affine transform and applied with a single bilinear
  resampling. (Chaining Keras' RandomRotation, RandomZoom and RandomTranslation
  resamples three times; on 28x28 digits that blurs the strokes visibly, and a
  model trained on blurred digits loses about a point of accuracy on sharp ones.)
- `RandomElastic`: a smooth random displacement field, the wobble of a hand.
- `RandomStrokeWidth`: strokes a little thicker or thinner (a grey-level
  dilation or erosion, mixed in by a random amount).
- `RandomBlur`: a little softer.
- `RandomContrast`: fainter ink.

All are Keras layers built on `keras.ops` (any backend), active only in
training, and `train` wraps them around the model rather than inside it, so the
saved model never carries them.
"""

import math

import keras
from keras import ops


def affine_transforms(angles, scales, shifts_x, shifts_y, height, width, shears=None,
                      stretches=None):
    """Builds `keras.ops.image.affine_transform` matrices for rotate-zoom-shear-shift.

    Each image is stretched (x by `exp(stretch)`, y by `exp(-stretch)`),
    scaled, sheared (x moves by `shear` times the height above the centre: a
    slant to the right) and rotated about the image centre, then shifted. The
    returned rows map output pixels back to input pixels, as
    `affine_transform` expects.

    Args:
        angles: (N,) rotation angles in radians (counter-clockwise on screen).
        scales: (N,) zoom factors (>1 enlarges the digit).
        shifts_x, shifts_y: (N,) shifts in pixels (right, down).
        height, width: image size.
        shears: (N,) shear factors, or None for none.
        stretches: (N,) log aspect-ratio changes, or None for none.

    Returns:
        (N, 8) float32 transforms.
    """
    cos, sin = ops.cos(angles), ops.sin(angles)
    shear = ops.zeros_like(angles) if shears is None else shears
    stretch = ops.zeros_like(angles) if stretches is None else stretches
    scale_x, scale_y = scales * ops.exp(stretch), scales * ops.exp(-stretch)
    center_x, center_y = (width - 1) / 2.0, (height - 1) / 2.0
    target_x, target_y = center_x + shifts_x, center_y + shifts_y
    # The forward map (rows y point down) is Rotate @ Shear @ Scale with
    # Rotate = [[cos, sin], [-sin, cos]] (counter-clockwise on screen) and
    # Shear = [[1, -shear], [0, 1]]; these are the rows of its inverse.
    a0, a1 = (cos + shear * sin) / scale_x, (-sin + shear * cos) / scale_x
    b0, b1 = sin / scale_y, cos / scale_y
    a2 = center_x - (a0 * target_x + a1 * target_y)
    b2 = center_y - (b0 * target_x + b1 * target_y)
    zeros = ops.zeros_like(angles)
    return ops.cast(ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1), "float32")


class _RandomLayer(keras.layers.Layer):
    """A training-only layer with a seed generator and a per-image uniform draw."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, shape, low, high):
        return keras.random.uniform(shape, low, high, seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class RandomAffine(_RandomLayer):
    """Random rotation, zoom, shift, shear and stretch in one resampling; training only.

    Empty space is filled with 0 (black), the MNIST background.

    Args:
        rotation: maximum rotation in degrees, either way.
        zoom: maximum zoom in or out, as a fraction.
        translation: maximum shift, as a fraction of height and width.
        shear: maximum slant, as a shear factor (0.3: the top moves 30% of the
            height sideways).
        stretch: maximum change of aspect ratio, as a fraction.
        seed: seed of the random draws.
    """

    def __init__(self, rotation=15.0, zoom=0.1, translation=0.1, shear=0.0, stretch=0.0,
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rotation, self.zoom, self.translation = rotation, zoom, translation
        self.shear, self.stretch = shear, stretch

    def call(self, images, training=False):
        if not training or not (self.rotation or self.zoom or self.translation or self.shear
                                or self.stretch):
            return images
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]

        def uniform(limit):
            return self._uniform((batch,), -limit, limit)

        transforms = affine_transforms(
            uniform(math.radians(self.rotation)), 1.0 + uniform(self.zoom),
            uniform(self.translation * width), uniform(self.translation * height),
            height, width, shears=uniform(self.shear),
            stretches=uniform(math.log1p(self.stretch)))
        return ops.image.affine_transform(images, transforms, interpolation="bilinear",
                                          fill_mode="constant", fill_value=0.0)

    def get_config(self):
        return {**super().get_config(), "rotation": self.rotation, "zoom": self.zoom,
                "translation": self.translation, "shear": self.shear,
                "stretch": self.stretch}


class RandomElastic(_RandomLayer):
    """A smooth random displacement of every pixel (elastic distortion); training only.

    A displacement per point of a coarse grid (`grid` x `grid`) is drawn in
    [-`alpha`, `alpha`] pixels and smoothly interpolated over the image, which
    is then resampled bilinearly: strokes wobble the way a hand's do.

    Args:
        alpha: largest displacement in pixels.
        grid: points of the coarse grid per side (smaller: smoother).
        seed: seed of the random draws.
    """

    def __init__(self, alpha=2.0, grid=4, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.alpha, self.grid = alpha, grid

    def call(self, images, training=False):
        if not training or not self.alpha:
            return images
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]
        coarse = self._uniform((batch, self.grid, self.grid, 2), -self.alpha, self.alpha)
        field = ops.image.resize(coarse, (height, width), interpolation="bicubic")
        rows = ops.reshape(ops.arange(height, dtype="float32"), (1, height, 1))
        cols = ops.reshape(ops.arange(width, dtype="float32"), (1, 1, width))
        return bilinear_sample(images, rows + field[..., 0], cols + field[..., 1])

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "grid": self.grid}


def bilinear_sample(images, source_y, source_x):
    """Samples `images` (N, H, W, C) at fractional (N, H, W) positions; 0 outside.

    Written with `take_along_axis` rather than `ops.image.map_coordinates`,
    which needs a known batch size (it fails inside a Keras training step).
    """
    batch = ops.shape(images)[0]
    height, width, channels = images.shape[1], images.shape[2], images.shape[3]
    flat = ops.reshape(images, (batch, height * width, channels))
    y0, x0 = ops.floor(source_y), ops.floor(source_x)
    result = ops.zeros_like(images)
    for dy in (0, 1):
        for dx in (0, 1):
            y, x = y0 + dy, x0 + dx
            weight = (1 - ops.abs(source_y - y)) * (1 - ops.abs(source_x - x))
            inside = (y >= 0) & (y <= height - 1) & (x >= 0) & (x <= width - 1)
            index = ops.cast(ops.clip(y, 0, height - 1) * width + ops.clip(x, 0, width - 1),
                             "int32")
            index = ops.repeat(ops.reshape(index, (batch, height * width, 1)), channels, axis=2)
            values = ops.reshape(ops.take_along_axis(flat, index, axis=1),
                                 (batch, height, width, channels))
            result = result + values * ops.expand_dims(
                ops.where(inside, weight, ops.zeros_like(weight)), -1)
    return result


def _pool(images, mode):
    # A 3x3 grey-level dilation ("max") or erosion ("min") that keeps the size.
    if mode == "max":
        return ops.max_pool(images, 3, strides=1, padding="same")
    return -ops.max_pool(-images, 3, strides=1, padding="same")


class _StrengthLayer(_RandomLayer):
    """An augmentation with one strength (0 turns it off): the identity outside training.

    Subclasses implement `augment(images, batch)`; `strength` is how far it
    may go, which each subclass's docstring says in its own terms.
    """

    def __init__(self, strength=0.5, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.strength = strength

    def call(self, images, training=False):
        if not training or not self.strength:
            return images
        return self.augment(images, ops.shape(images)[0])

    def augment(self, images, batch):
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "strength": self.strength}


class RandomStrokeWidth(_StrengthLayer):
    """Strokes thicker or thinner by up to `strength` of a 3x3 dilation or erosion.

    Each image is mixed with its dilation (or, half the time, its erosion) by
    a random amount in [0, `strength`]; training only.
    """

    def augment(self, images, batch):
        amount = self._uniform((batch, 1, 1, 1), -self.strength, self.strength)
        thicker, thinner = _pool(images, "max"), _pool(images, "min")
        return images + ops.maximum(amount, 0.0) * (thicker - images) \
            + ops.maximum(-amount, 0.0) * (thinner - images)


class RandomBlur(_StrengthLayer):
    """Softer strokes: each image mixed with its 3x3 Gaussian blur by up to `strength`."""

    def augment(self, images, batch):
        channels = images.shape[-1]
        taps = ops.convert_to_tensor([1.0, 2.0, 1.0]) / 4.0
        kernel = ops.reshape(ops.outer(taps, taps), (3, 3, 1, 1))
        kernel = ops.tile(kernel, (1, 1, channels, 1))
        blurred = ops.depthwise_conv(images, kernel, strides=1, padding="same")
        amount = self._uniform((batch, 1, 1, 1), 0.0, self.strength)
        return images + amount * (blurred - images)


class RandomBinarize(_StrengthLayer):
    """Some images redrawn the way `preprocess_drawing` draws a digit; training only.

    A share `strength` of the images (a probability) is enlarged 4x, cut to
    black and white at a random threshold (0.25-0.6: thinner or thicker
    strokes), and averaged back over 4x4 blocks: the anti-aliased
    black-and-white strokes a drawing, photo or scan becomes. The rest stay
    MNIST's own.
    """

    def augment(self, images, batch):
        height, width = images.shape[1], images.shape[2]
        large = ops.image.resize(images, (4 * height, 4 * width), interpolation="bilinear")
        threshold = self._uniform((batch, 1, 1, 1), 0.25, 0.6)
        strokes = ops.cast(large > threshold, images.dtype)
        redrawn = ops.average_pool(strokes, 4, strides=4, padding="valid")
        chosen = self._uniform((batch, 1, 1, 1), 0.0, 1.0) < self.strength
        return ops.where(chosen, redrawn, images)


class RandomContrast(_StrengthLayer):
    """Fainter ink: each image scaled by a factor in [1 - `strength`, 1]; training only."""

    def augment(self, images, batch):
        return images * self._uniform((batch, 1, 1, 1), 1.0 - self.strength, 1.0)


def build_augmentation(rotation=15.0, zoom=0.1, translation=0.1, shear=0.0, stretch=0.0,
                       elastic=0.0, stroke_width=0.0, blur=0.0, contrast=0.0, binarize=0.0,
                       seed=None):
    """Builds the training-time augmentation from its strengths (0 turns a kind off).

    Args:
        rotation: maximum rotation in degrees, either way. Defaults to 15.
        zoom: maximum zoom in or out, as a fraction. Defaults to 0.1.
        translation: maximum shift, as a fraction of height and width.
            Defaults to 0.1.
        shear: maximum slant (shear factor). Defaults to 0.
        stretch: maximum change of aspect ratio, as a fraction. Defaults to 0.
        elastic: largest elastic displacement, in pixels. Defaults to 0.
        stroke_width: largest mix with a 3x3 dilation or erosion. Defaults to 0.
        blur: largest mix with a 3x3 Gaussian blur. Defaults to 0.
        contrast: largest reduction of ink intensity, as a fraction. Defaults to 0.
        binarize: share of images redrawn as black-and-white strokes, as
            `preprocess_drawing` makes them. Defaults to 0.
        seed: seed of the random draws.

    Returns:
        A `keras.Sequential` named "augmentation": the identity outside training.

    Example:

    >>> augment = build_augmentation(rotation=10, elastic=2.0)
    >>> [layer.name for layer in augment.layers]
    ['elastic', 'affine']
    """
    steps = []
    # Shape first (the hand), then the pen (width, blur, contrast).
    if elastic:
        steps.append(RandomElastic(elastic, seed=seed, name="elastic"))
    steps.append(RandomAffine(rotation, zoom, translation, shear, stretch, seed=seed,
                              name="affine"))
    if binarize:
        steps.append(RandomBinarize(binarize, seed=seed, name="binarize"))
    if stroke_width:
        steps.append(RandomStrokeWidth(stroke_width, seed=seed, name="stroke_width"))
    if blur:
        steps.append(RandomBlur(blur, seed=seed, name="blur"))
    if contrast:
        steps.append(RandomContrast(contrast, seed=seed, name="contrast"))
    return keras.Sequential(steps, name="augmentation")
