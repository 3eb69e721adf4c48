"""Doubtful labels: a dataset's training images ranked by how likely their label is wrong.

    mnist-keras doubt runs/first --top 20

Confident learning (Northcutt, Jiang and Chuang, "Confident Learning:
Estimating Uncertainty in Dataset Labels", JAIR 70, 2021) on out-of-fold
predicted probabilities. The images are split into k folds; k small models
each train briefly on the other folds and predict the fold they never saw, so
every image gets probabilities from a model that did not learn its label.
cleanlab, the paper's authors' library, then flags the images whose label
those probabilities contradict (the confident joint, pruned by noise rate)
and scores each label's quality (the probability given to it,
"self-confidence"). The ranking goes from the lowest quality up; the number
flagged is confident learning's estimate of how many labels are wrong, and
the suggested label is the one the models gave most probability.

A person then decides, image by image, to keep, relabel or exclude it: a
`LabelReview` (`mnist_keras.datasets.label_review`) holds the ranking's top
and the decisions, next to what was reviewed, and a training with
`label_review=PATH` applies them as its data is loaded.

```python
doubts = doubt_run("runs/first")
for image in doubts.top(5):
    print(image.index, image.given, image.suggested, image.label_quality)
path = doubts.save_review()    # runs/first/label-review.json
```
"""

import dataclasses
import os
import time
import warnings
from typing import Optional

import keras
import numpy as np

from mnist_keras.datasets import read_dataset, scale_pixels, stratified_subset
from mnist_keras.datasets.folders import image_folder_files
from mnist_keras.datasets.label_review import (
    REVIEW_FILE,
    DoubtfulImage,
    LabelReview,
    read_label_review,
    review_labels,
    review_path_for,
)
from mnist_keras.errors import expected
from mnist_keras.layer_specs import load_spec
from mnist_keras.models import build_model, build_model_from_spec
from mnist_keras.pipeline import steps_per_execution_for, training_data
from mnist_keras.registries import MODELS
from mnist_keras.runs import Run
from mnist_keras.settings import check_value

# The fold models: two small convolutions. On 2,000 MNIST images, 5 folds of
# 8 epochs reach 95% out-of-fold accuracy in about 11 s on two CPU cores,
# where the default CNN reaches 92% in 19 s (its BatchNorm statistics settle
# slowly in so few steps) and the MLP 90%.
FOLD_MODEL = (
    {"type": "Conv2D", "filters": 16, "kernel_size": 3},
    {"type": "MaxPool"},
    {"type": "Conv2D", "filters": 32, "kernel_size": 3},
    {"type": "MaxPool"},
    {"type": "Flatten"},
    {"type": "Dropout", "rate": 0.3},
)
# How many of the most doubtful images a saved review lists (a person looks
# at the first few dozen; the rest wait for a second look).
REVIEW_SIZE = 500
PREDICTION_BATCH_SIZE = 512


