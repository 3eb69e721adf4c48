"""Small digit classifiers, one per layer type and option the exporter accepts.

Each case is a function from the 28x28x1 input tensor to a tensor; the model
ends in Flatten and a linear Dense(10) (logits, so a wrong weight shows).
Weights are randomised (BatchNorm statistics, PReLU slopes, LayerNorm scales
included), so a weight TF.js loads under the wrong name changes the output.
"""

import keras
import numpy as np
from keras import layers


def _conv(x, **options):
    return layers.Conv2D(4, 3, **options)(x)


def _branches(x, merge):
    a = layers.Conv2D(4, 3, padding="same")(x)
    b = layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    return merge()([a, b])


def _residual(x):
    y = layers.Conv2D(4, 3, padding="same")(x)
    z = layers.Conv2D(4, 3, padding="same")(y)
    z = layers.Activation("relu")(layers.BatchNormalization()(z))
    return layers.Add()([y, z])


ACTIVATIONS = ("linear", "relu", "relu6", "elu", "selu", "sigmoid", "softplus", "softsign",
               "tanh", "silu", "swish", "gelu", "mish", "softmax", "log_softmax")

# name -> (what it covers, builder)
CASES = {
    "conv2d-valid": ("Conv2D padding valid", lambda x: _conv(x)),
    "conv2d-same-strides": ("Conv2D padding same, strides 2",
                            lambda x: _conv(x, padding="same", strides=2)),
    "conv2d-no-bias": ("Conv2D use_bias False", lambda x: _conv(x, use_bias=False)),
    "conv2d-dilated": ("Conv2D dilation_rate 2", lambda x: _conv(x, dilation_rate=2)),
    "conv2d-channels-last": ("Conv2D data_format channels_last",
                             lambda x: _conv(x, data_format="channels_last")),
    **{f"activation-{name}": (f"Conv2D activation {name}",
                              lambda x, name=name: _conv(x, activation=name))
       for name in ACTIVATIONS},
    "activation-layer": ("Activation layer (gelu)", lambda x: layers.Activation("gelu")(_conv(x))),
    "depthwise": ("DepthwiseConv2D", lambda x: layers.DepthwiseConv2D(3)(_conv(x))),
    "depthwise-multiplier": ("DepthwiseConv2D depth_multiplier 2, padding same, strides 2",
                             lambda x: layers.DepthwiseConv2D(3, depth_multiplier=2,
                                                              padding="same", strides=2)(x)),
    "depthwise-no-bias": ("DepthwiseConv2D use_bias False",
                          lambda x: layers.DepthwiseConv2D(3, use_bias=False)(_conv(x))),
    "separable": ("SeparableConv2D", lambda x: layers.SeparableConv2D(6, 3)(_conv(x))),
    "separable-multiplier": ("SeparableConv2D depth_multiplier 2, padding same, no bias",
                             lambda x: layers.SeparableConv2D(6, 3, depth_multiplier=2,
                                                              padding="same",
                                                              use_bias=False)(_conv(x))),
    "conv2d-transpose": ("Conv2DTranspose strides 2",
                         lambda x: layers.Conv2DTranspose(3, 3, strides=2)(x)),
    "dense-no-bias": ("Dense use_bias False",
                      lambda x: layers.Dense(16, use_bias=False)(layers.Flatten()(x))),
    "max-pool": ("MaxPooling2D", lambda x: layers.MaxPooling2D(2)(_conv(x))),
    "max-pool-same": ("MaxPooling2D padding same, strides 1",
                      lambda x: layers.MaxPooling2D(3, strides=1, padding="same")(_conv(x))),
    "average-pool": ("AveragePooling2D", lambda x: layers.AveragePooling2D(2)(_conv(x))),
    "average-pool-same": ("AveragePooling2D padding same, strides 2",
                          lambda x: layers.AveragePooling2D(3, strides=2,
                                                            padding="same")(_conv(x))),
    "global-average": ("GlobalAveragePooling2D",
                       lambda x: layers.GlobalAveragePooling2D()(_conv(x))),
    "global-max": ("GlobalMaxPooling2D", lambda x: layers.GlobalMaxPooling2D()(_conv(x))),
    "batch-norm": ("BatchNormalization", lambda x: layers.BatchNormalization()(_conv(x))),
    "batch-norm-no-center": ("BatchNormalization center False",
                             lambda x: layers.BatchNormalization(center=False)(_conv(x))),
    "batch-norm-no-scale": ("BatchNormalization scale False",
                            lambda x: layers.BatchNormalization(scale=False)(_conv(x))),
    "batch-norm-dense": ("BatchNormalization after Dense",
                         lambda x: layers.BatchNormalization()(
                             layers.Dense(16)(layers.Flatten()(x)))),
    "layer-norm": ("LayerNormalization on conv features",
                   lambda x: layers.LayerNormalization()(_conv(x))),
    "layer-norm-dense": ("LayerNormalization center False, scale False, after Dense",
                         lambda x: layers.LayerNormalization(center=False, scale=False)(
                             layers.Dense(16)(layers.Flatten()(x)))),
    "dropout": ("Dropout", lambda x: layers.Dropout(0.5)(_conv(x))),
    "spatial-dropout": ("SpatialDropout2D", lambda x: layers.SpatialDropout2D(0.3)(_conv(x))),
    "gaussian-noise": ("GaussianNoise", lambda x: layers.GaussianNoise(0.5)(_conv(x))),
    "gaussian-dropout": ("GaussianDropout", lambda x: layers.GaussianDropout(0.3)(_conv(x))),
    "alpha-dropout": ("AlphaDropout", lambda x: layers.AlphaDropout(0.3)(_conv(x))),
    "relu-layer": ("ReLU", lambda x: layers.ReLU()(_conv(x))),
    "relu-max-value": ("ReLU max_value 0.5", lambda x: layers.ReLU(max_value=0.5)(_conv(x))),
    "leaky-relu": ("LeakyReLU negative_slope 0.2",
                   lambda x: layers.LeakyReLU(negative_slope=0.2)(_conv(x))),
    "prelu": ("PReLU", lambda x: layers.PReLU()(_conv(x))),
    "prelu-shared": ("PReLU shared_axes [1, 2]",
                     lambda x: layers.PReLU(shared_axes=[1, 2])(_conv(x))),
    "elu-layer": ("ELU", lambda x: layers.ELU()(_conv(x))),
    "softmax-layer": ("Softmax", lambda x: layers.Softmax()(_conv(x))),
    "rescaling": ("Rescaling scale and offset",
                  lambda x: layers.Rescaling(2.0, offset=-1.0)(x)),
    "identity": ("Identity", lambda x: layers.Identity()(_conv(x))),
    "reshape": ("Reshape", lambda x: layers.Reshape((14, 56, 1))(x)),
    "permute": ("Permute", lambda x: layers.Permute((2, 1, 3))(_conv(x))),
    "zero-padding": ("ZeroPadding2D", lambda x: layers.ZeroPadding2D(2)(x)),
    "cropping": ("Cropping2D", lambda x: layers.Cropping2D(((1, 2), (3, 4)))(x)),
    "up-sampling": ("UpSampling2D", lambda x: layers.UpSampling2D(2)(_conv(x))),
    "add": ("Add (two branches)", lambda x: _branches(x, layers.Add)),
    "concatenate": ("Concatenate", lambda x: _branches(x, layers.Concatenate)),
    "multiply": ("Multiply", lambda x: _branches(x, layers.Multiply)),
    "average": ("Average", lambda x: _branches(x, layers.Average)),
    "maximum": ("Maximum", lambda x: _branches(x, layers.Maximum)),
    "minimum": ("Minimum", lambda x: _branches(x, layers.Minimum)),
    "residual": ("a residual block (Conv, BatchNorm, ReLU, Add)", _residual),
}


