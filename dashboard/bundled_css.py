"""Bootstrap's CSS, bundled with the dashboard: refreshed from npm, checked against it.

dash-bootstrap-components renders Bootstrap's markup and leaves the CSS to
the page, usually from a CDN; the dashboard must work offline, so the CSS of
the Bootstrap release that dash-bootstrap-components targets is package data
in `assets/vendor/` (pinned in package.json and package-lock.json).

    python3 -m dashboard.bundled_css refresh   # after `npm ci`
"""

import os
import shutil
import sys

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")
BOOTSTRAP_CSS = os.path.join(ASSETS, "vendor", "bootstrap.min.css")
# Served from the assets folder, which Dash maps to /assets/.
BOOTSTRAP_CSS_URL = "/assets/vendor/bootstrap.min.css"
NPM_FILE = os.path.join("node_modules", "bootstrap", "dist", "css", "bootstrap.min.css")


def refresh(project_dir="."):
    """Copies Bootstrap's CSS from `node_modules` (installed by `npm ci`) into the package."""
    source = os.path.join(project_dir, NPM_FILE)
    if not os.path.isfile(source):
        raise SystemExit(f"Expected {NPM_FILE} (run `npm ci` first). Received: nothing there")
    shutil.copyfile(source, BOOTSTRAP_CSS)
    print(f"copied {source} -> {BOOTSTRAP_CSS}")


if __name__ == "__main__":
    if sys.argv[1:] != ["refresh"]:
        raise SystemExit("usage: python3 -m dashboard.bundled_css refresh")
    refresh()
