"""Serving a run's exported TF.js site from the dashboard, so it opens with one click.

    GET /exported/<run name>/<file>   ->   RUNS_DIR/<run name>/site/<file>

Read-only (GET only), inside the run's `site/` folder only (the run name goes
through `run_in`, the file through Flask's `safe_join`), and to this machine
only: a request from any other address is refused, even when the dashboard was
deliberately bound to one. Nothing is cached, so a new export shows at once.
"""

import ipaddress
import os

import flask

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in

PREFIX = "/exported"


def site_url(name):
    """Where the dashboard serves run `name`'s exported page."""
    return f"{PREFIX}/{name}/index.html"


def _from_this_machine(address):
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def register_routes(server, runs_dir):
    """Adds the `/exported/...` route to the dashboard's Flask server."""

    @server.get(f"{PREFIX}/<name>/<path:file>")
    def exported_file(name, file):
        if not _from_this_machine(flask.request.remote_addr):
            flask.abort(403)
        try:
            folder = run_in(runs_dir, name).file("site")
        except MnistKerasError:
            flask.abort(404)
        if not os.path.isfile(os.path.join(folder, "model-info.json")):
            flask.abort(404)
        response = flask.send_from_directory(folder, file, max_age=0)
        response.headers["Cache-Control"] = "no-store"
        return response
