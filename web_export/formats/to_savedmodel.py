"""SavedModel: the TensorFlow Serving layout, `DIR/1/`, with a named signature.

`serving_default` takes `image`, a float32 batch (N, 28, 28, 1), and returns
`probabilities` (N, 10), whatever the Keras model's own input and output
layers are called, so a client's request never depends on them.
"""

import os

import numpy as np

VERSION = "1"
SIGNATURE = "serving_default"
INPUT_NAME, OUTPUT_NAME = "image", "probabilities"


def write(model, folder):
    """Writes the model into `folder/1/`.

    Returns:
        `(files, facts)`: the version folder, and the signature's names.
    """
    import keras
    import tensorflow as tf

    archive = keras.export.ExportArchive()
    archive.track(model)

    def serve(image):
        return {OUTPUT_NAME: model(image, training=False)}

    archive.add_endpoint(SIGNATURE, serve, input_signature=[
        tf.TensorSpec([None, 28, 28, 1], tf.float32, name=INPUT_NAME)])
    archive.write_out(os.path.join(folder, VERSION), verbose=False)
    return [VERSION], {"signature": SIGNATURE, "input_name": INPUT_NAME,
                       "output_name": OUTPUT_NAME, "runtime": f"tensorflow {tf.__version__}",
                       "serve_with": "tensorflow/serving, --model_base_path=<this folder>"}


def predictor(folder):
    """A function from a float32 batch to probabilities: the folder loaded back in TensorFlow."""
    import tensorflow as tf

    signature = tf.saved_model.load(os.path.join(folder, VERSION)).signatures[SIGNATURE]
    return lambda images: signature(**{INPUT_NAME: tf.constant(np.asarray(
        images, np.float32))})[OUTPUT_NAME].numpy()
