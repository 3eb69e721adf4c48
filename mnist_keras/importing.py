"""A `.keras` model trained elsewhere, added to a runs folder as a run like any other.

    mnist-keras import model.keras --runs-dir runs --name my-model

The file is checked (a Keras 3 archive with a config of sane size), loaded
first in a watched child process (`model_probe`: bounded memory, time and
parameters), then in Keras safe mode (no code from the file runs); it must
map 28x28x1 images to 10 classes. It is evaluated on the 10,000 bundled
MNIST test images, so it compares with trained runs, and written by the run
store's one writer of results. A refusal leaves nothing behind.
"""

import os
import shutil

from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import (
    Run,
    RunConfig,
    check_digit_classifier,
    check_model_archive,
    load_model,
    run_in,
)

__all__ = ["import_model"]


def import_model(path, runs_dir="runs", name=None, prefix="imported", source_name=None):
    """Adds the model in `path` to `runs_dir` as a new, evaluated run.

    Args:
        path: a `.keras` file (Keras 3 native format).
        runs_dir: the runs folder; created if missing. Defaults to `runs`.
        name: the new run's name (1-80 letters, digits, '.', '_' or '-'); no
            run may have it yet. None names it `{prefix}-{file}-{time}`.
        prefix: the first word of a generated name. Defaults to `imported`.
        source_name: the file name to record and to show in messages (an
            upload's own name when `path` is a temporary copy); defaults to
            `path`'s.

    Returns:
        The new `Run`.

    Raises:
        MnistKerasError: for a missing or forged file, a model that does not
            load safely, is too large or is not a digit classifier, or a bad
            or taken name. Nothing is written then.

    Example:

    ```python
    run = import_model("model.keras", runs_dir="runs", name="from-colab")
    run.metrics().test_accuracy
    ```
    """
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate, run_metrics
    from mnist_keras.model_probe import probe_model_file

    path = os.fspath(path)
    source_name = os.path.basename(source_name or path)
    if not os.path.isfile(path):
        raise expected("an existing .keras model file", model=source_name)
    if not source_name.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", model=source_name[:100])
    target = None if name is None else run_in(runs_dir, name, must_exist=False)
    if target is not None and os.path.exists(target.path):
        raise expected("a name no other run has", name=name)
    check_model_archive(path)
    probe_model_file(path)  # in a watched child first: see model_probe
    model = load_model(path)
    check_digit_classifier(model)
    test_set = load_dataset("mnist", train_size=1_000, test_size=10_000, validation_split=0)
    evaluation = evaluate(model, test_set.x_test, test_set.y_test)
    metrics = run_metrics(evaluation, model, test_set.class_names, test_set.name,
                          test_indices=test_set.test_indices)
    run = None
    try:
        if target is None:
            run = Run.create_new(runs_dir,
                                 f"{prefix}-{os.path.splitext(source_name)[0][:40]}")
        else:
            os.makedirs(runs_dir, exist_ok=True)
            run = Run.create(target.path)
        run.write_config(RunConfig.for_upload(source_name, dataset=test_set.name,
                                              test_size=len(test_set.y_test)))
        run.save_results(model, metrics)
    except BaseException as error:
        # A full disk or an interrupt must not leave half a run behind.
        if run is not None:
            shutil.rmtree(run.path, ignore_errors=True)
        if isinstance(error, OSError):
            raise MnistKerasError(f"Expected a runs folder the run can be written to. "
                                  f"Received: {error.strerror or error}") from None
        raise
    return run
