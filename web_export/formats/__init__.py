"""A trained model in the formats other runtimes load: ONNX, LiteRT (TFLite), SavedModel.

    mnist-keras export runs/first --format onnx --out onnx/
    mnist-keras export pretrained --format tflite --quantize int8 --out tflite/

Each format is a module with one entry point that writes its files into a
folder (`to_onnx`, `to_tflite`, `to_savedmodel`); `export_format` builds that
folder beside its destination, runs the written model in its own runtime on
MNIST test digits against Keras, records the figures with the model's input
and output in `export-info.json`, and only then moves the folder into place.
A model the format cannot carry is refused with what to use instead, and
nothing is written.
"""

from mnist_keras.lazy import lazy_package

__getattr__, __dir__, _lazy_names = lazy_package(
    __name__, {"exporting": ["FormatExport", "export_format"]}, submodules=False)
__all__ = [*_lazy_names]
