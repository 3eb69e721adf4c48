"""Live view: every poll reads what the selected run appended and extends the charts.

Charts are replaced whole only when the selection changes (or the page loads);
after that each poll sends just the new points with `extendData`. The read
position in events.jsonl lives in the LIVE_STATE store, so a reopened tab
starts from 0 and gets the run's full history first.
"""

import os
import time

from dash import Input, Output, State, no_update

from dashboard import figures, ids
from dashboard.layout import augment_options
from dashboard.runs_view import run_options
from mnist_keras.runs import Run
from mnist_keras.sinks import read_jsonl, subsample

FINAL = ("completed", "cancelled", "failed")
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
        status: the run's status.json contents.
    """
    state = status.get("status", "unknown")
    start, last = records_so_far.get("start"), records_so_far.get("batch")
    if state == "running" and not start:
        return 0, "starting: loading TensorFlow and the data…"
    if not start:
        error = f": {status.get('error')}" if state == "failed" else ""
        return 0, f"{state}{error}."
    epochs, steps = start.get("epochs") or 1, start.get("steps_per_epoch") or 1
    total = epochs * steps
    done = last["step"] if last else 0
    percent = 100 * done / total
    end = time.time() if state == "running" else status.get("updated", start["time"])
    elapsed = end - start["time"]
    epoch_now, batch_now = (last["epoch"], last["batch"]) if last else (1, 0)
    text = (f"epoch {epoch_now}/{epochs} · batch {batch_now}/{steps} · {done}/{total} batches "
            f"({percent:.0f}%) · elapsed {_clock(elapsed)}")
    if state == "running" and done:
        text += f" · ETA {_clock(elapsed / done * (total - done))}"
    epoch = records_so_far.get("epoch")
    if epoch and "val_accuracy" in epoch:
        text += f" · val_accuracy {epoch['val_accuracy']:.4f}"
    if state != "running":
        text += f" · {state}"
        if state == "failed":
            text += f": {status.get('error', 'unknown error')}"
        percent = 100 if state == "completed" else percent
    return percent, text


def _last_of_each_kind(records, into):
    for record in records:
        into[record["type"]] = record
    return into


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.BATCH_GRAPH, "figure"), Output(ids.BATCH_GRAPH, "extendData"),
        Output(ids.EPOCH_GRAPH, "figure"), Output(ids.EPOCH_GRAPH, "extendData"),
        Output(ids.EPOCH_TIME_GRAPH, "figure"), Output(ids.EPOCH_TIME_GRAPH, "extendData"),
        Output(ids.PROGRESS_BAR, "style"), Output(ids.PROGRESS_TEXT, "children"),
        Output(ids.LIVE_STATE, "data"), Output(ids.RESULTS_KEY, "data"),
        Input(ids.POLL, "n_intervals"), Input(ids.RUN_SELECT, "value"),
        State(ids.LIVE_STATE, "data"),
    )
    def poll(_, selected, state):
        state = state or {}
        unchanged = [no_update] * 10
        if not selected:
            return unchanged
        run = Run(os.path.join(runs_dir, selected))
        if state.get("run") == selected and state.get("done"):
            return unchanged
        fresh = state.get("run") != selected
        offset = 0 if fresh else state.get("offset", 0)
        records, offset = read_jsonl(run.file("events.jsonl"), offset)
        status = run.read_json("status.json") or {}
        last = _last_of_each_kind(records, dict(state.get("last", {})) if not fresh else {})
        percent, text = progress(last, status)
        done = status.get("status") in FINAL and records == [] and not fresh
        batches = [r for r in records if r["type"] == "batch"]
        epochs = [r for r in records if r["type"] == "epoch"]
        new_state = {"run": selected, "offset": offset, "done": done, "last": last}
        results_key = f"{selected}:{status.get('status')}"
        outputs = [no_update] * 6
        if fresh:
            outputs = [figures.batch_figure(subsample(batches, MAX_INITIAL_BATCH_POINTS)),
                       no_update,
                       figures.epoch_figure(epochs), no_update,
                       figures.epoch_time_figure(epochs), no_update]
        else:
            if batches:
                outputs[1] = figures.batch_extension(batches)
            if epochs:
                outputs[3] = figures.epoch_extension(epochs)
                outputs[5] = figures.epoch_time_extension(epochs)
        results = results_key if results_key != state.get("results_key") else no_update
        new_state["results_key"] = results_key
        return (*outputs, {"width": f"{percent:.1f}%"}, text, new_state, results)

    @app.callback(
        [Output(control, "disabled") for control in ids.TRAINING_CONTROLS]
        + [Output(ids.AUGMENT, "options"), Output(ids.CANCEL, "disabled"),
           Output(ids.RUN_SELECT, "options"), Output(ids.RUN_SELECT, "value",
                                                     allow_duplicate=True),
           Output(ids.RUNS_KEY, "data")],
        Input(ids.POLL, "n_intervals"),
        State(ids.RUNS_KEY, "data"), State(ids.RUN_SELECT, "value"),
        prevent_initial_call="initial_duplicate",
    )
    def refresh_controls_and_runs(_, runs_key, selected):
        running = jobs.running()
        options, key = run_options(runs_dir)
        key = f"{running}|{key}"
        if key == runs_key and selected:
            return [no_update] * (len(ids.TRAINING_CONTROLS) + 5)
        busy = running is not None
        # A fresh page (a reopened tab) follows the running job, else the newest run.
        if not selected and options:
            selected = running or options[0]["value"]
        else:
            selected = no_update
        return [busy] * len(ids.TRAINING_CONTROLS) + [augment_options(busy), not busy, options,
                                                      selected, key]
