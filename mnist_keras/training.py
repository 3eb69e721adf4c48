"""Training: optimizer and schedule factories, and `train`, which writes a run.

    python -m mnist_keras.cli train --run-dir runs/first --epochs 3
"""

import dataclasses
import time
import traceback

import keras
import numpy as np

from mnist_keras.augmentation import build_augmentation
from mnist_keras.callbacks import MetricsRecorder, StopSignal
from mnist_keras.config import TrainingConfig
from mnist_keras.datasets import load_dataset
from mnist_keras.errors import expected
from mnist_keras.evaluation import evaluate
from mnist_keras.models import build_model
from mnist_keras.pruning import (
    PruningCallback,
    count_nonzero_params,
    make_sparsity_schedule,
    prunable_layers,
    sparsity_report,
    strip,
)
from mnist_keras.runs import Run, check_digit_classifier, load_model
from mnist_keras.sinks import JsonlSink, MemorySink, subsample

# history.json keeps at most this many batch records (evenly subsampled); the
# full stream stays in events.jsonl.
MAX_HISTORY_BATCHES = 2_000


def make_schedule(name, learning_rate, steps_per_epoch, epochs):
    """Builds a learning-rate schedule from Keras' own schedules.

    Args:
        name: `"constant"`, `"exponential"` (x0.9 per epoch), `"cosine"`
            (decays to 1% over the run) or `"cosine-restarts"` (first cycle one
            epoch, each next twice as long, peaks x0.9).
        learning_rate: initial learning rate.
        steps_per_epoch: optimizer steps per epoch.
        epochs: epochs in the run.

    Returns:
        A float (constant) or a `keras.optimizers.schedules.LearningRateSchedule`.

    Raises:
        MnistKerasError: for an unknown name.
    """
    schedules = keras.optimizers.schedules
    steps_per_epoch = max(1, int(steps_per_epoch))
    if name == "constant":
        return float(learning_rate)
    if name == "exponential":
        return schedules.ExponentialDecay(learning_rate, decay_steps=steps_per_epoch,
                                          decay_rate=0.9)
    if name == "cosine":
        return schedules.CosineDecay(learning_rate, decay_steps=steps_per_epoch * epochs,
                                     alpha=0.01)
    if name == "cosine-restarts":
        return schedules.CosineDecayRestarts(learning_rate, first_decay_steps=steps_per_epoch,
                                             t_mul=2.0, m_mul=0.9, alpha=0.01)
    raise expected("a schedule in ['constant', 'exponential', 'cosine', 'cosine-restarts']",
                   schedule=name)


def make_optimizer(name, learning_rate, momentum=0.9, weight_decay=1e-4):
    """Builds one of Keras' optimizers by name.

    Args:
        name: `"adam"`, `"sgd"` (with momentum), `"rmsprop"`, `"adamw"` or `"muon"`.
        learning_rate: a float or a schedule (see `make_schedule`).
        momentum: momentum of SGD and RMSprop. Defaults to 0.9.
        weight_decay: weight decay of AdamW and Muon. Defaults to 1e-4.

    Returns:
        A `keras.optimizers.Optimizer`.

    Raises:
        MnistKerasError: for an unknown name.
    """
    optimizers = keras.optimizers
    if name == "adam":
        return optimizers.Adam(learning_rate)
    if name == "sgd":
        return optimizers.SGD(learning_rate, momentum=momentum)
    if name == "rmsprop":
        return optimizers.RMSprop(learning_rate, momentum=momentum)
    if name == "adamw":
        return optimizers.AdamW(learning_rate, weight_decay=weight_decay)
    if name == "muon":
        return optimizers.Muon(learning_rate, weight_decay=weight_decay)
    raise expected("an optimizer in ['adam', 'sgd', 'rmsprop', 'adamw', 'muon']", optimizer=name)


@dataclasses.dataclass
class TrainingResult:
    """What `train` returns.

    Attributes:
        model: the trained Keras model (without augmentation layers).
        status: `"completed"` or `"cancelled"` (stopped by a `StopSignal`).
        history: `{"epochs": [...], "batches": [...]}` as in history.json.
        metrics: the dict written to metrics.json.
        run_dir: the run folder, or None.
    """

    model: keras.Model
    status: str
    history: dict
    metrics: dict
    run_dir: str = None


