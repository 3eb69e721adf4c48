"""The training form's values: from a `TrainingConfig` (a recipe) to each control's value.

The form opens on the `quick` recipe, and choosing a recipe fills every
control from it through `form_values`; the person can still change any value
before pressing Train.
"""

import math

from dashboard import ids

# The recipe the form opens with: quick enough for a first run in a minute.
DEFAULT_RECIPE = "quick"

# Augmentation controls: (component id, TrainingConfig field, label, step).
AUGMENTATION_FIELDS = (
    (ids.ROTATION, "rotation", "Rotation (°)", 1),
    (ids.ZOOM, "zoom", "Zoom", 0.05),
    (ids.TRANSLATION, "translation", "Shift", 0.05),
    (ids.SHEAR, "shear", "Shear", 0.05),
    (ids.STRETCH, "stretch", "Stretch", 0.05),
    (ids.ELASTIC, "elastic", "Elastic (px)", 0.5),
    (ids.STROKE_WIDTH, "stroke_width", "Stroke width", 0.1),
    (ids.BLUR, "blur", "Blur", 0.1),
    (ids.CONTRAST, "contrast", "Faint ink", 0.1),
    (ids.BINARIZE, "binarize", "Black and white", 0.1),
)

# Controls that show a config field as it is.
_PLAIN_FIELDS = {
    ids.MODEL: "model", ids.TRAIN_SIZE: "train_size", ids.TEST_SIZE: "test_size",
    ids.BATCH_SIZE: "batch_size", ids.EPOCHS: "epochs", ids.OPTIMIZER: "optimizer",
    ids.SCHEDULE: "schedule", ids.DROPOUT: "dropout", ids.SEED: "seed",
    ids.VALIDATION_SPLIT: "validation_split", ids.EARLY_STOPPING: "early_stopping_patience",
    ids.REDUCE_LR: "reduce_lr_patience", ids.LABEL_SMOOTHING: "label_smoothing",
    **{component: field for component, field, _, _ in AUGMENTATION_FIELDS},
}


def form_values(config):
    """Every training control's value for `config`, by component id.

    The learning-rate slider is in log10 steps of 0.01 (read back to two
    significant digits by `learning_rate_from_slider`); the augmentation
    checklist holds `"on"` when augmenting.

    >>> from mnist_keras.recipes import recipe_config
    >>> values = form_values(recipe_config("quick"))
    >>> values[ids.TRAIN_SIZE], values[ids.LEARNING_RATE], values[ids.AUGMENT]
    (5500, -2.52, ['on'])
    """
    values = {component: getattr(config, field) for component, field in _PLAIN_FIELDS.items()}
    values[ids.LEARNING_RATE] = round(math.log10(config.learning_rate), 2)
    values[ids.AUGMENT] = ["on"] if config.augment else []
    return values


def learning_rate_from_slider(log_lr):
    """The slider's log10 value -> the learning rate, to two significant digits.

    >>> learning_rate_from_slider(-2.52), learning_rate_from_slider(-3)
    (0.003, 0.001)
    """
    return float(f"{10 ** log_lr:.2g}")


def form_controls():
    """The component ids `form_values` fills, in a fixed order."""
    return (*_PLAIN_FIELDS, ids.LEARNING_RATE, ids.AUGMENT)
