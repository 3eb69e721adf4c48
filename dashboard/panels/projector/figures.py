"""The Projector panel's map: test digits by the model's view of them, the drawing as a star."""

from dashboard.shared.figures import base_layout, plain

# Ten distinguishable colours, one per digit (Plotly's D3 palette).
LABEL_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                "#7f7f7f", "#bcbd22", "#17becf")

# The map's traces: one per label, then the ringed mistakes, then the star.
MISTAKES_TRACE = 10
STAR_TRACE = 11


def projector_figure(projection, class_names=None, star=None):
    """The map of a `Projection`: a trace per true label, mistakes ringed, the star last.

    Each point carries `[test index, true, predicted, confidence]` as customdata,
    for hover, clicks and lasso selections.
    """
    names = [plain(n) for n in (class_names or range(10))]
    data = []
    points = list(zip(projection.indices, projection.labels, projection.predicted,
                      projection.confidence, projection.x, projection.y))
    for label in range(len(names)):
        mine = [p for p in points if p[1] == label]
        data.append({
            "type": "scatter", "mode": "markers", "name": names[label],
            "x": [p[4] for p in mine], "y": [p[5] for p in mine],
            "customdata": [[p[0], p[1], p[2], round(p[3], 4)] for p in mine],
            "marker": {"size": 5, "color": LABEL_COLORS[label % len(LABEL_COLORS)],
                       "opacity": 0.75},
            "hovertemplate": "test digit %{customdata[0]}: true %{customdata[1]}, read as "
                             "%{customdata[2]} (%{customdata[3]:.0%})<extra></extra>"})
    wrong = [p for p in points if p[1] != p[2]]
    data.append({
        "type": "scatter", "mode": "markers", "name": f"mistakes ({len(wrong)})",
        "x": [p[4] for p in wrong], "y": [p[5] for p in wrong],
        "customdata": [[p[0], p[1], p[2], round(p[3], 4)] for p in wrong],
        "marker": {"size": 11, "color": "rgba(0,0,0,0)", "line": {"color": "#111827",
                                                                   "width": 1.5}},
        "hovertemplate": "mistake: test digit %{customdata[0]}, true %{customdata[1]}, read "
                         "as %{customdata[2]} (%{customdata[3]:.0%})<extra></extra>"})
    data.append(star_trace(star))
    layout = base_layout(f"{projection.method.upper()} map of {len(points):,} test digits "
                     "(penultimate layer)", 560,
                     xaxis={"visible": False}, yaxis={"visible": False})
    # No axes to label: the map keeps the margins for itself (on a phone they
    # were a third of its width).
    layout.update(dragmode="lasso", hovermode="closest", clickmode="event+select",
                  margin={"l": 8, "r": 8, "t": 40, "b": 40})
    layout["legend"] = {**layout["legend"], "itemsizing": "constant"}
    return {"data": data, "layout": layout}


def star_trace(star=None):
    """The drawing's star: `star` is `(x, y)` or None (then the trace is empty)."""
    x, y = ([star[0]], [star[1]]) if star else ([], [])
    return {"type": "scatter", "mode": "markers", "name": "your drawing", "x": x, "y": y,
            "marker": {"symbol": "star", "size": 22, "color": "#facc15",
                       "line": {"color": "#111827", "width": 1.5}},
            "hovertemplate": "your drawing<extra></extra>"}
