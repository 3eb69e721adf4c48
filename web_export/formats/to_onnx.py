"""ONNX: `model.onnx`, written by Keras' own ONNX export and run by onnxruntime.

Keras 3 exports ONNX through tf2onnx on the TensorFlow backend
(`model.export(path, format="onnx")`); the older route of calling tf2onnx on
a Keras model directly does not understand Keras 3's models.
"""

import contextlib
import io
import os
import warnings

import numpy as np

MODEL_FILE = "model.onnx"


def write(model, folder):
    """Writes `model.onnx` into `folder`.

    Returns:
        `(files, facts)`: the files written, and the opset and runtime.
    """
    import onnx

    path = os.path.join(folder, MODEL_FILE)
    # tf2onnx prints its progress and numpy's deprecation warnings on import.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        model.export(path, format="onnx", verbose=False)
    proto = onnx.load(path)
    onnx.checker.check_model(proto)
    opset = next(entry.version for entry in proto.opset_import if entry.domain in ("", "ai.onnx"))
    graph = proto.graph
    return [MODEL_FILE], {"opset": int(opset), "input_name": graph.input[0].name,
                          "output_name": graph.output[0].name,
                          "runtime": f"onnxruntime {_onnxruntime().__version__}"}


def _onnxruntime():
    import onnxruntime

    return onnxruntime


def predictor(folder):
    """A function from a float32 batch (N, 28, 28, 1) to probabilities, run by onnxruntime."""
    session = _onnxruntime().InferenceSession(os.path.join(folder, MODEL_FILE),
                                              providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda images: session.run(None, {name: np.asarray(images, np.float32)})[0]
