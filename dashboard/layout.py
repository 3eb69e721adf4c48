"""Layout factories: each returns one part of the page; `page()` assembles them."""

from dash import dash_table, dcc, html
from dash_canvas import DashCanvas

from dashboard import drawing, explain_layout, figures, ids
from dashboard.limits import MAX_UPLOAD_BYTES
from dashboard.training_form import AUGMENTATION_FIELDS, DEFAULT_RECIPE, form_values
from mnist_keras.config import RANGES
from mnist_keras.fine_tuning import FINE_TUNE_STEPS
from mnist_keras.layer_specs import LAYER_SETTINGS, PRESETS
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.registries import ACTIVATIONS, MODELS, OPTIMIZERS, SCHEDULES
from web_export import QUANTIZATIONS

CUSTOM_MODEL = "custom"

# The form opens on the quick recipe (the reference playground's defaults: 5,500
# images, 10 epochs, a 10% validation split, so the epoch chart has validation
# curves to show).
DEFAULTS = form_values(recipe_config(DEFAULT_RECIPE))

LAYER_COLUMNS = ("type", "filters", "kernel_size", "strides", "padding", "pool_size", "rate",
                 "units", "activation")
_TEXT_COLUMNS = ("type", "padding", "activation")


def spec_to_rows(spec):
    """Layer-spec dicts -> DataTable rows (one column per setting)."""
    return [{column: layer.get(column) for column in LAYER_COLUMNS} for layer in spec]


def _field(label, control, hint=None):
    children = [html.Label(label, className="field-label"), control]
    if hint:
        children.append(html.Div(hint, className="hint"))
    return html.Div(children, className="field")


def _number(id_, value, low, high, step=1, placeholder=None):
    return dcc.Input(id=id_, type="number", value=value, min=low, max=high, step=step,
                     placeholder=placeholder, debounce=True, className="number")


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
        html.Button("Add layer", id=ids.ADD_LAYER, n_clicks=0, className="small"),
        html.Div(id=ids.SPEC_MESSAGE, className="spec-message"),
    ])


def augment_options(disabled=False):
    return [{"label": " on (its settings are under More settings)", "value": "on",
             "disabled": disabled}]


def training_panel(device):
    """Every setting a person would tune, with the library's ranges."""
    low_train, high_train = RANGES["train_size"]
    low_test, high_test = RANGES["test_size"]
    return html.Section(className="panel", children=[
        html.H2("Train"),
        _field("Recipe", dcc.Dropdown(
            id=ids.RECIPE, value=DEFAULT_RECIPE, clearable=False,
            options=[{"label": name, "value": name, "title": RECIPES.describe(name)}
                     for name in RECIPES]),
               html.Span(RECIPES.describe(DEFAULT_RECIPE), id=ids.RECIPE_HINT)),
        _field("Architecture", dcc.Dropdown(
            id=ids.MODEL, value=DEFAULTS[ids.MODEL], clearable=False,
            options=[{"label": name, "value": name} for name in MODELS]
            + [{"label": "custom (layer builder)", "value": CUSTOM_MODEL}])),
        layer_builder(),
        _field("Training images", dcc.Slider(
            id=ids.TRAIN_SIZE, min=low_train, max=high_train, step=500,
            value=DEFAULTS[ids.TRAIN_SIZE],
            marks={v: f"{v // 1000}k" for v in (1_000, 10_000, 20_000, 30_000, 40_000, 50_000,
                                                  60_000)},
            tooltip={"placement": "bottom", "always_visible": False})),
        _field("Test images", dcc.Slider(
            id=ids.TEST_SIZE, min=low_test, max=high_test, step=500,
            value=DEFAULTS[ids.TEST_SIZE],
            marks={v: f"{v // 1000}k" for v in (1_000, 4_000, 7_000, 10_000)},
            tooltip={"placement": "bottom", "always_visible": False})),
        html.Div(className="row", children=[
            _field("Batch size", _number(ids.BATCH_SIZE, DEFAULTS[ids.BATCH_SIZE],
                                         *RANGES["batch_size"])),
            _field("Epochs", _number(ids.EPOCHS, DEFAULTS[ids.EPOCHS], *RANGES["epochs"])),
            _field("Seed", _number(ids.SEED, DEFAULTS[ids.SEED], *RANGES["seed"])),
        ]),
        _field(html.Span(["Learning rate ", html.Span(id=ids.LEARNING_RATE_LABEL)]),
               dcc.Slider(id=ids.LEARNING_RATE, min=-4, max=0, step=0.01,
                          value=DEFAULTS[ids.LEARNING_RATE],
                          marks={v: f"1e{v}" if v else "1" for v in range(-4, 1)})),
        html.Div(className="row", children=[
            _field("Optimizer", dcc.Dropdown(
                id=ids.OPTIMIZER, value=DEFAULTS[ids.OPTIMIZER], clearable=False,
                options=[{"label": o, "value": o} for o in OPTIMIZERS])),
            _field("Schedule", dcc.Dropdown(
                id=ids.SCHEDULE, value=DEFAULTS[ids.SCHEDULE], clearable=False,
                options=[{"label": s, "value": s} for s in SCHEDULES])),
        ]),
        html.Div(className="row", children=[
            _field("Dropout", _number(ids.DROPOUT, DEFAULTS[ids.DROPOUT], *RANGES["dropout"],
                                      step=0.05,
                                      placeholder="model's own")),
            _field("Augmentation", dcc.Checklist(id=ids.AUGMENT, value=DEFAULTS[ids.AUGMENT],
                                                 options=augment_options())),
        ]),
        advanced_settings(),
        html.Div(["Device: ", html.Span(device, id=ids.DEVICE)], className="hint"),
        html.Div(className="row buttons", children=[
            html.Button("Train", id=ids.TRAIN, n_clicks=0, className="primary"),
            html.Button("Cancel", id=ids.CANCEL, n_clicks=0, disabled=True),
            html.Button("Add to queue", id=ids.QUEUE, n_clicks=0),
        ]),
        html.Div(className="queue", children=[
            html.Div(id=ids.QUEUE_VIEW, className="hint"),
            html.Button("Clear queue", id=ids.CLEAR_QUEUE, n_clicks=0, className="small"),
        ]),
        html.Div(id=ids.JOB_MESSAGE, className="job-message", role="status"),
    ])


