"""A sweep's figures, by Optuna's own plots: trials in, Plotly figures (plain dicts) out.

`optuna.visualization` draws from a study; here it gets an in-memory study
holding a copy of the finished trials, so each function stays pure (the same
trials give the same figure) and never touches the shared storage. The
figures are built only when the set of finished trials changes, not on every
poll: parameter importance fits a small random forest (fANOVA), tens to
hundreds of milliseconds.

Optuna's figures are drawn for a wide white page; each is then fitted to this
one (`_fitted`): the shared layout's short left-aligned title (Optuna's
centred one ran under the toolbar and was cut on phones), transparent
backgrounds for the dark theme, axis titles in words, labels that make their
own room instead of overlapping.
"""

import re

from dashboard.shared.figures import base_layout, empty_figure
from dashboard.shared.formatting import said

HEIGHT = 380
# Horizontal room each parallel-coordinates axis needs for its numbers and its
# name: the figure is at least this wide per axis and scrolls sideways in a
# narrower window (squeezed, the numbers of neighbouring axes overlapped).
PARALLEL_AXIS_WIDTH = 88
# Line colours for the worst and the best trial: both at least 3:1 against the
# light and the dark background (Optuna's pale end of Blues vanished on white).
WORST_COLOR, BEST_COLOR = (217, 119, 6), (37, 99, 235)
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


def _study(trials, direction):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction)
    study.add_trials([trial for trial in trials if trial.state.is_finished()])
    return study


def _completed(trials):
    return [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]


def _fitted(figure, title, **axes):
    """Optuna's figure with this page's layout: `axes` replace Optuna's axis settings."""
    data = figure.to_dict()
    layout = data.setdefault("layout", {})
    for key in ("title", "plot_bgcolor", "paper_bgcolor", "legend", "margin"):
        layout.pop(key, None)
    layout.update(base_layout(title, HEIGHT))
    for name, settings in axes.items():
        layout[name] = {**layout.get(name, {}), "automargin": True, **settings}
    return data


def compact_number(text):
    """A tick label in at most about six characters: `0.000116` is `1.2e-4`.

    >>> compact_number("0.000116"), compact_number("0.0202"), compact_number("adam")
    ('1.2e-4', '0.0202', 'adam')
    """
    if not _NUMBER.fullmatch(text):
        return text
    value = float(text)
    if value and abs(value) < 0.001:
        mantissa, exponent = f"{value:.1e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.3g}"


def _mixed(fraction):
    red, green, blue = (round(worst + (best - worst) * fraction)
                        for worst, best in zip(WORST_COLOR, BEST_COLOR))
    return f"rgb({red}, {green}, {blue})"


def parallel_coordinates_figure(trials, direction="maximize"):
    """One line per completed trial across its value and settings (Optuna's parallel coordinates).

    The lines run from orange (the worst trial) to blue (the best); the first
    axis is the value itself, so no colour bar is needed.

    Returns:
        A figure dict; a blank one saying why before the first completed trial.
    """
    from optuna.visualization import plot_parallel_coordinate

    if not _completed(trials):
        return empty_figure("The parallel coordinates appear with the first completed trial.")
    figure = _fitted(plot_parallel_coordinate(_study(trials, direction),
                                              target_name="val_accuracy"),
                     "Settings of each completed trial", xaxis={"tickangle": 0})
    # Optuna colours each line by its value's height on the first axis (0 the
    # lowest value, 1 the highest), and adds one trace only for its colour bar.
    minimizing = direction == "minimize"
    lines = [trace for trace in figure["data"] if trace.get("mode") == "lines"]
    for trace in lines:
        height = trace["y"][0]
        trace["line"] = {**trace.get("line", {}),
                         "color": _mixed(1 - height if minimizing else height)}
        trace["opacity"] = 0.8
    figure["data"] = lines
    for label in figure["layout"].get("annotations", []):
        label["text"] = compact_number(str(label["text"]))
    figure["layout"]["margin"] = {**figure["layout"]["margin"], "r": 20}
    return figure


def parallel_min_width(figure):
    """The least width, in pixels, at which a parallel-coordinates figure's labels never meet."""
    axes = len(figure.get("layout", {}).get("xaxis", {}).get("tickvals", []))
    return PARALLEL_AXIS_WIDTH * axes if axes else 0


def importance_figure(trials, direction="maximize"):
    """How much each setting explains the value (fANOVA importance), as bars."""
    from optuna.visualization import plot_param_importances

    completed = _completed(trials)
    if len(completed) < 2:
        return empty_figure("Parameter importance needs two completed trials.")
    if len({t.value for t in completed}) < 2:
        return empty_figure("Every completed trial scored the same: no setting "
                            "explains a difference.")
    try:
        figure = plot_param_importances(_study(trials, direction))
    except (ValueError, RuntimeError, ZeroDivisionError) as error:
        return empty_figure(f"No importance yet: {said(error)[:120]}")
    # The setting names are the bars' labels; an axis title beside them only
    # ran over the longest (it said "Hyperparameter").
    return _fitted(figure, "Which settings matter",
                   xaxis={"title": {"text": "share of the differences in accuracy "
                                            "(fANOVA)"}},
                   yaxis={"title": {"text": ""}})


def history_figure(trials, direction="maximize"):
    """Each trial's value in order, with the best so far (Optuna's optimisation history)."""
    from optuna.visualization import plot_optimization_history

    if not _completed(trials):
        return empty_figure("The optimisation history appears with the first completed "
                            "trial.")
    figure = plot_optimization_history(_study(trials, direction), target_name="val_accuracy")
    return _fitted(figure, "Each trial and the best so far",
                   xaxis={"title": {"text": "trial"}},
                   yaxis={"title": {"text": "validation accuracy"}})


def finished_key(trials):
    """A key that changes whenever a trial finishes (or the set of trials changes)."""
    return "|".join(f"{t.number}:{t.state.name}" for t in trials if t.state.is_finished())
