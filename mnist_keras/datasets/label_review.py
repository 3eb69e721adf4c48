"""Label reviews: a person's decisions about doubtful labels, kept in a versioned JSON file.

`mnist_keras.doubt` ranks a dataset's training images by how likely their
label is wrong; a person then decides, image by image, to keep the label,
relabel the image or exclude it. A `LabelReview` holds the most doubtful
images of that ranking and the decisions. It lives next to what was reviewed:
`RUN_DIR/label-review.json` for the images a run trained on, beside the
dataset's folder for a dataset (`review_path_for`). A training given
`label_review=PATH` applies it as its data is loaded (`apply_label_review`):
excluded images are left out, relabelled ones relabelled.

```text
label-review.json  {"schema_version": 1, "format": "mnist-keras-label-review",
                    "dataset", "data_dir", "train_size", "seed", "run", "class_names",
                    "train_images", "folds", "accuracy", "seconds", "created",
                    "images": [{"index", "file", "given", "suggested", "label_quality",
                                "flagged", "decision", "label"}, ...]}
```

An image is named by its position in the dataset's full training set
(`index`) and, in an image folder, by its file too (relative to the folder),
so that images added to the folder later do not change which image a decision
is about. Reading checks every field and bound, and applying checks that each
decided image still has the label the review saw: a review never changes the
labels of another dataset than its own.

Imports no framework (the config checks a review file before training).

>>> review = LabelReview("mnist", tuple("0123456789"), 60_000,
...                      images=(DoubtfulImage(index=7, given=3, suggested=5,
...                                            label_quality=0.02, flagged=True),))
>>> review.decide(7, "relabel", label=5).counts()
{'keep': 0, 'relabel': 1, 'exclude': 0, 'undecided': 0}
"""

import dataclasses
import json
import math
import os
import time
from typing import Optional

import numpy as np

from mnist_keras.atomic import atomic_write_json
from mnist_keras.errors import expected

REVIEW_FILE = "label-review.json"
REVIEW_FORMAT = "mnist-keras-label-review"
SCHEMA_VERSION = 1
KEEP, RELABEL, EXCLUDE = "keep", "relabel", "exclude"
DECISIONS = (KEEP, RELABEL, EXCLUDE)
# Bounds on what a file may hold: no training set here is larger than
# MNIST's 60,000 images, and a review of all of them is about 8 MB.
MAX_IMAGES = 60_000
MAX_FILE_BYTES = 32 * 2**20
MAX_CLASSES = 100
MAX_FILE_NAME_CHARS = 1_000


@dataclasses.dataclass(frozen=True)
class DoubtfulImage:
    """One training image of a review: what the models made of its label, and the decision.

    Attributes:
        index: its position in the dataset's full training set (the IDX
            file's order, or an image folder's as `read_image_folder` reads it).
        given: the label it has (a class index).
        suggested: the label the out-of-fold models gave it most probability.
        label_quality: the out-of-fold probability of the given label, 0-1:
            low means doubtful (confident learning's self-confidence).
        flagged: confident learning counts it among the likely label errors.
        file: in an image folder, its file relative to the folder.
        decision: `"keep"`, `"relabel"`, `"exclude"`, or None (not decided).
        label: the new label of a relabelled image, else None.
    """

    index: int
    given: int
    suggested: int
    label_quality: float
    flagged: bool = False
    file: Optional[str] = None
    decision: Optional[str] = None
    label: Optional[int] = None

    @property
    def key(self):
        """What names the image across reviews: its file in an image folder, else its index."""
        return ("file", self.file) if self.file is not None else ("index", self.index)


