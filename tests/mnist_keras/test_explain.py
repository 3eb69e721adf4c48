"""Explanations on a CNN trained on real MNIST: saliency that points at the ink,
maps of the test set, adversarial flips, calibration, confusion cells.

The model is the suite's shared small CNN (`small_cnn_run`: trained once per
session on 6,000 MNIST digits, about 94% on its 1,000 test digits).
"""

import contextlib
import json
import os
import re

import numpy as np
import pytest
from scipy import ndimage

import mnist_keras as mk
from mnist_keras.errors import MnistKerasError
from mnist_keras.explain import (
    PLACEABLE,
    adversarial,
    calibration,
    calibration_from_probabilities,
    embed,
    features,
    gradcam_layer,
    place,
    saliency,
    umap_available,
)
from mnist_keras.models import build_model
from mnist_keras.pruning import prune, strip
from mnist_keras.registries import EMBEDDING_METHODS, SALIENCY_METHODS


@pytest.fixture(scope="module")
def model(small_cnn_run):
    return mk.load_model(small_cnn_run / "model.keras")


@pytest.fixture(scope="module")
def test_digits():
    data = mk.load_dataset(train_size=1_000, test_size=1_000, validation_split=0)
    return data.x_test, data.y_test


def _correct(model, x, y, count):
    predicted = np.asarray(model.predict_on_batch(x[:200])).argmax(axis=1)
    return np.flatnonzero(predicted == y[:200])[:count]


def _near_ink(image, pixels=1):
    return ndimage.binary_dilation(image[..., 0] > 0.1, iterations=pixels)


@pytest.mark.parametrize("method", SALIENCY_METHODS.names())
def test_attribution_lies_on_or_next_to_the_ink(model, test_digits, method):
    x, y = test_digits
    shares = []
    for i in _correct(model, x, y, 30):
        heat = saliency(model, x[i], method=method)
        assert heat.shape == (28, 28) and heat.dtype == np.float32
        assert heat.min() >= 0 and heat.max() == pytest.approx(1.0)
        near = _near_ink(x[i])
        shares.append(heat[near].sum() / heat.sum())
    # The ink and a one-pixel rim cover about a third of the image.
    assert np.mean(shares) > 0.7, shares


def _deletion_curve(model, image, label, order, fractions):
    """The class's probability as the pixels in `order` are set to black, in steps."""
    flat = image.reshape(-1).copy()
    batch = []
    for fraction in fractions:
        erased = flat.copy()
        erased[order[:int(fraction * flat.size)]] = 0.0
        batch.append(erased.reshape(28, 28, 1))
    return np.asarray(model.predict_on_batch(np.stack(batch)))[:, label]


@pytest.mark.parametrize("method", SALIENCY_METHODS.names())
def test_deleting_the_most_attributed_pixels_first_lowers_the_score_faster(
        model, test_digits, method):
    x, y = test_digits
    fractions = np.linspace(0, 0.2, 11)  # up to a fifth of the image: most of its ink
    rng = np.random.default_rng(0)
    by_saliency, at_random = [], []
    for i in _correct(model, x, y, 20):
        heat = saliency(model, x[i], method=method).reshape(-1)
        # Ties (zero attribution) broken at random, as the random order is.
        order = np.lexsort((rng.random(784), -heat))
        by_saliency.append(_deletion_curve(model, x[i], y[i], order, fractions))
        at_random.append(_deletion_curve(model, x[i], y[i], rng.permutation(784), fractions))
    area_saliency = np.trapezoid(np.mean(by_saliency, axis=0), fractions)
    area_random = np.trapezoid(np.mean(at_random, axis=0), fractions)
    # Grad-CAM's map is as coarse as its conv layer, so it picks pixels less sharply.
    assert area_saliency < (0.9 if method == "gradcam" else 0.8) * area_random, \
        (area_saliency, area_random)
    assert np.mean(by_saliency, axis=0)[-1] < np.mean(at_random, axis=0)[-1]


