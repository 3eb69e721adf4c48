"""Live view: every poll reads what the selected run appended and extends the charts.

Charts are replaced whole only when the selection changes (or the page loads);
after that each poll sends just the new points with `extendData`. The read
position in events.jsonl lives in the LIVE_STATE store, so a reopened tab
starts from 0 and gets the run's full history first.
"""

import os
import time

from dash import Input, Output, State, no_update

from dashboard.panels.progress.figures import (
    batch_extension,
    batch_figure,
    epoch_extension,
    epoch_figure,
    epoch_time_extension,
    epoch_time_figure,
)
from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import run_options
from dashboard.shared.training_form import BUSY_CONTROLS, CHECKLISTS, checklist_options
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import RunStatus, run_in
from mnist_keras.sinks import read_jsonl, subsample

# A page opened on a long run gets at most this many batch points at once
# (evenly spaced); polling then appends every new batch.
MAX_INITIAL_BATCH_POINTS = 5_000


def _clock(seconds):
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def progress(records_so_far, status):
    """Progress bar width (percent) and tqdm-style text for a run's state.

    Args:
        records_so_far: dict with the run's `start` record and its last
            `batch` and `epoch` records (any may be missing).
        status: the run's `RunState`.
    """
    state = status.status
    start, last = records_so_far.get("start"), records_so_far.get("batch")
    if state is RunStatus.RUNNING and not start:
        return 0, "starting: loading TensorFlow and the data…"
    if not start:
        error = f": {said(status.error).rstrip('.')}" if state is RunStatus.FAILED else ""
        return 0, f"{state}{error}."
    epochs, steps = start.get("epochs") or 1, start.get("steps_per_epoch") or 1
    total = epochs * steps
    done = last["step"] if last else 0
    percent = 100 * done / total
    end = time.time() if state is RunStatus.RUNNING else (status.updated or start["time"])
    elapsed = end - start["time"]
    epoch_now, batch_now = (last["epoch"], last["batch"]) if last else (1, 0)
    text = (f"epoch {epoch_now}/{epochs} · batch {batch_now}/{steps} · {done}/{total} batches "
            f"({percent:.0f}%) · elapsed {_clock(elapsed)}")
    if state is RunStatus.RUNNING and done:
        text += f" · ETA {_clock(elapsed / done * (total - done))}"
    epoch = records_so_far.get("epoch")
    if epoch and "val_accuracy" in epoch:
        text += f" · val_accuracy {epoch['val_accuracy']:.4f}"
    if state is not RunStatus.RUNNING:
        text += f" · {state}"
        if state is RunStatus.FAILED:
            text += f": {status.error or 'unknown error'}"
        percent = 100 if state is RunStatus.COMPLETED else percent
    return percent, text


def _waiting(run_state, what="batch"):
    """What an empty chart says: the run is starting, or has no such records."""
    if run_state.status is RunStatus.RUNNING:
        return f"Waiting for the first {what}…"
    return f"This run recorded no {what}es." if what == "batch" else f"No {what}s recorded."


def _status_changed(run):
    """When the run's status.json last changed (a finished run is only re-read after that).

    Text, not a number: the page's store holds numbers as JavaScript doubles, which
    cannot keep a time in nanoseconds; a number that came back rounded never matched,
    and every poll read the whole run again.
    """
    try:
        return str(os.stat(run.file("status.json")).st_mtime_ns)
    except OSError:
        return None


def _last_of_each_kind(records, into):
    for record in records:
        into[record["type"]] = record
    return into


