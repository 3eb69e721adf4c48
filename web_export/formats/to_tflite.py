"""LiteRT (TFLite): `model.tflite` as float32, float16 or full integer (int8).

Written by Keras' own LiteRT export (`model.export(path, format="litert")`,
TensorFlow's converter underneath) and run by the LiteRT interpreter
(`ai-edge-litert`, the package that replaces `tf.lite.Interpreter`, which
TensorFlow 2.19 deprecates). Only LiteRT's built-in operators are allowed:
a model that needs TensorFlow's own (Flex) operators would not run on a
phone's or a microcontroller's interpreter, so it is refused instead.

The int8 model is integer-only, its input and output included, as integer
hardware (microcontrollers, NPUs, the Edge TPU) needs; its activations'
ranges are calibrated on MNIST training images, and `export-info.json` says
how to turn pixels into its int8 input and its int8 output into probabilities.
"""

import contextlib
import io
import os
import warnings

import numpy as np

MODEL_FILE = "model.tflite"
# Training images the int8 calibration runs through (stratified, seed 0):
# enough for every class's activation ranges; more changed nothing measurable.
CALIBRATION_IMAGES = 500


def _calibration_images():
    from mnist_keras.datasets import load_raw, scale_pixels, stratified_subset

    train_images, train_labels, _, _ = load_raw()
    chosen = stratified_subset(train_labels, CALIBRATION_IMAGES, seed=0)
    return scale_pixels(train_images[chosen])


def _converter_settings(quantize):
    import tensorflow as tf

    builtins = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if quantize == "none":
        return {"target_spec": {"supported_ops": builtins}}
    if quantize == "float16":
        return {"optimizations": [tf.lite.Optimize.DEFAULT],
                "target_spec": {"supported_ops": builtins, "supported_types": [tf.float16]}}
    images = _calibration_images()
    return {"optimizations": [tf.lite.Optimize.DEFAULT],
            "representative_dataset": lambda: ([images[i:i + 1]] for i in range(len(images))),
            "target_spec": {"supported_ops": [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]},
            "inference_input_type": tf.int8, "inference_output_type": tf.int8}


def write(model, folder, quantize="none"):
    """Writes `model.tflite` into `folder`.

    Args:
        model: the Keras model.
        folder: an existing folder.
        quantize: `"none"`, `"float16"` or `"int8"`.

    Returns:
        `(files, facts)`: the file written; the runtime and, for int8, the
        input's and output's scale and zero point.

    Raises:
        Exception: whatever the converter raises for a model it cannot carry
            (the caller names the way out).
    """
    path = os.path.join(folder, MODEL_FILE)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        model.export(path, format="litert", verbose=False, **_converter_settings(quantize))
    interpreter = _interpreter(folder)
    facts = {"runtime": f"ai-edge-litert {_litert_version()}"}
    if quantize == "int8":
        (entry,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
        facts["input_quantization"] = _scale_and_zero(entry)
        facts["output_quantization"] = _scale_and_zero(out)
    return [MODEL_FILE], facts


def _scale_and_zero(detail):
    scale, zero_point = detail["quantization"]
    return {"dtype": np.dtype(detail["dtype"]).name, "scale": float(scale),
            "zero_point": int(zero_point)}


def _litert_version():
    from importlib.metadata import version

    return version("ai-edge-litert")


def _interpreter(folder, batch=None):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=os.path.join(folder, MODEL_FILE))
    if batch is not None:
        interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"],
                                        [batch, 28, 28, 1])
    interpreter.allocate_tensors()
    return interpreter


def predictor(folder):
    """A function from a float32 batch to probabilities, run by the LiteRT interpreter.

    An int8 model's input is quantized and its output dequantized with the
    scales the model carries, as an application on a device would.
    """
    cache = {}

    def predict(images):
        images = np.asarray(images, np.float32)
        if len(images) not in cache:
            cache.clear()  # one batch size at a time
            cache[len(images)] = _interpreter(folder, batch=len(images))
        interpreter = cache[len(images)]
        (entry,), (out,) = interpreter.get_input_details(), interpreter.get_output_details()
        if entry["dtype"] == np.int8:
            scale, zero_point = entry["quantization"]
            images = np.clip(np.round(images / scale + zero_point), -128, 127).astype(np.int8)
        interpreter.set_tensor(entry["index"], images)
        interpreter.invoke()
        result = interpreter.get_tensor(out["index"])
        if out["dtype"] == np.int8:
            scale, zero_point = out["quantization"]
            result = (result.astype(np.float32) - zero_point) * scale
        return result

    return predict
