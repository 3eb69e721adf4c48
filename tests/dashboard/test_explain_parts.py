"""The explanation views' server parts: the projector's background maps, the star,
confusion cells, calibration and the "why" cards, on real runs (no browser)."""

import json
import os
import shutil
import time

import numpy as np
import pytest
from dash import html

import mnist_keras as mk
from dashboard.panels.draw import why
from dashboard.panels.projector import callbacks as projector
from dashboard.panels.projector import figures as explain_figures
from dashboard.panels.projector.jobs import COMPUTING, READY, WAITING, Projector
from dashboard.shared import confusion_cells as confusion
from dashboard.shared import ids
from dashboard.shared.figures import reliability_figure
from mnist_keras.models import build_model
from mnist_keras.runs import Run, RunConfig, RunStatus


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory, small_cnn_run):
    folder = tmp_path_factory.mktemp("runs")
    shutil.copytree(small_cnn_run, folder / "small-cnn")
    # An uploaded model without conv layers.
    upload = Run.create(folder / "mlp-upload")
    upload.write_config(RunConfig.for_upload("mlp.keras", test_size=1_000))
    mlp = build_model("mlp")
    data = mk.load_dataset(train_size=1_000, test_size=1_000, validation_split=0)
    metrics = mk.run_metrics(mk.evaluate(mlp, data.x_test, data.y_test), mlp,
                             data.class_names, "mnist", test_indices=data.test_indices)
    upload.save_results(mlp, metrics, status=RunStatus.COMPLETED)
    # A pruned copy of the small CNN.
    shutil.copytree(small_cnn_run, folder / "pruned")
    model = mk.load_model(folder / "pruned" / "model.keras")
    mk.prune(model, 0.8)
    Run(folder / "pruned").save_model(model)
    return folder


@pytest.fixture(scope="module")
def digit():
    _, _, images, labels = mk.datasets.load_raw()
    return mk.scale_pixels(images[:1])[0, :, :, 0], int(labels[0])


