"""TensorBoard records of a run, so `tensorboard --logdir RUNS` shows every run.

While a run trains, Keras' own TensorBoard callback writes each epoch's
losses, accuracies, learning rate and weight histograms; when it ends, the run
adds its settings and test metrics for the HParams dashboard and the first
test images' features for the projector. All of it lives in the run folder:

```
tensorboard/train/       each epoch's training scalars, learning rate, histograms
tensorboard/validation/  each epoch's validation scalars
tensorboard/             the HParams summary, test/accuracy and test/loss, and the
                         projector's files: projector_config.pbtxt, features.tsv
                         (penultimate-layer activations), labels.tsv, sprite.png
```

TensorBoard is a record beside the run, never a reason to lose it: when the
folder cannot be written (deleted or full disk mid-training), logging stops
with one line on stderr and training goes on.
"""

import os
import sys

import keras
import numpy as np
from PIL import Image

from mnist_keras.explain.model_parts import penultimate_layer
from mnist_keras.settings import scalar_settings

TENSORBOARD_FOLDER = "tensorboard"

# Images the projector shows: enough to see the classes' clusters, small in the
# run folder (about 0.7 MB of features for the default CNN's 128 of them).
PROJECTOR_IMAGES = 1000

_PROJECTOR_CONFIG = """embeddings {{
  tensor_name: "test images: penultimate layer"
  tensor_path: "features.tsv"
  metadata_path: "labels.tsv"
  sprite {{
    image_path: "sprite.png"
    single_image_dim: {side}
    single_image_dim: {side}
  }}
}}
"""


def tensorboard_folder(run):
    """The folder of `run` (a `Run`) that holds its TensorBoard records."""
    return run.file(TENSORBOARD_FOLDER)


def _stopped(why, error):
    print(f"TensorBoard logging stopped: {why} ({type(error).__name__}: "
          f"{str(error).splitlines()[0] if str(error) else 'no message'}); "
          "training goes on.", file=sys.stderr)


class RunTensorBoard(keras.callbacks.TensorBoard):
    """Keras' TensorBoard callback for a run folder, that never stops a training.

    Writes per-epoch scalars (with the learning rate) and weight histograms
    into `tensorboard/train` and `tensorboard/validation` of the run. If
    writing fails (the folder was deleted, the disk is full), it says so in
    one line and records nothing more.

    Args:
        run: the `Run` being trained.
        histograms: whether to write weight histograms each epoch.
    """

    def __init__(self, run, histograms=True):
        super().__init__(log_dir=tensorboard_folder(run), histogram_freq=int(histograms),
                         write_graph=False, update_freq="epoch", profile_batch=0)
        self.failed = False

    def _guarded(self, hook, *args):
        if self.failed:
            return
        try:
            hook(*args)
        except Exception as error:  # any writer failure: the record, not the run
            self.failed = True
            _stopped("its folder cannot be written", error)

    def on_train_begin(self, logs=None):
        self._guarded(super().on_train_begin, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._guarded(super().on_epoch_begin, epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._guarded(super().on_epoch_end, epoch, logs)
        # The event files are checked as each epoch ends: TensorFlow's writer
        # keeps writing into a deleted file without a word.
        if not self.failed and not os.path.isdir(self.log_dir):
            self.failed = True
            _stopped(f"{self.log_dir} was removed", FileNotFoundError(self.log_dir))

    def on_train_end(self, logs=None):
        self._guarded(super().on_train_end, logs)

    # Per-epoch records only: Keras' batch hooks would call tf.summary on every
    # batch (with no writer open, so for nothing) on the training's hot path.

    def on_train_batch_begin(self, batch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_begin(self, logs=None):
        self._guarded(super().on_test_begin, logs)

    def on_test_end(self, logs=None):
        self._guarded(super().on_test_end, logs)


def write_run_summary(run, config, metrics, model, data):
    """Writes a finished run's HParams summary, test metrics and projector files.

    Args:
        run: the `Run`.
        config: its `TrainingConfig`.
        metrics: its `RunMetrics`.
        model: the trained model.
        data: the `Dataset` it was evaluated on (its first test images are
            projected).

    Returns:
        True when everything was written; False (after one line on stderr)
        when the folder could not be written.
    """
    # TensorBoard's summary API and its HParams plugin are imported only here:
    # a run without TensorBoard records never loads them.
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hparams

    folder = tensorboard_folder(run)
    try:
        os.makedirs(folder, exist_ok=True)
        writer = tf.summary.create_file_writer(folder)
        with writer.as_default():
            hparams.hparams(scalar_settings(config), trial_id=os.path.basename(run.path))
            tf.summary.scalar("test/accuracy", metrics.test_accuracy, step=metrics.epochs_done)
            tf.summary.scalar("test/loss", metrics.test_loss, step=metrics.epochs_done)
        writer.close()
        _write_projector(folder, model, data, metrics.class_names)
    except Exception as error:  # the record, never the run
        _stopped("the run's summary could not be written", error)
        return False
    return True


def _write_projector(folder, model, data, class_names):
    count = min(PROJECTOR_IMAGES, len(data.x_test))
    if not count:
        return
    images = np.asarray(data.x_test[:count], np.float32).reshape(count, 28, 28)
    activations, predicted = _features_and_answers(model, images)
    np.savetxt(os.path.join(folder, "features.tsv"), activations, fmt="%.5g", delimiter="\t")
    # Class names are the user's: tabs and newlines would break the table.
    names = [" ".join(str(name).split()) or "?" for name in class_names]
    rows = ["label\tpredicted\tcorrect"] + [
        f"{names[int(true)]}\t{names[int(guess)]}\t{'yes' if true == guess else 'no'}"
        for true, guess in zip(data.y_test[:count], predicted)]
    with open(os.path.join(folder, "labels.tsv"), "w", encoding="utf-8") as file:
        file.write("\n".join(rows) + "\n")
    _write_sprite(os.path.join(folder, "sprite.png"), images)
    with open(os.path.join(folder, "projector_config.pbtxt"), "w", encoding="utf-8") as file:
        file.write(_PROJECTOR_CONFIG.format(side=28))


def _features_and_answers(model, images, batch_size=250):
    # One model with both outputs, called eagerly: `predict` would trace a new
    # function for each (seconds, for a run that trained in seconds).
    layer = penultimate_layer(model)
    hidden = layer.output
    if len(hidden.shape) > 2:
        hidden = keras.layers.Flatten()(hidden)
    both = keras.Model(model.inputs[0], [hidden, model.outputs[0]])
    activations, answers = [], []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size, ..., None]
        hidden_values, probabilities = both(batch, training=False)
        activations.append(keras.ops.convert_to_numpy(hidden_values))
        answers.append(np.argmax(keras.ops.convert_to_numpy(probabilities), axis=1))
    return np.concatenate(activations).astype(np.float32), np.concatenate(answers)


def _write_sprite(path, images):
    # The projector cuts one square picture into the images, row by row.
    per_row = int(np.ceil(np.sqrt(len(images))))
    sheet = np.zeros((per_row * 28, per_row * 28), np.uint8)
    for position, image in enumerate(images):
        row, column = divmod(position, per_row)
        sheet[row * 28:(row + 1) * 28, column * 28:(column + 1) * 28] = \
            np.clip(image * 255, 0, 255).astype(np.uint8)
    Image.fromarray(sheet, mode="L").save(path)
