"""Dataset preview: random training digits with their labels, reshuffled on request."""

import numpy as np
from dash import Input, Output, html

from dashboard import ids
from dashboard.images import digit_data_uri
from dashboard.runs_view import raw_images

PREVIEW_COUNT = 40


def preview_tiles(seed, count=PREVIEW_COUNT):
    """Tiles of `count` random training digits, the same for the same seed."""
    train_images, train_labels, _, _ = raw_images()
    picks = np.random.default_rng(seed).choice(len(train_images), size=count, replace=False)
    return [html.Figure(className="tile", children=[
        html.Img(src=digit_data_uri(train_images[i]), alt=f"training digit {i}"),
        html.Figcaption(f"{train_labels[i]}"),
    ]) for i in picks]


def register(app, jobs, runs_dir):
    @app.callback(Output(ids.PREVIEW, "children"), Input(ids.RESHUFFLE, "n_clicks"))
    def reshuffle(n_clicks):
        return html.Div(preview_tiles(seed=n_clicks), className="tiles")
