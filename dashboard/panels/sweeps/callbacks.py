"""The Sweeps panel: start and stop a sweep, follow its trials, figures, CSV, open trials' runs.

The panel polls the chosen study every two seconds (its own interval: a
database read, slower than the runs folder's index); the figures are rebuilt
only when a trial finishes.
"""

import re

from dash import Input, Output, State, ctx, dcc, no_update

from dashboard.panels.sweeps.figures import (
    finished_key,
    history_figure,
    importance_figure,
    parallel_coordinates_figure,
    parallel_min_width,
)
from dashboard.panels.sweeps.layout import TRIAL_COLUMNS
from dashboard.panels.sweeps.views import rows_to_space
from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import run_options, table_rows
from dashboard.shared.training_form import FORM_STATES, build_config
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import run_in
from mnist_keras.sweeps import trial_rows, trials_csv
from mnist_keras.sweeps.space import CHOICE_SETTINGS

# The Draw a digit panel shows this many models side by side.
MAX_OPENED_FOR_DRAWING = 3


def _shown(value):
    if isinstance(value, float):
        return float(f"{value:.4g}")
    return value


def display_rows(rows):
    """Trial rows for the table: numbers rounded for reading (the CSV keeps them whole)."""
    return [{key: _shown(value) for key, value in row.items()} for row in rows]


def table_columns(rows, base_columns):
    """The table's columns: the fixed ones, then one per searched setting."""
    params = sorted({key for row in rows for key in row if key.startswith("param:")})
    return [{"name": name, "id": key} for key, name in base_columns] + \
        [{"name": key[len("param:"):], "id": key} for key in params]


def progress_text(study, trials):
    """`5 of 8 finished (4 complete, 1 pruned) · 1 running · 0 failed · best 0.9712 (trial 3)`."""
    counts = {}
    for trial in trials:
        counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
    finished = counts.get("COMPLETE", 0) + counts.get("PRUNED", 0)
    target = study.user_attrs.get("mnist_keras_trials")
    text = (f"{study.study_name}: {finished}{f' of {target}' if target else ''} finished "
            f"({counts.get('COMPLETE', 0)} complete, {counts.get('PRUNED', 0)} pruned) · "
            f"{counts.get('RUNNING', 0)} running · {counts.get('WAITING', 0)} waiting · "
            f"{counts.get('FAIL', 0)} failed")
    completed = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    if completed:
        best = max(completed, key=lambda t: t.value)
        text += f" · best val_accuracy {best.value:.4f} (trial {best.number})"
    return text


def sweep_config(settings):
    """The Train panel's values -> the sweep's fixed `TrainingConfig` (a named model only)."""
    config, spec = build_config(**settings)
    if spec is not None:
        raise expected("a named model to sweep (a custom layer table is trained one run at a "
                       "time)", model="custom")
    return config


# The start message, as `start_sweep` words it.
SWEEP_STARTED = re.compile(r"Started (.+?): \d+ trials, ")


def ended_message(message, running):
    """What replaces the "Started ..." message once that sweep has ended; else no change.

    >>> ended_message("Started s (study s): 4 trials, 1 worker(s). The first ...", None)
    's (study s) has ended; its trials are in the table below.'
    """
    match = SWEEP_STARTED.match(message) if isinstance(message, str) else None
    if not match or running is not None:
        return no_update
    return f"{match.group(1)} has ended; its trials are in the table below."


