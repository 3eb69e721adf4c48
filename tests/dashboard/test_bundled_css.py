"""Bootstrap's CSS ships with the dashboard: the pinned release, byte for byte."""

import json
import os

import dash_bootstrap_components as dbc
import pytest

from dashboard.bundled_css import BOOTSTRAP_CSS, NPM_FILE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _locked_version():
    with open(os.path.join(ROOT, "package-lock.json"), encoding="utf-8") as f:
        return json.load(f)["packages"]["node_modules/bootstrap"]["version"]


def test_the_locked_bootstrap_is_the_one_dash_bootstrap_components_targets():
    # dbc names its Bootstrap release in the CDN address it would use.
    assert f"bootstrap@{_locked_version()}/" in dbc.themes.BOOTSTRAP


def test_the_bundled_css_is_what_npm_installs_from_the_lock_file():
    installed = os.path.join(ROOT, NPM_FILE)
    if not os.path.isfile(installed):
        pytest.fail("node_modules/ is not installed: run `npm ci` (the tests session does)")
    with open(installed, "rb") as npm, open(BOOTSTRAP_CSS, "rb") as bundled:
        assert npm.read() == bundled.read()


def test_the_page_loads_the_bundled_css_first_and_nothing_from_a_cdn(tmp_path):
    from dashboard.app import create_app

    page = create_app(tmp_path / "runs").server.test_client().get("/").get_data(as_text=True)
    links = [line for line in page.splitlines() if "stylesheet" in line]
    assert "/assets/vendor/bootstrap.min.css" in links[0] and "style.css" in links[-1]
    assert sum("bootstrap.min.css" in line for line in links) == 1
    assert "cdn" not in page.lower()
