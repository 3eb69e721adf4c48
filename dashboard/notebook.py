"""The dashboard inside a Jupyter notebook, with one call.

    from dashboard.notebook import show_dashboard
    app = show_dashboard("runs")

Dash's own Jupyter support serves the app from a thread of the kernel and
shows it in the cell's output (an inline frame), in a JupyterLab tab or as a
link. The notebook's own `model.fit(..., callbacks=[mk.RunRecorder(...)])`
then appears in it live, like any run.
"""

import atexit
import socket

from mnist_keras.errors import expected

__all__ = ["show_dashboard"]

MODES = ("inline", "external", "tab", "jupyterlab")


def show_dashboard(runs_dir="runs", mode="inline", port=None, height=900, pretrained=True,
                   modules=()):
    """Serves the dashboard from this notebook's kernel and shows it in the cell.

    Args:
        runs_dir: the runs folder. Defaults to `runs` (next to the notebook).
        mode: `"inline"` (in the cell's output, the default), `"external"` (a
            link), `"tab"` (a new browser tab) or `"jupyterlab"` (a
            JupyterLab tab).
        port: the port on 127.0.0.1; None takes a free one.
        height: the inline frame's height in pixels. Defaults to 900.
        pretrained: put the model that ships with mnist-keras in the runs
            folder (so the Draw panel answers at once). Defaults to True.
        modules: modules that register your custom layers, imported before
            any model loads (as `--import-module`).

    Returns:
        The `dash.Dash` app; `app.notebook_url` is where it is served.

    Raises:
        MnistKerasError: outside a Jupyter kernel (use `mnist-keras dashboard`),
            for a bad mode or port, or a module that cannot be imported.
    """
    from dash import jupyter_dash

    from dashboard.app import create_app

    if mode not in MODES:
        raise expected(f"mode in {list(MODES)}", mode=mode)
    if port is not None and (isinstance(port, bool) or not isinstance(port, int)
                             or not 1 <= port <= 65535):
        raise expected("a port in [1, 65535], or None for a free one", port=port)
    if not jupyter_dash.active:
        raise expected("a Jupyter kernel (from a terminal, run: mnist-keras dashboard)",
                       kernel=None)
    if modules:
        from mnist_keras.runs import use_custom_modules

        use_custom_modules(modules)
    app = create_app(runs_dir, pretrained=pretrained)
    port = port or _free_port()
    app.notebook_url = f"http://127.0.0.1:{port}/"
    # The training children of a job are stopped with the kernel.
    atexit.register(app.jobs.shutdown)
    app.run(jupyter_mode=mode, jupyter_height=height, jupyter_width="100%", host="127.0.0.1",
            port=port)
    return app


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