def advanced_settings():
    """Less common settings, folded away: validation, stopping, smoothing, augmentation."""
    return html.Details(className="advanced", children=[
        html.Summary("More settings"),
        html.Div(className="row", children=[
            _field("Validation split", _number(ids.VALIDATION_SPLIT, DEFAULTS[ids.VALIDATION_SPLIT],
                                               *RANGES["validation_split"], step=0.05)),
            _field("Label smoothing", _number(ids.LABEL_SMOOTHING,
                                              DEFAULTS[ids.LABEL_SMOOTHING],
                                              *RANGES["label_smoothing"], step=0.05)),
        ]),
        html.Div(className="row", children=[
            _field("Early stopping patience", _number(
                ids.EARLY_STOPPING, DEFAULTS[ids.EARLY_STOPPING],
                *RANGES["early_stopping_patience"],
                placeholder="off"), "epochs without validation improvement"),
            _field("Halve LR after", _number(
                ids.REDUCE_LR, DEFAULTS[ids.REDUCE_LR], *RANGES["reduce_lr_patience"],
                placeholder="off"),
                "epochs on a plateau (constant schedule)"),
        ]),
        html.Div("Augmentation, when ticked: largest rotation, zoom, shift, shear and "
                 "stretch; elastic distortion in pixels; chances of thinner or thicker "
                 "strokes, blur, fainter ink and black-and-white strokes.", className="hint"),
        html.Div(className="row wrap", children=[
            _field(label, _number(component, DEFAULTS[component], *RANGES[field], step=step))
            for component, field, label, step in AUGMENTATION_FIELDS
        ]),
    ])


def live_panel():
    """Progress and the live charts of the selected run."""
    return html.Section(className="panel wide", children=[
        html.H2("Training progress"),
        html.Div(className="progress", children=[
            html.Div(id=ids.PROGRESS_BAR, className="progress-fill", style={"width": "0%"})]),
        html.Pre(id=ids.PROGRESS_TEXT, className="progress-text", children="No run selected."),
        dcc.Graph(id=ids.BATCH_GRAPH, figure=figures.batch_figure(),
                  config={"displaylogo": False}),
        dcc.Graph(id=ids.EPOCH_GRAPH, figure=figures.epoch_figure(),
                  config={"displaylogo": False}),
        dcc.Graph(id=ids.EPOCH_TIME_GRAPH, figure=figures.epoch_time_figure(),
                  config={"displaylogo": False}),
    ])


