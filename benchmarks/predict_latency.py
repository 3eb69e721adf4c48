"""Times one drawn digit end to end: preprocessing plus prediction.

    python benchmarks/predict_latency.py [--repeats 200]

A 280x280 canvas-sized drawing through `preprocess_drawing` and
`predict_digits` with the default CNN (untrained weights cost the same),
compared with a plain `model.predict` call on the same input.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from timing import time_calls  # noqa: E402

import mnist_keras as mk  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[60:220, 120:160, 3] = 255  # a thick stroke on a transparent canvas
    model = mk.build_model("cnn")
    x = mk.preprocess_drawing(canvas)[None, ..., None]
    for label, function in (
        ("preprocess_drawing", lambda: mk.preprocess_drawing(canvas)),
        ("predict_digits (preprocess + predict)", lambda: mk.predict_digits(model, [canvas])),
        ("model.predict alone, for comparison", lambda: model.predict(x, verbose=0)),
    ):
        median, fastest, _ = time_calls(function, args.repeats)
        print(f"{label:40s} median {median:6.2f} ms  fastest {fastest:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
