"""Figures as pure functions: data in, a Plotly figure (as a plain dict) out.

Plain dicts rather than `plotly.graph_objects`: building a validated
`go.Figure` with subplots costs 50-150 ms of server time, too slow for
callbacks that must answer within 100 ms while training runs; a dict in the
same schema costs well under a millisecond and renders identically.

The live charts are created once with empty traces in a fixed order and then
grown with `extendData`; `BATCH_TRACES` / `EPOCH_TRACES` / `EPOCH_TIME_TRACES`
name that order.
"""

import math

import numpy as np

from mnist_keras.prediction import confidence_level

BATCH_TRACES = ("batch_loss", "batch_accuracy")
EPOCH_TRACES = ("loss", "val_loss", "accuracy", "val_accuracy")
EPOCH_TIME_TRACES = ("epoch_seconds", "learning_rate")

LOSS_COLOR, ACCURACY_COLOR = "#d62728", "#1f77b4"


def _layout(title, height, **axes):
    # The title sits left, clear of Plotly's toolbar (top right, on hover). The
    # legend hangs below the x axis's title, far enough not to touch it; Plotly
    # grows the bottom margin to fit it, however many rows it wraps into on a
    # narrow screen. Transparent backgrounds let the light or dark theme show.
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "height": height, "template": "plotly_white",
        "margin": {"l": 55, "r": 55, "t": 40, "b": 40},
        "legend": {"orientation": "h", "y": -0.32, "yanchor": "top", "x": 0,
                   "xanchor": "left"},
        "uirevision": "keep", "plot_bgcolor": "rgba(0,0,0,0)",
        "paper_bgcolor": "rgba(0,0,0,0)", **axes,
    }


