"""Run actions, reports, comparison and pruning settings, without a browser."""

import base64
import json
import re
import shutil

import keras
import pytest

from dashboard.panels.runs import actions as run_actions
from dashboard.panels.runs.callbacks import report_html
from dashboard.panels.runs.compare import comparison_rows
from dashboard.panels.runs.ensemble import ensemble_rows
from dashboard.panels.runs.figures import comparison_figure
from dashboard.panels.runs.pruning import nonzero_after, pruning_config
from dashboard.panels.runs.report import line_chart_svg
from dashboard.shared import loaded_models
from dashboard.shared.runs_view import table_rows, ticked
from mnist_keras.datasets import load_raw, scale_pixels
from mnist_keras.errors import MnistKerasError
from mnist_keras.evaluation import evaluate
from mnist_keras.models import build_model
from mnist_keras.runs import Run, RunIndex


@pytest.fixture
def runs_dir(tmp_path, small_cnn_run):
    shutil.copytree(small_cnn_run, tmp_path / "small-cnn")
    return tmp_path


def _upload(path):
    return "data:application/octet-stream;base64," + base64.b64encode(
        path.read_bytes()).decode()


def test_table_rows_describe_each_run(runs_dir):
    (row,) = table_rows(RunIndex(runs_dir))
    metrics = json.loads((runs_dir / "small-cnn" / "metrics.json").read_text())
    assert row["name"] == row["id"] == "small-cnn" and row["model"] == "simple"
    assert row["parameters"] == f"{metrics['num_params']:,}"
    assert row["non-zero"] == f"{metrics['nonzero_params']:,}"
    # A number (percent), so the table sorts and filters it as one.
    assert row["accuracy"] == round(100 * metrics["test_accuracy"], 2)
    assert row["tags"] == "" and row["note"] == ""
    assert row["status"] == "completed" and row["duration"].endswith("s")
    assert ticked([row], [0]) == ["small-cnn"] and ticked([row], [5]) == []


@pytest.mark.parametrize("new_name", ["", "../up", "a/b", "x" * 81, " "])
def test_rename_refuses_bad_names(runs_dir, new_name):
    with pytest.raises(MnistKerasError, match="new name"):
        run_actions.rename_run(str(runs_dir), "small-cnn", new_name)
    assert (runs_dir / "small-cnn").is_dir()


def test_rename_and_delete(runs_dir):
    (runs_dir / "taken").mkdir()
    with pytest.raises(MnistKerasError, match="no other run has"):
        run_actions.rename_run(str(runs_dir), "small-cnn", "taken")
    assert run_actions.rename_run(str(runs_dir), "small-cnn", "kept") == "kept"
    assert (runs_dir / "kept" / "model.keras").is_file()
    run_actions.delete_run(str(runs_dir), "kept")
    assert not (runs_dir / "kept").exists()
    with pytest.raises(MnistKerasError, match="an existing run"):
        run_actions.delete_run(str(runs_dir), "kept")


def test_a_training_run_is_neither_renamed_nor_deleted(runs_dir):
    Run(runs_dir / "small-cnn").set_status("running", pid=1)
    for action in (lambda: run_actions.delete_run(str(runs_dir), "small-cnn"),
                   lambda: run_actions.rename_run(str(runs_dir), "small-cnn", "other")):
        with pytest.raises(MnistKerasError, match="is training"):
            action()
    assert (runs_dir / "small-cnn" / "model.keras").is_file()


def test_a_valid_upload_becomes_an_evaluated_run(runs_dir, small_cnn_run):
    name = run_actions.import_uploaded_model(str(runs_dir), _upload(small_cnn_run / "model.keras"),
                                             "my model.keras")
    assert name.startswith("uploaded-my-model-")
    run = Run(runs_dir / name)
    metrics = run.read_json("metrics.json")
    assert run.status == "completed" and sum(map(sum, metrics["confusion_matrix"])) == 10_000
    assert metrics["test_accuracy"] > 0.85
    assert loaded_models.has_model(run)


