"""Export a trained model to a static TensorFlow.js site that predicts drawn digits.

    from web_export import export_model
    export_model("runs/first/model.keras", "site", quantize="uint8")

`QUANTIZATIONS` names the weight formats; importing this package imports
neither Keras nor tensorflowjs (that happens when a model is exported).
"""

import importlib

from web_export.options import QUANTIZATIONS, WEIGHT_NAMES

__all__ = ["QUANTIZATIONS", "WEIGHT_NAMES", "ExportResult", "export_model"]


def __getattr__(name):
    if name in ("ExportResult", "export_model"):
        value = getattr(importlib.import_module("web_export.export"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'web_export' has no attribute {name!r}")
