"""Training: `train`, which writes a run (optimizers and schedules: `mnist_keras.optimizers`).

    python -m mnist_keras.cli train --run-dir runs/first --epochs 3
"""

import dataclasses
import os
import shutil
import time
import traceback
from typing import Optional

import keras
import numpy as np

from mnist_keras.augmentation import build_augmentation
from mnist_keras.callbacks import MetricsRecorder, StopSignal, history_of
from mnist_keras.code_models import describe_code_model, prepare_code_model
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets import load_dataset
from mnist_keras.datasets.folders import image_folder_files
from mnist_keras.datasets.label_review import apply_label_review, read_label_review
from mnist_keras.determinism import deterministic_ops
from mnist_keras.distribution import placement
from mnist_keras.environment import current_environment
from mnist_keras.errors import expected
from mnist_keras.evaluation import evaluate, run_metrics
from mnist_keras.mlflow_tracking import MlflowTracker
from mnist_keras.models import build_model
from mnist_keras.optimizers import make_optimizer, make_schedule
from mnist_keras.pipeline import steps_per_execution_for, targets, training_data
from mnist_keras.pruning import (
    PruningCallback,
    make_sparsity_schedule,
    prunable_layers,
    sparsity_report,
    strip,
)
from mnist_keras.resuming import backup_callback, kept_records, rewrite_events, state_folder
from mnist_keras.runs import (
    BestEpoch,
    Run,
    RunConfig,
    RunHistory,
    RunMetrics,
    RunStatus,
    check_digit_classifier,
    load_model,
)
from mnist_keras.sinks import JsonlSink, MemorySink
from mnist_keras.tensorboard_records import RunTensorBoard, write_run_summary

# Test images evaluated per batch (`evaluate`'s default).
EVALUATION_BATCH_SIZE = 512


@dataclasses.dataclass
class TrainingResult:
    """What `train` returns.

    Attributes:
        model: the trained Keras model (without augmentation layers).
        status: `RunStatus.COMPLETED`, or `RunStatus.CANCELLED` (stopped by a
            `StopSignal`).
        history: the `RunHistory` (as in history.json).
        metrics: the `RunMetrics` (as in metrics.json).
        run_dir: the run folder, or None.
    """

    model: keras.Model
    status: RunStatus
    history: RunHistory
    metrics: RunMetrics
    run_dir: Optional[str] = None


def train(config=None, run_dir=None, callbacks=(), data=None, verbose=False, model=None):
    """Trains a model as configured and, with `run_dir`, writes its run folder.

    Data loading, model building, fitting (with the live metric recorder,
    early stopping, plateau and stop callbacks), evaluation on the test set
    and saving happen here, on the devices `config.distribute` names.
    Everything that can be refused (the files the config names, the data,
    the model) is checked before the run folder is created, so a mistake
    leaves no folder behind. With `run_dir`, the folder's status.json says
    `running` while training, then `completed`, `cancelled` (a `StopSignal`
    in `callbacks` fired: what was trained is kept and evaluated) or
    `failed` (with the error; the exception is re-raised).

    Args:
        config: a `TrainingConfig`. Defaults to `TrainingConfig()`.
        run_dir: folder to write the run to, or None to keep it in memory.
            It must not already hold a run (a dashboard job's folder that
            holds only its status is taken over).
        callbacks: extra Keras callbacks, e.g. a `StopSignal` or `ProgressBar`.
            One that stops training and says why in a `stop_reason`
            attribute (a sweep's pruning reporter: `"pruned"`) has that
            reason recorded as the metrics' `stopped_early`.
        data: a `Dataset` to use instead of loading `config.dataset`.
        verbose: passed to `model.fit`. Defaults to False (silent).
        model: your own `keras.Model` (functional, sequential or
            subclassed; compiled or not) to train instead of `config.model`.
            The recipe's optimizer, schedule, loss, augmentation and
            recording apply; the run records that the architecture came
            from code (`CodeModel`: class, parameters, summary), so
            `reproduce` and resume say they need that code.

    Returns:
        A `TrainingResult`.

    Raises:
        MnistKerasError: for bad settings, data or run folder.

    Example:

    ```python
    result = train(TrainingConfig(epochs=1, train_size=5500, test_size=1000))
    result.metrics.test_accuracy
    # 0.95
    ```
    """
    config = config or TrainingConfig()
    with deterministic_ops(config.deterministic):
        return _train(config, run_dir, callbacks, data, verbose, code_model=model)


def continue_training(config, run, epochs_done, callbacks=(), verbose=False):
    """Trains a run's remaining epochs from its kept state (`mnist_keras.resuming`).

    Args:
        config: the run's `TrainingConfig`.
        run: the `Run`, with a state kept after epoch `epochs_done`.
        epochs_done: the last finished epoch.
        callbacks, verbose: as for `train`.

    Returns:
        A `TrainingResult` of the whole run.
    """
    with deterministic_ops(config.deterministic):
        return _train(config, run.path, callbacks, None, verbose, resumed_after=epochs_done)


