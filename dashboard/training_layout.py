"""The Train panel's layout: recipe, architecture, data, training settings, share link.

The architecture is a named model, a preset or a layer-by-layer table; the
augmentation strengths sit under "More settings".
"""

from dash import dash_table, dcc, html

from dashboard import ids
from dashboard.components import (
    button,
    code_block,
    field,
    number,
    panel,
)
from dashboard.training_form import AUGMENTATION_FIELDS, DEFAULT_RECIPE, form_values
from mnist_keras.config import RANGES
from mnist_keras.layer_specs import LAYER_SETTINGS, PRESETS
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.registries import ACTIVATIONS, DATASETS, MODELS, OPTIMIZERS, SCHEDULES

CUSTOM_MODEL = "custom"

# The form opens on the quick recipe (the reference playground's 5,500 images
# and 10 epochs, a 10% validation split so the epoch chart has validation
# curves to show).
DEFAULTS = form_values(recipe_config(DEFAULT_RECIPE))

LAYER_COLUMNS = ("type", "filters", "kernel_size", "strides", "padding", "pool_size", "rate",
                 "units", "activation")
_TEXT_COLUMNS = ("type", "padding", "activation")


def spec_to_rows(spec):
    """Layer-spec dicts -> DataTable rows (one column per setting)."""
    return [{column: layer.get(column) for column in LAYER_COLUMNS} for layer in spec]


def layer_builder():
    """The layer-by-layer model builder: an editable table and its message."""
    dropdowns = {
        "type": {"options": [{"label": t, "value": t} for t in LAYER_SETTINGS]},
        "padding": {"options": [{"label": p, "value": p} for p in ("valid", "same")]},
        "activation": {"options": [{"label": a, "value": a} for a in ACTIVATIONS]},
    }
    table = dash_table.DataTable(
        id=ids.LAYER_TABLE,
        columns=[{"name": c, "id": c, "editable": True,
                  **({"presentation": "dropdown"} if c in _TEXT_COLUMNS else {"type": "numeric"})}
                 for c in LAYER_COLUMNS],
        data=spec_to_rows(PRESETS["simple"]),
        dropdown=dropdowns,
        editable=True,
        row_deletable=True,
        style_table={"overflowX": "auto"},
        style_cell={"minWidth": "60px", "fontSize": "13px"},
        css=[{"selector": ".Select-menu-outer", "rule": "display: block !important"}],
    )
    return html.Div(id=ids.LAYER_TABLE_BOX, style={"display": "none"}, children=[
        html.Div("Layers in order; a Flatten and the softmax output are added at the end. "
                 "Empty cells take the layer's defaults.", className="hint"),
        table,
        button("Add layer", ids.ADD_LAYER, small=True),
        html.Div(id=ids.SPEC_MESSAGE, className="spec-message"),
    ])


def augment_options(disabled=False):
    return [{"label": " on (its settings are under More settings)", "value": "on",
             "disabled": disabled}]


def training_panel(device):
    """Every setting a person would tune, with the library's ranges."""
    low_train, high_train = RANGES["train_size"]
    low_test, high_test = RANGES["test_size"]
    return panel("train", "Train", className="panel settings", children=[
        html.Div(id=ids.LESSON_CARD),
        field("Recipe", dcc.Dropdown(
            id=ids.RECIPE, value=DEFAULT_RECIPE, clearable=False,
            options=[{"label": name, "value": name, "title": RECIPES.describe(name)}
                     for name in RECIPES]),
               html.Span(RECIPES.describe(DEFAULT_RECIPE), id=ids.RECIPE_HINT)),
        field("Architecture", dcc.Dropdown(
            id=ids.MODEL, value=DEFAULTS[ids.MODEL], clearable=False,
            options=[{"label": name, "value": name, "title": MODELS.describe(name)}
                     for name in MODELS]
            + [{"label": "custom (layer builder)", "value": CUSTOM_MODEL}])),
        layer_builder(),
        data_settings(),
        field("Training images", dcc.Slider(
            id=ids.TRAIN_SIZE, min=low_train, max=high_train, step=100,
            value=DEFAULTS[ids.TRAIN_SIZE],
            marks={v: f"{v // 1000}k" for v in (10_000, 20_000, 30_000, 40_000, 50_000,
                                                  60_000)},
            tooltip={"placement": "bottom", "always_visible": False})),
        field("Test images", dcc.Slider(
            id=ids.TEST_SIZE, min=low_test, max=high_test, step=100,
            value=DEFAULTS[ids.TEST_SIZE],
            marks={v: f"{v // 1000}k" for v in (1_000, 4_000, 7_000, 10_000)},
            tooltip={"placement": "bottom", "always_visible": False})),
        html.Div(className="field-row", children=[
            field("Batch size", number(ids.BATCH_SIZE, DEFAULTS[ids.BATCH_SIZE],
                                         *RANGES["batch_size"])),
            field("Epochs", number(ids.EPOCHS, DEFAULTS[ids.EPOCHS], *RANGES["epochs"])),
            field("Seed", number(ids.SEED, DEFAULTS[ids.SEED], *RANGES["seed"],
                                   placeholder="0")),
        ]),
        field(html.Span(["Learning rate ", html.Span(id=ids.LEARNING_RATE_LABEL,
                                                      className="value")]),
               dcc.Slider(id=ids.LEARNING_RATE, min=-4, max=0, step=0.01,
                          value=DEFAULTS[ids.LEARNING_RATE], allow_direct_input=False,
                          marks={v: f"1e{v}" if v else "1" for v in range(-4, 1)},
                          # The slider moves in powers of ten; its tooltip shows the rate.
                          tooltip={"placement": "bottom", "transform": "powerOfTen"}),
               help_id=ids.LEARNING_RATE),
        html.Div(className="field-row", children=[
            field("Optimizer", dcc.Dropdown(
                id=ids.OPTIMIZER, value=DEFAULTS[ids.OPTIMIZER], clearable=False,
                options=[{"label": o, "value": o, "title": OPTIMIZERS.describe(o)}
                         for o in OPTIMIZERS])),
            field("Schedule", dcc.Dropdown(
                id=ids.SCHEDULE, value=DEFAULTS[ids.SCHEDULE], clearable=False,
                options=[{"label": s, "value": s, "title": SCHEDULES.describe(s)}
                         for s in SCHEDULES])),
        ]),
        html.Div(className="field-row", children=[
            field("Dropout", number(ids.DROPOUT, DEFAULTS[ids.DROPOUT], *RANGES["dropout"],
                                      step=0.05, placeholder="model's own")),
            field("Augmentation", dcc.Checklist(id=ids.AUGMENT, value=DEFAULTS[ids.AUGMENT],
                                                 options=augment_options())),
        ]),
        advanced_settings(),
        html.Div(["Device: ", html.Span(device, id=ids.DEVICE)], className="hint"),
        html.Div(className="field-row buttons", children=[
            button("Train", ids.TRAIN, kind="primary"),
            button("Cancel", ids.CANCEL, disabled=True),
            button("Add to queue", ids.QUEUE),
        ]),
        html.Div(className="queue", children=[
            html.Div(id=ids.QUEUE_VIEW, className="hint"),
            button("Clear queue", ids.CLEAR_QUEUE, small=True),
        ]),
        html.Div(id=ids.JOB_MESSAGE, className="job-message", role="status"),
        share_settings(),
    ])