@pytest.mark.parametrize("contents, filename, message", [
    ("data:x;base64,bm90IGEgemlw", "notes.keras", "a zip archive written by Keras 3"),
    ("data:x;base64,bm90IGEgemlw", "notes.h5", "ending in .keras"),
    ("garbage without a comma", "m.keras", "unreadable data"),
    ("data:x;base64,***", "m.keras", "unreadable data"),
])
def test_bad_uploads_are_refused_and_leave_nothing(runs_dir, contents, filename, message):
    with pytest.raises(MnistKerasError, match=message):
        run_actions.import_uploaded_model(str(runs_dir), contents, filename)
    assert sorted(p.name for p in runs_dir.iterdir()) == ["small-cnn"]


def test_an_upload_of_the_wrong_shape_or_size_is_refused(runs_dir, tmp_path, monkeypatch):
    inputs = keras.Input((28, 28, 1))
    three = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(inputs)))
    three.save(tmp_path / "three.keras")
    with pytest.raises(MnistKerasError, match="28x28x1 images to 10 classes"):
        run_actions.import_uploaded_model(str(runs_dir), _upload(tmp_path / "three.keras"),
                                          "three.keras")
    from dashboard.shared import uploads

    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(MnistKerasError, match="at most 0 MB"):
        run_actions.import_uploaded_model(str(runs_dir), _upload(tmp_path / "three.keras"),
                                          "three.keras")


def test_export_writes_the_site_into_the_run(runs_dir):
    result = run_actions.export_run_site(str(runs_dir), "small-cnn", "uint8")
    assert result.out_dir == str(runs_dir / "small-cnn" / "site")
    assert (runs_dir / "small-cnn" / "site" / "index.html").is_file()
    assert result.info["test_accuracy"] is not None


def test_report_is_one_self_contained_html_file(runs_dir):
    page = report_html(str(runs_dir), "small-cnn")
    assert page.startswith("<!doctype html>") and page.endswith("</html>")
    for section in ("Summary", "Configuration", "Architecture", "Training curves",
                    "Confusion matrix", "Per class", "Misclassified test digits"):
        assert f"<h2>{section}" in page
    assert "<script" not in page and "http://" not in page.replace(
        "http://www.w3.org/2000/svg", "")
    assert page.count("<polyline") == 2 and page.count("data:image/png;base64,") > 0
    # It says how to train the run again, as Python and as a command.
    assert "<h2>Reproduce this run" in page and "mk.TrainingConfig(model=&#x27;simple&#x27;" \
        in page and "mnist-keras train --run-dir runs/small-cnn-again" in page
    # The run's model card closes it, as HTML (a table per class), without its front matter.
    card = page[page.index("<h2>Model card</h2>"):]
    assert "<h3>Intended use</h3>" in card and "<h3>Known limits</h3>" in card
    assert card.count("<tr>") == 11 and "library_name" not in card


def test_the_reports_model_card_shows_names_literally(tmp_path, small_cnn_run):
    from dashboard.panels.runs.report import card_html
    from mnist_keras.runs import Run

    shutil.copytree(small_cnn_run, tmp_path / "<b>bold")
    card = card_html(Run(tmp_path / "<b>bold"))
    assert "&lt;b&gt;bold" in card and "<b>bold" not in card
    assert card_html(Run(tmp_path / "missing")) == ""


def test_report_curves_have_round_ticks_on_every_epoch():
    # Regression: only the minimum and maximum were labelled, two thirds left blank.
    svg = line_chart_svg({"loss": [(1, 0.52), (2, 0.31), (3, 0.24)]}, "loss")
    labels = re.findall(r">([0-9.]+)</text>", svg)
    assert {"1", "2", "3"} <= set(labels) and {"0.2", "0.3", "0.4", "0.5", "0.6"} <= set(labels)
    assert "viewBox='0 0 900 260'" in svg and "width='100%'" in svg


def test_line_chart_skips_missing_values():
    svg = line_chart_svg({"a": [(1, 0.5), (2, None), (3, 0.9)], "b": [(1, None)]},
                         "accuracy")
    assert svg.count("<polyline") == 1 and "0.9" in svg and ">b<" not in svg
    assert "no epochs" in line_chart_svg({"a": []}, "loss")


