"""Resumable runs: a training's state kept at every epoch's end, and what may resume.

(`resume_training`, which trains the rest, is in `mnist_keras.reproduction`:
it needs `training`, which needs this module.)

While a run trains, Keras' `BackupAndRestore` keeps the model's and the
optimizer's state in `RUN/resume/` at the end of every epoch (two copies, so
a kill in the middle of a save still leaves the one before). A run that was
killed, crashed or cancelled continues from its last finished epoch; its
records up to that epoch are kept and the rest of the stream (a half-done
epoch) is dropped. A completed run's state is removed, so a finished run keeps
its size.

With `deterministic` on, a resumed run ends with the same weights as the same
run uninterrupted: each epoch's order depends on the seed and the epoch alone
(`mnist_keras.pipeline`), and the random layers' seed states (augmentation,
dropout) are kept with the weights.
"""

import json
import os

from mnist_keras.errors import expected
from mnist_keras.runs import Run, RunStatus

# The folder inside a run that holds the state, while the run can be resumed.
RESUME_FOLDER = "resume"
_METADATA = "training_metadata.json"
SEEDS_FILE = "seed_states.npy"


def state_folder(run):
    """The run's resumable-state folder (it may not exist)."""
    return run.file(RESUME_FOLDER)


def epochs_kept(run):
    """The last finished epoch the run's state holds, or 0 for no state."""
    for name in (_METADATA, f"{_METADATA}.bkp"):
        try:
            with open(os.path.join(state_folder(run), name), encoding="utf-8") as file:
                epoch = json.load(file).get("epoch")
        except (OSError, ValueError, AttributeError):
            continue
        if isinstance(epoch, int) and not isinstance(epoch, bool) and epoch > 0:
            return epoch
    return 0


def _alive(pid):
    # A run left "running" by a process that is gone (killed with -9, a lost
    # machine) is resumable; one whose process still runs is not.
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def backup_callback(run):
    """The Keras callback that keeps and restores the run's state at every epoch's end."""
    import keras

    class KeepFinishedEpochs(keras.callbacks.BackupAndRestore):
        # Keras ends a stopped epoch (a cancel during its batches) with
        # on_epoch_end too; that epoch is not finished, so its state is not
        # kept: the run resumes from the last whole epoch. It must come before
        # callbacks that stop at an epoch's end (early stopping), which then
        # have not stopped it yet.
        def on_epoch_end(self, epoch, logs=None):
            if not self.model.stop_training:
                super().on_epoch_end(epoch, logs)

        # Keras' weights file leaves out the random layers' seed states
        # (augmentation, dropout): kept beside it, in the model's order, so a
        # resumed run draws what the uninterrupted one would have drawn.
        def _seed_states(self):
            return [variable for variable in self.model.variables
                    if variable.path.endswith("seed_generator_state")]

        def _save_model(self):
            import numpy as np

            from mnist_keras.atomic import atomic_path

            os.makedirs(self.backup_dir, exist_ok=True)
            with atomic_path(os.path.join(self.backup_dir, SEEDS_FILE)) as temporary:
                np.save(temporary, np.stack([np.asarray(variable.numpy())
                                             for variable in self._seed_states()])
                        if self._seed_states() else np.zeros((0, 2), np.uint32))
            super()._save_model()

        def _load_model(self):
            import numpy as np

            super()._load_model()
            path = os.path.join(self.backup_dir, SEEDS_FILE)
            if not os.path.isfile(path):
                return
            states, variables = np.load(path), self._seed_states()
            if len(states) == len(variables):
                for variable, state in zip(variables, states):
                    variable.assign(state)

    # The state is removed by `train` when the run completes: a cancelled or
    # crashed run keeps it, so it can be resumed.
    return KeepFinishedEpochs(state_folder(run), save_freq="epoch", delete_checkpoint=False,
                              double_checkpoint=True)


def resumable_run(run_dir):
    """`(run, its TrainingConfig, the epoch it resumes after)` of a run that can resume.

    Reads JSON only (no Keras), so a command checks it at once.

    Raises:
        MnistKerasError: for a folder that is not a run trained from settings,
            a completed run, a run that is still training, or one with no state
            (stopped before its first epoch ended, or trained by an older
            version).
    """
    run = Run(run_dir)
    if not run.is_run():
        raise expected("a run folder (with config.json)", run=os.fspath(run_dir))
    config = run.config()
    if config is None or not config.from_settings:
        raise expected("a run trained from settings (an uploaded model has none; a model "
                       "from Python code needs that code: mk.train(config, model=...))",
                       run=os.fspath(run_dir), model=config.model_label if config else None)
    if config.training.sparsity is not None:
        raise expected("a training run (a pruning run keeps no state: prune again)",
                       run=os.fspath(run_dir), sparsity=config.training.sparsity)
    state = run.state()
    if state.status is RunStatus.COMPLETED:
        raise expected("a run that stopped before its end (a completed run has nothing "
                       "left to train)", run=os.fspath(run_dir), status=str(state.status))
    # (A dashboard marks the run running for the process it starts to resume it.)
    if state.status is RunStatus.RUNNING and state.pid != os.getpid() and _alive(state.pid):
        raise expected("a run that is not training now", run=os.fspath(run_dir),
                       status=str(state.status), pid=state.pid)
    done = epochs_kept(run)
    if not done:
        raise expected("a run with a kept state (this one stopped before its first epoch "
                       "ended, or was trained by a version that kept none: train it again)",
                       run=os.fspath(run_dir))
    if done >= config.training.epochs:
        raise expected("a run with epochs left to train", run=os.fspath(run_dir),
                       epochs_done=done)
    return run, config.training, done


def kept_records(run, epochs):
    """The run's live records up to the end of epoch `epochs`, the stream's start first."""
    records = []
    try:
        with open(run.file("events.jsonl"), encoding="utf-8") as file:
            for line in file:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut short by the kill
                if not isinstance(record, dict):
                    continue
                kind, epoch = record.get("type"), record.get("epoch")
                first_start = kind == "start" and not records
                kept_epoch = kind in ("batch", "epoch") and isinstance(epoch, int) \
                    and epoch <= epochs
                if first_start or kept_epoch:
                    records.append(record)
    except OSError:
        pass
    return records


def rewrite_events(run, records):
    """Replaces the run's record stream with `records` (what a resumed run continues)."""
    from mnist_keras.atomic import atomic_path

    with atomic_path(run.file("events.jsonl")) as temporary, \
            open(temporary, "w", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record) + "\n")
