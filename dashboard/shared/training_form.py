"""The training form: one row per control, and the way between its values and a `TrainingConfig`.

A control shows one training setting (`mnist_keras.settings`): the row says
which component, which setting, its label and step, and the kind of widget.
Everything else comes from the settings table: bounds, log scale (the
learning-rate slider moves in powers of ten because the table says so),
whether it may be empty. The Train panel lays the controls out; a recipe, a
shared link and Train read and write them through `form_values` and
`build_config`, keyed by the settings' own names.

>>> from mnist_keras.recipes import recipe_config
>>> values = form_values(recipe_config("quick"))
>>> values[ids.TRAIN_SIZE], values[ids.LEARNING_RATE], values[ids.AUGMENT]
(5500, -2.52, ['on'])
"""

import dataclasses
import math
from typing import Optional

from dash import State

from dashboard.shared import ids
from dashboard.shared.data_roots import check_readable
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets.names import BUNDLED
from mnist_keras.errors import MnistKerasError
from mnist_keras.layer_specs import LAYER_SETTINGS, validate_spec
from mnist_keras.recipes import recipe_config
from mnist_keras.settings import SETTINGS

# The recipe the form opens with: quick enough for a first run in a minute.
DEFAULT_RECIPE = "quick"
# The architecture dropdown's entry for the layer-by-layer builder.
CUSTOM_MODEL = "custom"


@dataclasses.dataclass(frozen=True)
class Control:
    """One control of the training form.

    Attributes:
        id: the component id (`dashboard.shared.ids`).
        setting: the `TrainingConfig` setting it shows.
        label: its label on the page.
        step: the step of a number or slider.
        widget: `"number"`, `"slider"` (a log slider where the setting's
            scale is logarithmic), `"dropdown"`, `"checklist"` (a switch) or
            `"text"` (a folder, a server's address).
        placeholder: what an empty number means (`"off"`); defaults to the
            setting's bounds.
        from_recipe: whether a recipe fills it (the data source is the
            person's own choice: recipes leave it alone).
        option: a switch's label beside its box.
    """
    id: str
    setting: str
    label: str
    step: Optional[float] = None
    widget: str = "number"
    placeholder: Optional[str] = None
    from_recipe: bool = True
    option: str = "on"

    @property
    def log(self):
        """Whether the control moves in powers of ten (the setting's log scale)."""
        return self.widget == "slider" and SETTINGS[self.setting].log

    def bounds(self):
        """`(low, high)` as the widget takes them (log10 for a log slider)."""
        entry = SETTINGS[self.setting]
        if self.log:
            return math.log10(entry.low), math.log10(entry.high)
        return entry.low, entry.high