def test_each_class_gets_its_own_map(model, test_digits):
    x, _ = test_digits
    predicted = int(np.argmax(model.predict_on_batch(x[:1])))
    other = (predicted + 1) % 10
    own = saliency(model, x[0], method="integrated_gradients")
    assert np.array_equal(own, saliency(model, x[0], method="integrated_gradients",
                                        class_index=predicted))
    assert not np.allclose(own, saliency(model, x[0], method="integrated_gradients",
                                         class_index=other))


def test_gradcam_reads_the_last_conv_layer_of_functional_and_pruned_models(test_digits):
    x, _ = test_digits
    cnn = build_model("cnn")  # functional: conv -> BN -> ReLU twice
    assert gradcam_layer(cnn) == cnn.get_layer("activation_1").name \
        if "activation_1" in [layer.name for layer in cnn.layers] else True
    layer = cnn.get_layer(gradcam_layer(cnn))
    assert type(layer).__name__ == "Activation" and tuple(layer.output.shape)[1:3] == (11, 11)
    for method in SALIENCY_METHODS:
        heat = saliency(cnn, x[0], method=method)
        assert heat.shape == (28, 28) and 0 <= heat.min() <= heat.max() <= 1
    pruned = strip(cnn)
    prune(pruned, 0.8)
    assert saliency(pruned, x[0]).shape == (28, 28)


def test_gradcam_without_a_conv_layer_says_what_to_use_instead(test_digits):
    x, _ = test_digits
    mlp = build_model("mlp")
    with pytest.raises(MnistKerasError, match="Expected a model with a Conv2D layer for "
                                              "Grad-CAM.*integrated_gradients or smoothgrad"):
        saliency(mlp, x[0])
    assert saliency(mlp, x[0], method="smoothgrad").max() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "lime"}, "Expected method in"),
    ({"class_index": 10}, r"Expected a class_index in \[0, 9\]"),
    ({"class_index": True}, "Expected a class_index"),
    ({"method": "smoothgrad", "steps": 10_000}, r"Expected steps in \[1, 256\]"),
])
def test_saliency_refuses_bad_arguments(model, test_digits, kwargs, message):
    with pytest.raises(MnistKerasError, match=message):
        saliency(model, test_digits[0][0], **kwargs)


def test_saliency_refuses_an_input_that_is_not_28_by_28(model):
    with pytest.raises(MnistKerasError, match="Expected one 28x28 input"):
        saliency(model, np.zeros((32, 32)))
    with pytest.raises(MnistKerasError, match="finite values"):
        saliency(model, np.full((28, 28), np.nan))


def _neighbour_agreement(coordinates, labels, k=5):
    distances = ((coordinates[:, None] - coordinates[None]) ** 2).sum(-1)
    np.fill_diagonal(distances, np.inf)
    nearest = np.argsort(distances, axis=1)[:, :k]
    return float(np.mean(labels[nearest] == labels[:, None]))


def test_maps_are_seeded_group_digits_and_pca_places_exactly(model, test_digits):
    x, y = test_digits
    x, y = x[:250], y[:250]
    activations = features(model, x)
    assert activations.shape == (250, 64)  # the simple preset's Dense(64)
    pca = embed(model, x, method="pca")
    assert pca.coordinates.shape == (250, 2) and pca.can_place
    for i in (0, 17, 249):
        assert place(model, pca, x[i]) == pytest.approx(tuple(pca.coordinates[i]), abs=1e-3)
    # t-SNE on fewer points: its cost grows fast (2,000 take most of a minute here).
    tsne = embed(model, None, method="tsne", seed=3, activations=activations[:100])
    again = embed(model, None, method="tsne", seed=3, activations=activations[:100])
    assert np.array_equal(tsne.coordinates, again.coordinates)
    # Digits of one class sit together: most of a point's neighbours share its label.
    assert _neighbour_agreement(tsne.coordinates, y[:100]) > 0.8
    assert _neighbour_agreement(pca.coordinates, y) > 0.4  # a linear map mixes more
    with pytest.raises(MnistKerasError, match="t-SNE arranges only the points it was given"):
        place(model, tsne, x[0])
    assert not tsne.can_place and set(PLACEABLE) == {"pca", "umap"}


