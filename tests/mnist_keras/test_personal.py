"""Personal datasets: a person's labelled digits, kept in the runs folder like any dataset."""

import json
import os

import numpy as np
import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.personal import (
    CLASSES,
    PersonalDataset,
    datasets_dir,
    import_samples,
    personal_datasets,
)

SEVEN = [{"points": [[60, 50], [220, 50], [120, 240]], "width": 22}]
ONE = [{"points": [[140, 40], [140, 240]], "width": 22}]


def test_a_new_dataset_is_an_image_folder_by_class_with_its_contract(tmp_path):
    mine = PersonalDataset.create(tmp_path / "runs", "my-hand")
    assert personal_datasets(tmp_path / "runs") == ["my-hand"]
    info = json.loads((tmp_path / "runs" / "datasets" / "my-hand" / "dataset.json").read_text())
    assert info["schema_version"] == 1 and info["classes"] == list(CLASSES)
    assert sorted(os.listdir(mine.images_dir)) == list(CLASSES)
    assert mine.samples() == [] and set(mine.counts().values()) == {0}
    with pytest.raises(MnistKerasError, match="a name no other dataset has"):
        PersonalDataset.create(tmp_path / "runs", "my-hand")
    for bad in ("../up", "", ".hidden", "x" * 81, 7):
        with pytest.raises(MnistKerasError, match="a dataset name of"):
            PersonalDataset.create(tmp_path / "runs", bad)


def test_a_sample_keeps_its_strokes_its_image_and_its_model_input(tmp_path):
    mine = PersonalDataset.create(tmp_path, "mine")
    sample = mine.add(7, strokes=SEVEN)
    assert sample.label == 7 and sample.strokes == SEVEN and sample.source == "dashboard"
    model_input = np.asarray(sample.input)
    assert model_input.shape == (28, 28) and model_input.min() >= 0 and model_input.max() <= 1
    from PIL import Image

    image = np.asarray(Image.open(mine.image_file(sample)))
    assert image.shape == (280, 280) and image.min() == 0 and image.max() == 255
    assert mine.counts()[7] == 1 and [s.id for s in mine.samples()] == [sample.id]
    # The image folder reads as the `images` dataset does: one folder per class.
    assert os.listdir(os.path.join(mine.images_dir, "7")) == [f"{sample.id}.png"]


def test_relabel_and_delete_move_and_remove_the_image(tmp_path):
    mine = PersonalDataset.create(tmp_path, "mine")
    first, second = mine.add(7, strokes=ONE), mine.add(1, strokes=ONE)
    relabelled = mine.relabel(first.id, "1")
    assert relabelled.label == 1 and os.path.isfile(mine.image_file(relabelled))
    assert not os.path.exists(mine.image_file(first))
    mine.delete(second.id)
    assert [s.id for s in mine.samples()] == [first.id] and mine.counts()[1] == 1
    assert not os.path.exists(mine.image_file(second))
    with pytest.raises(MnistKerasError, match="a sample of this dataset"):
        mine.delete("nothing")


@pytest.mark.parametrize("kwargs, message", [
    ({"label": 10, "strokes": ONE}, "a label among"),
    ({"label": "seven", "strokes": ONE}, "a label among"),
    ({"label": True, "strokes": ONE}, "a label among"),
    ({"label": 1}, "either the strokes of a drawing or an image"),
    ({"label": 1, "strokes": ONE, "image": np.zeros((28, 28))}, "either the strokes"),
    ({"label": 1, "strokes": []}, "a drawing of a digit"),
    ({"label": 1, "strokes": [{"points": [[140, 140]], "width": 2}]}, "a drawing of a digit"),
    ({"label": 1, "image": np.full((9000, 10), 255, np.uint8)}, "at most 4,000 pixels"),
    ({"label": 1, "image": np.zeros(5)}, "an image: a 2-D array"),
])
def test_a_refused_sample_writes_nothing(tmp_path, kwargs, message):
    mine = PersonalDataset.create(tmp_path, "mine")
    with pytest.raises(MnistKerasError, match=message):
        mine.add(**kwargs)
    assert mine.samples() == []
    assert all(os.listdir(os.path.join(mine.images_dir, label)) == [] for label in CLASSES)


