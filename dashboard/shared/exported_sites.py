"""Serving a run's exported TF.js site from the dashboard, so it opens with one click.

    GET /exported/<run name>/<file>   ->   RUNS_DIR/<run name>/site/<file>

Read-only (GET only), inside the run's `site/` folder only (the run name goes
through `run_in`, the file through `safe_join`, and a symbolic link must
still lead to a file inside the site), and to this machine
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
            run = run_in(runs_dir, name)
        except MnistKerasError:
            flask.abort(404)
        path = _inside_site(run, file)
        if path is None:
            flask.abort(404)
        response = flask.send_file(path, max_age=0)
        response.headers["Cache-Control"] = "no-store"
        return response


def _inside_site(run, file):
    """The real path of `file` in the run's exported site, or None.

    Symbolic links are followed first and the result must still be a file
    inside the run's own `site/` folder: a link in the site to anywhere else
    on the machine is not served, nor is a `site/` that is itself a link away.
    """
    from werkzeug.security import safe_join

    site = os.path.realpath(run.file("site"))
    if os.path.dirname(site) != os.path.realpath(run.path) or \
            not os.path.isfile(os.path.join(site, "model-info.json")):
        return None
    joined = safe_join(site, file)
    if joined is None:
        return None
    real = os.path.realpath(joined)
    if os.path.commonpath([real, site]) != site or not os.path.isfile(real):
        return None
    return real