def test_comparison_rows_mark_what_differs():
    runs = [("a", {"model": "cnn", "epochs": 3, "dataset": "mnist"},
             {"test_accuracy": 0.99, "num_params": 10}),
            ("b", {"model": "mlp", "epochs": 3, "dataset": "mnist"},
             {"test_accuracy": 0.97, "num_params": 10})]
    rows, differing = comparison_rows(runs)
    by_setting = {row["setting"]: index for index, row in enumerate(rows)}
    assert by_setting["model"] in differing and by_setting["test_accuracy"] in differing
    assert by_setting["epochs"] not in differing and by_setting["num_params"] not in differing
    assert rows[by_setting["model"]]["a"] == "cnn" and rows[by_setting["model"]]["b"] == "mlp"
    assert "parent_run" not in by_setting  # empty everywhere: left out


def test_comparison_rows_leave_pruning_settings_out_when_no_run_was_pruned():
    plain = {"model": "cnn", "pruning_scope": "global", "pruning_schedule": "polynomial",
             "prune_output_layer": False}
    rows, _ = comparison_rows([("a", plain, {}), ("b", {**plain, "model": "mlp"}, {})])
    assert {row["setting"] for row in rows} == {"model"}
    pruned = {**plain, "parent_model": "runs/a/model.keras", "sparsity": 0.8}
    rows, _ = comparison_rows([("a", plain, {}), ("c", pruned, {})])
    assert {"sparsity", "pruning_scope", "parent_model"} <= {row["setting"] for row in rows}


def test_comparison_figure_draws_each_run_in_its_colour():
    history = [{"epoch": 1, "loss": 1.0, "accuracy": 0.5, "val_loss": None,
                "val_accuracy": None}]
    figure = comparison_figure({"a": history, "b": history})
    assert [t["name"] for t in figure["data"]] == [
        "a · train loss", "a · train accuracy", "b · train loss", "b · train accuracy"]
    assert figure["data"][0]["line"]["color"] != figure["data"][2]["line"]["color"]


def test_pruning_settings_come_from_the_parent(runs_dir):
    config = pruning_config(str(runs_dir), "small-cnn", 0.9, 1)
    parent = json.loads((runs_dir / "small-cnn" / "config.json").read_text())
    assert config.parent_run == "small-cnn" and config.sparsity == 0.9
    assert config.train_size == parent["train_size"]
    assert config.learning_rate == pytest.approx(parent["learning_rate"] / 10)
    assert config.parent_model.endswith("model.keras")
    Run(runs_dir / "small-cnn").set_status("failed")
    with pytest.raises(MnistKerasError, match="finished run with a model"):
        pruning_config(str(runs_dir), "small-cnn", 0.9, 1)


def test_nonzero_count_matches_pruning():
    from mnist_keras.pruning import count_nonzero_params, prune

    model = build_model("cnn")
    left, total = nonzero_after(model, 0.8)
    assert total == 225_930
    already_zero = total - count_nonzero_params(model)  # fresh biases and BN betas
    prune(model, 0.8)
    assert count_nonzero_params(model) == left - already_zero


def test_ensemble_rows_score_each_model_and_their_average(runs_dir):
    shutil.copytree(runs_dir / "small-cnn", runs_dir / "twin")
    _, _, images, labels = load_raw("mnist")
    alone = evaluate(loaded_models.load(runs_dir, "small-cnn").model, scale_pixels(images), labels)
    rows, count = ensemble_rows(runs_dir, ["small-cnn", "twin"])
    assert count == 10_000 and [row["model"] for row in rows] == [
        "small-cnn", "twin", "ensemble of 2"]
    # Two copies of one model: each alone and together score what the model scores.
    for row in rows:
        assert row["accuracy"] == pytest.approx(alone.accuracy, abs=1e-9)
        assert row["mistakes"] == len(alone.misclassified)
    shifted, _ = ensemble_rows(runs_dir, ["small-cnn", "twin"], tta=True)
    assert shifted[0]["accuracy"] != alone.accuracy  # five shifts averaged: other answers
    assert shifted[0]["accuracy"] == shifted[2]["accuracy"]


