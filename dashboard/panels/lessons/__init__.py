"""Lessons: guided experiments, each a link that loads its settings into the Train panel."""

from dashboard.panels.lessons.layout import lessons_panel as section

KEY, TITLE = "lessons", "Lessons"


def register(app, jobs, runs_dir):
    """Registers the panel's callbacks on `app`."""
    # Its links change the page's address; the Train panel reads it.


__all__ = ["KEY", "TITLE", "register", "section"]
