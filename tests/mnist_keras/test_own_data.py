"""Datasets of one's own: any IDX folder, or a folder of images by class."""

import os

import numpy as np
import pytest

from mnist_keras.config import TrainingConfig
from mnist_keras.datasets import (
    dataset_summary,
    folder_layout,
    load_dataset,
    read_dataset,
    write_idx,
)
from mnist_keras.datasets.folders import MAX_CLASSES
from mnist_keras.errors import MnistKerasError
from tests.conftest import SHAPE_CLASSES, make_digits, write_dataset, write_image_folder


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    return write_image_folder(tmp_path_factory.mktemp("shapes") / "data", per_class=30)


def test_a_folder_of_images_by_class_loads_light_on_dark_with_its_class_names(image_folder):
    train_images, train_labels, test_images, test_labels, names = read_dataset(
        "images", image_folder)
    assert names == list(SHAPE_CLASSES)
    assert train_images.shape == (72, 28, 28) and test_images.shape == (18, 28, 28)
    assert train_images.dtype == np.uint8
    # Dark shapes on white paper come out as light ink on a dark background.
    assert train_images[:, 0, :].mean() < 30 and train_images.max() > 200
    # The fixed 80/20 split keeps every class in both parts.
    assert set(np.bincount(test_labels)) == {6} and set(np.bincount(train_labels)) == {24}
    again = read_dataset("images", image_folder)
    np.testing.assert_array_equal(again[3], test_labels)


def test_a_summary_counts_a_folder_without_decoding_it(image_folder, tmp_path):
    summary = dataset_summary("images", image_folder)
    assert summary.class_names == SHAPE_CLASSES
    assert (summary.train_images, summary.test_images) == (72, 18)
    assert summary.describe() == ("3 classes (bar, column, square): 72 training and 18 test "
                                  "images")
    mnist = dataset_summary()
    assert (mnist.train_images, mnist.test_images, len(mnist.class_names)) == (60_000, 10_000, 10)
    with pytest.raises(MnistKerasError, match="existing folder"):
        dataset_summary("images", str(tmp_path / "nowhere"))


def test_train_and_test_folders_are_used_as_given(tmp_path):
    folder = write_image_folder(tmp_path / "split", per_class=8, split=True)
    layout = folder_layout(folder)
    assert layout["split"] == "folders" and layout["class_names"] == list(SHAPE_CLASSES)
    assert layout["counts"] == {"train": 18, "test": 6}
    _, train_labels, _, test_labels, _ = read_dataset("images", folder)
    assert len(train_labels) == 18 and len(test_labels) == 6


@pytest.mark.parametrize("make, message", [
    (lambda root: None, "existing folder"),
    (lambda root: os.makedirs(root / "only-one" / "x"), "between 2 and"),
    (lambda root: [os.makedirs(root / name) for name in ("a", "b")], "images"),
])
def test_bad_image_folders_are_refused_in_one_line(tmp_path, make, message):
    root = tmp_path / "bad"
    if make(root) is None and not root.exists():
        root = tmp_path / "missing"
    with pytest.raises(MnistKerasError, match=message) as info:
        folder_layout(str(root))
    assert "\n" not in str(info.value)


def test_too_many_classes_are_refused_before_any_image_is_read(tmp_path):
    for index in range(MAX_CLASSES + 1):
        os.makedirs(tmp_path / f"class-{index}")
    with pytest.raises(MnistKerasError, match=f"between 2 and {MAX_CLASSES}"):
        folder_layout(str(tmp_path))


def test_an_undecodable_image_is_a_clear_error(tmp_path):
    folder = write_image_folder(tmp_path / "data", per_class=3)
    with open(os.path.join(folder, "bar", "broken.png"), "wb") as f:
        f.write(b"not a png")
    with pytest.raises(MnistKerasError, match="images Keras can decode"):
        read_dataset("images", folder)


def test_any_idx_folder_names_its_classes(tmp_path):
    folder = tmp_path / "idx"
    os.makedirs(folder)
    for prefix, count in (("train", 300), ("t10k", 100)):
        images, labels = make_digits(count, num_classes=4)
        write_idx(folder / f"{prefix}-images-idx3-ubyte", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte", labels)
    assert read_dataset("idx", str(folder))[4] == ["0", "1", "2", "3"]
    (folder / "classes.txt").write_text("north\neast\nsouth\nwest\n")
    data = load_dataset("idx", str(folder), validation_split=0)
    assert data.class_names == ["north", "east", "south", "west"] and data.num_classes == 4


def test_a_size_above_what_a_dataset_holds_takes_all_of_it(tmp_path):
    folder = write_dataset(tmp_path / "small", train_count=300, test_count=100)
    data = load_dataset("idx", folder, train_size=5_500, test_size=1_000, validation_split=0)
    assert len(data.x_train) == 300 and len(data.x_test) == 100


def test_a_dataset_that_is_not_bundled_needs_its_folder_in_the_config():
    with pytest.raises(MnistKerasError, match="data_dir: the folder of the images data"):
        TrainingConfig(dataset="images")


@pytest.mark.integration
def test_a_model_trains_on_a_folder_of_images_and_its_run_names_the_classes(
        image_folder, tmp_path):
    from mnist_keras.runs import Run
    from mnist_keras.training import train

    config = TrainingConfig(dataset="images", data_dir=image_folder, model="simple",
                            train_size=1_000, test_size=1_000, epochs=8, batch_size=16,
                            learning_rate=1e-3, schedule="constant")
    result = train(config, run_dir=tmp_path / "shapes")
    metrics = Run(tmp_path / "shapes").metrics()
    assert metrics.class_names == SHAPE_CLASSES and metrics.test_size == 18
    assert metrics.dataset == "images"
    assert result.metrics.test_accuracy >= 0.8
