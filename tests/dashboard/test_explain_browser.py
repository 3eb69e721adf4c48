"""The explanation views in headless Chromium: confusion cells, saliency and an
adversarial drawing for a drawing, and the drawing's star on the projector."""

import json

import pytest
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.interaction import POINTER_MOUSE
from selenium.webdriver.common.actions.pointer_input import PointerInput

from dashboard.panels.projector import figures as explain_figures
from dashboard.shared import ids
from tests.dashboard.browser import (
    draw_one,
    js,
    show_canvas,
    start_dashboard,
    stop_dashboard,
    until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def runs_dir(small_cnn_runs_dir):
    return small_cnn_runs_dir


@pytest.fixture
def page(dash_duo, runs_dir):
    app = start_dashboard(dash_duo, runs_dir)
    yield dash_duo
    stop_dashboard(dash_duo, app)


def _click_cell(duo, graph_id, true, predicted):
    """A real mouse click on the heatmap cell (true, predicted): the matrix fills the
    plot area, label 0 in the top row and the left column."""
    duo.driver.execute_script(f"document.querySelector('#{graph_id}').scrollIntoView("
                              "{block: 'center'});")
    x, y = js(duo, f"""
        const plot = document.querySelector('#{graph_id} .js-plotly-plot');
        const box = plot.querySelector('.nsewdrag').getBoundingClientRect();
        return [box.left + ({predicted} + 0.5) * box.width / 10,
                box.top + ({true} + 0.5) * box.height / 10];
    """)
    mouse = PointerInput(POINTER_MOUSE, "mouse")
    actions = ActionBuilder(duo.driver, mouse=mouse)
    actions.pointer_action.move_to_location(int(x), int(y)).click()
    actions.perform()


def _captions(duo, container):
    return [e.text for e in duo.find_elements(f"#{container} figcaption")]


def test_a_click_on_a_confusion_cell_shows_its_digits(page, runs_dir):
    duo = page
    metrics = json.loads((runs_dir / "small-cnn" / "metrics.json").read_text())
    matrix = metrics["confusion_matrix"]
    true, predicted = max(((t, p) for t in range(10) for p in range(10) if t != p),
                          key=lambda cell: matrix[cell[0]][cell[1]])
    count = matrix[true][predicted]
    until(duo, lambda: js(duo, f"""const p = document.querySelector(
        '#{ids.CONFUSION_GRAPH} .js-plotly-plot'); return p && p.data.length > 0;"""),
           timeout=20)
    digits = ids.view_id(ids.CELL_DIGITS, ids.VIEW_RESULTS)
    _click_cell(duo, ids.CONFUSION_GRAPH, true, predicted)
    until(duo, lambda: len(_captions(duo, digits)) == min(count, 60), timeout=15)
    assert set(_captions(duo, digits)) <= {f"{true} → {predicted} ({c}%)" for c in range(101)}
    assert f"True {true}, read as {predicted}: {count} test digits" in \
        duo.find_element(f"#{digits}").text
    # The most confused pair leads the list beside it.
    pairs = duo.find_elements(f"#{ids.view_id(ids.CONFUSED_PAIRS, ids.VIEW_RESULTS)} button")
    assert pairs[0].text == f"{true} → {predicted}: {count}"
    # A click on a digit shows what its answer rested on.
    duo.find_element(f"#{digits} .cell-digit").click()
    saliency = ids.view_id(ids.CELL_SALIENCY, ids.VIEW_RESULTS)
    until(duo, lambda: len(_captions(duo, saliency)) == 2, timeout=15)
    assert _captions(duo, saliency) == [f"what made it {predicted}",
                                        f"what spoke for {true} (the truth)"]
    # Another method explains the same digit again.
    duo.find_element(f"#{ids.CELL_METHOD}").click()
    duo.driver.find_element("xpath", "//*[@role='option'][normalize-space()='smoothgrad']"
                            ).click()
    until(duo, lambda: "(smoothgrad)" in duo.find_element(f"#{saliency}").text, timeout=15)
    # A diagonal cell says why it lists nothing.
    _click_cell(duo, ids.CONFUSION_GRAPH, 1, 1)
    until(duo, lambda: "were read correctly" in duo.find_element(f"#{digits}").text,
           timeout=10)
    # Calibration of the same run, with its ECE.
    calibration = f"#{ids.CALIBRATION_GRAPH} .js-plotly-plot"
    until(duo, lambda: js(duo, f"return document.querySelector('{calibration}')"
                                 ".layout.title.text").startswith("Calibration · ECE "),
           timeout=10)
    # The same from the comparison, per ticked run.
    box = duo.find_elements(f"#{ids.RUNS_TABLE} tbody input[type='checkbox']")[0]
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    box.click()
    until(duo, lambda: js(duo, f"""const p = document.querySelector(
        '#{ids.COMPARE_CELL_MATRIX} .js-plotly-plot'); return p && p.data.length > 0;"""),
           timeout=20)
    _click_cell(duo, ids.COMPARE_CELL_MATRIX, true, predicted)
    compared = ids.view_id(ids.CELL_DIGITS, ids.VIEW_COMPARE)
    until(duo, lambda: len(_captions(duo, compared)) == min(count, 60), timeout=15)


def _star(duo):
    return js(duo, f"""const p = document.querySelector('#{ids.PROJECTOR_GRAPH} .js-plotly-plot');
        if (!p || p.data.length <= {explain_figures.STAR_TRACE}) return null;
        const star = p.data[{explain_figures.STAR_TRACE}];
        return star.x.length ? [star.x[0], star.y[0]] : [];""")


def test_a_drawing_gets_its_saliency_its_adversarial_and_its_star(page):
    duo = page
    show_canvas(duo)
    # The projector maps the test digits in the background once asked (PCA: seconds).
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});",
                              duo.find_element(f"#{ids.PROJECTOR_RUN}"))
    duo.find_element(f"#{ids.PROJECTOR_RUN}").click()
    duo.driver.find_element(
        "xpath", "//*[@role='option'][contains(normalize-space(), 'small-cnn ·')]").click()
    until(duo, lambda: "Computing the PCA map" in duo.find_element(
        f"#{ids.PROJECTOR_STATUS}").text or _star(duo) == [], timeout=10)
    until(duo, lambda: _star(duo) == [], timeout=30)
    points = js(duo, f"""return document.querySelector('#{ids.PROJECTOR_GRAPH} .js-plotly-plot')
        .data.slice(0, 10).reduce((n, t) => n + t.x.length, 0);""")
    assert points == 2000
    # On a phone the map takes the width: its plot area is at least 80% of the window's.
    # Regression: 117 px of 400, beside the hovered digit, behind wide margins.
    size = duo.driver.get_window_size()
    duo.driver.set_window_size(400, 900)
    until(duo, lambda: js(duo, f"""const box = document.querySelector(
        '#{ids.PROJECTOR_GRAPH} .nsewdrag').getBoundingClientRect();
        return box.width >= 0.8 * document.documentElement.clientWidth;"""), timeout=10)
    duo.driver.set_window_size(size["width"], size["height"])
    show_canvas(duo)
    draw_one(duo)
    until(duo, lambda: duo.find_elements(f"#{ids.WHY_CARDS} img[alt='gradcam map']"),
           timeout=20)
    captions = _captions(duo, ids.WHY_CARDS)
    assert captions[0] == "gradcam: what made it 1"
    assert "epsilon" in captions[1] and "reads" in captions[1]
    adversarial = duo.find_elements(f"#{ids.WHY_CARDS} img")[1].get_attribute("src")
    assert adversarial.startswith("data:image/png;base64,")
    until(duo, lambda: _star(duo) not in (None, []), timeout=15)
    first = _star(duo)
    assert "read as 1" in duo.find_element(f"#{ids.PROJECTOR_STAR}").text
    # More ink: a bar across the top makes a 7, and the star moves.
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});",
                              duo.find_element(f"#{ids.CANVAS_BOX} canvas.upper-canvas"))
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = duo.find_element(f"#{ids.CANVAS_BOX} canvas.upper-canvas")
    (ActionChains(duo.driver).move_to_element_with_offset(canvas, 60, 45).click_and_hold()
     .move_by_offset(40, 0).move_by_offset(40, 0).move_by_offset(40, 0).release().perform())
    until(duo, lambda: _star(duo) not in (None, [], first), timeout=15)
    # Hover shows a digit; a lasso around the middle of the map shows the digits in it.
    graph = f"#{ids.PROJECTOR_GRAPH} .js-plotly-plot"
    duo.driver.execute_script(f"document.querySelector('{graph}').scrollIntoView("
                              "{block: 'center'});")
    left, top, width, height, px, py = js(duo, f"""
        const plot = document.querySelector('{graph}');
        const box = plot.querySelector('.nsewdrag').getBoundingClientRect();
        const trace = plot.data[1], layout = plot._fullLayout;
        return [box.left, box.top, box.width, box.height,
                box.left + layout.xaxis.d2p(trace.x[0]), box.top + layout.yaxis.d2p(trace.y[0])];
    """)
    mouse = PointerInput(POINTER_MOUSE, "mouse")
    hover = ActionBuilder(duo.driver, mouse=mouse)
    hover.pointer_action.move_to_location(int(px), int(py))
    hover.perform()
    until(duo, lambda: duo.find_elements(f"#{ids.PROJECTOR_HOVER} img"), timeout=10)
    assert duo.find_element(f"#{ids.PROJECTOR_HOVER}").text.startswith("test digit ")
    lasso = ActionBuilder(duo.driver, mouse=mouse)
    corners = [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.32)]
    first_x, first_y = corners[0]
    lasso.pointer_action.move_to_location(int(left + first_x * width),
                                          int(top + first_y * height)).pointer_down()
    for (ax, ay), (bx, by) in zip(corners, corners[1:]):
        for step in range(1, 6):  # a lasso is a path: several moves along each side
            fx, fy = ax + (bx - ax) * step / 5, ay + (by - ay) * step / 5
            lasso.pointer_action.move_to_location(int(left + fx * width),
                                                  int(top + fy * height))
    lasso.pointer_action.pointer_up()
    lasso.perform()
    until(duo, lambda: "digits selected" in duo.find_element(
        f"#{ids.PROJECTOR_SELECTION}").text, timeout=10)
    assert duo.find_elements(f"#{ids.PROJECTOR_SELECTION} .tile img")
