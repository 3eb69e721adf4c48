"""Settings in the address and lessons; the lines that reproduce the form.

Opening an address with settings (or a lesson) fills the training form; every
change of the form writes the address back (see `share.py`), so the link in
the address bar always opens what is on the screen.
"""

from dash import ClientsideFunction, Input, Output, State, no_update

from dashboard.panels.train.layout import lesson_card
from dashboard.panels.train.share import query_for, read_query
from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.lessons import lesson
from dashboard.shared.training_form import (
    CONTROLS,
    CUSTOM_MODEL,
    FORM_STATES,
    build_config,
    form_values,
    spec_to_rows,
)
from mnist_keras.errors import MnistKerasError
from mnist_keras.reproduce import command_line, python_snippet

# The form's settings as inputs: any change describes the settings again.
SETTING_INPUTS = {name: Input(state.component_id, state.component_property)
                  for name, state in FORM_STATES.items()}


def register(app, jobs, runs_dir):
    # The settings' query goes into the address (no reload, no history entry), in
    # the browser (`assets/theme.js`).
    app.clientside_callback(ClientsideFunction("page", "address"),
                            Output(ids.SHARE_LINK, "value"), Input(ids.SHARE_QUERY, "data"))

    @app.callback(
        output=dict(values=[Output(control.id, "value", allow_duplicate=True)
                            for control in CONTROLS],
                    rows=Output(ids.LAYER_TABLE, "data", allow_duplicate=True),
                    lesson=Output(ids.LESSON, "data"),
                    card=Output(ids.LESSON_CARD, "children"),
                    message=Output(ids.SHARE_MESSAGE, "children")),
        inputs=dict(search=Input(ids.URL, "search")),
        prevent_initial_call="initial_duplicate",
    )
    def open_address(search):
        unchanged = dict(values=[no_update] * len(CONTROLS), rows=no_update, lesson=None,
                         card=None, message="")
        try:
            config, spec, lesson_key = read_query(search)
        except MnistKerasError as error:
            return {**unchanged, "message": f"The address's settings were not used: {said(error)}"}
        if config is None:
            return unchanged
        values = form_values(config)
        if spec:
            values[ids.MODEL] = CUSTOM_MODEL
        found = lesson(lesson_key)
        return dict(values=[values[control.id] for control in CONTROLS],
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
                        message=f"These settings cannot train yet: {said(error)}")
        return dict(query=query_for(config, spec, lesson_key),
                    python=python_snippet(config, spec=spec),
                    command=command_line(config, spec=spec), message=no_update)
