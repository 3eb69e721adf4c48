"""The names of every option, one registry each: what config, CLI, dashboard and errors read.

A `Registry` is an ordered set of names, each with a one-line description for
people (the CLI's help, the dashboard's tooltips). It imports nothing heavy, so
the command line can list choices without importing Keras; the code behind a
name lives where it runs (the optimizer builders in `training.py`, the model
builders in `models.py`) and a test checks both sides name the same things.

Modelled on Keras' own `keras.optimizers.get(identifier)`: `get` returns the
entry for a name or raises the house-style error listing every choice.

>>> OPTIMIZERS.names()
['adam', 'sgd', 'rmsprop', 'adamw', 'muon']
>>> OPTIMIZERS.check("lion")
Traceback (most recent call last):
...
mnist_keras.errors.MnistKerasError: Expected optimizer in [...]. Received: optimizer='lion'
"""

from mnist_keras.errors import expected


class Registry:
    """An ordered set of option names with a description each.

    Args:
        kind: what the names are, as a setting is called (`"optimizer"`);
            used in error messages.
        entries: `(name, description)` pairs, in the order people see them.
    """

    def __init__(self, kind, entries):
        self.kind = kind
        self._entries = dict(entries)

    def names(self):
        """The names, in order."""
        return list(self._entries)

    def describe(self, name):
        """The one-line description of `name`."""
        return self._entries[self.check(name)]

    def check(self, name, setting=None):
        """Returns `name` if registered; raises `MnistKerasError` listing the choices.

        Args:
            name: the name to check.
            setting: the setting's name in the message; defaults to `kind`.
        """
        if name not in self:
            setting = setting or self.kind
            raise expected(f"{setting} in {self.names()}", **{setting: name})
        return name

    def help(self):
        """`name: description` lines, for a command's `--help`."""
        return "; ".join(f"{name}: {text}" for name, text in self._entries.items())

    def __contains__(self, name):
        # A name from a file or a request may be any JSON value, lists included.
        return isinstance(name, str) and name in self._entries

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"Registry({self.kind!r}, {self.names()})"


OPTIMIZERS = Registry("optimizer", [
    ("adam", "Adam: adaptive steps per weight; the reliable default"),
    ("sgd", "SGD with momentum 0.9: plain steps, often best with a decaying rate"),
    ("rmsprop", "RMSprop: scales steps by recent gradient size"),
    ("adamw", "AdamW: Adam with decoupled weight decay"),
    ("muon", "Muon: orthogonalised momentum updates for 2-D weights"),
])

SCHEDULES = Registry("schedule", [
    ("constant", "the same learning rate for the whole run"),
    ("exponential", "multiplied by 0.9 after every epoch"),
    ("cosine", "decays along a cosine to 1% of the start by the last step"),
    ("one-cycle", "warms up from a tenth of the rate over the first 20% of steps, then "
                  "decays along a cosine to 1%: suits runs of one or two epochs"),
    ("cosine-restarts", "cosine cycles of 1, 2, 4, ... epochs, each peak 0.9x the last"),
])

MODELS = Registry("model", [
    ("cnn", "the reference BatchNorm/He-normal CNN, 225,930 parameters"),
    ("mlp", "a dense network 784-128-64-10, 109,386 parameters"),
    ("cnn-compact", "four conv layers with BatchNorm and SiLU, 44,174 parameters"),
    ("cnn-gap", "two conv layers and global average pooling, 5,322 parameters"),
    ("simple", "preset: Conv(16)-MaxPool-Dense(64), 173,930 parameters"),
    ("deep", "preset: four conv+BatchNorm layers in two blocks, 468,586 parameters"),
    ("wide", "preset: Conv(128,5x5), Conv(128,3x3), Dense(256), 1,333,386 parameters"),
])

DATASETS = Registry("dataset", [
    ("mnist", "handwritten digits 0-9 (bundled)"),
    ("fashion-mnist", "Zalando's clothing images (IDX files from data_dir)"),
    ("kmnist", "Kuzushiji cursive Japanese characters (IDX files from data_dir)"),
    ("idx", "any IDX set with MNIST's four file names: 28x28 images, labels 0..N-1 "
            "(class names from an optional classes.txt)"),
    ("images", "a folder of images with one sub-folder per class (train/ and test/ "
               "inside, or split 80/20)"),
])

PRUNING_SCOPES = Registry("pruning_scope", [
    ("global", "one magnitude threshold across all layers: big layers lose most"),
    ("layer", "every layer pruned to the same sparsity"),
])

PRUNING_SCHEDULES = Registry("pruning_schedule", [
    ("polynomial", "sparsity ramps up over 70% of fine-tuning, then holds"),
    ("constant", "pruned to the target at once, then fine-tuned"),
])

DISTRIBUTIONS = Registry("distribute", [
    ("none", "train on one device (the first GPU, or the CPU)"),
    ("mirrored", "data-parallel: a copy of the model on every GPU (or logical CPU device), "
                 "each batch split between them, gradients summed"),
])

# How a sweep proposes the next trial's settings (Optuna samplers).
SAMPLERS = Registry("sampler", [
    ("tpe", "Tree-structured Parzen Estimator: random at first, then near the best trials"),
    ("random", "independent random draws from the search space"),
])

# How a sweep stops weak trials early from their epoch metrics (Optuna pruners).
PRUNERS = Registry("pruner", [
    ("median", "stop a trial whose epoch is worse than the median of earlier trials there"),
    ("hyperband", "successive halving over epochs, several brackets (Hyperband)"),
    ("none", "let every trial train all its epochs"),
])

# Activations a layer spec may name (all of them also run in TensorFlow.js).
ACTIVATIONS = Registry("activation", [
    ("relu", "max(0, x): the usual choice"),
    ("silu", "x * sigmoid(x): smooth, often a little better than ReLU"),
    ("gelu", "Gaussian error linear unit: smooth ReLU used in transformers"),
    ("tanh", "squashes to (-1, 1)"),
    ("sigmoid", "squashes to (0, 1)"),
    ("elu", "exponential linear unit: negative values saturate at -1"),
    ("linear", "no activation"),
])

# How `mnist_keras.explain.saliency` attributes a prediction to the input pixels.
SALIENCY_METHODS = Registry("method", [
    ("gradcam", "Grad-CAM: where the last conv layer looked (conv models only; coarse)"),
    ("integrated_gradients", "integrated gradients: each pixel's share of the score, summed "
                             "along a path from a black image (fine, on the ink)"),
    ("smoothgrad", "SmoothGrad: the score's gradient averaged over noisy copies of the "
                   "image, times the image (fine, less noisy, any model)"),
])

# How `mnist_keras.explain.embed` lays the penultimate layer's activations out in 2-D.
EMBEDDING_METHODS = Registry("method", [
    ("pca", "principal components: a linear, exact map; new points placed exactly"),
    ("tsne", "t-SNE: keeps neighbours together, cannot place new points"),
    ("umap", "UMAP: keeps neighbours together and places new points (umap-learn extra)"),
])

# How `mnist_keras.explain.adversarial` searches for a perturbation that flips a prediction.
ATTACK_METHODS = Registry("method", [
    ("fgsm", "fast gradient sign: one step along the gradient's sign, the smallest size that "
             "flips it"),
    ("pgd", "projected gradient descent: several smaller steps, finds smaller flips"),
])