def _texts(component):
    """Every string inside a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [text for child in component for text in _texts(child)]
    children = getattr(component, "children", None)
    return _texts(children) if children is not None else []


def _wait_ready(projector_, name, method, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = projector_.status(name, method)
        if status.state == READY:
            return status
        assert status.state == COMPUTING, status
        time.sleep(0.2)
    raise AssertionError(f"no {method} map after {timeout} s")


def test_the_projector_maps_in_the_background_caches_and_recomputes(runs_dir, digit):
    projector_ = Projector(str(runs_dir))
    first = projector_.status("small-cnn", "pca")
    assert first.state == COMPUTING  # the callback returns at once
    status = _wait_ready(projector_, "small-cnn", "pca")
    projection = status.projection
    assert len(projection.indices) == 2_000 and len(set(projection.indices)) == 2_000
    assert mk.Run(runs_dir / "small-cnn").projection("pca") == projection
    _, _, _, labels = mk.datasets.load_raw()
    assert list(projection.labels) == [int(labels[i]) for i in projection.indices]
    assert 0.85 < np.mean(np.equal(projection.labels, projection.predicted)) < 1
    # A new dashboard reads the map from the run folder: nothing to compute.
    assert Projector(str(runs_dir)).status("small-cnn", "pca").state == READY
    # The star: the drawing placed with the same projection as the map.
    image, _ = digit
    (x, y), message = projector.star_position(str(runs_dir), projector_, "small-cnn", "pca",
                                              image.tolist())
    model = mk.load_model(runs_dir / "small-cnn" / "model.keras")
    layout = mk.embed(model, mk.scale_pixels(mk.datasets.load_raw()[2][list(
        projection.indices)]), method="pca")
    expected = mk.place(model, layout, image)
    assert (x, y) == pytest.approx(expected, abs=1e-2) and "read as" in message
    # A changed model file makes the map stale: computed again.
    path = runs_dir / "small-cnn" / "model.keras"
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert projector_.status("small-cnn", "pca").state == COMPUTING
    _wait_ready(projector_, "small-cnn", "pca")


def test_a_tsne_map_has_no_star_and_says_why(runs_dir, digit):
    projector_ = Projector(str(runs_dir))
    pca = _wait_ready(projector_, "small-cnn", "pca").projection
    # A t-SNE map as the run folder would hold it (computing one takes a minute).
    mk.Run(runs_dir / "small-cnn").write_projection(
        type(pca)(**{**pca.__dict__, "method": "tsne", "mean": None, "components": None}))
    star, message = projector.star_position(str(runs_dir), projector_, "small-cnn", "tsne",
                                            digit[0].tolist())
    assert star is None and message.startswith("t-SNE cannot place a new point")
    figure = explain_figures.projector_figure(projector_.status("small-cnn", "tsne").projection)
    assert len(figure["data"]) == explain_figures.STAR_TRACE + 1
    assert figure["data"][explain_figures.STAR_TRACE]["x"] == []
    assert sum(len(trace["x"]) for trace in figure["data"][:10]) == 2_000
    wrong = sum(1 for t, p in zip(pca.labels, pca.predicted) if t != p)
    assert len(figure["data"][explain_figures.MISTAKES_TRACE]["x"]) == wrong


def test_no_map_is_computed_while_a_job_trains(runs_dir):
    busy = Projector(str(runs_dir), busy=lambda: "other-run")
    status = busy.status("pruned", "pca")
    assert status.state == WAITING and "other-run" in status.message
    assert busy.status("pruned", "pca", start=False).state == WAITING


def test_lasso_tiles_are_deduplicated_and_bounded():
    points = [{"customdata": [i % 70, 1, 1 if i % 3 else 2, 0.9]} for i in range(200)]
    tiles = projector.selection_tiles({"points": points + [{"customdata": "forged"}]})
    assert _texts(tiles)[0].startswith("70 digits selected, ")
    assert len(tiles[1].children) == projector.MAX_SELECTED
    assert "Drag a lasso" in _texts(projector.selection_tiles(None))[0]


def test_why_cards_explain_any_finished_run(runs_dir, digit):
    image, label = digit
    cards = why.why_cards(str(runs_dir), image.tolist(), ["small-cnn", "pruned", "mlp-upload"],
                          "gradcam", "pgd")
    texts = [" ".join(_texts(card)) for card in cards]
    assert f"gradcam: what made it {label}" in texts[0] and "epsilon" in texts[0]
    assert "gradcam: what made it" in texts[1]  # the pruned copy
    assert "Grad-CAM needs a conv layer and this model has none" in texts[2]
    assert "pgd:" in texts[2]  # the attack still applies
    smooth = why.why_cards(str(runs_dir), image.tolist(), ["mlp-upload"], "smoothgrad", "fgsm")
    assert "smoothgrad: what made it" in " ".join(_texts(smooth))
    assert "Draw a digit" in " ".join(_texts(why.why_cards(str(runs_dir), None, ["pruned"],
                                                           "gradcam", "fgsm")))


def test_confusion_cells_pairs_and_a_digits_saliency(runs_dir):
    metrics = mk.Run(runs_dir / "small-cnn").metrics()
    assert confusion.cell_from_click({"points": [{"x": "9", "y": "4"}]},
                                     metrics.class_names) == (4, 9)
    assert confusion.cell_from_click({"points": []}, metrics.class_names) is None
    assert confusion.cell_from_click({"points": [{"x": "x", "y": "4"}]},
                                     metrics.class_names) is None
    (true, predicted, count), *_ = metrics.most_confused(1)
    buttons = confusion.pair_buttons(ids.VIEW_RESULTS, metrics)
    assert buttons[0].children == f"{true} → {predicted}: {count}"
    assert buttons[0].id == {"type": ids.PAIR_BUTTON, "view": ids.VIEW_RESULTS, "true": true,
                             "predicted": predicted}
    config = mk.Run(runs_dir / "small-cnn").config()
    tiles = confusion.cell_digits(ids.VIEW_RESULTS, metrics, config, true, predicted)[1]
    assert len(tiles.children) == count
    assert {tile.id["index"] for tile in tiles.children} == \
        {m.index for m in metrics.mistakes_between(true, predicted)}
    diagonal = confusion.cell_digits(ids.VIEW_RESULTS, metrics, config, 2, 2)
    assert "were read correctly" in " ".join(_texts(diagonal))
    index = metrics.mistakes_between(true, predicted)[0].index
    shown = confusion.digit_saliency(str(runs_dir), "small-cnn", index, "integrated_gradients")
    assert [f.children[1].children for f in shown[1:]] == [
        f"what made it {predicted}", f"what spoke for {true} (the truth)"]
    note = confusion.digit_saliency(str(runs_dir), "mlp-upload", 0, "gradcam")
    assert isinstance(note, html.Div) and "needs a conv layer" in note.children


def test_calibration_is_read_or_computed_for_older_runs(tmp_path, small_cnn_run):
    shutil.copytree(small_cnn_run, tmp_path / "old")
    recorded, computed = confusion.run_calibration(str(tmp_path), "old")
    assert not computed and sum(recorded.counts) == 1_000
    path = tmp_path / "old" / "metrics.json"
    data = json.loads(path.read_text())
    del data["calibration"]  # a run evaluated before calibration was recorded
    path.write_text(json.dumps(data))
    again, computed = confusion.run_calibration(str(tmp_path), "old")
    assert computed and again.counts == recorded.counts
    assert again.ece == pytest.approx(recorded.ece, abs=1e-4)
    figure = reliability_figure({"old": again, "other": recorded})
    assert [trace["name"] for trace in figure["data"]] == [
        "perfectly calibrated", f"old · ECE {100 * again.ece:.2f}%",
        f"other · ECE {100 * recorded.ece:.2f}%"]


@pytest.mark.parametrize("forged", ["x", [[1, 2], [3]], [[float("nan")] * 28] * 28, {"a": 1}])
def test_a_forged_drawing_is_refused_in_one_line(runs_dir, forged):
    with pytest.raises(mk.MnistKerasError, match="Expected"):
        why.why_cards(str(runs_dir), forged, ["small-cnn"], "gradcam", "fgsm")
    tiles = projector.selection_tiles({"points": [{"customdata": ["1", "a", None, 2]}]})
    assert "Drag a lasso" in _texts(tiles)[0]


def test_every_explanation_control_has_help_in_plain_words():
    from dashboard import page as layout
    from dashboard.shared import help_texts
    from tests.dashboard.layout_tree import walk

    page = layout.page("CPU")
    tooltips = {getattr(node, "target", None): node.children for node in walk(page)
                if type(node).__name__ == "Tooltip"}
    for control in (ids.WHY_METHOD, ids.WHY_ATTACK, ids.CELL_METHOD, ids.COMPARE_CELL_RUN,
                    ids.PROJECTOR_RUN, ids.PROJECTOR_METHOD):
        text = help_texts.SETTINGS[control]
        assert len(text) >= 40 and tooltips.get(f"label-{control}") == text, control
    assert tooltips.get("heading-projector") == help_texts.PANELS["projector"]
    assert ("projector", "Projector") in layout.SECTIONS
