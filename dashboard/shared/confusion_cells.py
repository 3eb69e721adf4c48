"""Confusion cells and calibration: a part the Results panel shows, and the comparison again.

Each view (`ids.VIEW_RESULTS`, `ids.VIEW_COMPARE`) places `cell_section(view)`
and registers `register_view` with its matrix and its run picker, so the two
panels share this code without importing each other.

A click on a cell of a confusion matrix (or on a "most confused pair") shows
that cell's test digits, read from the run's `metrics.json`, which keeps every
mistake by its index in the full test set (`RunMetrics.mistakes_between`); a
click on a digit shows what its answer rested on and what spoke for its true
class. A diagonal cell says how many were right: right answers are counted,
not listed.
"""

import numpy as np
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard.shared import ids, loaded_models
from dashboard.shared.components import hint
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri, saliency_uri
from dashboard.shared.runs_view import raw_images
from mnist_keras.errors import MnistKerasError
from mnist_keras.registries import SALIENCY_METHODS
from mnist_keras.runs import run_in

MAX_CELL_DIGITS = 60
MAX_PAIRS = 8


def cell_from_click(click, class_names):
    """`(true, predicted)` of a heatmap click (its point's y and x labels), or None."""
    try:
        point = click["points"][0]
        names = [str(name) for name in class_names]
        return names.index(str(point["y"])), names.index(str(point["x"]))
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def read_run(runs_dir, name):
    """`(run, its RunConfig, its RunMetrics)` of run `name`."""
    run = run_in(runs_dir, name)
    return run, run.config(), run.metrics()


def pair_buttons(view, metrics):
    """The most confused pairs as buttons: `true → read as: count`."""
    pairs = metrics.most_confused(MAX_PAIRS)
    if not pairs:
        return html.Div("No mistakes at all.", className="hint")
    names = metrics.class_names
    return [html.Button(f"{names[t]} → {names[p]}: {count}", n_clicks=0,
                        className="btn btn-outline-secondary btn-sm",
                        title=f"show the {count} test digits that are {names[t]} but were "
                              f"read as {names[p]}",
                        id={"type": ids.PAIR_BUTTON, "view": view, "true": t, "predicted": p})
            for t, p, count in pairs]


def cell_digits(view, metrics, config, true, predicted):
    """The tiles of one cell's test digits (clickable), or a line saying why there are none."""
    names = metrics.class_names
    count = metrics.confusion_matrix[true][predicted]
    if true == predicted:
        return html.Div(f"{count} test digits {names[true]} were read correctly. The run "
                        "lists only its mistakes: click a cell off the diagonal.",
                        className="hint cell-note")
    mistakes = metrics.mistakes_between(true, predicted)
    if not mistakes:
        return html.Div(f"No test digit {names[true]} was read as {names[predicted]}.",
                        className="hint cell-note")
    try:
        _, _, test_images, _ = raw_images(config.data_dir if config else None, metrics.dataset)
    except MnistKerasError as error:
        return html.Div(f"Test images unavailable: {said(error)}", className="hint")
    tiles = [html.Figure(className="tile mistake cell-digit", n_clicks=0,
                         title="click to see what this answer rested on",
                         id={"type": ids.CELL_DIGIT, "view": view, "index": m.index},
                         children=[html.Img(src=digit_data_uri(test_images[m.index]),
                                            alt=f"test digit {m.index}"),
                                   html.Figcaption(f"{names[true]} → {names[predicted]} "
                                                   f"({100 * m.confidence:.0f}%)")])
             for m in mistakes[:MAX_CELL_DIGITS]]
    shown = "" if len(mistakes) <= MAX_CELL_DIGITS else f", the {MAX_CELL_DIGITS} most " \
                                                        "confident shown"
    return [html.Div(f"True {names[true]}, read as {names[predicted]}: {len(mistakes)} test "
                     f"digits{shown}. Click one to see why.", className="hint cell-title"),
            html.Div(tiles, className="tiles")]


def digit_saliency(runs_dir, name, test_index, method):
    """What a test digit's answer rested on, and what spoke for its true class."""
    from mnist_keras.datasets.scaling import scale_pixels
    from mnist_keras.explain import saliency

    method = SALIENCY_METHODS.check(method or "integrated_gradients")
    run, config, metrics = read_run(runs_dir, name)
    if metrics is None:
        return html.Div("This run has no results yet.", className="hint")
    _, _, test_images, test_labels = raw_images(config.data_dir if config else None,
                                                metrics.dataset)
    if not isinstance(test_index, int) or not 0 <= test_index < len(test_images):
        return html.Div("Not a test digit.", className="hint")
    image = scale_pixels(test_images[test_index:test_index + 1])[0, :, :, 0]
    loaded = loaded_models.load(runs_dir, name)
    names, true = metrics.class_names, int(test_labels[test_index])
    figures_ = []
    with loaded.lock:
        predicted = int(np.argmax(loaded.model.predict_on_batch(image.reshape(1, 28, 28, 1))))
        for label, caption in ((predicted, f"what made it {names[predicted]}"),
                               (true, f"what spoke for {names[true]} (the truth)")):
            try:
                heat = saliency(loaded.model, image, method=method, class_index=label)
            except MnistKerasError:
                return html.Div("Grad-CAM needs a conv layer and this model has none: choose "
                                "integrated gradients or SmoothGrad.", className="why-note")
            figures_.append(html.Figure([html.Img(src=saliency_uri(image, heat, scale=4),
                                                  alt=caption),
                                         html.Figcaption(caption)]))
            if label == true:
                break
    return [html.Div(f"Test digit {test_index} ({method}):", className="card-title"),
            *figures_]


