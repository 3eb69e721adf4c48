"""Prune & fine-tune the ticked run: a live count of what stays, then a job like any training."""

from dash import Input, Output, State, no_update

from dashboard.shared import ids, loaded_models
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import one_ticked, ticked
from dashboard.shared.training_form import DEFAULTS
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import RunFormatError, run_in


def nonzero_after(model, sparsity):
    """Parameters left non-zero when the prunable kernels reach `sparsity`."""
    from mnist_keras.pruning import prunable_weight_count

    prunable = prunable_weight_count(model)
    return int(model.count_params() - round(sparsity * prunable)), int(model.count_params())


def pruning_config(runs_dir, parent, sparsity, epochs):
    """The `TrainingConfig` that prunes run `parent`: the library's recipe.

    The parent's own data settings are kept; an uploaded parent (which has
    none) is fine-tuned on the dashboard's quick defaults.
    """
    from mnist_keras.fine_tuning import pruning_config as recipe

    run = run_in(runs_dir, parent)
    if not loaded_models.has_model(run):
        raise MnistKerasError(f"Expected a finished run with a model to prune. "
                              f"Received: {parent!r} ({run.status})")
    try:
        config = run.config()
    except RunFormatError:
        config = None
    quick = {} if config and config.training else {
        "train_size": DEFAULTS[ids.TRAIN_SIZE], "test_size": DEFAULTS[ids.TEST_SIZE],
        "validation_split": DEFAULTS[ids.VALIDATION_SPLIT]}
    return recipe(run.file("model.keras"), sparsity, fine_tune_epochs=epochs, **quick)


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
        try:
            parent = one_ticked(rows, selected_rows, "prune")
            # Empty epochs: the library's choice, scaled to the parent's data.
            config = pruning_config(runs_dir, parent, sparsity, epochs)
            name = jobs.start(config, name_stem=f"{parent}-pruned{round(100 * sparsity)}")
        except MnistKerasError as error:
            return f"Not started: {said(error)}", no_update
        return f"Started {name}: pruning {parent} to {round(100 * sparsity)}%.", name
