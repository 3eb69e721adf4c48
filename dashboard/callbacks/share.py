"""Settings in the address and lessons; the lines that reproduce the form or a run.

Opening an address with settings (or a lesson) fills the training form; every
change of the form writes the address back (see `dashboard.share`), so the
link in the address bar always opens what is on the screen.
"""

from dash import Input, Output, State, no_update

from dashboard import ids
from dashboard.callbacks.training import SETTINGS, build_config
from dashboard.layout import lesson_card
from dashboard.lessons import lesson
from dashboard.share import query_for, read_query
from dashboard.training_form import form_controls, form_values
from dashboard.training_layout import CUSTOM_MODEL, spec_to_rows
from mnist_keras.errors import MnistKerasError
from mnist_keras.reproduce import command_line, python_snippet
from mnist_keras.runs import RunFormatError, run_in

# The form's settings as inputs: any change describes the settings again.
SETTING_INPUTS = {name: Input(state.component_id, state.component_property)
                  for name, state in SETTINGS.items()}


def run_lines(runs_dir, name):
    """`(python, command)` that train run `name` again, or a sentence why not."""
    try:
        config = run_in(runs_dir, name).config()
    except (MnistKerasError, RunFormatError) as error:
        return str(error), ""
    if config is None:
        return "The run is still starting.", ""
    if config.training is None:
        return ("An uploaded model was not trained here: there is nothing to reproduce.", "")
    again = f"runs/{name[:60]}-again"
    return python_snippet(config.training, run_dir=again), command_line(config.training,
                                                                          run_dir=again)


def register(app, jobs, runs_dir):
    @app.callback(
        output=dict(values=[Output(control, "value", allow_duplicate=True)
                            for control in form_controls()],
                    dataset=Output(ids.DATASET, "value"),
                    data_dir=Output(ids.DATA_DIR, "value"),
                    rows=Output(ids.LAYER_TABLE, "data", allow_duplicate=True),
                    lesson=Output(ids.LESSON, "data"),
                    card=Output(ids.LESSON_CARD, "children"),
                    message=Output(ids.SHARE_MESSAGE, "children")),
        inputs=dict(search=Input(ids.URL, "search")),
        prevent_initial_call="initial_duplicate",
    )
    def open_address(search):
        unchanged = dict(values=[no_update] * len(form_controls()), dataset=no_update,
                         data_dir=no_update, rows=no_update, lesson=None, card=None,
                         message="")
        try:
            config, spec, lesson_key = read_query(search)
        except MnistKerasError as error:
            return {**unchanged, "message": f"The address's settings were not used: {error}"}
        if config is None:
            return unchanged
        values = form_values(config)
        if spec:
            values[ids.MODEL] = CUSTOM_MODEL
        found = lesson(lesson_key)
        return dict(values=[values[control] for control in form_controls()],
                    dataset=config.dataset, data_dir=config.data_dir or "",
                    rows=spec_to_rows(spec) if spec else no_update,
                    lesson=lesson_key, card=lesson_card(found) if found else None,
                    message="Settings from the address." if not found else "")

    @app.callback(
        output=dict(query=Output(ids.SHARE_QUERY, "data"),
                    python=Output(ids.SHARE_PYTHON, "children"),
                    command=Output(ids.SHARE_COMMAND, "children"),
                    message=Output(ids.SHARE_MESSAGE, "children", allow_duplicate=True)),
        inputs=dict(settings=SETTING_INPUTS, lesson_key=State(ids.LESSON, "data")),
        prevent_initial_call="initial_duplicate",
    )
    def describe_settings(settings, lesson_key):
        try:
            config, spec = build_config(**settings)
        except MnistKerasError as error:
            return dict(query=no_update, python=no_update, command=no_update,
                        message=f"These settings cannot train yet: {error}")
        return dict(query=query_for(config, spec, lesson_key),
                    python=python_snippet(config, spec=spec),
                    command=command_line(config, spec=spec), message=no_update)

    @app.callback(
        Output(ids.RUN_PYTHON, "children"), Output(ids.RUN_COMMAND, "children"),
        Input(ids.RUN_SELECT, "value"), Input(ids.RESULTS_KEY, "data"),
    )
    def reproduce_run(name, _key):
        if not name:
            return "Select a run.", ""
        return run_lines(runs_dir, name)