def results_panel():
    """Run picker, confusion matrix, per-class table and misclassified digits."""
    return html.Section(className="panel wide", children=[
        html.H2("Runs and results"),
        dcc.Dropdown(id=ids.RUN_SELECT, options=[], placeholder="Select a run",
                     clearable=False),
        html.Div(id=ids.RUN_SUMMARY, className="summary"),
        dcc.Graph(id=ids.CONFUSION_GRAPH,
                  figure=figures.empty_figure("Select a finished run to see its results."),
                  config={"displaylogo": False}),
        dash_table.DataTable(
            id=ids.PER_CLASS_TABLE, data=[],
            columns=[{"name": n, "id": n} for n in ("label", "precision", "recall", "f1",
                                                    "support")],
            style_cell={"textAlign": "right", "fontSize": "13px"}),
        html.H3("Misclassified test digits"),
        html.Div(id=ids.MISTAKES, className="gallery"),
        explain_layout.results_extras(),
    ])


MAX_PREDICT_RUNS = 3
TEST_COUNT_DEFAULT, TEST_COUNT_MAX = 20, 100


def drawing_panel():
    """The drawing canvas, the models that predict it, and Test on MNIST."""
    canvas = DashCanvas(
        id=ids.CANVAS, width=drawing.COMPONENT_WIDTH, height=drawing.CANVAS_SIZE,
        lineWidth=drawing.LINE_WIDTH, lineColor="black", tool="pencil",
        image_content=drawing.blank_background(0), goButtonTitle="Save",
        hide_buttons=["zoom", "pan", "line", "pencil", "rectangle", "select", "undo"])
    return html.Section(className="panel wide", children=[
        html.H2("Draw a digit"),
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
                html.Div(className="row buttons", children=[
                    html.Button("Clear", id=ids.CLEAR, n_clicks=0),
                    html.Button("Predict", id=ids.PREDICT, n_clicks=0, className="primary"),
                ]),
                html.Div("Draw with the mouse or a finger; the prediction follows half a "
                         "second after the last stroke.", className="hint"),
                html.Div(className="model-input", children=[
                    html.Div("What the model sees (28×28)", className="field-label"),
                    html.Img(id=ids.MODEL_INPUT_IMAGE, alt="the model's 28x28 input"),
                ]),
            ]),
            html.Div(className="predict-column", children=[
                _field(f"Models (finished runs, up to {MAX_PREDICT_RUNS} side by side)",
                       dcc.Dropdown(id=ids.PREDICT_RUNS, multi=True, options=[], value=None,
                                    placeholder="Select a finished run")),
                html.Div(id=ids.PREDICTIONS, className="predictions"),
                explain_layout.why_section(),
            ]),
        ]),
        html.H3("Test on MNIST"),
        html.Div(className="row test-row", children=[
            _number(ids.TEST_COUNT, TEST_COUNT_DEFAULT, 1, TEST_COUNT_MAX),
            html.Button("Test on MNIST", id=ids.TEST_DIGITS, n_clicks=0, className="small"),
        ]),
        html.Div("Random test digits, predicted by each selected model: green when right, "
                 "red when wrong.", className="hint"),
        html.Div(id=ids.TEST_RESULTS),
    ])


def inspection_panel():
    """Layer summary, activation flow, feature maps and weights of one selected model."""
    graph_config = {"displaylogo": False}
    return html.Section(className="panel wide", children=[
        html.H2("Inside the model"),
        _field("Model to inspect", dcc.Dropdown(id=ids.INSPECT_RUN, options=[],
                                                clearable=False,
                                                placeholder="Select a model above")),
        dash_table.DataTable(
            id=ids.LAYER_SUMMARY, data=[],
            columns=[{"name": n, "id": n} for n in ("layer", "type", "output shape",
                                                    "parameters", "FLOPs")],
            style_cell={"textAlign": "right", "fontSize": "13px"}),
        dcc.Graph(id=ids.ACTIVATION_FLOW, config=graph_config,
                  figure=figures.empty_figure("Draw a digit to see its activations.")),
        html.H3("Feature maps of the drawing"),
        html.Div(id=ids.FEATURE_MAPS, className="feature-maps"),
        html.H3("Weights"),
        dcc.Dropdown(id=ids.WEIGHT_LAYER, options=[], clearable=False,
                     placeholder="Select a layer"),
        dcc.Graph(id=ids.WEIGHT_GRAPH, config=graph_config,
                  figure=figures.empty_figure("Select a model to see its weights.")),
    ])


