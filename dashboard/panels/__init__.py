"""The dashboard's panels: one folder each, with its layout, callbacks, figures and jobs.

Every panel package has `KEY` (its section's anchor and help key), `TITLE`
(its name in the navigation), `section()` (its part of the page, from its
`layout.py`; the Train panel's takes the device description) and
`register(app, jobs, runs_dir)`. Panels never import each
other (an import contract checks it): what two panels share lives in
`dashboard.shared`, and they talk through component ids and stores.
"""

from dashboard.panels import (
    data,
    doubt,
    draw,
    handwriting,
    inside,
    lessons,
    progress,
    projector,
    results,
    runs,
    sweeps,
    train,
)

# In the page's order: the Train panel on the left, the others beside it. Drawing
# comes first: it is what a first-time user looks for, and the first-launch model
# answers before anything is trained (it sat 7,800 px down the page); starting a
# training scrolls its progress into view.
PANELS = (train, draw, progress, results, runs, sweeps, handwriting, projector, inside, lessons,
          data, doubt)


def register_all(app, jobs, runs_dir):
    """Registers every panel's callbacks."""
    for panel in PANELS:
        panel.register(app, jobs, runs_dir)