def test_a_photo_is_a_sample_too(tmp_path):
    mine = PersonalDataset.create(tmp_path, "mine")
    photo = np.full((600, 400, 3), 230, np.uint8)
    photo[100:500, 180:220] = 20  # a dark 1 on light paper
    sample = mine.add(1, image=photo, source="cli")
    assert sample.strokes is None and np.asarray(sample.input).max() > 0.9


def test_a_samples_file_carries_a_dataset_to_another_runs_folder(tmp_path):
    mine = PersonalDataset.create(tmp_path / "a", "mine")
    mine.add(7, strokes=SEVEN)
    photo = np.full((300, 300), 255, np.uint8)
    photo[60:240, 140:160] = 0
    mine.add(1, image=photo)
    path = tmp_path / "samples.json"
    path.write_text(json.dumps(mine.samples_file()))
    copy, added, skipped = import_samples(path, tmp_path / "b")
    assert (copy.name, added, skipped) == ("mine", 2, 0)
    assert sorted(s.label for s in copy.samples()) == [1, 7]
    assert {s.source for s in copy.samples()} == {"import"}
    # Into a dataset of another name, again: added to what is there.
    _, added, _ = import_samples(path, tmp_path / "b", name="other")
    assert personal_datasets(tmp_path / "b") == ["mine", "other"] and added == 2


@pytest.mark.parametrize("content, message", [
    ("not json", "a samples file in JSON"),
    (json.dumps({"format": "other"}), "a file of format"),
    (json.dumps({"format": "mnist-keras-samples", "version": 9, "samples": []}),
     "upgrade to read it"),
    (json.dumps({"format": "mnist-keras-samples", "version": 1, "samples": []}),
     "a file of 1-10,000 samples"),
    (json.dumps({"format": "mnist-keras-samples", "version": 1,
                 "samples": [{"label": 3, "strokes": ONE}, {"label": 12, "strokes": ONE}]}),
     "a label among"),
    (json.dumps({"format": "mnist-keras-samples", "version": 1,
                 "samples": [{"label": 3}]}), "samples with strokes or an image"),
    (json.dumps({"format": "mnist-keras-samples", "version": 1,
                 "samples": [{"label": 3, "image": "data:image/png;base64,AAAA"}]}),
     "a readable image"),
])
def test_a_bad_samples_file_adds_nothing(tmp_path, content, message):
    path = tmp_path / "samples.json"
    path.write_text(content)
    with pytest.raises(MnistKerasError, match=message):
        import_samples(path, tmp_path / "runs")
    assert not os.path.exists(datasets_dir(tmp_path / "runs"))


def test_a_blank_sample_in_a_file_is_skipped_and_counted(tmp_path):
    path = tmp_path / "samples.json"
    path.write_text(json.dumps({"format": "mnist-keras-samples", "version": 1, "samples": [
        {"label": 1, "strokes": ONE}, {"label": 2, "strokes": [{"points": [[5, 5]],
                                                                 "width": 1}]}]}))
    dataset, added, skipped = import_samples(path, tmp_path / "runs", name="mixed")
    assert (added, skipped) == (1, 1) and dataset.counts()[1] == 1


def test_a_damaged_line_is_skipped_and_a_newer_contract_refused(tmp_path):
    mine = PersonalDataset.create(tmp_path, "mine")
    mine.add(1, strokes=ONE)
    with open(mine.file("samples.jsonl"), "a") as file:
        file.write("{not json\n")
    assert len(mine.samples()) == 1
    with open(mine.file("dataset.json")) as file:
        info = json.load(file)
    with open(mine.file("dataset.json"), "w") as file:
        json.dump({**info, "schema_version": 99}, file)
    with pytest.raises(MnistKerasError, match="upgrade to read it"):
        PersonalDataset.open(tmp_path, "mine")


def test_a_deeply_nested_samples_file_is_refused_in_one_line(tmp_path):
    # JSON nested past Python's recursion limit raised RecursionError, not a message.
    from mnist_keras.errors import MnistKerasError
    from mnist_keras.personal import import_samples

    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(MnistKerasError, match="a samples file in JSON"):
        import_samples(path, tmp_path / "runs")
    assert not (tmp_path / "runs").exists()
