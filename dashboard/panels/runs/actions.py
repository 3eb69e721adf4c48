"""What the runs table does to run folders: list, rename, delete, upload, export.

Each action checks its input and refuses with a `MnistKerasError` whose message
the page shows; none of them touches a run that is training. Run names from
the page go through `mnist_keras.runs.run_in`, which only ever answers with a
folder directly inside the runs folder.
"""

import os
import tempfile

from dashboard.shared.uploads import decode_upload, model_file
from mnist_keras.errors import expected
from mnist_keras.runs import run_in


def rename_run(runs_dir, name, new_name):
    """Renames a run (`mnist_keras.runs.Run.rename`). Returns the new name."""
    return run_in(runs_dir, name).rename(new_name).name


def delete_run(runs_dir, name):
    """Deletes a run's folder and everything in it (`mnist_keras.runs.Run.delete`)."""
    run_in(runs_dir, name).delete()


def import_uploaded_model(runs_dir, contents, filename):
    """Adds an uploaded `.keras` file as a new, evaluated run (`mnist_keras.import_model`).

    The upload is decoded (at most `MAX_UPLOAD_BYTES`) into a temporary file
    named as uploaded, so a refusal names the file the user chose; the
    library checks, probes, loads (safe mode), evaluates and writes it.

    Returns:
        The new run's name.

    Raises:
        MnistKerasError: for anything else, with the reason.
    """
    from mnist_keras.importing import import_model

    filename = os.path.basename(filename if isinstance(filename, str) else "model.keras")
    if not filename.endswith(".keras"):
        raise expected("a Keras 3 model file ending in .keras", file=filename[:100])
    # A file system takes names of at most 255 bytes (a 300-character name
    # failed to be written at all): the name is kept for what it says, cut short.
    stem = filename[:-len(".keras")].encode()[:100].decode("utf-8", "ignore")
    filename = f"{stem}.keras"
    data = decode_upload(contents)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, filename)
        with open(path, "wb") as file:
            file.write(data)
        return import_model(path, runs_dir, prefix="uploaded", source_name=filename).name


def export_run_site(runs_dir, name, quantize):
    """Exports a run's model to a TF.js site in the run's `site/` folder."""
    from web_export import export_model

    run = run_in(runs_dir, name)
    return export_model(model_file(runs_dir, name), run.file("site"), quantize=quantize,
                        run_dir=run.path)


def export_folder_name(format_name, quantize, page=False):
    """The folder under `RUN/exports/` an export goes to: `FORMAT[-QUANTIZE][-page]`.

    >>> export_folder_name("tflite", "int8"), export_folder_name("onnx", "none", page=True)
    ('tflite-int8', 'onnx-page')
    """
    return (format_name + ("" if quantize == "none" else f"-{quantize}")
            + ("-page" if page else ""))


def export_run_format(runs_dir, name, format_name, quantize, page=False):
    """Exports a run's model for another runtime into `RUN/exports/FORMAT[-QUANTIZE][-page]/`."""
    from web_export import export_format

    run = run_in(runs_dir, name)
    folder = export_folder_name(format_name, quantize, page)
    return export_format(model_file(runs_dir, name), os.path.join(run.path, "exports", folder),
                         format=format_name, quantize=quantize, run_dir=run.path, page=page)
