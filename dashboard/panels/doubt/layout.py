"""The Doubtful labels panel's layout: a run to check, its most doubtful images, decisions."""

from dash import dcc, html

from dashboard.shared import help_texts, ids
from dashboard.shared.components import button, field, help_tip, hint, number, panel

DEFAULT_FOLDS = 5
DEFAULT_SHOWN = 24
MAX_SHOWN = 100


def decision_heading():
    """The line above the tiles, whose help says what each decision does."""
    label_id = f"label-{ids.DOUBT_DECISION}"
    text = help_texts.SETTINGS[ids.DOUBT_DECISION]
    return html.Div(className="field", children=[
        html.Label(["Decide per image", html.Span("?", className="help-badge",
                                                  **{"aria-hidden": "true"})],
                   id=label_id, className="field-label has-help", tabIndex=0,
                   **{"aria-description": text}),
        help_tip(label_id, text),
    ])


def doubt_panel():
    """Pick a run, rank its training images in the background, decide per image, train again."""
    return panel("doubt", "Doubtful labels", className="panel wide doubt", children=[
        dcc.Store(id=ids.DOUBT_KEY, data=0),
        dcc.Interval(id=ids.DOUBT_POLL, interval=1000, disabled=True),
        hint("Some training labels are wrong. Small models that never saw an image's label "
             "judge it; the images they disagree with most come first."),
        html.Div(className="field-row wrap", children=[
            field("Run", dcc.Dropdown(id=ids.DOUBT_RUN, options=[], value=None,
                                      placeholder="Choose a finished run")),
            field("Folds", number(ids.DOUBT_FOLDS, DEFAULT_FOLDS, 2, 10)),
            field("Images shown", number(ids.DOUBT_SHOWN, DEFAULT_SHOWN, 1, MAX_SHOWN)),
        ]),
        button("Find doubtful labels", ids.DOUBT_START, kind="primary"),
        html.Div(className="progress-track", children=[
            html.Div(id=ids.DOUBT_PROGRESS_BAR, className="progress-fill",
                     style={"width": "0%"})]),
        html.Div(id=ids.DOUBT_STATUS, className="progress-text", role="status"),
        decision_heading(),
        html.Div(id=ids.DOUBT_TILES, className="tiles doubt-tiles"),
        html.Div(id=ids.DOUBT_SUMMARY, className="hint", role="status"),
        button("Train again without the excluded", ids.DOUBT_RETRAIN),
        html.Div(id=ids.DOUBT_MESSAGE, className="job-message", role="status"),
    ])
