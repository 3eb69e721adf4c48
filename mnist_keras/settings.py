"""The training settings' constraint table: one entry per `TrainingConfig` field.

Each entry says what a setting may hold (type, bounds, whether None means
"off", the registry it names, whether a log scale suits it) and where people
meet it: the command line (`cli`), the dashboard's training form (`form`), the
page address a shared link carries (`share`) and a sweep's search space
(`sweep`). Everything else is derived from it: `TrainingConfig`'s validation,
the `mnist-keras train` options and their help, the reproduce lines, the
share-link reader and writer, the sweep space's bounds and the dashboard's
controls (slider bounds included). In the spirit of scikit-learn's
`_parameter_constraints`, with the surfaces added because a person meets the
same setting in four places.

Imports no framework: the command line's `--help` reads it.

>>> SETTINGS["batch_size"].low, SETTINGS["batch_size"].high, SETTINGS["batch_size"].integer
(1, 512, True)
>>> check_value("learning_rate", 3.0)
Traceback (most recent call last):
...
mnist_keras.errors.MnistKerasError: Expected learning_rate as a number in [0.0001, 1]. ...
>>> "learning_rate" in names_on(SWEEP) and SETTINGS["learning_rate"].log
True
"""

import dataclasses
import math
import re
from typing import Optional

from mnist_keras.errors import expected
from mnist_keras.registries import (
    DATASETS,
    DISTRIBUTIONS,
    MODELS,
    OPTIMIZERS,
    PRUNING_SCHEDULES,
    PRUNING_SCOPES,
    SCHEDULES,
    Registry,
)

# Where a setting is shown or read.
CLI = "cli"  # an option of `mnist-keras train` (and `sweep`)
FORM = "form"  # a control of the dashboard's training form
SHARE = "share"  # a key of the page address a shared link carries
SWEEP = "sweep"  # a setting a sweep's search space may vary
SURFACES = (CLI, FORM, SHARE, SWEEP)

# What a setting is about; the command line's --help groups its options by it.
GROUPS = {
    "model": "the model",
    "data": "the data",
    "optimization": "optimization",
    "regularization": "regularization",
    "augmentation": "augmentation (with --augment)",
    "pruning": "pruning (a parent model)",
    "device": "devices",
    "logging": "what a run writes besides its results",
    "record": "recorded, never set",
}

_EVERYWHERE = frozenset(SURFACES)
_SHOWN = frozenset((CLI, FORM, SHARE))


@dataclasses.dataclass(frozen=True)
class Setting:
    """What one training setting may hold, and where people meet it.

    Attributes:
        name: the `TrainingConfig` field.
        kind: `int`, `float`, `bool`, `str` or `tuple`.
        group: a key of `GROUPS`.
        summary: one line for the command line's help.
        low, high: inclusive bounds of a number.
        optional: None is allowed (it means "off" or "the model's own").
        registry: the `Registry` whose names it takes.
        path: a path is accepted too: `"folder"` for a folder, the ending
            of a file (`".json"` for a layer spec, `".keras"` for a model),
            or `"uri"` for an address (without a password in it).
        log: a log scale suits it (sliders, sweep ranges).
        surfaces: where it is shown: a subset of `SURFACES`.
        per_machine: it names something of this machine (a folder, devices),
            not of the training: a sweep's definition leaves it out.
    """

    name: str
    kind: type
    group: str
    summary: str
    low: Optional[float] = None
    high: Optional[float] = None
    optional: bool = False
    registry: Optional[Registry] = None
    path: Optional[str] = None
    log: bool = False
    surfaces: frozenset = frozenset()
    per_machine: bool = False

    def __post_init__(self):
        object.__setattr__(self, "surfaces", frozenset(self.surfaces))

    @property
    def integer(self):
        """Whether the setting holds whole numbers."""
        return self.kind is int

    @property
    def numeric(self):
        """Whether the setting holds a number with bounds."""
        return self.kind in (int, float)

    def shown_on(self, surface):
        """Whether `surface` (a name from `SURFACES`) shows this setting."""
        return surface in self.surfaces

    def describe_bounds(self):
        """`"an integer in [1, 512]"`, as error messages say it."""
        what = "an integer" if self.integer else "a number"
        return f"{what} in [{self.low:g}, {self.high:g}]"


