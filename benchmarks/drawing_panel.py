"""Times the drawing panel's server work for one drawing, with the default CNN.

    python benchmarks/drawing_panel.py [--repeats 50]

Strokes -> 280x280 image -> prediction card; then what "Inside the model"
computes for the same drawing (activation flow, feature-map heatmaps) and the
weight heatmaps. The model is saved as a finished run and loaded the way the
dashboard loads it (untrained weights cost the same).
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from timing import time_calls, untrained_run  # noqa: E402

from dashboard.panels.draw import callbacks as drawing  # noqa: E402
from dashboard.panels.inside import callbacks as inspection  # noqa: E402
from dashboard.panels.inside.figures import activation_flow_figure  # noqa: E402
from dashboard.shared import loaded_models  # noqa: E402
from mnist_keras.inspection import activation_flow  # noqa: E402

SEVEN = [{"points": [[70, 60], [210, 60], [150, 160], [120, 240]], "width": 22}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as runs_dir:
        untrained_run(runs_dir)
        started = time.perf_counter()
        loaded = loaded_models.load(runs_dir, "cnn")
        print(f"load the run's model once: {1000 * (time.perf_counter() - started):.0f} ms")
        _, image, _ = drawing.predict_strokes(runs_dir, SEVEN, ["cnn"])

        def inside():
            with loaded.lock:
                flow = activation_flow(loaded.model, image, loaded.activation_extractor)
            activation_flow_figure(flow)
            inspection.feature_map_graphs(loaded, image)

        cases = {
            "predict (strokes -> card)": lambda: drawing.predict_strokes(runs_dir, SEVEN,
                                                                          ["cnn"]),
            "inside the model (flow + feature maps)": inside,
            "weights of conv2d_1": lambda: inspection.weight_figure(loaded, "conv2d_1"),
            "weights of the first dense layer": lambda: inspection.weight_figure(loaded,
                                                                                 "dense"),
        }
        for name, function in cases.items():
            median, _, worst = time_calls(function, args.repeats)
            print(f"{name:42s} median {median:6.1f} ms   max {worst:6.1f} ms")
        print(f"(numpy {np.__version__}; {args.repeats} repeats each)")


if __name__ == "__main__":
    main()