def test_ensemble_rows_refuse_too_few_runs_and_mixed_datasets(runs_dir):
    with pytest.raises(MnistKerasError, match="Tick 2 to 4"):
        ensemble_rows(runs_dir, ["small-cnn"])
    shutil.copytree(runs_dir / "small-cnn", runs_dir / "other")
    config = json.loads((runs_dir / "other" / "config.json").read_text())
    config.update(dataset="fashion-mnist", data_dir=str(runs_dir))
    (runs_dir / "other" / "config.json").write_text(json.dumps(config))
    with pytest.raises(MnistKerasError, match=r"one dataset.*other \(fashion-mnist\)"):
        ensemble_rows(runs_dir, ["small-cnn", "other"])


def test_a_run_exports_for_other_runtimes_into_its_exports_folder(runs_dir):
    result = run_actions.export_run_format(str(runs_dir), "small-cnn", "onnx", "none")
    folder = runs_dir / "small-cnn" / "exports" / "onnx"
    assert result.out_dir == str(folder)
    info = json.loads((folder / "export-info.json").read_text())
    assert info["source"]["run"] == "small-cnn" and info["parity"]["argmax_agreement"] == 1.0
    assert "onnxruntime.InferenceSession" in info["use_with"]
    assert (folder / "README.md").read_text().startswith("---\n")


def test_tags_and_a_note_are_kept_in_the_run_and_shown_in_its_row(runs_dir):
    import csv
    import io

    from mnist_keras.runs import RunNotes, runs_csv

    run = Run(runs_dir / "small-cnn")
    assert run.notes() == RunNotes()
    written = run.write_notes(" baseline, =cmd() ,Baseline, small", "first try\nsecond line")
    assert written.tags == ("baseline", "=cmd()", "small")
    assert json.loads((runs_dir / "small-cnn" / "notes.json").read_text()) == {
        "schema_version": 1, "tags": ["baseline", "=cmd()", "small"],
        "note": "first try\nsecond line"}
    (row,) = table_rows(RunIndex(runs_dir))
    assert row["tags"] == "baseline, =cmd(), small" and row["note"] == "first try\nsecond line"
    # Every run as CSV: results, tags, note, settings; a formula-like cell as text.
    (line,) = list(csv.DictReader(io.StringIO(runs_csv(RunIndex(runs_dir).refresh()))))
    metrics = json.loads((runs_dir / "small-cnn" / "metrics.json").read_text())
    assert line["name"] == "small-cnn" and line["status"] == "completed"
    assert float(line["test_accuracy"]) == metrics["test_accuracy"]
    assert line["tags"] == "baseline; =cmd(); small"
    assert line["model"] == line["model"] == "simple" and line["epochs"] == "2"
    assert runs_csv(RunIndex(runs_dir).refresh()).count("'=cmd()") == 0  # joined: not first
    run.write_notes(["=HYPERLINK(1)"], "@import")
    (line,) = list(csv.DictReader(io.StringIO(runs_csv(RunIndex(runs_dir).refresh()))))
    assert line["tags"] == "'=HYPERLINK(1)" and line["note"] == "'@import"


@pytest.mark.parametrize("tags, note, message", [
    ("x" * 41, "", "tags of at most 40 characters"),
    (",".join(f"t{i}" for i in range(21)), "", "at most 20 tags"),
    (["a\nb"], "", "on one line"),
    ("ok", "n" * 2001, "a note of at most 2,000 characters"),
    ([3], "", "tags as text"),
])
def test_tags_and_notes_out_of_bounds_are_refused_and_nothing_is_written(
        runs_dir, tags, note, message):
    run = Run(runs_dir / "small-cnn")
    with pytest.raises(MnistKerasError, match=message):
        run.write_notes(tags, note)
    assert not (runs_dir / "small-cnn" / "notes.json").exists()


def test_a_damaged_notes_file_is_a_problem_of_the_run_not_a_crash(runs_dir):
    (runs_dir / "small-cnn" / "notes.json").write_text('{"tags": "' + "x" * 50 + '"}')
    (summary,) = RunIndex(runs_dir).refresh()
    assert "notes.json" in summary.problem and summary.tags == ()