RUN_COLUMNS = ("name", "model", "parameters", "non-zero", "accuracy", "duration", "status",
               "parent")


def runs_panel():
    """Every run in a table; rename, delete, download, upload, export, report, prune, compare."""
    return html.Section(className="panel wide", children=[
        html.H2("Manage and compare runs"),
        html.Div("Tick runs in the table: one for the actions and pruning, two or more to "
                 "compare them.", className="hint"),
        dash_table.DataTable(
            id=ids.RUNS_TABLE, data=[], row_selectable="multi", selected_rows=[],
            columns=[{"name": c, "id": c} for c in RUN_COLUMNS], sort_action="native",
            style_cell={"fontSize": "13px", "textAlign": "left"},
            style_table={"overflowX": "auto"}),
        html.Div(className="row actions", children=[
            dcc.Input(id=ids.RENAME_TO, placeholder="new name", debounce=False,
                      className="number"),
            html.Button("Rename", id=ids.RENAME, n_clicks=0, className="small"),
            html.Button("Delete", id=ids.DELETE, n_clicks=0, className="small danger"),
            html.Button("Download .keras", id=ids.DOWNLOAD, n_clicks=0, className="small"),
            html.Button("Report (HTML)", id=ids.REPORT, n_clicks=0, className="small"),
        ]),
        html.Div(className="row actions", children=[
            dcc.Dropdown(id=ids.EXPORT_QUANTIZE, value="none", clearable=False,
                         options=[{"label": f"TF.js weights: {q}", "value": q}
                                  for q in QUANTIZATIONS]),
            html.Button("Export to TF.js site", id=ids.EXPORT_SITE, n_clicks=0,
                        className="small"),
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
        html.Div(className="row", children=[
            _field(html.Span(["Target sparsity ", html.Span(id=ids.PRUNE_COUNT)]), dcc.Slider(
                id=ids.PRUNE_SPARSITY, min=0.1, max=0.99, step=0.01, value=0.8,
                marks={v: f"{round(100 * v)}%" for v in (0.1, 0.5, 0.8, 0.9, 0.99)})),
            _field("Fine-tune epochs", _number(ids.PRUNE_EPOCHS, None, 0, 50,
                                               placeholder="auto")),
        ]),
        html.Div("Global magnitude pruning of the Conv2D and Dense kernels (the output layer "
                 "stays dense), ramped up while fine-tuning at a tenth of the run's learning "
                 f"rate on its own data settings, for {FINE_TUNE_STEPS} steps unless you set "
                 "the epochs; the result is a new run linked to its parent.",
                 className="hint"),
        html.Button("Prune & fine-tune", id=ids.PRUNE_START, n_clicks=0, className="primary"),
        html.H3("Compare the ticked runs"),
        dcc.Graph(id=ids.COMPARE_CURVES, config={"displaylogo": False},
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
        html.Div(className="row ensemble-row", children=[
            dcc.Checklist(id=ids.ENSEMBLE_TTA, options=[
                {"label": " test-time augmentation", "value": "tta"}], value=[]),
            html.Button("Evaluate as an ensemble", id=ids.ENSEMBLE_START, n_clicks=0),
        ]),
        dcc.Loading(html.Div(id=ids.ENSEMBLE_RESULT), type="dot"),
    ])


def dataset_panel():
    """A grid of random training digits with their labels."""
    return html.Section(className="panel wide", children=[
        html.H2("Dataset preview"),
        html.Button("Reshuffle", id=ids.RESHUFFLE, n_clicks=0, className="small"),
        html.Div(id=ids.PREVIEW, className="gallery"),
    ])


def page(device):
    """The whole page."""
    return html.Div(className="page", children=[
        html.Header([html.H1("mnist-keras"),
                     html.Span("train, watch and inspect handwritten-digit classifiers")]),
        dcc.Interval(id=ids.POLL, interval=500),
        dcc.Store(id=ids.LIVE_STATE, data={}),
        dcc.Store(id=ids.RESULTS_KEY),
        dcc.Store(id=ids.RUNS_KEY),
        html.Div(className="columns", children=[
            training_panel(device),
            html.Div(className="main", children=[live_panel(), results_panel(),
                                                 runs_panel(), drawing_panel(),
                                                 explain_layout.projector_panel(),
                                                 inspection_panel(), dataset_panel()]),
        ]),
    ])
