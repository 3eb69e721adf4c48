"""Prune & fine-tune the ticked run: a live count of what stays, then a job like any training."""

import os

from dash import Input, Output, State, no_update

from dashboard import ids, loaded_models
from dashboard.callbacks.runs import ticked
from dashboard.layout import DEFAULTS
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run

FINE_TUNE_LEARNING_RATE = 1e-4


def nonzero_after(model, sparsity):
    """Parameters left non-zero when the prunable kernels reach `sparsity`."""
    from mnist_keras.pruning import prunable_weight_count

    prunable = prunable_weight_count(model)
    return int(model.count_params() - round(sparsity * prunable)), int(model.count_params())


def pruning_config(runs_dir, parent, sparsity, epochs):
    """The `TrainingConfig` of a pruning run: the parent's data settings, lr 1e-4."""
    run = Run(os.path.join(runs_dir, parent))
    if not loaded_models.has_model(run):
        raise MnistKerasError(f"Expected a finished run with a model to prune. "
                              f"Received: {parent!r} ({run.status})")
    config = run.read_json("config.json") or {}
    keep = {key: config[key] for key in ("dataset", "data_dir", "train_size", "test_size",
                                         "batch_size", "seed") if config.get(key) is not None}
    settings = {"train_size": DEFAULTS[ids.TRAIN_SIZE], "test_size": DEFAULTS[ids.TEST_SIZE],
                "batch_size": DEFAULTS[ids.BATCH_SIZE], **keep}
    return TrainingConfig(
        model=str(config.get("model", "uploaded")), parent_model=run.file("model.keras"),
        parent_run=parent, sparsity=sparsity, epochs=epochs,
        learning_rate=FINE_TUNE_LEARNING_RATE, schedule="constant",
        validation_split=DEFAULTS[ids.VALIDATION_SPLIT], **settings)


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.PRUNE_COUNT, "children"),
        Input(ids.PRUNE_SPARSITY, "value"), Input(ids.RUNS_TABLE, "selected_rows"),
        State(ids.RUNS_TABLE, "data"),
    )
    def show_count(sparsity, selected_rows, rows):
        names = ticked(rows, selected_rows)
        if len(names) != 1:
            return f"{round(100 * (sparsity or 0))}% (tick one run)"
        try:
            model = loaded_models.load(runs_dir, names[0]).model
        except MnistKerasError:
            return f"{round(100 * (sparsity or 0))}% ({names[0]} has no model)"
        left, total = nonzero_after(model, sparsity or 0)
        return f"{round(100 * sparsity)}%: {left:,} of {total:,} parameters non-zero"

    @app.callback(
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Output(ids.RUN_SELECT, "value", allow_duplicate=True),
        Input(ids.PRUNE_START, "n_clicks"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        State(ids.PRUNE_SPARSITY, "value"), State(ids.PRUNE_EPOCHS, "value"),
        prevent_initial_call=True,
    )
    def start_pruning(_, rows, selected_rows, sparsity, epochs):
        names = ticked(rows, selected_rows)
        try:
            if len(names) != 1:
                raise MnistKerasError(f"Expected one ticked run to prune. Received: "
                                      f"{len(names)}")
            config = pruning_config(runs_dir, names[0], sparsity,
                                    epochs if epochs is not None else 2)
            name = jobs.start(config, name_stem=f"{names[0]}-pruned{round(100 * sparsity)}")
        except MnistKerasError as error:
            return f"Not started: {error}", no_update
        return f"Started {name}: pruning {names[0]} to {round(100 * sparsity)}%.", name
