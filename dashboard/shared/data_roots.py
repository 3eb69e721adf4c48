"""The folders the dashboard may read data from, so that its Data folder box is no probe.

The box answers as you type (how many images, which class folder is empty),
which would tell anyone who can reach the dashboard whether any path on the
machine exists and what a folder holds. It answers only for folders inside
the data roots: the folder the dashboard was started from and the one that
holds its runs folder, plus any `mnist-keras dashboard --data-root DIR`.
Anywhere else gets the same one line, whether the path exists or not.
"""

import os

import flask

from mnist_keras.errors import MnistKerasError

CONFIG_KEY = "MNIST_KERAS_DATA_ROOTS"


def data_roots(runs_dir, extra=()):
    """The data roots of a dashboard over `runs_dir`: real paths, without repeats."""
    roots = [os.getcwd(), os.path.dirname(os.path.abspath(runs_dir)), *extra]
    return list(dict.fromkeys(os.path.realpath(os.path.expanduser(str(root)))
                              for root in roots))


def check_readable(data_dir):
    """Refuses a data folder outside the serving dashboard's data roots.

    Outside a request (the library, the tests of a form) nothing is checked.

    Raises:
        MnistKerasError: the same message whether or not the path exists.
    """
    roots = flask.current_app.config.get(CONFIG_KEY) if flask.has_app_context() else None
    if not roots:
        return
    real = os.path.realpath(os.path.expanduser(data_dir))
    if any(os.path.commonpath([real, root]) == root for root in roots):
        return
    raise MnistKerasError(
        f"Expected a data folder inside {' or '.join(roots)} (the folders this dashboard "
        f"reads; start it with --data-root DIR to add one). Received: data_dir={data_dir!r}")
