"""Inside: a model's layers as a diagram, the drawing's activations, feature maps, weights."""

from dashboard.panels.inside import callbacks
from dashboard.panels.inside.layout import inside_panel as section

KEY, TITLE = "inside", "Inside"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
