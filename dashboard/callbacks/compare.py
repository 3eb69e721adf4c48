"""Compare the ticked runs: curves overlaid, settings and metrics side by side."""

import os

from dash import Input, Output, State, dcc, html

from dashboard import figures, ids
from dashboard.callbacks.drawing import mnist_test_results
from dashboard.callbacks.runs import ticked
from mnist_keras.runs import Run

MAX_COMPARED = 4
COMPARED_DIGITS = 20
_METRICS = ("test_accuracy", "test_loss", "num_params", "nonzero_params", "train_seconds",
            "epochs_done", "parent_run")


def _value(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def comparison_rows(runs):
    """Rows `{setting, run1, run2, ...}` of every config and metric, and which differ.

    Args:
        runs: `[(name, config, metrics)]`.

    Returns:
        `(rows, differing)`: the table rows and the indices of rows whose
        values are not all the same.
    """
    keys = sorted({key for _, config, _ in runs for key in config})
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


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.COMPARE_CURVES, "figure"), Output(ids.COMPARE_TABLE, "data"),
        Output(ids.COMPARE_TABLE, "columns"), Output(ids.COMPARE_TABLE,
                                                     "style_data_conditional"),
        Output(ids.COMPARE_MATRICES, "children"), Output(ids.COMPARE_DIGITS, "children"),
        Input(ids.RUNS_TABLE, "selected_rows"), Input(ids.RESULTS_KEY, "data"),
        State(ids.RUNS_TABLE, "data"),
    )
    def compare(selected_rows, _, rows):
        names = ticked(rows, selected_rows)[:MAX_COMPARED]
        if len(names) < 2:
            return (figures.empty_figure("Tick two or more runs to compare them."), [], [], [],
                    [], [])
        runs = []
        for name in names:
            run = Run(os.path.join(runs_dir, name))
            runs.append((name, run.read_json("config.json") or {},
                         run.read_json("metrics.json") or {}, run.read_json("history.json")
                         or {}))
        table, differing = comparison_rows([(n, c, m) for n, c, m, _ in runs])
        columns = [{"name": "", "id": "setting"}] + [{"name": n, "id": n} for n in names]
        highlight = [{"if": {"row_index": i}, "backgroundColor": "#fef3c7",
                      "fontWeight": "600"} for i in differing]
        matrices = []
        for name, _, metrics, _ in runs:
            if metrics.get("confusion_matrix"):
                class_names = metrics.get("class_names") or [str(d) for d in range(10)]
                figure = figures.confusion_matrix_figure(
                    metrics["confusion_matrix"], class_names,
                    f"{name} · {100 * metrics['test_accuracy']:.2f}%")
                figure["layout"]["height"] = 360
                matrices.append(html.Div(dcc.Graph(figure=figure,
                                                   config={"displayModeBar": False})))
        digits = [html.H4(f"The same {COMPARED_DIGITS} test digits, predicted by each")]
        digits += mnist_test_results(runs_dir, names, COMPARED_DIGITS, seed=0,
                                     limit=MAX_COMPARED)
        curves = figures.comparison_figure({name: history.get("epochs", [])
                                            for name, _, _, history in runs})
        return curves, table, columns, highlight, matrices, digits
