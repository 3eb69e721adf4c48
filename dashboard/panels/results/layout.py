"""The Results panel's layout: a run's confusion matrix and cells, per-class table, mistakes,
calibration and the lines that reproduce it."""

from dash import dash_table, dcc, html

from dashboard.shared import ids
from dashboard.shared.components import (
    GRAPH_CONFIG,
    code_block,
    field,
    hint,
    panel,
    registry_dropdown,
)
from dashboard.shared.confusion_cells import cell_section
from dashboard.shared.figures import empty_figure
from mnist_keras.registries import SALIENCY_METHODS


def results_panel():
    """Run picker, confusion matrix, per-class table and misclassified digits."""
    return panel("results", "Runs and results", [
        dcc.Dropdown(id=ids.RUN_SELECT, options=[], placeholder="Select a run",
                     clearable=False),
        html.Div(id=ids.RUN_SUMMARY, className="summary"),
        dcc.Graph(id=ids.CONFUSION_GRAPH,
                  figure=empty_figure("Select a finished run to see its results."),
                  config=GRAPH_CONFIG),
        dash_table.DataTable(
            id=ids.PER_CLASS_TABLE, data=[],
            columns=[{"name": n, "id": n} for n in ("label", "precision", "recall", "f1",
                                                    "support")],
            style_cell={"textAlign": "right", "fontSize": "13px"}),
        html.H3("Misclassified test digits"),
        html.Div(id=ids.MISTAKES, className="gallery"),
        results_extras(),
        html.Details(className="share", children=[
            html.Summary("Reproduce this run"),
            html.Div("The lines that train this run again, with the same settings.",
                     className="hint"),
            code_block("Python", ids.RUN_PYTHON),
            code_block("Command", ids.RUN_COMMAND),
        ]),
    ])


def results_extras():
    """Under the results panel's matrix: its cells, and the run's calibration."""
    return html.Div(className="explain-results", children=[
        html.H3("Confusion cells"),
        html.Div(className="field-row", children=[field(
            "Saliency of a clicked digit",
            registry_dropdown(ids.CELL_METHOD, SALIENCY_METHODS, "integrated_gradients"),
            "How a digit you click below is explained (here and in the comparison).")]),
        cell_section(ids.VIEW_RESULTS),
        html.H3("Calibration"),
        hint("When the model says 90%, is it right 9 times in 10? Each point is a group of "
             "test digits with about the same confidence; on the dotted line the model is "
             "honest, below it overconfident. ECE is the average gap."),
        dcc.Graph(id=ids.CALIBRATION_GRAPH, config=GRAPH_CONFIG,
                  figure=empty_figure("Select a finished run to see its calibration.")),
    ])
