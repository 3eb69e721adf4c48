import gzip
import hashlib
import os
import shutil

import numpy as np
import pytest

from mnist_keras.datasets import (
    PIXEL_SCALE,
    bundled_data_dir,
    load_dataset,
    load_raw,
    scale_pixels,
    stratified_subset,
    unscale_pixels,
    write_idx,
)
from mnist_keras.errors import MnistKerasError
from tests.conftest import write_dataset

# The published md5s of the official decompressed MNIST files.
OFFICIAL_MD5 = {
    "train-images-idx3-ubyte.gz": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte.gz": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
}


@pytest.mark.parametrize("name", sorted(OFFICIAL_MD5))
def test_bundled_files_match_official_checksums(name):
    with gzip.open(os.path.join(bundled_data_dir(), name), "rb") as f:
        assert hashlib.md5(f.read()).hexdigest() == OFFICIAL_MD5[name]


def test_bundled_mnist_loads_without_network_or_settings():
    train_images, train_labels, test_images, test_labels = load_raw()
    assert train_images.shape == (60_000, 28, 28) and train_images.dtype == np.uint8
    assert test_images.shape == (10_000, 28, 28)
    assert np.bincount(train_labels).tolist()[:3] == [5923, 6742, 5958]
    assert train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    assert test_labels[:5].tolist() == [7, 2, 1, 0, 4]


def test_scaling_is_defined_once_and_inverts():
    images = np.array([[[0, 128, 255]]], dtype=np.uint8)
    scaled = scale_pixels(images)
    assert scaled.shape == (1, 1, 3, 1) and scaled.dtype == np.float32
    np.testing.assert_allclose(scaled[0, 0, :, 0], [0, 128 / PIXEL_SCALE, 1.0])
    np.testing.assert_array_equal(unscale_pixels(scaled), images)


def test_subsets_are_stratified_and_deterministic():
    labels = np.repeat(np.arange(10), [100, 200, 100, 100, 100, 100, 100, 100, 100, 100])
    first = stratified_subset(labels, 110, seed=3)
    again = stratified_subset(labels, 110, seed=3)
    other = stratified_subset(labels, 110, seed=4)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    counts = np.bincount(labels[first], minlength=10)
    assert counts[1] == 20 and set(counts[[0, 2, 3, 4, 5, 6, 7, 8, 9]]) == {10}
    assert np.all(np.diff(first) > 0)


def test_subset_of_everything_is_everything():
    labels = np.arange(10)
    np.testing.assert_array_equal(stratified_subset(labels, None, 0), labels)
    np.testing.assert_array_equal(stratified_subset(labels, 10, 0), labels)


def test_load_dataset_splits_scales_and_remembers_indices():
    data = load_dataset(train_size=2000, test_size=1000, validation_split=0.1, seed=1)
    assert data.x_train.shape == (1800, 28, 28, 1) and data.x_val.shape == (200, 28, 28, 1)
    assert data.x_test.shape == (1000, 28, 28, 1)
    assert data.x_train.dtype == np.float32 and data.x_train.min() >= 0 and data.x_train.max() <= 1
    assert set(data.train_indices).isdisjoint(data.val_indices)
    _, train_labels, test_images, test_labels = load_raw()
    np.testing.assert_array_equal(data.y_train, train_labels[data.train_indices])
    np.testing.assert_array_equal(data.x_test, scale_pixels(test_images[data.test_indices]))
    assert np.bincount(data.y_val, minlength=10).min() >= 17  # every digit validated
    assert data.class_names == [str(d) for d in range(10)] and data.num_classes == 10


def test_zero_validation_split_gives_empty_validation():
    data = load_dataset(train_size=1000, test_size=1000, validation_split=0.0)
    assert len(data.x_train) == 1000 and len(data.x_val) == 0


def test_other_datasets_load_from_a_folder(tmp_path):
    folder = write_dataset(tmp_path / "fashion", gz=False)
    data = load_dataset("fashion-mnist", data_dir=folder, validation_split=0.0)
    assert len(data.x_train) == 1200 and len(data.x_test) == 1000
    assert data.class_names[9] == "Ankle boot"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "cifar"}, "dataset name"),
        ({"name": "kmnist"}, "kmnist is not bundled"),
        ({"data_dir": "/no/such/folder"}, "existing folder"),
        ({"train_size": 0}, r"train_size of at least 1"),
        ({"validation_split": 0.9}, "validation split"),
    ],
)
def test_bad_arguments_are_reported(kwargs, message):
    with pytest.raises(MnistKerasError, match=message):
        load_dataset(**kwargs)


def test_missing_file_in_folder_is_named(tmp_path):
    folder = write_dataset(tmp_path / "d")
    os.remove(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
    with pytest.raises(MnistKerasError, match="t10k-labels-idx1-ubyte"):
        load_dataset(data_dir=folder)


def test_label_count_mismatch_is_reported(tmp_path):
    folder = write_dataset(tmp_path / "d")
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"), np.zeros(5, np.uint8))
    with pytest.raises(MnistKerasError, match="1200 images, 5 labels"):
        load_dataset(data_dir=folder)


def test_out_of_range_labels_are_reported(tmp_path):
    folder = write_dataset(tmp_path / "d")
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), np.full(1000, 12, np.uint8))
    with pytest.raises(MnistKerasError, match="labels in \\[0, 9\\]"):
        load_dataset(data_dir=folder)


def test_corrupt_bundle_copy_is_reported(tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(bundled_data_dir(), folder)
    raw = (folder / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(raw[:100])
    with pytest.raises(MnistKerasError, match="t10k-labels"):
        load_dataset(data_dir=str(folder))
