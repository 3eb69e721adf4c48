"""Compare the ticked runs: curves overlaid, settings and metrics side by side, their
confusion cells and calibration."""

from dash import Input, Output, State, dcc, html

from dashboard.panels.runs.ensemble import ensemble_rows
from dashboard.panels.runs.figures import comparison_figure
from dashboard.shared import ids
from dashboard.shared.confusion_cells import read_run, register_view, run_calibration
from dashboard.shared.figures import confusion_matrix_figure, empty_figure, reliability_figure
from dashboard.shared.formatting import said
from dashboard.shared.limits import MAX_COMPARED
from dashboard.shared.runs_view import ticked
from dashboard.shared.test_digits import mnist_test_results
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in
from mnist_keras.settings import names_in

COMPARED_DIGITS = 20
# Settings of a pruning run, shown only when a compared run was pruned.
PRUNING_SETTINGS = (*names_in("pruning"), *names_in("record"))
_METRICS = ("test_accuracy", "test_loss", "num_params", "nonzero_params", "train_seconds",
            "epochs_done", "parent_run")


def _value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def headline(metrics):
    """The metrics a comparison shows, as a dict (empty without metrics)."""
    return {key: getattr(metrics, key) for key in _METRICS} if metrics else {}


def comparison_rows(runs):
    """Rows `{setting, run1, run2, ...}` of every config and metric, and which differ.

    Args:
        runs: `[(name, settings, metrics)]`, settings and metrics as dicts
            (`RunConfig.settings()`, `headline(RunMetrics)`).

    Returns:
        `(rows, differing)`: the table rows and the indices of rows whose
        values are not all the same.
    """
    keys = sorted({key for _, config, _ in runs for key in config})
    if not any(config.get("parent_model") for _, config, _ in runs):
        # No compared run was pruned: its pruning settings are defaults, not news.
        keys = [key for key in keys if key not in PRUNING_SETTINGS]
    rows, differing = [], []
    for section, key, source in ([("metric", k, 2) for k in _METRICS]
                                 + [("setting", k, 1) for k in keys]):
        values = [_value(run[source].get(key)) for run in runs]
        if not any(values):
            continue
        if len(set(values)) > 1:
            differing.append(len(rows))
        rows.append({"setting": f"{key}", "kind": section,
                     **{name: value for (name, _, _), value in zip(runs, values)}})
    return rows, differing


def _compared_run(runs_dir, name):
    try:
        run = run_in(runs_dir, name)
        return name, run.config(), run.metrics(), run.history()
    except MnistKerasError:
        return name, None, None, None


