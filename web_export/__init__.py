"""Export a trained model to a static TensorFlow.js site that predicts drawn digits.

    from web_export import export_model
    export_model("runs/first/model.keras", "site", quantize="uint8")

`QUANTIZATIONS` names the weight formats; importing this package imports
neither Keras nor tensorflowjs (that happens when a model is exported).
"""

from mnist_keras.lazy import lazy_package
from web_export.options import QUANTIZATIONS, WEIGHT_NAMES

__getattr__, __dir__, _lazy_names = lazy_package(
    __name__, {"export": ["ExportResult", "export_model"]}, submodules=False)
__all__ = ["QUANTIZATIONS", "WEIGHT_NAMES", *_lazy_names]
