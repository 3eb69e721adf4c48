"""The projector's maps, computed once per run and method, in the background.

A map of 2,000 test digits takes well under a second with PCA and most of a
minute with t-SNE on two cores, so it is never computed in a callback: a
daemon thread computes it and writes it to the run folder
(`projection-{method}.json`, through `Run.write_projection`); the page polls
`status` and shows the stage meanwhile. One map is computed at a time (two
would only share the cores), and none while a training job runs. A map
computed from another model file (the run's model changed) is computed again.

UMAP's fitted model places new drawings but is not written to the file (it
is a Python object; the run folder holds only JSON): it is kept here, per
model file, and a map read back after a restart is fitted again (seeded, to
the same coordinates) the first time a drawing needs placing on it.
"""

import dataclasses
import os
import threading
import time

import numpy as np

from dashboard.shared import loaded_models
from mnist_keras.registries import EMBEDDING_METHODS
from mnist_keras.runs import Projection, RunFormatError, run_in

SAMPLE_SIZE = 2_000
SAMPLE_SEED = 0
# Fitted UMAP models kept for placing drawings (each holds its 2,000-point graph).
MAX_FITTED = 8
READY, COMPUTING, WAITING, FAILED = "ready", "computing", "waiting", "failed"


@dataclasses.dataclass
class MapStatus:
    """Where one run's map stands: `state` is ready, computing, waiting or failed."""

    state: str
    message: str = ""
    projection: Projection = None


class Projector:
    """Computes and keeps the maps of one runs folder (one per dashboard).

    Args:
        runs_dir: the runs folder.
        busy: a callable returning the name of a run that is training, or None.
    """

    def __init__(self, runs_dir, busy=lambda: None):
        self.runs_dir = runs_dir
        self._busy = busy
        self._lock = threading.Lock()
        self._computing = {}  # (run, method) -> stage text
        self._failed = {}  # (run, method, model mtime) -> message
        self._fitted = {}  # (model path, size, mtime_ns, method) -> Embedding (UMAP)
        self._one_at_a_time = threading.Lock()

    def status(self, name, method, start=True):
        """The map of run `name` by `method`, starting its computation if needed.

        Raises:
            MnistKerasError: for a bad run name or method.
        """
        EMBEDDING_METHODS.check(method)
        run = run_in(self.runs_dir, name)
        if not loaded_models.has_model(run):
            return MapStatus(FAILED, f"Run {name!r} has no trained model.")
        model_path = run.file("model.keras")
        key = (name, method)
        with self._lock:
            if key in self._computing:
                return MapStatus(COMPUTING, self._computing[key])
            failed = self._failed.get((name, method, _model_key(model_path)))
            if failed:
                return MapStatus(FAILED, failed)
        try:
            projection = run.projection(method)
        except RunFormatError:
            projection = None  # damaged: computed again
        if projection is not None and projection.is_current_for(model_path):
            return MapStatus(READY, "", projection)
        if not start:
            return MapStatus(WAITING, "Not computed yet.")
        training = self._busy()
        if training:
            return MapStatus(WAITING, f"Waiting for {training} to finish training (a map "
                                      "would slow it down).")
        with self._lock:
            if key in self._computing:
                return MapStatus(COMPUTING, self._computing[key])
            self._computing[key] = "Queued behind another map."
        threading.Thread(target=self._compute, args=(name, method), daemon=True).start()
        return MapStatus(COMPUTING, "Starting.")

    def embedding(self, name, method, projection):
        """An `Embedding` that places drawings on `projection`, or None (t-SNE, or a
        UMAP map whose fitted model is not here yet: it is then fitted again)."""
        from mnist_keras.explain import Embedding

        if method == "pca":
            return Embedding("pca", None, projection.seed,
                             mean=np.asarray(projection.mean, np.float32),
                             components=np.asarray(projection.components, np.float32))
        if method != "umap":
            return None
        run = run_in(self.runs_dir, name)
        fitted = self._fitted.get((run.file("model.keras"), *_model_key(run.file("model.keras")),
                                   method))
        if fitted is None:
            with self._lock:
                if (name, method) not in self._computing:
                    self._computing[(name, method)] = "Fitting UMAP again to place drawings."
                    threading.Thread(target=self._compute, args=(name, method),
                                     daemon=True).start()
        return fitted

    def _set_stage(self, key, text):
        with self._lock:
            self._computing[key] = text

    def _compute(self, name, method):
        key = (name, method)
        with self._one_at_a_time:
            try:
                self._compute_map(name, method)
            except Exception as error:  # a worker thread reports its failure, never dies silently
                run = run_in(self.runs_dir, name, must_exist=False)
                with self._lock:
                    self._failed[(name, method, _model_key(run.file("model.keras")))] = \
                        str(error).splitlines()[0][:300]
            finally:
                with self._lock:
                    self._computing.pop(key, None)

    def _compute_map(self, name, method):
        from dashboard.shared.runs_view import raw_images
        from mnist_keras.datasets.scaling import scale_pixels
        from mnist_keras.explain import embed, features

        key = (name, method)
        started = time.perf_counter()
        run = run_in(self.runs_dir, name)
        model_path = run.file("model.keras")
        model_key = _model_key(model_path)
        config, metrics = run.config(), run.metrics()
        dataset = metrics.dataset if metrics else "mnist"
        self._set_stage(key, f"Reading {SAMPLE_SIZE:,} test digits.")
        _, _, test_images, test_labels = raw_images(config.data_dir if config else None,
                                                    dataset)
        count = min(SAMPLE_SIZE, len(test_images))
        indices = np.sort(np.random.default_rng(SAMPLE_SEED).choice(len(test_images), count,
                                                                     replace=False))
        x = scale_pixels(test_images[indices])
        loaded = loaded_models.load(self.runs_dir, name)
        self._set_stage(key, f"Reading the penultimate layer of {count:,} digits.")
        with loaded.lock:
            probabilities = np.asarray(loaded.model.predict(x, batch_size=500, verbose=0))
            activations = features(loaded.model, x)
        expected = {"pca": "a second", "tsne": "about a minute on two cores",
                    "umap": "about half a minute the first time (compiling UMAP), then "
                            "seconds"}[method]
        self._set_stage(key, f"Laying {count:,} digits out with {method.upper()} "
                             f"({expected}).")
        layout = embed(loaded.model, None, method=method, seed=SAMPLE_SEED,
                       activations=activations)
        if method == "umap":
            with self._lock:
                self._fitted[(model_path, *model_key, method)] = layout
                while len(self._fitted) > MAX_FITTED:  # the oldest fit goes first
                    self._fitted.pop(next(iter(self._fitted)))
        projection = Projection(
            method=method, seed=SAMPLE_SEED, dataset=dataset, model_size=model_key[0],
            model_mtime_ns=model_key[1], indices=tuple(int(i) for i in indices),
            labels=tuple(int(v) for v in test_labels[indices]),
            predicted=tuple(int(v) for v in probabilities.argmax(axis=1)),
            confidence=tuple(round(float(v), 4) for v in probabilities.max(axis=1)),
            x=tuple(round(float(v), 4) for v in layout.coordinates[:, 0]),
            y=tuple(round(float(v), 4) for v in layout.coordinates[:, 1]),
            mean=None if layout.mean is None else tuple(float(v) for v in layout.mean),
            components=None if layout.components is None
            else tuple(tuple(float(v) for v in row) for row in layout.components),
            seconds=round(time.perf_counter() - started, 2))
        run.write_projection(projection)


def _model_key(path):
    try:
        stat = os.stat(path)
    except OSError:
        return (0, 0)
    return (stat.st_size, stat.st_mtime_ns)