def _waiting(layout, message):
    # No points yet: no axes to read (Plotly would draw them from -1 to 6).
    for axis in [key for key in layout if key.startswith(("xaxis", "yaxis"))]:
        layout[axis] = {**layout[axis], "visible": False}
    layout["annotations"] = [{"text": message, "showarrow": False, "xref": "paper",
                              "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 13}}]
    layout["showlegend"] = False
    return layout


def epoch_ticks(epochs):
    """Axis settings that put ticks on whole epochs only (about ten at most).

    >>> epoch_ticks(2)["dtick"], epoch_ticks(60)["dtick"]
    (1, 6)
    """
    return {"tickmode": "linear", "tick0": 1, "dtick": max(1, math.ceil((epochs or 1) / 10))}


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
    layout = _layout("Per batch", 320, xaxis={"title": {"text": "step"}},
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
    layout = _layout("Per epoch", 440,
                     xaxis={"title": {"text": "epoch"}, "anchor": "y2", **ticks},
                     yaxis={"title": {"text": "loss"}, "domain": [0.55, 1]},
                     yaxis2={"title": {"text": "accuracy"}, "domain": [0, 0.45]})
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
    layout = _layout("Epoch time and learning rate", 320,
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


def confusion_matrix_figure(matrix, class_names, title="Confusion matrix"):
    """A heatmap of counts: rows are true labels, columns predictions."""
    labels = [str(name) for name in class_names]
    # Explicit colours and row order: plotly.js reads a named scale like
    # "Blues" dark-to-light (plotly.py light-to-dark), its automatic text
    # colour left some counts white on white, and it ignored a reversed
    # autorange on this category axis; label 0 belongs on the top row.
    data = [{"type": "heatmap", "z": matrix, "x": labels, "y": labels, "text": matrix,
             "texttemplate": "%{text}", "textfont": {"color": "#111827"},
             "colorscale": [[0, "#f8fafc"], [1, "#60a5fa"]], "showscale": False,
             "hovertemplate": "true %{y}, predicted %{x}: %{z}<extra></extra>"}]
    layout = _layout(title, 460, xaxis={"title": {"text": "predicted"}, "type": "category"},
                     yaxis={"title": {"text": "true"}, "type": "category",
                            "categoryorder": "array", "categoryarray": labels[::-1]})
    return {"data": data, "layout": layout}


def empty_figure(message):
    """A blank figure that says why it is blank."""
    layout = _layout("", 300, xaxis={"visible": False}, yaxis={"visible": False},
                     annotations=[{"text": message, "showarrow": False,
                                   "font": {"size": 14}, "xref": "paper", "yref": "paper",
                                   "x": 0.5, "y": 0.5}])
    return {"data": [], "layout": layout}


# The colour of each confidence level (`mnist_keras.confidence_level`).
LEVEL_COLORS = {"high": "#16a34a", "medium": "#ca8a04", "low": "#dc2626"}


def confidence_color(confidence):
    """The colour of a prediction's confidence (a probability in [0, 1])."""
    return LEVEL_COLORS[confidence_level(confidence)]


def probability_figure(probabilities, class_names=None):
    """Bars of all 10 class probabilities; the predicted class in its confidence colour."""
    labels = [str(name) for name in (class_names or range(len(probabilities)))]
    best = max(range(len(probabilities)), key=lambda i: probabilities[i])
    colors = ["#cbd5e1"] * len(probabilities)
    colors[best] = confidence_color(probabilities[best])
    data = [{"type": "bar", "x": labels, "y": [float(p) for p in probabilities],
             "marker": {"color": colors},
             "hovertemplate": "%{x}: %{y:.1%}<extra></extra>"}]
    what = "digit" if labels == [str(d) for d in range(10)] else "class"
    layout = _layout("", 200, xaxis={"type": "category", "title": {"text": what}},
                     yaxis={"range": [0, 1], "tickformat": ".0%"}, showlegend=False)
    layout["margin"] = {"l": 45, "r": 10, "t": 10, "b": 40}
    return {"data": data, "layout": layout}


def mosaic(tiles, columns):
    """Lays 2-D tiles of one shape out in a grid, one NaN row/column between them.

    Args:
        tiles: array (count, height, width).
        columns: tiles per row.

    Returns:
        2-D float array; NaN shows as a gap in a heatmap.
    """
    count, height, width = tiles.shape
    rows = -(-count // columns)
    grid = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for index in range(count):
        top, left = (index // columns) * (height + 1), (index % columns) * (width + 1)
        grid[top:top + height, left:left + width] = tiles[index]
    return grid


def _rounded(grid):
    # NaN (a gap) goes to JSON as null; 4 decimals are plenty on hover and keep
    # a dense layer's 200,000 weights quick to send.
    rounded = np.round(grid, 4).astype(object)
    rounded[np.isnan(grid)] = None
    return rounded.tolist()


def heatmap_grid_figure(tiles, title, columns=8, colorscale="Viridis", symmetric=False,
                        tile_label="channel", square=True, width=720, x_title=None,
                        y_title=None):
    """A grid of heatmaps (one per tile) as a single heatmap trace.

    Args:
        tiles: array (count, height, width): feature maps or kernels.
        title: the figure title.
        columns: tiles per row.
        colorscale: a Plotly colour scale name.
        symmetric: centre the colour scale on 0 (for weights).
        tile_label: what a tile is, for hover text.
        square: square pixels (images, kernels); False lets one big matrix
            fill the figure's width instead of shrinking to a strip.
        width: the width the figure is sized for, in pixels.
        x_title, y_title: axis titles (shown for a single matrix).
    """
    tiles = np.asarray(tiles, dtype=np.float64)
    columns = max(1, min(columns, len(tiles)))
    grid = mosaic(tiles, columns)
    height, tile_width = tiles.shape[1:]
    number = [[(r // (height + 1)) * columns + c // (tile_width + 1)
               for c in range(grid.shape[1])] for r in range(grid.shape[0])]
    trace = {"type": "heatmap", "z": _rounded(grid), "customdata": number,
             "colorscale": colorscale, "hoverongaps": False,
             "hovertemplate": f"{tile_label} %{{customdata}}: %{{z}}<extra></extra>",
             "colorbar": {"thickness": 10, "len": 0.9}}
    if symmetric:
        limit = float(np.nanmax(np.abs(tiles))) or 1.0
        trace.update(zmin=-limit, zmax=limit, zmid=0)
    rows, cells = grid.shape
    if square:
        # Pixels as large as the width allows (at most 24 px), so a 3x3 kernel
        # grid is readable and the colour bar has room beside it.
        pixel = max(2, min(24, (width - 80) // cells))
        figure_height = max(140, 60 + rows * pixel)
        xaxis = {"visible": False, "scaleanchor": "y", "constrain": "domain"}
        yaxis = {"visible": False, "autorange": "reversed", "constrain": "domain"}
    else:
        figure_height = 360
        xaxis = {"title": {"text": x_title or ""}, "showgrid": False}
        yaxis = {"title": {"text": y_title or ""}, "autorange": "reversed", "showgrid": False}
    layout = _layout(title, figure_height, xaxis=xaxis, yaxis=yaxis)
    layout["margin"] = ({"l": 10, "r": 10, "t": 40, "b": 10} if square
                        else {"l": 55, "r": 10, "t": 40, "b": 45})
    return {"data": [trace], "layout": layout}


def activation_flow_figure(flow):
    """Per layer, in order: mean |activation| (bars) and the share of units active (line)."""
    names = [row["name"] for row in flow]
    shapes = ["×".join(str(d) for d in row["output_shape"]) for row in flow]
    data = [
        {"type": "bar", "name": "mean |activation|", "x": names,
         "y": [row["mean"] for row in flow], "customdata": shapes,
         "marker": {"color": "#93c5fd"},
         "hovertemplate": "%{x} (%{customdata}): mean %{y:.3f}<extra></extra>"},
        {"type": "scatter", "mode": "lines+markers", "name": "units active", "x": names,
         "y": [row["active_fraction"] for row in flow], "yaxis": "y2",
         "line": {"color": "#f97316"},
         "hovertemplate": "%{x}: %{y:.0%} active<extra></extra>"},
    ]
    layout = _layout("Activation flow for this drawing", 360,
                     xaxis={"type": "category", "tickangle": -40, "automargin": True},
                     yaxis={"title": {"text": "mean |activation|"}},
                     yaxis2={"title": {"text": "units active"}, "overlaying": "y",
                             "side": "right", "range": [0, 1.05], "tickformat": ".0%",
                             "tickmode": "linear", "dtick": 0.25, "showgrid": False})
    # Rotated layer names need room below the axis, and the legend sits on top
    # so it never covers them.
    layout["margin"] = {"l": 60, "r": 60, "t": 70, "b": 20}
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}
    layout["title"]["y"] = 0.97
    return {"data": data, "layout": layout}


_RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def comparison_figure(histories):
    """Loss (top) and accuracy (bottom) per epoch of several runs, one colour per run.

    Args:
        histories: `{run_name: epoch records}`; validation curves dotted.
    """
    data = []
    for index, (name, records) in enumerate(histories.items()):
        color = _RUN_COLORS[index % len(_RUN_COLORS)]
        epochs = [r["epoch"] for r in records]
        for key, axis, dash, label in (("loss", "y", "solid", "train loss"),
                                       ("val_loss", "y", "dot", "validation loss"),
                                       ("accuracy", "y2", "solid", "train accuracy"),
                                       ("val_accuracy", "y2", "dot", "validation accuracy")):
            values = [r.get(key) for r in records]
            if not any(v is not None for v in values):
                continue
            data.append({"type": "scatter", "mode": "lines+markers", "x": epochs, "y": values,
                         "name": f"{name} · {label}", "legendgroup": name, "yaxis": axis,
                         "line": {"color": color, "dash": dash}})
    epochs = max((r["epoch"] for records in histories.values() for r in records), default=1)
    layout = _layout("Runs compared, per epoch", 520,
                     xaxis={"title": {"text": "epoch"}, "anchor": "y2", **epoch_ticks(epochs)},
                     yaxis={"title": {"text": "loss"}, "domain": [0.55, 1]},
                     yaxis2={"title": {"text": "accuracy"}, "domain": [0, 0.45]})
    layout["legend"] = {**layout["legend"], "font": {"size": 11}, "y": -0.18}
    return {"data": data, "layout": layout}
