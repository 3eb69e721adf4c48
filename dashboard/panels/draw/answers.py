"""Collect and correct: "right" or "it was N" keeps the drawing in a personal dataset.

Each answer adds the drawing's strokes (and, through the library, its image
and its model input) to the chosen personal dataset, then clears the pad for
the next digit. In "write digits" mode the panel asks for a digit, the one of
which the dataset has fewest, so ten of each come quickly. The keys 0-9 press
the digit buttons (`assets/drawing.js`).
"""

from dash import Input, Output, State, ctx, html, no_update

from dashboard.panels.draw import canvas
from dashboard.shared import ids
from dashboard.shared.formatting import said
from mnist_keras.errors import MnistKerasError
from mnist_keras.personal import DEFAULT_NAME, PersonalDataset, personal_datasets

DIGIT_BUTTONS = [f"{ids.ANSWER_DIGIT}{digit}" for digit in range(10)]


def dataset_options(runs_dir):
    """The personal datasets to save into: the runs folder's, the first one's name at least."""
    names = personal_datasets(runs_dir) or [DEFAULT_NAME]
    return [{"label": name, "value": name} for name in names]


def next_digit(counts, after=None):
    """The digit to ask for: one of which there are fewest, the first such after `after`.

    >>> next_digit({d: 2 for d in range(10)} | {4: 1, 7: 1}, after=4)
    7
    """
    fewest = min(counts.get(digit, 0) for digit in range(10))
    start = -1 if after is None else int(after)
    order = [(start + step) % 10 for step in range(1, 11)]
    return next(digit for digit in order if counts.get(digit, 0) == fewest)


def save_answer(runs_dir, name, label, strokes):
    """Adds the drawing to the dataset `name` as `label`: `(message, counts)`.

    Raises:
        MnistKerasError: for no drawing, a bad name or label, or a drawing
            that is not a digit (then nothing is kept).
    """
    if not strokes:
        raise MnistKerasError("Expected a drawing to keep. Received: an empty pad (draw a "
                              "digit first)")
    dataset = PersonalDataset.open(runs_dir, name or DEFAULT_NAME, create=True)
    dataset.add(label, strokes=canvas.bounded_strokes(strokes), source="dashboard")
    counts = dataset.counts()
    per_digit = " ".join(f"{digit}:{count}" for digit, count in counts.items())
    return (f"Kept as {label} in {dataset.name}: {sum(counts.values())} samples "
            f"({per_digit}).", counts)


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.SAVE_TO, "options"),
        Input(ids.DATASETS_KEY, "data"),
    )
    def list_datasets(_key):
        return dataset_options(runs_dir)

    @app.callback(
        output=dict(asked=Output(ids.ASKED_DIGIT, "data", allow_duplicate=True),
                    prompt=Output(ids.ASK_PROMPT, "children"),
                    right=Output(ids.ANSWER_RIGHT, "children")),
        inputs=dict(mode=Input(ids.WRITE_MODE, "value"), asked=Input(ids.ASKED_DIGIT, "data"),
                    name=State(ids.SAVE_TO, "value")),
        prevent_initial_call="initial_duplicate",
    )
    def ask(mode, asked, name):
        # A callback's own output does not fire it again: a digit it picks is
        # shown in the same answer.
        if "on" not in (mode or []):
            return dict(asked=None if asked is not None else no_update, prompt="",
                        right="Right")
        chosen = asked
        if chosen is None:
            chosen = next_digit(_counts(runs_dir, name))
        return dict(asked=chosen if asked is None else no_update,
                    prompt=html.Span(["Draw a ", html.Strong(str(chosen))]),
                    right=f"Keep as {chosen}")

    @app.callback(
        output=dict(message=Output(ids.ANSWER_MESSAGE, "children"),
                    key=Output(ids.DATASETS_KEY, "data"),
                    asked=Output(ids.ASKED_DIGIT, "data", allow_duplicate=True),
                    cards=Output(ids.PREDICTIONS, "children", allow_duplicate=True),
                    model_input=Output(ids.MODEL_INPUT, "data", allow_duplicate=True),
                    input_image=Output(ids.MODEL_INPUT_IMAGE, "src", allow_duplicate=True),
                    answer=Output(ids.ANSWER, "data", allow_duplicate=True),
                    strokes=Output(ids.STROKES, "data", allow_duplicate=True),
                    background=Output(ids.CANVAS, "image_content", allow_duplicate=True),
                    version=Output(ids.CANVAS_VERSION, "data", allow_duplicate=True)),
        inputs=dict(_right=Input(ids.ANSWER_RIGHT, "n_clicks"),
                    _digits=[Input(button, "n_clicks") for button in DIGIT_BUTTONS],
                    strokes=State(ids.STROKES, "data"), answer=State(ids.ANSWER, "data"),
                    name=State(ids.SAVE_TO, "value"), mode=State(ids.WRITE_MODE, "value"),
                    asked=State(ids.ASKED_DIGIT, "data"), key=State(ids.DATASETS_KEY, "data"),
                    version=State(ids.CANVAS_VERSION, "data")),
        prevent_initial_call=True,
    )
    def keep(_right, _digits, strokes, answer, name, mode, asked, key, version):
        unchanged = {output: no_update for output in ("key", "asked", "cards", "model_input",
                                                      "input_image", "answer", "strokes",
                                                      "background", "version")}
        trigger = ctx.triggered_id
        writing = "on" in (mode or []) and asked is not None
        if trigger == ids.ANSWER_RIGHT:
            label = asked if writing else answer
            if label is None:
                return dict(message="No answer to confirm yet: draw a digit, or press the "
                                    "digit it was.", **unchanged)
        elif trigger in DIGIT_BUTTONS:
            label = int(trigger[len(ids.ANSWER_DIGIT):])
        else:
            return dict(message=no_update, **unchanged)
        try:
            message, counts = save_answer(runs_dir, name, label, strokes)
        except MnistKerasError as error:
            return dict(message=f"Not kept: {said(error)}", **unchanged)
        version = (version or 0) + 1
        return dict(message=message, key=(key or 0) + 1,
                    asked=next_digit(counts, after=label) if writing else no_update,
                    cards=[], model_input=None, input_image="", answer=None, strokes=None,
                    background=canvas.blank_background(version % 2), version=version)


def _counts(runs_dir, name):
    try:
        return PersonalDataset.open(runs_dir, name or DEFAULT_NAME).counts()
    except MnistKerasError:
        return {}
