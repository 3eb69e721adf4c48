"""Inside one selected model: layer summary, activation flow, feature maps, weights."""

import numpy as np
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from dashboard.panels.inside.diagram import diagram
from dashboard.panels.inside.figures import activation_flow_figure, heatmap_grid_figure
from dashboard.shared import ids, loaded_models
from dashboard.shared.figures import empty_figure
from dashboard.shared.formatting import said
from dashboard.shared.runs_view import chosen_runs
from mnist_keras.errors import MnistKerasError

# Feature maps shown per layer: enough to see what a layer picks up, few
# enough that six layers render quickly.
MAX_CHANNELS = 32
# Kernels of a deeper conv layer: this many input channels (rows) of every filter.
MAX_KERNEL_INPUTS = 8
# A first dense layer on 28x28 pixels shows this many units as 28x28 images.
MAX_PIXEL_UNITS = 32


def feature_map_graphs(loaded, image):
    """One grid of heatmaps per conv or pooling layer, for one 28x28 input."""
    from mnist_keras.inspection import feature_maps

    extractor = loaded.feature_extractor
    if extractor is None:
        return html.Div("This model has no conv or pooling layers: no feature maps.",
                        className="hint")
    with loaded.lock:
        maps = feature_maps(loaded.model, image, extractor=extractor)
    graphs = []
    for name, output in maps:
        channels = output.shape[-1]
        shown = min(channels, MAX_CHANNELS)
        title = f"{name} · {output.shape[0]}×{output.shape[1]} · {shown} of {channels} channels"
        tiles = np.moveaxis(output[..., :shown], -1, 0)
        # data-layer: where a click on the layer's block in the diagram scrolls to.
        graphs.append(html.Div(dcc.Graph(figure=heatmap_grid_figure(tiles, title,
                                                                             columns=16),
                                         config={"displayModeBar": False},
                                         className="feature-map"),
                               **{"data-layer": name}))
    return graphs


