"""The Keras callback that reports a trial's epochs to Optuna and stops it when pruned.

Optuna's own Keras callbacks (in the separate optuna-integration package)
raise `TrialPruned` inside `model.fit`, which would end `mnist_keras.train`
as a crash: no evaluation, no saved model, a `failed` run. This one asks
Keras to stop after the epoch instead, so a pruned trial's run is evaluated
and kept like any other, and says why it stopped (`stop_reason`), which
`train` records as the metrics' `stopped_early`.
"""

import keras


class TrialReporter(keras.callbacks.Callback):
    """Reports `monitor` after every epoch to an Optuna trial; stops training when pruned.

    The pruner is not asked after the last epoch: a trial that trained every
    epoch saved nothing by being pruned, so it completes.

    Args:
        trial: an `optuna.trial.Trial`.
        monitor: the epoch metric reported (higher is better). Defaults to
            `"val_accuracy"`.

    Attributes:
        pruned_epoch: the epoch after which the pruner stopped the trial, or None.
        stop_reason: `"pruned"` once pruned, else None.

    Example:

    ```python
    reporter = TrialReporter(trial)
    mk.train(config, callbacks=[reporter])
    reporter.pruned_epoch
    # 2
    ```
    """

    def __init__(self, trial, monitor="val_accuracy"):
        super().__init__()
        self.trial = trial
        self.monitor = monitor
        self.pruned_epoch = None
        self.stop_reason = None

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        self.trial.report(float(value), step=epoch + 1)
        # After the last epoch there is nothing left to save: a trial that
        # trained every epoch is complete, whatever the pruner would say.
        if epoch + 1 < self.params.get("epochs", epoch + 2) and self.trial.should_prune():
            self.pruned_epoch = epoch + 1
            self.stop_reason = "pruned"
            self.model.stop_training = True
