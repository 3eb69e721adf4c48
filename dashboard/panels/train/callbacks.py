"""The Train panel's callbacks: data check, model builder, recipes, Train, Add to queue, Cancel."""

import re
import time

from dash import ClientsideFunction, Input, Output, State, ctx, no_update

from dashboard.panels.train.layout import size_marks
from dashboard.shared import ids
from dashboard.shared.formatting import plural, said
from dashboard.shared.runs_view import data_summary, run_options
from dashboard.shared.training_form import (
    CUSTOM_MODEL,
    FORM_STATES,
    RECIPE_CONTROLS,
    build_config,
    data_folder,
    form_values,
    learning_rate_from_slider,
    recipe_differences,
    rows_to_spec,
    spec_to_rows,
)
from mnist_keras.datasets.names import BUNDLED
from mnist_keras.errors import MnistKerasError
from mnist_keras.layer_specs import LAYER_SETTINGS, validate_spec
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.runs import run_in
from mnist_keras.settings import RANGES


def queue_text(queue):
    """`Queued next: cnn (5 epochs, lr 0.001, batch 128); ...` or empty."""
    if not queue:
        return ""
    items = [f"{'custom' if spec else config.model} ({plural(config.epochs, 'epoch')}, lr "
             f"{config.learning_rate:.2g}, batch {config.batch_size})" for config, spec in queue]
    return "Queued next: " + "; ".join(items)


def describe_data(dataset, data_dir):
    """What the data settings point at: `(message, ok, train_images, test_images)`."""
    try:
        folder = data_folder(dataset, data_dir)
        if dataset not in BUNDLED and folder is None:
            return "Type the folder that holds the data.", False, None, None
        summary = data_summary(dataset, folder)
    except MnistKerasError as error:
        return said(error), False, None, None
    return (f"{dataset}: {summary.describe()}.", True, summary.train_images,
            summary.test_images)


# A run's end is told this long after it (see `_finished_since_started`).
SETTLE_SECONDS = 5
# "Started NAME." or "Started NAME from the queue.", as this panel says them.
STARTED = re.compile(r"Started (\S+?)(?:\.| from the queue\.)\Z")


