"""Sweeps: start a hyperparameter sweep, follow its trials, see which settings matter."""

from dashboard.panels.sweeps import callbacks
from dashboard.panels.sweeps.layout import sweeps_panel as section

KEY, TITLE = "sweeps", "Sweeps"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