@dataclasses.dataclass(frozen=True)
class LabelReview:
    """A label review: the most doubtful training images of a dataset and the decisions.

    Attributes:
        dataset: the dataset's name (`"mnist"`, `"idx"`, `"images"`, ...).
        class_names: one name per label.
        train_images: how many images the dataset's full training set has
            (an image folder that changed since says so).
        images: `DoubtfulImage`s, the most doubtful first.
        data_dir: the dataset's folder, None for the bundled MNIST.
        train_size, seed: the subset the ranking looked at (a run's own).
        run: the run whose training images were reviewed, or None.
        folds: how many models the out-of-fold probabilities came from.
        accuracy: the out-of-fold accuracy against the given labels.
        seconds: how long the ranking took.
        created: when the ranking was made (seconds since the epoch).

    Example:

    ```python
    review = read_label_review("runs/first/label-review.json")
    review = review.decide(review.images[0].index, "exclude")
    review.save("runs/first/label-review.json")
    ```
    """

    dataset: str
    class_names: tuple
    train_images: int
    images: tuple = ()
    data_dir: Optional[str] = None
    train_size: Optional[int] = None
    seed: int = 0
    run: Optional[str] = None
    folds: Optional[int] = None
    accuracy: Optional[float] = None
    seconds: Optional[float] = None
    created: Optional[float] = None

    def image(self, index):
        """The reviewed image at training-set position `index`, or None."""
        return next((image for image in self.images if image.index == index), None)

    def decide(self, index, decision, label=None):
        """A copy with the decision about one image changed.

        Args:
            index: the image's position in the full training set.
            decision: `"keep"`, `"relabel"`, `"exclude"`, or None to undo.
            label: the new label (a class index) when relabelling. A
                relabel to the label it already has is a keep.

        Returns:
            A new `LabelReview`.

        Raises:
            MnistKerasError: for an image not in the review, an unknown
                decision, or a relabel without a valid label.
        """
        found = self.image(index)
        if found is None:
            raise expected("an image of the review", index=index)
        if decision is not None and decision not in DECISIONS:
            raise expected(f"a decision in {list(DECISIONS)} or None", decision=decision)
        if decision == RELABEL:
            if not _is_label(label, len(self.class_names)):
                raise expected(f"a new label from 0 to {len(self.class_names) - 1} to "
                               "relabel to", label=label)
            if int(label) == found.given:
                decision, label = KEEP, None
            else:
                label = int(label)
        else:
            label = None
        changed = dataclasses.replace(found, decision=decision, label=label)
        return dataclasses.replace(self, images=tuple(
            changed if image.index == index else image for image in self.images))

    def counts(self):
        """How many images have each decision: `{"keep", "relabel", "exclude", "undecided"}`."""
        counts = dict.fromkeys((*DECISIONS, "undecided"), 0)
        for image in self.images:
            counts[image.decision or "undecided"] += 1
        return counts

    def decided(self):
        """The images with a decision, in the review's order."""
        return tuple(image for image in self.images if image.decision is not None)

    def carry_decisions(self, earlier):
        """A copy that keeps the decisions of an `earlier` review of the same dataset.

        A decided image that this review lists takes the earlier decision
        (unless this review decided it already); one it does not list is
        appended, so no decision is lost when the ranking is made again.

        Raises:
            MnistKerasError: for a review of another dataset.
        """
        if earlier is None:
            return self
        if earlier.dataset != self.dataset or \
                tuple(earlier.class_names) != tuple(self.class_names):
            raise expected(f"an earlier review of the same dataset ({self.dataset}, "
                           f"{len(self.class_names)} classes)", dataset=earlier.dataset,
                           classes=len(earlier.class_names))
        earlier_decisions = {image.key: image for image in earlier.decided()}
        images = []
        for image in self.images:
            before = earlier_decisions.pop(image.key, None)
            if before is not None and image.decision is None:
                image = dataclasses.replace(image, decision=before.decision, label=before.label)
            images.append(image)
        listed = {image.key for image in images}
        images.extend(image for key, image in earlier_decisions.items() if key not in listed)
        return dataclasses.replace(self, images=tuple(images))

    def to_dict(self):
        """The review as a JSON-ready dict (what the file holds)."""
        values = dataclasses.asdict(self)
        values["class_names"] = list(self.class_names)
        values["images"] = [dataclasses.asdict(image) for image in self.images]
        return {"schema_version": SCHEMA_VERSION, "format": REVIEW_FORMAT, **values}

    @classmethod
    def from_dict(cls, data, where=REVIEW_FILE):
        """Reads a review from its dict, checking every field.

        Args:
            data: what the file holds.
            where: how messages name the file.

        Raises:
            MnistKerasError: for another format, a newer version, or a field
                out of its bounds.
        """
        if not isinstance(data, dict) or data.get("format") != REVIEW_FORMAT:
            raise expected(f"a label review ({REVIEW_FORMAT!r}) in {where}",
                           format=data.get("format") if isinstance(data, dict) else
                           type(data).__name__)
        version = data.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or \
                not 1 <= version <= SCHEMA_VERSION:
            raise expected(f"{where} in label review version {SCHEMA_VERSION} or older (a "
                           "newer one was written by a newer mnist-keras: upgrade to read it)",
                           schema_version=version)
        names = data.get("class_names")
        if not isinstance(names, list) or not 2 <= len(names) <= MAX_CLASSES or \
                not all(isinstance(name, str) for name in names):
            raise expected(f"2-{MAX_CLASSES} class names in {where}",
                           class_names=str(names)[:100])
        train_images = data.get("train_images")
        if not _is_count(train_images, 1, 10 * MAX_IMAGES):
            raise expected(f"train_images as a positive count in {where}",
                           train_images=train_images)
        raw_images = data.get("images")
        if not isinstance(raw_images, list) or len(raw_images) > MAX_IMAGES:
            raise expected(f"a list of at most {MAX_IMAGES:,} images in {where}",
                           images=len(raw_images) if isinstance(raw_images, list) else
                           type(raw_images).__name__)
        images = tuple(_read_image(entry, number, len(names), train_images, where)
                       for number, entry in enumerate(raw_images))
        keys = [image.key for image in images]
        if len(set(keys)) != len(keys):
            raise expected(f"each image once in {where}", images=len(keys),
                           distinct=len(set(keys)))
        if not isinstance(data.get("dataset"), str):
            raise expected(f"a dataset name in {where}", dataset=data.get("dataset"))
        optional = {"data_dir": str, "train_size": int, "run": str, "folds": int,
                    "accuracy": float, "seconds": float, "created": float}
        values = {}
        for name, kind in optional.items():
            value = data.get(name)
            if value is not None and not (_is_number(value) if kind is float else
                                          _is_count(value, 0, 10**9) if kind is int else
                                          isinstance(value, str)):
                raise expected(f"{name} as {kind.__name__} or null in {where}",
                               **{name: value})
            values[name] = value
        seed = data.get("seed", 0)
        if not _is_count(seed, 0, 2**31 - 1):
            raise expected(f"a seed in [0, 2147483647] in {where}", seed=seed)
        return cls(dataset=data["dataset"], class_names=tuple(names),
                   train_images=train_images, images=images, seed=seed, **values)

    def save(self, path):
        """Writes the review to `path` atomically (a reader never sees half a file).

        Raises:
            MnistKerasError: for a folder that cannot be written.
        """
        path = os.fspath(path)
        values = self.to_dict()
        if values["created"] is None:
            values["created"] = time.time()
        try:
            atomic_write_json(path, values)
        except OSError as error:
            raise expected("a folder the label review can be written to", path=path,
                           reason=error.strerror or str(error)) from None
        return path


