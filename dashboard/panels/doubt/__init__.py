"""Doubtful labels: a run's training images ranked by how likely their label is wrong."""

from dashboard.panels.doubt import callbacks
from dashboard.panels.doubt.layout import doubt_panel as section

KEY, TITLE = "doubt", "Doubtful labels"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
