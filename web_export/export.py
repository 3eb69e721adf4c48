"""Keras model -> a self-contained static site that predicts drawn digits with TF.js.

    mnist-keras export runs/first/model.keras --out site --quantize uint8
    python3 -m http.server -d site

The folder holds everything the page loads: `model.json` and its weight
shards, `model-info.json` (the facts the page shows), the page (`index.html`,
`style.css`, `js/`) and the TF.js runtime (`vendor/`). It requests nothing
outside itself, so it works offline from any static server.
"""

import dataclasses
import json
import os
import warnings

from mnist_keras.runs import check_digit_classifier
from web_export.folders import build_folder, source_run, write_card
from web_export.options import QUANTIZATIONS
from web_export.page import GENERATOR, page_info, run_metrics, write_page
from web_export.topology import tfjs_topology, weight_entries

# Shards of at most 4 MB, TF.js's own default: browsers fetch them in parallel.
SHARD_BYTES = 4 * 1024 * 1024


@dataclasses.dataclass
class ExportResult:
    """What `export_model` wrote.

    Attributes:
        out_dir: the site folder.
        weight_bytes: bytes of the weight shards (after quantization).
        float32_bytes: bytes the weights take as float32.
        info: the contents of `model-info.json`.
    """

    out_dir: str
    weight_bytes: int
    float32_bytes: int
    info: dict


def _write_weights(entries, folder, quantize):
    # tensorflowjs imports jax, flax and TF Decision Forests (about 9 s): here
    # only. TF-DF prints a welcome banner on import unless told not to (and
    # wants IPython if stdout is not a terminal).
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    with warnings.catch_warnings():
        # tensorflow_hub's own import of pkg_resources warns; nothing for a user to do.
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        from tensorflowjs.write_weights import write_weights
    dtype_map = None if quantize == "none" else {quantize: "*"}
    return write_weights([entries], folder, shard_size_bytes=SHARD_BYTES,
                         write_manifest=False, quantization_dtype_map=dtype_map)


def write_model_files(model, folder, quantize="none"):
    """Writes a TF.js layers model (`model.json` and weight shards) into `folder`.

    The topology is converted (and anything TF.js cannot run refused, by name)
    before a byte is written.

    Args:
        model: a built Keras model (Sequential or functional).
        folder: an existing folder.
        quantize: a name from `QUANTIZATIONS`.

    Returns:
        `(weight_bytes, float32_bytes)`: the shards' size, and the weights'
        size as float32.
    """
    QUANTIZATIONS.check(quantize)
    topology = tfjs_topology(model)
    entries = weight_entries(model)
    manifest = _write_weights(entries, folder, quantize)
    weight_bytes = sum(os.path.getsize(os.path.join(folder, path))
                       for group in manifest for path in group["paths"])
    model_json = {"format": "layers-model", "generatedBy": GENERATOR,
                  "convertedBy": f"{GENERATOR} (tensorflowjs weight writer)",
                  "modelTopology": topology, "weightsManifest": manifest}
    with open(os.path.join(folder, "model.json"), "w", encoding="utf-8") as file:
        json.dump(model_json, file)
    return weight_bytes, sum(entry["data"].nbytes for entry in entries)


def export_model(model, out_dir, quantize="none", run_dir=None):
    """Writes a static site that predicts drawn digits with the model in the browser.

    Args:
        model: a `.keras` file (loaded in Keras safe mode) or a Keras model
            (Sequential or functional) from 28x28x1 images to 10 classes.
        out_dir: the site folder: new, empty, or an earlier export (replaced
            only once the new one is complete).
        quantize: `"none"` (float32), `"float16"` or `"uint8"` weights.
        run_dir: the run folder whose metrics.json gives the test accuracy
            shown on the page. Defaults to the model file's folder.

    Returns:
        An `ExportResult`.

    Raises:
        MnistKerasError: for an unknown quantization, a model TF.js cannot
            run (naming the layer), a model of the wrong shape, an output
            folder that holds something else or cannot be written.

    Example:

    ```python
    export_model("runs/first/model.keras", "site", quantize="uint8")
    # ExportResult(out_dir='site', weight_bytes=..., ...)
    ```
    """
    QUANTIZATIONS.check(quantize)
    model_path = None
    if isinstance(model, (str, os.PathLike)):
        from mnist_keras.runs import load_model

        model_path, model = os.fspath(model), load_model(model)
    check_digit_classifier(model)
    tfjs_topology(model)  # refuses what TF.js cannot run before anything is written
    metrics = run_metrics(model_path, run_dir)

    def write(built):
        weight_bytes, float32_bytes = write_model_files(model, built, quantize)
        info = page_info(model, metrics, "tfjs", quantize, weight_bytes, float32_bytes)
        write_card(source_run(model_path, run_dir), built)
        write_page(built, info)
        return weight_bytes, float32_bytes, info

    out_dir, (weight_bytes, float32_bytes, info) = build_folder(out_dir, write)
    return ExportResult(out_dir, weight_bytes, float32_bytes, info)
