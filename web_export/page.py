"""The page an export carries: its facts file, its files, its browser runtime, the offline app.

The same page (`site/`) runs on TensorFlow.js (`js/model.js`, the `tfjs`
export) or on onnxruntime-web (`js/ort-model.js`, the ONNX export with its
page): `model-info.json` names the runtime and the model file, and the page
imports that runtime's module. Only the chosen runtime's files are copied.
"""

import json
import os
import re
import shutil

from mnist_keras.datasets.names import CLASS_NAMES
from mnist_keras.drawing_pad import pad_settings
from mnist_keras.prediction import CONFIDENCE_LEVELS, UNSURE
from mnist_keras.preprocessing import recipe_settings
from mnist_keras.runs import Run, RunFormatError
from web_export.offline import write_offline_files
from web_export.options import WEIGHT_NAMES
from web_export.runtime import copy_runtime, runtime_version

SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
# The facts the page shows; also what marks a folder as an earlier export.
INFO_FILE = "model-info.json"
GENERATOR = "mnist-keras web_export"
# Per runtime: its name on the page, and the model file it loads.
PAGE_RUNTIMES = {
    "tfjs": {"name": "TensorFlow.js", "model_file": "model.json"},
    "onnxruntime-web": {"name": "onnxruntime-web", "model_file": "model.onnx"},
}
# index.html loads TF.js as classic scripts between these markers; a page on
# another runtime has them replaced (onnxruntime-web is imported as a module).
_SCRIPTS = re.compile(r"<!-- runtime scripts -->.*?<!-- /runtime scripts -->", re.S)
_NO_SCRIPTS = ("<!-- onnxruntime-web: imported by js/ort-model.js from vendor/, "
               "nothing comes from elsewhere. -->")


def run_metrics(model_path, run_dir):
    """The `RunMetrics` of the run a model comes from, or None.

    Args:
        model_path: the model file, or None for a model given as an object.
        run_dir: the run folder, or None for the model file's folder.
    """
    folder = run_dir or (os.path.dirname(os.path.abspath(model_path)) if model_path else None)
    if not folder:
        return None
    try:
        return Run(folder).metrics()
    except RunFormatError:
        return None


def page_info(model, metrics, runtime="tfjs", quantize="none", weight_bytes=0,
              float32_bytes=0):
    """The facts `model-info.json` gives the page: the model, its metrics, how to read drawings.

    Args:
        model: the Keras model exported.
        metrics: its run's `RunMetrics`, or None.
        runtime: `"tfjs"` or `"onnxruntime-web"`.
        quantize: the weights' quantization (`"none"` for float32).
        weight_bytes: the bytes the page loads for the weights.
        float32_bytes: the bytes the weights take as float32.
    """
    from mnist_keras.inspection import layer_summary
    from mnist_keras.pruning import count_nonzero_params

    layers = layer_summary(model)
    version = runtime_version(runtime)
    return {
        "generator": GENERATOR, "name": model.name,
        "runtime": runtime, "runtime_name": PAGE_RUNTIMES[runtime]["name"],
        "runtime_version": version, "model_file": PAGE_RUNTIMES[runtime]["model_file"],
        **({"tfjs_version": version} if runtime == "tfjs" else {}),
        "layers": [{**row, "output_shape": list(row["output_shape"])} for row in layers],
        "params": int(model.count_params()),
        "nonzero_params": count_nonzero_params(model),
        "sparsity": metrics.sparsity.sparsity if metrics and metrics.sparsity else None,
        "test_accuracy": metrics.test_accuracy if metrics else None,
        "test_size": metrics.test_size if metrics else None,
        "class_names": list(metrics.class_names if metrics else CLASS_NAMES["mnist"]),
        "confidence_levels": dict(CONFIDENCE_LEVELS), "unsure": dict(UNSURE),
        "preprocessing": recipe_settings(), "pad": pad_settings(),
        "quantization": quantize, "weights": WEIGHT_NAMES[quantize],
        "weight_bytes": weight_bytes, "float32_weight_bytes": float32_bytes,
    }


def write_page(folder, info):
    """Writes the page around a model already in `folder`, then makes it an offline app.

    Call it last (after the model card): the service worker lists every file
    already in the folder.

    Args:
        folder: the export folder, holding the model file `info` names.
        info: the page's facts, from `page_info`.
    """
    with open(os.path.join(folder, INFO_FILE), "w", encoding="utf-8") as file:
        json.dump(info, file, indent=1)
    shutil.copytree(SITE_DIR, folder, dirs_exist_ok=True)
    if info["runtime"] != "tfjs":
        index = os.path.join(folder, "index.html")
        with open(index, encoding="utf-8") as file:
            html = file.read()
        with open(index, "w", encoding="utf-8") as file:
            file.write(_SCRIPTS.sub(_NO_SCRIPTS, html))
    copy_runtime(os.path.join(folder, "vendor"), info["runtime"])
    write_offline_files(folder, info["name"])
