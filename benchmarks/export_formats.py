"""Each export format's size, load time, per-drawing latency and agreement with Keras.

    python benchmarks/export_formats.py                    # the pretrained model
    python benchmarks/export_formats.py --default          # + the default recipe, 3 epochs
    python benchmarks/export_formats.py --model runs/x/model.keras

For every format and quantization: the file's size; how long its runtime
takes to load it; the median time of one drawing (a batch of one, after a
warm-up), against Keras' compiled step (`predict_on_batch`) on the same
input; and, on all 10,000 MNIST test digits, the largest difference from
Keras' probabilities, how often both give the same answer, and accuracy.
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
from timing import time_calls  # noqa: E402

import mnist_keras as mk  # noqa: E402

VARIANTS = (("onnx", "none"), ("tflite", "none"), ("tflite", "float16"), ("tflite", "int8"),
            ("savedmodel", "none"))


def _report(label, model, repeats):
    from web_export.formats import export_format
    from web_export.formats.exporting import WRITERS

    drawing = mk.preprocess_drawing(_a_drawing())[None, ..., None].astype(np.float32)
    keras_ms, _, _ = time_calls(lambda: model.predict_on_batch(drawing), repeats)
    print(f"\n{label}: {model.count_params():,} parameters; Keras one drawing "
          f"{keras_ms:.2f} ms (predict_on_batch)")
    print(f"  {'format':<18} {'bytes':>10} {'load ms':>8} {'1 drawing ms':>13} "
          f"{'max |diff|':>11} {'same answer':>12} {'accuracy':>9}")
    float32_accuracy = None
    with tempfile.TemporaryDirectory() as folder:
        for format_name, quantize in VARIANTS:
            out = os.path.join(folder, f"{format_name}-{quantize}")
            result = export_format(model, out, format=format_name, quantize=quantize)
            started = time.perf_counter()
            predict = WRITERS[format_name].predictor(out)
            predict(drawing)
            load_ms = 1000 * (time.perf_counter() - started)
            one_ms, _, _ = time_calls(lambda predict=predict: predict(drawing), repeats)
            parity = result.parity
            if (format_name, quantize) == ("tflite", "none"):
                float32_accuracy = parity["accuracy"]
            name = format_name + ("" if quantize == "none" else f" {quantize}")
            print(f"  {name:<18} {sum(result.files.values()):>10,} {load_ms:>8.0f} "
                  f"{one_ms:>13.3f} {parity['max_abs_difference']:>11.2g} "
                  f"{parity['argmax_agreement']:>12.2%} {parity['accuracy']:>9.2%}")
            if quantize == "int8":
                print(f"  {'':<18} int8 against float32 on MNIST: "
                      f"{100 * (parity['accuracy'] - float32_accuracy):+.2f} points")


def _a_drawing():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[60:220, 120:160, 3] = 255  # a thick stroke on a transparent canvas
    return canvas


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="also a .keras model")
    parser.add_argument("--default", action="store_true",
                        help="also train the default recipe 3 epochs and measure it")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    from mnist_keras.pretrained import load_pretrained

    _report("the pretrained model", load_pretrained(), args.repeats)
    for path in args.model:
        _report(path, mk.load_model(path), args.repeats)
    if args.default:
        result = mk.train(mk.recipe_config("default", epochs=3))
        _report("the default recipe, 3 epochs", result.model, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
