"""The Inside panel's layout: the network diagram, layers, activations, feature maps, weights."""

from dash import dash_table, dcc, html

from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, field, panel
from dashboard.shared.figures import empty_figure


def inside_panel():
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
                  figure=empty_figure("Draw a digit to see its activations.")),
        html.H3("Feature maps of the drawing"),
        html.Div(id=ids.FEATURE_MAPS, className="feature-maps"),
        html.H3("Weights", id="weights-heading"),
        field("Layer", dcc.Dropdown(id=ids.WEIGHT_LAYER, options=[], clearable=False,
                                     placeholder="Select a layer")),
        dcc.Graph(id=ids.WEIGHT_GRAPH, config=GRAPH_CONFIG,
                  figure=empty_figure("Select a model to see its weights.")),
    ])