def read_label_review(path):
    """Reads and checks a label review file.

    Args:
        path: the file (`label-review.json`).

    Returns:
        A `LabelReview`.

    Raises:
        MnistKerasError: for a missing, oversized, damaged or newer file, or
            one whose fields are out of bounds.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise expected("an existing label review file", label_review=path)
    if os.path.getsize(path) > MAX_FILE_BYTES:
        raise expected(f"a label review of at most {MAX_FILE_BYTES // 2**20} MB",
                       size=f"{os.path.getsize(path) / 2**20:.0f} MB")
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError, RecursionError) as error:
        raise expected("a label review in JSON", label_review=path,
                       reason=str(error)[:100]) from None
    return LabelReview.from_dict(data, where=path)


def review_path_for(data_dir):
    """Where the review of a dataset's folder goes: beside its images.

    A personal dataset's review goes into the dataset's own folder (the
    parent of its `images/`), any other folder's into the folder itself.

    Args:
        data_dir: the dataset's folder; None for the bundled MNIST.

    Returns:
        The review file's path, or None for the bundled MNIST (the package's
        files are not written to: give a path of your own).
    """
    if data_dir is None:
        return None
    folder = os.path.normpath(os.fspath(data_dir))
    parent = os.path.dirname(folder)
    if os.path.basename(folder) == "images" and \
            os.path.isfile(os.path.join(parent, "dataset.json")):
        return os.path.join(parent, REVIEW_FILE)
    return os.path.join(folder, REVIEW_FILE)


def review_labels(indices, labels, review, train_files=None):
    """What a review does to some training images: which stay, with which labels.

    Args:
        indices: the images' positions in the full training set.
        labels: their labels (class indices), in the same order.
        review: a `LabelReview` of the same dataset.
        train_files: for an image folder, the full training set's files
            (`image_folder_files(...)[0]`): decisions then follow files, and a
            decision about a file that is gone is left aside.

    Returns:
        `(keep, new_labels)`: a boolean mask of the images that stay, and
        every image's label after the review.

    Raises:
        MnistKerasError: if a decided image's label is not the one the review
            saw (the review is of other data).

    >>> review = LabelReview("mnist", tuple("0123456789"), 100, images=(
    ...     DoubtfulImage(3, given=1, suggested=7, label_quality=0.1, decision="relabel",
    ...                   label=7),
    ...     DoubtfulImage(5, given=2, suggested=2, label_quality=0.2, decision="exclude")))
    >>> keep, new_labels = review_labels([3, 4, 5], [1, 1, 2], review)
    >>> keep.tolist(), new_labels.tolist()
    ([True, True, False], [7, 1, 2])
    """
    indices = np.asarray(indices, dtype=np.int64)
    labels = np.asarray(labels, dtype=np.int64)
    position = {int(index): number for number, index in enumerate(indices)}
    by_file = ({name: number for number, name in enumerate(train_files)}
               if train_files is not None else None)
    keep = np.ones(len(indices), dtype=bool)
    new_labels = labels.copy()
    for image in review.decided():
        index = image.index
        if by_file is not None and image.file is not None:
            index = by_file.get(image.file)
            if index is None:
                continue  # the file is gone (deleted, or moved by a relabel elsewhere)
        number = position.get(int(index))
        if number is None:
            continue  # not among these images (another subset)
        if int(labels[number]) != image.given:
            raise expected("the labels the review was made on (rank the data again: it "
                           "changed since)", image=image.file or index,
                           label_in_data=int(labels[number]), label_in_review=image.given)
        if image.decision == EXCLUDE:
            keep[number] = False
        elif image.decision == RELABEL:
            new_labels[number] = image.label
    return keep, new_labels


def apply_label_review(data, review, train_files=None):
    """A `Dataset` with a review's decisions applied to its training and validation images.

    Excluded images are left out, relabelled ones take their new label; the
    test images are never touched.

    Args:
        data: a `Dataset` (`load_dataset`'s).
        review: a `LabelReview` of the same dataset.
        train_files: for an image folder, the full training set's files (see
            `review_labels`).

    Returns:
        A new `Dataset`.

    Raises:
        MnistKerasError: for a review of another dataset, other labels, or
            one that leaves no training image.
    """
    if review.dataset != data.name or len(review.class_names) != data.num_classes:
        raise expected(f"a label review of the {data.name} dataset ({data.num_classes} "
                       "classes)", review_dataset=review.dataset,
                       review_classes=len(review.class_names))
    changed = {}
    for split in ("train", "val"):
        indices = getattr(data, f"{split}_indices")
        keep, labels = review_labels(indices, getattr(data, f"y_{split}"), review,
                                     train_files)
        changed[f"x_{split}"] = getattr(data, f"x_{split}")[keep]
        changed[f"y_{split}"] = labels[keep].astype(getattr(data, f"y_{split}").dtype)
        changed[f"{split}_indices"] = indices[keep]
    if not len(changed["y_train"]):
        raise expected("training images left after the review's exclusions",
                       excluded=len(data.y_train))
    return dataclasses.replace(data, **changed)


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _is_count(value, low, high):
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_label(value, num_classes):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and \
        0 <= int(value) < num_classes


def _read_image(entry, number, num_classes, train_images, where):
    what = f"image {number} of {where}"
    if not isinstance(entry, dict):
        raise expected(f"an object for {what}", image=type(entry).__name__)
    index, file = entry.get("index"), entry.get("file")
    if not _is_count(index, 0, train_images - 1):
        raise expected(f"an index from 0 to {train_images - 1} for {what}", index=index)
    for name in ("given", "suggested"):
        if not _is_label(entry.get(name), num_classes):
            raise expected(f"{name} as a label from 0 to {num_classes - 1} for {what}",
                           **{name: entry.get(name)})
    quality = entry.get("label_quality")
    if not _is_number(quality) or not 0 <= quality <= 1:
        raise expected(f"label_quality in [0, 1] for {what}", label_quality=quality)
    if file is not None and (not isinstance(file, str) or not file or
                             len(file) > MAX_FILE_NAME_CHARS):
        raise expected(f"a file name or null for {what}", file=str(file)[:100])
    decision, label = entry.get("decision"), entry.get("label")
    if decision is not None and decision not in DECISIONS:
        raise expected(f"a decision in {list(DECISIONS)} or null for {what}",
                       decision=decision)
    if decision == RELABEL:
        if not _is_label(label, num_classes) or label == entry["given"]:
            raise expected(f"a new label other than the given one for {what}", label=label)
    elif label is not None:
        raise expected(f"no label for {what} unless it is relabelled", label=label,
                       decision=decision)
    flagged = entry.get("flagged", False)
    if not isinstance(flagged, bool):
        raise expected(f"flagged true or false for {what}", flagged=flagged)
    return DoubtfulImage(index=index, given=entry["given"], suggested=entry["suggested"],
                         label_quality=float(quality), flagged=flagged, file=file,
                         decision=decision, label=label)

