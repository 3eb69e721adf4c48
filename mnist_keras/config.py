"""TrainingConfig: every setting of a training run, validated on creation.

Imports no Keras: the command line builds its options and checks settings from
this module before paying for TensorFlow.
"""

import dataclasses
import json
import os
from typing import Optional

from mnist_keras.datasets.label_review import read_label_review
from mnist_keras.datasets.names import BUNDLED
from mnist_keras.errors import expected
from mnist_keras.layer_specs import load_spec, validate_spec
from mnist_keras.settings import (  # noqa: F401 (RANGES: its old home)
    DEFAULTS_VERSION,
    RANGES,
    SETTINGS,
    check_value,
    defaults_changed_since,
)


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    """The settings of one training run.

    Defaults train the default CNN on all 60,000 MNIST training images (no
    validation split) for 10 epochs, batch 128, with Adam on a one-cycle
    schedule: up from 3e-4 to 3e-3 over the first 20% of the steps, then down
    along a cosine to 3e-5 (a plain cosine suits short runs less: after 1
    epoch it reaches 97.6% where one-cycle reaches 98.1%). They train robustly
    to real handwriting (defaults version 2, the `robust` recipe's settings):
    a little rotation and slant, strokes thickened or thinned, half the images
    redrawn black and white, dropout 0.25, label smoothing 0.1; the `plain`
    recipe trains without them. Creating a config validates every
    setting; `check_sources()` checks the files it names (a layer spec, a
    parent model), which `train` does before writing anything. A config is
    immutable: `dataclasses.replace(config, epochs=3)` makes a changed copy.

    Args:
        model: a name from `mnist_keras.models.model_names()` or a path to a JSON
            layer spec. Defaults to `"cnn"`.
        dataset: a name from `mnist_keras.registries.DATASETS`: `"mnist"`
            (bundled), `"fashion-mnist"`, `"kmnist"`, `"idx"` (any IDX set) or
            `"images"` (a folder of images by class).
        data_dir: folder with the IDX files or the class folders; None uses
            the bundled MNIST.
        train_size: training images drawn (validation included), 100-60,000
            (at most what the dataset has).
        test_size: test images drawn, 100-10,000 (at most what it has).
        validation_split: fraction of the training images held out for
            validation, 0-0.5. Defaults to 0 (train on all of them).
        batch_size: 1-512.
        epochs: 1-200.
        learning_rate: the learning rate (the peak of one-cycle), 1e-4 to 1.
        optimizer: a name from `mnist_keras.registries.OPTIMIZERS`.
        schedule: a name from `mnist_keras.registries.SCHEDULES`: constant;
            exponential (x0.9 per epoch); cosine (to 1% over the run);
            cosine-restarts (restarts after 1, 3, 7, ... epochs); one-cycle
            (the default: warm-up over 20% of the steps, then cosine to 1%).
        dropout: overrides the model's dropout rate (0-0.9), or None for
            the model's own. Defaults to 0.25.
        conv_channels: overrides the model's conv filter counts, or None.
        augment: augment the training images (the settings below; the
            saved model never contains the augmentation). Defaults to True.
        rotation: largest random rotation, in degrees. Defaults to 8.
        zoom: largest random zoom in or out, as a fraction. Defaults to 0
            (the drawing recipe already sizes every input).
        translation: largest random shift, as a fraction of the image.
            Defaults to 0 (the recipe already centres every input).
        shear: largest slant (a shear factor); 0 is off. Defaults to 0.15.
        stretch: largest aspect-ratio change (a fraction); 0 is off.
        elastic: largest elastic displacement in pixels; 0 is off.
        stroke_width: largest mix with a thicker or thinner stroke (0-1); 0
            is off. Defaults to 0.3.
        blur: largest mix with a blurred copy (0-1); 0 is off.
        contrast: largest reduction of ink intensity (0-0.9); 0 is off.
        binarize: share of training images redrawn as black-and-white
            strokes, the way `preprocess_drawing` draws inputs (0-1); 0 is off.
            Defaults to 0.5.
        early_stopping_patience: epochs without validation improvement before
            stopping (best weights restored), or None.
        reduce_lr_patience: epochs without improvement before halving the
            learning rate, or None. Needs the constant schedule.
        label_smoothing: 0-0.5. Defaults to 0.1.
        momentum: SGD and RMSprop momentum, 0-0.99.
        weight_decay: AdamW and Muon weight decay, 0-0.1.
        gradient_clip_norm: rescale each step's gradients so their global
            norm is at most this (0.01-100), or None (no clipping). Steadies
            training at high learning rates.
        seed: seeds data subsets, initialisation, shuffling and dropout.
        deterministic: deterministic ops (TensorFlow's op determinism): the
            same settings on the same machine and software give the same
            weights bit for bit, at some cost in speed. Defaults to False.
        tensorboard: write TensorBoard records in the run folder (per-epoch
            scalars, learning rate, weight histograms, the HParams summary and
            the projector's files; see `tensorboard_records`). Defaults to True.
        mlflow: an MLflow tracking URI to log the run to (settings as params,
            every epoch's metrics, the final metrics, the model and its report
            as artifacts; see `mlflow_tracking`), or None. Needs the `mlflow`
            extra. A URI with a password in it is refused: MLflow reads
            credentials from its environment variables.
        parent_model: a `.keras` file to start from instead of building
            `model` (then only a label): fine-tuning and pruning a trained
            model. `dropout` and `conv_channels` do not apply to it. With a
            parent, `epochs` may be 0 (prune without fine-tuning).
        parent_run: the parent's run name, recorded for the run list.
        sparsity: prune Conv2D and Dense kernels to this fraction of zeros
            (0-0.99) while training, or None. Pruned weights stay exactly zero.
        pruning_scope: `"global"` (one magnitude threshold across layers) or
            `"layer"` (each layer to `sparsity`).
        pruning_schedule: `"polynomial"` (sparsity ramps up over 70% of the
            steps, tfmot's PolynomialDecay) or `"constant"` (one shot at the
            first step).
        prune_output_layer: also prune the classifier. Defaults to False.
        distribute: `"none"` (one device) or `"mirrored"` (data-parallel over
            every GPU, or every logical CPU device where there is no GPU:
            TensorFlow's `MirroredStrategy`, Keras' `DataParallel` under JAX).
            `batch_size` stays the global batch, split between the devices.
        label_review: a label-review file (`mnist_keras.doubt`, `mnist-keras
            doubt`), or None: as the data is loaded, its excluded images are
            left out and its relabelled ones relabelled. A run trained with one
            names the reviewed run as its `parent_run`.

    Raises:
        MnistKerasError: naming the first setting that is out of range.

    Example:

    >>> config = TrainingConfig(epochs=3, train_size=5500, test_size=1000)
    >>> TrainingConfig(batch_size=0)
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected batch_size as an integer in [1, 512]. ...
    """

    model: str = "cnn"
    dataset: str = "mnist"
    data_dir: Optional[str] = None
    train_size: int = 60_000
    test_size: int = 10_000
    validation_split: float = 0.0
    batch_size: int = 128
    epochs: int = 10
    learning_rate: float = 3e-3
    optimizer: str = "adam"
    schedule: str = "one-cycle"
    # Robust to real handwriting by default (defaults version 2): a little
    # rotation and slant, strokes thickened or thinned, half the images redrawn
    # black and white, dropout 0.25 and label smoothing 0.1. They raised MNIST
    # accuracy wherever they were measured, and other writers' more.
    dropout: Optional[float] = 0.25
    conv_channels: Optional[tuple] = None
    augment: bool = True
    rotation: float = 8.0
    zoom: float = 0.0
    translation: float = 0.0
    shear: float = 0.15
    stretch: float = 0.0
    elastic: float = 0.0
    stroke_width: float = 0.3
    blur: float = 0.0
    contrast: float = 0.0
    binarize: float = 0.5
    early_stopping_patience: Optional[int] = None
    reduce_lr_patience: Optional[int] = None
    label_smoothing: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 1e-4
    gradient_clip_norm: Optional[float] = None
    seed: int = 0
    deterministic: bool = False
    tensorboard: bool = True
    mlflow: Optional[str] = None
    parent_model: Optional[str] = None
    parent_run: Optional[str] = None
    sparsity: Optional[float] = None
    pruning_scope: str = "global"
    pruning_schedule: str = "polynomial"
    prune_output_layer: bool = False
    distribute: str = "none"
    label_review: Optional[str] = None

    def __post_init__(self):
        self.validate()

    def validate(self):
        """Checks every setting; raises `MnistKerasError` for the first bad one.

        Each value is checked against its entry in `mnist_keras.settings`
        (type, bounds, registry); the rules that tie settings together are
        checked here. Pure: reads no file, so a stored config can always be
        read back.
        """
        for name in SETTINGS:
            value = getattr(self, name)
            if name == "epochs" and value == 0 and self.parent_model:
                continue  # prune a trained model without fine-tuning
            if name == "model" and self.parent_model is not None:
                continue  # then only a label: the parent is the model
            object.__setattr__(self, name, check_value(name, value))
        if self.dataset not in BUNDLED and not self.data_dir:
            raise expected(f"data_dir: the folder of the {self.dataset} data (only "
                           f"{', '.join(BUNDLED)} is bundled)", data_dir=self.data_dir)
        if self.reduce_lr_patience is not None and self.schedule != "constant":
            raise expected(
                "reduce_lr_patience only with schedule='constant' (a schedule already sets "
                "the learning rate)",
                reduce_lr_patience=self.reduce_lr_patience, schedule=self.schedule,
            )
        if (self.early_stopping_patience is not None or self.reduce_lr_patience is not None) \
                and self.validation_split == 0:
            raise expected(
                "a validation_split above 0 to watch for early stopping or plateaus",
                validation_split=self.validation_split,
            )

    def check_sources(self):
        """Checks the files the config names: the parent model, a layer-spec file, a label review.

        Raises:
            MnistKerasError: if the parent model is missing, the layer spec
                is missing or invalid (naming the layer), or the label review
                is missing or damaged.
        """
        if self.parent_model is not None:
            if not os.path.isfile(self.parent_model):
                raise expected("parent_model as an existing .keras file",
                               parent_model=self.parent_model)
        elif self.model.endswith(".json"):
            validate_spec(load_spec(self.model))
        if self.label_review is not None:
            read_label_review(self.label_review)

    def to_dict(self):
        """The settings as a JSON-ready dict (what a run's config.json holds)."""
        values = dataclasses.asdict(self)
        if values["conv_channels"] is not None:
            values["conv_channels"] = list(values["conv_channels"])
        return values

    @classmethod
    def from_dict(cls, values, defaults_version=DEFAULTS_VERSION):
        """Builds a config from a dict, refusing unknown keys.

        Args:
            values: settings by name; the others take their defaults.
            defaults_version: the defaults version `values` were written
                under (`mnist_keras.settings.DEFAULTS_VERSION`): a setting
                missing from an older dict takes the default it had then.
        """
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise expected(f"settings among {sorted(known)}", unknown=unknown)
        return cls(**{**defaults_changed_since(defaults_version), **values})

    @classmethod
    def from_json(cls, path):
        """Reads a config from a JSON file of settings (see `from_dict`)."""
        with open(os.fspath(path), encoding="utf-8") as f:
            return cls.from_dict(json.load(f))
