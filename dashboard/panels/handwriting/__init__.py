"""Your handwriting: a personal dataset's samples to check, relabel or delete; import and
export them; teach a model your hand."""

from dashboard.panels.handwriting import callbacks
from dashboard.panels.handwriting.layout import handwriting_panel as section

KEY, TITLE = "handwriting", "Your hand"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
