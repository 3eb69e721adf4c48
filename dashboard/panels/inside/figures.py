"""The Inside panel's figures: feature maps and kernels as heatmap grids, the activation flow."""

import numpy as np

from dashboard.shared.figures import base_layout, plain


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
    layout = base_layout(title, figure_height, xaxis=xaxis, yaxis=yaxis)
    layout["margin"] = ({"l": 10, "r": 10, "t": 40, "b": 10} if square
                        else {"l": 55, "r": 10, "t": 40, "b": 45})
    return {"data": [trace], "layout": layout}


def activation_flow_figure(flow):
    """Per layer, in order: mean |activation| (bars) and the share of units active (line)."""
    names = [plain(row["name"]) for row in flow]
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
    layout = base_layout("Activation flow for this drawing", 360,
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
