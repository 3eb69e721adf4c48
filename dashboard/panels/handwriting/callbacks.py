"""The Your hand panel: a personal dataset's samples, relabelling, import, export, teaching."""

import json
import os
import tempfile

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard.panels.handwriting.figures import counts_figure
from dashboard.shared import ids
from dashboard.shared.figures import empty_figure
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.runs_view import run_options
from dashboard.shared.uploads import decode_upload, model_file
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.personal import (
    DEFAULT_NAME,
    PersonalDataset,
    import_samples,
    personal_datasets,
)
from mnist_keras.runs import list_runs

# Tiles shown at once: the newest samples (a dataset may hold thousands).
MAX_TILES = 120


def _dataset(runs_dir, name):
    return PersonalDataset.open(runs_dir, name or DEFAULT_NAME)


def _percent(value):
    return "–" if value is None else f"{100 * value:.1f}%"


def sample_tiles(dataset):
    """The newest samples as clickable tiles, each captioned with its label."""
    import numpy as np

    samples = dataset.samples()[::-1][:MAX_TILES]
    return [html.Figure(className="tile hand-sample", n_clicks=0,
                        id={"type": ids.HAND_SAMPLE, "id": sample.id},
                        title="click to relabel or delete", children=[
                            html.Img(src=digit_data_uri(np.rint(
                                np.asarray(sample.input, np.float64) * 255).astype(np.uint8)),
                                alt=f"a {sample.label} you drew"),
                            html.Figcaption(str(sample.label))])
            for sample in samples]