def _number(name, kind, group, summary, low, high, surfaces=_SHOWN, **options):
    return Setting(name, kind, group, summary, low=low, high=high, surfaces=surfaces,
                   **options)


def _augmentation(name, summary, high):
    return _number(name, float, "augmentation", summary, 0.0, high, surfaces=_EVERYWHERE)


# In `TrainingConfig`'s field order (a test checks both name the same settings).
_TABLE = (
    Setting("model", str, "model", "a model name or a JSON layer-spec file",
            registry=MODELS, path=".json", surfaces=_EVERYWHERE),
    Setting("dataset", str, "data", "the dataset (mnist is bundled)", registry=DATASETS,
            surfaces=_SHOWN),
    Setting("data_dir", str, "data", "folder with the IDX files or the class folders "
            "(default: the bundled MNIST)", optional=True, path="folder", surfaces=_SHOWN,
            per_machine=True),
    # From 100, for small datasets of one's own (a folder of images by class).
    _number("train_size", int, "data", "training images drawn", 100, 60_000),
    _number("test_size", int, "data", "test images drawn", 100, 10_000),
    _number("validation_split", float, "data", "share of the training images held out",
            0.0, 0.5),
    _number("batch_size", int, "optimization", "images per step", 1, 512,
            surfaces=_EVERYWHERE),
    _number("epochs", int, "optimization", "passes over the training images", 1, 200,
            surfaces=_EVERYWHERE),
    _number("learning_rate", float, "optimization", "the (peak) learning rate", 1e-4, 1.0,
            log=True, surfaces=_EVERYWHERE),
    Setting("optimizer", str, "optimization", "the optimizer", registry=OPTIMIZERS,
            surfaces=_EVERYWHERE),
    Setting("schedule", str, "optimization", "how the learning rate changes",
            registry=SCHEDULES, surfaces=_EVERYWHERE),
    _number("dropout", float, "regularization", "dropout rate (default: the model's own)",
            0.0, 0.9, optional=True, surfaces=_EVERYWHERE),
    Setting("conv_channels", tuple, "model", "filters of each conv layer (default: the "
            "model's own)", optional=True),
    Setting("augment", bool, "augmentation", "random augmentation while training",
            surfaces=_EVERYWHERE),
    _augmentation("rotation", "largest random rotation, degrees", 45.0),
    _augmentation("zoom", "largest random zoom, as a fraction", 0.5),
    _augmentation("translation", "largest random shift, as a fraction of the image", 0.5),
    _augmentation("shear", "largest random shear (0.3 slants strokes by about 17 degrees)",
                  0.6),
    _augmentation("stretch", "largest random change of aspect ratio, as a fraction", 0.5),
    _augmentation("elastic", "elastic distortion strength, in pixels", 4.0),
    _augmentation("stroke_width", "chance of thinning or thickening the strokes", 1.0),
    _augmentation("blur", "chance of a slight blur", 1.0),
    _augmentation("contrast", "chance of fainter ink", 0.9),
    _augmentation("binarize", "chance of black-and-white strokes", 1.0),
    _number("early_stopping_patience", int, "regularization",
            "epochs without validation improvement before stopping (needs a validation "
            "split)", 1, 50, optional=True),
    _number("reduce_lr_patience", int, "optimization",
            "epochs on a plateau before halving the learning rate (constant schedule)",
            1, 50, optional=True),
    _number("label_smoothing", float, "regularization", "label smoothing", 0.0, 0.5,
            surfaces=_EVERYWHERE),
    _number("momentum", float, "optimization", "momentum of SGD and RMSprop", 0.0, 0.99,
            surfaces=(CLI, SWEEP)),
    _number("weight_decay", float, "optimization", "weight decay of AdamW and Muon",
            0.0, 0.1, surfaces=(CLI, SWEEP)),
    _number("gradient_clip_norm", float, "optimization",
            "largest global norm of a step's gradients (default: no clipping)", 0.01, 100.0,
            optional=True, log=True, surfaces=_EVERYWHERE),
    _number("seed", int, "data", "seeds subsets, initialisation, shuffling and dropout",
            0, 2**31 - 1),
    Setting("deterministic", bool, "device", "deterministic ops: the same settings give the "
            "same weights bit for bit on the same machine and software (slower)",
            surfaces=_SHOWN),
    Setting("tensorboard", bool, "logging", "write TensorBoard records in the run folder "
            "(scalars, learning rate, histograms, HParams, projector)", surfaces=_SHOWN),
    # A server of this machine's network: a share link or a sweep's definition
    # leaves it out.
    Setting("mlflow", str, "logging", "an MLflow tracking URI (http://127.0.0.1:5000, "
            "file:./mlruns, sqlite:///mlflow.db) to log the run to (default: none)",
            optional=True, path="uri", surfaces=(CLI, FORM), per_machine=True),
    Setting("parent_model", str, "pruning", "a .keras file to start from",
            optional=True, path=".keras"),
    Setting("parent_run", str, "record", "the parent's run name", optional=True),
    _number("sparsity", float, "pruning", "fraction of kernel weights pruned to zero",
            0.0, 0.99, optional=True, surfaces=()),
    Setting("pruning_scope", str, "pruning", "one threshold or one per layer",
            registry=PRUNING_SCOPES),
    Setting("pruning_schedule", str, "pruning", "how sparsity ramps up",
            registry=PRUNING_SCHEDULES),
    Setting("prune_output_layer", bool, "pruning", "also prune the classifier"),
    Setting("distribute", str, "device", "devices to train on", registry=DISTRIBUTIONS,
            surfaces=(CLI,), per_machine=True),
    # A file of this machine (like data_dir): a sweep's definition leaves it out.
    Setting("label_review", str, "data", "a label-review file (mnist-keras doubt): its "
            "excluded images left out, relabelled ones relabelled", optional=True,
            path=".json", surfaces=(CLI,), per_machine=True),
)

