"""Draw a digit and predict it with one or more finished runs; Test on MNIST.

The canvas reports its strokes when its (hidden) Save button is pressed;
`assets/drawing.js` presses it a pause (`mnist_keras.drawing_pad.PAUSE_MS`)
after the last stroke, and when Predict is clicked. One callback reads the
strokes and predicts them (one round trip); it also keeps them in a store, so
predicting again with other models needs no new drawing, and Clear empties
both.
"""

import numpy as np
from dash import Input, Output, State, ctx, dcc, html, no_update

from dashboard.panels.draw import canvas
from dashboard.panels.draw.figures import LEVEL_COLORS, probability_figure
from dashboard.shared import ids, loaded_models
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.runs_view import chosen_runs, run_options
from dashboard.shared.test_digits import mnist_test_results
from mnist_keras.datasets.scaling import unscale_pixels
from mnist_keras.errors import MnistKerasError

NO_RUNS_MESSAGE = "Train a model first: no finished run yet."
NO_SELECTION_MESSAGE = "Select a finished run to draw."


def prediction_card(name, prediction, class_names=None):
    """One model's prediction: the digit, its colour-coded confidence and all 10 bars."""
    confidence, level = prediction.confidence, prediction.level
    color = LEVEL_COLORS[level]
    label = class_names[prediction.label] if class_names else str(prediction.label)
    return html.Div(className="prediction-card", children=[
        html.Div(name, className="card-title"),
        html.Div(label, className="predicted-digit", style={"color": color}),
        html.Div(f"confidence {100 * confidence:.1f}%", className=f"confidence {level}",
                 style={"color": color}),
        html.Div(_unsure_text(prediction, class_names), className="unsure")
        if prediction.unsure else None,
        dcc.Graph(figure=probability_figure(prediction.probabilities, class_names),
                  config={"displayModeBar": False}, className="probabilities"),
    ])


def _unsure_text(prediction, class_names=None):
    runner_up = prediction.runner_up
    name = class_names[runner_up] if class_names else str(runner_up)
    return f"unsure: maybe {name} ({100 * prediction.probabilities[runner_up]:.0f}%)"


def _class_names(index, name):
    summary = index.get(name)
    return summary.class_names if summary else None


def predict_strokes(runs_dir, strokes, selected, index=None):
    """Predictions of a drawing by each selected run.

    Returns:
        `(cards, input_image, labels)`: the cards (or a message), the 28x28
        input (None when there is nothing to predict) and each model's answer
        (the label a "right" press confirms is the first one).
    """
    from mnist_keras.prediction import predict_inputs
    from mnist_keras.preprocessing import EmptyDrawingError, preprocess_drawing

    if not strokes:
        return html.Div("Draw a digit in the box.", className="hint"), None, []
    try:
        # Preprocessed once, whatever the number of models.
        image = preprocess_drawing(canvas.render_strokes(strokes))
    except EmptyDrawingError as error:
        return html.Div(error.hint, className="hint not-a-digit"), None, []
    cards, labels = [], []
    for name in chosen_runs(selected):
        try:
            loaded = loaded_models.load(runs_dir, name)
            with loaded.lock:
                (prediction,) = predict_inputs(loaded.model, [image])
        except MnistKerasError as error:
            cards.append(html.Div(f"{name}: {said(error)}", className="prediction-card error"))
            continue
        names = _class_names(index, name) if index else None
        cards.append(prediction_card(name, prediction, names))
        labels.append(int(prediction.label))
    return cards, image, labels


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.PREDICT_RUNS, "options"), Output(ids.PREDICT_RUNS, "value"),
        Input(ids.RUNS_KEY, "data"), State(ids.PREDICT_RUNS, "value"),
    )
    def list_finished_runs(_, selected):
        options = run_options(jobs.index, finished_only=True)
        names = {option["value"] for option in options}
        if selected is None:
            # First visit: start with the newest model, ready to draw.
            return options, [options[0]["value"]] if options else None
        kept = [name for name in selected if name in names]
        return options, kept if kept != selected else no_update

    @app.callback(
        output=dict(box=Output(ids.CANVAS_BOX, "className"),
                    message=Output(ids.CANVAS_MESSAGE, "children"),
                    predict_disabled=Output(ids.PREDICT, "disabled"),
                    test_disabled=Output(ids.TEST_DIGITS, "disabled")),
        inputs=dict(selected=Input(ids.PREDICT_RUNS, "value"),
                    options=Input(ids.PREDICT_RUNS, "options")),
    )
    def enable_drawing(selected, options):
        if chosen_runs(selected):
            return dict(box="drawing-canvas", message="", predict_disabled=False,
                        test_disabled=False)
        return dict(box="drawing-canvas disabled",
                    message=NO_SELECTION_MESSAGE if options else NO_RUNS_MESSAGE,
                    predict_disabled=True, test_disabled=True)

    @app.callback(
        output=dict(cards=Output(ids.PREDICTIONS, "children"),
                    model_input=Output(ids.MODEL_INPUT, "data"),
                    input_image=Output(ids.MODEL_INPUT_IMAGE, "src"),
                    answer=Output(ids.ANSWER, "data"),
                    strokes=Output(ids.STROKES, "data"),
                    background=Output(ids.CANVAS, "image_content"),
                    version=Output(ids.CANVAS_VERSION, "data")),
        inputs=dict(_saved=Input(ids.CANVAS, "trigger"), _cleared=Input(ids.CLEAR, "n_clicks"),
                    selected=Input(ids.PREDICT_RUNS, "value"),
                    json_data=State(ids.CANVAS, "json_data"),
                    kept=State(ids.STROKES, "data"),
                    version=State(ids.CANVAS_VERSION, "data")),
    )
    def draw_and_predict(_saved, _cleared, selected, json_data, kept, version):
        # One round trip from a stroke to the answer: the canvas's data is read
        # and predicted here, and the strokes are kept as a side output, so
        # choosing other models predicts the same drawing again without it.
        unchanged = dict(strokes=no_update, background=no_update, version=no_update)
        trigger = ctx.triggered_id
        if trigger == ids.CLEAR:
            # A new background is what makes the canvas wipe itself.
            version = (version or 0) + 1
            strokes = None
            unchanged = dict(strokes=None, background=canvas.blank_background(version % 2),
                             version=version)
        elif trigger == ids.CANVAS:
            strokes = canvas.strokes_from_json(json_data)
            unchanged = {**unchanged, "strokes": strokes}
        else:
            strokes = kept if isinstance(kept, list) else None
        if not chosen_runs(selected):
            return dict(cards=[], model_input=None, input_image="", answer=None, **unchanged)
        cards, image, labels = predict_strokes(runs_dir, strokes, selected, jobs.index)
        if image is None:
            return dict(cards=cards, model_input=None, input_image="", answer=None,
                        **unchanged)
        return dict(cards=cards, model_input=np.round(image, 4).tolist(),
                    input_image=digit_data_uri(unscale_pixels(image), scale=4),
                    answer=labels[0] if labels else None, **unchanged)

    @app.callback(
        Output(ids.TEST_RESULTS, "children"),
        Input(ids.TEST_DIGITS, "n_clicks"),
        State(ids.TEST_COUNT, "value"), State(ids.PREDICT_RUNS, "value"),
        prevent_initial_call=True,
    )
    def test_on_mnist(n_clicks, count, selected):
        if not chosen_runs(selected):
            return html.Div(NO_SELECTION_MESSAGE, className="hint")
        return mnist_test_results(runs_dir, selected, count, seed=n_clicks)
