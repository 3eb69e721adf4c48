"""Dataset preview: random training images of the chosen dataset, with their class names."""

import numpy as np
from dash import Input, Output, html

from dashboard.shared import ids
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.runs_view import raw_dataset
from dashboard.shared.training_form import data_folder
from mnist_keras.errors import MnistKerasError

PREVIEW_COUNT = 40


def preview_tiles(seed, count=PREVIEW_COUNT, dataset="mnist", data_dir=None):
    """Tiles of `count` random training images, the same for the same seed.

    Raises:
        MnistKerasError: for data that cannot be read.
    """
    train_images, train_labels, _, _, class_names = raw_dataset(data_dir, dataset)
    count = min(count, len(train_images))
    picks = np.random.default_rng(seed).choice(len(train_images), size=count, replace=False)
    return [html.Figure(className="tile", children=[
        html.Img(src=digit_data_uri(train_images[i]), alt=f"training image {i}"),
        html.Figcaption(class_names[train_labels[i]]),
    ]) for i in picks]


def register(app, jobs, runs_dir):
    @app.callback(Output(ids.PREVIEW, "children"), Input(ids.RESHUFFLE, "n_clicks"),
                  Input(ids.DATASET, "value"), Input(ids.DATA_DIR, "value"))
    def reshuffle(n_clicks, dataset, data_dir):
        dataset = dataset or "mnist"
        folder = data_folder(dataset, data_dir)
        if dataset != "mnist" and folder is None:
            return html.Div("Choose the data folder to see its images.", className="hint")
        try:
            tiles = preview_tiles(seed=n_clicks, dataset=dataset, data_dir=folder)
        except MnistKerasError as error:
            return html.Div(f"No preview: {said(error)}", className="hint")
        return html.Div(tiles, className="tiles")
