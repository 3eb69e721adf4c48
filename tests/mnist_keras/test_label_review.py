"""Label reviews: the file, the decisions, and what they do to the data a training loads."""

import dataclasses
import json

import numpy as np
import pytest

from mnist_keras.datasets import image_folder_files, load_dataset, read_dataset
from mnist_keras.datasets.label_review import (
    REVIEW_FILE,
    DoubtfulImage,
    LabelReview,
    apply_label_review,
    read_label_review,
    review_labels,
    review_path_for,
)
from mnist_keras.errors import MnistKerasError
from tests.conftest import write_image_folder

DIGITS = tuple("0123456789")


def _review(**changes):
    images = (DoubtfulImage(10, given=3, suggested=5, label_quality=0.01, flagged=True),
              DoubtfulImage(20, given=1, suggested=7, label_quality=0.2),
              DoubtfulImage(30, given=4, suggested=4, label_quality=0.6))
    return LabelReview(**{"dataset": "idx", "class_names": DIGITS, "train_images": 1200,
                          "images": images, **changes})


def test_decisions_are_made_one_image_at_a_time_and_counted():
    review = _review().decide(10, "exclude").decide(20, "relabel", label=7)
    assert review.counts() == {"keep": 0, "relabel": 1, "exclude": 1, "undecided": 1}
    assert [image.index for image in review.decided()] == [10, 20]
    assert review.image(20).label == 7 and review.image(30).decision is None
    # A relabel to the label it already has is a keep; None undoes a decision.
    assert review.decide(20, "relabel", label=1).image(20).decision == "keep"
    assert review.decide(10, None).image(10).decision is None
    assert _review().image(99) is None


@pytest.mark.parametrize("index, decision, label, message", [
    (99, "exclude", None, "an image of the review"),
    (10, "delete", None, "a decision in"),
    (10, "relabel", None, "a new label from 0 to 9"),
    (10, "relabel", 10, "a new label from 0 to 9"),
    (10, "relabel", True, "a new label from 0 to 9"),
])
def test_a_bad_decision_is_refused(index, decision, label, message):
    with pytest.raises(MnistKerasError, match=message):
        _review().decide(index, decision, label)


def test_a_review_is_saved_and_read_back_exactly(tmp_path):
    review = _review(run="first", folds=5, accuracy=0.95, seconds=12.5, train_size=1200,
                     data_dir="/data").decide(20, "relabel", label=7)
    path = review.save(tmp_path / REVIEW_FILE)
    again = read_label_review(path)
    assert dataclasses.replace(again, created=None) == review
    data = json.loads((tmp_path / REVIEW_FILE).read_text())
    assert data["schema_version"] == 1 and data["format"] == "mnist-keras-label-review"
    assert data["images"][1] == {"index": 20, "given": 1, "suggested": 7, "label_quality": 0.2,
                                 "flagged": False, "file": None, "decision": "relabel",
                                 "label": 7}


