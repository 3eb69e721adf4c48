"""Maps of the test set: the penultimate layer's activations laid out in 2-D.

PCA and t-SNE come from scikit-learn, UMAP from umap-learn (the `umap`
extra). Every method is seeded, so the same model, images and seed give the
same map. A new drawing can be placed on a PCA map (the same linear
projection) and on a UMAP map (umap-learn's `transform`); t-SNE optimises the
positions of the points it was given and has no mapping for a new one.
"""

import dataclasses
from typing import Any, Optional

import numpy as np

from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.explain.model_parts import as_batch, feature_model
from mnist_keras.registries import EMBEDDING_METHODS

# Bounds on what one map costs: t-SNE's memory and time grow with N log N.
MIN_POINTS, MAX_POINTS = 10, 20_000
# Methods whose map has a mapping for new points.
PLACEABLE = ("pca", "umap")


@dataclasses.dataclass(frozen=True)
class Embedding:
    """A 2-D map of images, as `embed` returns it.

    Attributes:
        method: the `EMBEDDING_METHODS` name.
        coordinates: (N, 2) float32, one row per image, in order.
        seed: the seed it was computed with.
        mean, components: PCA's centre (D,) and axes (2, D); None otherwise.
            Enough to place new points, so a map read back from a file
            still places drawings.
        reducer: the fitted UMAP object (None otherwise, and for a map read
            back from a file).
    """

    method: str
    coordinates: np.ndarray
    seed: int = 0
    mean: Optional[np.ndarray] = None
    components: Optional[np.ndarray] = None
    reducer: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def can_place(self):
        """Whether `place` can put a new image on this map."""
        if self.method == "pca":
            return self.mean is not None and self.components is not None
        return self.method == "umap" and self.reducer is not None


def features(model, images, batch_size=512, extractor=None):
    """The penultimate layer's activations of `images` (see `penultimate_layer`).

    Args:
        model: a Keras classifier.
        images: float inputs (N, 28, 28) or (N, 28, 28, 1), scaled to [0, 1].
        batch_size: inference batch size.
        extractor: `feature_model(model)`, built once by a caller that
            places many drawings.

    Returns:
        A float32 (N, D) array.
    """
    images = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
    extractor = extractor or feature_model(model)
    if len(images) <= batch_size:
        # The compiled step: about 1 ms for one drawing, against ~50 ms for predict().
        return np.asarray(extractor.predict_on_batch(images), np.float32)
    return np.asarray(extractor.predict(images, batch_size=batch_size, verbose=0), np.float32)


def embed(model, images, method="pca", seed=0, activations=None):
    """Lays `images` out in 2-D by what the model's penultimate layer makes of them.

    Args:
        model: a Keras classifier (any architecture with a final Dense layer).
        images: float inputs (N, 28, 28[, 1]) in [0, 1], 10 <= N <= 20,000.
        method: one of `EMBEDDING_METHODS`: `"pca"` (default), `"tsne"`, `"umap"`.
        seed: the random seed (t-SNE's and UMAP's initialisation and
            optimisation; PCA is exact). Defaults to 0.
        activations: the images' penultimate activations, if already
            computed (`features`); `images` is then not read.

    Returns:
        An `Embedding`.

    Raises:
        MnistKerasError: for an unknown method, too few or too many images,
            or `"umap"` without umap-learn installed.

    Example:

    ```python
    layout = embed(model, data.x_test[:2000], method="tsne")
    layout.coordinates.shape
    # (2000, 2)
    ```
    """
    EMBEDDING_METHODS.check(method)
    count = len(images) if activations is None else len(activations)
    if not MIN_POINTS <= count <= MAX_POINTS:
        raise expected(f"between {MIN_POINTS} and {MAX_POINTS:,} images to map", images=count)
    if not isinstance(seed, (int, np.integer)) or not 0 <= seed <= 2**31 - 1:
        raise expected("a seed in [0, 2147483647]", seed=seed)
    if method == "umap":
        umap = _import_umap()
    activations = (features(model, images) if activations is None
                   else np.asarray(activations, np.float32))
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=seed).fit(activations)
        return Embedding("pca", pca.transform(activations).astype(np.float32), int(seed),
                         mean=pca.mean_.astype(np.float32),
                         components=pca.components_.astype(np.float32))
    if method == "tsne":
        from sklearn.manifold import TSNE

        # Perplexity must stay below the number of points.
        perplexity = min(30.0, (count - 1) / 3)
        coordinates = TSNE(n_components=2, perplexity=perplexity, init="pca",
                           random_state=seed).fit_transform(activations)
        return Embedding("tsne", coordinates.astype(np.float32), int(seed))
    # A seed makes UMAP reproducible (and single-threaded, which it says in a warning).
    import warnings

    reducer = umap.UMAP(n_components=2, random_state=seed, n_neighbors=15, min_dist=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        coordinates = reducer.fit_transform(activations)
    return Embedding("umap", coordinates.astype(np.float32), int(seed), reducer=reducer)


def place(model, embedding, image, extractor=None):
    """Where one new 28x28 input falls on an existing map.

    Args:
        model: the model the map was computed with.
        embedding: an `Embedding` from `embed` (PCA or UMAP), or a PCA map
            read back from a file.
        image: the (28, 28) input, scaled to [0, 1].
        extractor: `feature_model(model)`, to skip building it per drawing.

    Returns:
        `(x, y)` as floats, in the map's coordinates.

    Raises:
        MnistKerasError: for a t-SNE map (t-SNE has no mapping for new
            points: use PCA or UMAP to place drawings), or a UMAP map whose
            fitted model was not kept.
    """
    if embedding.method == "tsne":
        raise MnistKerasError(
            "Expected a PCA or UMAP map to place a new point (t-SNE arranges only the points "
            "it was given and has no mapping for a new one). Received: method='tsne'")
    if not embedding.can_place:
        raise expected("a map that keeps its fitted UMAP model (compute it again with embed)",
                       method=embedding.method)
    activations = features(model, as_batch(image), extractor=extractor)
    return place_features(embedding, activations[0])


def place_features(embedding, activations):
    """`place` for activations already computed: (D,) -> `(x, y)`."""
    row = np.asarray(activations, np.float32).reshape(1, -1)
    if embedding.method == "pca":
        point = (row - embedding.mean) @ embedding.components.T
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            point = embedding.reducer.transform(row)
    return float(point[0, 0]), float(point[0, 1])


def umap_available():
    """Whether umap-learn is installed (the `umap` extra), without importing it."""
    import importlib.util

    return importlib.util.find_spec("umap") is not None


def _import_umap():
    if not umap_available():
        raise MnistKerasError(
            "Expected umap-learn to be installed for method='umap' (pip install "
            "'mnist-keras[umap]'), or method 'pca' or 'tsne'. Received: method='umap'")
    import umap

    return umap
