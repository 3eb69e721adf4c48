"""The Lessons panel's layout: guided experiments, each a link that loads its settings."""

from dash import dcc, html

from dashboard.shared.components import panel
from dashboard.shared.lessons import LESSONS


def lessons_panel():
    """Guided experiments, each a link that loads its settings."""
    return panel("lessons", "Lessons", [
        html.Ul(className="lessons", children=[
            html.Li([dcc.Link(lesson.title, href=lesson.link, className="lesson-link",
                              refresh=False),
                     html.Span(" " + lesson.summary, className="hint")])
            for lesson in LESSONS]),
    ])
