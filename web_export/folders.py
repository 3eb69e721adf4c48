"""Writing an export folder whole or not at all: built beside its place, then moved in.

Every format writes into a fresh temporary folder next to the destination;
only a complete export is renamed into place (an earlier export there is
replaced in the same step), so a failure, a full disk or Ctrl-C leaves the
destination as it was.
"""

import os
import shutil
import tempfile

from mnist_keras.errors import expected

# What marks a folder as an export, so that exporting again may replace it:
# the TF.js site's facts, or any other format's export-info.json.
EXPORT_MARKERS = ("model-info.json", "export-info.json")


def check_destination(out_dir):
    """Refuses, before any work, a destination that is not new, empty or an earlier export.

    Args:
        out_dir: the folder an export will be written to.

    Raises:
        MnistKerasError: for a file, or a folder holding anything but an export.
    """
    if os.path.exists(out_dir):
        if not os.path.isdir(out_dir):
            raise expected("a folder to write the export into", out=out_dir)
        if os.listdir(out_dir) and not any(os.path.isfile(os.path.join(out_dir, marker))
                                           for marker in EXPORT_MARKERS):
            raise expected("an empty folder or an earlier export (it would be replaced)",
                           out=out_dir)


def _replace_folder(built, out_dir):
    check_destination(out_dir)
    if os.path.exists(out_dir):
        old = tempfile.mkdtemp(prefix=".old-", dir=os.path.dirname(out_dir))
        os.rename(out_dir, os.path.join(old, "export"))
        os.rename(built, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(built, out_dir)


def build_folder(out_dir, write):
    """Calls `write(folder)` on a temporary folder, then moves it to `out_dir`.

    Args:
        out_dir: the destination: new, empty, or an earlier export (replaced
            only once the new one is complete).
        write: a callable that fills the folder it is given and returns
            whatever the caller wants back.

    Returns:
        `(out_dir, what write returned)`, `out_dir` made absolute.

    Raises:
        MnistKerasError: for a destination that holds something else, or a
            folder that cannot be written (a full disk included); nothing is
            left behind.
    """
    out_dir = os.path.abspath(os.fspath(out_dir))
    check_destination(out_dir)
    parent = os.path.dirname(out_dir)
    try:
        os.makedirs(parent, exist_ok=True)
        built = tempfile.mkdtemp(prefix=".export-", dir=parent)
    except OSError as error:
        raise expected(f"a folder that can be written ({error.strerror})", out=out_dir) \
            from None
    try:
        result = write(built)
        os.chmod(built, 0o755)
        _replace_folder(built, out_dir)
    except OSError as error:
        shutil.rmtree(built, ignore_errors=True)
        raise expected(f"room to write the export ({error.strerror})", out=out_dir) from None
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    return out_dir, result


def source_run(model_path, run_dir=None):
    """The run folder an exported model comes from, or None.

    Args:
        model_path: the model file, or None for a model given as an object.
        run_dir: the run folder, when the caller knows it.

    Returns:
        `run_dir`, else the model file's folder when it is a run; else None.
    """
    from mnist_keras.runs import Run

    folder = run_dir or (os.path.dirname(os.path.abspath(model_path)) if model_path else None)
    if folder and Run(folder).is_run():
        return os.fspath(folder)
    return None


def write_card(run_folder, folder):
    """Writes the run's model card into an export folder (nothing without a run)."""
    if run_folder is not None:
        from mnist_keras.model_card import write_model_card

        write_model_card(run_folder, folder)
