"""`export_format`: one model into one format's folder, proven against Keras before it lands."""

import contextlib
import dataclasses
import json
import os
import re
import time

import numpy as np

from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import Run, RunFormatError, check_digit_classifier
from web_export.folders import build_folder, source_run, write_card
from web_export.formats import to_onnx, to_savedmodel, to_tflite
from web_export.options import PARITY_IMAGES, WEIGHT_NAMES, check_format
from web_export.page import page_info, run_metrics, write_page

INFO_FILE = "export-info.json"
SCHEMA_VERSION = 1
PREDICT_BATCH = 500
WRITERS = {"onnx": to_onnx, "tflite": to_tflite, "savedmodel": to_savedmodel}
# What to use instead when a format cannot carry a model.
INSTEAD = {
    "onnx": "the savedmodel or tfjs format carries any layer the project builds",
    "tflite": "export without --quantize int8 (float16 or none), or as onnx or savedmodel",
    "savedmodel": "the onnx format, or the model's own .keras file",
}


@dataclasses.dataclass
class FormatExport:
    """What `export_format` wrote.

    Attributes:
        out_dir: the export folder.
        format: `"onnx"`, `"tflite"` or `"savedmodel"`.
        quantize: the quantization (`"none"`, or tflite's `"float16"`, `"int8"`).
        files: `{name: bytes}` of what the folder holds (a folder's files summed).
        info: the contents of `export-info.json`.
    """

    out_dir: str
    format: str
    quantize: str
    files: dict
    info: dict

    @property
    def parity(self):
        """The written model against Keras on MNIST test digits (see `export-info.json`)."""
        return self.info["parity"]


def _reason(error):
    """What a converter's or runtime's error says, in a few words: the operator and where."""
    text = str(error)
    missing = re.search(r"'tf\.(\w+)' op is neither a custom op nor a flex op", text)
    if missing:
        op = missing.group(1)
        where = re.search(r'fused\["' + re.escape(op) + r':", "[^/"]*/([^@"]+)@', text)
        return f"LiteRT has no built-in {op} operator" + (
            f" (in {where.group(1)})" if where else "")
    node = re.search(r"Name: (\S+) OpType: (\w+)", text)
    if node:
        return (f"onnxruntime has no {node.group(2)} operator (in "
                f"{node.group(1).split('/', 1)[-1]})")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:200] if lines else type(error).__name__


@contextlib.contextmanager
def _native_output_silenced():
    """TensorFlow's converters print from C++ straight to the process's stdout and stderr."""
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _use_with(format, out_dir, model_name):
    """One line that loads the export in its runtime (export-info.json's `use_with`)."""
    import shlex

    if format == "onnx":
        return ("python3 -c \"import onnxruntime; print(onnxruntime.InferenceSession("
                f"{os.path.join(out_dir, to_onnx.MODEL_FILE)!r}).get_inputs()[0])\"")
    if format == "tflite":
        return ("python3 -c \"from ai_edge_litert.interpreter import Interpreter; "
                f"print(Interpreter({os.path.join(out_dir, to_tflite.MODEL_FILE)!r})"
                ".get_input_details()[0]['shape'])\"")
    name = "".join(c if c.isalnum() else "_" for c in model_name) or "digits"
    return (f"docker run -p 8501:8501 -v {shlex.quote(out_dir)}:/models/{name} "
            f"-e MODEL_NAME={name} tensorflow/serving")


def _size(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(os.path.join(root, name))
               for root, _, names in os.walk(path) for name in names)


def _test_digits(count):
    from mnist_keras.datasets import load_raw, scale_pixels

    _, _, test_images, test_labels = load_raw()
    return scale_pixels(test_images[:count]), test_labels[:count]


def _in_batches(predict, images):
    return np.concatenate([predict(images[start:start + PREDICT_BATCH])
                           for start in range(0, len(images), PREDICT_BATCH)])


def _parity(reference, outputs, labels):
    same = reference.argmax(axis=1) == outputs.argmax(axis=1)
    return {"images": int(len(labels)),
            "max_abs_difference": float(np.abs(reference - outputs).max()),
            "argmax_agreement": float(same.mean()),
            "accuracy": float((outputs.argmax(axis=1) == labels).mean()),
            "keras_accuracy": float((reference.argmax(axis=1) == labels).mean())}


def _source(model_path, folder):
    source = {"model_file": os.path.abspath(model_path) if model_path else None, "run": None,
              "test_accuracy": None}
    if folder:
        try:
            metrics = Run(folder).metrics()
        except RunFormatError:
            metrics = None
        source.update(run=os.path.basename(os.path.normpath(folder)),
                      test_accuracy=metrics.test_accuracy if metrics else None)
    return source