@pytest.mark.parametrize("count, method, message", [
    (5, "pca", "Expected between 10 and 20,000 images"),
    (50, "isomap", "Expected method in"),
])
def test_embed_refuses_bad_arguments(model, test_digits, count, method, message):
    with pytest.raises(MnistKerasError, match=message):
        embed(model, test_digits[0][:count], method=method)


def test_umap_map_repeats_for_a_seed_and_places_new_points(model, test_digits):
    assert umap_available()  # the test extra installs umap-learn
    x, y = test_digits
    # The first UMAP call in a process compiles its numba code (15-25 s here).
    activations = features(model, x[:200])
    layout = embed(model, None, method="umap", seed=0, activations=activations)
    assert np.array_equal(layout.coordinates,
                          embed(model, None, method="umap", seed=0,
                                activations=activations).coordinates)
    assert _neighbour_agreement(layout.coordinates, y[:200]) > 0.8
    # A digit it has not seen lands among the points of its own class.
    digit = x[500]
    point = np.array(place(model, layout, digit))
    nearest = np.argsort(((layout.coordinates - point) ** 2).sum(1))[:10]
    assert np.mean(y[:200][nearest] == y[500]) >= 0.6


def test_adversarial_examples_flip_the_answer_within_epsilon(model, test_digits):
    x, y = test_digits
    sizes = {"fgsm": [], "pgd": []}
    for i in _correct(model, x, y, 4):
        for method in sizes:
            found = adversarial(model, x[i], method=method, max_epsilon=0.3)
            assert found.flipped and found.original == y[i] and found.label != y[i]
            change = np.abs(found.image - x[i][..., 0]).max()
            assert change <= found.epsilon + 1e-6 and 0 < found.epsilon <= 0.3
            assert found.image.min() >= 0 and found.image.max() <= 1
            again = int(np.argmax(model.predict_on_batch(found.image.reshape(1, 28, 28, 1))))
            assert again == found.label and found.confidence == pytest.approx(
                float(found.probabilities[found.label]))
            sizes[method].append(found.epsilon)
    # Several small steps find smaller flips than one big one.
    assert np.mean(sizes["pgd"]) <= np.mean(sizes["fgsm"])


def test_a_targeted_attack_reaches_its_class_or_says_it_did_not(model, test_digits):
    x, y = test_digits
    i = _correct(model, x, y, 1)[0]
    target = (int(y[i]) + 3) % 10
    found = adversarial(model, x[i], target=target, method="pgd", max_epsilon=0.5)
    assert found.flipped and found.label == target and found.target == target
    tiny = adversarial(model, x[i], method="fgsm", max_epsilon=1e-4)
    assert not tiny.flipped and tiny.epsilon is None and tiny.label == tiny.original
    assert np.array_equal(tiny.image, x[i][..., 0])


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "cw"}, "Expected method in"),
    ({"max_epsilon": 0}, r"Expected max_epsilon in \(0, 1\]"),
    ({"max_epsilon": 2.0}, r"Expected max_epsilon in \(0, 1\]"),
    ({"target": 11}, "Expected a target class in"),
])
def test_adversarial_refuses_bad_arguments(model, test_digits, kwargs, message):
    with pytest.raises(MnistKerasError, match=message):
        adversarial(model, test_digits[0][0], **kwargs)


def test_the_predicted_class_is_no_target(model, test_digits):
    x, _ = test_digits
    predicted = int(np.argmax(model.predict_on_batch(x[:1])))
    with pytest.raises(MnistKerasError, match="other than the predicted"):
        adversarial(model, x[0], target=predicted)


def test_calibration_of_a_trained_model(model, test_digits):
    x, y = test_digits
    report = calibration(model, x, y, bins=10)
    assert sum(report.counts) == len(y) and report.bins == 10
    probabilities = np.asarray(model.predict(x, verbose=0))
    assert report == calibration_from_probabilities(probabilities, y, bins=10)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == y
    # The ECE by its definition, bin by bin.
    edges = np.linspace(0, 1, 11)
    which = np.clip(np.searchsorted(edges[1:-1], confidence), 0, 9)
    expected = sum(np.mean(which == b) * abs(correct[which == b].mean()
                                             - confidence[which == b].mean())
                   for b in range(10) if np.any(which == b))
    assert report.ece == pytest.approx(expected, abs=1e-6) and 0 <= report.ece < 0.1
    assert report.overconfident == (confidence.mean() > correct.mean())


