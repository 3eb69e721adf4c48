"""The Train panel's layout: recipe, architecture, data, training settings, share link.

Each training setting's control is built from its row in
`training_form.CONTROLS` and its entry in the settings table: label, widget,
bounds (slider ends included), step, what an empty box means. The
architecture is a named model, a preset or a layer-by-layer table; the
augmentation strengths sit under "More settings".
"""

import math

from dash import dash_table, dcc, html

from dashboard.shared import ids
from dashboard.shared.components import (
    button,
    code_block,
    field,
    hint,
    number,
    panel,
    registry_options,
)
from dashboard.shared.training_form import (
    CONTROL,
    CONTROLS,
    CUSTOM_MODEL,
    DEFAULT_RECIPE,
    DEFAULTS,
    LAYER_COLUMNS,
    checklist_options,
    spec_to_rows,
)
from mnist_keras.layer_specs import LAYER_SETTINGS, PRESETS
from mnist_keras.recipes import RECIPES
from mnist_keras.registries import ACTIVATIONS
from mnist_keras.settings import SETTINGS

_TEXT_COLUMNS = ("type", "padding", "activation")


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


def size_marks(low, high):
    """Image-count slider marks from `low` to `high`: every 10,000 images, or the two ends."""
    if high >= 20_000:
        return {value: f"{value // 1000}k" for value in range(10_000, high + 1, 10_000)}
    return {low: f"{low:,}", high: f"{high:,}"}


def _slider_marks(control):
    low, high = control.bounds()
    if control.log:
        # One mark per power of ten: 1e-4, 1e-3, ..., 1.
        return {v: f"1e{v}" if v else "1" for v in range(math.ceil(low), math.floor(high) + 1)}
    return size_marks(low, high)


def control_widget(control_id):
    """The component of one training control, from its row and its setting's table entry."""
    control = CONTROL[control_id]
    entry = SETTINGS[control.setting]
    value = DEFAULTS[control_id]
    if control.widget == "dropdown":
        options = registry_options(entry.registry)
        if control.id == ids.MODEL:
            options.append({"label": "custom (layer builder)", "value": CUSTOM_MODEL})
        return dcc.Dropdown(id=control.id, value=value, clearable=False, options=options)
    if control.widget == "checklist":
        return dcc.Checklist(id=control.id, value=value, options=checklist_options(control.id))
    if control.widget == "text":
        return dcc.Input(id=control.id, type="text", value=value, debounce=True,
                         placeholder=control.placeholder or "/path/to/folder",
                         className="wide-input")
    if control.widget == "slider":
        low, high = control.bounds()
        if control.log:
            # The slider moves in powers of ten; its tooltip shows the value.
            return dcc.Slider(id=control.id, min=low, max=high, step=control.step, value=value,
                              allow_direct_input=False, marks=_slider_marks(control),
                              tooltip={"placement": "bottom", "transform": "powerOfTen"})
        return dcc.Slider(id=control.id, min=low, max=high, step=control.step, value=value,
                          marks=_slider_marks(control),
                          tooltip={"placement": "bottom", "always_visible": False})
    return number(control.id, value, entry.low, entry.high, step=control.step,
                  placeholder=control.placeholder)


def setting_field(control_id, hint_text=None):
    """A training control with its label (and help text on hover or focus)."""
    return field(CONTROL[control_id].label, control_widget(control_id), hint_text)


def training_panel(device):
    """Every setting a person would tune, with the library's ranges."""
    return panel("train", "Train", className="panel settings", children=[
        html.Div(id=ids.LESSON_CARD),
        field("Recipe", dcc.Dropdown(
            id=ids.RECIPE, value=DEFAULT_RECIPE, clearable=False,
            options=registry_options(RECIPES)),
               html.Span(RECIPES.describe(DEFAULT_RECIPE), id=ids.RECIPE_HINT)),
        setting_field(ids.MODEL),
        layer_builder(),
        data_settings(),
        setting_field(ids.TRAIN_SIZE),
        setting_field(ids.TEST_SIZE),
        html.Div(className="field-row", children=[
            setting_field(ids.BATCH_SIZE), setting_field(ids.EPOCHS), setting_field(ids.SEED),
        ]),
        field(html.Span([f"{CONTROL[ids.LEARNING_RATE].label} ",
                         html.Span(id=ids.LEARNING_RATE_LABEL, className="value")]),
              control_widget(ids.LEARNING_RATE), help_id=ids.LEARNING_RATE),
        html.Div(className="field-row", children=[
            setting_field(ids.OPTIMIZER), setting_field(ids.SCHEDULE),
        ]),
        html.Div(className="field-row", children=[
            setting_field(ids.DROPOUT), setting_field(ids.AUGMENT),
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
        setting_field(ids.DATASET),
        html.Div(id=ids.DATA_DIR_BOX, style={"display": "none"}, children=[
            setting_field(ids.DATA_DIR),
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
    """Less common settings, folded away: validation, stopping, clipping, augmentation."""
    augmentation = [control.id for control in CONTROLS
                    if SETTINGS[control.setting].group == "augmentation"
                    and control.widget == "number"]
    return html.Details(className="advanced", children=[
        html.Summary("More settings"),
        html.Div(className="field-row", children=[
            setting_field(ids.VALIDATION_SPLIT), setting_field(ids.LABEL_SMOOTHING),
        ]),
        html.Div(className="field-row", children=[
            setting_field(ids.EARLY_STOPPING, "epochs without validation improvement"),
            setting_field(ids.REDUCE_LR, "epochs on a plateau (constant schedule)"),
        ]),
        html.Div(className="field-row", children=[
            setting_field(ids.GRADIENT_CLIP, "largest gradient norm per step"),
            setting_field(ids.DETERMINISTIC),
        ]),
        setting_field(ids.TENSORBOARD),
        setting_field(ids.MLFLOW, "logs each run's settings, epochs and files"),
        hint("Augmentation, when ticked: largest rotation, zoom, shift, shear and "
             "stretch; elastic distortion in pixels; chances of thinner or thicker "
             "strokes, blur, fainter ink and black-and-white strokes."),
        html.Div(className="field-row wrap", children=[
            setting_field(control_id) for control_id in augmentation
        ]),
    ])


def lesson_card(lesson):
    """What a lesson asks to watch, and what to try next; shown above the settings."""
    return html.Div(className="lesson-card alert alert-info", role="note", children=[
        html.Div(f"Lesson: {lesson.title}", className="lesson-title"),
        html.P([html.Strong("Watch: "), lesson.watch]),
        html.P([html.Strong("Then: "), lesson.then]),
        html.A("Back to the quick start", href="/", className="small"),
    ])
