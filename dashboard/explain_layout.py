"""Layout factories of the explanation views, each a part another factory places:

- `why_section()`: "Why this answer?" under the drawing's predictions.
- `cell_section(view)`: a confusion cell's digits and the most confused pairs
  (the results panel, and once more in the comparison).
- `results_extras()`: the cell section and the calibration of the run shown.
- `compare_extras()`: a ticked run's clickable matrix and cells, and the
  ticked runs' calibration side by side.
- `projector_panel()`: the test set's map with the drawing as a star.

Every control says in plain words what it does: a hint line, and its label's
help text (`help_texts`) on hover or focus, as everywhere on the page.
"""

from dash import dcc, html

from dashboard import figures, ids
from dashboard.components import GRAPH_CONFIG, field, panel
from mnist_keras.registries import ATTACK_METHODS, EMBEDDING_METHODS, SALIENCY_METHODS


def _options(registry):
    return [{"label": name, "value": name, "title": registry.describe(name)}
            for name in registry]


def _hint(text):
    return html.Div(text, className="hint")


def _dropdown(id_, registry, value):
    return dcc.Dropdown(id=id_, value=value, clearable=False, options=_options(registry))


def why_section():
    """Saliency and the adversarial drawing, one card per selected model."""
    return html.Div(className="why", children=[
        html.H3("Why this answer?"),
        _hint("Left: the pixels the answer rests on, brightest where the evidence is "
              "strongest. Right: the smallest change to your drawing that makes the model "
              "answer something else. It often looks the same to you: models can be "
              "brittle."),
        html.Div(className="field-row why-controls", children=[
            field("Saliency method", _dropdown(ids.WHY_METHOD, SALIENCY_METHODS, "gradcam"),
                  "Grad-CAM: where the last conv layer looked (coarse). Integrated "
                  "gradients and SmoothGrad: pixel by pixel, any model."),
            field("Attack", _dropdown(ids.WHY_ATTACK, ATTACK_METHODS, "fgsm"),
                  "epsilon is how much any one pixel may change (0 to 1): FGSM takes one "
                  "step, PGD several smaller ones and finds smaller changes."),
        ]),
        html.Div(id=ids.WHY_CARDS, className="why-cards"),
    ])


def cell_section(view):
    """The digits of one clicked confusion cell, and the most confused pairs."""
    return html.Div(className="cells", children=[
        dcc.Store(id=ids.view_id(ids.CELL_SELECTION, view)),
        dcc.Store(id=ids.view_id(ids.CELL_SHOWN, view)),
        html.Div(className="cells-row", children=[
            html.Div(className="confused-pairs", children=[
                html.H4("Most confused pairs"),
                _hint("true → read as: mistakes. Click one to see its digits."),
                html.Div(id=ids.view_id(ids.CONFUSED_PAIRS, view)),
            ]),
            html.Div(className="cell-view", children=[
                html.Div(id=ids.view_id(ids.CELL_DIGITS, view),
                         children=_hint("Click a cell of the confusion matrix to see its "
                                        "test digits.")),
                html.Div(id=ids.view_id(ids.CELL_SALIENCY, view), className="cell-saliency"),
            ]),
        ]),
    ])


def results_extras():
    """Under the results panel's matrix: its cells, and the run's calibration."""
    return html.Div(className="explain-results", children=[
        html.H3("Confusion cells"),
        html.Div(className="field-row", children=[field(
            "Saliency of a clicked digit",
            _dropdown(ids.CELL_METHOD, SALIENCY_METHODS, "integrated_gradients"),
            "How a digit you click below is explained (here and in the comparison).")]),
        cell_section(ids.VIEW_RESULTS),
        html.H3("Calibration"),
        _hint("When the model says 90%, is it right 9 times in 10? Each point is a group of "
              "test digits with about the same confidence; on the dotted line the model is "
              "honest, below it overconfident. ECE is the average gap."),
        dcc.Graph(id=ids.CALIBRATION_GRAPH, config=GRAPH_CONFIG,
                  figure=figures.empty_figure("Select a finished run to see its calibration.")),
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
                  figure=figures.empty_figure("Tick runs to compare their mistakes.")),
        cell_section(ids.VIEW_COMPARE),
        html.H3("Calibration compared"),
        _hint("The ticked runs' reliability curves: the closer to the dotted line, the more "
              "a run's confidence can be trusted."),
        dcc.Graph(id=ids.COMPARE_CALIBRATION, config=GRAPH_CONFIG,
                  figure=figures.empty_figure("Tick runs to compare their calibration.")),
    ])


def projector_panel():
    """The test set as a map of what the model makes of each digit."""
    return panel("projector", "Projector", className="panel wide projector",
                             children=[
        _hint("2,000 test digits placed by what the model's penultimate layer makes of "
              "them: digits it finds alike sit together. Colour: the true digit; ringed: a "
              "mistake. Hover to see a digit, drag a lasso around some to see them all. "
              "The star is your drawing: draw above and watch it move."),
        html.Div(className="field-row", children=[
            field("Model", dcc.Dropdown(id=ids.PROJECTOR_RUN, options=[], clearable=False,
                                        placeholder="Choose a finished run to map"),
                  "The map is computed once per model and kept in its run folder: PCA "
                  "takes seconds, t-SNE and UMAP up to a minute (in the background)."),
            field("Map", _dropdown(ids.PROJECTOR_METHOD, EMBEDDING_METHODS, "pca"),
                  "PCA: a flat, exact view. t-SNE and UMAP: neighbours kept together "
                  "(clearer groups; distances between groups mean little)."),
        ]),
        dcc.Interval(id=ids.PROJECTOR_POLL, interval=1000, disabled=True),
        html.Div(id=ids.PROJECTOR_STATUS, className="busy projector-status", role="status"),
        html.Div(id=ids.PROJECTOR_STAR, className="hint projector-star"),
        html.Div(className="projector-row", children=[
            dcc.Graph(id=ids.PROJECTOR_GRAPH, config=GRAPH_CONFIG, className="projector-graph",
                      figure=figures.empty_figure("Choose a model above to map its test "
                                                  "digits.")),
            html.Div(id=ids.PROJECTOR_HOVER, className="projector-hover"),
        ]),
        html.H4("Digits in the lasso"),
        html.Div(id=ids.PROJECTOR_SELECTION, children=_hint("Drag a lasso on the map.")),
    ])
