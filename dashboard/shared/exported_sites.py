"""Serving a run's exported pages from the dashboard, so they open with one click.

    GET /exported/<run name>/<file>                  ->  RUNS_DIR/<run name>/site/<file>
    GET /exported/<run name>/exports/<folder>/<file> ->  RUNS_DIR/<run name>/exports/<folder>/<file>

The first is the TF.js page; the second an export with a page of its own
(the ONNX page on onnxruntime-web). Read-only (GET only), inside a folder
that holds a page (`model-info.json`) only (the run name goes through
`run_in`, the file through `safe_join`, and a symbolic link must still lead
to a file inside the page's folder), and to this machine
only: a request from any other address is refused, even when the dashboard was
deliberately bound to one. Nothing is cached, so a new export shows at once.
"""

import ipaddress
import os

import flask

from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import run_in

PREFIX = "/exported"


def site_url(name, export=None):
    """Where the dashboard serves run `name`'s exported page (or that of `exports/EXPORT/`)."""
    return f"{PREFIX}/{name}/" + (f"exports/{export}/" if export else "") + "index.html"


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
        parts = file.split("/")
        if len(parts) > 2 and parts[0] == "exports":
            path = _inside_site(run, "/".join(parts[2:]), os.path.join("exports", parts[1]))
        else:
            path = _inside_site(run, file)
        if path is None:
            flask.abort(404)
        response = flask.send_file(path, max_age=0)
        response.headers["Cache-Control"] = "no-store"
        return response


def _inside_site(run, file, folder="site"):
    """The real path of `file` in the run's page folder (`site` or `exports/NAME`), or None.

    Symbolic links are followed first and the result must still be a file
    inside that folder of the run's own: a link in the page's folder to
    anywhere else on the machine is not served, nor is a folder that is itself
    a link away, or one that holds no page.
    """
    from werkzeug.security import safe_join

    if folder != "site" and (os.path.dirname(folder) != "exports"
                             or os.path.basename(folder) in ("", ".", "..")):
        return None
    site = os.path.realpath(os.path.join(run.path, folder))
    if site != os.path.join(os.path.realpath(run.path), folder) or \
            not os.path.isfile(os.path.join(site, "model-info.json")):
        return None
    joined = safe_join(site, file)
    if joined is None:
        return None
    real = os.path.realpath(joined)
    if os.path.commonpath([real, site]) != site or not os.path.isfile(real):
        return None
    return real