SETTINGS = {entry.name: entry for entry in _TABLE}

# `name -> (low, high)` of every numeric setting.
RANGES = {entry.name: (entry.low, entry.high) for entry in _TABLE if entry.numeric}


# The version of the library's defaults. A run's config.json records the one it
# was written under, so a setting missing from an older file (one that did not
# exist yet, or a share link's unchanged one) reads as it meant then.
DEFAULTS_VERSION = 2

# What each version changed: the defaults as they were before it. Version 2
# made training robust to real handwriting by default (the `robust` recipe's
# augmentation, dropout 0.25 and label smoothing 0.1), where version 1 trained
# plainly.
_DEFAULTS_BEFORE = {
    2: {"augment": False, "rotation": 15.0, "zoom": 0.1, "translation": 0.1, "shear": 0.0,
        "stroke_width": 0.0, "binarize": 0.0, "dropout": None, "label_smoothing": 0.0},
}


def defaults_changed_since(version):
    """The defaults that differ for settings written under an older defaults `version`.

    Args:
        version: the defaults version a file or link was written under (1 for
            one that records none: it is older than the record).

    Returns:
        `{setting: the default it had then}` for every setting whose default
        changed since; empty for the current version.

    Raises:
        MnistKerasError: for a version newer than this release's.

    >>> defaults_changed_since(DEFAULTS_VERSION)
    {}
    >>> defaults_changed_since(1)["augment"]
    False
    """
    if not isinstance(version, int) or isinstance(version, bool) or \
            not 1 <= version <= DEFAULTS_VERSION:
        raise expected(f"a defaults version from 1 to {DEFAULTS_VERSION} (a newer one was "
                       "written by a newer mnist-keras: upgrade to read it)",
                       defaults_version=version)
    then = {}
    # The oldest change last, so the values from before it win.
    for changed_in in sorted(_DEFAULTS_BEFORE, reverse=True):
        if version < changed_in:
            then.update(_DEFAULTS_BEFORE[changed_in])
    return then


