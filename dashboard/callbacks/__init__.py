"""Callbacks grouped by feature; each module has `register(app, jobs, runs_dir)`."""

from dashboard.callbacks import (
    compare,
    confusion,
    dataset,
    drawing,
    inspection,
    live,
    page,
    projector,
    pruning,
    results,
    runs,
    share,
    sweeps,
    training,
    why,
)

FEATURES = (training, live, results, runs, pruning, compare, drawing, inspection, dataset,
            page, share, sweeps, why, confusion, projector)


def register_all(app, jobs, runs_dir):
    for feature in FEATURES:
        feature.register(app, jobs, runs_dir)
