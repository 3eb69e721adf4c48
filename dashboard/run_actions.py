"""What the runs table does to run folders: list, rename, delete, upload, export.

Each action checks its input and refuses with a `MnistKerasError` whose message
the page shows; none of them touches a run that is training. Run names from
the page go through `mnist_keras.runs.run_in`, which only ever answers with a
folder directly inside the runs folder.
"""

import base64
import os
import shutil
import tempfile

from dashboard.limits import MAX_UPLOAD_BYTES
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import RUN_NAME_PATTERN, Run, RunConfig, RunStatus, run_in


def duration(seconds):
    """`"1 min 05 s"`, `"42 s"`, or empty for no duration (an upload)."""
    if seconds is None:
        return ""
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def table_rows(index):
    """One row per run, oldest first (new runs are appended, so ticks stay put).

    Args:
        index: the runs folder's `RunIndex`.
    """
    rows = []
    for run in index.refresh():
        rows.append({
            "id": run.name, "name": run.name, "model": run.model_label,
            "parameters": f"{run.num_params:,}" if run.num_params is not None else "",
            "non-zero": f"{run.nonzero_params:,}" if run.nonzero_params is not None else "",
            "accuracy": (f"{100 * run.test_accuracy:.2f}%" if run.test_accuracy is not None
                         else ""),
            "duration": duration(run.train_seconds),
            # A sweep's pruned trial completed what it was let train: say so.
            "status": run.status.value + (" (pruned)" if run.stopped_early == "pruned" else ""),
            "parent": run.parent_run or "",
        })
    return rows


def _not_running(run, action):
    if run.status is RunStatus.RUNNING:
        raise MnistKerasError(f"Expected a finished run to {action}. Received: "
                              f"{run.name!r} is training (cancel it first)")


def rename_run(runs_dir, name, new_name):
    """Renames a run's folder. Returns the new name."""
    run = run_in(runs_dir, name)
    _not_running(run, "rename")
    new_name = (new_name or "").strip() if isinstance(new_name, str) else new_name
    if not isinstance(new_name, str) or not RUN_NAME_PATTERN.match(new_name):
        raise expected("a new name of 1-80 letters, digits, '.', '_' or '-'",
                       new_name=new_name)
    target = os.path.join(runs_dir, new_name)
    if os.path.exists(target):
        raise expected("a name no other run has", new_name=new_name)
    os.rename(run.path, target)
    return new_name


def delete_run(runs_dir, name):
    """Deletes a run's folder and everything in it."""
    run = run_in(runs_dir, name)
    _not_running(run, "delete")
    shutil.rmtree(run.path)


def model_file(runs_dir, name):
    """The path of a run's `.keras` file."""
    run = run_in(runs_dir, name)
    path = run.file("model.keras")
    if not os.path.isfile(path):
        raise MnistKerasError(f"Expected a run with a saved model. Received: {name!r} has none")
    return path


def _decode_upload(contents):
    try:
        _, encoded = contents.split(",", 1)
        data = base64.b64decode(encoded, validate=True)
    except (AttributeError, ValueError) as error:
        raise MnistKerasError(f"Expected an uploaded file. Received: unreadable data "
                              f"({error})") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise expected(f"a model file of at most {MAX_UPLOAD_BYTES // 2**20} MB",
                       size=f"{len(data) / 2**20:.0f} MB")
    return data


def import_uploaded_model(runs_dir, contents, filename):
    """Validates an uploaded `.keras` file and adds it as a new, evaluated run.

    The file is loaded in Keras safe mode (no code from it runs), first in a
    watched child process (`model_probe`: bounded memory, time and
    parameters), and must map 28x28x1 images to 10 classes; it is evaluated
    on the 10,000 bundled MNIST test images so it can be compared with
    trained runs. The run is written
    by the library's one writer of results, as a trained run is.

    Returns:
        The new run's name.

    Raises:
        MnistKerasError: for anything else, with the reason.
    """
    from dashboard.model_probe import probe_model_file
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate
    from mnist_keras.runs import (
        check_digit_classifier,
        check_model_archive,
        load_model,
        run_metrics,
    )

    filename = os.path.basename(filename if isinstance(filename, str) else "model.keras")
    if not filename.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", file=filename[:100])
    data = _decode_upload(contents)
    with tempfile.TemporaryDirectory() as folder:
        # Named as uploaded, so a refusal names the file the user chose.
        path = os.path.join(folder, filename)
        with open(path, "wb") as file:
            file.write(data)
        check_model_archive(path)
        probe_model_file(path)  # in a watched child first: see model_probe
        model = load_model(path)
        check_digit_classifier(model)
        test_set = load_dataset("mnist", train_size=1_000, test_size=10_000,
                                validation_split=0)
        evaluation = evaluate(model, test_set.x_test, test_set.y_test)
        metrics = run_metrics(evaluation, model, test_set.class_names, test_set.name,
                              test_indices=test_set.test_indices)
        run = Run.create_new(runs_dir, f"uploaded-{os.path.splitext(filename)[0][:40]}")
        run.write_config(RunConfig.for_upload(filename, dataset=test_set.name,
                                              test_size=len(test_set.y_test)))
        run.save_results(model, metrics)
    return run.name


def export_run_site(runs_dir, name, quantize):
    """Exports a run's model to a TF.js site in the run's `site/` folder."""
    from web_export import export_model

    run = run_in(runs_dir, name)
    return export_model(model_file(runs_dir, name), run.file("site"), quantize=quantize,
                        run_dir=run.path)