def register(app, jobs, runs_dir):
    browser = app.sweeps  # the app's SweepBrowser: its storages, opened once

    @app.callback(Output(ids.SWEEP_STORAGE, "options"), Input(ids.SWEEP_STORAGE, "id"))
    def list_storages(_):
        return browser.choices()

    @app.callback(Output(ids.SWEEP_SPACE, "data"), Input(ids.SWEEP_ADD_SETTING, "n_clicks"),
                  State(ids.SWEEP_SPACE, "data"), prevent_initial_call=True)
    def add_setting(_, rows):
        used = {row.get("setting") for row in rows or []}
        free = next((s for s in CHOICE_SETTINGS if s not in used), None)
        return (rows or []) + [{"setting": free, "low": None, "high": None, "scale": "linear",
                                "choices": None}]

    @app.callback(Output(ids.SWEEP_SPACE_MESSAGE, "children"),
                  Output(ids.SWEEP_SPACE_MESSAGE, "className"), Input(ids.SWEEP_SPACE, "data"))
    def check_space(rows):
        try:
            space = rows_to_space(rows)
        except MnistKerasError as error:
            return said(error), "spec-message error"
        return f"Valid: the sweep varies {', '.join(space.names())}.", "spec-message ok"

    @app.callback(
        output=dict(message=Output(ids.SWEEP_MESSAGE, "children"),
                    study=Output(ids.SWEEP_STUDY, "value"),
                    studies=Output(ids.SWEEP_STUDY, "options", allow_duplicate=True)),
        inputs=dict(_clicks=Input(ids.SWEEP_START, "n_clicks"),
                    rows=State(ids.SWEEP_SPACE, "data"), name=State(ids.SWEEP_NAME, "value"),
                    trials=State(ids.SWEEP_TRIALS, "value"),
                    workers=State(ids.SWEEP_WORKERS, "value"),
                    pruner=State(ids.SWEEP_PRUNER, "value"),
                    storage=State(ids.SWEEP_STORAGE, "value"), settings=FORM_STATES),
        prevent_initial_call=True,
    )
    def start_sweep(_clicks, rows, name, trials, workers, pruner, storage, settings):
        try:
            url = browser.url(storage)
            config = sweep_config(settings)
            space = rows_to_space(rows)
            label = jobs.start_sweep(name, config, space, trials, workers=workers,
                                     storage=url, pruner=pruner)
            studies = sorted(set(browser.studies(storage)) | {name})
        except MnistKerasError as error:
            return dict(message=f"Not started: {said(error)}", study=no_update, studies=no_update)
        return dict(message=f"Started {label}: {trials} trials, {workers} worker(s). The first "
                            "trial appears once its worker has loaded TensorFlow.",
                    study=name, studies=[{"label": s, "value": s} for s in studies])

    @app.callback(Output(ids.SWEEP_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.SWEEP_STOP, "n_clicks"), prevent_initial_call=True)
    def stop_sweep(_):
        label = jobs.stop_sweep()
        if label is None:
            return "No sweep started here is running."
        return f"Stopping {label} after the current batch; its trials' runs are kept."

    @app.callback(
        output=dict(studies=Output(ids.SWEEP_STUDY, "options"),
                    study=Output(ids.SWEEP_STUDY, "value", allow_duplicate=True),
                    rows=Output(ids.SWEEP_TABLE, "data"),
                    columns=Output(ids.SWEEP_TABLE, "columns"),
                    ticked=Output(ids.SWEEP_TABLE, "selected_rows"),
                    progress=Output(ids.SWEEP_PROGRESS, "children"),
                    key=Output(ids.SWEEP_KEY, "data"),
                    start_disabled=Output(ids.SWEEP_START, "disabled"),
                    stop_disabled=Output(ids.SWEEP_STOP, "disabled"),
                    message=Output(ids.SWEEP_MESSAGE, "children", allow_duplicate=True)),
        inputs=dict(_tick=Input(ids.SWEEP_POLL, "n_intervals"),
                    storage=Input(ids.SWEEP_STORAGE, "value"),
                    study=Input(ids.SWEEP_STUDY, "value"), key=State(ids.SWEEP_KEY, "data"),
                    message=State(ids.SWEEP_MESSAGE, "children")),
        prevent_initial_call="initial_duplicate",
    )
    def follow_study(_tick, storage, study, key, message):
        running = jobs.sweep()
        # Ticks belong to one study's rows: another study or storage clears them.
        switched = ctx.triggered_id in (ids.SWEEP_STUDY, ids.SWEEP_STORAGE)
        outputs = dict(studies=no_update, study=no_update, rows=no_update, columns=no_update,
                       ticked=[] if switched else no_update, progress=no_update,
                       key=no_update, start_disabled=running is not None,
                       stop_disabled=running is None, message=ended_message(message, running))
        try:
            names = browser.studies(storage)
        except MnistKerasError as error:
            return {**outputs, "progress": said(error)}
        if study and study not in names:
            names = sorted({*names, study})  # just started: its workers create it
        outputs["studies"] = [{"label": name, "value": name} for name in names]
        if not study:
            if not names:
                return outputs
            study = running.study if running and running.study in names else names[-1]
            outputs["study"] = study
        try:
            handle = browser.study(storage, study)
        except MnistKerasError:
            return {**outputs, "progress": f"{study}: waiting for its first worker…",
                    "rows": [], "key": None if key else no_update}
        trials = handle.get_trials(deepcopy=False)
        rows = trial_rows(trials)
        new_key = f"{storage}|{study}|{finished_key(trials)}"
        return {**outputs, "rows": display_rows(rows),
                "columns": table_columns(rows, TRIAL_COLUMNS),
                "progress": progress_text(handle, trials),
                "key": new_key if new_key != key else no_update}

    @app.callback(
        output=dict(parallel=Output(ids.SWEEP_PARALLEL, "figure"),
                    parallel_style=Output(ids.SWEEP_PARALLEL, "style"),
                    importance=Output(ids.SWEEP_IMPORTANCE, "figure"),
                    history=Output(ids.SWEEP_HISTORY, "figure")),
        inputs=dict(key=Input(ids.SWEEP_KEY, "data"), storage=State(ids.SWEEP_STORAGE, "value"),
                    study=State(ids.SWEEP_STUDY, "value")),
        prevent_initial_call=True,
    )
    def draw_figures(key, storage, study):
        unchanged = dict(parallel=no_update, parallel_style=no_update, importance=no_update,
                         history=no_update)
        if not key or not study:
            return unchanged
        try:
            trials = browser.study(storage, study).get_trials()
        except MnistKerasError:
            return unchanged
        parallel = parallel_coordinates_figure(trials)
        return dict(parallel=parallel,
                    parallel_style={"minWidth": f"{parallel_min_width(parallel)}px"},
                    importance=importance_figure(trials),
                    history=history_figure(trials))

    @app.callback(
        Output(ids.SWEEP_CSV_FILE, "data"),
        Output(ids.SWEEP_OPEN_MESSAGE, "children", allow_duplicate=True),
        Input(ids.SWEEP_CSV, "n_clicks"), State(ids.SWEEP_STORAGE, "value"),
        State(ids.SWEEP_STUDY, "value"), prevent_initial_call=True)
    def download_csv(_, storage, study):
        try:
            trials = browser.study(storage, study).get_trials(deepcopy=False)
        except MnistKerasError as error:
            return no_update, said(error)
        return (dcc.send_string(trials_csv(trial_rows(trials)), f"{study}-trials.csv"),
                f"{len(trials)} trials of {study} downloaded as CSV.")

    @app.callback(
        output=dict(message=Output(ids.SWEEP_OPEN_MESSAGE, "children"),
                    run_options=Output(ids.RUN_SELECT, "options", allow_duplicate=True),
                    run=Output(ids.RUN_SELECT, "value", allow_duplicate=True),
                    runs_rows=Output(ids.RUNS_TABLE, "data", allow_duplicate=True),
                    ticked=Output(ids.RUNS_TABLE, "selected_rows", allow_duplicate=True),
                    drawing=Output(ids.PREDICT_RUNS, "value", allow_duplicate=True)),
        inputs=dict(selected=Input(ids.SWEEP_TABLE, "selected_rows"),
                    rows=State(ids.SWEEP_TABLE, "data")),
        prevent_initial_call=True,
    )
    def open_trials(selected, rows):
        unchanged = dict(message=no_update, run_options=no_update, run=no_update,
                         runs_rows=no_update, ticked=no_update, drawing=no_update)
        if ctx.triggered_id != ids.SWEEP_TABLE or not selected:
            return unchanged
        names, missing = [], []
        for index in selected:
            if not 0 <= index < len(rows or []):
                continue
            row = rows[index]
            try:
                run_in(runs_dir, row.get("run"))
                names.append(row["run"])
            except MnistKerasError:
                missing.append(f"trial {row.get('trial')}")
        if not names:
            return {**unchanged, "message": f"No run here for {', '.join(missing)} (not "
                                            "started, or trained on another machine)."}
        table = table_rows(jobs.index)
        positions = {row["name"]: i for i, row in enumerate(table)}
        finished = {summary.name for summary in jobs.index.refresh() if summary.has_model}
        message = f"Opened {', '.join(names)}."
        if missing:
            message += f" No run here for {', '.join(missing)}."
        return dict(message=message, run_options=run_options(jobs.index), run=names[-1],
                    runs_rows=table, ticked=[positions[n] for n in names if n in positions],
                    drawing=[n for n in names if n in finished][:MAX_OPENED_FOR_DRAWING])
