"""Training-time augmentation as Keras preprocessing layers.

The layers are active only in training (Keras random layers pass inputs
through at inference), and `train` wraps them around the model rather than
inside it, so the saved model never carries them.
"""

import keras
from keras import layers


def build_augmentation(rotation=15.0, zoom=0.1, translation=0.1, seed=None):
    """Builds a random rotation / zoom / translation pipeline.

    Empty space is filled with 0 (black), the MNIST background.

    Args:
        rotation: maximum rotation in degrees, either way. Defaults to 15.
        zoom: maximum zoom in or out, as a fraction. Defaults to 0.1.
        translation: maximum shift, as a fraction of height and width.
            Defaults to 0.1.
        seed: seed of the random draws.

    Returns:
        A `keras.Sequential` of the enabled layers (a zero setting leaves its
        layer out).

    Example:

    >>> augment = build_augmentation(rotation=10)
    >>> augment(images, training=True)  # doctest: +SKIP
    """
    pipeline = keras.Sequential(name="augmentation")
    fill = {"fill_mode": "constant", "fill_value": 0.0, "seed": seed}
    if rotation:
        pipeline.add(layers.RandomRotation(rotation / 360.0, **fill))
    if zoom:
        pipeline.add(layers.RandomZoom(zoom, zoom, **fill))
    if translation:
        pipeline.add(layers.RandomTranslation(translation, translation, **fill))
    return pipeline
