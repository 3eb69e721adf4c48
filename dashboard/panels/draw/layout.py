"""The Draw panel's layout: the canvas, the models' answers, why they answered, test digits."""

from dash import dcc, html
from dash_canvas import DashCanvas

from dashboard.panels.draw import canvas
from dashboard.shared import ids
from dashboard.shared.components import button, field, hint, number, panel, registry_dropdown
from dashboard.shared.limits import MAX_PREDICT_RUNS, TEST_COUNT_DEFAULT, TEST_COUNT_MAX
from mnist_keras.drawing_pad import PAD_SIZE, PAUSE_MS, PEN_WIDTH
from mnist_keras.personal import DEFAULT_NAME
from mnist_keras.registries import ATTACK_METHODS, SALIENCY_METHODS

# Squares on each side of the keyboard pad (keyboard.js has the same number).
KEY_PAD_SIZE = 14


def drawing_panel():
    """The drawing canvas, the models that predict it, and Test on test digits."""
    pad = DashCanvas(
        id=ids.CANVAS, width=canvas.COMPONENT_WIDTH, height=canvas.CANVAS_SIZE,
        lineWidth=canvas.LINE_WIDTH, lineColor="black", tool="pencil",
        image_content=canvas.blank_background(0), goButtonTitle="Save",
        hide_buttons=["zoom", "pan", "line", "pencil", "rectangle", "select", "undo"])
    return panel("draw", "Draw a digit", className="panel wide draw-panel", children=[
        dcc.Store(id=ids.STROKES),
        dcc.Store(id=ids.MODEL_INPUT),
        dcc.Store(id=ids.CANVAS_VERSION, data=0),
        dcc.Store(id=ids.ANSWER),
        dcc.Store(id=ids.ASKED_DIGIT),
        html.Div(className="draw-row", children=[
            html.Div(className="draw-column", children=[
                # drawing.js reads the pause from the box, so it is never restated there.
                html.Div(id=ids.CANVAS_BOX, className="drawing-canvas disabled",
                         **{"data-pause-ms": str(PAUSE_MS)}, children=[
                    pad,
                    html.Div(id=ids.CANVAS_MESSAGE, className="canvas-message",
                             children="Train a model first: no finished run yet."),
                ]),
                html.Div(className="field-row buttons", children=[
                    button("Clear", ids.CLEAR),
                    button("Predict", ids.PREDICT, kind="primary"),
                ]),
                html.Div("Draw with the mouse, a finger or the keyboard (below); the "
                         f"prediction follows {PAUSE_MS / 1000:g} s after the last stroke.",
                         className="hint"),
                keyboard_pad(),
                html.Div(className="model-input", children=[
                    html.Div("What the model sees (28×28)", className="field-label"),
                    html.Img(id=ids.MODEL_INPUT_IMAGE, alt="the model's 28x28 input"),
                ]),
            ]),
            html.Div(className="predict-column", children=[
                field(f"Models (finished runs, up to {MAX_PREDICT_RUNS} side by side)",
                       dcc.Dropdown(id=ids.PREDICT_RUNS, multi=True, options=[], value=None,
                                    placeholder="Select a finished run")),
                html.Div(id=ids.PREDICTIONS, className="predictions"),
                answer_section(),
                why_section(),
            ]),
        ]),
        html.H3("Test on test digits"),
        html.Div(className="field-row test-row", children=[
            field("How many", number(ids.TEST_COUNT, TEST_COUNT_DEFAULT, 1,
                                       TEST_COUNT_MAX)),
            button("Test on test digits", ids.TEST_DIGITS, small=True),
        ]),
        html.Div("Random test images the models never trained on, predicted by each "
                 "selected model. Each caption shows the model's answer, then the truth "
                 "when it is wrong (\"5, is 3\"); green frames are right, red ones wrong.",
                 className="hint"),
        html.Div(id=ids.TEST_RESULTS),
    ])


