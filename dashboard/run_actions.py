"""What the runs table does to run folders: list, rename, delete, upload, export.

Each action checks its input and refuses with a `MnistKerasError` whose message
the page shows; none of them touches a run that is training.
"""

import base64
import os
import re
import shutil
import tempfile
import time

from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import Run, list_runs

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def _run(runs_dir, name):
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise expected("a run name of letters, digits, '.', '_' or '-'", name=name)
    run = Run(os.path.join(runs_dir, name))
    if not os.path.isdir(run.path):
        raise expected("an existing run", name=name)
    return run


def _duration(seconds):
    if seconds is None:
        return ""
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def table_rows(runs_dir):
    """One row per run, oldest first (new runs are appended, so ticks stay put)."""
    rows = []
    for run in list_runs(runs_dir):
        config = run.read_json("config.json") or {}
        metrics = run.read_json("metrics.json") or {}
        accuracy = metrics.get("test_accuracy")
        rows.append({
            "id": run.name, "name": run.name,
            "model": os.path.basename(str(config.get("model", "?"))),
            "parameters": f"{metrics['num_params']:,}" if "num_params" in metrics else "",
            "non-zero": f"{metrics['nonzero_params']:,}" if "nonzero_params" in metrics else "",
            "accuracy": f"{100 * accuracy:.2f}%" if accuracy is not None else "",
            "duration": _duration(metrics.get("train_seconds")),
            "status": run.status,
            "parent": metrics.get("parent_run") or config.get("parent_run") or "",
        })
    return rows


def _not_running(run, action):
    if run.status == "running":
        raise MnistKerasError(f"Expected a finished run to {action}. Received: "
                              f"{run.name!r} is training (cancel it first)")


def rename_run(runs_dir, name, new_name):
    """Renames a run's folder. Returns the new name."""
    run = _run(runs_dir, name)
    _not_running(run, "rename")
    new_name = (new_name or "").strip()
    if not NAME_PATTERN.match(new_name):
        raise expected("a new name of 1-80 letters, digits, '.', '_' or '-'",
                       new_name=new_name)
    target = os.path.join(runs_dir, new_name)
    if os.path.exists(target):
        raise expected("a name no other run has", new_name=new_name)
    os.rename(run.path, target)
    return new_name


def delete_run(runs_dir, name):
    """Deletes a run's folder and everything in it."""
    run = _run(runs_dir, name)
    _not_running(run, "delete")
    shutil.rmtree(run.path)


def model_file(runs_dir, name):
    """The path of a run's `.keras` file."""
    run = _run(runs_dir, name)
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

    The file is loaded in Keras safe mode (no code from it runs) and must map
    28x28x1 images to 10 classes; it is evaluated on the 10,000 bundled MNIST
    test images so it can be compared with trained runs.

    Returns:
        The new run's name.

    Raises:
        MnistKerasError: for anything else, with the reason.
    """
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate
    from mnist_keras.pruning import count_nonzero_params
    from mnist_keras.runs import check_digit_classifier, load_model

    filename = os.path.basename(filename or "model.keras")
    if not filename.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", file=filename)
    data = _decode_upload(contents)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as file:
            file.write(data)
        model = load_model(path)
        check_digit_classifier(model)
        stem = re.sub(r"[^A-Za-z0-9._-]", "-", os.path.splitext(filename)[0])[:40] or "model"
        name = base = f"uploaded-{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        counter = 2
        while os.path.exists(os.path.join(runs_dir, name)):
            name, counter = f"{base}-{counter}", counter + 1
        data_set = load_dataset("mnist", train_size=1_000, test_size=10_000,
                                validation_split=0)
        evaluation = evaluate(model, data_set.x_test, data_set.y_test)
        os.makedirs(runs_dir, exist_ok=True)
        run = Run.create(os.path.join(runs_dir, name))
        shutil.copyfile(path, run.file("model.keras"))
    run.write_json("config.json", {"model": "uploaded", "source_file": filename,
                                   "test_size": 10_000, "dataset": "mnist"})
    run.write_json("metrics.json", {
        **evaluation.to_metrics(indices=data_set.test_indices),
        "num_params": int(model.count_params()), "nonzero_params": count_nonzero_params(model),
        "train_seconds": None, "epochs_done": 0, "dataset": "mnist",
        "class_names": data_set.class_names})
    run.write_json("history.json", {"epochs": [], "batches": []})
    run.set_status("completed", finished=time.time(), uploaded=True)
    return name


def export_run_site(runs_dir, name, quantize):
    """Exports a run's model to a TF.js site in the run's `site/` folder."""
    from web_export import export_model

    run = _run(runs_dir, name)
    return export_model(model_file(runs_dir, name), run.file("site"), quantize=quantize,
                        run_dir=run.path)
