"""Loading MNIST-layout datasets: the bundled MNIST, or any IDX set by path.

Subsets are class-stratified and deterministic for a seed, and keep the indices
they were drawn from, so a misclassified test digit can be found again in the
full test set.
"""

import dataclasses
import math
import os
from importlib import resources

import numpy as np
from sklearn.model_selection import train_test_split

from mnist_keras.datasets.folders import TEST_FRACTION, folder_layout, read_image_folder
from mnist_keras.datasets.idx import read_idx
from mnist_keras.datasets.names import BUNDLED, CLASS_NAMES, FOLDER_DATASETS
from mnist_keras.datasets.scaling import scale_pixels
from mnist_keras.errors import MnistKerasError, expected

FILE_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclasses.dataclass
class Dataset:
    """Train/validation/test splits, scaled for the model.

    Attributes:
        name: the dataset's name (`"mnist"`, `"fashion-mnist"`, `"kmnist"`,
            `"idx"`, `"images"`).
        class_names: one name per label.
        x_train, y_train: training images (float32, (N, 28, 28, 1)) and int labels.
        x_val, y_val: validation split drawn from the training subset (may be empty).
        x_test, y_test: test images and labels.
        train_indices, val_indices, test_indices: positions of each split's
            images in the full training or test file.
    """

    name: str
    class_names: list
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    train_indices: np.ndarray
    val_indices: np.ndarray
    test_indices: np.ndarray

    @property
    def num_classes(self):
        return len(self.class_names)


def bundled_data_dir():
    """Returns the folder of the MNIST files shipped inside the package."""
    return str(resources.files("mnist_keras.datasets") / "data" / "mnist")


def _find_file(data_dir, stem):
    for candidate in (stem + ".gz", stem):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            return path
    raise MnistKerasError(
        f"Expected {stem} or {stem}.gz in the data folder. Received: data_dir={data_dir!r}"
    )


def load_raw(name="mnist", data_dir=None):
    """Loads the full uint8 images and labels of a dataset.

    Args:
        name: `"mnist"` (bundled), `"fashion-mnist"`, `"kmnist"`, `"idx"`
            (any IDX folder) or `"images"` (a folder of images by class).
        data_dir: folder holding the four IDX files (plain or `.gz`, with the
            MNIST file names) or the class folders. Defaults to the bundled
            MNIST; required for datasets that are not bundled.

    Returns:
        `(train_images, train_labels, test_images, test_labels)` as uint8
        arrays of shapes (N, 28, 28) and (N,).

    Raises:
        MnistKerasError: for an unknown name, a missing folder or file, or
            files that are corrupt or disagree with each other.
    """
    return read_dataset(name, data_dir)[:4]


def read_dataset(name="mnist", data_dir=None):
    """`load_raw`'s arrays and the dataset's class names, as a 5-tuple."""
    if name not in CLASS_NAMES and name not in FOLDER_DATASETS:
        raise expected(f"a dataset name in {[*CLASS_NAMES, *FOLDER_DATASETS]}", name=name)
    if data_dir is None:
        if name not in BUNDLED:
            what = "the class folders" if name == "images" else "the four IDX files"
            raise expected(f"data_dir with {what} ({name} is not bundled)", data_dir=None)
        data_dir = bundled_data_dir()
    if not isinstance(data_dir, str) or not os.path.isdir(data_dir):
        raise expected("an existing folder", data_dir=str(data_dir))
    if name == "images":
        return read_image_folder(data_dir)
    arrays = {key: read_idx(_find_file(data_dir, stem)) for key, stem in FILE_NAMES.items()}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise MnistKerasError(
                f"Expected {split} images of 3 dimensions and labels of 1. "
                f"Received: images.shape={images.shape}, labels.shape={labels.shape}"
            )
        if images.shape[1:] != (28, 28):
            raise MnistKerasError(
                f"Expected {split} images of 28x28 pixels (the models' input). "
                f"Received: images.shape={images.shape}"
            )
        if len(images) != len(labels):
            raise MnistKerasError(
                f"Expected as many {split} labels as images. "
                f"Received: {len(images)} images, {len(labels)} labels"
            )
    class_names = (_idx_class_names(data_dir, arrays) if name == "idx"
                   else list(CLASS_NAMES[name]))
    for split in ("train", "test"):
        labels = arrays[f"{split}_labels"]
        num_classes = len(class_names)
        if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
            raise MnistKerasError(
                f"Expected {split} labels in [0, {num_classes - 1}]. "
                f"Received: min={labels.min()}, max={labels.max()}"
            )
    return (
        arrays["train_images"].astype(np.uint8),
        arrays["train_labels"].astype(np.int64),
        arrays["test_images"].astype(np.uint8),
        arrays["test_labels"].astype(np.int64),
        class_names,
    )


@dataclasses.dataclass(frozen=True)
class DatasetSummary:
    """What a dataset holds: its class names and how many images each split has."""

    name: str
    class_names: tuple
    train_images: int
    test_images: int

    def describe(self):
        """One line for people: `3 classes (bar, column, square): 72 training, ...`."""
        names = ", ".join(self.class_names[:12]) + (", ..." if len(self.class_names) > 12
                                                    else "")
        return (f"{len(self.class_names)} classes ({names}): {self.train_images:,} training "
                f"and {self.test_images:,} test images")