def _train(config, run_dir, callbacks, data, verbose, resumed_after=0, code_model=None):
    job_run = _job_folder(run_dir)
    run, sinks, tracker = None, [MemorySink()], None
    try:
        config.check_sources()
        where = placement(config.distribute)
        keras.utils.set_random_seed(config.seed)
        if data is None:
            data = load_training_data(config)
        # Weights, optimizer state and the input pipeline belong to the devices
        # the strategy spreads them over, so all of them are made in its scope.
        where.check_split(config.batch_size, training=(len(data.x_train), config.batch_size),
                          validation=(len(data.x_val), config.batch_size),
                          test=(len(data.x_test), EVALUATION_BATCH_SIZE))
        with where.scope:
            model = _initial_model(config, data, code_model)
            if run_dir is not None and resumed_after:
                # The records of the epochs kept; the half-done epoch's are dropped.
                run = Run(run_dir)
                kept = kept_records(run, resumed_after)
                rewrite_events(run, kept)
                for record in kept:
                    sinks[0].write(record)
                run.set_status(RunStatus.RUNNING, phase="training")
                sinks.append(JsonlSink(run.file("events.jsonl")))
            elif run_dir is not None:
                run = Run.create(run_dir)
                run.write_config(RunConfig.for_training(
                    config, code_model=describe_code_model(model) if code_model else None))
                run.write_environment(current_environment(config.seed, config.deterministic,
                                                          data))
                run.set_status(RunStatus.RUNNING, phase="training")
                sinks.append(JsonlSink(run.file("events.jsonl")))
            if run is not None and config.mlflow:
                tracker = MlflowTracker.start(config.mlflow, run, config,
                                              resumed=bool(resumed_after))
                sinks.append(tracker)
            replicas = where.replicas if config.distribute != "none" else None
            result = _fit_and_save(config, model, data, run, sinks, callbacks, verbose,
                                   replicas, resumed_after)
            if tracker:
                tracker.finish(result.status, result.metrics)
            return result
    except BaseException as error:
        failed = run or job_run
        # A KeyboardInterrupt or a crash leaves a readable record behind.
        if isinstance(error, KeyboardInterrupt):
            message = "Interrupted (Ctrl+C) before training finished."
        else:
            message = str(error) or type(error).__name__
        if failed:
            failed.set_status(RunStatus.FAILED, error=message,
                              traceback=traceback.format_exc()[-4000:])
        if tracker:
            tracker.fail(message)
        raise
    finally:
        for extra in sinks[1:]:
            extra.close()


def load_training_data(config):
    """The data `config` trains on: its dataset's subsets, its label review applied.

    Args:
        config: a `TrainingConfig`.

    Returns:
        A `Dataset`: `load_dataset`'s, less the images the config's
        `label_review` excludes and with the labels it changes.

    Raises:
        MnistKerasError: for data `load_dataset` refuses, or a review of other
            data.
    """
    data = load_dataset(config.dataset, config.data_dir, config.train_size,
                        config.test_size, config.validation_split, config.seed)
    if config.label_review is None:
        return data
    # An image folder's decisions follow its files, not their positions.
    train_files = (image_folder_files(config.data_dir)[0] if config.dataset == "images"
                   else None)
    return apply_label_review(data, read_label_review(config.label_review), train_files)


def _job_folder(run_dir):
    # A dashboard job creates its run folder (with only a status) before the
    # training process starts; a failure before training is recorded there.
    if run_dir is None:
        return None
    run = Run(run_dir)
    has_status = os.path.isfile(run.file("status.json"))
    return run if has_status and not os.path.exists(run.file("config.json")) else None


def _initial_model(config, data, code_model=None):
    if code_model is not None:
        if config.parent_model or config.sparsity is not None:
            raise expected("either your own model or a parent run to fine-tune or prune",
                           parent_run=config.parent_run)
        model = prepare_code_model(code_model, data.x_train.shape[1:])
        check_digit_classifier(model, data.num_classes)
        return model
    if config.parent_model:
        model = load_model(config.parent_model)
        check_digit_classifier(model, data.num_classes)
        if config.sparsity and not prunable_layers(model, config.prune_output_layer):
            # Otherwise the run would "complete" at 0% sparsity.
            raise expected("a parent model with a Conv2D or Dense layer besides its output "
                           "layer (or prune_output_layer=True)",
                           layers=[type(layer).__name__ for layer in model.layers][:20])
        return model
    return build_model(config.model, num_classes=data.num_classes,
                       conv_channels=config.conv_channels, dropout=config.dropout)


def _stop_reason(config, callbacks, fit_callbacks, epochs_done, cancelled):
    # Why training ended before its last epoch, for the metrics; a cancel is
    # the run's status instead.
    if cancelled or epochs_done >= config.epochs:
        return None
    for callback in callbacks:
        reason = getattr(callback, "stop_reason", None)
        if reason:
            return str(reason)
    if any(isinstance(c, keras.callbacks.EarlyStopping) and c.stopped_epoch
           for c in fit_callbacks):
        return "early_stopping"
    return None


