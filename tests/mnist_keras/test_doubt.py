"""Doubtful labels: out-of-fold probabilities, the ranking, runs, the review, the command."""

import dataclasses
import json
import os

import numpy as np
import pytest

from mnist_keras.cli import main
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets import write_idx
from mnist_keras.datasets.label_review import REVIEW_FILE, read_label_review
from mnist_keras.doubt import (
    DoubtSettings,
    doubt_dataset,
    doubt_run,
    out_of_fold_probabilities,
    rank_by_doubt,
)
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, RunConfig
from mnist_keras.training import load_training_data, train
from tests.conftest import make_digits, write_image_folder

# Small and quick: the synthetic bars are learnt in a few epochs.
FAST = DoubtSettings(folds=2, epochs=4, batch_size=16, learning_rate=1e-2)
FLIPPED = (3, 50, 97, 140)


@pytest.fixture(scope="module")
def noisy_data_dir(tmp_path_factory):
    """A synthetic IDX set of 200 training images, four of them labelled wrongly."""
    folder = tmp_path_factory.mktemp("noisy")
    images, labels = make_digits(200, seed=3)
    labels = labels.copy()
    labels[list(FLIPPED)] = (labels[list(FLIPPED)] + 5) % 10
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), images)
    write_idx(os.path.join(folder, "train-labels-idx1-ubyte"), labels)
    test_images, test_labels = make_digits(100, seed=4)
    write_idx(os.path.join(folder, "t10k-images-idx3-ubyte"), test_images)
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte"), test_labels)
    return str(folder)


def _plain(data_dir, **changes):
    settings = dict(model="mlp", dataset="idx", data_dir=data_dir, train_size=200,
                    test_size=100, epochs=1, batch_size=32, validation_split=0.0,
                    augment=False, dropout=None, label_smoothing=0.0)
    return TrainingConfig(**{**settings, **changes})


@pytest.fixture(scope="module")
def noisy_run(tmp_path_factory, noisy_data_dir):
    run_dir = tmp_path_factory.mktemp("runs") / "noisy"
    train(_plain(noisy_data_dir), run_dir=run_dir)
    return run_dir


@pytest.mark.parametrize("changes, message", [
    ({"folds": 1}, r"folds as an integer in \[2, 10\]"),
    ({"folds": 2.5}, "folds as an integer"),
    ({"epochs": 0}, "epochs as an integer in"),
    ({"batch_size": True}, "batch_size as an integer"),
    ({"learning_rate": 5.0}, "learning_rate as a number in"),
    ({"model": "resnet"}, "model None"),
    ({"seed": -1}, "seed as an integer"),
])
def test_settings_are_bounded(changes, message):
    with pytest.raises(MnistKerasError, match=message):
        DoubtSettings(**changes)
    assert DoubtSettings(model="mlp").model == "mlp"


def test_the_ranking_is_confident_learnings_label_quality():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 300)
    probabilities = rng.dirichlet(np.ones(4) * 0.5, 300)
    probabilities[np.arange(300), labels] += 1.0
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    wrong = [5, 80, 201]
    labels[wrong] = (labels[wrong] + 2) % 4
    order, quality, flagged = rank_by_doubt(labels, probabilities)
    # The reference: self-confidence is the probability of the given label.
    reference = probabilities[np.arange(300), labels]
    np.testing.assert_allclose(quality, reference, rtol=1e-6)
    assert order.tolist() == np.argsort(reference, kind="stable").tolist()
    assert set(order[:3].tolist()) == set(wrong)
    # Pruning by noise rate is more cautious than the ranking: it flags most, not all.
    assert flagged[wrong].sum() >= 2 and flagged.sum() < 20
    with pytest.raises(MnistKerasError, match="probabilities of shape"):
        rank_by_doubt(labels[:10], probabilities)
    with pytest.raises(MnistKerasError, match="labels from 0 to 3"):
        rank_by_doubt(np.full(300, 7), probabilities)


def test_out_of_fold_probabilities_report_progress_and_refuse_what_cannot_fold():
    images, labels = make_digits(60, seed=1)
    seen = []
    probabilities = out_of_fold_probabilities(
        images / 255.0, labels, 10, DoubtSettings(folds=2, epochs=1),
        progress=lambda fraction, text: seen.append(fraction))
    assert probabilities.shape == (60, 10) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-4)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    with pytest.raises(MnistKerasError, match="at least 2 classes"):
        out_of_fold_probabilities(images / 255.0, np.zeros(60, int), 10, FAST)
    with pytest.raises(MnistKerasError, match="at least 7 images of each class"):
        out_of_fold_probabilities(images / 255.0, labels, 10, DoubtSettings(folds=7))
    with pytest.raises(MnistKerasError, match="as many labels as images"):
        out_of_fold_probabilities(images / 255.0, labels[:5], 10, FAST)
    with pytest.raises(MnistKerasError, match=r"images of shape \(N, 28, 28\)"):
        out_of_fold_probabilities(np.zeros((60, 10, 10)), labels, 10, FAST)


def test_a_dataset_s_flipped_labels_rank_first(noisy_data_dir):
    doubts = doubt_dataset("idx", noisy_data_dir, settings=FAST)
    assert {image.index for image in doubts.top(len(FLIPPED))} == set(FLIPPED)
    first = doubts.images[0]
    assert first.given != first.suggested and first.label_quality < 0.5 and first.file is None
    assert len(doubts.images) == 200 and doubts.train_images == 200 and doubts.accuracy > 0.9
    assert doubts.review_path == os.path.join(noisy_data_dir, REVIEW_FILE)
    summary = doubts.to_dict(top=3)
    assert len(summary["images"]) == 3 and "decision" not in summary["images"][0]
    assert summary["ranked"] == 200 and summary["settings"]["folds"] == 2
    json.dumps(summary)


