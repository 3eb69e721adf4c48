"""Datasets in the MNIST IDX layout; MNIST itself ships with the package.

Names are imported on first use, so `mnist_keras.datasets.names` (class names)
is light to import.
"""

import importlib

_EXPORTS = {
    "read_idx": "idx",
    "write_idx": "idx",
    "Dataset": "loading",
    "bundled_data_dir": "loading",
    "load_dataset": "loading",
    "load_raw": "loading",
    "read_dataset": "loading",
    "DatasetSummary": "loading",
    "dataset_summary": "loading",
    "folder_layout": "folders",
    "read_image_folder": "folders",
    "FOLDER_DATASETS": "names",
    "stratified_subset": "loading",
    "BUNDLED": "names",
    "CLASS_NAMES": "names",
    "PIXEL_SCALE": "scaling",
    "scale_pixels": "scaling",
    "unscale_pixels": "scaling",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mnist_keras.datasets' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mnist_keras.datasets.{module}"), name)
    globals()[name] = value
    return value
