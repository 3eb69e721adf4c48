"""Layout factories: each returns one part of the page; `page()` assembles them.

The page is Bootstrap's (dash-bootstrap-components for tooltips and the theme
switch; Bootstrap's own CSS, bundled, for type, buttons and colours), so its
light and dark themes follow Bootstrap's colour modes. Every setting's label
and every panel's title carries a help text (`help_texts`) shown on hover or
keyboard focus.
"""

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html
from dash_canvas import DashCanvas

from dashboard import drawing, explain_layout, figures, help_texts, ids, sweeps_layout
from dashboard.components import (
    GRAPH_CONFIG,
    button,
    code_block,
    field,
    help_tip,
    number,
    panel,
)
from dashboard.lessons import LESSONS
from dashboard.limits import MAX_UPLOAD_BYTES
from dashboard.training_layout import training_panel
from mnist_keras.fine_tuning import FINE_TUNE_STEPS
from web_export import QUANTIZATIONS, WEIGHT_NAMES


def live_panel():
    """Progress and the live charts of the selected run."""
    return panel("progress", "Training progress", [
        html.Div(className="progress-track", children=[
            html.Div(id=ids.PROGRESS_BAR, className="progress-fill", style={"width": "0%"})]),
        html.Pre(id=ids.PROGRESS_TEXT, className="progress-text", children="No run selected."),
        dcc.Graph(id=ids.BATCH_GRAPH, figure=figures.batch_figure(), config=GRAPH_CONFIG),
        dcc.Graph(id=ids.EPOCH_GRAPH, figure=figures.epoch_figure(), config=GRAPH_CONFIG),
        dcc.Graph(id=ids.EPOCH_TIME_GRAPH, figure=figures.epoch_time_figure(),
                  config=GRAPH_CONFIG),
    ])


def results_panel():
    """Run picker, confusion matrix, per-class table and misclassified digits."""
    return panel("results", "Runs and results", [
        dcc.Dropdown(id=ids.RUN_SELECT, options=[], placeholder="Select a run",
                     clearable=False),
        html.Div(id=ids.RUN_SUMMARY, className="summary"),
        dcc.Graph(id=ids.CONFUSION_GRAPH,
                  figure=figures.empty_figure("Select a finished run to see its results."),
                  config=GRAPH_CONFIG),
        dash_table.DataTable(
            id=ids.PER_CLASS_TABLE, data=[],
            columns=[{"name": n, "id": n} for n in ("label", "precision", "recall", "f1",
                                                    "support")],
            style_cell={"textAlign": "right", "fontSize": "13px"}),
        html.H3("Misclassified test digits"),
        html.Div(id=ids.MISTAKES, className="gallery"),
        explain_layout.results_extras(),
        html.Details(className="share", children=[
            html.Summary("Reproduce this run"),
            html.Div("The lines that train this run again, with the same settings.",
                     className="hint"),
            code_block("Python", ids.RUN_PYTHON),
            code_block("Command", ids.RUN_COMMAND),
        ]),
    ])


MAX_PREDICT_RUNS = 3
TEST_COUNT_DEFAULT, TEST_COUNT_MAX = 20, 100


def drawing_panel():
    """The drawing canvas, the models that predict it, and Test on test digits."""
    canvas = DashCanvas(
        id=ids.CANVAS, width=drawing.COMPONENT_WIDTH, height=drawing.CANVAS_SIZE,
        lineWidth=drawing.LINE_WIDTH, lineColor="black", tool="pencil",
        image_content=drawing.blank_background(0), goButtonTitle="Save",
        hide_buttons=["zoom", "pan", "line", "pencil", "rectangle", "select", "undo"])
    return panel("draw", "Draw a digit", className="panel wide draw-panel", children=[
        dcc.Store(id=ids.STROKES),
        dcc.Store(id=ids.MODEL_INPUT),
        dcc.Store(id=ids.CANVAS_VERSION, data=0),
        html.Div(className="draw-row", children=[
            html.Div(className="draw-column", children=[
                html.Div(id=ids.CANVAS_BOX, className="drawing-canvas disabled", children=[
                    canvas,
                    html.Div(id=ids.CANVAS_MESSAGE, className="canvas-message",
                             children="Train a model first: no finished run yet."),
                ]),
                html.Div(className="field-row buttons", children=[
                    button("Clear", ids.CLEAR),
                    button("Predict", ids.PREDICT, kind="primary"),
                ]),
                html.Div("Draw with the mouse or a finger; the prediction follows half a "
                         "second after the last stroke.", className="hint"),
                html.Div(className="model-input", children=[
                    html.Div("What the model sees (28×28)", className="field-label"),
                    html.Img(id=ids.MODEL_INPUT_IMAGE, alt="the model's 28x28 input"),
                ]),
            ]),
            html.Div(className="predict-column", children=[
                field(f"Models (finished runs, up to {MAX_PREDICT_RUNS} side by side)",
                       dcc.Dropdown(id=ids.PREDICT_RUNS, multi=True, options=[], value=None,
                                    placeholder="Select a finished run")),
                html.Div(id=ids.PREDICTIONS, className="predictions"),
                explain_layout.why_section(),
            ]),
        ]),
        html.H3("Test on test digits"),
        html.Div(className="field-row test-row", children=[
            field("How many", number(ids.TEST_COUNT, TEST_COUNT_DEFAULT, 1,
                                       TEST_COUNT_MAX)),
            button("Test on test digits", ids.TEST_DIGITS, small=True),
        ]),
        html.Div("Random test images the models never trained on, predicted by each "
                 "selected model. Each caption shows the model's answer, then the truth "
                 "when it is wrong (\"5, is 3\"); green frames are right, red ones wrong.",
                 className="hint"),
        html.Div(id=ids.TEST_RESULTS),
    ])


