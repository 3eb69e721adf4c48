"""Runs: every run in a table, its actions (rename, delete, download, upload, export, report),
tags and notes, a CSV of them all, pruning, comparison and ensembles."""

from dashboard.panels.runs import callbacks, compare, notes, pruning
from dashboard.panels.runs.layout import runs_panel as section

KEY, TITLE = "runs", "Runs"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)
    pruning.register(app, jobs, runs_dir)
    compare.register(app, jobs, runs_dir)
    notes.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