def keyboard_pad():
    """A 14x14 grid drawn with keys, for anyone who cannot use a pointer (`keyboard.js`).

    Its squares become pen strokes given to the canvas as the canvas gives its
    own, so everything a drawing does, a keyboard drawing does.
    """
    return html.Details(className="key-pad-box", children=[
        html.Summary("Draw with the keyboard"),
        html.Div(
            id=ids.KEY_PAD, className="key-pad", tabIndex="0", role="application",
            children=[html.Div(className="key-cell") for _ in range(KEY_PAD_SIZE ** 2)],
            **{"aria-label": "Keyboard drawing grid, 14 by 14 squares",
               "aria-describedby": ids.KEY_PAD_HELP, "data-canvas": ids.CANVAS,
               "data-canvas-box": ids.CANVAS_BOX, "data-status": ids.KEY_PAD_STATUS,
               "data-pad-size": str(PAD_SIZE), "data-pen-width": str(PEN_WIDTH)}),
        html.Div(id=ids.KEY_PAD_STATUS, className="hint", role="status",
                 **{"aria-live": "polite"}),
        html.Div(id=ids.KEY_PAD_HELP, className="hint", children=(
            "Tab to the grid, then: arrow keys move, Space inks or clears a square, "
            "Shift with an arrow inks as it moves, Delete clears, Enter predicts at once.")),
    ])


def why_section():
    """Saliency and the adversarial drawing, one card per selected model."""
    return html.Div(className="why", children=[
        html.H3("Why this answer?"),
        hint("Left: the pixels the answer rests on, brightest where the evidence is "
             "strongest. Right: the smallest change to your drawing that makes the model "
             "answer something else. It often looks the same to you: models can be "
             "brittle."),
        html.Div(className="field-row why-controls", children=[
            field("Saliency method", registry_dropdown(ids.WHY_METHOD, SALIENCY_METHODS, "gradcam"),
                  "Grad-CAM: where the last conv layer looked (coarse). Integrated "
                  "gradients and SmoothGrad: pixel by pixel, any model."),
            field("Attack", registry_dropdown(ids.WHY_ATTACK, ATTACK_METHODS, "fgsm"),
                  "epsilon is how much any one pixel may change (0 to 1): FGSM takes one "
                  "step, PGD several smaller ones and finds smaller changes."),
        ]),
        html.Div(id=ids.WHY_CARDS, className="why-cards"),
    ])


def answer_section():
    """Right, or the digit it was: each answer keeps the drawing in a personal dataset."""
    return html.Div(className="answer", children=[
        html.H3("Was it right?"),
        html.Div(id=ids.ASK_PROMPT, className="ask-prompt", role="status"),
        html.Div(className="field-row answer-row", children=[
            button("Right", ids.ANSWER_RIGHT, kind="primary", small=True,
                   title="keep the drawing with the answer it got"),
            html.Span("It was:", className="answer-label"),
            html.Div(className="answer-digits", role="group",
                     **{"aria-label": "the digit it was"}, children=[
                # drawing.js presses the button whose data-key is the key pressed.
                button(str(digit), f"{ids.ANSWER_DIGIT}{digit}", small=True,
                       title=f"keep the drawing as a {digit} (key {digit})",
                       **{"data-key": str(digit)})
                for digit in range(10)]),
        ]),
        html.Div(className="field-row", children=[
            field("Save to", dcc.Dropdown(id=ids.SAVE_TO, options=[], value=DEFAULT_NAME,
                                          clearable=False), help_id=ids.SAVE_TO),
            field("Write digits", dcc.Checklist(id=ids.WRITE_MODE, value=[], options=[
                {"label": " ask me for each digit in turn", "value": "on"}]),
                help_id=ids.WRITE_MODE),
        ]),
        hint("Each answer keeps your drawing, its strokes and what the model saw in a "
             "personal dataset (see Your handwriting), then clears the pad for the next. "
             "The keys 0-9 answer too."),
        html.Div(id=ids.ANSWER_MESSAGE, className="job-message", role="status"),
    ])
