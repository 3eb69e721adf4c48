"""Export a trained model to a static TensorFlow.js site that predicts drawn digits.

    from web_export import export_model
    export_model("runs/first/model.keras", "site", quantize="uint8")
"""

from web_export.export import QUANTIZATIONS, ExportResult, export_model

__all__ = ["QUANTIZATIONS", "ExportResult", "export_model"]
