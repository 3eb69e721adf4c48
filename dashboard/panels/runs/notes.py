"""A run's tags and note (edited for the ticked run), and every run as one CSV file."""

from dash import Input, Output, State, dcc, no_update

from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import one_ticked, table_rows, ticked
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in, runs_csv


def register(app, jobs, runs_dir):
    @app.callback(Output(ids.RUN_TAGS, "value"), Output(ids.RUN_NOTE, "value"),
                  Input(ids.RUNS_TABLE, "selected_rows"), State(ids.RUNS_TABLE, "data"))
    def show_notes(selected_rows, rows):
        # The boxes show the one ticked run's tags and note, ready to edit.
        names = ticked(rows, selected_rows) if isinstance(rows, list) else []
        if len(names) != 1:
            return "", ""
        row = next((row for row in rows if row.get("name") == names[0]), {})
        return row.get("tags") or "", row.get("note") or ""

    @app.callback(
        Output(ids.RUNS_MESSAGE, "children", allow_duplicate=True),
        Output(ids.RUNS_TABLE, "data", allow_duplicate=True),
        Input(ids.SAVE_NOTES, "n_clicks"),
        State(ids.RUN_TAGS, "value"), State(ids.RUN_NOTE, "value"),
        State(ids.RUNS_TABLE, "data"), State(ids.RUNS_TABLE, "selected_rows"),
        prevent_initial_call=True,
    )
    def save_notes(_, tags, note, rows, selected_rows):
        try:
            name = one_ticked(rows, selected_rows, "tag")
            if not isinstance(tags, (str, type(None))) or not isinstance(note, (str, type(None))):
                raise MnistKerasError("Expected tags and a note as text. Received: "
                                      f"{type(tags).__name__}, {type(note).__name__}")
            notes = run_in(runs_dir, name).write_notes(tags or "", note or "")
        except (MnistKerasError, OSError) as error:
            return f"Not saved: {said(error)}", no_update
        shown = ", ".join(notes.tags) or "no tags"
        return f"Saved {name}: {shown}{'; with a note' if notes.note else ''}.", \
            table_rows(jobs.index)

    @app.callback(Output(ids.RUNS_CSV_FILE, "data"), Input(ids.RUNS_CSV, "n_clicks"),
                  prevent_initial_call=True)
    def download_csv(_):
        return dcc.send_string(runs_csv(jobs.index.refresh()), "runs.csv")