def test_calibration_tells_an_overconfident_model_from_a_calibrated_one():
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0.5, 1.0, 20_000)
    labels = np.zeros(20_000, np.int64)
    honest = np.where(rng.random(20_000) < confidence, 0, 1)  # right with its confidence

    def probabilities(top, predicted):
        rows = np.zeros((len(top), 2))
        rows[np.arange(len(top)), predicted] = top
        rows[np.arange(len(top)), 1 - predicted] = 1 - top
        return rows

    calibrated = calibration_from_probabilities(probabilities(confidence, honest), labels)
    assert calibrated.ece < 0.02 and len(calibrated.counts) == 8  # bins above 0.5
    # Claims 99% and is right 75% of the time.
    claimed = probabilities(np.full(20_000, 0.99), honest)
    bragging = calibration_from_probabilities(claimed, labels)
    assert bragging.overconfident and bragging.ece == pytest.approx(0.99 - 0.75, abs=0.02)
    perfect = calibration_from_probabilities(probabilities(np.ones(10), np.zeros(10, int)),
                                             np.zeros(10))
    assert perfect.ece == 0 and perfect.counts == (10,)
    with pytest.raises(MnistKerasError, match=r"Expected bins in \[2, 100\]"):
        calibration_from_probabilities(claimed, labels, bins=1)


def test_the_run_keeps_every_mistake_and_lists_each_confusion_cell(small_cnn_run):
    metrics = mk.Run(small_cnn_run).metrics()
    matrix = np.array(metrics.confusion_matrix)
    assert len(metrics.misclassified) == matrix.sum() - np.trace(matrix)
    for true in range(10):
        for predicted in range(10):
            if true == predicted:
                with pytest.raises(MnistKerasError, match="right answers are only counted"):
                    metrics.mistakes_between(true, predicted)
                continue
            cell = metrics.mistakes_between(true, predicted)
            assert len(cell) == matrix[true, predicted]
            assert all(m.label == true and m.predicted == predicted for m in cell)
            assert [m.confidence for m in cell] == sorted((m.confidence for m in cell),
                                                          reverse=True)
    pairs = metrics.most_confused(3)
    off = matrix - np.diag(np.diag(matrix))
    assert pairs[0][2] == off.max() and len(pairs) == 3
    assert pairs == sorted(pairs, key=lambda cell: -cell[2])
    with pytest.raises(MnistKerasError, match=r"Expected true as a class in \[0, 9\]"):
        metrics.mistakes_between(10, 1)
    # Every new run records its calibration too.
    assert metrics.calibration is not None and sum(metrics.calibration.counts) == 1_000


def _projection(run, **changes):
    stat = os.stat(run.file("model.keras"))
    values = dict(method="pca", seed=0, dataset="mnist", model_size=stat.st_size,
                  model_mtime_ns=stat.st_mtime_ns, indices=(4, 9), labels=(1, 2),
                  predicted=(1, 3), confidence=(0.9, 0.6), x=(0.5, -1.0), y=(2.0, 0.0),
                  mean=(0.0, 1.0), components=((1.0, 0.0), (0.0, 1.0)), seconds=0.1)
    return mk.Projection(**{**values, **changes})


