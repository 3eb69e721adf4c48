"""TensorBoard records of a run, read back with TensorBoard's own reader."""

import os
import shutil

import keras
import numpy as np
import pytest
from google.protobuf import text_format
from PIL import Image
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.plugins.projector.projector_config_pb2 import ProjectorConfig
from tensorboard.util import tensor_util

from mnist_keras.config import TrainingConfig
from mnist_keras.runs import Run, RunStatus
from mnist_keras.settings import scalar_settings
from mnist_keras.tensorboard_records import TENSORBOARD_FOLDER
from mnist_keras.training import train


def _config(data_dir, **settings):
    return TrainingConfig(**{**dict(
        model="simple", data_dir=data_dir, train_size=600, test_size=150, epochs=2,
        batch_size=64, validation_split=0.1, augment=False), **settings})


def _events(folder):
    accumulator = EventAccumulator(str(folder), size_guidance={"tensors": 0, "histograms": 0})
    accumulator.Reload()
    return accumulator


def _values(accumulator, tag):
    return [float(tensor_util.make_ndarray(event.tensor_proto))
            for event in accumulator.Tensors(tag)]


@pytest.fixture(scope="module")
def recorded_run(tmp_path_factory, synthetic_data_dir):
    run_dir = tmp_path_factory.mktemp("tensorboard") / "recorded"
    result = train(_config(synthetic_data_dir), run_dir=run_dir)
    return run_dir, result


def test_each_epoch_writes_scalars_learning_rate_and_histograms(recorded_run):
    run_dir, result = recorded_run
    trained = _events(run_dir / TENSORBOARD_FOLDER / "train")
    tags = trained.Tags()["tensors"]
    losses = _values(trained, "epoch_loss")
    assert losses == pytest.approx([epoch["loss"] for epoch in result.history.epochs],
                                   rel=1e-5)
    assert _values(trained, "epoch_learning_rate") == pytest.approx(
        [epoch["learning_rate"] for epoch in result.history.epochs], rel=1e-5)
    assert [event.step for event in trained.Tensors("epoch_accuracy")] == [0, 1]
    # A weight histogram of every layer with weights, each epoch.
    histograms = [tag for tag in tags if tag.endswith("/histogram")]
    assert any("kernel" in tag for tag in histograms), tags
    assert all(len(trained.Tensors(tag)) == 2 for tag in histograms)
    validated = _events(run_dir / TENSORBOARD_FOLDER / "validation")
    assert _values(validated, "epoch_accuracy") == pytest.approx(
        [epoch["val_accuracy"] for epoch in result.history.epochs], rel=1e-5)


def test_the_finished_run_writes_its_settings_and_test_metrics_for_hparams(recorded_run):
    run_dir, result = recorded_run
    summary = _events(run_dir / TENSORBOARD_FOLDER)
    content = summary.PluginTagToContent("hparams")
    session = plugin_data_pb2.HParamsPluginData.FromString(
        content["_hparams_/session_start_info"]).session_start_info
    assert session.group_name == "recorded"
    hparams = {name: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
               for name, value in session.hparams.items()}
    assert hparams["model"] == "simple" and hparams["batch_size"] == 64
    assert hparams["augment"] is False and hparams["tensorboard"] is True
    assert "data_dir" not in hparams  # a folder of this machine
    assert _values(summary, "test/accuracy") == pytest.approx(
        [result.metrics.test_accuracy], rel=1e-6)
    assert _values(summary, "test/loss") == pytest.approx([result.metrics.test_loss],
                                                          rel=1e-6)


def test_the_projector_gets_features_labels_and_a_sprite_of_the_test_images(recorded_run):
    run_dir, result = recorded_run
    folder = run_dir / TENSORBOARD_FOLDER
    config = text_format.Parse((folder / "projector_config.pbtxt").read_text(),
                               ProjectorConfig())
    embedding = config.embeddings[0]
    assert list(embedding.sprite.single_image_dim) == [28, 28]
    activations = np.loadtxt(folder / embedding.tensor_path, delimiter="\t")
    # All 150 test images (fewer than the 1,000 projected), one row of
    # penultimate-layer features each.
    assert activations.shape[0] == 150 and activations.shape[1] > 1
    rows = (folder / embedding.metadata_path).read_text().splitlines()
    assert rows[0] == "label\tpredicted\tcorrect" and len(rows) == 151
    wrong = sum(row.endswith("\tno") for row in rows[1:])
    assert wrong == sum(mistake.index < 150 for mistake in result.metrics.misclassified)
    with Image.open(folder / embedding.sprite.image_path) as sprite:
        assert sprite.size == (13 * 28, 13 * 28)  # 13 x 13 squares hold 150 images


def test_turned_off_it_writes_nothing(tmp_path, synthetic_data_dir):
    run_dir = tmp_path / "quiet"
    train(_config(synthetic_data_dir, epochs=1, tensorboard=False), run_dir=run_dir)
    assert not (run_dir / TENSORBOARD_FOLDER).exists()
    assert Run(run_dir).config().settings()["tensorboard"] is False


class _ReplaceFolderWithFile(keras.callbacks.Callback):
    """Someone removes the records while the run trains, and puts a file in their place."""

    def __init__(self, folder):
        super().__init__()
        self.folder = folder

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            shutil.rmtree(self.folder)
            self.folder.write_text("not a folder")


def test_a_records_folder_removed_mid_training_stops_logging_not_training(
        tmp_path, synthetic_data_dir, capfd):
    run_dir = tmp_path / "removed"
    result = train(_config(synthetic_data_dir, epochs=3), run_dir=run_dir,
                   callbacks=[_ReplaceFolderWithFile(run_dir / TENSORBOARD_FOLDER)])
    assert result.status is RunStatus.COMPLETED and len(result.history.epochs) == 3
    assert Run(run_dir).status is RunStatus.COMPLETED
    said = [line for line in capfd.readouterr().err.splitlines()
            if "TensorBoard logging stopped" in line]
    # One line when the epochs could not be written, one for the summary.
    assert len(said) == 2 and all("training goes on" in line for line in said), said
    assert os.path.isfile(run_dir / TENSORBOARD_FOLDER)


def test_trackers_get_numbers_booleans_and_text_only():
    config = TrainingConfig(conv_channels=(8, 16), dropout=None, data_dir="/somewhere",
                            learning_rate=0.01, mlflow="http://127.0.0.1:5000")
    values = scalar_settings(config)
    assert values["conv_channels"] == "[8, 16]"
    assert values["learning_rate"] == 0.01 and values["deterministic"] is False
    assert "dropout" not in values and "data_dir" not in values and "mlflow" not in values
    assert all(isinstance(value, (bool, int, float, str)) for value in values.values())


def test_nothing_is_written_per_batch(monkeypatch, tmp_path, synthetic_data_dir):
    import tensorflow as tf

    from mnist_keras.tensorboard_records import RunTensorBoard

    names = []

    class CountingSummary:
        def __getattr__(self, name):
            return getattr(tf.summary, name)

        def scalar(self, name, *args, **kwargs):
            names.append(name)
            return tf.summary.scalar(name, *args, **kwargs)

    monkeypatch.setattr(RunTensorBoard, "summary", property(lambda self: CountingSummary()))
    train(_config(synthetic_data_dir, epochs=1), run_dir=tmp_path / "run")
    assert "epoch_loss" in names
    assert not [name for name in names if name.startswith("batch_")]
