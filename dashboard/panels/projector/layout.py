"""The Projector panel's layout: the test set's map, the digits under the pointer or lasso."""

from dash import dcc, html

from dashboard.shared import ids
from dashboard.shared.components import GRAPH_CONFIG, field, hint, panel, registry_dropdown
from dashboard.shared.figures import empty_figure
from mnist_keras.registries import EMBEDDING_METHODS


def projector_panel():
    """The test set as a map of what the model makes of each digit."""
    return panel("projector", "Projector", className="panel wide projector",
                             children=[
        hint("2,000 test digits placed by what the model's penultimate layer makes of "
             "them: digits it finds alike sit together. Colour: the true digit; ringed: a "
             "mistake. Hover to see a digit, drag a lasso around some to see them all. "
             "The star is your drawing: draw above and watch it move."),
        html.Div(className="field-row", children=[
            field("Model", dcc.Dropdown(id=ids.PROJECTOR_RUN, options=[], clearable=False,
                                        placeholder="Choose a finished run to map"),
                  "The map is computed once per model and kept in its run folder: PCA "
                  "takes seconds, t-SNE and UMAP up to a minute (in the background)."),
            field("Map", registry_dropdown(ids.PROJECTOR_METHOD, EMBEDDING_METHODS, "pca"),
                  "PCA: a flat, exact view. t-SNE and UMAP: neighbours kept together "
                  "(clearer groups; distances between groups mean little)."),
        ]),
        dcc.Interval(id=ids.PROJECTOR_POLL, interval=1000, disabled=True),
        html.Div(id=ids.PROJECTOR_STATUS, className="busy projector-status", role="status"),
        html.Div(id=ids.PROJECTOR_STAR, className="hint projector-star"),
        html.Div(className="projector-row", children=[
            dcc.Graph(id=ids.PROJECTOR_GRAPH, config=GRAPH_CONFIG, className="projector-graph",
                      figure=empty_figure("Choose a model above to map its test "
                                                  "digits.")),
            html.Div(id=ids.PROJECTOR_HOVER, className="projector-hover"),
        ]),
        html.H4("Digits in the lasso"),
        html.Div(id=ids.PROJECTOR_SELECTION, children=hint("Drag a lasso on the map.")),
    ])