def train(config=None, run_dir=None, callbacks=(), data=None, verbose=False):
    """Trains a model as configured and, with `run_dir`, writes its run folder.

    Data loading, model building, fitting (with the live metric recorder,
    early stopping, plateau and stop callbacks), evaluation on the test set
    and saving happen here. With `run_dir`, the folder's status.json says
    `running` while training, then `completed`, `cancelled` (a `StopSignal`
    in `callbacks` fired: what was trained is kept and evaluated) or `failed`
    (with the error; the exception is re-raised).

    Args:
        config: a `TrainingConfig`. Defaults to `TrainingConfig()`.
        run_dir: folder to write the run to, or None to keep it in memory.
            It must not already hold a run.
        callbacks: extra Keras callbacks, e.g. a `StopSignal` or `ProgressBar`.
        data: a `Dataset` to use instead of loading `config.dataset`.
        verbose: passed to `model.fit`. Defaults to False (silent).

    Returns:
        A `TrainingResult`.

    Raises:
        MnistKerasError: for bad settings, data or run folder.

    Example:

    >>> result = train(TrainingConfig(epochs=1, train_size=5500, test_size=1000))
    >>> result.metrics["test_accuracy"]  # doctest: +SKIP
    0.95
    """
    config = config or TrainingConfig()
    run = Run.create(run_dir) if run_dir is not None else None
    sink = MemorySink()
    sinks = [sink]
    if run:
        run.write_json("config.json", config.to_dict())
        run.set_status("running")
        sinks.append(JsonlSink(run.file("events.jsonl")))
    try:
        result = _train(config, run, sinks, callbacks, data, verbose)
    except BaseException as error:
        if run:
            # A KeyboardInterrupt or a crash leaves a readable record behind.
            if isinstance(error, KeyboardInterrupt):
                message = "Interrupted (Ctrl+C) before training finished."
            else:
                message = str(error) or type(error).__name__
            run.set_status("failed", error=message, traceback=traceback.format_exc()[-4000:])
        raise
    finally:
        for extra in sinks[1:]:
            extra.close()
    return result


def _train(config, run, sinks, callbacks, data, verbose):
    keras.utils.set_random_seed(config.seed)
    if data is None:
        data = load_dataset(config.dataset, config.data_dir, config.train_size,
                            config.test_size, config.validation_split, config.seed)
    if config.parent_model:
        model = load_model(config.parent_model)
        check_digit_classifier(model, data.num_classes)
    else:
        model = build_model(config.model, num_classes=data.num_classes,
                            conv_channels=config.conv_channels, dropout=config.dropout)
    fit_model = model
    if config.augment:
        augmentation = build_augmentation(config.rotation, config.zoom, config.translation,
                                          seed=config.seed)
        fit_model = keras.Sequential([augmentation, model], name=f"{model.name}_augmented")
    steps_per_epoch = int(np.ceil(len(data.x_train) / config.batch_size))
    # max(1, ...): a pruning run may have no epochs and then never uses it.
    schedule = make_schedule(config.schedule, config.learning_rate, steps_per_epoch,
                             max(1, config.epochs))
    fit_model.compile(
        optimizer=make_optimizer(config.optimizer, schedule, config.momentum,
                                 config.weight_decay),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
        metrics=["accuracy"],
    )
    has_validation = len(data.x_val) > 0
    monitor = "val_loss" if has_validation else "loss"
    fit_callbacks = [MetricsRecorder(sinks)]
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

    def one_hot(labels):
        return keras.utils.to_categorical(labels, data.num_classes)

    started = time.perf_counter()
    if config.epochs:
        fit_model.fit(
            data.x_train, one_hot(data.y_train),
            batch_size=config.batch_size,
            epochs=config.epochs,
            validation_data=(data.x_val, one_hot(data.y_val)) if has_validation else None,
            callbacks=fit_callbacks,
            verbose=verbose,
        )
    if pruning:
        # A cancelled or zero-epoch run still ends at the target sparsity.
        pruning.finish()
        model = strip(model)
    train_seconds = time.perf_counter() - started
    cancelled = any(isinstance(c, StopSignal) and c.requested for c in callbacks)
    status = "cancelled" if cancelled else "completed"

    records = sinks[0].records()
    history = {
        "epochs": [r for r in records if r["type"] == "epoch"],
        "batches": subsample([r for r in records if r["type"] == "batch"],
                             MAX_HISTORY_BATCHES),
    }
    evaluation = evaluate(model, data.x_test, data.y_test, num_classes=data.num_classes)
    metrics = {
        **evaluation.to_metrics(indices=data.test_indices),
        "num_params": int(model.count_params()),
        "nonzero_params": count_nonzero_params(model),
        "train_seconds": train_seconds,
        "epochs_done": len(history["epochs"]),
        "dataset": data.name,
        "class_names": data.class_names,
    }
    if config.parent_model:
        metrics["parent_run"] = config.parent_run
    if pruning:
        metrics["sparsity"] = sparsity_report(model, pruning.layer_names)
    if run:
        run.write_json("history.json", history)
        run.save_model(model)
        run.write_json("metrics.json", metrics)
        run.set_status(status, finished=time.time())
    return TrainingResult(model=model, status=status, history=history, metrics=metrics,
                          run_dir=run.path if run else None)
