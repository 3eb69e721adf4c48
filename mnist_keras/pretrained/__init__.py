"""The model that ships with mnist-keras: drawing, explaining and exporting before any training.

A small, strong digit classifier (cnn-compact, 44,174 parameters, under 1 MB)
trained on the bundled MNIST by a committed, seeded script
(`benchmarks/train_pretrained.py`), kept as a whole run folder: this package's
folder holds its `config.json`, `history.json`, `metrics.json`, `status.json`
and `model.keras`.
`install_pretrained` copies it into a runs folder as the read-only run
`pretrained`, so it is compared, exported, pruned and fine-tuned like any run
and never deleted (the dashboard puts it back on every start).

```python
from mnist_keras.pretrained import load_pretrained, pretrained_path
model = load_pretrained()          # Keras safe mode, as every loader here
print(pretrained_path())           # .../mnist_keras/pretrained/model.keras
```

    mnist-keras pretrained            # what it is and how well it does
    mnist-keras pretrained --path     # its .keras file
    mnist-keras predict pretrained seven.png
"""

import os
import shutil

from mnist_keras.errors import MnistKerasError, expected

# The run's name in a runs folder, and the word commands take for its model.
PRETRAINED = "pretrained"
# This package's folder is the run folder (so the run is called `pretrained`).
_RUN_DIR = os.path.dirname(os.path.abspath(__file__))
_RUN_FILES = ("config.json", "history.json", "metrics.json", "model.keras", "status.json")

__all__ = ["PRETRAINED", "install_pretrained", "load_pretrained", "pretrained_path",
           "pretrained_run", "resolve_model"]


def pretrained_run():
    """The shipped run folder, as a `Run` (read it; do not write into the package).

    Raises:
        MnistKerasError: if the package was installed without it.
    """
    from mnist_keras.runs import Run

    if not all(os.path.isfile(os.path.join(_RUN_DIR, name)) for name in _RUN_FILES):
        raise MnistKerasError("Expected the pretrained model inside the mnist-keras package. "
                              f"Received: an installation without {_RUN_DIR} (reinstall "
                              "mnist-keras)")
    return Run(_RUN_DIR)


def pretrained_path():
    """The path of the pretrained model's `.keras` file (inside the installed package)."""
    return pretrained_run().file("model.keras")


def load_pretrained():
    """The pretrained model, loaded in Keras safe mode (uncompiled)."""
    from mnist_keras.runs import load_model

    return load_model(pretrained_path())


def install_pretrained(runs_dir):
    """Puts the pretrained run into `runs_dir` as `pretrained`, unless it is there already.

    A copy that differs from the shipped one (a newer release, or one a person
    changed) is replaced; the copy is made in a hidden folder beside it and
    moved into place, so a reader never sees half of it.

    Args:
        runs_dir: the runs folder (created if missing).

    Returns:
        The `Run` in `runs_dir`.

    Raises:
        MnistKerasError: if a run of someone's own is already called
            `pretrained`, or the folder cannot be written.
    """
    from mnist_keras.runs import Run, RunFormatError

    shipped = pretrained_run()
    target = Run(os.path.join(os.fspath(runs_dir), PRETRAINED))
    if target.is_run():
        try:
            config = target.config()
        except RunFormatError:
            config = None
        if config is None or not config.read_only:
            raise expected("no run of your own called 'pretrained' (the shipped model's "
                           "name): rename it", run=target.path)
        if _same_files(shipped, target):
            return target
    staging = os.path.join(os.fspath(runs_dir), f".{PRETRAINED}-installing")
    try:
        os.makedirs(runs_dir, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        for name in _RUN_FILES:
            shutil.copy2(shipped.file(name), os.path.join(staging, name))
        if os.path.isdir(target.path):
            shutil.rmtree(target.path)
        os.rename(staging, target.path)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise expected("a runs folder the pretrained run can be written to",
                       runs_dir=os.fspath(runs_dir), reason=error.strerror or str(error)) \
            from None
    return target


def _same_files(shipped, installed):
    for name in _RUN_FILES:
        try:
            if os.path.getsize(shipped.file(name)) != os.path.getsize(installed.file(name)):
                return False
            with open(shipped.file(name), "rb") as a, open(installed.file(name), "rb") as b:
                if a.read() != b.read():
                    return False
        except OSError:
            return False
    return True


def resolve_model(name_or_path):
    """A model argument as commands take it -> a `.keras` path.

    `pretrained` is the shipped model; a run folder means its `model.keras`;
    anything else is returned as given (the loader checks it).
    """
    text = os.fspath(name_or_path)
    if text == PRETRAINED and not os.path.exists(text):
        return pretrained_path()
    if os.path.isdir(text) and os.path.isfile(os.path.join(text, "model.keras")):
        return os.path.join(text, "model.keras")
    return text
