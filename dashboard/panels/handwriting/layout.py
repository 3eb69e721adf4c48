"""The Your handwriting panel's layout: a personal dataset's counts and samples, and teaching."""

from dash import dcc, html

from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, button, field, hint, panel
from dashboard.shared.figures import empty_figure
from dashboard.shared.limits import MAX_UPLOAD_BYTES
from mnist_keras.personal import DEFAULT_NAME


def handwriting_panel():
    """A personal dataset: its samples to check, relabel or delete; import, export, teach."""
    return panel("handwriting", "Your handwriting", className="panel wide handwriting", children=[
        dcc.Store(id=ids.HAND_SELECTED),
        hint("Your own digits, kept each time you answer a prediction on the Draw panel "
             "(or imported from the exported page). Check them, then teach a model your "
             "hand: it learns from most of them and is measured on the rest."),
        html.Div(className="field-row", children=[
            field("Dataset", dcc.Dropdown(id=ids.HAND_DATASET, options=[], value=DEFAULT_NAME,
                                          clearable=False), help_id=ids.HAND_DATASET),
            field("New dataset", dcc.Input(id=ids.HAND_NEW_NAME, type="text", value="",
                                           placeholder="e.g. left-hand", debounce=False,
                                           className="wide-input"),
                  help_id=ids.HAND_NEW_NAME),
            button("Create", ids.HAND_CREATE, small=True),
        ]),
        dcc.Graph(id=ids.HAND_COUNTS, config=GRAPH_CONFIG,
                  figure=empty_figure("No samples yet: answer a prediction on the Draw "
                                      "panel.")),
        html.H3("Samples"),
        hint("Newest first; click one to relabel or delete it."),
        html.Div(id=ids.HAND_SAMPLES, className="tiles hand-samples"),
        html.Div(id=ids.HAND_SELECTION, className="hand-selection", children=[
            html.Div(className="field-row", children=[
                field("Relabel to", dcc.Dropdown(
                    id=ids.HAND_RELABEL_TO, clearable=False, value=None, searchable=False,
                    options=[{"label": str(d), "value": d} for d in range(10)]),
                    help_id=ids.HAND_RELABEL_TO),
                button("Relabel", ids.HAND_RELABEL, small=True),
                button("Delete", ids.HAND_DELETE, kind="danger", small=True),
            ]),
        ]),
        html.Div(className="field-row actions", children=[
            dcc.Upload(id=ids.HAND_UPLOAD, max_size=MAX_UPLOAD_BYTES, multiple=False,
                       className="upload", accept=".json",
                       children=html.Div(["Import samples (from the exported page): drop the "
                                          "file here or ", html.A("choose it")])),
            button("Download samples", ids.HAND_DOWNLOAD, small=True),
            dcc.Download(id=ids.HAND_DOWNLOAD_FILE),
        ]),
        html.H3("Teach a model your hand"),
        html.Div(className="field-row", children=[
            field("Model to teach", dcc.Dropdown(id=ids.HAND_BASE, options=[], value=None,
                                                 clearable=False,
                                                 placeholder="Choose a finished run"),
                  help_id=ids.HAND_BASE),
            button("Teach", ids.HAND_TEACH, kind="primary"),
        ]),
        hint("Fine-tunes a copy of the model on your samples with MNIST images mixed in (so it "
             "still reads everyone else), in the background like any training; the new run "
             "says how it reads your held-out samples and MNIST, before and after."),
        html.Div(id=ids.HAND_MESSAGE, className="job-message", role="status"),
        html.Div(id=ids.HAND_TAUGHT),
    ])