def _input_and_output(model, facts):
    from mnist_keras.datasets.names import CLASS_NAMES

    return ({"name": facts.get("input_name"), "shape": [None, 28, 28, 1],
             "dtype": facts.get("input_quantization", {}).get("dtype", "float32"),
             "pixels": "0 (paper) to 1 (ink): a white digit on black, centred as MNIST's "
                       "(mnist_keras.preprocessing.preprocess_drawing makes it from a drawing)",
             **({"quantization": facts["input_quantization"],
                 "from_pixels": "round(pixel / scale + zero_point), clipped to -128..127"}
                if "input_quantization" in facts else {})},
            {"name": facts.get("output_name"), "shape": [None, 10],
             "meaning": "the probability of each class", "class_names": CLASS_NAMES["mnist"],
             **({"quantization": facts["output_quantization"],
                 "to_probabilities": "(value - zero_point) * scale"}
                if "output_quantization" in facts else {})})


def export_format(model, out_dir, format="onnx", quantize="none", run_dir=None,
                  parity_images=PARITY_IMAGES, page=False):
    """Writes a model in another runtime's format, checked against Keras in that runtime.

    Args:
        model: a `.keras` file (loaded in Keras safe mode) or a Keras model
            from 28x28x1 images to 10 classes.
        out_dir: the export folder: new, empty or an earlier export (replaced
            only once the new one is complete and checked).
        format: `"onnx"` (`model.onnx`, onnxruntime), `"tflite"`
            (`model.tflite`, the LiteRT interpreter) or `"savedmodel"`
            (`1/`, TensorFlow Serving's layout).
        quantize: `"none"`; for tflite also `"float16"` or `"int8"` (full
            integer, calibrated on MNIST training images).
        run_dir: the run the model comes from (its name and test accuracy go
            into `export-info.json`). Defaults to the model file's folder.
        parity_images: how many MNIST test digits the written model is run
            on and compared with Keras. Defaults to all 10,000.
        page: onnx only: also write the drawing page, running `model.onnx`
            in the browser with onnxruntime-web (WebGPU or WASM), beside the
            model; any static server serves the folder.

    Returns:
        A `FormatExport`; its `parity` has the largest absolute difference
        from Keras' probabilities, the argmax agreement, and both accuracies.

    Raises:
        MnistKerasError: for an unknown format or quantization, a model of the
            wrong shape, a model the format cannot carry (with what to use
            instead), or a destination that holds something else or cannot
            be written. Nothing is written in part.

    Example:

    ```python
    result = export_format("runs/first/model.keras", "exports/onnx", format="onnx")
    result.parity["max_abs_difference"]
    # 3.6e-07
    ```
    """
    check_format(format, quantize)
    if format not in WRITERS:
        raise expected("onnx, tflite or savedmodel (the tfjs site is web_export.export_model's)",
                       format=format)
    if page and format != "onnx":
        raise expected("page only with the onnx format (the tfjs format always has its page)",
                       format=format)
    if not 1 <= int(parity_images) <= PARITY_IMAGES:
        raise expected(f"parity_images from 1 to {PARITY_IMAGES:,}", parity_images=parity_images)
    model_path = None
    if isinstance(model, (str, os.PathLike)):
        from mnist_keras.runs import load_model

        model_path, model = os.fspath(model), load_model(model)
    check_digit_classifier(model)
    writer = WRITERS[format]
    run_folder = source_run(model_path, run_dir)
    use_with = _use_with(format, os.path.abspath(os.fspath(out_dir)),
                         os.path.basename(run_folder) if run_folder else model.name)
    images, labels = _test_digits(int(parity_images))
    reference = model.predict(images, batch_size=PREDICT_BATCH, verbose=0)

    def write(folder):
        started = time.perf_counter()
        try:
            with _native_output_silenced():
                files, facts = (writer.write(model, folder, quantize) if format == "tflite"
                                else writer.write(model, folder))
            seconds = time.perf_counter() - started
            outputs = _in_batches(writer.predictor(folder), images)
        except (MnistKerasError, OSError, KeyboardInterrupt):
            raise
        except Exception as error:  # the converters and runtimes raise many types
            raise expected(f"a model the {format} format can carry ({_reason(error)}); "
                           f"{INSTEAD[format]}", model=model.name) from None
        parity = _parity(reference, outputs, labels)
        sizes = {name: _size(os.path.join(folder, name)) for name in files}
        model_input, model_output = _input_and_output(model, facts)
        info = {"schema_version": SCHEMA_VERSION, "format": format, "quantize": quantize,
                "weights": WEIGHT_NAMES[quantize], "files": sizes,
                "source": _source(model_path, run_folder), "model": model.name,
                "params": int(model.count_params()), "input": model_input,
                "output": model_output, "parity": parity,
                "runtime": facts.get("runtime"),
                **{key: facts[key] for key in ("opset", "signature", "serve_with")
                   if key in facts},
                "use_with": use_with, "export_seconds": round(seconds, 2),
                "created": time.time()}
        with open(os.path.join(folder, INFO_FILE), "w", encoding="utf-8") as file:
            json.dump(info, file, indent=1)
        write_card(run_folder, folder)
        if page:
            size = sizes[to_onnx.MODEL_FILE]
            write_page(folder, page_info(model, run_metrics(model_path, run_dir),
                                         "onnxruntime-web", weight_bytes=size,
                                         float32_bytes=size))
        return sizes, info

    out_dir, (sizes, info) = build_folder(out_dir, write)
    return FormatExport(out_dir, format, quantize, sizes, info)