def inspection_panel():
    """The network diagram, layer table, activation flow, feature maps and weights."""
    return panel("inside", "Inside the model", [
        field("Model to inspect", dcc.Dropdown(id=ids.INSPECT_RUN, options=[],
                                                clearable=False,
                                                placeholder="Select a model above")),
        dcc.Store(id=ids.FOCUSED_LAYER),
        html.H3("The network"),
        html.Div("Each block is a layer with its output shape and parameters; click one to "
                 "see its feature maps and weights below.", className="hint"),
        html.Div(id=ids.NETWORK_DIAGRAM, className="network-diagram"),
        html.Details(className="layer-table", children=[
            html.Summary("Layers as a table (with FLOPs)"),
            dash_table.DataTable(
                id=ids.LAYER_SUMMARY, data=[],
                columns=[{"name": n, "id": n} for n in ("layer", "type", "output shape",
                                                        "parameters", "FLOPs")],
                style_cell={"textAlign": "right", "fontSize": "13px"},
                style_table={"overflowX": "auto"}),
        ]),
        dcc.Graph(id=ids.ACTIVATION_FLOW, config=GRAPH_CONFIG,
                  figure=figures.empty_figure("Draw a digit to see its activations.")),
        html.H3("Feature maps of the drawing"),
        html.Div(id=ids.FEATURE_MAPS, className="feature-maps"),
        html.H3("Weights", id="weights-heading"),
        field("Layer", dcc.Dropdown(id=ids.WEIGHT_LAYER, options=[], clearable=False,
                                     placeholder="Select a layer")),
        dcc.Graph(id=ids.WEIGHT_GRAPH, config=GRAPH_CONFIG,
                  figure=figures.empty_figure("Select a model to see its weights.")),
    ])


RUN_COLUMNS = ("name", "model", "parameters", "non-zero", "accuracy", "duration", "status",
               "parent")


def runs_panel():
    """Every run in a table; rename, delete, download, upload, export, report, prune, compare."""
    return panel("runs", "Manage and compare runs", [
        html.Div("Tick runs in the table: one for the actions and pruning, two or more to "
                 "compare them.", className="hint"),
        dash_table.DataTable(
            id=ids.RUNS_TABLE, data=[], row_selectable="multi", selected_rows=[],
            columns=[{"name": c, "id": c} for c in RUN_COLUMNS], sort_action="native",
            style_cell={"fontSize": "13px", "textAlign": "left", "maxWidth": "16rem",
                        "overflow": "hidden", "textOverflow": "ellipsis"},
            tooltip_duration=None,
            style_table={"overflowX": "auto"}),
        html.Div(className="field-row actions", children=[
            dcc.Input(id=ids.RENAME_TO, placeholder="new name", debounce=False,
                      className="number"),
            button("Rename", ids.RENAME, small=True),
            button("Delete", ids.DELETE, kind="danger", small=True),
            button("Download .keras", ids.DOWNLOAD, small=True),
            button("Report (HTML)", ids.REPORT, small=True),
        ]),
        html.Div(className="field-row actions", children=[
            field("Export weights", dcc.Dropdown(
                id=ids.EXPORT_QUANTIZE, value="none", clearable=False,
                options=[{"label": f"TF.js weights: {WEIGHT_NAMES[q]}", "value": q,
                          "title": QUANTIZATIONS.describe(q)} for q in QUANTIZATIONS]),
                help_id=ids.EXPORT_QUANTIZE),
            button("Export to TF.js site", ids.EXPORT_SITE, small=True),
            html.Span(id=ids.EXPORT_BUSY, className="busy", role="status"),
            dcc.Upload(id=ids.UPLOAD, max_size=MAX_UPLOAD_BYTES, multiple=False,
                       className="upload", accept=".keras",
                       children=html.Div(["Upload a .keras model: drop it here or ",
                                          html.A("choose a file")])),
        ]),
        dcc.ConfirmDialog(id=ids.CONFIRM_DELETE),
        dcc.Download(id=ids.DOWNLOAD_FILE),
        html.Div(id=ids.RUNS_MESSAGE, className="job-message", role="status"),
        html.H3("Prune & fine-tune the ticked run"),
        html.Div(className="field-row", children=[
            field(html.Span(["Target sparsity ", html.Span(id=ids.PRUNE_COUNT)]), dcc.Slider(
                id=ids.PRUNE_SPARSITY, min=0.1, max=0.99, step=0.01, value=0.8,
                marks={v: f"{round(100 * v)}%" for v in (0.1, 0.5, 0.9)}),
                help_id=ids.PRUNE_SPARSITY),
            field("Fine-tune epochs", number(ids.PRUNE_EPOCHS, None, 0, 50,
                                               placeholder="auto")),
        ]),
        html.Div("Global magnitude pruning of the Conv2D and Dense kernels (the output layer "
                 "stays dense), ramped up while fine-tuning at a tenth of the run's learning "
                 f"rate on its own data settings, for {FINE_TUNE_STEPS} steps unless you set "
                 "the epochs; the result is a new run linked to its parent.",
                 className="hint"),
        button("Prune & fine-tune", ids.PRUNE_START, kind="primary"),
        html.H3("Compare the ticked runs"),
        dcc.Graph(id=ids.COMPARE_CURVES, config=GRAPH_CONFIG,
                  figure=figures.empty_figure("Tick two or more runs to compare them.")),
        dash_table.DataTable(id=ids.COMPARE_TABLE, data=[], columns=[],
                             style_cell={"fontSize": "13px", "textAlign": "left"},
                             style_table={"overflowX": "auto"}),
        html.Div(id=ids.COMPARE_MATRICES, className="matrices"),
        explain_layout.compare_extras(),
        html.Div(id=ids.COMPARE_DIGITS),
        html.H3("Evaluate the ticked runs as an ensemble"),
        html.Div("Averages the models' probabilities on the whole test set: the ensemble is "
                 "often right where each model alone is not. Test-time augmentation also "
                 "averages over each digit moved one pixel up, down, left and right "
                 "(five times the work).", className="hint"),
        html.Div(className="field-row ensemble-row", children=[
            field("Test-time augmentation", dcc.Checklist(id=ids.ENSEMBLE_TTA, options=[
                {"label": " on", "value": "tta"}], value=[])),
            button("Evaluate as an ensemble", ids.ENSEMBLE_START),
        ]),
        dcc.Loading(html.Div(id=ids.ENSEMBLE_RESULT), type="dot"),
    ])


