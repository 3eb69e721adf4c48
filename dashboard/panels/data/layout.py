"""The Data panel's layout: random training images with their labels."""

from dash import html

from dashboard.shared import ids
from dashboard.shared.components import button, panel


def dataset_panel():
    """A grid of random training images with their labels."""
    return panel("data", "Dataset preview", [
        button("Reshuffle", ids.RESHUFFLE, small=True),
        html.Div(id=ids.PREVIEW, className="gallery"),
    ])
