"""Shared fixtures: tiny synthetic IDX datasets that a model learns in one epoch."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mnist_keras.datasets import write_idx  # noqa: E402


def run_folders(runs_dir):
    """The run folders' names in `runs_dir`, sorted: hidden files (the job lock) left out."""
    return sorted(name for name in os.listdir(runs_dir) if not name.startswith("."))


def make_digits(count, seed=0, num_classes=10):
    """Synthetic 28x28 uint8 images: class k is a bright horizontal bar at row 2k+4.

    Easy to learn (a linear model separates them), so tests can check that
    training actually learns while staying fast.
    """
    rng = np.random.default_rng(seed)
    labels = np.arange(count) % num_classes
    rng.shuffle(labels)
    images = rng.integers(0, 40, size=(count, 28, 28), dtype=np.uint8)
    for image, label in zip(images, labels):
        row = 2 * label + 4
        image[row:row + 2, 4:24] = 255
    return images, labels.astype(np.uint8)


def write_dataset(folder, train_count=1200, test_count=1000, seed=0, gz=True):
    """Writes the four MNIST-named IDX files of a synthetic dataset into `folder`."""
    os.makedirs(folder, exist_ok=True)
    suffix = ".gz" if gz else ""
    for prefix, count, offset in (("train", train_count, 0), ("t10k", test_count, 1)):
        images, labels = make_digits(count, seed + offset)
        write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte{suffix}"), images)
        write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte{suffix}"), labels)
    return str(folder)


SHAPE_CLASSES = ("bar", "column", "square")


def write_image_folder(folder, per_class=40, split=False, size=56, seed=0):
    """Writes a folder of PNG images by class: dark shapes on white paper.

    Class `bar` is a horizontal bar, `column` a vertical one, `square` an
    outlined square, each drawn at a random place and width, so a small
    model learns them in an epoch. With `split`, `train/` and `test/`
    folders each hold the classes (a quarter of the images go to test/).
    """
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    for index in range(per_class * len(SHAPE_CLASSES)):
        name = SHAPE_CLASSES[index % len(SHAPE_CLASSES)]
        part = ("test" if index % 4 == 0 else "train") if split else ""
        target = os.path.join(folder, part, name)
        os.makedirs(target, exist_ok=True)
        image = Image.new("L", (size, size), 255)
        draw = ImageDraw.Draw(image)
        low, high = int(rng.integers(6, 16)), int(rng.integers(40, 50))
        middle, width = int(rng.integers(20, 36)), int(rng.integers(4, 8))
        if name == "bar":
            draw.rectangle([low, middle - width, high, middle + width], fill=0)
        elif name == "column":
            draw.rectangle([middle - width, low, middle + width, high], fill=0)
        else:
            draw.rectangle([low, low, high, high], outline=0, width=width)
        image.save(os.path.join(target, f"{index:04d}.png"))
    return str(folder)


class RequestStopAfter(keras.callbacks.Callback):
    """Asks a `StopSignal` to stop once `batches` batches are done."""

    def __init__(self, stop, batches):
        super().__init__()
        self.stop, self.batches, self.seen = stop, batches, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen >= self.batches:
            self.stop.request()


class RequestStopAfterEpoch(keras.callbacks.Callback):
    """Asks a `StopSignal` to stop as the first epoch ends: a cancel after one epoch."""

    def __init__(self, stop):
        super().__init__()
        self.stop = stop

    def on_epoch_end(self, epoch, logs=None):
        self.stop.request()


@pytest.fixture(scope="session")
def synthetic_data_dir(tmp_path_factory):
    """A folder with a tiny learnable dataset in the MNIST IDX layout."""
    return write_dataset(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture(scope="session")
def small_cnn_run(tmp_path_factory):
    """A run folder with a small CNN (Sequential) trained briefly on real MNIST (seconds).

    Trained plainly (no augmentation, the model's own dropout): two epochs
    give a sharp model whose explanations and answers the tests can rely on.
    """
    from mnist_keras.recipes import recipe_config
    from mnist_keras.training import train

    run_dir = tmp_path_factory.mktemp("trained") / "small-cnn"
    train(recipe_config("plain", model="simple", train_size=6_000, test_size=1_000, epochs=2,
                        batch_size=64, seed=0), run_dir=run_dir, verbose=0)
    return run_dir


def pytest_collection_modifyitems(config, items):
    # The wheel installs (the longest tests, mostly pip's waiting) first, so a
    # worker never ends the suite alone on one. The rest keep their order:
    # browser tests that train, run side by side on both workers, slow each
    # other down more than they gain.
    items.sort(key=lambda item: 0 if item.get_closest_marker("packaging") else 1)


def pytest_configure(config):
    # Under pytest-xdist each worker process serves its Dash apps on ports of
    # its own (dash[testing] counts up from one fixed port in every process).
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        from dash.testing.application_runners import BaseDashRunner

        BaseDashRunner._next_port = 58050 + 500 * int(worker[2:])