def _written(tmp_path, change):
    data = _review().decide(20, "relabel", label=7).to_dict()
    change(data)
    path = tmp_path / "review.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(format="other"), "a label review"),
    (lambda d: d.update(schema_version=2), "version 1 or older"),
    (lambda d: d.update(class_names=["only"]), "2-100 class names"),
    (lambda d: d.update(train_images=0), "train_images as a positive count"),
    (lambda d: d.update(images={}), "a list of at most 60,000 images"),
    (lambda d: d["images"][0].update(index=1200), "an index from 0 to 1199"),
    (lambda d: d["images"][0].update(given=12), "given as a label from 0 to 9"),
    (lambda d: d["images"][0].update(label_quality=1.5), "label_quality in"),
    (lambda d: d["images"][0].update(decision="maybe"), "a decision in"),
    (lambda d: d["images"][1].update(label=1), "a new label other than the given one"),
    (lambda d: d["images"][0].update(label=2), "no label for image 0"),
    (lambda d: d["images"][0].update(flagged="yes"), "flagged true or false"),
    (lambda d: d["images"][0].update(file=""), "a file name or null"),
    (lambda d: d["images"].append(dict(d["images"][0])), "each image once"),
    (lambda d: d.update(dataset=None), "a dataset name"),
    (lambda d: d.update(accuracy="high"), "accuracy as float or null"),
    (lambda d: d.update(seed=-1), "a seed in"),
])
def test_a_damaged_or_newer_review_is_refused_naming_the_field(tmp_path, change, message):
    with pytest.raises(MnistKerasError, match=message):
        read_label_review(_written(tmp_path, change))


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(MnistKerasError, match="an existing label review file"):
        read_label_review(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(MnistKerasError, match="a label review in JSON"):
        read_label_review(tmp_path / "broken.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(MnistKerasError, match="a label review"):
        read_label_review(tmp_path / "list.json")
    with pytest.raises(MnistKerasError, match="a folder the label review can be written to"):
        _review().save(tmp_path / "missing" / "folder" / REVIEW_FILE)


def test_decisions_carry_into_a_new_ranking_and_none_is_lost():
    earlier = _review().decide(10, "exclude").decide(30, "keep")
    fresh = LabelReview("idx", DIGITS, 1200, images=(
        DoubtfulImage(30, given=4, suggested=9, label_quality=0.05),
        DoubtfulImage(40, given=2, suggested=8, label_quality=0.1)))
    merged = fresh.decide(30, "relabel", label=9).carry_decisions(earlier)
    # This review's own decision wins; an earlier one it does not list is appended.
    assert [(i.index, i.decision) for i in merged.images] == [
        (30, "relabel"), (40, None), (10, "exclude")]
    assert fresh.carry_decisions(None) == fresh
    with pytest.raises(MnistKerasError, match="an earlier review of the same dataset"):
        fresh.carry_decisions(_review(dataset="mnist"))


def test_review_labels_drops_the_excluded_and_relabels():
    review = _review().decide(10, "exclude").decide(20, "relabel", label=7)
    keep, labels = review_labels([5, 10, 20, 30], [0, 3, 1, 4], review)
    assert keep.tolist() == [True, False, True, True] and labels.tolist() == [0, 3, 7, 4]
    # An image whose label is not the one the review saw: another dataset, refused.
    with pytest.raises(MnistKerasError, match="the labels the review was made on"):
        review_labels([20], [2], review)


def test_a_training_loads_its_data_with_the_review_applied(synthetic_data_dir):
    data = load_dataset("idx", synthetic_data_dir, train_size=200, test_size=100,
                        validation_split=0.1, seed=0)
    first_train, first_val = int(data.train_indices[0]), int(data.val_indices[0])
    review = LabelReview("idx", DIGITS, 1200, images=(
        DoubtfulImage(first_train, int(data.y_train[0]), 0, 0.01, decision="exclude"),
        DoubtfulImage(first_val, int(data.y_val[0]), (int(data.y_val[0]) + 1) % 10, 0.02,
                      decision="relabel", label=(int(data.y_val[0]) + 1) % 10)))
    reviewed = apply_label_review(data, review)
    assert len(reviewed.y_train) == len(data.y_train) - 1
    assert first_train not in reviewed.train_indices.tolist()
    assert reviewed.y_val[0] == (data.y_val[0] + 1) % 10 and len(reviewed.y_val) == 20
    np.testing.assert_array_equal(reviewed.x_test, data.x_test)
    with pytest.raises(MnistKerasError, match="a label review of the idx dataset"):
        apply_label_review(data, dataclasses.replace(review, dataset="mnist"))
    everything = dataclasses.replace(review, images=tuple(
        DoubtfulImage(int(i), int(y), 0, 0.1, decision="exclude")
        for i, y in zip(data.train_indices, data.y_train)))
    with pytest.raises(MnistKerasError, match="training images left"):
        apply_label_review(data, everything)


def test_an_image_folder_is_reviewed_by_file(tmp_path):
    folder = write_image_folder(tmp_path / "shapes", per_class=10)
    train_files, test_files = image_folder_files(folder)
    train_images, train_labels, _, _, names = read_dataset("images", folder)
    # The files come in the order of the arrays, each in its class's folder.
    assert len(train_files) == len(train_labels) == 24 and len(test_files) == 6
    assert [names.index(name.split("/")[0]) for name in train_files] == train_labels.tolist()
    split = write_image_folder(tmp_path / "split", per_class=4, split=True)
    assert image_folder_files(split)[0][0].startswith("train/bar/")
    gone = "square/9999.png"
    review = LabelReview("images", tuple(names), 24, images=(
        DoubtfulImage(0, int(train_labels[3]), 0, 0.1, file=train_files[3],
                      decision="exclude"),
        DoubtfulImage(1, 0, 1, 0.1, file=gone, decision="exclude")))
    keep, _ = review_labels(np.arange(24), train_labels, review, train_files)
    # Decisions follow files: image 3 goes (not image 0), the missing file is left aside.
    assert np.flatnonzero(~keep).tolist() == [3]


def test_a_review_goes_beside_the_data_it_reviews(tmp_path):
    assert review_path_for(None) is None
    assert review_path_for("/data/shapes") == f"/data/shapes/{REVIEW_FILE}"
    personal = tmp_path / "datasets" / "mine"
    (personal / "images").mkdir(parents=True)
    (personal / "dataset.json").write_text("{}")
    assert review_path_for(str(personal / "images")) == str(personal / REVIEW_FILE)