# Sequential models: the input layer is folded into the first layer.
SEQUENTIAL_CASES = {
    "sequential-depthwise": ("Sequential, DepthwiseConv2D first", lambda: [
        layers.DepthwiseConv2D(3, depth_multiplier=3), layers.BatchNormalization(),
        layers.ReLU(max_value=6.0)]),
    "sequential-separable": ("Sequential, SeparableConv2D and LayerNormalization", lambda: [
        layers.SeparableConv2D(8, 3, padding="same"), layers.LayerNormalization(),
        layers.LeakyReLU(), layers.MaxPooling2D(), layers.SpatialDropout2D(0.2)]),
}


def _randomise(model, seed):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = []
        for variable in layer.weights:
            shape, name = variable.shape, variable.name
            if "variance" in name:
                weights.append(rng.uniform(0.5, 2.0, shape))
            elif name in ("gamma", "alpha"):
                weights.append(rng.uniform(0.2, 1.5, shape))
            else:
                weights.append(rng.normal(0.0, 0.3, shape))
        if weights:
            layer.set_weights([w.astype("float32") for w in weights])
    return model


def build_case(name, seed=0):
    """The case's model: its layer(s), Flatten, Dense(10) logits; weights randomised."""
    if name in SEQUENTIAL_CASES:
        _, layers_of = SEQUENTIAL_CASES[name]
        model = keras.Sequential([keras.Input((28, 28, 1)), *layers_of(), layers.Flatten(),
                                  layers.Dense(10, name="logits")], name=name.replace("-", "_"))
        return _randomise(model, seed)
    _, builder = CASES[name]
    inputs = keras.Input((28, 28, 1), name="image")
    x = builder(inputs)
    if len(x.shape) > 2:
        x = layers.Flatten()(x)
    outputs = layers.Dense(10, name="logits")(x)
    return _randomise(keras.Model(inputs, outputs, name=name.replace("-", "_")), seed)