def taught_rows(runs_dir, name):
    """The runs taught from dataset `name`: base, and before -> after on held-out and MNIST."""
    rows = []
    for run in list_runs(runs_dir):
        try:
            record = run.personalization()
        except MnistKerasError:
            continue
        if record is None or record.dataset != name:
            continue
        rows.append(html.Tr([html.Td(run.name), html.Td(record.base_run or "uploaded"),
                             html.Td(f"{_percent(record.before.held_out)} → "
                                     f"{_percent(record.after.held_out)}"),
                             html.Td(f"{_percent(record.before.mnist)} → "
                                     f"{_percent(record.after.mnist)}")]))
    if not rows:
        return html.Div("No model taught from this dataset yet.", className="hint")
    head = html.Tr([html.Th(text) for text in ("run", "taught from", "your held-out digits",
                                               "MNIST test set")])
    return html.Table([html.Thead(head), html.Tbody(rows[::-1])], className="taught-runs")


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.HAND_DATASET, "options"), Output(ids.HAND_DATASET, "value"),
        Input(ids.DATASETS_KEY, "data"), State(ids.HAND_DATASET, "value"),
    )
    def list_datasets(_key, current):
        names = personal_datasets(runs_dir) or [DEFAULT_NAME]
        return ([{"label": name, "value": name} for name in names],
                current if current in names else names[0])

    @app.callback(
        Output(ids.HAND_MESSAGE, "children", allow_duplicate=True),
        Output(ids.DATASETS_KEY, "data", allow_duplicate=True),
        Output(ids.HAND_NEW_NAME, "value"),
        Input(ids.HAND_CREATE, "n_clicks"),
        State(ids.HAND_NEW_NAME, "value"), State(ids.DATASETS_KEY, "data"),
        prevent_initial_call=True,
    )
    def create(_, name, key):
        try:
            dataset = PersonalDataset.create(runs_dir, (name or "").strip())
        except MnistKerasError as error:
            return f"Not created: {said(error)}", no_update, no_update
        return f"Created {dataset.name}: pick it under Save to on the Draw panel.", \
            (key or 0) + 1, ""

    @app.callback(
        Output(ids.HAND_COUNTS, "figure"), Output(ids.HAND_SAMPLES, "children"),
        Output(ids.HAND_TAUGHT, "children"),
        Input(ids.HAND_DATASET, "value"), Input(ids.DATASETS_KEY, "data"),
        Input(ids.RUNS_KEY, "data"),
    )
    def show(name, _key, _runs):
        try:
            dataset = _dataset(runs_dir, name)
        except MnistKerasError:
            return (empty_figure("No samples yet: answer a prediction on the Draw panel."),
                    [], taught_rows(runs_dir, name))
        counts = dataset.counts()
        title = f"{dataset.name}: {sum(counts.values())} samples"
        return counts_figure(counts, title), sample_tiles(dataset), taught_rows(runs_dir, name)

    @app.callback(
        Output(ids.HAND_SELECTED, "data"), Output(ids.HAND_RELABEL_TO, "value"),
        Input({"type": ids.HAND_SAMPLE, "id": ALL}, "n_clicks"),
        State(ids.HAND_DATASET, "value"),
        prevent_initial_call=True,
    )
    def select(clicks, name):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            return no_update, no_update  # the tiles were drawn, not clicked
        try:
            samples = {s.id: s for s in _dataset(runs_dir, name).samples()}
        except MnistKerasError:
            return None, None
        sample = samples.get(trigger.get("id"))
        return (None, None) if sample is None else ({"id": sample.id, "dataset": name},
                                                    sample.label)

    @app.callback(
        Output(ids.HAND_MESSAGE, "children", allow_duplicate=True),
        Output(ids.DATASETS_KEY, "data", allow_duplicate=True),
        Output(ids.HAND_SELECTED, "data", allow_duplicate=True),
        Input(ids.HAND_RELABEL, "n_clicks"), Input(ids.HAND_DELETE, "n_clicks"),
        State(ids.HAND_SELECTED, "data"), State(ids.HAND_RELABEL_TO, "value"),
        State(ids.DATASETS_KEY, "data"),
        prevent_initial_call=True,
    )
    def change(_relabel, _delete, selected, label, key):
        if not isinstance(selected, dict) or not selected.get("id"):
            return "Click a sample first.", no_update, no_update
        try:
            dataset = _dataset(runs_dir, selected.get("dataset"))
            if ctx.triggered_id == ids.HAND_DELETE:
                dataset.delete(selected["id"])
                return "Deleted.", (key or 0) + 1, None
            sample = dataset.relabel(selected["id"], label)
        except MnistKerasError as error:
            return f"Not changed: {said(error)}", no_update, no_update
        return f"Relabelled as {sample.label}.", (key or 0) + 1, no_update

    @app.callback(
        Output(ids.HAND_MESSAGE, "children", allow_duplicate=True),
        Output(ids.DATASETS_KEY, "data", allow_duplicate=True),
        Input(ids.HAND_UPLOAD, "contents"),
        State(ids.HAND_UPLOAD, "filename"), State(ids.HAND_DATASET, "value"),
        State(ids.DATASETS_KEY, "data"),
        prevent_initial_call=True,
    )
    def import_file(contents, filename, name, key):
        if not contents:
            return no_update, no_update
        try:
            data = decode_upload(contents, what="a samples file")
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "samples.json")
                with open(path, "wb") as file:
                    file.write(data)
                dataset, added, skipped = import_samples(path, runs_dir, name=name)
        except MnistKerasError as error:
            shown = os.path.basename(filename) if isinstance(filename, str) else "the file"
            return f"Not imported ({shown[:80]}): {said(error)}", no_update
        return (f"Imported {added} samples into {dataset.name}"
                + (f" ({skipped} skipped: not digits)." if skipped else ".")), (key or 0) + 1

    @app.callback(
        Output(ids.HAND_DOWNLOAD_FILE, "data"),
        Output(ids.HAND_MESSAGE, "children", allow_duplicate=True),
        Input(ids.HAND_DOWNLOAD, "n_clicks"), State(ids.HAND_DATASET, "value"),
        prevent_initial_call=True,
    )
    def download(_, name):
        try:
            dataset = _dataset(runs_dir, name)
        except MnistKerasError as error:
            return no_update, f"Nothing to download: {said(error)}"
        return dcc.send_string(json.dumps(dataset.samples_file()),
                               f"{dataset.name}.mnist-keras-samples.json"), no_update

    @app.callback(
        Output(ids.HAND_BASE, "options"), Output(ids.HAND_BASE, "value"),
        Input(ids.RUNS_KEY, "data"), State(ids.HAND_BASE, "value"),
    )
    def list_bases(_, current):
        options = run_options(jobs.index, finished_only=True)
        names = [option["value"] for option in options]
        if current in names:
            return options, no_update
        # The shipped model is a good start; else the newest finished run.
        return options, "pretrained" if "pretrained" in names else (names[0] if names else None)

    @app.callback(
        output=dict(message=Output(ids.HAND_MESSAGE, "children", allow_duplicate=True),
                    options=Output(ids.RUN_SELECT, "options", allow_duplicate=True),
                    selected=Output(ids.RUN_SELECT, "value", allow_duplicate=True)),
        inputs=dict(_=Input(ids.HAND_TEACH, "n_clicks"), base=State(ids.HAND_BASE, "value"),
                    name=State(ids.HAND_DATASET, "value")),
        prevent_initial_call=True,
    )
    def teach(_, base, name):
        unchanged = dict(options=no_update, selected=no_update)
        try:
            if not base:
                raise expected("a model to teach (a finished run)", base=base)
            dataset = _dataset(runs_dir, name)
            counts = dataset.counts()
            if sum(1 for count in counts.values() if count) < 2:
                raise expected("samples of at least two digits (answer more predictions on "
                               "the Draw panel)", dataset=dataset.name)
            started = jobs.start_personalize(model_file(runs_dir, base), dataset.images_dir,
                                             dataset_name=dataset.name)
        except MnistKerasError as error:
            return dict(message=f"Not started: {said(error)}", **unchanged)
        # The Progress and Results panels follow the new run.
        return dict(message=f"Teaching {base} your hand: {started} (follow it under "
                            "Progress; its results show before and after).",
                    options=run_options(jobs.index), selected=started)
