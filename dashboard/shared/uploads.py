"""Files from and to the page: an uploaded file's bytes, bounded; a run's model file."""

import base64
import os

from dashboard.shared.limits import MAX_UPLOAD_BYTES
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.runs import run_in


def model_file(runs_dir, name):
    """The path of a run's `.keras` file."""
    run = run_in(runs_dir, name)
    path = run.file("model.keras")
    if not os.path.isfile(path):
        raise MnistKerasError(f"Expected a run with a saved model. Received: {name!r} has none")
    return path


def decode_upload(contents, what="a model file"):
    """The bytes of a `dcc.Upload`'s contents (a data: URI), at most `MAX_UPLOAD_BYTES`.

    Raises:
        MnistKerasError: for contents that are not an upload, or too large.
    """
    try:
        _, encoded = contents.split(",", 1)
        data = base64.b64decode(encoded, validate=True)
    except (AttributeError, ValueError) as error:
        raise MnistKerasError(f"Expected an uploaded file. Received: unreadable data "
                              f"({error})") from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise expected(f"{what} of at most {MAX_UPLOAD_BYTES // 2**20} MB",
                       size=f"{len(data) / 2**20:.0f} MB")
    return data
