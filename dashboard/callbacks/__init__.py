"""Callbacks grouped by feature; each module has `register(app, jobs, runs_dir)`."""

from dashboard.callbacks import (
    compare,
    dataset,
    drawing,
    inspection,
    live,
    page,
    pruning,
    results,
    runs,
    share,
    sweeps,
    training,
)

FEATURES = (training, live, results, runs, pruning, compare, drawing, inspection, dataset,
            page, share, sweeps)


def register_all(app, jobs, runs_dir):
    for feature in FEATURES:
        feature.register(app, jobs, runs_dir)
