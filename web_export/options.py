"""The exporter's options, importable without Keras or tensorflowjs."""

from mnist_keras.errors import expected
from mnist_keras.registries import Registry

FORMATS = Registry("format", [
    ("tfjs", "a static TensorFlow.js site that reads drawn digits in the browser (default)"),
    ("onnx", "model.onnx for onnxruntime: servers, C#, the browser through onnxruntime-web"),
    ("tflite", "model.tflite for LiteRT: phones and microcontrollers"),
    ("savedmodel", "a TensorFlow Serving folder (1/) with a serving_default signature"),
])

# The TF.js site's weight formats.
QUANTIZATIONS = Registry("quantize", [
    ("none", "float32 weights: exact, 4 bytes per weight"),
    ("float16", "float16 weights: half the bytes, predictions within about 1e-3"),
    ("uint8", "8-bit weights: a quarter of the bytes, predictions within about 1e-2"),
])

# LiteRT's: float16 weights, or a full-integer model for integer-only hardware.
TFLITE_QUANTIZATIONS = Registry("quantize", [
    ("none", "float32: exact"),
    ("float16", "float16 weights: half the bytes"),
    ("int8", "full integer: 8-bit weights and activations, int8 input and output, calibrated "
             "on MNIST training images"),
])

# What each format offers; ONNX and SavedModel carry the float32 model as it is.
FORMAT_QUANTIZATIONS = {"tfjs": QUANTIZATIONS, "tflite": TFLITE_QUANTIZATIONS,
                        "onnx": Registry("quantize", [("none", "float32")]),
                        "savedmodel": Registry("quantize", [("none", "float32")])}

# How the page and messages name each choice's weights.
# MNIST test digits each export is checked on by default: all of them, so a
# quantized model's accuracy is the one the run reports.
PARITY_IMAGES = 10_000
WEIGHT_NAMES = {"none": "float32", "float16": "float16", "uint8": "uint8", "int8": "int8"}


def check_format(format_name, quantize="none"):
    """Refuses an unknown format, or a quantization the format does not have.

    >>> check_format("tflite", "int8")
    >>> check_format("onnx", "uint8")
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected quantize in ['none'] for the onnx format. ...
    """
    FORMATS.check(format_name)
    allowed = FORMAT_QUANTIZATIONS[format_name]
    if quantize not in allowed:
        raise expected(f"quantize in {allowed.names()} for the {format_name} format",
                       quantize=quantize)


# Every format and quantization as one choice (the dashboard's export menu):
# `(value, label, description)`, the value `format:quantize`.
EXPORT_CHOICES = (
    [(f"tfjs:{q}", f"TF.js page, {WEIGHT_NAMES[q]} weights", QUANTIZATIONS.describe(q))
     for q in QUANTIZATIONS.names()]
    + [("onnx:none", "ONNX (onnxruntime)", FORMATS.describe("onnx")),
       ("onnx:none:page", "ONNX page (onnxruntime-web)",
        "model.onnx and the drawing page running it in the browser with onnxruntime-web "
        "(WebGPU or WASM): compare it with the TF.js page")]
    + [(f"tflite:{q}", f"LiteRT (TFLite), {WEIGHT_NAMES[q]}", TFLITE_QUANTIZATIONS.describe(q))
       for q in TFLITE_QUANTIZATIONS.names()]
    + [("savedmodel:none", "SavedModel (TF Serving)", FORMATS.describe("savedmodel"))])


def read_choice(value):
    """`"tflite:int8"` -> `("tflite", "int8", False)`, checked; `":page"` asks for the page.

    >>> read_choice("onnx:none")
    ('onnx', 'none', False)
    >>> read_choice("onnx:none:page")
    ('onnx', 'none', True)
    """
    format_name, _, rest = str(value).partition(":")
    quantize, _, page = rest.partition(":")
    check_format(format_name, quantize or "none")
    if page not in ("", "page") or (page and format_name != "onnx"):
        raise expected("a page only for the onnx format", choice=value)
    return format_name, quantize or "none", page == "page"
