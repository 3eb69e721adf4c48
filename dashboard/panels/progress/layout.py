"""The Progress panel's layout: the selected run's progress bar and live charts."""

from dash import dcc, html

from dashboard.panels.progress.figures import batch_figure, epoch_figure, epoch_time_figure
from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, panel


def progress_panel():
    """Progress and the live charts of the selected run."""
    return panel("progress", "Training progress", [
        html.Div(className="progress-track", children=[
            html.Div(id=ids.PROGRESS_BAR, className="progress-fill", style={"width": "0%"})]),
        html.Pre(id=ids.PROGRESS_TEXT, className="progress-text", children="No run selected."),
        dcc.Graph(id=ids.BATCH_GRAPH, figure=batch_figure(), config=GRAPH_CONFIG),
        dcc.Graph(id=ids.EPOCH_GRAPH, figure=epoch_figure(), config=GRAPH_CONFIG),
        dcc.Graph(id=ids.EPOCH_TIME_GRAPH, figure=epoch_time_figure(),
                  config=GRAPH_CONFIG),
    ])