def _fit_and_save(config, model, data, run, sinks, callbacks, verbose, replicas=None,
                  resumed_after=0):
    fit_model = model
    if config.augment:
        augmentation = build_augmentation(
            config.rotation, config.zoom, config.translation, shear=config.shear,
            stretch=config.stretch, elastic=config.elastic, stroke_width=config.stroke_width,
            blur=config.blur, contrast=config.contrast, binarize=config.binarize,
            seed=config.seed)
        fit_model = keras.Sequential([augmentation, model], name=f"{model.name}_augmented")
        # Built before fit, without drawing a random number: the kept state is
        # restored into built layers.
        fit_model.build((None, *data.x_train.shape[1:]))
    steps_per_epoch = int(np.ceil(len(data.x_train) / config.batch_size))
    # max(1, ...): a pruning run may have no epochs and then never uses it.
    schedule = make_schedule(config.schedule, config.learning_rate, steps_per_epoch,
                             max(1, config.epochs))
    # One-hot targets only where label smoothing needs them.
    sparse = not config.label_smoothing
    loss = (keras.losses.SparseCategoricalCrossentropy() if sparse else
            keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing))
    # Pruning re-applies its masks after every single optimizer step. Under
    # TensorFlow's MirroredStrategy, Keras 3.15's loop of several steps per
    # call fails to build ("You must feed a value for placeholder tensor"),
    # so distributed runs take one step per call.
    steps_per_execution = 1 if config.sparsity is not None or replicas else \
        steps_per_execution_for(model, config.batch_size)
    fit_model.compile(
        optimizer=make_optimizer(config.optimizer, schedule, config.momentum,
                                 config.weight_decay, config.gradient_clip_norm),
        loss=loss, metrics=["accuracy"], steps_per_execution=steps_per_execution,
    )
    has_validation = len(data.x_val) > 0
    monitor = "val_loss" if has_validation else "loss"
    # Each epoch's record is written, then the run's state kept (and restored when
    # resuming) before any other callback sees the epoch: a kill between the two
    # leaves a record the resume drops, never a kept epoch without its record. Not
    # a pruning run's state: its masks are not part of it (it is pruned again instead).
    fit_callbacks = [MetricsRecorder(sinks)]
    if run and config.sparsity is None:
        fit_callbacks.append(backup_callback(run))
    if run and config.tensorboard:
        fit_callbacks.append(RunTensorBoard(run))
    if config.early_stopping_patience:
        fit_callbacks.append(keras.callbacks.EarlyStopping(
            monitor=monitor, patience=config.early_stopping_patience,
            restore_best_weights=True))
    if config.reduce_lr_patience:
        fit_callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=0.5, patience=config.reduce_lr_patience, min_lr=1e-6))
    pruning = None
    if config.sparsity is not None:
        pruning = PruningCallback(
            model, make_sparsity_schedule(config.pruning_schedule, config.sparsity,
                                          max(1, steps_per_epoch * config.epochs)),
            layers=prunable_layers(model, config.prune_output_layer),
            scope=config.pruning_scope)
        fit_callbacks.append(pruning)
    fit_callbacks.extend(callbacks)

    started = time.perf_counter()
    if config.epochs:
        inputs, fit_arguments, pipeline_callbacks = training_data(
            data.x_train, data.y_train, config.batch_size, config.seed, data.num_classes,
            sparse)
        validation = (data.x_val, targets(data.y_val, data.num_classes, sparse))
        fit_model.fit(
            inputs, **fit_arguments,
            epochs=config.epochs,
            validation_data=validation if has_validation else None,
            callbacks=pipeline_callbacks + fit_callbacks,
            verbose=verbose,
        )
    if pruning:
        # A cancelled or zero-epoch run still ends at the target sparsity.
        pruning.finish()
        model = strip(model)
    # A resumed run's time includes the epochs it kept.
    train_seconds = time.perf_counter() - started + sum(
        record.get("epoch_seconds", 0.0) for record in sinks[0].records("epoch")
        if record["epoch"] <= resumed_after)
    cancelled = any(isinstance(c, StopSignal) and c.requested for c in callbacks)
    status = RunStatus.CANCELLED if cancelled else RunStatus.COMPLETED

    history = history_of(sinks[0].records())
    evaluation = evaluate(model, data.x_test, data.y_test, num_classes=data.num_classes,
                          batch_size=EVALUATION_BATCH_SIZE)
    metrics = run_metrics(
        evaluation, model, class_names=data.class_names, dataset=data.name,
        test_indices=data.test_indices, train_seconds=train_seconds,
        epochs_done=len(history.epochs),
        parent_run=config.parent_run if config.parent_model else None,
        sparsity=sparsity_report(model, pruning.layer_names) if pruning else None,
        best_epoch=BestEpoch.of(history.epochs,
                                "val_accuracy" if has_validation else "accuracy"),
        stopped_early=_stop_reason(config, callbacks, fit_callbacks, len(history.epochs),
                                   cancelled),
        replicas=replicas)
    if run:
        run.save_results(model, metrics, history, status)
        if status is RunStatus.COMPLETED:
            shutil.rmtree(state_folder(run), ignore_errors=True)
        if config.tensorboard:
            write_run_summary(run, config, metrics, model, data)
    return TrainingResult(model=model, status=status, history=history, metrics=metrics,
                          run_dir=run.path if run else None)
