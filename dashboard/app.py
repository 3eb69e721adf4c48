"""The Dash app: `create_app` wires layout and callbacks; `main` serves it.

    mnist-keras dashboard --port 8050
"""

import atexit
import os
import signal
import sys
import threading

import dash

from dashboard import page, request_guard
from dashboard.bundled_css import BOOTSTRAP_CSS_URL
from dashboard.callback_errors import on_callback_error
from dashboard.panels import register_all
from dashboard.panels.sweeps.views import SweepBrowser
from dashboard.shared.data_roots import CONFIG_KEY as DATA_ROOTS_KEY
from dashboard.shared.data_roots import data_roots as data_roots_of
from dashboard.shared.exported_sites import register_routes
from dashboard.shared.jobs import JobManager
from dashboard.shared.limits import MAX_REQUEST_BYTES
from dashboard.shared.runs_view import raw_images
from mnist_keras.devices import describe_device
from mnist_keras.runs import RunIndex


def create_app(runs_dir="runs", hosts=None, sweep_storages=(), pretrained=True,
               data_roots=()):
    """Builds the dashboard for a runs folder.

    Args:
        runs_dir: where runs are written and read. Defaults to `runs`.
        hosts: the host names requests may address (`request_guard.allowed_hosts`);
            defaults to this machine's loopback names.
        sweep_storages: Optuna storage URLs the Sweeps panel may show besides
            the runs folder's `sweeps.db` (a PostgreSQL server, ...).
        pretrained: put the model that ships with mnist-keras into the runs
            folder as the read-only run `pretrained` (back on every start), so
            a person can draw before training anything. Defaults to True.
        data_roots: folders besides the working folder and the one holding
            `runs_dir` that the Data folder box may read (`shared.data_roots`).

    Returns:
        A `dash.Dash` app; its `jobs` attribute is the `JobManager`, its
        `sweeps` attribute the Sweeps panel's `SweepBrowser`.

    A script that serves the app must create it under
    `if __name__ == "__main__":`: training children are started with spawn,
    which re-imports the main module, and an unguarded script would start a
    second server in each child.
    """
    runs_dir = os.path.abspath(runs_dir)
    os.makedirs(runs_dir, exist_ok=True)
    if pretrained:
        _install_pretrained(runs_dir)
    # update_title=None: the page polls twice a second; a flickering
    # "Updating..." tab title would be noise. Bootstrap's CSS is bundled (no
    # CDN: the dashboard works offline) and loads before the page's own rules.
    app = dash.Dash(__name__, title="mnist-keras", update_title=None,
                    assets_folder=os.path.join(os.path.dirname(__file__), "assets"),
                    # Dash matches file names: the bundled CSS is listed above instead.
                    assets_ignore=r"^bootstrap\.min\.css$",
                    external_stylesheets=[BOOTSTRAP_CSS_URL],
                    meta_tags=[{"name": "viewport",
                                "content": "width=device-width, initial-scale=1"}],
                    # A callback that fails answers no change and says so (no HTTP 500).
                    on_error=on_callback_error)
    app.server.config[DATA_ROOTS_KEY] = data_roots_of(runs_dir, data_roots)
    jobs = JobManager(runs_dir, RunIndex(runs_dir))
    app.jobs = jobs
    app.sweeps = SweepBrowser(runs_dir, sweep_storages)
    app.layout = page.page(describe_device())
    page.register(app)
    register_all(app, jobs, runs_dir)
    register_routes(app.server, runs_dir)
    request_guard.install(app.server, hosts or request_guard.allowed_hosts(),
                          MAX_REQUEST_BYTES)
    # Read the bundled images now, in the background, so the first preview or
    # gallery does not wait for it.
    threading.Thread(target=raw_images, daemon=True).start()
    return app


def _install_pretrained(runs_dir):
    # A runs folder where it cannot go (a run of one's own called `pretrained`,
    # a read-only folder) still opens: the page says so by its absence.
    from mnist_keras.errors import MnistKerasError
    from mnist_keras.pretrained import install_pretrained

    try:
        install_pretrained(runs_dir)
    except MnistKerasError as error:
        print(f"mnist-keras dashboard: the pretrained model was not added: {error}",
              file=sys.stderr, flush=True)


def quiet_access_log(verbose=False):
    """Keeps the server's per-request lines out of the terminal unless `verbose`.

    An idle tab polls several times a second: a line per request buried the
    dashboard's own messages (13,541 lines in 25 minutes). Warnings and errors
    still show.
    """
    import logging

    logging.getLogger("werkzeug").setLevel(logging.INFO if verbose else logging.WARNING)


def main(host="127.0.0.1", port=8050, runs_dir="runs", debug=False, allow_hosts=(),
         sweep_storages=(), verbose=False, open_browser=False, data_roots=()):
    """Serves the dashboard until interrupted; stops a running job on exit.

    Requests must address `host`, a loopback name or one of `allow_hosts`;
    each request is logged only with `verbose`; `open_browser` opens the page
    in the system's browser once the server listens.
    """
    quiet_access_log(verbose)
    app = create_app(runs_dir, request_guard.allowed_hosts(host, allow_hosts), sweep_storages,
                     data_roots=data_roots)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"mnist-keras dashboard on {url} (runs in {os.path.abspath(runs_dir)})", flush=True)
    if open_browser:
        import threading
        import webbrowser

        # Shortly after the server starts listening (app.run blocks).
        threading.Timer(1.5, webbrowser.open, (url,)).start()
    serve(app, host, port, debug)


def serve(app, host, port, debug=False):
    """Runs the server until Ctrl+C or SIGTERM, then cancels the running job.

    SIGTERM (what `kill` and service managers send) becomes an ordinary exit,
    so the job is cancelled and kept, not left training as an orphan.
    """
    atexit.register(app.jobs.shutdown)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    app.run(host=host, port=port, debug=debug)


def _exit_on_signal(signum, frame):
    raise SystemExit(128 + signum)
