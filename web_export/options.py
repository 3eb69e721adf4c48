"""The exporter's options, importable without Keras or tensorflowjs."""

from mnist_keras.registries import Registry

QUANTIZATIONS = Registry("quantize", [
    ("none", "float32 weights: exact, 4 bytes per weight"),
    ("float16", "float16 weights: half the bytes, predictions within about 1e-3"),
    ("uint8", "8-bit weights: a quarter of the bytes, predictions within about 1e-2"),
])

# How the page and messages name each choice's weights.
WEIGHT_NAMES = {"none": "float32", "float16": "float16", "uint8": "uint8"}
