"""Figures more than one panel draws, and the layout every figure shares.

Figures are pure functions: data in, a Plotly figure (as a plain dict) out.
Plain dicts rather than `plotly.graph_objects`: building a validated
`go.Figure` with subplots costs 50-150 ms of server time, too slow for
callbacks that must answer within 100 ms while training runs; a dict in the
same schema costs well under a millisecond and renders identically. Each
panel keeps its own figures in its folder (`panels/<panel>/figures.py`) and
builds them on `base_layout`.
"""

import html
import math

LOSS_COLOR, ACCURACY_COLOR = "#d62728", "#1f77b4"


def base_layout(title, height, **axes):
    """The layout every figure shares: title, height, margins, legend, theme-neutral colours.

    `axes` adds or replaces layout keys (`xaxis`, `yaxis`, `annotations`). The title is
    shown literally (`plain`): it may hold run, class or layer names.
    """
    # The title sits left, clear of Plotly's toolbar (top right, on hover). The
    # legend hangs below the x axis's title, far enough not to touch it; Plotly
    # grows the bottom margin to fit it, however many rows it wraps into on a
    # narrow screen. Transparent backgrounds let the light or dark theme show.
    return {
        "title": {"text": plain(title), "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "height": height, "template": "plotly_white",
        "margin": {"l": 55, "r": 55, "t": 40, "b": 40},
        "legend": {"orientation": "h", "y": -0.32, "yanchor": "top", "x": 0,
                   "xanchor": "left"},
        "uirevision": "keep", "plot_bgcolor": "rgba(0,0,0,0)",
        "paper_bgcolor": "rgba(0,0,0,0)", **axes,
    }


def plain(text):
    """Text shown literally in a figure: Plotly reads `<b>`, `<a href>` and the like in
    labels, titles and legends as markup, so names from a dataset (a class folder called
    `<b>7</b>`) are escaped first.

    >>> plain("<a href='x'>1</a>")
    "&lt;a href='x'&gt;1&lt;/a&gt;"
    """
    return html.escape(str(text), quote=False)


def epoch_ticks(epochs):
    """Axis settings that put ticks on whole epochs only (about ten at most).

    >>> epoch_ticks(2)["dtick"], epoch_ticks(60)["dtick"]
    (1, 6)
    """
    return {"tickmode": "linear", "tick0": 1, "dtick": max(1, math.ceil((epochs or 1) / 10))}


CONFUSION_SCALE = [[0, "rgba(37, 99, 235, 0)"], [1, "rgba(37, 99, 235, 0.75)"]]


def confusion_matrix_figure(matrix, class_names, title="Confusion matrix"):
    """A heatmap of counts: rows are true labels, columns predictions."""
    labels = [plain(name) for name in class_names]
    # Explicit colours and row order: plotly.js reads a named scale like
    # "Blues" dark-to-light (plotly.py light-to-dark), its automatic text
    # colour left some counts white on white, and it ignored a reversed
    # autorange on this category axis; label 0 belongs on the top row.
    # The scale is one blue from transparent to 75% opaque: an empty cell is
    # the page itself, white or dark (opaque white cells were bright blocks in
    # the dark theme), and the counts, dark in the light theme and light in
    # the dark one (style.css), keep at least 4.5:1 on every shade.
    data = [{"type": "heatmap", "z": matrix, "x": labels, "y": labels, "text": matrix,
             "texttemplate": "%{text}", "textfont": {"color": "#111827"},
             "colorscale": CONFUSION_SCALE, "showscale": False,
             "hovertemplate": "true %{y}, predicted %{x}: %{z}<extra></extra>"}]
    layout = base_layout(title, 460,
                         xaxis={"title": {"text": "predicted"}, "type": "category"},
                         yaxis={"title": {"text": "true"}, "type": "category",
                                "categoryorder": "array", "categoryarray": labels[::-1]})
    return {"data": data, "layout": layout}


def empty_figure(message):
    """A blank figure that says why it is blank."""
    layout = base_layout("", 300, xaxis={"visible": False}, yaxis={"visible": False},
                     annotations=[{"text": message, "showarrow": False,
                                   "font": {"size": 14}, "xref": "paper", "yref": "paper",
                                   "x": 0.5, "y": 0.5}])
    return {"data": [], "layout": layout}


# One colour per run where runs are drawn together (comparison, calibration).
RUN_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def reliability_figure(calibrations, title="Calibration"):
    """Accuracy against confidence per bin, one line per run, and the diagonal.

    Args:
        calibrations: `{name: Calibration}`; the ECE goes into each name.
        title: the figure's title.
    """
    data = [{"type": "scatter", "mode": "lines", "x": [0, 1], "y": [0, 1],
             "name": "perfectly calibrated", "line": {"color": "#9ca3af", "dash": "dot"},
             "hoverinfo": "skip"}]
    for index, (name, report) in enumerate(calibrations.items()):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        data.append({
            "type": "scatter", "mode": "lines+markers", "x": list(report.confidence),
            "y": list(report.accuracy), "customdata": list(report.counts),
            "name": f"{name} · ECE {100 * report.ece:.2f}%", "line": {"color": color},
            "marker": {"size": [max(5, min(16, 4 + count ** 0.4)) for count in report.counts]},
            "hovertemplate": "confidence %{x:.1%}: right %{y:.1%} of %{customdata} "
                             "digits<extra></extra>"})
    layout = base_layout(title, 380, xaxis={"title": {"text": "confidence (top probability)"},
                                        "range": [0, 1.02], "tickformat": ".0%"},
                     yaxis={"title": {"text": "accuracy"}, "range": [0, 1.02],
                            "tickformat": ".0%"})
    return {"data": data, "layout": layout}
