"""Fixtures the dashboard's tests share."""

import pytest

from tests.dashboard.browser import copy_runs


@pytest.fixture(scope="module")
def small_cnn_runs_dir(tmp_path_factory, small_cnn_run):
    """A runs folder of the test module's own, holding a copy of the small CNN's run."""
    return copy_runs(tmp_path_factory.mktemp("runs"), **{"small-cnn": small_cnn_run})
