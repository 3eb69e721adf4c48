"""The Runs panel's layout: the runs table and its actions, pruning, comparison, ensembles."""

from dash import dash_table, dcc, html
from dash.dash_table.Format import Format, Scheme

from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, button, field, hint, number, panel
from dashboard.shared.confusion_cells import cell_section
from dashboard.shared.figures import empty_figure
from dashboard.shared.limits import MAX_UPLOAD_BYTES
from mnist_keras.fine_tuning import FINE_TUNE_STEPS
from web_export import EXPORT_CHOICES

RUN_COLUMNS = ("name", "model", "parameters", "non-zero", "accuracy", "duration", "status",
               "parent", "tags", "note")


def _column(name):
    if name == "accuracy":
        # A number, so its filter compares (`> 98`); DataTable's case-insensitive
        # filtering turns `>` into an operator numbers do not take.
        return {"name": "accuracy %", "id": name, "type": "numeric",
                "format": Format(precision=2, scheme=Scheme.fixed)}
    return {"name": name, "id": name, "filter_options": {"case": "insensitive"}}


def runs_panel():
    """Every run in a table; rename, delete, download, upload, export, report, prune, compare."""
    return panel("runs", "Manage and compare runs", [
        html.Div("Tick runs in the table: one for the actions and pruning, two or more to "
                 "compare them. Type in a column's top row to filter: a word of a name, a "
                 "tag or a model; > 98 in accuracy %; completed in status.",
                 className="hint"),
        dash_table.DataTable(
            id=ids.RUNS_TABLE, data=[], row_selectable="multi", selected_rows=[],
            columns=[_column(c) for c in RUN_COLUMNS], sort_action="native",
            filter_action="native",
            filter_options={"placeholder_text": "filter…"},
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
            button("Resume", ids.RESUME, small=True,
                   title="Continue a killed, crashed or cancelled run from its last "
                         "finished epoch"),
            button("Download all runs (CSV)", ids.RUNS_CSV, small=True,
                   title="Every run: results, tags, note and settings, one row each"),
        ]),
        html.Div(className="field-row actions", children=[
            field("Tags", dcc.Input(id=ids.RUN_TAGS, placeholder="baseline, augmented",
                                    maxLength=400, debounce=False, className="wide-input"),
                  help_id=ids.RUN_TAGS),
            field("Note", dcc.Input(id=ids.RUN_NOTE, placeholder="what this run tried",
                                    maxLength=2_000, debounce=False, className="wide-input"),
                  help_id=ids.RUN_NOTE),
            button("Save tags and note", ids.SAVE_NOTES, small=True),
        ]),
        dcc.Download(id=ids.RUNS_CSV_FILE),
        html.Div(className="field-row actions", children=[
            field("Export as", dcc.Dropdown(
                id=ids.EXPORT_QUANTIZE, value=EXPORT_CHOICES[0][0], clearable=False,
                options=[{"label": label, "value": value, "title": text}
                         for value, label, text in EXPORT_CHOICES]),
                help_id=ids.EXPORT_QUANTIZE),
            button("Export", ids.EXPORT_SITE, small=True),
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
                  figure=empty_figure("Tick two or more runs to compare them.")),
        dash_table.DataTable(id=ids.COMPARE_TABLE, data=[], columns=[],
                             style_cell={"fontSize": "13px", "textAlign": "left"},
                             style_table={"overflowX": "auto"}),
        html.Div(id=ids.COMPARE_MATRICES, className="matrices"),
        compare_extras(),
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


def compare_extras():
    """In the comparison: one ticked run's clickable matrix, and everyone's calibration."""
    return html.Div(className="explain-compare", children=[
        html.H3("Confusion cells of a ticked run"),
        field("Run", dcc.Dropdown(id=ids.COMPARE_CELL_RUN, options=[],
                                               clearable=False,
                                               placeholder="Tick runs in the table"),
                           "Which ticked run's matrix to explore: click a cell to see its "
                           "digits."),
        dcc.Graph(id=ids.COMPARE_CELL_MATRIX, config=GRAPH_CONFIG,
                  figure=empty_figure("Tick runs to compare their mistakes.")),
        cell_section(ids.VIEW_COMPARE),
        html.H3("Calibration compared"),
        hint("The ticked runs' reliability curves: the closer to the dotted line, the more "
             "a run's confidence can be trusted."),
        dcc.Graph(id=ids.COMPARE_CALIBRATION, config=GRAPH_CONFIG,
                  figure=empty_figure("Tick runs to compare their calibration.")),
    ])