def data_settings():
    """The dataset: the bundled MNIST, another IDX set, or a folder of one's own images."""
    return html.Div(className="data-settings", children=[
        field("Dataset", dcc.Dropdown(
            id=ids.DATASET, value="mnist", clearable=False,
            options=[{"label": name, "value": name, "title": DATASETS.describe(name)}
                     for name in DATASETS])),
        html.Div(id=ids.DATA_DIR_BOX, style={"display": "none"}, children=[
            field("Data folder", dcc.Input(
                id=ids.DATA_DIR, type="text", value="", debounce=True,
                placeholder="/path/to/folder", className="wide-input")),
        ]),
        html.Div(id=ids.DATA_MESSAGE, className="hint data-message", role="status"),
    ])


def share_settings():
    """The page's link with these settings, and the lines that train them elsewhere."""
    return html.Details(className="share", children=[
        html.Summary("Share and reproduce these settings"),
        dcc.Store(id=ids.SHARE_QUERY),
        html.Div("The page's address holds these settings: send it, and it opens with "
                 "them.", className="hint"),
        html.Div(className="copy-row", children=[
            dcc.Input(id=ids.SHARE_LINK, type="text", readOnly=True, value="",
                      className="wide-input"),
            dcc.Clipboard(target_id=ids.SHARE_LINK, title="copy the link",
                          className="copy-button"),
        ]),
        code_block("Python", ids.SHARE_PYTHON),
        code_block("Command", ids.SHARE_COMMAND),
        html.Div(id=ids.SHARE_MESSAGE, className="hint", role="status"),
    ])


def advanced_settings():
    """Less common settings, folded away: validation, stopping, smoothing, augmentation."""
    return html.Details(className="advanced", children=[
        html.Summary("More settings"),
        html.Div(className="field-row", children=[
            field("Validation split", number(ids.VALIDATION_SPLIT, DEFAULTS[ids.VALIDATION_SPLIT],
                                               *RANGES["validation_split"], step=0.05)),
            field("Label smoothing", number(ids.LABEL_SMOOTHING,
                                              DEFAULTS[ids.LABEL_SMOOTHING],
                                              *RANGES["label_smoothing"], step=0.05)),
        ]),
        html.Div(className="field-row", children=[
            field("Early stopping patience", number(
                ids.EARLY_STOPPING, DEFAULTS[ids.EARLY_STOPPING],
                *RANGES["early_stopping_patience"],
                placeholder="off"), "epochs without validation improvement"),
            field("Halve LR after", number(
                ids.REDUCE_LR, DEFAULTS[ids.REDUCE_LR], *RANGES["reduce_lr_patience"],
                placeholder="off"),
                "epochs on a plateau (constant schedule)"),
        ]),
        html.Div("Augmentation, when ticked: largest rotation, zoom, shift, shear and "
                 "stretch; elastic distortion in pixels; chances of thinner or thicker "
                 "strokes, blur, fainter ink and black-and-white strokes.", className="hint"),
        html.Div(className="field-row wrap", children=[
            field(label, number(component, DEFAULTS[component], *RANGES[setting], step=step))
            for component, setting, label, step in AUGMENTATION_FIELDS
        ]),
    ])
