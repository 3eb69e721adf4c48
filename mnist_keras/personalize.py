"""Teaching a model someone's handwriting from a few of their digits, without forgetting MNIST.

    mnist-keras personalize pretrained --data runs/datasets/my-hand/images --run-dir runs/mine

The person's digits (a folder of images by class, `0/` ... `9/`: drawings from
the pad, photos, scans) are read through the same drawing recipe as every
prediction. Part of each digit's samples is held out to measure the result;
the rest is fine-tuned on, each batch mixing them with MNIST training images
("replay": what keeps the model reading everyone else's digits), with the
robust augmentation, so a few samples teach a habit rather than four
drawings. The result is a run like any other (its config names the base as
its parent, its metrics are MNIST's) plus `personalization.json`: the samples
it learned from and the base and taught model on the held-out samples and on
MNIST.

```python
from mnist_keras.personalize import personalize
result = personalize("pretrained", "runs/datasets/my-hand/images", run_dir="runs/mine")
result.before.held_out, result.after.held_out     # e.g. 0.70, 1.0
```
"""

import dataclasses
import math
import os
import time

import numpy as np

from mnist_keras.errors import MnistKerasError, expected

# Digits a person's folder may hold: one sub-folder per digit.
DIGITS = tuple(str(digit) for digit in range(10))
IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")
MAX_SAMPLES = 10_000


@dataclasses.dataclass
class PersonalSamples:
    """A person's digits as the model reads them.

    Attributes:
        images: (N, 28, 28, 1) float32 model inputs.
        labels: (N,) int digits.
        files: each image's file, relative to the folder.
        skipped: files that were not images, or not digits (blank, a speck).
    """

    images: np.ndarray
    labels: np.ndarray
    files: list
    skipped: list

    def counts(self):
        """Samples per digit present: `{digit: count}`."""
        return {int(d): int((self.labels == d).sum()) for d in np.unique(self.labels)}


def read_personal_samples(folder):
    """Reads a folder of a person's digits by class through the drawing recipe.

    Args:
        folder: a folder with one sub-folder per digit (`0/` ... `9/`) of
            image files (a personal dataset's `images/` folder, or one of
            one's own); other files and empty digit folders are fine.

    Returns:
        `PersonalSamples`.

    Raises:
        MnistKerasError: for a missing folder, a sub-folder that is not a
            digit, no readable digit at all, or more than 10,000 images.
    """
    from mnist_keras.preprocessing import EmptyDrawingError, load_image, preprocess_drawing

    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        raise expected("a folder of your digits, one sub-folder per digit (0/ ... 9/)",
                       data=folder)
    names = sorted(entry.name for entry in os.scandir(folder)
                   if entry.is_dir() and not entry.name.startswith("."))
    others = [name for name in names if name not in DIGITS]
    if others:
        raise expected(f"sub-folders named for digits {list(DIGITS)}", data=folder,
                       found=others[:5])
    images, labels, files, skipped = [], [], [], []
    for name in names:
        for entry in sorted(os.scandir(os.path.join(folder, name)), key=lambda e: e.name):
            if not entry.is_file() or not entry.name.lower().endswith(IMAGE_ENDINGS):
                continue
            if len(files) + len(skipped) >= MAX_SAMPLES:
                raise expected(f"at most {MAX_SAMPLES:,} images", data=folder)
            relative = f"{name}/{entry.name}"
            try:
                images.append(preprocess_drawing(load_image(entry.path)))
            except (EmptyDrawingError, MnistKerasError):
                skipped.append(relative)
                continue
            labels.append(int(name))
            files.append(relative)
    if not files:
        raise expected("at least one readable image of a digit in the digit folders",
                       data=folder, skipped=len(skipped))
    return PersonalSamples(np.asarray(images, np.float32)[..., None],
                           np.asarray(labels, np.int64), files, skipped)


def split_held_out(labels, share=0.2, seed=0):
    """Which samples to hold out to measure the result: about `share` of each digit.

    A digit with a single sample is all trained on (there is nothing to spare);
    every other keeps at least one sample to train on.

    Returns:
        `(train_positions, held_out_positions)`, sorted arrays.
    """
    rng = np.random.default_rng(seed)
    train, held = [], []
    for digit in np.unique(labels):
        positions = rng.permutation(np.flatnonzero(labels == digit))
        count = min(len(positions) - 1, max(1, round(share * len(positions)))) \
            if share > 0 and len(positions) > 1 else 0
        held += list(positions[:count])
        train += list(positions[count:])
    return np.sort(np.asarray(train, np.int64)), np.sort(np.asarray(held, np.int64))


@dataclasses.dataclass
class PersonalizationResult:
    """What `personalize` returns.

    Attributes:
        run_dir: the new run's folder (None when kept in memory).
        model: the taught `keras.Model`.
        record: the `mnist_keras.runs.Personalization` written beside it
            (`before`, `after`: scores on the held-out samples and on MNIST).
    """

    run_dir: object
    model: object
    record: object

    @property
    def before(self):
        return self.record.before

    @property
    def after(self):
        return self.record.after


def _accuracy(model, images, labels):
    if len(labels) == 0:
        return None
    from mnist_keras.evaluation import predict_probabilities

    return float(np.mean(predict_probabilities(model, images).argmax(axis=1) == labels))