def register(app, jobs, runs_dir):
    @app.callback(
        output=dict(box=Output(ids.DATA_DIR_BOX, "style"),
                    message=Output(ids.DATA_MESSAGE, "children"),
                    message_class=Output(ids.DATA_MESSAGE, "className"),
                    train_max=Output(ids.TRAIN_SIZE, "max"),
                    train_marks=Output(ids.TRAIN_SIZE, "marks"),
                    test_max=Output(ids.TEST_SIZE, "max"),
                    test_marks=Output(ids.TEST_SIZE, "marks")),
        inputs=dict(dataset=Input(ids.DATASET, "value"), data_dir=Input(ids.DATA_DIR, "value")),
    )
    def check_data(dataset, data_dir):
        # The sliders reach as far as the data goes (a size above takes all of it).
        message, ok, train, test = describe_data(dataset, data_dir)
        low_train, high_train = RANGES["train_size"]
        low_test, high_test = RANGES["test_size"]
        train_max = min(high_train, max(low_train, train or high_train))
        test_max = min(high_test, max(low_test, test or high_test))
        return dict(box={"display": "none"} if dataset in BUNDLED else {"display": "block"},
                    message=message, message_class=f"hint data-message {'ok' if ok else 'error'}",
                    train_max=train_max, train_marks=size_marks(low_train, train_max),
                    test_max=test_max, test_marks=size_marks(low_test, test_max))

    @app.callback(Output(ids.LAYER_TABLE_BOX, "style"), Input(ids.MODEL, "value"))
    def show_builder(model):
        return {"display": "block"} if model == CUSTOM_MODEL else {"display": "none"}

    @app.callback(Output(ids.LAYER_TABLE, "data"), Input(ids.ADD_LAYER, "n_clicks"),
                  State(ids.LAYER_TABLE, "data"), prevent_initial_call=True)
    def add_layer(_, rows):
        # The table holds a list of rows; anything else sent is replaced, not added to.
        rows = rows if isinstance(rows, list) else []
        return rows + spec_to_rows([{"type": "Dense", **LAYER_SETTINGS["Dense"]}])

    @app.callback(Output(ids.SPEC_MESSAGE, "children"), Output(ids.SPEC_MESSAGE, "className"),
                  Input(ids.LAYER_TABLE, "data"), Input(ids.MODEL, "value"))
    def check_spec(rows, model):
        if model != CUSTOM_MODEL:
            return "", "spec-message"
        try:
            spec = validate_spec(rows_to_spec(rows))
        except MnistKerasError as error:
            return said(error), "spec-message error"
        return f"Valid: {len(spec)} layers, then the softmax output.", "spec-message ok"

    @app.callback(
        output=dict(values=[Output(control, "value") for control in RECIPE_CONTROLS],
                    hint=Output(ids.RECIPE_HINT, "children")),
        inputs=dict(recipe=Input(ids.RECIPE, "value")),
        prevent_initial_call=True,
    )
    def apply_recipe(recipe):
        # Fills the form; every value stays editable before Train.
        if recipe not in RECIPES:
            return dict(values=[no_update] * len(RECIPE_CONTROLS), hint=no_update)
        values = form_values(recipe_config(recipe))
        return dict(values=[values[control] for control in RECIPE_CONTROLS],
                    hint=RECIPES.describe(recipe))

    @app.callback(
        Output(ids.RECIPE_HINT, "children", allow_duplicate=True),
        [Input(control, "value") for control in RECIPE_CONTROLS],
        State(ids.RECIPE, "value"),
        prevent_initial_call=True,
    )
    def name_custom_settings(*values):
        # A lesson, a share link or a hand on a control changes settings the
        # recipe box still names: it says they are no longer that recipe's.
        *settings, recipe = values
        if recipe not in RECIPES:
            return no_update
        differing = recipe_differences(recipe, dict(zip(RECIPE_CONTROLS, settings)))
        if not differing:
            return RECIPES.describe(recipe)
        shown = ", ".join(differing[:4]) + (f" and {len(differing) - 4} more"
                                           if len(differing) > 4 else "")
        return (f"Custom settings: {shown} {'differs' if len(differing) == 1 else 'differ'} "
                f"from the {recipe} recipe. Choose a recipe to take all of its "
                "settings.")

    @app.callback(Output(ids.LEARNING_RATE_LABEL, "children"),
                  Input(ids.LEARNING_RATE, "value"))
    def show_learning_rate(log_lr):
        try:
            learning_rate = learning_rate_from_slider(log_lr)
        except MnistKerasError:
            return ""
        return "" if learning_rate is None else f"{learning_rate:.2g}"

    app.clientside_callback(ClientsideFunction("page", "followTraining"),
                            Output(ids.THEME_APPLIED, "data", allow_duplicate=True),
                            Input(ids.JOB_MESSAGE, "children"), prevent_initial_call=True)

    @app.callback(
        output=dict(message=Output(ids.JOB_MESSAGE, "children"),
                    options=Output(ids.RUN_SELECT, "options", allow_duplicate=True),
                    selected=Output(ids.RUN_SELECT, "value")),
        inputs=dict(_clicks=Input(ids.TRAIN, "n_clicks"), settings=FORM_STATES),
        prevent_initial_call=True,
    )
    def start_training(_clicks, settings):
        try:
            config, spec = build_config(**settings)
            name = jobs.start(config, spec=spec)
        except MnistKerasError as error:
            return dict(message=f"Not started: {said(error)}", options=no_update,
                        selected=no_update)
        # The picker only keeps a value that is among its options: send both.
        return dict(message=f"Started {name}.", options=run_options(jobs.index),
                    selected=name)

    @app.callback(
        output=dict(message=Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
                    queue=Output(ids.QUEUE_VIEW, "children", allow_duplicate=True)),
        inputs=dict(_clicks=Input(ids.QUEUE, "n_clicks"), settings=FORM_STATES),
        prevent_initial_call=True,
    )
    def add_to_queue(_clicks, settings):
        try:
            config, spec = build_config(**settings)
        except MnistKerasError as error:
            return dict(message=f"Not queued: {said(error)}", queue=no_update)
        count = jobs.enqueue(config, spec)
        return dict(message=f"Queued {'custom' if spec else config.model}: it trains after "
                            f"the next job you start ({count} waiting).",
                    queue=queue_text(jobs.queue))

    @app.callback(
        output=dict(queue=Output(ids.QUEUE_VIEW, "children", allow_duplicate=True),
                    message=Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
                    options=Output(ids.RUN_SELECT, "options", allow_duplicate=True),
                    selected=Output(ids.RUN_SELECT, "value", allow_duplicate=True),
                    cancelling=Output(ids.CANCELLING, "data", allow_duplicate=True)),
        inputs=dict(_tick=Input(ids.POLL, "n_intervals"),
                    _clear=Input(ids.CLEAR_QUEUE, "n_clicks"),
                    cancelling=State(ids.CANCELLING, "data"),
                    message=State(ids.JOB_MESSAGE, "children")),
        prevent_initial_call=True,
    )
    def follow_queue(_tick, _clear, cancelling, message):
        unchanged = dict(queue=no_update, message=no_update, options=no_update,
                         selected=no_update, cancelling=no_update)
        if ctx.triggered_id == ids.CLEAR_QUEUE:
            jobs.clear_queue()
            return {**unchanged, "queue": queue_text(jobs.queue), "message": "Queue cleared."}
        if cancelling and not jobs.is_running(cancelling):
            # The cancelled job has saved what it learned: say so, once.
            return {**unchanged, "cancelling": None,
                    "message": f"Cancelled {cancelling}: what it learned is kept as a "
                               "cancelled run."}
        try:
            started = jobs.advance_queue()
        except MnistKerasError as error:
            return {**unchanged, "queue": queue_text(jobs.queue),
                    "message": f"Queued job not started: {said(error)}"}
        if started:
            # The progress panel follows the job the queue started.
            return {**unchanged, "queue": queue_text(jobs.queue),
                    "message": f"Started {started} from the queue.",
                    "options": run_options(jobs.index), "selected": started}
        finished = _finished_since_started(message)
        if finished:
            # "Started X." stayed up long after X had ended (under a pruning job's run).
            return {**unchanged, "message": finished}
        queue = queue_text(jobs.queue)
        return {**unchanged, "queue": queue} if jobs.queue else unchanged

    def _finished_since_started(message):
        """What replaces a "Started NAME..." message once NAME has ended, or None."""
        match = STARTED.match(message) if isinstance(message, str) else None
        if not match or jobs.is_running(match.group(1)):
            return None
        try:
            state = run_in(runs_dir, match.group(1)).state()
        except (MnistKerasError, OSError):
            return None
        # Just ended: the queue may be starting the next job this very poll, and a
        # poll sent before its "Started ... from the queue" reached the page carries
        # the old message; replacing it would hide the new one.
        if state.status.value == "running" or (
                state.finished and time.time() - state.finished < SETTLE_SECONDS):
            return None
        # Nor while the job the queue started after it is new: a process can take
        # seconds to exit after its run finished, so the queue may start the next
        # one well after NAME's end (a flake in CI).
        if _started_just_now(jobs.running()):
            return None
        return f"{match.group(1)} has ended: {state.status.value}."

    def _started_just_now(name):
        if name is None:
            return False
        try:
            started = run_in(runs_dir, name).state().started
        except (MnistKerasError, OSError):
            return False
        return started is not None and time.time() - started < SETTLE_SECONDS

    @app.callback(Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
                  Output(ids.CANCELLING, "data"),
                  Input(ids.CANCEL, "n_clicks"), prevent_initial_call=True)
    def cancel_training(_):
        running = jobs.running()
        if not running:
            return "No training is running.", None
        jobs.cancel(running)
        queued = len(jobs.queue)
        waiting = f" The {queued} queued job(s) wait for the next Train." if queued else ""
        return (f"Cancelling {running} after the current batch; what it learned is "
                f"kept.{waiting}", running)
