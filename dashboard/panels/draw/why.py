"""Why this answer? The drawing's saliency map and the adversarial drawing, per model."""

import numpy as np
from dash import Input, Output, html

from dashboard.shared import ids, loaded_models
from dashboard.shared.formatting import said
from dashboard.shared.images import drawing_input, input_uri, saliency_uri
from dashboard.shared.runs_view import chosen_runs
from mnist_keras.errors import MnistKerasError
from mnist_keras.registries import ATTACK_METHODS, SALIENCY_METHODS

MAX_EPSILON = 0.3


def _label(names, index):
    return names[index] if names else str(index)


def saliency_figure(model, image, method, names=None):
    """The saliency map over the input, or a note saying why the method does not apply."""
    from mnist_keras.explain import saliency

    try:
        heat = saliency(model, image, method=method)
    except MnistKerasError as error:
        if method == "gradcam":
            return html.Div("Grad-CAM needs a conv layer and this model has none: choose "
                            "integrated gradients or SmoothGrad.", className="why-note")
        return html.Div(said(error), className="why-note")
    predicted = int(np.argmax(model.predict_on_batch(image.reshape(1, 28, 28, 1))))
    caption = f"{method}: what made it {_label(names, predicted)}"
    if not np.max(heat) > 0:
        # Grad-CAM keeps only evidence for the answer that survives its ReLU:
        # for about 1 digit in 8 of the default CNN nothing does.
        caption = (f"{method}: an empty map for {_label(names, predicted)} (no part of the "
                   "drawing raised the answer through this method; integrated gradients "
                   "or SmoothGrad show it)")
    return html.Figure(className="why-saliency", children=[
        html.Img(src=saliency_uri(image, heat), alt=f"{method} map"),
        html.Figcaption(caption),
    ])


def adversarial_figure(model, image, method, names=None):
    """The smallest change found that flips the answer, with its epsilon."""
    from mnist_keras.explain import adversarial

    found = adversarial(model, image, method=method, max_epsilon=MAX_EPSILON)
    if not found.flipped:
        return html.Figure(className="why-adversarial", children=[
            html.Img(src=input_uri(image), alt="no adversarial drawing found"),
            html.Figcaption(f"{method}: no change of up to {MAX_EPSILON} per pixel flips "
                            f"{_label(names, found.original)}: a robust answer."),
        ])
    return html.Figure(className="why-adversarial", children=[
        html.Img(src=input_uri(found.image), alt="the adversarial drawing"),
        html.Figcaption(f"{method}: epsilon {found.epsilon:.3f} (each pixel changed by at "
                        f"most {100 * found.epsilon:.1f}%) and it reads "
                        f"{_label(names, found.label)} ({100 * found.confidence:.0f}%)",
                        className="adversarial-caption"),
    ])


def why_cards(runs_dir, image, selected, saliency_method, attack_method, index=None):
    """One card per selected model: its saliency map and its adversarial drawing."""
    if image is None:
        return html.Div("Draw a digit to see why each model answers what it does.",
                        className="hint")
    image = drawing_input(image)
    saliency_method = SALIENCY_METHODS.check(saliency_method or "gradcam")
    attack_method = ATTACK_METHODS.check(attack_method or "fgsm")
    cards = []
    for name in chosen_runs(selected):
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError as error:
            cards.append(html.Div(f"{name}: {said(error)}", className="why-card error"))
            continue
        summary = index.get(name) if index else None
        names = summary.class_names if summary else None
        with loaded.lock:
            pair = [saliency_figure(loaded.model, image, saliency_method, names),
                    adversarial_figure(loaded.model, image, attack_method, names)]
        cards.append(html.Div(className="why-card", children=[
            html.Div(name, className="card-title"), html.Div(pair, className="why-pair")]))
    return cards


def register(app, jobs, runs_dir):
    @app.callback(
        Output(ids.WHY_CARDS, "children"),
        inputs=dict(image=Input(ids.MODEL_INPUT, "data"),
                    selected=Input(ids.PREDICT_RUNS, "value"),
                    method=Input(ids.WHY_METHOD, "value"),
                    attack=Input(ids.WHY_ATTACK, "value")),
    )
    def explain_drawing(image, selected, method, attack):
        try:
            return why_cards(runs_dir, image, selected, method, attack, jobs.index)
        except MnistKerasError as error:
            return html.Div(said(error), className="why-note")
