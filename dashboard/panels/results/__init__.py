"""Results: a finished run's confusion matrix and cells, per-class table, mistakes, calibration
and the lines that train it again."""

from dashboard.panels.results import callbacks
from dashboard.panels.results.layout import results_panel as section

KEY, TITLE = "results", "Results"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
