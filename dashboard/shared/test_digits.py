"""Random test digits predicted by each chosen model: the Draw panel's test and the comparison's."""

import numpy as np
from dash import html

from dashboard.shared import loaded_models
from dashboard.shared.formatting import said
from dashboard.shared.images import digit_data_uri
from dashboard.shared.limits import MAX_PREDICT_RUNS, TEST_COUNT_DEFAULT, TEST_COUNT_MAX
from dashboard.shared.runs_view import chosen_runs, raw_dataset
from mnist_keras.datasets.scaling import scale_pixels
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in


def _test_data(runs_dir, name):
    # A run is tested on its own dataset's test images (MNIST for an upload).
    config = run_in(runs_dir, name).config()
    dataset = config.dataset if config else "mnist"
    _, _, images, labels, class_names = raw_dataset(config.data_dir if config else None,
                                                    dataset)
    return images, labels, class_names


def mnist_test_results(runs_dir, selected, count, seed, limit=MAX_PREDICT_RUNS):
    """Tiles of `count` random test images with each model's prediction, per model.

    Each model is tested on its own run's test set (MNIST unless it trained
    on other data); a caption shows the answer, and the truth when wrong.
    """
    count = int(min(max(count or TEST_COUNT_DEFAULT, 1), TEST_COUNT_MAX))
    sections = []
    for name in chosen_runs(selected, limit):
        try:
            test_images, test_labels, names = _test_data(runs_dir, name)
            shown = min(count, len(test_images))
            picks = np.random.default_rng(seed).choice(len(test_images), size=shown,
                                                       replace=False)
            loaded = loaded_models.load(runs_dir, name)
            with loaded.lock:
                predicted = np.asarray(loaded.model.predict_on_batch(
                    scale_pixels(test_images[picks]))).argmax(axis=1)
        except MnistKerasError as error:
            sections.append(html.Div(f"{name}: {said(error)}"))
            continue
        right = int((predicted == test_labels[picks]).sum())
        tiles = [html.Figure(className=f"tile {'correct' if p == t else 'wrong'}", children=[
            html.Img(src=digit_data_uri(test_images[i]), alt=f"test image {i}"),
            html.Figcaption(f"{names[p]}" if p == t else f"{names[p]}, is {names[t]}"),
        ]) for i, p, t in zip(picks, predicted, test_labels[picks])]
        sections.append(html.Div(className="test-section", children=[
            html.Div(f"{name}: {right} of {shown} right", className="card-title"),
            html.Div(tiles, className="tiles"),
        ]))
    return sections
