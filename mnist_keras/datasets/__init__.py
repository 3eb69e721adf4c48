"""Datasets in the MNIST IDX layout; MNIST itself ships with the package."""

from mnist_keras.datasets.idx import read_idx, write_idx
from mnist_keras.datasets.loading import (
    CLASS_NAMES,
    Dataset,
    bundled_data_dir,
    load_dataset,
    load_raw,
    stratified_subset,
)
from mnist_keras.datasets.scaling import PIXEL_SCALE, scale_pixels, unscale_pixels

__all__ = [
    "CLASS_NAMES",
    "Dataset",
    "PIXEL_SCALE",
    "bundled_data_dir",
    "load_dataset",
    "load_raw",
    "read_idx",
    "scale_pixels",
    "stratified_subset",
    "unscale_pixels",
    "write_idx",
]