def register(app, jobs, runs_dir):
    @app.callback(
        output=dict(curves=Output(ids.COMPARE_CURVES, "figure"),
                    table=Output(ids.COMPARE_TABLE, "data"),
                    columns=Output(ids.COMPARE_TABLE, "columns"),
                    highlight=Output(ids.COMPARE_TABLE, "style_data_conditional"),
                    matrices=Output(ids.COMPARE_MATRICES, "children"),
                    digits=Output(ids.COMPARE_DIGITS, "children")),
        inputs=dict(selected_rows=Input(ids.RUNS_TABLE, "selected_rows"),
                    _key=Input(ids.RESULTS_KEY, "data"), rows=State(ids.RUNS_TABLE, "data")),
    )
    def compare(selected_rows, _key, rows):
        names = ticked(rows, selected_rows)[:MAX_COMPARED]
        if len(names) < 2:
            return dict(curves=empty_figure("Tick two or more runs to compare them."),
                        table=[], columns=[], highlight=[], matrices=[], digits=[])
        runs = [_compared_run(runs_dir, name) for name in names]
        table, differing = comparison_rows(
            [(name, config.settings() if config else {}, headline(metrics))
             for name, config, metrics, _ in runs])
        columns = [{"name": "", "id": "setting"}] + [{"name": n, "id": n} for n in names]
        # Dark text on the cream, in both themes (the dark theme's light text on
        # cream was unreadable).
        highlight = [{"if": {"row_index": i}, "backgroundColor": "#fef3c7", "color": "#111827",
                      "fontWeight": "600"} for i in differing]
        matrices = []
        for name, _, metrics, _ in runs:
            if metrics:
                figure = confusion_matrix_figure(
                    metrics.confusion_matrix, metrics.class_names,
                    f"{name} · {100 * metrics.test_accuracy:.2f}%")
                figure["layout"]["height"] = 360
                matrices.append(html.Div(dcc.Graph(figure=figure,
                                                   config={"displayModeBar": False})))
        digits = [html.H4(f"The same {COMPARED_DIGITS} test digits, predicted by each")]
        digits += mnist_test_results(runs_dir, names, COMPARED_DIGITS, seed=0,
                                     limit=MAX_COMPARED)
        curves = comparison_figure({name: list(history.epochs) if history else []
                                            for name, _, _, history in runs})
        return dict(curves=curves, table=table, columns=columns, highlight=highlight,
                    matrices=matrices, digits=digits)

    @app.callback(
        Output(ids.ENSEMBLE_RESULT, "children"),
        Input(ids.ENSEMBLE_START, "n_clicks"),
        State(ids.ENSEMBLE_TTA, "value"), State(ids.RUNS_TABLE, "data"),
        State(ids.RUNS_TABLE, "selected_rows"),
        prevent_initial_call=True,
        running=[(Output(ids.ENSEMBLE_START, "disabled"), True, False)],
    )
    def evaluate_ensemble(_, tta, rows, selected_rows):
        training = jobs.running()
        if training:
            # Both would share the cores and each run at half speed, as two jobs would.
            return html.Div(f"Wait until {training} has finished training (or cancel it).",
                            className="job-message")
        try:
            results, images = ensemble_rows(runs_dir, ticked(rows, selected_rows), bool(tta))
        except MnistKerasError as error:
            return html.Div(said(error), className="job-message")
        header = html.Tr([html.Th("model"), html.Th("test accuracy"), html.Th("mistakes")])
        body = [html.Tr([html.Td(row["model"]), html.Td(f"{100 * row['accuracy']:.2f}%"),
                         html.Td(f"{row['mistakes']:,}")],
                        className="ensemble-total" if i == len(results) - 1 else None)
                for i, row in enumerate(results)]
        return [html.Table([html.Thead(header), html.Tbody(body)], className="ensemble-table"),
                html.Div(f"On the {images:,} test images"
                         f"{', each averaged over 5 shifts' if tta else ''}.", className="hint")]

    register_view(app, runs_dir, ids.VIEW_COMPARE, Input(ids.COMPARE_CELL_MATRIX, "clickData"),
                  Input(ids.COMPARE_CELL_RUN, "value"))

    @app.callback(
        output=dict(options=Output(ids.COMPARE_CELL_RUN, "options"),
                    value=Output(ids.COMPARE_CELL_RUN, "value"),
                    calibration=Output(ids.COMPARE_CALIBRATION, "figure")),
        inputs=dict(selected_rows=Input(ids.RUNS_TABLE, "selected_rows"),
                    _key=Input(ids.RESULTS_KEY, "data"),
                    rows=State(ids.RUNS_TABLE, "data"),
                    current=State(ids.COMPARE_CELL_RUN, "value")),
    )
    def compare_runs(selected_rows, _key, rows, current):
        names = ticked(rows, selected_rows)[:MAX_COMPARED]
        if not names:
            return dict(options=[], value=None, calibration=empty_figure(
                "Tick runs to compare their calibration."))
        reports = {}
        for name in names:
            try:
                report, _ = run_calibration(runs_dir, name)
            except MnistKerasError:
                continue
            if report is not None:
                reports[name] = report
        calibration = (reliability_figure(reports, "Calibration compared")
                       if reports else empty_figure("No finished run ticked."))
        value = current if current in names else names[0]
        return dict(options=[{"label": n, "value": n} for n in names], value=value,
                    calibration=calibration)

    @app.callback(
        Output(ids.COMPARE_CELL_MATRIX, "figure"),
        Input(ids.COMPARE_CELL_RUN, "value"), Input(ids.RESULTS_KEY, "data"),
    )
    def compare_matrix(name, _key):
        if not name:
            return empty_figure("Tick runs to compare their mistakes.")
        try:
            _, _, metrics = read_run(runs_dir, name)
        except MnistKerasError as error:
            return empty_figure(said(error))
        if metrics is None:
            return empty_figure("No results yet.")
        return confusion_matrix_figure(
            metrics.confusion_matrix, metrics.class_names,
            f"{name} · click a cell to see its digits")
