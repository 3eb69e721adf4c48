"""The docs' notebook, executed headless in a real Jupyter kernel, and its inline dashboard.

The notebook shows the dashboard inline and trains its own model with
`RunRecorder`; while its kernel still serves the dashboard, headless
Chromium opens the address the cell's frame points at and finds the run.
"""

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from dashboard.shared import ids
from mnist_keras.errors import MnistKerasError
from mnist_keras.runs import Run, RunStatus
from tests.dashboard.browser import until

pytestmark = pytest.mark.browser

NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "notebooks",
                        "your-own-model.ipynb")


def _outputs(cell, kind):
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        elif kind in output.get("data", {}):
            texts.append(output["data"][kind])
    return "".join(texts)


def test_the_notebook_runs_and_its_inline_dashboard_shows_the_run(dash_duo, tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        shown = _outputs(notebook.cells[1], "text/html")
        (url,) = re.findall(r'<iframe[^>]*src="(http://127\.0\.0\.1:\d+/)"', shown)
        assert f"The dashboard is also at {url}" in shown
        run = Run(tmp_path / "runs" / "my-first-cnn-in-a-notebook")
        assert run.status is RunStatus.COMPLETED and run.config().origin == "code"
        printed = _outputs(notebook.cells[-1], "text/plain")
        assert f"test accuracy {run.metrics().test_accuracy:.2%}" in printed
        # The kernel still serves the dashboard: the frame's page lists the run.
        dash_duo.driver.get(url)
        until(dash_duo, lambda: any(
            "my-first-cnn-in-a-notebook" in row.text and "completed" in row.text
            for row in dash_duo.find_elements(f"#{ids.RUNS_TABLE} tbody tr")), timeout=60)
        assert "pretrained" in dash_duo.find_element(f"#{ids.RUNS_TABLE}").text


def test_outside_a_notebook_the_call_says_where_to_go():
    from dashboard.notebook import show_dashboard

    with pytest.raises(MnistKerasError, match="mnist-keras dashboard"):
        show_dashboard("runs")
    with pytest.raises(MnistKerasError, match="mode in"):
        show_dashboard("runs", mode="popup")