CONTROLS = (
    Control(ids.MODEL, "model", "Architecture", widget="dropdown"),
    Control(ids.DATASET, "dataset", "Dataset", widget="dropdown", from_recipe=False),
    Control(ids.DATA_DIR, "data_dir", "Data folder", widget="text", from_recipe=False),
    Control(ids.TRAIN_SIZE, "train_size", "Training images", 100, widget="slider"),
    Control(ids.TEST_SIZE, "test_size", "Test images", 100, widget="slider"),
    Control(ids.BATCH_SIZE, "batch_size", "Batch size", 1),
    Control(ids.EPOCHS, "epochs", "Epochs", 1),
    Control(ids.SEED, "seed", "Seed", 1, placeholder="0"),
    Control(ids.LEARNING_RATE, "learning_rate", "Learning rate", 0.01, widget="slider"),
    Control(ids.OPTIMIZER, "optimizer", "Optimizer", widget="dropdown"),
    Control(ids.SCHEDULE, "schedule", "Schedule", widget="dropdown"),
    Control(ids.DROPOUT, "dropout", "Dropout", 0.05, placeholder="model's own"),
    Control(ids.AUGMENT, "augment", "Augmentation", widget="checklist",
            option="on (its settings are under More settings)"),
    Control(ids.VALIDATION_SPLIT, "validation_split", "Validation split", 0.05),
    Control(ids.LABEL_SMOOTHING, "label_smoothing", "Label smoothing", 0.05),
    Control(ids.EARLY_STOPPING, "early_stopping_patience", "Early stopping patience", 1,
            placeholder="off"),
    Control(ids.REDUCE_LR, "reduce_lr_patience", "Halve LR after", 1, placeholder="off"),
    Control(ids.GRADIENT_CLIP, "gradient_clip_norm", "Clip gradients at", 0.1,
            placeholder="off"),
    Control(ids.DETERMINISTIC, "deterministic", "Reproducible", widget="checklist",
            option="deterministic ops: same weights every time (slower)"),
    Control(ids.TENSORBOARD, "tensorboard", "TensorBoard", widget="checklist",
            option="curves, histograms, HParams and projector in the run folder"),
    Control(ids.MLFLOW, "mlflow", "MLflow server", widget="text", from_recipe=False,
            placeholder="http://127.0.0.1:5000"),
    Control(ids.ROTATION, "rotation", "Rotation (°)", 1),
    Control(ids.ZOOM, "zoom", "Zoom", 0.05),
    Control(ids.TRANSLATION, "translation", "Shift", 0.05),
    Control(ids.SHEAR, "shear", "Shear", 0.05),
    Control(ids.STRETCH, "stretch", "Stretch", 0.05),
    Control(ids.ELASTIC, "elastic", "Elastic (px)", 0.5),
    Control(ids.STROKE_WIDTH, "stroke_width", "Stroke width", 0.1),
    Control(ids.BLUR, "blur", "Blur", 0.1),
    Control(ids.CONTRAST, "contrast", "Faint ink", 0.1),
    Control(ids.BINARIZE, "binarize", "Black and white", 0.1),
)
CONTROL = {control.id: control for control in CONTROLS}
# The controls a recipe fills, in `CONTROLS` order.
RECIPE_CONTROLS = tuple(control.id for control in CONTROLS if control.from_recipe)
# Every training setting's control, by the setting's name.
BY_SETTING = {control.setting: control for control in CONTROLS}

# What a Train, Add to queue or Start sweep press reads: the layer table and
# every control, keyed by setting name (the names `build_config` takes).
FORM_STATES = {"rows": State(ids.LAYER_TABLE, "data"),
               **{control.setting: State(control.id, "value") for control in CONTROLS}}

# Disabled while a job runs (a checklist has no `disabled` prop: its option
# is disabled instead, see `checklist_options`).
BUSY_CONTROLS = (*(control.id for control in CONTROLS if control.widget != "checklist"),
                 ids.RECIPE, ids.ADD_LAYER, ids.TRAIN, ids.PRUNE_START, ids.QUEUE)


def to_form(control, value):
    """A setting's value as its control shows it."""
    if control.widget == "checklist":
        return ["on"] if value else []
    if control.widget == "text":
        return value or ""
    if control.log:
        return round(math.log10(value), 2)
    return value


def from_form(control, value):
    """A control's value as the setting takes it (checked later by `TrainingConfig`)."""
    if control.widget == "checklist":
        return "on" in (value or [])
    if control.widget == "text" and isinstance(value, str):
        return value.strip() or None
    if control.log:
        return None if value is None else float(f"{10.0 ** _log_value(control, value):.2g}")
    return value


def _log_value(control, value):
    # A log slider's value is a small number; anything else (text, a list, an
    # integer of a billion digits' power, which Python would compute exactly
    # and for minutes) is refused before the power is taken.
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not -20 <= value <= 20:
        raise MnistKerasError(f"Expected {control.setting} as log10 of a number from -20 to "
                              f"20 (the slider's value). Received: {str(value)[:40]}")
    return float(value)


def form_values(config):
    """Every control's value for `config`, by component id.

    A log slider holds log10 of the setting to two decimals (read back to two
    significant digits); the augmentation checklist holds `"on"` when
    augmenting; the data folder box holds `""` for the bundled MNIST.
    """
    return {control.id: to_form(control, getattr(config, control.setting))
            for control in CONTROLS}


def recipe_differences(recipe, values):
    """The labels of the recipe's controls whose values differ from `values` (by component id).

    >>> recipe_differences("fast", form_values(recipe_config("fast")))
    []
    """
    expected_values = form_values(recipe_config(recipe))
    return [CONTROL[control].label for control in RECIPE_CONTROLS
            if not _same(values.get(control), expected_values[control])]


