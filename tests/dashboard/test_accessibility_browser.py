"""The page without a mouse or without sight: charts as tables, drawing by keys, Tab everywhere."""

import json

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.shared import ids
from tests.dashboard.browser import js, predicted, start_dashboard, stop_dashboard, until

pytestmark = pytest.mark.browser


def _chart_texts(duo):
    return js(duo, """return [...document.querySelectorAll('.js-plotly-plot')].map(gd => {
        const box = gd.querySelector(':scope > .chart-text');
        return {graph: gd.parentElement.id, label: gd.getAttribute('aria-label'),
                role: gd.getAttribute('role'), hidden: box && box.matches('.visually-hidden'),
                text: box ? box.textContent : null,
                rows: box ? [...box.querySelectorAll('tbody tr')].map(
                    row => [...row.cells].map(cell => cell.textContent)) : null,
                z: (gd.data.find(t => t.type === 'heatmap') || {}).z || null};});""")


def test_every_chart_reads_as_a_table(dash_duo, small_cnn_runs_dir):
    app = start_dashboard(dash_duo, small_cnn_runs_dir)
    try:
        # Each chart is described a moment after Plotly draws it (again when a
        # panel redraws it), and a panel may draw its chart seconds after the
        # others: one snapshot in which all ten charts are drawn and described.
        snapshot = {}

        def all_described():
            charts = _chart_texts(dash_duo)
            if len({c["graph"] for c in charts}) >= 10 and any(
                    c["graph"] == ids.CONFUSION_GRAPH and c["rows"] for c in charts) and all(
                    c["text"] and c["role"] == "figure" for c in charts):
                snapshot["charts"] = charts
                return True
            return False

        until(dash_duo, all_described, timeout=30)
        charts = {chart["graph"]: chart for chart in snapshot["charts"]}
        assert len(charts) >= 10
        for chart in charts.values():
            # Each is a named figure with a hidden text a screen reader reads:
            # its data, or the sentence an empty chart shows.
            assert chart["role"] == "figure" and chart["label"] and chart["hidden"], chart
            assert chart["text"].startswith(f"Chart: {chart['label']}."), chart
            assert chart["rows"] or "No data shown" in chart["text"], chart
        matrix = charts[ids.CONFUSION_GRAPH]
        # The confusion matrix's table is the matrix: a row per true class.
        assert [row[0] for row in matrix["rows"]] == [str(digit) for digit in range(10)]
        assert [[int(v) for v in row[1:]] for row in matrix["rows"]] == matrix["z"]
        history = json.loads((small_cnn_runs_dir / "small-cnn" / "history.json").read_text())
        losses = [row[2] for row in charts[ids.EPOCH_GRAPH]["rows"] if row[0] == "train loss"]
        assert [float(v) for v in losses] == pytest.approx(
            [epoch["loss"] for epoch in history["epochs"]], rel=1e-3)
    finally:
        stop_dashboard(dash_duo, app)


def test_a_digit_drawn_with_the_keyboard_alone_is_predicted(dash_duo, tmp_path):
    app = start_dashboard(dash_duo, tmp_path / "runs", pretrained=True)
    try:
        until(dash_duo, lambda: "pretrained" in dash_duo.find_element(
            f"#{ids.PREDICT_RUNS}").text, timeout=10)
        keys = ActionChains(dash_duo.driver)
        summary = dash_duo.find_element(".key-pad-box summary")
        js(dash_duo, "document.querySelector('.key-pad-box summary').focus();")
        assert dash_duo.driver.switch_to.active_element == summary
        keys.send_keys(Keys.ENTER).send_keys(Keys.TAB).perform()  # open it, go to the grid
        assert dash_duo.driver.switch_to.active_element.get_attribute("id") == ids.KEY_PAD
        # A vertical stroke down the middle: a one.
        keys = ActionChains(dash_duo.driver)
        for _ in range(5):
            keys.send_keys(Keys.ARROW_UP)
        keys.send_keys(Keys.SPACE).key_down(Keys.SHIFT)
        for _ in range(9):
            keys.send_keys(Keys.ARROW_DOWN)
        keys.key_up(Keys.SHIFT).send_keys(Keys.ENTER).perform()
        until(dash_duo, lambda: predicted(dash_duo) != [], timeout=15)
        assert predicted(dash_duo) == ["1"]
        assert "10 of 196 squares inked" in dash_duo.find_element(f"#{ids.KEY_PAD_STATUS}").text
        assert dash_duo.find_element(f"#{ids.MODEL_INPUT_IMAGE}").get_attribute(
            "src").startswith("data:image/png")
        # Delete clears the grid, and the next prediction says there is nothing to read.
        ActionChains(dash_duo.driver).send_keys(Keys.DELETE).perform()
        until(dash_duo, lambda: predicted(dash_duo) == [], timeout=15)
    finally:
        stop_dashboard(dash_duo, app)


def test_tab_reaches_every_panel_and_leaves_every_table(dash_duo, small_cnn_runs_dir):
    # Regression: Tab stayed on the runs table's first checkbox for good.
    app = start_dashboard(dash_duo, small_cnn_runs_dir)
    try:
        dash_duo.wait_for_element(f"#{ids.RUNS_TABLE} input[type='checkbox']", timeout=20)
        # Every element the focus lands on, in order, logged by the page itself;
        # the Tab presses go in batches (one round trip each).
        js(dash_duo, """document.activeElement && document.activeElement.blur();
            window.scrollTo(0, 0);
            window.focusLog = [];
            document.addEventListener('focusin', (event) => {
              const e = event.target, panel = e.closest('section[id^="section-"]');
              const index = [...document.querySelectorAll('*')].indexOf(e);
              window.focusLog.push([e.id || `${e.tagName}#${index}`,
                                    panel ? panel.id : 'top bar']);
            }, true);""")
        for _ in range(14):
            ActionChains(dash_duo.driver).send_keys(Keys.TAB * 50).perform()
        log = [tuple(entry) for entry in js(dash_duo, "return window.focusLog;")]
        # 700 presses go round the page and start again; a trap keeps the focus in
        # place (logging nothing more), so the round never closes.
        assert log[0] in log[1:], f"Tab never came round the page: stuck at {log[-1]}"
        reached = log[:log.index(log[0], 1)]
        panels = {panel for _, panel in reached}
        assert panels >= {f"section-{key}" for key in (
            "train", "draw", "progress", "results", "runs", "sweeps", "handwriting", "projector",
            "inside", "lessons", "data", "doubt")}
        names = [name for name, _ in reached]
        assert names.index(ids.TRAIN) < names.index(ids.PREDICT) < names.index(ids.SWEEP_START)
        assert ids.DOUBT_RUN in names  # the last panel's first choice
    finally:
        stop_dashboard(dash_duo, app)
