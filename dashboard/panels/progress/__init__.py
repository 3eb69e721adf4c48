"""Progress: the selected run, live: a progress bar and the batch, epoch and time charts."""

from dashboard.panels.progress import callbacks
from dashboard.panels.progress.layout import progress_panel as section

KEY, TITLE = "progress", "Progress"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
