"""What `export_model` writes, and what it refuses (without a browser)."""

import json
import os
import shutil
import subprocess
import sys

import keras
import pytest

from mnist_keras.drawing_pad import pad_settings
from mnist_keras.errors import MnistKerasError
from mnist_keras.models import build_model
from web_export import export_model
from web_export.runtime import RUNTIMES, copy_runtime


def test_export_writes_a_self_contained_site(tmp_path, small_cnn_run):
    result = export_model(small_cnn_run / "model.keras", tmp_path / "site")
    site = tmp_path / "site"
    assert {"index.html", "style.css", "model.json", "model-info.json"} <= set(os.listdir(site))
    assert {"main.js", "model.js", "preprocess.js", "samples.js"} <= set(os.listdir(site / "js"))
    # Only TF.js: onnxruntime-web's 27 MB stay out of a TF.js site.
    assert sorted(os.listdir(site / "vendor")) == sorted(name for _, name in RUNTIMES["tfjs"])
    model_json = json.loads((site / "model.json").read_text())
    assert model_json["format"] == "layers-model"
    (group,) = model_json["weightsManifest"]
    assert all((site / path).is_file() for path in group["paths"])
    assert result.weight_bytes == sum((site / p).stat().st_size for p in group["paths"])
    info = json.loads((site / "model-info.json").read_text())
    metrics = json.loads((small_cnn_run / "metrics.json").read_text())
    assert info["test_accuracy"] == metrics["test_accuracy"] and info["test_size"] == 1000
    assert info["params"] == metrics["num_params"] and info["quantization"] == "none"
    assert result.weight_bytes == result.float32_bytes == 4 * info["params"]
    assert info["pad"] == pad_settings()  # the page sizes its pad and pen from these
    # Nothing refers to anything outside the folder.
    for page in ("index.html", "js/main.js", "js/model.js", "js/preprocess.js"):
        text = (site / page).read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


@pytest.mark.parametrize("quantize, bytes_per_weight", [("float16", 2), ("uint8", 1)])
def test_quantized_weights_are_smaller(tmp_path, small_cnn_run, quantize, bytes_per_weight):
    result = export_model(small_cnn_run / "model.keras", tmp_path / quantize, quantize=quantize)
    assert result.weight_bytes == bytes_per_weight * result.info["params"]
    manifest = json.loads((tmp_path / quantize / "model.json").read_text())["weightsManifest"]
    assert manifest[0]["weights"][0]["quantization"]["dtype"] == quantize


def test_unknown_quantization_is_refused(tmp_path, small_cnn_run):
    with pytest.raises(MnistKerasError,
                       match=r"Expected quantize in \['none', 'float16', 'uint8'\]"):
        export_model(small_cnn_run / "model.keras", tmp_path / "site", quantize="int4")
    assert not (tmp_path / "site").exists()


def test_a_model_of_another_shape_is_refused(tmp_path):
    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    with pytest.raises(MnistKerasError, match="28x28x1 images to 10 classes"):
        export_model(model, tmp_path / "site")


def test_a_folder_with_other_files_is_left_alone(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine")
    with pytest.raises(MnistKerasError, match="an empty folder or an earlier export"):
        export_model(build_model("cnn-gap"), site)
    assert os.listdir(site) == ["notes.txt"]
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]


def test_exporting_again_replaces_an_earlier_export(tmp_path):
    export_model(build_model("cnn-gap"), tmp_path / "site", quantize="uint8")
    result = export_model(build_model("cnn-gap"), tmp_path / "site")
    info = json.loads((tmp_path / "site" / "model-info.json").read_text())
    assert info["quantization"] == "none" and result.weight_bytes == 4 * 5_322
    assert info["test_accuracy"] is None


def test_a_damaged_runtime_names_the_fix_and_writes_nothing(tmp_path, monkeypatch):
    from web_export import page as page_module
    from web_export.runtime import VENDOR_DIR

    vendor = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, vendor)
    (vendor / "tf.min.js").write_bytes(b"// not TF.js")
    monkeypatch.setattr(page_module, "copy_runtime",
                        lambda destination, runtime: copy_runtime(destination, runtime,
                                                                  vendor_dir=vendor))
    with pytest.raises(MnistKerasError, match="tf.min.js as its manifest records it.*Reinstall"):
        export_model(build_model("cnn-gap"), tmp_path / "site")
    assert sorted(os.listdir(tmp_path)) == ["vendor"]


def test_cli_export_prints_where_and_how_big(tmp_path, small_cnn_run):
    out = tmp_path / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mnist_keras.cli", "export", str(small_cnn_run / "model.keras"),
         "--out", str(out), "--quantize", "uint8", "--json"],
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-2000:]
    result = json.loads(completed.stdout)
    assert result["quantization"] == "uint8" and result["weight_bytes"] > 0
    assert (out / "model.json").is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "mnist_keras.cli", "export", str(tmp_path / "missing.keras"),
         "--out", str(tmp_path / "other")], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "missing.keras" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_the_serve_command_is_quoted_for_the_shell(tmp_path, small_cnn_run, capsys):
    import shlex

    from mnist_keras.cli import main

    out = tmp_path / "my site; rm -rf x"
    assert main(["export", str(small_cnn_run), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    command = printed.split("serve it with: ")[1].strip()
    assert shlex.split(command) == ["python3", "-m", "http.server", "-d", str(out)]
    # Every export carries the run's model card; the page is an app that works offline.
    assert {"README.md", "manifest.webmanifest", "sw.js"} <= set(os.listdir(out))
    assert (out / "icons" / "icon-512.png").is_file()


def test_the_page_never_restates_the_pads_numbers():
    # The pad's size, the pen's width and the pause come from model-info.json
    # (the library's drawing_pad): a number restated here would drift from it.
    import re

    import web_export
    from mnist_keras.drawing_pad import PAD_SIZE, PAUSE_MS, PEN_WIDTH

    numbers = re.compile(rf"\b({PAD_SIZE}|{PEN_WIDTH}|{PAUSE_MS})\b")
    site = os.path.join(os.path.dirname(web_export.__file__), "site")
    for path in (os.path.join(site, "index.html"), os.path.join(site, "js", "main.js")):
        with open(path, encoding="utf-8") as file:
            found = numbers.findall(file.read())
        assert not found, (path, found)
