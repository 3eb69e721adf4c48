"""Inside one selected model: layer summary, activation flow, feature maps, weights."""

import numpy as np
from dash import Input, Output, State, dcc, html

from dashboard import figures, ids, loaded_models
from dashboard.callbacks.drawing import chosen_runs
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
        graphs.append(dcc.Graph(figure=figures.heatmap_grid_figure(tiles, title, columns=16),
                                config={"displayModeBar": False}, className="feature-map"))
    return graphs


def weight_tiles(kernel):
    """A Conv2D or Dense kernel as tiles for a heatmap grid, and what a tile is.

    Conv2D (kh, kw, in, filters): every filter's kernel for the first few input
    channels, one row of filters per input channel. Dense on the 784 pixels:
    each unit's weights as a 28x28 image. Any other Dense: the whole matrix.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim == 4:
        inputs = min(kernel.shape[2], MAX_KERNEL_INPUTS)
        tiles = np.moveaxis(kernel[:, :, :inputs, :], (2, 3), (0, 1))
        return tiles.reshape(-1, kernel.shape[0], kernel.shape[1]), kernel.shape[3], "kernel"
    if kernel.shape[0] == 28 * 28:
        units = min(kernel.shape[1], MAX_PIXEL_UNITS)
        return np.moveaxis(kernel[:, :units].reshape(28, 28, units), -1, 0), 8, "unit"
    return kernel.T[np.newaxis], 1, "matrix"


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
        return figures.empty_figure("Select a layer.")
    tiles, columns, what = weight_tiles(entry["kernel"])
    title = f"{layer_name} weights"
    if what == "kernel":
        title += " · rows: input channels, columns: filters"
    elif what == "unit":
        title += f" · first {len(tiles)} units, each over the 28×28 pixels"
    else:
        title += " · rows: units, columns: inputs"
    return figures.heatmap_grid_figure(tiles, title, columns=columns, colorscale="RdBu",
                                       symmetric=True, tile_label=what)


def summary_rows(loaded):
    from mnist_keras.inspection import layer_summary

    return [{"layer": row["name"], "type": row["type"],
             "output shape": "×".join(str(d) for d in row["output_shape"]),
             "parameters": f"{row['params']:,}", "FLOPs": f"{row['flops']:,}"}
            for row in layer_summary(loaded.model)]


def register(app, jobs, runs_dir):
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
        Output(ids.WEIGHT_LAYER, "value"),
        Input(ids.INSPECT_RUN, "value"),
    )
    def describe_model(name):
        if not name:
            return [], [], None
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError:
            return [], [], None
        options = weight_layer_options(loaded)
        return summary_rows(loaded), options, options[0]["value"] if options else None

    @app.callback(
        Output(ids.WEIGHT_GRAPH, "figure"),
        Input(ids.WEIGHT_LAYER, "value"), State(ids.INSPECT_RUN, "value"),
    )
    def show_weights(layer_name, name):
        if not (name and layer_name):
            return figures.empty_figure("Select a model to see its weights.")
        try:
            return weight_figure(loaded_models.load(runs_dir, name), layer_name)
        except MnistKerasError as error:
            return figures.empty_figure(str(error))

    @app.callback(
        Output(ids.ACTIVATION_FLOW, "figure"), Output(ids.FEATURE_MAPS, "children"),
        Input(ids.MODEL_INPUT, "data"), Input(ids.INSPECT_RUN, "value"),
    )
    def show_activations(image, name):
        from mnist_keras.inspection import activation_flow

        if not name or image is None:
            return (figures.empty_figure("Draw a digit to see its activations."),
                    html.Div("Draw a digit to see its feature maps.", className="hint"))
        try:
            loaded = loaded_models.load(runs_dir, name)
        except MnistKerasError as error:
            return figures.empty_figure(str(error)), []
        image = np.asarray(image, np.float32)
        extractor = loaded.activation_extractor
        with loaded.lock:
            flow = activation_flow(loaded.model, image, extractor=extractor)
        return figures.activation_flow_figure(flow), feature_map_graphs(loaded, image)
