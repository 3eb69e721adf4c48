"""The recipe of a pruning run: a trained model pruned to a sparsity, then fine-tuned.

`mnist-keras prune` and the dashboard's Prune & fine-tune both build their
settings here, so the recipe (learning rate, data, schedule) has one home.
"""

import dataclasses
import math
import os

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import expected
from mnist_keras.registries import DATASETS
from mnist_keras.runs import Run, RunFormatError
from mnist_keras.settings import names_in

# Fine-tuning starts from trained weights: a tenth of the parent's rate (of
# Adam's usual 1e-3 when the parent's is unknown) nudges them without undoing
# what they learned.
FINE_TUNE_LEARNING_RATE = 1e-4
FINE_TUNE_RATE_DIVISOR = 10
# The pruned weights' work must move to the others: that takes optimizer steps,
# whatever the data size. Two epochs of all of MNIST at batch 128 (938 steps);
# on the dashboard's 4,950 training images, 24 epochs. Measured in
# benchmarks/pruning_recovery.py.
FINE_TUNE_STEPS = 900
MAX_FINE_TUNE_EPOCHS = 50
# Settings a pruning run inherits from its parent's run, unless given: the
# data settings (the table's data group: which images, how many, the seed) and
# the batch size.
INHERITED = (*names_in("data"), "batch_size")


def parent_run_config(model_path):
    """The `RunConfig` of the run folder holding `model_path`, or None if it is not a run."""
    folder = Run(os.path.dirname(os.path.abspath(model_path)))
    if not folder.is_run():
        return None
    try:
        return folder.config()
    except RunFormatError:
        return None


def fine_tune_epochs_for(train_images, batch_size, steps=FINE_TUNE_STEPS):
    """Epochs that give fine-tuning at least `steps` optimizer steps (at most 50).

    >>> fine_tune_epochs_for(60_000, 128), fine_tune_epochs_for(4_950, 128)
    (2, 24)
    """
    steps_per_epoch = max(1, math.ceil(train_images / batch_size))
    return max(1, min(MAX_FINE_TUNE_EPOCHS, math.ceil(steps / steps_per_epoch)))


def pruning_config(parent_model, sparsity, fine_tune_epochs=None,
                   scope="global", schedule="polynomial", prune_output_layer=False,
                   learning_rate=None, **settings):
    """The `TrainingConfig` that prunes a trained model and fine-tunes it.

    The data settings (dataset, data folder, sizes, validation split, batch
    size, seed) are the parent run's when `parent_model` sits in a run folder,
    so the pruned model is trained and tested like its parent; `settings`
    override them. The learning rate is constant: a tenth of the parent's.
    Fine-tuning lasts a number of optimizer steps (`FINE_TUNE_STEPS`), not of
    epochs, so a parent trained on a few thousand images recovers as well as
    one trained on all of MNIST.

    Args:
        parent_model: the trained `.keras` file.
        sparsity: fraction of the Conv2D/Dense kernel weights set to zero, 0-0.99.
        fine_tune_epochs: epochs of fine-tuning; 0 prunes only. Defaults to
            enough epochs for `FINE_TUNE_STEPS` steps (`fine_tune_epochs_for`).
        scope: `"global"` or `"layer"` (see `mnist_keras.registries.PRUNING_SCOPES`).
        schedule: `"polynomial"` or `"constant"`.
        prune_output_layer: also prune the classifier. Defaults to False.
        learning_rate: the fine-tuning rate. Defaults to a tenth of the
            parent run's, or 1e-4 for an uploaded model.
        **settings: other `TrainingConfig` settings (`train_size=5500`, ...).

    Returns:
        A validated `TrainingConfig` with `parent_model` and `parent_run` set.

    Raises:
        MnistKerasError: for a bad setting.

    Example:

    ```python
    config = pruning_config("runs/first/model.keras", 0.8)
    config.parent_run, config.learning_rate, config.schedule
    # ('first', 0.0001, 'constant')
    ```
    """
    if not isinstance(parent_model, (str, os.PathLike)):
        raise expected("parent_model as a path to a .keras file", parent_model=parent_model)
    parent_model = os.fspath(parent_model)
    parent = parent_run_config(parent_model)
    inherited, label, parent_name, parent_rate = {}, "uploaded", None, None
    if parent is not None:
        parent_name = os.path.basename(os.path.dirname(os.path.abspath(parent_model)))
        label = parent.model_label if parent.training is None else parent.training.model
        if parent.training is not None:
            values = parent.training.to_dict()
            inherited = {key: values[key] for key in INHERITED if values.get(key) is not None}
            parent_rate = parent.training.learning_rate
        elif parent.dataset in DATASETS:
            # (A recorded run evaluated on data its code passed names none.)
            inherited = {"dataset": parent.dataset}
    values = {**inherited, **{k: v for k, v in settings.items() if v is not None}}
    unknown = sorted(set(values) - {field.name for field in dataclasses.fields(TrainingConfig)})
    if unknown:
        raise expected("TrainingConfig settings", unknown=unknown)
    if learning_rate is None:
        # 12 significant digits: 3e-3 / 10 is 0.0003, not 0.00030000000000000003,
        # in the run's config and in the lines that reproduce it.
        learning_rate = (FINE_TUNE_LEARNING_RATE if parent_rate is None
                         else float(f"{parent_rate / FINE_TUNE_RATE_DIVISOR:.12g}"))
    if fine_tune_epochs is not None and (
            isinstance(fine_tune_epochs, bool) or not isinstance(fine_tune_epochs, int)
            or not 0 <= fine_tune_epochs <= 200):
        # Named as the caller gave it: it becomes the config's `epochs`.
        raise expected("fine_tune_epochs as an integer in [0, 200]",
                       fine_tune_epochs=fine_tune_epochs)
    if fine_tune_epochs is None:
        data = TrainingConfig(**values)  # the parent's data settings, with defaults
        # train_size may exceed the data: every bundled set trains on 60,000 images.
        images = min(data.train_size, 60_000) * (1 - data.validation_split)
        fine_tune_epochs = fine_tune_epochs_for(images, data.batch_size)
    return TrainingConfig(
        **{**values, "model": label, "parent_model": parent_model, "parent_run": parent_name,
           "sparsity": sparsity, "epochs": fine_tune_epochs, "pruning_scope": scope,
           "pruning_schedule": schedule, "prune_output_layer": prune_output_layer,
           "learning_rate": learning_rate, "schedule": "constant"})
