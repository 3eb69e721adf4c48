"""The runs table and its actions: rename, delete (confirmed), download, upload, export, report."""

import contextlib
import os
import shlex

from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.panels.runs import actions
from dashboard.panels.runs.report import run_report
from dashboard.shared import ids
from dashboard.shared.exported_sites import site_url
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import one_ticked, raw_images, table_rows
from dashboard.shared.uploads import model_file
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in
from web_export import WEIGHT_NAMES, read_choice


def report_html(runs_dir, name):
    """The report of run `name` (with its architecture if its model loads)."""
    from dashboard.shared import loaded_models
    from mnist_keras.inspection import layer_summary

    run = run_in(runs_dir, name)
    layers = None
    with contextlib.suppress(MnistKerasError):  # an unreadable model: no architecture table
        layers = layer_summary(loaded_models.load(runs_dir, name).model)
    try:
        config = run.config()
        _, _, test_images, _ = raw_images(config.data_dir if config else None,
                                          config.dataset if config else "mnist")
    except MnistKerasError:
        test_images = None
    return run_report(run, layers=layers, test_images=test_images)


def _exported_format(name, result, page=False):
    """The Runs panel's message for an ONNX, LiteRT or SavedModel export (and the ONNX page)."""
    parity = result.parity
    files = ", ".join(f"{file} {size:,} bytes" for file, size in result.files.items())
    message = [f"Exported {name} to {result.out_dir} ({files}). Checked with "
               f"{result.info['runtime']} on {parity['images']:,} test digits: largest "
               f"difference from Keras {parity['max_abs_difference']:.2g}, same answer "
               f"{parity['argmax_agreement']:.2%}, accuracy {parity['accuracy']:.2%}. Use it "
               "with: ", html.Code(result.info["use_with"], id="export-use-with")]
    if page:
        message += [" ", html.A("Open its onnxruntime-web page",
                                href=site_url(name, os.path.basename(result.out_dir)),
                                target="_blank", id="exported-page-link"),
                    " (served by this dashboard)."]
    return message