def dataset_summary(name="mnist", data_dir=None):
    """Checks a dataset and says what it holds, decoding no image of a folder.

    Args:
        name: a dataset name (see `load_raw`).
        data_dir: its folder; None for the bundled MNIST.

    Returns:
        A `DatasetSummary`.

    Raises:
        MnistKerasError: for anything `load_raw` would refuse (for an image
            folder: what `folder_layout` checks).
    """
    if name == "images":
        if not isinstance(data_dir, str) or not os.path.isdir(data_dir):
            raise expected("an existing folder of images by class", data_dir=data_dir)
        layout = folder_layout(data_dir)
        counts = layout["counts"]
        if "all" in counts:
            test = math.ceil(TEST_FRACTION * counts["all"])
            counts = {"train": counts["all"] - test, "test": test}
        return DatasetSummary(name, tuple(layout["class_names"]), counts["train"],
                              counts["test"])
    train_images, _, test_images, _, class_names = read_dataset(name, data_dir)
    return DatasetSummary(name, tuple(class_names), len(train_images), len(test_images))


CLASS_NAMES_FILE = "classes.txt"
MAX_IDX_CLASSES = 100


def _idx_class_names(data_dir, arrays):
    # An IDX set names its classes in classes.txt (one per line), or they are
    # numbered from 0 to its largest label.
    path = os.path.join(data_dir, CLASS_NAMES_FILE)
    if os.path.isfile(path):
        if os.path.getsize(path) > 100_000:
            raise expected(f"a {CLASS_NAMES_FILE} of at most 100 kB", file=path)
        with open(path, encoding="utf-8", errors="replace") as f:
            names = [line.strip()[:40] for line in f if line.strip()]
    else:
        largest = max(int(arrays[f"{split}_labels"].max(initial=0))
                      for split in ("train", "test"))
        names = [str(label) for label in range(largest + 1)]
    if not 2 <= len(names) <= MAX_IDX_CLASSES:
        raise expected(f"between 2 and {MAX_IDX_CLASSES} classes", classes=len(names))
    return names


def stratified_subset(labels, size, seed):
    """Picks `size` indices with the class proportions of `labels`.

    Deterministic for a given seed; returns all indices (sorted) when `size`
    is None or covers the whole set.

    Args:
        labels: int labels of the full set.
        size: how many to pick, or None for all.
        seed: random seed.

    Returns:
        A sorted int64 array of indices into `labels`.
    """
    indices = np.arange(len(labels))
    if size is None or size >= len(labels):
        return indices
    if size < 1:
        raise expected("a subset size of at least 1", size=size)
    picked, _ = train_test_split(
        indices, train_size=size, stratify=_stratify_or_none(labels, size), random_state=seed
    )
    return np.sort(picked)


def _stratify_or_none(labels, size):
    # Stratification needs every class at least twice and a subset at least
    # as large as the number of classes; fall back to a plain shuffle otherwise.
    counts = np.bincount(labels)
    counts = counts[counts > 0]
    if size < len(counts) or counts.min() < 2 or len(labels) - size < len(counts):
        return None
    return labels


def load_dataset(
    name="mnist",
    data_dir=None,
    train_size=None,
    test_size=None,
    validation_split=0.1,
    seed=0,
):
    """Loads a dataset, draws stratified subsets and scales the pixels.

    Args:
        name: `"mnist"` (default, bundled), `"fashion-mnist"`, `"kmnist"`,
            `"idx"` (any IDX folder) or `"images"` (a folder of images by
            class; see `mnist_keras.datasets.folders`).
        data_dir: folder with the four IDX files or the class folders;
            defaults to the bundled MNIST.
        train_size: number of training images (validation included), or None
            (default) for all of them; a number above what the dataset has
            takes all of them too.
        test_size: number of test images, or None (default) for all of them
            (likewise).
        validation_split: fraction of the training subset held out for
            validation, in [0, 0.5]. Defaults to 0.1.
        seed: seed of the subset draws. Defaults to 0.

    Returns:
        A `Dataset`.

    Raises:
        MnistKerasError: for a bad name, folder, file, size or split.

    Example:

    >>> data = load_dataset(train_size=5000, test_size=1000)
    >>> data.x_train.shape, data.x_val.shape, data.x_test.shape
    ((4500, 28, 28, 1), (500, 28, 28, 1), (1000, 28, 28, 1))
    """
    if not 0 <= validation_split <= 0.5:
        raise expected("a validation split in [0, 0.5]", validation_split=validation_split)
    train_images, train_labels, test_images, test_labels, class_names = read_dataset(
        name, data_dir)
    # A size above what the dataset holds takes all of it: one setting then
    # suits MNIST and a folder of a few hundred images of one's own.
    for label, size in (("train_size", train_size), ("test_size", test_size)):
        if size is not None and size < 1:
            raise expected(f"{label} of at least 1", **{label: size})
    train_pool = stratified_subset(train_labels, train_size, seed)
    test_indices = stratified_subset(test_labels, test_size, seed)
    num_val = int(round(len(train_pool) * validation_split))
    if num_val:
        pool_labels = train_labels[train_pool]
        stratify = _stratify_or_none(pool_labels, num_val)
        train_indices, val_indices = train_test_split(
            train_pool, test_size=num_val, stratify=stratify, random_state=seed
        )
        train_indices, val_indices = np.sort(train_indices), np.sort(val_indices)
    else:
        train_indices, val_indices = train_pool, train_pool[:0]
    return Dataset(
        name=name,
        class_names=list(class_names),
        x_train=scale_pixels(train_images[train_indices]),
        y_train=train_labels[train_indices],
        x_val=scale_pixels(train_images[val_indices]),
        y_val=train_labels[val_indices],
        x_test=scale_pixels(test_images[test_indices]),
        y_test=test_labels[test_indices],
        train_indices=train_indices,
        val_indices=val_indices,
        test_indices=test_indices,
    )
