"""Datasets in the MNIST IDX layout; MNIST itself ships with the package.

Names are imported on first use, so `mnist_keras.datasets.names` (class names)
is light to import.
"""

from mnist_keras.lazy import lazy_package

__getattr__, __dir__, __all__ = lazy_package(__name__, {
    "idx": ["read_idx", "write_idx"],
    "loading": ["Dataset", "bundled_data_dir", "load_dataset", "load_raw", "read_dataset",
                "DatasetSummary", "dataset_summary", "stratified_subset"],
    "folders": ["folder_layout", "read_image_folder", "image_folder_files"],
    "names": ["FOLDER_DATASETS", "BUNDLED", "CLASS_NAMES"],
    "scaling": ["PIXEL_SCALE", "scale_pixels", "unscale_pixels"],
    "label_review": ["LabelReview", "DoubtfulImage", "read_label_review",
                     "apply_label_review"],
}, submodules=False)