def run_calibration(runs_dir, name):
    """The run's calibration: from metrics.json, or computed now for a run evaluated before
    calibration was recorded (on the same test images, `(report, computed_now)`)."""
    from mnist_keras.datasets import load_dataset
    from mnist_keras.explain import calibration

    run, config, metrics = read_run(runs_dir, name)
    if metrics is None:
        return None, False
    if metrics.calibration is not None:
        return metrics.calibration, False
    training = config.training if config else None
    data = load_dataset(metrics.dataset, config.data_dir if config else None,
                        train_size=1_000, test_size=config.test_size if config else None,
                        validation_split=0.0, seed=training.seed if training else 0)
    loaded = loaded_models.load(runs_dir, name)
    with loaded.lock:
        return calibration(loaded.model, data.x_test, data.y_test), True


def register_view(app, runs_dir, view, click_input, run_input):
    """The callbacks one view's cells need: which cell, its digits, a digit's saliency."""
    selection_id = ids.view_id(ids.CELL_SELECTION, view)

    @app.callback(
        Output(selection_id, "data"),
        inputs=dict(click=click_input,
                    pairs=Input({"type": ids.PAIR_BUTTON, "view": view, "true": ALL,
                                 "predicted": ALL}, "n_clicks"),
                    name=run_input),
    )
    def select_cell(click, pairs, name):
        if not name:
            return None
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == ids.PAIR_BUTTON:
            if not any(pairs):
                return no_update  # the buttons were just drawn, not clicked
            return {"run": name, "true": trigger["true"], "predicted": trigger["predicted"]}
        if trigger == click_input.component_id and click:
            try:
                _, _, metrics = read_run(runs_dir, name)
            except MnistKerasError:
                return None
            cell = cell_from_click(click, metrics.class_names) if metrics else None
            return {"run": name, "true": cell[0], "predicted": cell[1]} if cell else None
        return None

    @app.callback(
        output=dict(pairs=Output(ids.view_id(ids.CONFUSED_PAIRS, view), "children"),
                    digits=Output(ids.view_id(ids.CELL_DIGITS, view), "children"),
                    saliency=Output(ids.view_id(ids.CELL_SALIENCY, view), "children",
                                    allow_duplicate=True)),
        inputs=dict(selection=Input(selection_id, "data"), name=run_input,
                    _key=Input(ids.RESULTS_KEY, "data")),
        prevent_initial_call="initial_duplicate",
    )
    def show_cell(selection, name, _key):
        hint = html.Div("Click a cell of the confusion matrix to see its test digits.",
                        className="hint")
        if not name:
            return dict(pairs=[], digits=hint, saliency=[])
        try:
            _, config, metrics = read_run(runs_dir, name)
        except MnistKerasError as error:
            return dict(pairs=[], digits=html.Div(said(error), className="hint"), saliency=[])
        if metrics is None:
            return dict(pairs=[], digits=html.Div("No results yet.", className="hint"),
                        saliency=[])
        digits = hint
        if selection and selection.get("run") == name:
            try:
                digits = cell_digits(view, metrics, config, int(selection["true"]),
                                     int(selection["predicted"]))
            except (MnistKerasError, KeyError, TypeError, ValueError, IndexError) as error:
                digits = html.Div(said(error), className="hint")
        return dict(pairs=pair_buttons(view, metrics), digits=digits, saliency=[])

    @app.callback(
        output=dict(saliency=Output(ids.view_id(ids.CELL_SALIENCY, view), "children"),
                    shown=Output(ids.view_id(ids.CELL_SHOWN, view), "data")),
        inputs=dict(clicks=Input({"type": ids.CELL_DIGIT, "view": view, "index": ALL},
                                 "n_clicks"),
                    method=Input(ids.CELL_METHOD, "value"),
                    selection=State(selection_id, "data"),
                    shown=State(ids.view_id(ids.CELL_SHOWN, view), "data")),
        prevent_initial_call=True,
    )
    def explain_digit(clicks, method, selection, shown):
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and any(clicks or []):
            index = trigger["index"]
        elif trigger == ids.CELL_METHOD and shown is not None:
            index = shown  # another method for the digit already shown
        else:
            return dict(saliency=no_update, shown=no_update)
        if not selection:
            return dict(saliency=no_update, shown=no_update)
        try:
            return dict(saliency=digit_saliency(runs_dir, selection["run"], int(index), method),
                        shown=int(index))
        except (MnistKerasError, TypeError, ValueError, KeyError) as error:
            return dict(saliency=html.Div(said(error), className="hint"), shown=None)


def cell_section(view):
    """The digits of one clicked confusion cell, and the most confused pairs."""
    return html.Div(className="cells", children=[
        dcc.Store(id=ids.view_id(ids.CELL_SELECTION, view)),
        dcc.Store(id=ids.view_id(ids.CELL_SHOWN, view)),
        html.Div(className="cells-row", children=[
            html.Div(className="confused-pairs", children=[
                html.H4("Most confused pairs"),
                hint("true → read as: mistakes. Click one to see its digits."),
                html.Div(id=ids.view_id(ids.CONFUSED_PAIRS, view)),
            ]),
            html.Div(className="cell-view", children=[
                html.Div(id=ids.view_id(ids.CELL_DIGITS, view),
                         children=hint("Click a cell of the confusion matrix to see its "
                                       "test digits.")),
                html.Div(id=ids.view_id(ids.CELL_SALIENCY, view), className="cell-saliency"),
            ]),
        ]),
    ])
