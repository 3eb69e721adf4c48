"""Drawing on the dashboard's canvas with real mouse strokes in headless Chromium."""

import os
import shutil

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.interaction import POINTER_TOUCH
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.keys import Keys

from dashboard.shared import ids
from mnist_keras.drawing_pad import PAD_SIZE, PAUSE_MS
from tests.dashboard.browser import (
    draw_one,
    ink_pixels,
    js,
    predicted,
    show_canvas,
    start_dashboard,
    stop_dashboard,
    until,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def drawing_page(dash_duo, small_cnn_runs_dir):
    app = start_dashboard(dash_duo, small_cnn_runs_dir)
    show_canvas(dash_duo)
    yield dash_duo
    stop_dashboard(dash_duo, app)


def test_canvas_is_the_pads_size(drawing_page):
    sizes = js(drawing_page, f"""return [...document.querySelectorAll(
        '#{ids.CANVAS_BOX} canvas')].map(c => [c.width, c.height,
        c.getBoundingClientRect().width, c.getBoundingClientRect().height]);""")
    assert sizes == [[PAD_SIZE] * 4] * 2 and PAD_SIZE == 280
    pause = js(drawing_page, f"return document.getElementById('{ids.CANVAS_BOX}')"
                              ".dataset.pauseMs;")
    assert int(pause) == PAUSE_MS


# Records each callback request the page sends: its outputs and the inputs that fired it.
_RECORD_REQUESTS = """
    window.dashRequests = [];
    const send = window.fetch;
    window.fetch = function (url, options) {
      if (String(url).includes('_dash-update-component')) {
        const body = JSON.parse(options.body);
        window.dashRequests.push({output: body.output,
                                  changed: body.changedPropIds || []});
      }
      return send.apply(this, arguments);
    };
"""


def test_a_stroke_reaches_its_answer_in_one_round_trip(drawing_page):
    duo = drawing_page
    duo.driver.execute_script(_RECORD_REQUESTS)
    draw_one(duo)
    until(duo, lambda: predicted(duo) != [], timeout=15)
    requests = js(duo, "return window.dashRequests;")
    from_canvas = [request for request in requests
                   if any(changed.startswith(f"{ids.CANVAS}.") for changed in request["changed"])]
    # The canvas's data goes out once, and that very request brings the answer
    # back (the strokes are kept on the side): no second trip through a store.
    assert len(from_canvas) == 1, requests
    assert f"{ids.PREDICTIONS}.children" in from_canvas[0]["output"]
    assert f"{ids.STROKES}.data" in from_canvas[0]["output"]
    assert not any(f"{ids.STROKES}.data" in changed
                   for request in requests for changed in request["changed"]), requests


def test_mouse_strokes_predict_without_clicking_predict(drawing_page):
    duo = drawing_page
    assert predicted(duo) == []
    draw_one(duo)
    # No click: the prediction follows the stroke.
    until(duo, lambda: predicted(duo) != [], timeout=15)
    assert predicted(duo) == ["1"]
    confidence = duo.find_element(f"#{ids.PREDICTIONS} .confidence")
    assert "confidence" in confidence.text
    level = confidence.get_attribute("class").split()[-1]
    percent = float(confidence.text.split()[-1].rstrip("%"))
    assert level == ("high" if percent > 80 else "medium" if percent >= 50 else "low")
    bars = js(duo, f"""return document.querySelector(
        '#{ids.PREDICTIONS} .js-plotly-plot').data[0].y.length;""")
    assert bars == 10
    # The 28x28 input the model saw is shown.
    source = duo.find_element(f"#{ids.MODEL_INPUT_IMAGE}").get_attribute("src")
    assert source.startswith("data:image/png;base64,")


def test_clear_empties_canvas_and_prediction(drawing_page):
    duo = drawing_page
    draw_one(duo)
    until(duo, lambda: predicted(duo) != [], timeout=15)
    assert ink_pixels(duo) > 1000
    duo.find_element(f"#{ids.CLEAR}").click()
    until(duo, lambda: predicted(duo) == [] and ink_pixels(duo) == 0, timeout=10)
    assert "Draw a digit" in duo.find_element(f"#{ids.PREDICTIONS}").text
    assert duo.find_element(f"#{ids.MODEL_INPUT_IMAGE}").get_attribute("src") in ("", None)
    # Predict on the cleared canvas predicts nothing.
    duo.find_element(f"#{ids.PREDICT}").click()
    duo.wait_for_contains_text(f"#{ids.PREDICTIONS}", "Draw a digit", timeout=5)
    assert predicted(duo) == []


def test_feature_maps_and_activation_flow_appear_for_the_drawing(drawing_page):
    duo = drawing_page
    draw_one(duo)
    until(duo, lambda: len(duo.find_elements(f"#{ids.FEATURE_MAPS} .js-plotly-plot")) >= 2,
           timeout=20)
    titles = js(duo, f"""return [...document.querySelectorAll(
        '#{ids.FEATURE_MAPS} .js-plotly-plot')].map(p => p.layout.title.text);""")
    assert titles[0].startswith("conv2d") and "26×26" in titles[0]
    assert any(title.startswith("max_pooling2d") for title in titles)
    flow = js(duo, f"""const p = document.querySelector('#{ids.ACTIVATION_FLOW} .js-plotly-plot');
        return p.data.length ? p.data[0].x : [];""")
    assert flow[-1] == "probabilities"
    # Weights of the first conv layer are shown without a drawing.
    until(duo, lambda: js(duo, f"""const p = document.querySelector(
        '#{ids.WEIGHT_GRAPH} .js-plotly-plot');
        return p && p.data.length && p.data[0].type === 'heatmap';"""), timeout=10)
    rows = duo.find_elements(f"#{ids.LAYER_SUMMARY} tbody tr")
    assert len(rows) > 3


def test_touch_strokes_predict(drawing_page):
    duo = drawing_page
    # A touch screen: the canvas library listens for touch events only where
    # the browser says it has one, as it decides when the page loads.
    duo.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                               {"enabled": True, "maxTouchPoints": 5})
    duo.driver.refresh()
    show_canvas(duo)
    # Viewport coordinates, as pointer actions take them.
    box = js(duo, f"""return document.querySelector(
        '#{ids.CANVAS_BOX} canvas.upper-canvas').getBoundingClientRect().toJSON();""")
    left, top = box["left"] + 140, box["top"] + 45
    touch = PointerInput(POINTER_TOUCH, "finger")
    actions = ActionBuilder(duo.driver, mouse=touch)
    actions.pointer_action.move_to_location(int(left), int(top)).pointer_down()
    for step in range(1, 11):
        actions.pointer_action.move_to_location(int(left + step // 4), int(top + 19 * step))
    actions.pointer_action.pointer_up()
    actions.perform()
    until(duo, lambda: predicted(duo) != [], timeout=15)
    assert predicted(duo) == ["1"]


def test_two_runs_predict_side_by_side_and_test_on_mnist(drawing_page, small_cnn_runs_dir):
    duo = drawing_page
    # A second finished run: a copy, made the newest so it is the one selected
    # when the page opens; the test then adds the original.
    shutil.copytree(small_cnn_runs_dir / "small-cnn", small_cnn_runs_dir / "small-cnn-copy")
    os.utime(small_cnn_runs_dir / "small-cnn-copy" / "config.json")
    duo.driver.refresh()
    show_canvas(duo)
    duo.find_element(f"#{ids.PREDICT_RUNS}").click()
    option = duo.driver.find_element(
        "xpath", "//*[@role='option'][contains(normalize-space(), 'small-cnn ·')]")
    option.click()
    ActionChains(duo.driver).send_keys(Keys.ESCAPE).perform()
    # Regression: the chosen names ran together, cut alike, with Dash's ", "
    # on a line of its own. Each is on its own line now, nothing between.
    chosen = js(duo, f"""return [...document.querySelectorAll(
        '#{ids.PREDICT_RUNS} .dash-dropdown-value-item')].map(item => {{
          const box = item.getBoundingClientRect();
          return [item.textContent, box.top, box.bottom,
                  getComputedStyle(item, '::before').content];}});""")
    assert [text.split(" · ")[0] for text, *_ in chosen] == ["small-cnn-copy", "small-cnn"]
    assert chosen[1][1] >= chosen[0][2] - 1
    assert {content for *_, content in chosen} == {"none"}
    draw_one(duo)
    until(duo, lambda: len(predicted(duo)) == 2, timeout=15)
    assert predicted(duo) == ["1", "1"]
    duo.find_element(f"#{ids.TEST_DIGITS}").click()
    until(duo, lambda: len(duo.find_elements(f"#{ids.TEST_RESULTS} .test-section")) == 2,
           timeout=15)
    assert len(duo.find_elements(f"#{ids.TEST_RESULTS} .tile")) == 2 * 20
    marked = duo.find_elements(f"#{ids.TEST_RESULTS} .tile.correct, "
                               f"#{ids.TEST_RESULTS} .tile.wrong")
    assert len(marked) == 40
    assert "of 20 right" in duo.find_element(f"#{ids.TEST_RESULTS} .card-title").text


def test_a_block_of_the_network_diagram_shows_that_layers_weights(drawing_page):
    duo = drawing_page
    until(duo, lambda: len(duo.find_elements(f"#{ids.NETWORK_DIAGRAM} .net-block")) >= 5,
           timeout=30)
    names = [block.find_element("css selector", ".net-name").text for block in
             duo.find_elements(f"#{ids.NETWORK_DIAGRAM} button.net-block")]
    assert names[0].startswith("conv2d") and names[-1] == "probabilities"
    # Found afresh each time: the diagram may be drawn again while the page settles.
    dense = f"""[...document.querySelectorAll('#{ids.NETWORK_DIAGRAM} button.net-block')]
        .find(b => b.querySelector('.net-type').textContent === 'Dense')"""

    def clicked_and_focused():
        # A click that lands while the diagram is drawn again is lost: click again.
        return js(duo, f"""const b = {dense};
            if (b.classList.contains('focused')) return true;
            b.scrollIntoView({{block: 'center'}}); b.click(); return false;""")

    until(duo, clicked_and_focused, timeout=30)
    # Keras numbers layer names per process ("dense", "dense_2"): read the block's.
    name = js(duo, f"return {dense}.querySelector('.net-name').textContent;")
    assert name.startswith("dense")
    until(duo, lambda: js(duo, f"""const p = document.querySelector(
        '#{ids.WEIGHT_GRAPH} .js-plotly-plot');
        return p && p.layout.title.text.startsWith('{name} weights');"""), timeout=20)


def test_a_first_launch_draws_with_the_pretrained_model(dash_duo, tmp_path):
    # No run trained yet: the shipped model is there, read-only, ready to draw.
    app = start_dashboard(dash_duo, tmp_path / "runs", pretrained=True)
    # Drawing is where a first-time user looks: the first panel beside the
    # settings, right under the top bar (it was 7,800 px down the page).
    assert js(dash_duo, "return document.getElementById('section-draw')"
                        ".getBoundingClientRect().top;") < 150
    show_canvas(dash_duo)
    until(dash_duo, lambda: "pretrained" in dash_duo.find_element(f"#{ids.PREDICT_RUNS}").text,
          timeout=10)
    draw_one(dash_duo)
    until(dash_duo, lambda: predicted(dash_duo) != [], timeout=15)
    assert predicted(dash_duo) == ["1"]
    assert "pretrained" in dash_duo.find_element(f"#{ids.PREDICTIONS} .card-title").text
    stop_dashboard(dash_duo, app)
