"""Named training recipes: settings that belong together, measured on all of MNIST.

A recipe is a starting point, not a mode: `recipe_config` fills a
`TrainingConfig` with the recipe's settings, and anything passed beside it
wins (`mnist-keras train --recipe fast --epochs 3`). The figures in each
description come from `benchmarks/recipes.py` on the machine the documentation's
benchmarks page names.

>>> RECIPES.names()
['default', 'plain', 'quick', 'fast', 'robust', 'best']
>>> recipe_config("fast").schedule
'one-cycle'
>>> recipe_config("fast", epochs=3).epochs
3
>>> recipe_config("slow")
Traceback (most recent call last):
...
mnist_keras.errors.MnistKerasError: Expected recipe in [...]. Received: recipe='slow'
"""

from mnist_keras.config import TrainingConfig
from mnist_keras.registries import Registry
from mnist_keras.settings import defaults_changed_since

RECIPES = Registry("recipe", [
    ("default", "the library's defaults: the reference CNN, 10 epochs, Adam, one-cycle, "
                "trained robustly to real handwriting (the robust recipe's augmentation)"),
    ("plain", "the reference CNN as the classic playground trains it: no augmentation, its "
              "own dropout, no label smoothing (the library's defaults before version 2)"),
    ("quick", "the dashboard's quick start: 5,500 images, 10 epochs, a 10% validation split, "
              "the robust recipe's augmentation"),
    ("fast", "99.0% on the MNIST test set in 2 epochs, about a minute on two CPU cores"),
    ("robust", "augmented against real handwriting: slant, strokes redrawn black-and-white; "
               "97.3% over 9 drawn styles, 99.27% on MNIST in 3 epochs"),
    ("best", "the most accurate single model: cnn-compact, augmented, 15 epochs; "
             "99.6-99.7% on MNIST in about 9 minutes"),
])

# Augmentation for what the drawing preprocessing cannot normalise away in real
# handwriting: slant and stroke width; and half the images redrawn as the
# black-and-white strokes the preprocessing turns every drawing into (it also
# regularises: MNIST itself gains 0.3 points). No zoom or shift: preprocessing
# already scales and centres every drawing, and training on shifted digits
# measurably cost MNIST accuracy. No elastic distortion: it cost the real
# writers of the UCI digits a point (84.8% -> 85.8% without it), for nothing
# on the drawn styles. (benchmarks/robustness.py, 3 epochs, seed 0.)
_HANDWRITING = dict(augment=True, rotation=8.0, zoom=0.0, translation=0.0, shear=0.15,
                    stroke_width=0.3, binarize=0.5)

# The library's defaults before version 2: no augmentation (its strengths as
# they were, for whoever ticks it), the model's own dropout, no label smoothing.
_PLAIN = defaults_changed_since(1)

# Each recipe names every setting it relies on, so a change of the library's
# defaults never changes a recipe.
_SETTINGS = {
    "default": {},
    "plain": dict(_PLAIN),
    # The dashboard's default, trained as `robust` is: on 4,950 images the
    # augmentation, dropout and label smoothing raise MNIST accuracy by a point
    # (97.4% -> 98.4% on all 10,000 test images, seeds 0-1) and the drawn
    # styles by 1.5, for about 7 s more.
    "quick": dict(train_size=5_500, test_size=1_000, validation_split=0.1, epochs=10,
                  dropout=0.25, label_smoothing=0.1, **_HANDWRITING),
    # Two epochs: half the CNN's dropout and label smoothing let it generalise
    # from so few steps (99.04% where the default settings reach 98.8%).
    "fast": dict(_PLAIN, epochs=2, dropout=0.25, label_smoothing=0.1),
    # Label smoothing as in `fast`: more MNIST and drawn-style accuracy in 3 epochs.
    "robust": dict(epochs=3, dropout=0.25, label_smoothing=0.1, **_HANDWRITING),
    # The compact conv net (more convolution, no large dense layer) with
    # MNIST's own variation: small rotations, zooms and shifts, and half the
    # images redrawn black-and-white; 99.59-99.69% after 15 epochs (seeds 0-2).
    "best": dict(model="cnn-compact", epochs=15, label_smoothing=0.1, dropout=None,
                 augment=True, rotation=10.0, zoom=0.1, translation=0.05, shear=0.0,
                 stroke_width=0.0, binarize=0.5),
}


def recipe_settings(name):
    """The settings a recipe changes from `TrainingConfig`'s defaults.

    Args:
        name: a name from `RECIPES`.

    Returns:
        A new dict of `TrainingConfig` field names to values.

    Raises:
        MnistKerasError: for an unknown recipe, listing the known ones.
    """
    return dict(_SETTINGS[RECIPES.check(name)])


def recipe_config(name="default", **overrides):
    """A validated `TrainingConfig`: the recipe's settings, then `overrides`.

    Args:
        name: a name from `RECIPES`.
        **overrides: `TrainingConfig` settings that replace the recipe's.

    Returns:
        A `TrainingConfig`.

    Raises:
        MnistKerasError: for an unknown recipe or a setting out of range.
    """
    return TrainingConfig(**{**recipe_settings(name), **overrides})