def register(app, jobs, runs_dir):
    @app.callback(
        output=dict(
            batch_figure=Output(ids.BATCH_GRAPH, "figure"),
            batch_points=Output(ids.BATCH_GRAPH, "extendData"),
            epoch_figure=Output(ids.EPOCH_GRAPH, "figure"),
            epoch_points=Output(ids.EPOCH_GRAPH, "extendData"),
            time_figure=Output(ids.EPOCH_TIME_GRAPH, "figure"),
            time_points=Output(ids.EPOCH_TIME_GRAPH, "extendData"),
            bar=Output(ids.PROGRESS_BAR, "style"), text=Output(ids.PROGRESS_TEXT, "children"),
            state=Output(ids.LIVE_STATE, "data"), results_key=Output(ids.RESULTS_KEY, "data")),
        inputs=dict(_tick=Input(ids.POLL, "n_intervals"),
                    selected=Input(ids.RUN_SELECT, "value"), state=State(ids.LIVE_STATE, "data")),
    )
    def poll(_tick, selected, state):
        state = state or {}
        outputs = dict.fromkeys(("batch_figure", "batch_points", "epoch_figure", "epoch_points",
                                 "time_figure", "time_points", "bar", "text", "state",
                                 "results_key"), no_update)
        if not selected:
            return outputs
        try:
            run = run_in(runs_dir, selected)
        except MnistKerasError as error:
            return {**outputs, "text": said(error)}
        if state.get("run") == selected and state.get("done"):
            if _status_changed(run) == state.get("status_changed"):
                return outputs
            # The run changed since it ended (resumed): read it again from the start.
            state = {}
        status_changed = _status_changed(run)
        fresh = state.get("run") != selected
        offset = 0 if fresh else state.get("offset", 0)
        records, offset = read_jsonl(run.file("events.jsonl"), offset)
        run_state = run.state()
        last = _last_of_each_kind(records, dict(state.get("last", {})) if not fresh else {})
        percent, text = progress(last, run_state)
        done = run_state.status.is_final and records == [] and not fresh
        batches = [r for r in records if r["type"] == "batch"]
        epochs = [r for r in records if r["type"] == "epoch"]
        results_key = f"{selected}:{run_state.status.value}"
        seen = {"batches": 0, "epochs": 0} if fresh else dict(state.get("seen", {}))
        total = (last.get("start") or {}).get("epochs")
        # An empty chart hides its axes; the first points replace it whole, so
        # the axes appear with them (and with whole-epoch ticks for the run).
        if fresh or (batches and not seen.get("batches")):
            outputs["batch_figure"] = batch_figure(
                subsample(batches, MAX_INITIAL_BATCH_POINTS), empty_message=_waiting(run_state))
        elif batches:
            outputs["batch_points"] = batch_extension(batches)
        if fresh or (epochs and not seen.get("epochs")):
            message = _waiting(run_state, "epoch")
            outputs.update(epoch_figure=epoch_figure(epochs, total, message),
                           time_figure=epoch_time_figure(epochs, total, message))
        elif epochs:
            outputs["epoch_points"] = epoch_extension(epochs)
            outputs["time_points"] = epoch_time_extension(epochs)
        seen = {"batches": seen.get("batches", 0) + len(batches),
                "epochs": seen.get("epochs", 0) + len(epochs)}
        outputs.update(
            bar={"width": f"{percent:.1f}%"}, text=text,
            state={"run": selected, "offset": offset, "done": done, "last": last,
                   "results_key": results_key, "seen": seen, "status_changed": status_changed},
            results_key=results_key if results_key != state.get("results_key") else no_update)
        return outputs

    @app.callback(
        output=dict(
            disabled=[Output(control, "disabled") for control in BUSY_CONTROLS],
            switch_options=[Output(control, "options") for control in CHECKLISTS],
            cancel_disabled=Output(ids.CANCEL, "disabled"),
            options=Output(ids.RUN_SELECT, "options"),
            selected=Output(ids.RUN_SELECT, "value", allow_duplicate=True),
            runs_key=Output(ids.RUNS_KEY, "data")),
        inputs=dict(_tick=Input(ids.POLL, "n_intervals"), runs_key=State(ids.RUNS_KEY, "data"),
                    selected=State(ids.RUN_SELECT, "value")),
        prevent_initial_call="initial_duplicate",
    )
    def refresh_controls_and_runs(_tick, runs_key, selected):
        running = jobs.running()  # refreshes the index
        key = f"{running}|{jobs.index.version}"
        if key == runs_key and selected:
            return dict(disabled=[no_update] * len(BUSY_CONTROLS),
                        switch_options=[no_update] * len(CHECKLISTS),
                        cancel_disabled=no_update,
                        options=no_update, selected=no_update, runs_key=no_update)
        options = run_options(jobs.index)
        busy = running is not None
        # A fresh page (a reopened tab) follows the running job, else the newest run.
        new_selection = no_update
        if not selected and options:
            new_selection = running or options[0]["value"]
        return dict(disabled=[busy] * len(BUSY_CONTROLS),
                    switch_options=[checklist_options(control, busy) for control in CHECKLISTS],
                    cancel_disabled=not busy,
                    options=options, selected=new_selection, runs_key=key)
