"""Projector: the test set mapped by a model's view of it, the drawing as a star."""

from dashboard.panels.projector import callbacks
from dashboard.panels.projector.layout import projector_panel as section

KEY, TITLE = "projector", "Projector"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
