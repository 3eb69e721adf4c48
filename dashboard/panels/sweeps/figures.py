"""A sweep's figures, by Optuna's own plots: trials in, Plotly figures (plain dicts) out.

`optuna.visualization` draws from a study; here it gets an in-memory study
holding a copy of the finished trials, so each function stays pure (the same
trials give the same figure) and never touches the shared storage. The
figures are built only when the set of finished trials changes, not on every
poll: parameter importance fits a small random forest (fANOVA), tens to
hundreds of milliseconds.
"""

from dashboard.shared.figures import empty_figure

HEIGHT = 380


def _study(trials, direction):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction)
    study.add_trials([trial for trial in trials if trial.state.is_finished()])
    return study


def _completed(trials):
    return [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]


def _as_dict(figure, title):
    data = figure.to_dict()
    layout = data.setdefault("layout", {})
    layout.update(height=HEIGHT, template="plotly_white", uirevision="keep",
                  title={"text": title}, margin={"l": 60, "r": 40, "t": 50, "b": 50})
    return data


def parallel_coordinates_figure(trials, direction="maximize"):
    """One line per completed trial across its value and settings (Optuna's parallel coordinates).

    Returns:
        A figure dict; a blank one saying why before the first completed trial.
    """
    from optuna.visualization import plot_parallel_coordinate

    if not _completed(trials):
        return empty_figure("The parallel coordinates appear with the first completed trial.")
    figure = plot_parallel_coordinate(_study(trials, direction), target_name="val_accuracy")
    return _as_dict(figure, "Settings and validation accuracy of each completed trial")


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
        return empty_figure(f"No importance yet: {str(error)[:120]}")
    return _as_dict(figure, "Which settings matter (fANOVA importance)")


def history_figure(trials, direction="maximize"):
    """Each trial's value in order, with the best so far (Optuna's optimisation history)."""
    from optuna.visualization import plot_optimization_history

    if not _completed(trials):
        return empty_figure("The optimisation history appears with the first completed "
                            "trial.")
    figure = plot_optimization_history(_study(trials, direction), target_name="val_accuracy")
    return _as_dict(figure, "Optimisation history: each trial and the best so far")


def finished_key(trials):
    """A key that changes whenever a trial finishes (or the set of trials changes)."""
    return "|".join(f"{t.number}:{t.state.name}" for t in trials if t.state.is_finished())
