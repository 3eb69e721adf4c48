"""Callbacks grouped by feature; each module has `register(app, jobs, runs_dir)`."""

from dashboard.callbacks import dataset, drawing, inspection, live, results, training


def register_all(app, jobs, runs_dir):
    for feature in (training, live, results, drawing, inspection, dataset):
        feature.register(app, jobs, runs_dir)