def register(app, jobs, runs_dir):
    @app.callback(Output(ids.RUNS_TABLE, "data"), Output(ids.RUNS_TABLE, "tooltip_data"),
                  Input(ids.RUNS_KEY, "data"))
    def list_runs(_):
        rows = table_rows(jobs.index)
        # Long names are cut short in the table; the whole name shows on hover.
        tips = [{column: {"value": str(row.get(column) or ""), "type": "text"}
                 for column in ("name", "parent")} for row in rows]
        return rows, tips

    one_run_actions = (ids.RENAME, ids.DELETE, ids.DOWNLOAD, ids.REPORT, ids.RESUME,
                       ids.EXPORT_SITE, ids.SAVE_NOTES)

    @app.callback([Output(action, "disabled") for action in one_run_actions]
                  + [Output(action, "title") for action in one_run_actions],
                  Input(ids.RUNS_TABLE, "selected_rows"))
    def enable_one_run_actions(selected_rows):
        # They act on one ticked run: greyed out, saying why, until exactly one is.
        count = len(selected_rows) if isinstance(selected_rows, list) else 0
        why = "" if count == 1 else ("Tick a run in the table first" if count == 0
                                     else "Tick only one run")
        return [count != 1] * len(one_run_actions) + [why] * len(one_run_actions)

    @app.callback(
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Output(ids.RUN_SELECT, "value", allow_duplicate=True),
        Input(ids.RESUME, "n_clicks"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        prevent_initial_call=True,
    )
    def resume(_, rows, selected_rows):
        try:
            name = jobs.start_resume(one_ticked(rows, selected_rows, "resume"))
        except MnistKerasError as error:
            return f"Not resumed: {said(error)}", no_update
        # Training progress follows the resumed run.
        return f"Resumed {name} from its last finished epoch.", name

    @app.callback(
        Output(ids.CONFIRM_DELETE, "displayed"), Output(ids.CONFIRM_DELETE, "message"),
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Input(ids.DELETE, "n_clicks"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        prevent_initial_call=True,
    )
    def ask_before_deleting(_, rows, selected_rows):
        try:
            name = one_ticked(rows, selected_rows, "delete")
        except MnistKerasError as error:
            return False, no_update, said(error)
        return True, f"Delete run {name} and all its files? This cannot be undone.", ""

    @app.callback(
        output=dict(message=Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
                    selected_rows=Output(ids.RUNS_TABLE, "selected_rows", allow_duplicate=True),
                    rows=Output(ids.RUNS_TABLE, "data", allow_duplicate=True)),
        inputs=dict(_confirmed=Input(ids.CONFIRM_DELETE, "submit_n_clicks"),
                    _renamed=Input(ids.RENAME, "n_clicks"), rows=State(ids.RUNS_TABLE, "data"),
                    selected_rows=State(ids.RUNS_TABLE, "selected_rows"),
                    new_name=State(ids.RENAME_TO, "value")),
        prevent_initial_call=True,
    )
    def change_run(_confirmed, _renamed, rows, selected_rows, new_name):
        try:
            if ctx.triggered_id == ids.CONFIRM_DELETE:
                name = one_ticked(rows, selected_rows, "delete")
                actions.delete_run(runs_dir, name)
                message = f"Deleted {name}."
            else:
                name = one_ticked(rows, selected_rows, "rename")
                new_name = actions.rename_run(runs_dir, name, new_name)
                message = f"Renamed {name} to {new_name}."
        except (MnistKerasError, OSError) as error:
            return dict(message=said(error), selected_rows=no_update, rows=no_update)
        return dict(message=message, selected_rows=[], rows=table_rows(jobs.index))

    @app.callback(
        Output(ids.DOWNLOAD_FILE, "data"),
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Input(ids.DOWNLOAD, "n_clicks"), Input(ids.REPORT, "n_clicks"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        prevent_initial_call=True,
    )
    def download(_, __, rows, selected_rows):
        try:
            if ctx.triggered_id == ids.REPORT:
                name = one_ticked(rows, selected_rows, "report on")
                return (dcc.send_string(report_html(runs_dir, name), f"{name}-report.html"),
                        f"Report of {name} downloaded.")
            name = one_ticked(rows, selected_rows, "download")
            return dcc.send_file(model_file(runs_dir, name),
                                 filename=f"{name}.keras"), f"{name}.keras downloaded."
        except MnistKerasError as error:
            return no_update, said(error)

    @app.callback(
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Input(ids.EXPORT_SITE, "n_clicks"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        State(ids.EXPORT_QUANTIZE, "value"),
        prevent_initial_call=True,
        running=[(Output(ids.EXPORT_SITE, "disabled"), True, False),
                 (Output(ids.EXPORT_BUSY, "children"),
                  "Exporting… (the first export loads the converter: about 10 s)", "")],
    )
    def export_site(_, rows, selected_rows, choice):
        try:
            name = one_ticked(rows, selected_rows, "export")
            format_name, quantize, page = read_choice(choice)
            if format_name != "tfjs":
                return _exported_format(name, actions.export_run_format(
                    runs_dir, name, format_name, quantize, page), page)
            result = actions.export_run_site(runs_dir, name, quantize)
        except MnistKerasError as error:
            return said(error)
        return [f"Exported {name} to {result.out_dir} ({result.weight_bytes:,} bytes of "
                f"{WEIGHT_NAMES[quantize]} weights). ",
                html.A("Open the exported page", href=site_url(name), target="_blank",
                       id="exported-page-link"),
                f" (served by this dashboard), or serve the folder anywhere with: "
                f"python3 -m http.server -d {shlex.quote(result.out_dir)}"]

    @app.callback(
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Output(ids.UPLOAD, "contents"),
        Input(ids.UPLOAD, "contents"), State(ids.UPLOAD, "filename"),
        prevent_initial_call=True,
        running=[(Output(ids.UPLOAD, "disabled"), True, False)],
    )
    def upload(contents, filename):
        if not contents:
            return no_update, no_update
        try:
            name = actions.import_uploaded_model(runs_dir, contents, filename)
        except MnistKerasError as error:
            return f"Not added: {said(error)}", None
        return f"Added {filename} as run {name}.", None