def weight_tiles(kernel):
    """A Conv2D or Dense kernel as tiles for a heatmap grid: `(tiles, columns, what, note)`.

    Conv2D (kh, kw, in, filters): every filter's kernel for the first few input
    channels, one row of filters per input channel; a first layer (one input
    channel) wraps its filters into rows of 8, so each 3x3 kernel stays
    readable. Dense on the 784 pixels: each unit's weights as a 28x28 image.
    Any other Dense: the whole matrix, units by inputs. `note` says what is
    left out.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim == 4:
        inputs, filters = kernel.shape[2], kernel.shape[3]
        shown = min(inputs, MAX_KERNEL_INPUTS)
        tiles = np.moveaxis(kernel[:, :, :shown, :], (2, 3), (0, 1))
        tiles = tiles.reshape(-1, kernel.shape[0], kernel.shape[1])
        if inputs == 1:
            return tiles, min(filters, 8), "kernel", f"{filters} filters of the input image"
        note = (f"first {shown} of {inputs} input channels (rows), {filters} filters (columns)"
                if shown < inputs else f"{inputs} input channels (rows), {filters} filters "
                                       "(columns)")
        return tiles, filters, "kernel", note
    if kernel.shape[0] == 28 * 28:
        units = min(kernel.shape[1], MAX_PIXEL_UNITS)
        note = f"first {units} of {kernel.shape[1]} units, each over the 28×28 pixels"
        return np.moveaxis(kernel[:, :units].reshape(28, 28, units), -1, 0), 8, "unit", note
    return (kernel.T[np.newaxis], 1, "matrix",
            f"{kernel.shape[1]} units (rows) × {kernel.shape[0]} inputs (columns)")


def weight_layer_options(loaded):
    """Conv layers, and the first Dense layer, as dropdown options."""
    from mnist_keras.inspection import layer_weights

    options, seen_dense = [], False
    for entry in layer_weights(loaded.model):
        if entry["type"] == "Dense":
            if seen_dense:
                continue
            seen_dense = True
        shape = "×".join(str(d) for d in entry["kernel"].shape)
        options.append({"label": f"{entry['name']} ({entry['type']}, {shape})",
                        "value": entry["name"]})
    return options


def weight_figure(loaded, layer_name):
    from mnist_keras.inspection import layer_weights

    entry = next((e for e in layer_weights(loaded.model) if e["name"] == layer_name), None)
    if entry is None:
        return empty_figure("Select a layer.")
    tiles, columns, what, note = weight_tiles(entry["kernel"])
    return heatmap_grid_figure(tiles, f"{layer_name} weights · {note}",
                                       columns=columns, colorscale="RdBu", symmetric=True,
                                       tile_label=what, square=what != "matrix",
                                       x_title="input", y_title="unit")


def summary_rows(loaded):
    from mnist_keras.inspection import layer_summary

    return [{"layer": row["name"], "type": row["type"],
             "output shape": "×".join(str(d) for d in row["output_shape"]),
             "parameters": f"{row['params']:,}", "FLOPs": f"{row['flops']:,}"}
            for row in layer_summary(loaded.model)]


def register(app, jobs, runs_dir):
    # A clicked block scrolls its feature maps into view, in the browser.
    app.clientside_callback(ClientsideFunction("page", "scrollToLayer"),
                            Output(ids.THEME_APPLIED, "data"), Input(ids.FOCUSED_LAYER, "data"),
                            prevent_initial_call=True)
    @app.callback(
        Output(ids.INSPECT_RUN, "options"), Output(ids.INSPECT_RUN, "value"),
        Input(ids.PREDICT_RUNS, "value"), State(ids.INSPECT_RUN, "value"),
    )
    def inspectable_runs(selected, current):
        names = chosen_runs(selected)
        value = current if current in names else (names[0] if names else None)
        return [{"label": name, "value": name} for name in names], value

    @app.callback(
        Output(ids.LAYER_SUMMARY, "data"), Output(ids.WEIGHT_LAYER, "options"),
        Output(ids.WEIGHT_LAYER, "value"), Output(ids.FOCUSED_LAYER, "data"),
        Input(ids.INSPECT_RUN, "value"),
    )
    def describe_model(name):
        if not name:
            return [], [], None, None
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError:
            return [], [], None, None
        options = weight_layer_options(loaded)
        return summary_rows(loaded), options, options[0]["value"] if options else None, None

    @app.callback(
        Output(ids.NETWORK_DIAGRAM, "children"),
        Input(ids.INSPECT_RUN, "value"), Input(ids.FOCUSED_LAYER, "data"),
    )
    def draw_diagram(name, focused):
        # Drawn from the focused layer too, so a redraw never loses the highlight.
        from mnist_keras.inspection import layer_summary

        if not name:
            return html.Div("Select a model above.", className="hint")
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError as error:
            return html.Div(said(error), className="hint")
        return diagram(layer_summary(loaded.model), focused=focused)

    @app.callback(
        Output(ids.FOCUSED_LAYER, "data", allow_duplicate=True),
        Output(ids.WEIGHT_LAYER, "value", allow_duplicate=True),
        Input({"type": ids.LAYER_BLOCK, "layer": ALL}, "n_clicks"),
        State(ids.WEIGHT_LAYER, "options"),
        prevent_initial_call=True,
    )
    def focus_layer(clicks, weight_options):
        # A click on a block shows that layer: its feature maps (scrolled to in
        # the browser) and, for a layer with weights, its weights.
        if not isinstance(ctx.triggered_id, dict) or not any(clicks):
            return no_update, no_update
        layer = ctx.triggered_id["layer"]
        has_weights = layer in {option["value"] for option in weight_options or []}
        return layer, layer if has_weights else no_update

    @app.callback(
        Output(ids.WEIGHT_GRAPH, "figure"),
        Input(ids.WEIGHT_LAYER, "value"), State(ids.INSPECT_RUN, "value"),
    )
    def show_weights(layer_name, name):
        if not (name and layer_name):
            return empty_figure("Select a model to see its weights.")
        try:
            return weight_figure(loaded_models.load(runs_dir, name), layer_name)
        except MnistKerasError as error:
            return empty_figure(said(error))

    @app.callback(
        Output(ids.ACTIVATION_FLOW, "figure"), Output(ids.FEATURE_MAPS, "children"),
        Input(ids.MODEL_INPUT, "data"), Input(ids.INSPECT_RUN, "value"),
    )
    def show_activations(image, name):
        from mnist_keras.inspection import activation_flow

        if not name or image is None:
            return (empty_figure("Draw a digit to see its activations."),
                    html.Div("Draw a digit to see its feature maps.", className="hint"))
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError as error:
            return empty_figure(said(error)), []
        image = np.asarray(image, np.float32)
        extractor = loaded.activation_extractor
        with loaded.lock:
            flow = activation_flow(loaded.model, image, extractor=extractor)
        return activation_flow_figure(flow), feature_map_graphs(loaded, image)
