"""Draw: a digit on the canvas, each chosen model's answer, why it answered, test digits; each
answer ("right", "it was N") keeps the drawing in a personal dataset."""

from dashboard.panels.draw import answers, callbacks, why
from dashboard.panels.draw.layout import drawing_panel as section

KEY, TITLE = "draw", "Draw"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)
    answers.register(app, jobs, runs_dir)
    why.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
