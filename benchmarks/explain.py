"""Times the explanation views' server work per drawing, with the default CNN.

    python benchmarks/explain.py [--repeats 50] [--maps pca,umap,tsne]

Per drawing: a saliency map by each method, the adversarial search by each
attack, the whole "Why this answer?" card (Grad-CAM + FGSM + two PNGs), and
the projector's star (the drawing placed on a PCA or UMAP map of 2,000 test
digits). Targets: Grad-CAM under 30 ms, the star under 50 ms. Then how long
each map of 2,000 digits takes to compute in the background. The model is
saved as a finished run and loaded the way the dashboard loads it
(untrained weights cost the same).
"""

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from timing import time_calls, untrained_run  # noqa: E402

from dashboard.panels.draw import callbacks as drawing  # noqa: E402
from dashboard.panels.draw import why  # noqa: E402
from dashboard.panels.projector import callbacks as projector  # noqa: E402
from dashboard.panels.projector.jobs import READY, Projector  # noqa: E402
from dashboard.shared import loaded_models  # noqa: E402
from mnist_keras.explain import adversarial, saliency, umap_available  # noqa: E402
from mnist_keras.registries import ATTACK_METHODS, SALIENCY_METHODS  # noqa: E402

SEVEN = [{"points": [[70, 60], [210, 60], [150, 160], [120, 240]], "width": 22}]


def _map(projector_, name, method):
    started = time.perf_counter()
    while projector_.status(name, method).state != READY:
        time.sleep(0.05)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--maps", default="pca,umap" if umap_available() else "pca",
                        help="maps to compute and place a drawing on (pca, umap, tsne)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as runs_dir:
        untrained_run(runs_dir)
        loaded = loaded_models.load(runs_dir, "cnn")
        _, image, _ = drawing.predict_strokes(runs_dir, SEVEN, ["cnn"])
        print(f"per drawing, default CNN ({args.repeats} repeats, after one warm-up call):")
        cases = {f"saliency {method}": (lambda m=method: saliency(loaded.model, image, m))
                 for method in SALIENCY_METHODS}
        cases.update({f"adversarial {method}": (lambda m=method: adversarial(loaded.model,
                                                                              image, method=m))
                      for method in ATTACK_METHODS})
        cases["'Why this answer?' card (Grad-CAM, FGSM, PNGs)"] = lambda: why.why_cards(
            runs_dir, image.tolist(), ["cnn"], "gradcam", "fgsm")
        projector_ = Projector(runs_dir)
        seconds = {}
        for method in args.maps.split(","):
            seconds[method] = _map(projector_, "cnn", method)
            if method != "tsne":
                cases[f"projector star on the {method.upper()} map"] = (
                    lambda m=method: projector.star_position(runs_dir, projector_, "cnn", m,
                                                             image.tolist()))
        for name, function in cases.items():
            median, _, worst = time_calls(function, args.repeats)
            print(f"  {name:50s} median {median:7.1f} ms   max {worst:7.1f} ms")
        print("map of 2,000 test digits, computed in the background:")
        for method, took in seconds.items():
            print(f"  {method.upper():5s} {took:6.1f} s")


if __name__ == "__main__":
    main()
