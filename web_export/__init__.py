"""Export a trained model to a static TensorFlow.js site that predicts drawn digits.

    from web_export import export_model
    export_model("runs/first/model.keras", "site", quantize="uint8")

`export_format` writes the same model for onnxruntime, LiteRT or TensorFlow
Serving. `FORMATS` and `QUANTIZATIONS` name the choices; importing this
package imports neither Keras nor a converter (that happens when a model is
exported).
"""

from mnist_keras.lazy import lazy_package
from web_export.options import (
    EXPORT_CHOICES,
    FORMATS,
    QUANTIZATIONS,
    WEIGHT_NAMES,
    check_format,
    read_choice,
)

__getattr__, __dir__, _lazy_names = lazy_package(
    __name__, {"export": ["ExportResult", "export_model"],
               "formats.exporting": ["FormatExport", "export_format"]}, submodules=False)
__all__ = ["EXPORT_CHOICES", "FORMATS", "QUANTIZATIONS", "WEIGHT_NAMES", "check_format",
           "read_choice", *_lazy_names]