def test_a_run_is_reviewed_then_trained_again_without_the_excluded(noisy_run, tmp_path):
    doubts = doubt_run(noisy_run, FAST)
    assert doubts.run_dir == str(noisy_run) and doubts.train_size == 200
    assert {image.index for image in doubts.top(len(FLIPPED))} == set(FLIPPED)
    path = doubts.save_review(size=50)
    assert path == str(noisy_run / REVIEW_FILE)
    review = read_label_review(path)
    assert review.run == "noisy" and len(review.images) == 50 and review.folds == 2
    first, second = review.images[0], review.images[1]
    review = review.decide(first.index, "exclude").decide(second.index, "relabel",
                                                          label=second.suggested)
    review.save(path)
    # Ranking again keeps the decisions made.
    again = read_label_review(doubts.save_review(size=10))
    assert again.image(first.index).decision == "exclude"

    config = _plain(doubts.data_dir, label_review=path, parent_run="noisy")
    data = load_training_data(config)
    assert len(data.y_train) == 199 and first.index not in data.train_indices.tolist()
    position = data.train_indices.tolist().index(second.index)
    assert data.y_train[position] == second.suggested
    retrained = train(config, run_dir=tmp_path / "reviewed")
    assert Run(retrained.run_dir).config().training.parent_run == "noisy"

    # The retrained run's own ranking leaves the decided images out, and carries
    # the decisions it was trained with into its review.
    second_round = doubt_run(tmp_path / "reviewed", FAST)
    ranked = {image.index for image in second_round.images}
    assert first.index not in ranked and second.index not in ranked
    carried = read_label_review(second_round.save_review())
    assert carried.image(first.index).decision == "exclude"
    assert carried.image(second.index).label == second.suggested


def test_an_image_folder_is_ranked_by_file(tmp_path):
    folder = write_image_folder(tmp_path / "shapes", per_class=10)
    doubts = doubt_dataset("images", folder, settings=FAST)
    assert len(doubts.images) == 24 and doubts.class_names == ("bar", "column", "square")
    assert all(image.file.split("/")[0] == doubts.class_names[image.given]
               for image in doubts.images)


def test_what_cannot_be_ranked_is_refused(tmp_path, noisy_data_dir):
    with pytest.raises(MnistKerasError, match="a run folder"):
        doubt_run(tmp_path / "nowhere")
    upload = Run.create(tmp_path / "upload")
    upload.write_config(RunConfig.for_upload("model.keras"))
    with pytest.raises(MnistKerasError, match="a run trained here"):
        doubt_run(upload.path)
    few = write_image_folder(tmp_path / "few", per_class=4)
    with pytest.raises(MnistKerasError, match="at least 5 images of each class"):
        doubt_dataset("images", few)
    with pytest.raises(MnistKerasError, match="train_size as an integer"):
        doubt_dataset("idx", noisy_data_dir, train_size=5)
    # The bundled MNIST is never written to: a review needs a path of one's own.
    doubts = doubt_dataset("idx", noisy_data_dir, settings=FAST)
    with pytest.raises(MnistKerasError, match="a path for the review"):
        dataclasses.replace(doubts, data_dir=None).save_review()
    (tmp_path / "damaged.json").write_text("{")
    with pytest.raises(MnistKerasError, match="a label review in JSON"):
        doubts.save_review(tmp_path / "damaged.json")
    assert (tmp_path / "damaged.json").read_text() == "{"  # never overwritten


def test_the_command_ranks_a_run_and_writes_its_review(noisy_run, capsys):
    assert main(["doubt", str(noisy_run), "--folds", "2", "--epochs", "4", "--top", "4"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "image", "given", "suggested", "quality", "flagged"]
    assert {int(line.split()[1]) for line in lines[1:5]} == set(FLIPPED)
    assert "Review written to" in out and "--label-review" in out
    assert "Fold 2 of 2" in err  # progress goes to stderr
    assert os.path.isfile(noisy_run / REVIEW_FILE)


def test_the_command_ranks_a_dataset_as_json(noisy_data_dir, tmp_path, capsys):
    review = tmp_path / "mine.json"
    assert main(["doubt", "idx", "--data-dir", noisy_data_dir, "--train-size", "200",
                 "--folds", "2", "--epochs", "4", "--top", "3", "--json",
                 "--review", str(review)]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert len(result["images"]) == 3 and result["review"] == str(review)
    assert result["dataset"] == "idx" and err == ""
    assert len(read_label_review(review).images) == 200


@pytest.mark.parametrize("arguments, message", [
    (["nowhere"], "Expected a run folder or a dataset name in"),
    (["RUN", "--data-dir", "x"], "Expected no data options with a run folder"),
    (["mnist", "--top", "0"], "Expected --top from 1 to 10,000"),
    (["mnist", "--folds", "1"], "Expected folds as an integer in [2, 10]"),
    (["images", "--data-dir", "FEW"], "Expected at least 5 images of each class"),
    (["idx", "--data-dir", "DAMAGED", "--review", "DAMAGED/r.json"], "a label review in JSON"),
])
def test_mistakes_are_one_line(arguments, message, noisy_run, tmp_path, capsys):
    few = write_image_folder(tmp_path / "few", per_class=4)
    (tmp_path / "r.json").write_text("{")
    replace = {"RUN": str(noisy_run), "FEW": few, "DAMAGED": str(tmp_path)}
    arguments = [replace.get(a, a.replace("DAMAGED", str(tmp_path))) for a in arguments]
    assert main(["doubt", *arguments]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mnist-keras doubt: error: ") and message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