def _same(value, expected):
    if isinstance(value, (int, float)) and isinstance(expected, (int, float)) \
            and not isinstance(value, bool):
        return math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-9)
    return value == expected or (value in (None, "") and expected in (None, ""))


def learning_rate_from_slider(log_lr):
    """The learning-rate slider's log10 value -> the learning rate, to two significant digits.

    >>> learning_rate_from_slider(-2.52), learning_rate_from_slider(-3)
    (0.003, 0.001)
    """
    return from_form(CONTROL[ids.LEARNING_RATE], log_lr)


def build_config(rows=None, **values):
    """The form's values (as in `FORM_STATES`) -> `(TrainingConfig, layer spec or None)`.

    Args:
        rows: the layer table's rows (read when the architecture is custom).
        **values: control values by setting name; a setting not given takes
            the library's default.

    Raises:
        MnistKerasError: naming the first value that is missing or out of range.
    """
    unknown = sorted(set(values) - set(BY_SETTING))
    if unknown:
        raise MnistKerasError(f"Expected settings of the form. Received: {unknown[:5]}")
    settings = {}
    for name, value in values.items():
        if value is None and not SETTINGS[name].optional:
            raise MnistKerasError(f"Expected a value for {name}. Received: {name}=empty")
        settings[name] = from_form(BY_SETTING[name], value)
    spec = None
    if settings.get("model") == CUSTOM_MODEL:
        spec = validate_spec(rows_to_spec(rows))
        settings["model"] = "cnn"  # replaced by the spec file when the job starts
    if "dataset" in settings or "data_dir" in settings:
        settings["dataset"] = settings.get("dataset") or "mnist"
        settings["data_dir"] = data_folder(settings["dataset"], settings.get("data_dir"))
    mlflow = settings.get("mlflow")
    if isinstance(mlflow, str) and not mlflow.lower().startswith(("http://", "https://")):
        # A file or database store would let the page write where it names: the
        # page logs to servers only; `mnist-keras train --mlflow` takes any URI.
        raise MnistKerasError("Expected mlflow as an http:// or https:// tracking server "
                              "(file and database stores from the command line). Received: "
                              f"mlflow={mlflow[:60]}")
    return TrainingConfig(**settings), spec


def data_folder(dataset, data_dir):
    """The data folder a form's values mean: None for the bundled MNIST or an empty box.

    Raises:
        MnistKerasError: for a folder outside the dashboard's data roots.
    """
    if dataset in (None, *BUNDLED) or not isinstance(data_dir, str) or not data_dir.strip():
        return None
    check_readable(data_dir.strip())
    return data_dir.strip()


def rows_to_spec(rows):
    """DataTable rows -> layer spec: each layer keeps only its own, filled-in settings."""
    spec = []
    for row in rows or []:
        kind = row.get("type") if isinstance(row, dict) else None
        layer = {"type": kind}
        for key in LAYER_SETTINGS.get(kind, {}) if isinstance(kind, str) else {}:
            value = row.get(key)
            if value not in (None, ""):
                layer[key] = value
        spec.append(layer)
    return spec


LAYER_COLUMNS = ("type", "filters", "kernel_size", "strides", "padding", "pool_size", "rate",
                 "units", "activation")


def spec_to_rows(spec):
    """Layer-spec dicts -> DataTable rows (one column per setting)."""
    return [{column: layer.get(column) for column in LAYER_COLUMNS} for layer in spec]


def checklist_options(control_id, disabled=False):
    """A switch's one option, `"on"`, with its label (disabled while a job runs)."""
    return [{"label": f" {CONTROL[control_id].option}", "value": "on", "disabled": disabled}]


# The switches: a checklist has no `disabled` prop, so its option is disabled instead.
CHECKLISTS = tuple(control.id for control in CONTROLS if control.widget == "checklist")


# The form opens on the quick recipe (the reference playground's 5,500 images
# and 10 epochs, a 10% validation split so the epoch chart has validation
# curves to show).
DEFAULTS = form_values(recipe_config(DEFAULT_RECIPE))
