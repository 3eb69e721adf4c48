"""The training panel: model builder, validation, Train and Cancel."""

from dash import Input, Output, State, ctx, no_update

from dashboard import ids
from dashboard.layout import CUSTOM_MODEL, spec_to_rows
from dashboard.runs_view import run_options
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError
from mnist_keras.models import LAYER_SETTINGS, validate_spec


def rows_to_spec(rows):
    """DataTable rows -> layer spec: each layer keeps only its own, filled-in settings."""
    spec = []
    for row in rows or []:
        kind = row.get("type")
        layer = {"type": kind}
        for key in LAYER_SETTINGS.get(kind, {}):
            value = row.get(key)
            if value not in (None, ""):
                layer[key] = value
        spec.append(layer)
    return spec


def build_config(model, rows, train_size, test_size, batch_size, epochs, log_lr, optimizer,
                 schedule, dropout, augment, seed, validation_split=0.1, early_stopping=None,
                 reduce_lr=None, label_smoothing=0.0, rotation=15.0, zoom=0.1,
                 translation=0.1):
    """The panel's values -> (TrainingConfig, layer spec or None); raises MnistKerasError."""
    spec = None
    if model == CUSTOM_MODEL:
        spec = validate_spec(rows_to_spec(rows))
        model = "cnn"  # replaced by the spec file when the job starts
    required = (("batch_size", batch_size), ("epochs", epochs), ("seed", seed),
                ("validation_split", validation_split), ("label_smoothing", label_smoothing),
                ("rotation", rotation), ("zoom", zoom), ("translation", translation))
    for name, value in required:
        if value is None:
            raise MnistKerasError(f"Expected a value for {name}. Received: {name}=empty")
    config = TrainingConfig(
        model=model, train_size=train_size, test_size=test_size, batch_size=batch_size,
        epochs=epochs, learning_rate=round(10 ** log_lr, 6), optimizer=optimizer,
        schedule=schedule, dropout=dropout, augment="on" in (augment or []), seed=seed,
        validation_split=validation_split, early_stopping_patience=early_stopping,
        reduce_lr_patience=reduce_lr, label_smoothing=label_smoothing, rotation=rotation,
        zoom=zoom, translation=translation,
    )
    return config, spec


# The settings a Train or Add to queue press reads, in `build_config`'s order.
SETTINGS = (
    State(ids.MODEL, "value"), State(ids.LAYER_TABLE, "data"),
    State(ids.TRAIN_SIZE, "value"), State(ids.TEST_SIZE, "value"),
    State(ids.BATCH_SIZE, "value"), State(ids.EPOCHS, "value"),
    State(ids.LEARNING_RATE, "value"), State(ids.OPTIMIZER, "value"),
    State(ids.SCHEDULE, "value"), State(ids.DROPOUT, "value"),
    State(ids.AUGMENT, "value"), State(ids.SEED, "value"),
    State(ids.VALIDATION_SPLIT, "value"), State(ids.EARLY_STOPPING, "value"),
    State(ids.REDUCE_LR, "value"), State(ids.LABEL_SMOOTHING, "value"),
    State(ids.ROTATION, "value"), State(ids.ZOOM, "value"), State(ids.TRANSLATION, "value"),
)


def queue_text(queue):
    """`Queued next: cnn (5 epochs, lr 0.001, batch 128); ...` or empty."""
    if not queue:
        return ""
    items = [f"{'custom' if spec else config.model} ({config.epochs} epochs, lr "
             f"{config.learning_rate:.2g}, batch {config.batch_size})" for config, spec in queue]
    return "Queued next: " + "; ".join(items)


def register(app, jobs, runs_dir):
    @app.callback(Output(ids.LAYER_TABLE_BOX, "style"), Input(ids.MODEL, "value"))
    def show_builder(model):
        return {"display": "block"} if model == CUSTOM_MODEL else {"display": "none"}

    @app.callback(Output(ids.LAYER_TABLE, "data"), Input(ids.ADD_LAYER, "n_clicks"),
                  State(ids.LAYER_TABLE, "data"), prevent_initial_call=True)
    def add_layer(_, rows):
        return (rows or []) + spec_to_rows([{"type": "Dense", **LAYER_SETTINGS["Dense"]}])

    @app.callback(Output(ids.SPEC_MESSAGE, "children"), Output(ids.SPEC_MESSAGE, "className"),
                  Input(ids.LAYER_TABLE, "data"), Input(ids.MODEL, "value"))
    def check_spec(rows, model):
        if model != CUSTOM_MODEL:
            return "", "spec-message"
        try:
            spec = validate_spec(rows_to_spec(rows))
        except MnistKerasError as error:
            return str(error), "spec-message error"
        return f"Valid: {len(spec)} layers, then the softmax output.", "spec-message ok"

    @app.callback(Output(ids.LEARNING_RATE_LABEL, "children"),
                  Input(ids.LEARNING_RATE, "value"))
    def show_learning_rate(log_lr):
        return f"{10 ** log_lr:.2g}"

    @app.callback(
        Output(ids.JOB_MESSAGE, "children"),
        Output(ids.RUN_SELECT, "options", allow_duplicate=True),
        Output(ids.RUN_SELECT, "value"),
        Input(ids.TRAIN, "n_clicks"),
        *SETTINGS,
        prevent_initial_call=True,
    )
    def start_training(_, *values):
        try:
            config, spec = build_config(*values)
            name = jobs.start(config, spec=spec)
        except MnistKerasError as error:
            return f"Not started: {error}", no_update, no_update
        # The picker only keeps a value that is among its options: send both.
        options, _ = run_options(runs_dir)
        return f"Started {name}.", options, name

    @app.callback(
        Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
        Output(ids.QUEUE_VIEW, "children", allow_duplicate=True),
        Input(ids.QUEUE, "n_clicks"), *SETTINGS,
        prevent_initial_call=True,
    )
    def add_to_queue(_, *values):
        try:
            config, spec = build_config(*values)
        except MnistKerasError as error:
            return f"Not queued: {error}", no_update
        count = jobs.enqueue(config, spec)
        return (f"Queued {'custom' if spec else config.model}: it trains after the next job "
                f"you start ({count} waiting)."), queue_text(jobs.queue)

    @app.callback(
        Output(ids.QUEUE_VIEW, "children", allow_duplicate=True),
        Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
        Input(ids.POLL, "n_intervals"), Input(ids.CLEAR_QUEUE, "n_clicks"),
        prevent_initial_call=True,
    )
    def follow_queue(_, __):
        if ctx.triggered_id == ids.CLEAR_QUEUE:
            jobs.queue.clear()
            return queue_text(jobs.queue), "Queue cleared."
        try:
            started = jobs.advance_queue()
        except MnistKerasError as error:
            return queue_text(jobs.queue), f"Queued job not started: {error}"
        if started:
            return queue_text(jobs.queue), f"Started {started} from the queue."
        return queue_text(jobs.queue), no_update

    @app.callback(Output(ids.JOB_MESSAGE, "children", allow_duplicate=True),
                  Input(ids.CANCEL, "n_clicks"), prevent_initial_call=True)
    def cancel_training(_):
        running = jobs.running()
        if not running:
            return "No training is running."
        jobs.cancel(running)
        waiting = f" The {len(jobs.queue)} queued job(s) wait for the next Train." \
            if jobs.queue else ""
        return f"Cancelling {running} after the current batch; what it learned is kept.{waiting}"