def personalize(base, data, run_dir=None, epochs=None, held_out=0.2, replay=6_000,
                person_share=0.3, learning_rate=3e-4, batch_size=64, seed=0, callbacks=(),
                dataset_name=None, mlflow=None):
    """Fine-tunes `base` on a person's digits, with MNIST replayed, and writes a run.

    Args:
        base: the model to teach: a `.keras` file, a run folder, or
            `"pretrained"`.
        data: the folder of the person's digits by class (see
            `read_personal_samples`).
        run_dir: the new run's folder, or None to keep it in memory.
        epochs: passes over the mixed training set. Defaults to enough for
            about 600 optimizer steps (at least 3).
        held_out: share of each digit's samples kept out to measure the
            result, 0-0.5. Defaults to 0.2 (one of five).
        replay: MNIST training images mixed in. Defaults to 6,000.
        person_share: share of each batch taken from the person's samples
            (repeated as often as that needs), 0.05-0.9. Defaults to 0.3.
        learning_rate: the fine-tuning rate, constant. Defaults to 3e-4.
        batch_size: images per step. Defaults to 64.
        seed: seeds the split, the replayed images and training.
        callbacks: Keras callbacks for `train` (a `StopSignal`, a
            `ProgressBar`).
        dataset_name: the personal dataset's name, recorded with the run.
        mlflow: an MLflow tracking URI to log the run to (see `TrainingConfig`).

    Returns:
        A `PersonalizationResult`.

    Raises:
        MnistKerasError: for a base that is not a 28x28 digit classifier, a
            folder without digits or with a single digit, or settings out of
            range: before anything is written.
    """
    from mnist_keras.config import TrainingConfig
    from mnist_keras.datasets import load_dataset
    from mnist_keras.datasets.loading import Dataset
    from mnist_keras.pretrained import resolve_model
    from mnist_keras.runs import Personalization, Run, Scores, check_digit_classifier
    from mnist_keras.runs import load_model as load_keras_model
    from mnist_keras.training import train

    started = time.perf_counter()
    if not isinstance(held_out, (int, float)) or not 0 <= held_out <= 0.5:
        raise expected("held_out as a share in [0, 0.5]", held_out=held_out)
    if not isinstance(person_share, (int, float)) or not 0.05 <= person_share <= 0.9:
        raise expected("person_share as a share in [0.05, 0.9]", person_share=person_share)
    if not isinstance(replay, int) or not 100 <= replay <= 60_000:
        raise expected("replay as a number of MNIST images in [100, 60000]", replay=replay)
    base_path = resolve_model(base)
    model = load_keras_model(base_path)
    check_digit_classifier(model)
    samples = read_personal_samples(data)
    if len(samples.counts()) < 2:
        raise expected("samples of at least two digits to teach (one digit alone would "
                       "teach the model that everything is that digit)",
                       digits=sorted(samples.counts()))
    train_at, held_at = split_held_out(samples.labels, held_out, seed)
    mnist = load_dataset("mnist", train_size=replay, test_size=10_000, validation_split=0,
                         seed=seed)
    repeats = max(1, math.ceil(person_share * len(mnist.y_train)
                               / ((1 - person_share) * len(train_at))))
    person_x = np.repeat(samples.images[train_at], repeats, axis=0)
    person_y = np.repeat(samples.labels[train_at], repeats)
    x_train = np.concatenate([mnist.x_train, person_x])
    y_train = np.concatenate([mnist.y_train, person_y])
    mixed = Dataset(name="mnist", class_names=list(mnist.class_names), x_train=x_train,
                    y_train=y_train, x_val=x_train[:0], y_val=y_train[:0],
                    x_test=mnist.x_test, y_test=mnist.y_test,
                    train_indices=np.arange(len(y_train)), val_indices=np.arange(0),
                    test_indices=mnist.test_indices)
    if epochs is None:
        epochs = max(3, math.ceil(600 / math.ceil(len(y_train) / batch_size)))
    parent = Run(os.path.dirname(os.path.abspath(base_path)))
    parent_config = parent.config() if parent.is_run() else None
    label = (parent_config.training.model if parent_config and parent_config.training
             else "uploaded")
    config = TrainingConfig(
        model=label, parent_model=base_path, parent_run=parent.name if parent_config else None,
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
        schedule="constant", train_size=min(60_000, max(100, len(y_train))),
        test_size=10_000, validation_split=0.0, seed=seed, mlflow=mlflow)
    before = Scores(held_out=_accuracy(model, samples.images[held_at], samples.labels[held_at]),
                    mnist=_accuracy(model, mnist.x_test, mnist.y_test))
    result = train(config, run_dir=run_dir, callbacks=callbacks, data=mixed)
    taught = result.model
    after = Scores(held_out=_accuracy(taught, samples.images[held_at], samples.labels[held_at]),
                   mnist=float(result.metrics.test_accuracy))
    record = Personalization(
        data=os.path.abspath(os.fspath(data)), base=os.path.abspath(base_path),
        dataset=dataset_name, base_run=config.parent_run,
        trained_on=tuple(samples.files[i] for i in train_at),
        held_out=tuple(samples.files[i] for i in held_at), skipped=tuple(samples.skipped),
        replay=len(mnist.y_train), before=before, after=after,
        seconds=round(time.perf_counter() - started, 1))
    if result.run_dir:
        try:
            Run(result.run_dir).write_personalization(record)
        except OSError as error:
            raise MnistKerasError(f"Expected a run folder the record can be written to. "
                                  f"Received: {error.strerror or error}") from None
    return PersonalizationResult(run_dir=result.run_dir, model=taught, record=record)
