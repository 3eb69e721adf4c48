"""The Results panel's callbacks: a run's summary, matrix and cells, table, mistakes,
calibration and reproduce lines."""

from dash import Input, Output, html

from dashboard.shared import ids
from dashboard.shared.confusion_cells import register_view, run_calibration
from dashboard.shared.figures import confusion_matrix_figure, empty_figure, reliability_figure
from dashboard.shared.formatting import plural, said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.runs_view import raw_images
from mnist_keras.errors import MnistKerasError
from mnist_keras.reproduce import command_line, python_snippet
from mnist_keras.runs import RunStatus, run_in

MAX_MISTAKES = 48


def _percent(value):
    return "–" if value is None else f"{100 * value:.1f}%"


def _summary(config, metrics, state, trial=None, taught=None):
    items = [f"status: {state.status}"]
    if metrics:
        items += [f"test accuracy {100 * metrics.test_accuracy:.2f}%",
                  f"loss {metrics.test_loss:.4f}",
                  f"{metrics.num_params:,} parameters",
                  f"{metrics.train_seconds:.1f} s" if metrics.train_seconds is not None
                  else "uploaded",
                  plural(metrics.epochs_done, "epoch")]
    if config and config.training:
        training = config.training
        items.append(f"model {config.model_label}, {training.train_size:,} training / "
                     f"{training.test_size:,} test images, batch {training.batch_size}, "
                     f"lr {training.learning_rate:.2g}, {training.optimizer}")
    elif config:
        items.append(f"model uploaded ({config.source_file})")
    if metrics and metrics.parent_run:
        items.append(f"pruned from {metrics.parent_run}: "
                     f"{100 * metrics.sparsity.sparsity:.1f}% of the kernels zero, "
                     f"{metrics.nonzero_params:,} parameters non-zero"
                     if metrics.sparsity else f"fine-tuned from {metrics.parent_run}")
    if metrics and metrics.best_epoch:
        best = metrics.best_epoch
        items.append(f"best epoch {best.epoch}: {best.monitor} {best.value:.4f}")
    if metrics and metrics.stopped_early:
        items.append({"pruned": "stopped early by the sweep's pruner",
                      "early_stopping": "stopped early: no validation improvement"}.get(
                          metrics.stopped_early, f"stopped early: {metrics.stopped_early}"))
    if trial:
        items.append(f"trial {trial.trial} of sweep {trial.study}: {trial.state}")
    if taught:
        items.append(f"taught {taught.dataset or 'your digits'} ({len(taught.trained_on)} "
                     f"samples): your held-out digits {_percent(taught.before.held_out)} → "
                     f"{_percent(taught.after.held_out)}, MNIST {_percent(taught.before.mnist)} "
                     f"→ {_percent(taught.after.mnist)}")
    if config and config.read_only:
        items.append("ships with mnist-keras (read-only: prune or teach it into a run of "
                     "your own)")
    if state.status is RunStatus.FAILED:
        items.append(f"error: {state.error}")
    return [html.Span(item, className="chip") for item in items]


def mistakes_gallery(metrics, config, limit=MAX_MISTAKES):
    """Image tiles of misclassified test digits: true -> predicted (confidence)."""
    mistakes = metrics.misclassified if metrics else ()
    if not mistakes:
        return html.Div("No misclassified digits." if metrics else "")
    try:
        _, _, test_images, _ = raw_images(config.data_dir if config else None,
                                          metrics.dataset)
    except MnistKerasError as error:
        return html.Div(f"Test images unavailable: {said(error)}")
    names = metrics.class_names
    tiles = []
    for mistake in sorted(mistakes, key=lambda m: -m.confidence)[:limit]:
        tiles.append(html.Figure(className="tile mistake", children=[
            html.Img(src=digit_data_uri(test_images[mistake.index]),
                     alt=f"test digit {mistake.index}"),
            html.Figcaption(f"{names[mistake.label]} → {names[mistake.predicted]} "
                            f"({100 * mistake.confidence:.0f}%)"),
        ]))
    note = f"{len(mistakes)} misclassified; the {len(tiles)} most confident mistakes shown."
    return [html.Div(note, className="hint"), html.Div(tiles, className="tiles")]