def lessons_panel():
    """Guided experiments, each a link that loads its settings."""
    return panel("lessons", "Lessons", [
        html.Ul(className="lessons", children=[
            html.Li([dcc.Link(lesson.title, href=lesson.link, className="lesson-link",
                              refresh=False),
                     html.Span(" " + lesson.summary, className="hint")])
            for lesson in LESSONS]),
    ])


def lesson_card(lesson):
    """What a lesson asks to watch, and what to try next; shown above the settings."""
    return html.Div(className="lesson-card alert alert-info", role="note", children=[
        html.Div(f"Lesson: {lesson.title}", className="lesson-title"),
        html.P([html.Strong("Watch: "), lesson.watch]),
        html.P([html.Strong("Then: "), lesson.then]),
        html.A("Back to the quick start", href="/", className="small"),
    ])


def dataset_panel():
    """A grid of random training images with their labels."""
    return panel("data", "Dataset preview", [
        button("Reshuffle", ids.RESHUFFLE, small=True),
        html.Div(id=ids.PREVIEW, className="gallery"),
    ])


# The sections the navigation links to, in the page's order.
SECTIONS = (("train", "Train"), ("progress", "Progress"), ("results", "Results"),
            ("runs", "Runs"), ("sweeps", "Sweeps"), ("draw", "Draw"),
            ("projector", "Projector"), ("inside", "Inside"), ("lessons", "Lessons"),
            ("data", "Data"))


def navigation():
    """The top bar: the name, links to each panel, and the light/dark switch."""
    # Not sticky: a bar over the page would cover whatever scrolls to the top
    # (a control a keyboard or a script focuses); the links are one Home key away.
    return html.Header(className="app-header navbar", children=[
        html.A("mnist-keras", href="#", className="navbar-brand"),
        html.Nav(className="section-links", **{"aria-label": "panels"}, children=[
            html.A(title, href=f"#section-{key}", className="nav-link")
            for key, title in SECTIONS]),
        html.Div(className="theme-control", id="theme-control", children=[
            dbc.Switch(id=ids.THEME_SWITCH, label="Dark", value=None,
                       className="theme-switch"),
        ]),
        help_tip("theme-control", help_texts.SETTINGS[ids.THEME_SWITCH]),
    ])


def page(device):
    """The whole page."""
    return html.Div(className="page", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.THEME_APPLIED),
        dcc.Store(id=ids.LESSON),
        dcc.Store(id=ids.CANCELLING),
        navigation(),
        dcc.Interval(id=ids.POLL, interval=500),
        dcc.Store(id=ids.LIVE_STATE, data={}),
        dcc.Store(id=ids.RESULTS_KEY),
        dcc.Store(id=ids.RUNS_KEY),
        html.Div(className="columns", children=[
            training_panel(device),
            html.Div(className="main", children=[live_panel(), results_panel(),
                                                 runs_panel(), sweeps_layout.sweeps_panel(),
                                                 drawing_panel(),
                                                 explain_layout.projector_panel(),
                                                 inspection_panel(), lessons_panel(),
                                                 dataset_panel()]),
        ]),
    ])
