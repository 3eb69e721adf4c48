"""The live charts of the Progress panel: per batch, per epoch, and time and learning rate.

The charts are created once with empty traces in a fixed order and then
grown with `extendData`; `BATCH_TRACES` / `EPOCH_TRACES` / `EPOCH_TIME_TRACES`
name that order.
"""

from dashboard.shared.figures import ACCURACY_COLOR, LOSS_COLOR, base_layout, epoch_ticks

BATCH_TRACES = ("batch_loss", "batch_accuracy")
EPOCH_TRACES = ("loss", "val_loss", "accuracy", "val_accuracy")
EPOCH_TIME_TRACES = ("epoch_seconds", "learning_rate")


def _waiting(layout, message):
    # No points yet: no axes to read (Plotly would draw them from -1 to 6).
    for axis in [key for key in layout if key.startswith(("xaxis", "yaxis"))]:
        layout[axis] = {**layout[axis], "visible": False}
    layout["annotations"] = [{"text": message, "showarrow": False, "xref": "paper",
                              "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 13}}]
    layout["showlegend"] = False
    return layout


def _hover(records):
    return [f"epoch {r['epoch']} batch {r['batch']}<br>{1000 * r['batch_seconds']:.0f} ms"
            for r in records]


def batch_figure(records=(), empty_message="No batches yet."):
    """Per-batch loss (left axis) and accuracy (right axis), batch time on hover."""
    steps, hover = [r["step"] for r in records], _hover(records)
    data = [
        {"type": "scatter", "mode": "lines", "name": "loss", "x": steps, "text": hover,
         "y": [r.get("batch_loss") for r in records], "line": {"color": LOSS_COLOR}},
        {"type": "scatter", "mode": "lines", "name": "accuracy", "x": steps, "text": hover,
         "y": [r.get("batch_accuracy") for r in records], "yaxis": "y2",
         "line": {"color": ACCURACY_COLOR}},
    ]
    layout = base_layout("Per batch", 320, xaxis={"title": {"text": "step"}},
                     yaxis={"title": {"text": "loss"}, "rangemode": "tozero"},
                     yaxis2={"title": {"text": "accuracy"}, "overlaying": "y", "side": "right",
                             "range": [0, 1], "tickmode": "linear", "dtick": 0.2,
                             "showgrid": False})
    if not records:
        _waiting(layout, empty_message)
    return {"data": data, "layout": layout}


def batch_extension(records):
    """`extendData` for `batch_figure`: (data, trace indices)."""
    steps, hover = [r["step"] for r in records], _hover(records)
    data = {"x": [steps, steps], "y": [[r.get(k) for r in records] for k in BATCH_TRACES],
            "text": [hover, hover]}
    return data, [0, 1]


_EPOCH_STYLES = {
    "loss": ("train loss", LOSS_COLOR, "solid", "y"),
    "val_loss": ("validation loss", LOSS_COLOR, "dot", "y"),
    "accuracy": ("train accuracy", ACCURACY_COLOR, "solid", "y2"),
    "val_accuracy": ("validation accuracy", ACCURACY_COLOR, "dot", "y2"),
}


def epoch_figure(records=(), total_epochs=None, empty_message="No epochs yet."):
    """Training and validation loss (top) and accuracy (bottom) per epoch.

    Args:
        records: epoch records.
        total_epochs: the run's epochs, for whole-epoch ticks; defaults to the
            records'.
        empty_message: what the figure says before the first epoch ends.
    """
    epochs = [r["epoch"] for r in records]
    data = []
    for key in EPOCH_TRACES:
        name, color, dash, axis = _EPOCH_STYLES[key]
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": epochs,
                     "y": [r.get(key) for r in records], "yaxis": axis,
                     "line": {"color": color, "dash": dash}})
    ticks = epoch_ticks(total_epochs or max(epochs_of(records), default=1))
    layout = base_layout("Per epoch", 440,
                     xaxis={"title": {"text": "epoch"}, "anchor": "y2", **ticks},
                     yaxis={"title": {"text": "loss"}, "domain": [0.55, 1]},
                     # Autoranged to the curve (0.98-0.995 late in training), but
                     # never past 0-1: one epoch's point alone spread it to 1.5.
                     yaxis2={"title": {"text": "accuracy"}, "domain": [0, 0.45],
                             "autorangeoptions": {"minallowed": 0, "maxallowed": 1}})
    layout["legend"]["y"] = -0.16  # a fraction of both stacked plots' height
    if not records:
        _waiting(layout, empty_message)
    return {"data": data, "layout": layout}


def epochs_of(records):
    return [r["epoch"] for r in records]


def epoch_extension(records):
    """`extendData` for `epoch_figure`."""
    epochs = [r["epoch"] for r in records]
    data = {"x": [epochs] * len(EPOCH_TRACES),
            "y": [[r.get(k) for r in records] for k in EPOCH_TRACES]}
    return data, list(range(len(EPOCH_TRACES)))


def epoch_time_figure(records=(), total_epochs=None, empty_message="No epochs yet."):
    """Seconds per epoch (bars) and the learning rate (line, log axis)."""
    epochs = [r["epoch"] for r in records]
    data = [
        {"type": "bar", "name": "epoch time (s)", "x": epochs,
         "y": [r.get("epoch_seconds") for r in records], "marker": {"color": "#9ca3af"}},
        {"type": "scatter", "mode": "lines+markers", "name": "learning rate", "x": epochs,
         "y": [r.get("learning_rate") for r in records], "yaxis": "y2",
         "line": {"color": "#2ca02c"}},
    ]
    ticks = epoch_ticks(total_epochs or max(epochs_of(records), default=1))
    layout = base_layout("Epoch time and learning rate", 320,
                     xaxis={"title": {"text": "epoch"}, **ticks},
                     yaxis={"title": {"text": "seconds"}},
                     yaxis2={"title": {"text": "learning rate"}, "overlaying": "y",
                             "side": "right", "type": "log", "showgrid": False,
                             "tickformat": ".0e"})
    if not records:
        _waiting(layout, empty_message)
    return {"data": data, "layout": layout}


def epoch_time_extension(records):
    """`extendData` for `epoch_time_figure`."""
    epochs = [r["epoch"] for r in records]
    data = {"x": [epochs, epochs],
            "y": [[r.get(k) for r in records] for k in EPOCH_TIME_TRACES]}
    return data, [0, 1]