def per_class_rows(metrics):
    """The per-class table's rows, labelled with the class names."""
    return [{"label": metrics.class_names[row.label], "precision": f"{row.precision:.4f}",
             "recall": f"{row.recall:.4f}", "f1": f"{row.f1:.4f}", "support": row.support}
            for row in metrics.per_class]


def register(app, jobs, runs_dir):
    register_view(app, runs_dir, ids.VIEW_RESULTS, Input(ids.CONFUSION_GRAPH, "clickData"),
                  Input(ids.RUN_SELECT, "value"))

    @app.callback(
        Output(ids.CALIBRATION_GRAPH, "figure"),
        Input(ids.RUN_SELECT, "value"), Input(ids.RESULTS_KEY, "data"),
    )
    def show_calibration(name, _key):
        return calibration_figure(runs_dir, name)

    @app.callback(
        Output(ids.RUN_PYTHON, "children"), Output(ids.RUN_COMMAND, "children"),
        Input(ids.RUN_SELECT, "value"), Input(ids.RESULTS_KEY, "data"),
    )
    def reproduce_run(name, _key):
        if not name:
            return "Select a run.", ""
        return run_lines(runs_dir, name)

    @app.callback(
        output=dict(summary=Output(ids.RUN_SUMMARY, "children"),
                    matrix=Output(ids.CONFUSION_GRAPH, "figure"),
                    per_class=Output(ids.PER_CLASS_TABLE, "data"),
                    mistakes=Output(ids.MISTAKES, "children")),
        inputs=dict(_key=Input(ids.RESULTS_KEY, "data"), selected=Input(ids.RUN_SELECT, "value")),
    )
    def show_results(_key, selected):
        if not selected:
            return dict(summary=[], matrix=empty_figure("Select a run to see its results."),
                        per_class=[], mistakes=[])
        try:
            run = run_in(runs_dir, selected)
            config, metrics, trial = run.config(), run.metrics(), run.trial()
            taught = run.personalization()
        except MnistKerasError as error:
            return dict(summary=[], matrix=empty_figure(said(error)), per_class=[],
                        mistakes=[])
        state = run.state()
        if not metrics:
            message = {RunStatus.RUNNING: "Results appear when training ends.",
                       RunStatus.FAILED: "This run failed before it was evaluated."}
            return dict(summary=_summary(config, metrics, state, trial, taught),
                        matrix=empty_figure(message.get(state.status, "No results.")),
                        per_class=[], mistakes=[])
        title = f"Confusion matrix · accuracy {100 * metrics.test_accuracy:.2f}%"
        return dict(summary=_summary(config, metrics, state, trial, taught),
                    matrix=confusion_matrix_figure(metrics.confusion_matrix,
                                                           metrics.class_names, title),
                    per_class=per_class_rows(metrics), mistakes=mistakes_gallery(metrics, config))


def run_lines(runs_dir, name):
    """`(python, command)` that train run `name` again, or a sentence why not."""
    try:
        config = run_in(runs_dir, name).config()
    except MnistKerasError as error:  # a RunFormatError too
        return said(error), ""
    if config is None:
        return "The run is still starting.", ""
    if config.origin == "code":
        return ("Trained by its own code's model.fit (recorded): run that code again; the run "
                "keeps its settings and the model's summary, not the code.", "")
    if config.training is None:
        return ("An uploaded model was not trained here: there is nothing to reproduce.", "")
    again = f"runs/{name[:60]}-again"
    if config.code_model is not None:
        # The command line cannot build a model written in Python.
        return python_snippet(config.training, run_dir=again, code_model=config.code_model), ""
    return python_snippet(config.training, run_dir=again), command_line(config.training,
                                                                          run_dir=again)


def calibration_figure(runs_dir, name):
    """The reliability figure of run `name`, or a figure that says why there is none."""
    if not name:
        return empty_figure("Select a finished run to see its calibration.")
    try:
        report, computed = run_calibration(runs_dir, name)
    except MnistKerasError as error:
        return empty_figure(said(error))
    if report is None:
        return empty_figure("Calibration appears when the run is evaluated.")
    # Regression: an underconfident model was called "not overconfident".
    title = f"Calibration · ECE {100 * report.ece:.2f}% · {report.describe()}"
    if computed:
        title += " (computed now)"
    return reliability_figure({name: report}, title)