def test_a_projection_is_kept_in_the_run_and_goes_stale_with_its_model(tmp_path,
                                                                      small_cnn_run):
    import shutil

    shutil.copytree(small_cnn_run, tmp_path / "run")
    run = mk.Run(tmp_path / "run")
    assert run.projection("pca") is None
    projection = _projection(run)
    run.write_projection(projection)
    assert run.projection("pca") == projection
    assert projection.is_current_for(run.file("model.keras"))
    stat = os.stat(run.file("model.keras"))
    os.utime(run.file("model.keras"), ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert not run.projection("pca").is_current_for(run.file("model.keras"))
    with pytest.raises(MnistKerasError, match="Expected method in"):
        run.projection("../metrics")
    data = json.loads((tmp_path / "run" / "projection-pca.json").read_text())
    (tmp_path / "run" / "projection-pca.json").write_text(json.dumps({**data,
                                                                      "schema_version": 9}))
    with pytest.raises(mk.RunFormatError, match="upgrade to read it"):
        run.projection("pca")
    (tmp_path / "run" / "projection-pca.json").write_text(json.dumps({**data, "x": [1.0]}))
    with pytest.raises(mk.RunFormatError, match="points of different lengths"):
        run.projection("pca")
    assert set(EMBEDDING_METHODS) == {"pca", "tsne", "umap"}


def _digit_png(path, digit):
    from PIL import Image

    page = np.full((200, 200), 255, np.uint8)
    page[30:142, 40:152] = 255 - np.kron(digit, np.ones((4, 4), np.uint8))
    Image.fromarray(page).save(path)
    return str(path)


def test_cli_explain_writes_the_map_over_the_drawing(tmp_path, small_cnn_run, capsys):
    from PIL import Image

    from mnist_keras.cli import main

    _, _, images, labels = mk.datasets.load_raw()
    image = _digit_png(tmp_path / "digit.png", images[0])
    model = str(small_cnn_run / "model.keras")
    out = tmp_path / "heat.png"
    assert main(["explain", model, image, "--method", "gradcam", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{image}: {labels[0]} (") and f"written to {out}" in line
    picture = np.asarray(Image.open(out))
    assert picture.shape == (280, 280, 3)
    assert main(["explain", model, image, "--method", "integrated_gradients", "--class", "3",
                 "--scale", "4", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["explained_class"] == 3 and result["method"] == "integrated_gradients"
    assert np.asarray(Image.open(out)).shape == (112, 112, 3)
    # Integrated gradients score only inked pixels: the top ones lie on the digit.
    seen = mk.preprocess_drawing(mk.load_image(image))
    assert all(seen[r, c] > 0 for r, c in result["top_pixels"])


@pytest.mark.parametrize("args, message", [
    (["--out", "{tmp}/missing/heat.png"], "Expected an output file in an existing folder"),
    (["--out", "{tmp}"], "Expected an output file ending in .png"),
    (["--out", "{tmp}/heat.jpg"], "Expected an output file ending in .png"),
    (["--out", "{tmp}/heat.png", "--method", "lime"], "invalid choice: 'lime'"),
    (["--out", "{tmp}/heat.png", "--class", "12"], r"Expected a class_index in \[0, 9\]"),
    (["--out", "{tmp}/heat.png", "--scale", "0"], r"Expected scale in \[1, 40\]"),
])
def test_cli_explain_refuses_mistakes_in_one_line(tmp_path, small_cnn_run, capsys, args,
                                                  message):
    from mnist_keras.cli import main

    _, _, images, _ = mk.datasets.load_raw()
    image = _digit_png(tmp_path / "digit.png", images[0])
    # argparse's own refusals exit; the command's return status 2.
    with pytest.raises(SystemExit) if "invalid choice" in message else contextlib.nullcontext():
        code = main(["explain", str(small_cnn_run / "model.keras"), image,
                     *[arg.format(tmp=tmp_path) for arg in args]])
        assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and re.search(message, err), err
    assert sorted(os.listdir(tmp_path)) == ["digit.png"]  # nothing written


def test_cli_explain_says_grad_cam_needs_a_conv_layer(tmp_path, capsys):
    from mnist_keras.cli import main

    mlp = build_model("mlp")
    mlp.save(tmp_path / "mlp.keras")
    _, _, images, _ = mk.datasets.load_raw()
    image = _digit_png(tmp_path / "digit.png", images[0])
    assert main(["explain", str(tmp_path / "mlp.keras"), image,
                 "--out", str(tmp_path / "heat.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mnist-keras explain: error: Expected a model with a Conv2D layer")
    assert not (tmp_path / "heat.png").exists()
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.fromarray(np.full((50, 50), 255, np.uint8)).save(blank)
    assert main(["explain", str(tmp_path / "mlp.keras"), str(blank), "--method",
                 "smoothgrad", "--out", str(tmp_path / "heat.png")]) == 2
    assert "Expected an image of a digit" in capsys.readouterr().err