def names_on(surface):
    """The settings `surface` shows, in table order.

    >>> names_on(CLI)[:3]
    ['model', 'dataset', 'data_dir']
    """
    if surface not in SURFACES:
        raise expected(f"surface in {list(SURFACES)}", surface=surface)
    return [entry.name for entry in _TABLE if surface in entry.surfaces]


def scalar_settings(config):
    """The settings of `config` (a `TrainingConfig`) as a tracker's parameters.

    Trackers (TensorBoard's HParams, MLflow) take numbers, booleans and text:
    a list becomes its text, and settings left unset or that name something of
    this machine (a folder, a file, a server) are left out.

    >>> values = scalar_settings(_Example(conv_channels=(8, 16), dropout=None))
    >>> values["conv_channels"], "dropout" in values, "data_dir" in values
    ('[8, 16]', False, False)
    """
    values = {}
    for name, entry in SETTINGS.items():
        value = getattr(config, name, None)
        named_file = entry.path and not (entry.registry is not None and value in entry.registry)
        if value is None or entry.per_machine or named_file:
            continue
        values[name] = str(list(value)) if isinstance(value, tuple) else value
    return values


class _Example:
    # A stand-in config for the examples above (the real one imports this module).
    def __init__(self, **values):
        self.__dict__.update(values, data_dir="/somewhere")


def names_in(group):
    """The settings of `group` (a key of `GROUPS`), in table order."""
    return [entry.name for entry in _TABLE if entry.group == group]


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _check_uri(what, value):
    # A URI is stored with the run's settings: one that carries a password
    # would leave it in config.json.
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
        raise expected(f"{what} as a URI without spaces", **{what: value})
    scheme, _, rest = value.partition("://")
    authority = rest.split("/", 1)[0] if rest else ""
    if ":" in authority.rpartition("@")[0] or re.search(
            r"[?&](password|token|secret|key)[^=&]*=", value, re.IGNORECASE):
        raise expected(f"{what} without a password or token in it (MLflow reads them from "
                       "MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD or "
                       "MLFLOW_TRACKING_TOKEN)", **{what: f"{scheme}://..."})
    return value


def check_value(name, value, what=None):
    """Checks one value of a setting against its table entry; returns it normalised.

    Whole numbers of integer settings come back as `int` (`3.0` -> `3`),
    lists of `tuple` settings as tuples.

    Args:
        name: a setting's name.
        value: the value to check.
        what: how the message names the value (`"learning_rate low"`);
            defaults to `name`.

    Returns:
        The value, normalised.

    Raises:
        MnistKerasError: saying what the setting takes and what it received.
    """
    entry = SETTINGS[name]
    what = what or name
    if value is None and entry.optional:
        return None
    if entry.numeric:
        if not _is_number(value) or (entry.integer and not float(value).is_integer()) \
                or not entry.low <= value <= entry.high:
            raise expected(f"{what} as {entry.describe_bounds()}", **{what: value})
        return int(value) if entry.integer else value
    if entry.kind is bool:
        if not isinstance(value, bool):
            raise expected(f"{what} True or False", **{what: value})
        return value
    if entry.kind is tuple:
        if not isinstance(value, (list, tuple)):
            raise expected(f"{what} as a list ({entry.summary})", **{what: value})
        return tuple(value)
    if entry.registry is not None and value in entry.registry:
        return value
    if entry.path == "folder":
        if not isinstance(value, str):
            raise expected(f"{what} as a folder path", **{what: value})
        return value
    if entry.path == "uri":
        return _check_uri(what, value)
    if entry.path and isinstance(value, str) and value.endswith(entry.path):
        return value
    if entry.registry is not None:
        alternative = f" or a {entry.path} file" if entry.path else ""
        raise expected(f"{what} in {entry.registry.names()}{alternative}", **{what: value})
    if entry.path:
        raise expected(f"{what} as a {entry.path} file", **{what: value})
    if not isinstance(value, str):
        raise expected(f"{what} as text", **{what: value})
    return value
