"""Train: a recipe or every setting by hand, Train, the queue, a link that shares the settings."""

from dashboard.panels.train import callbacks, share_callbacks
from dashboard.panels.train.layout import training_panel as section

KEY, TITLE = "train", "Train"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    callbacks.register(app, jobs, runs_dir)
    share_callbacks.register(app, jobs, runs_dir)


__all__ = ["KEY", "TITLE", "register", "section"]