@dataclasses.dataclass(frozen=True)
class DoubtSettings:
    """How the out-of-fold probabilities are made: `folds` small models, trained briefly.

    Args:
        folds: how many folds (and models), 2-10. Defaults to 5: each model
            learns from 80% of the images.
        epochs: passes of each model over its folds, 1-50. Defaults to 8.
        batch_size: images per step, 1-512. Defaults to 32.
        learning_rate: Adam's peak learning rate (cosine decay to 0),
            1e-4 to 1. Defaults to 3e-3.
        model: None for `FOLD_MODEL` (two small convolutions), or a model
            name (`mnist_keras.registries.MODELS`) or a `.json` layer spec.
        seed: seeds the folds, the models' initialisation and shuffling.

    Raises:
        MnistKerasError: naming the first setting out of its bounds.

    >>> DoubtSettings(folds=3).folds
    3
    >>> DoubtSettings(folds=1)
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected folds as an integer in [2, 10]. ...
    """

    folds: int = 5
    epochs: int = 8
    batch_size: int = 32
    learning_rate: float = 3e-3
    model: Optional[str] = None
    seed: int = 0

    def __post_init__(self):
        for name, low, high in (("folds", 2, 10), ("epochs", 1, 50), ("batch_size", 1, 512)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or \
                    not low <= value <= high:
                raise expected(f"{name} as an integer in [{low}, {high}]", **{name: value})
            object.__setattr__(self, name, int(value))
        check_value("learning_rate", self.learning_rate)
        check_value("seed", self.seed)
        if self.model is not None and self.model not in MODELS and \
                not (isinstance(self.model, str) and self.model.endswith(".json")):
            raise expected(f"model None (the small fold model), a name in {MODELS.names()} "
                           "or a .json layer spec", model=self.model)


@dataclasses.dataclass(frozen=True)
class LabelDoubts:
    """Every ranked training image, the most doubtful label first.

    Attributes:
        dataset: the dataset's name.
        class_names: one name per label.
        train_images: how many images the dataset's full training set has.
        images: a `DoubtfulImage` per ranked image (index in the full
            training set, file in an image folder, given and suggested
            label, label quality, flagged), the most doubtful first.
        accuracy: the out-of-fold accuracy against the given labels.
        seconds: how long the ranking took.
        settings: the `DoubtSettings` it was made with.
        data_dir, train_size, seed: the data it ranked (a run's own).
        run_dir: the run whose training images were ranked, or None.
        earlier: the review that run trained with: the images it excluded or
            relabelled are not ranked again, and its decisions are carried
            into this ranking's review.
    """

    dataset: str
    class_names: tuple
    train_images: int
    images: tuple
    accuracy: float
    seconds: float
    settings: DoubtSettings
    data_dir: Optional[str] = None
    train_size: Optional[int] = None
    seed: int = 0
    run_dir: Optional[str] = None
    earlier: Optional[LabelReview] = None

    @property
    def flagged(self):
        """How many images confident learning counts among the likely label errors."""
        return sum(image.flagged for image in self.images)

    def top(self, count):
        """The `count` most doubtful images."""
        return self.images[:max(0, int(count))]

    @property
    def review_path(self):
        """Where this ranking's review goes by default: the run folder, or beside the
        dataset's folder; None where nothing may be written (the bundled MNIST, a
        read-only run)."""
        if self.run_dir is not None:
            config = Run(self.run_dir).config()
            return None if config.read_only else os.path.join(self.run_dir, REVIEW_FILE)
        return review_path_for(self.data_dir)

    def review(self, size=REVIEW_SIZE, earlier=()):
        """A `LabelReview` of the `size` most doubtful images, no decision made yet.

        Args:
            size: how many images it lists. Defaults to 500.
            earlier: reviews whose decisions it keeps, the first one's
                winning (see `LabelReview.carry_decisions`); the review the
                run trained with is always carried, last.

        Returns:
            A `LabelReview`.
        """
        run_name = Run(self.run_dir).name if self.run_dir is not None else None
        review = LabelReview(
            dataset=self.dataset, class_names=tuple(self.class_names),
            train_images=self.train_images, images=self.top(size), data_dir=self.data_dir,
            train_size=self.train_size, seed=self.seed, run=run_name,
            folds=self.settings.folds, accuracy=round(self.accuracy, 6),
            seconds=round(self.seconds, 3), created=time.time())
        for before in (*earlier, self.earlier):
            review = review.carry_decisions(before)
        return review

    def save_review(self, path=None, size=REVIEW_SIZE):
        """Writes the review of this ranking, keeping the decisions already made.

        A review already at `path` (an earlier ranking of the same data)
        keeps its decisions, as does the review the run trained with.

        Args:
            path: the file; defaults to `review_path`.
            size: how many images it lists. Defaults to 500.

        Returns:
            The path written.

        Raises:
            MnistKerasError: where there is no default place (give `path`), or
                for a damaged, newer or other dataset's review at `path`
                (never overwritten).
        """
        path = os.fspath(path) if path is not None else self.review_path
        if path is None:
            raise expected("a path for the review (the bundled dataset and read-only runs "
                           "are not written to)", dataset=self.dataset)
        existing = (read_label_review(path),) if os.path.exists(path) else ()
        return self.review(size, earlier=existing).save(path)

    def to_dict(self, top=None):
        """The ranking as a JSON-ready dict (the `top` images, or all of them)."""
        images = self.images if top is None else self.top(top)
        return {"dataset": self.dataset, "data_dir": self.data_dir,
                "train_size": self.train_size, "seed": self.seed,
                "run": Run(self.run_dir).name if self.run_dir else None,
                "class_names": list(self.class_names), "train_images": self.train_images,
                "ranked": len(self.images), "flagged": self.flagged,
                "accuracy": self.accuracy, "seconds": self.seconds,
                "settings": dataclasses.asdict(self.settings),
                "images": [_image_dict(image) for image in images]}


def _image_dict(image):
    # A ranking has no decisions yet: those belong to the review.
    return {name: value for name, value in dataclasses.asdict(image).items()
            if name not in ("decision", "label")}


def _fold_model(settings, num_classes):
    if settings.model is None:
        return build_model_from_spec(list(FOLD_MODEL), num_classes, name="fold")
    if settings.model.endswith(".json"):
        return build_model_from_spec(load_spec(settings.model), num_classes, name="fold")
    return build_model(settings.model, num_classes=num_classes)


def _check_foldable(images, labels, num_classes, folds):
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise expected("images of shape (N, 28, 28) or (N, 28, 28, 1)", shape=images.shape)
    if len(images) != len(labels):
        raise expected("as many labels as images", images=len(images), labels=len(labels))
    if len(labels) and (labels.min() < 0 or labels.max() >= num_classes):
        raise expected(f"labels from 0 to {num_classes - 1}", low=int(labels.min()),
                       high=int(labels.max()))
    counts = np.bincount(labels, minlength=num_classes)
    present = counts[counts > 0]
    if len(present) < 2:
        raise expected("training images of at least 2 classes (one class leaves nothing to "
                       "doubt)", classes=len(present), images=len(labels))
    if present.min() < folds:
        smallest = int(np.flatnonzero(counts == present.min())[0])
        raise expected(f"at least {folds} images of each class, one per fold (or fewer "
                       "folds)", folds=folds, label=smallest, images=int(present.min()))
    return images


def out_of_fold_probabilities(images, labels, num_classes, settings=None, progress=None):
    """Each image's class probabilities from a model that never saw its label.

    The images are split into `settings.folds` stratified folds; a small model
    trains on all folds but one and predicts that one.

    Args:
        images: (N, 28, 28) or (N, 28, 28, 1) images, scaled for the model
            (`mnist_keras.datasets.scale_pixels`).
        labels: their given labels, (N,) integers from 0 to `num_classes - 1`.
        num_classes: how many classes there are.
        settings: `DoubtSettings`; defaults to `DoubtSettings()`.
        progress: called as `progress(fraction, text)` after each epoch of
            each fold (for a progress bar); None for silence.

    Returns:
        A float32 array (N, num_classes); rows sum to 1.

    Raises:
        MnistKerasError: for fewer than 2 classes, a class with fewer images
            than folds, or mismatched arrays.

    Example:

    ```python
    data = load_dataset(train_size=2000, validation_split=0)
    probabilities = out_of_fold_probabilities(data.x_train, data.y_train, 10)
    (probabilities.argmax(axis=1) == data.y_train).mean()
    # 0.95
    ```
    """
    from sklearn.model_selection import StratifiedKFold

    settings = settings or DoubtSettings()
    labels = np.asarray(labels, dtype=np.int64)
    images = _check_foldable(np.asarray(images, dtype=np.float32), labels, num_classes,
                             settings.folds)
    probabilities = np.zeros((len(labels), num_classes), dtype=np.float32)
    splitter = StratifiedKFold(n_splits=settings.folds, shuffle=True,
                               random_state=settings.seed)
    total_epochs = settings.folds * settings.epochs
    for fold, (learned, held_out) in enumerate(splitter.split(images, labels)):
        keras.utils.set_random_seed(settings.seed + fold)
        model = _fold_model(settings, num_classes)
        steps = settings.epochs * int(np.ceil(len(learned) / settings.batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(settings.learning_rate, steps)
        model.compile(optimizer=keras.optimizers.Adam(schedule),
                      loss=keras.losses.SparseCategoricalCrossentropy(),
                      steps_per_execution=steps_per_execution_for(model, settings.batch_size))
        inputs, fit_arguments, callbacks = training_data(
            images[learned], labels[learned], settings.batch_size, settings.seed + fold,
            num_classes, sparse=True)
        if progress is not None:
            def report(epoch, logs=None, fold=fold):
                progress((fold * settings.epochs + epoch + 1) / total_epochs,
                         f"Fold {fold + 1} of {settings.folds}: epoch {epoch + 1} of "
                         f"{settings.epochs}")

            progress(fold * settings.epochs / total_epochs,
                     f"Fold {fold + 1} of {settings.folds}: training")
            callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=report))
        model.fit(inputs, epochs=settings.epochs, verbose=0, callbacks=callbacks,
                  **fit_arguments)
        probabilities[held_out] = model.predict(images[held_out],
                                                batch_size=PREDICTION_BATCH_SIZE, verbose=0)
    return probabilities


def rank_by_doubt(labels, probabilities):
    """Orders images from the most doubtful label to the least, by confident learning.

    Args:
        labels: the given labels, (N,) integers.
        probabilities: out-of-fold class probabilities, (N, num_classes).

    Returns:
        `(order, label_quality, flagged)`: the images' positions, most doubtful
        first (from the lowest label quality up); each label's quality (the
        probability of the given label, 0-1); and whether confident learning
        flags it as a likely label error (its estimate of how many there are).

    Raises:
        MnistKerasError: for mismatched arrays.

    >>> order, quality, flagged = rank_by_doubt(
    ...     [0, 1, 1, 0, 1, 0], [[0.9, 0.1], [0.2, 0.8], [0.95, 0.05], [0.8, 0.2],
    ...                          [0.1, 0.9], [0.7, 0.3]])
    >>> int(order[0]), bool(flagged[2]), round(float(quality[2]), 2)
    (2, True, 0.05)
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels = np.asarray(labels, dtype=np.int64)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(labels) or \
            probabilities.shape[1] < 2:
        raise expected("probabilities of shape (N, classes) for N labels",
                       labels=len(labels), probabilities=probabilities.shape)
    if len(labels) and (labels.min() < 0 or labels.max() >= probabilities.shape[1]):
        raise expected(f"labels from 0 to {probabilities.shape[1] - 1}",
                       low=int(labels.min()), high=int(labels.max()))
    # cleanlab checks that each row sums to 1; float32 softmax rows are off by
    # a rounding error.
    probabilities = np.clip(probabilities, 0.0, None)
    probabilities /= np.maximum(probabilities.sum(axis=1, keepdims=True), 1e-12)
    with warnings.catch_warnings():
        # cleanlab warns that a class with few images may hide label errors;
        # the ranking still scores them.
        warnings.simplefilter("ignore")
        # n_jobs=1: no worker processes (forking a process that runs
        # TensorFlow is unsafe, and the images here are few).
        flagged = find_label_issues(labels, probabilities, filter_by="prune_by_noise_rate",
                                    n_jobs=1, verbose=False)
        quality = get_label_quality_scores(labels, probabilities, method="self_confidence")
    # By quality alone, not flagged images first: with 2% of 5,000 MNIST labels
    # flipped, the top 2% then holds 93% of them against 88% (benchmarks/doubt.py):
    # pruning by noise rate leaves out some images whose label gets almost no
    # probability. `flagged` says how far down a review is worth reading.
    order = np.argsort(quality, kind="stable")
    return order, quality, flagged


def _rank(images, labels, class_names, indices, files, settings, progress):
    started = time.perf_counter()
    probabilities = out_of_fold_probabilities(images, labels, len(class_names), settings,
                                              progress)
    order, quality, flagged = rank_by_doubt(labels, probabilities)
    suggested = probabilities.argmax(axis=1)
    ranked = tuple(DoubtfulImage(
        index=int(indices[i]), given=int(labels[i]), suggested=int(suggested[i]),
        label_quality=round(float(quality[i]), 6), flagged=bool(flagged[i]),
        file=files[int(indices[i])] if files is not None else None) for i in order)
    accuracy = float((suggested == labels).mean())
    return ranked, accuracy, time.perf_counter() - started


def _subset(dataset, data_dir, train_size, seed):
    if train_size is not None:
        train_size = check_value("train_size", train_size)
    check_value("seed", seed)
    train_images, train_labels, _, _, class_names = read_dataset(dataset, data_dir)
    pool = stratified_subset(train_labels, train_size, seed)
    files = image_folder_files(data_dir)[0] if dataset == "images" else None
    return train_images, train_labels, pool, files, class_names


def doubt_dataset(dataset="mnist", data_dir=None, train_size=None, seed=0, settings=None,
                  progress=None):
    """Ranks a dataset's training images by how likely their label is wrong.

    Args:
        dataset: a dataset name (`load_dataset`'s): `"mnist"` (default),
            `"fashion-mnist"`, `"kmnist"`, `"idx"`, or `"images"` (a folder
            of images by class, a personal dataset's `images/` included).
        data_dir: its folder; None for the bundled MNIST.
        train_size: rank a stratified subset of this many training images
            (100-60,000), or None (default) for all of them.
        seed: the subset's seed. Defaults to 0.
        settings: `DoubtSettings` (folds, epochs, model...).
        progress: called as `progress(fraction, text)` while models train.

    Returns:
        A `LabelDoubts`.

    Raises:
        MnistKerasError: for data `load_dataset` refuses, a dataset of one
            class, or a class with fewer images than folds.

    Example:

    ```python
    doubts = doubt_dataset(train_size=2000)
    doubts.flagged, doubts.top(3)
    ```
    """
    settings = settings or DoubtSettings()
    train_images, train_labels, pool, files, class_names = _subset(dataset, data_dir,
                                                                   train_size, seed)
    ranked, accuracy, seconds = _rank(scale_pixels(train_images[pool]), train_labels[pool],
                                      class_names, pool, files, settings, progress)
    return LabelDoubts(dataset=dataset, class_names=tuple(class_names),
                       train_images=len(train_labels), images=ranked, accuracy=accuracy,
                       seconds=seconds, settings=settings, data_dir=data_dir,
                       train_size=train_size, seed=seed)


def doubt_run(run_dir, settings=None, progress=None):
    """Ranks the images a run trained on by how likely their label is wrong.

    The run's dataset and data settings (`dataset`, `data_dir`,
    `train_size`, `seed`) say which images: its training and validation
    images. A run that was itself trained with a label review has that
    review applied first: the images it excluded or relabelled are not
    ranked again, and its decisions carry into the new review.

    Args:
        run_dir: the run folder.
        settings: `DoubtSettings` (folds, epochs, model...).
        progress: called as `progress(fraction, text)` while models train.

    Returns:
        A `LabelDoubts` whose `save_review()` writes `RUN_DIR/label-review.json`.

    Raises:
        MnistKerasError: for a folder that holds no run, an imported model's
            run (it names no training data), or data `doubt_dataset` refuses.

    Example:

    ```python
    doubts = doubt_run("runs/first", DoubtSettings(folds=3))
    doubts.save_review()
    ```
    """
    settings = settings or DoubtSettings()
    run = Run(run_dir)
    if not os.path.isdir(run.path) or not run.is_run():
        raise expected("a run folder (one holding config.json)", run_dir=run.path)
    config = run.config()
    if config is None or config.training is None:
        raise expected("a run trained here (an imported model names no training images)",
                       run=run.name, origin=config.origin if config else None)
    training = config.training
    train_images, train_labels, pool, files, class_names = _subset(
        training.dataset, training.data_dir, training.train_size, training.seed)
    labels = train_labels[pool]
    earlier = None
    if training.label_review is not None:
        earlier = read_label_review(training.label_review)
        keep, reviewed = review_labels(pool, labels, earlier, files)
        # Excluded and relabelled images were decided by a person: not ranked again.
        undecided = keep & (reviewed == labels)
        pool, labels = pool[undecided], labels[undecided]
    ranked, accuracy, seconds = _rank(scale_pixels(train_images[pool]), labels, class_names,
                                      pool, files, settings, progress)
    return LabelDoubts(dataset=training.dataset, class_names=tuple(class_names),
                       train_images=len(train_labels), images=ranked, accuracy=accuracy,
                       seconds=seconds, settings=settings, data_dir=training.data_dir,
                       train_size=training.train_size, seed=training.seed,
                       run_dir=run.path, earlier=earlier)
