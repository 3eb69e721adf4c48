"""Data: random training images of the chosen dataset, with their labels."""

from dashboard.panels.data import callbacks
from dashboard.panels.data.layout import dataset_panel as section

KEY, TITLE = "data", "Data"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
