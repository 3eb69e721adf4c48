"""What the dashboard's browser tests share: starting it on a runs folder, waiting, typing.

Every browser test drives real headless Chromium with Dash's own `dash_duo`
fixture; these helpers are the steps they all take, so a change in how the
page loads (a lazily loaded control, a new panel) is handled in one place.
"""

import shutil
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard.app import create_app
from dashboard.shared import ids


def copy_runs(runs_dir, **runs):
    """Copies run folders into `runs_dir` under new names: `copy_runs(d, small=path)`."""
    for name, source in runs.items():
        shutil.copytree(source, runs_dir / name)
    return runs_dir


def start_dashboard(duo, app_or_runs_dir, width=1400, height=1000, query="", pretrained=False):
    """Serves the dashboard (an app, or a new one on a runs folder) and opens it.

    A width under 500 px emulates a phone (a headless window is at least 500 px
    wide). Waits until the Train panel's controls, which load lazily, are there.
    A new app gets the pretrained run only with `pretrained`: most tests count
    the runs they made.

    Returns:
        The app (its `jobs` must be shut down: `stop_dashboard`).
    """
    app = app_or_runs_dir if hasattr(app_or_runs_dir, "jobs") else \
        create_app(app_or_runs_dir, pretrained=pretrained)
    duo.driver.set_window_size(max(width, 500), height)
    duo.start_server(app)
    if width < 500:
        duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 900, "deviceScaleFactor": 1, "mobile": True})
    if query:
        duo.driver.get(duo.server_url + "/" + query)
    duo.wait_for_element(f"#{ids.TRAIN}", timeout=20)
    # Dropdowns and sliders are loaded lazily: on a busy machine they appear
    # seconds after the buttons (regression: a test clicked before they did).
    duo.wait_for_element(f"#{ids.MODEL}", timeout=30)
    duo.wait_for_element(f"#{ids.TRAIN_SIZE} input", timeout=30)
    return app


def stop_dashboard(duo, app):
    """Lets callbacks still computing finish, then stops the app's jobs."""
    # The server must not stop under a callback (inspection after a drawing).
    until(duo, lambda: not js(duo, "return document.querySelector("
                                   "'[data-dash-is-loading=\"true\"]');"), timeout=20)
    app.jobs.shutdown()


def until(duo, condition, timeout):
    """Waits until `condition()` is true."""
    # Dash re-renders components between a find and a read: a stale element
    # just means "look again".
    WebDriverWait(duo.driver, timeout, poll_frequency=0.2,
                  ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda _: condition())


def js(duo, script):
    """Runs `script` in the page and returns its value."""
    return duo.driver.execute_script(script)


def points(duo, graph_id, trace=0):
    """How many points trace `trace` of a graph has drawn."""
    return js(duo, f"""
        const plot = document.querySelector('#{graph_id} .js-plotly-plot');
        return plot && plot.data[{trace}] && plot.data[{trace}].x ? plot.data[{trace}].x.length : 0;
    """)


def set_number(duo, selector, value):
    """Types `value` into a number box, as a person does, and leaves it."""
    element = duo.find_element(selector)
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(str(value), Keys.TAB)


def choose(duo, dropdown_id, label):
    """Opens a dropdown and clicks the option labelled `label`."""
    duo.find_element(f"#{dropdown_id}").click()
    option = duo.driver.find_element(
        By.XPATH, f"//*[@role='option'][normalize-space()='{label}']")
    option.click()


def configure(duo, model="mlp", epochs=1, train_size=1000):
    """Sets up a short training in the Train panel."""
    choose(duo, ids.MODEL, model)
    set_number(duo, f"#{ids.TRAIN_SIZE} input", train_size)
    set_number(duo, f"#{ids.EPOCHS}", epochs)
    set_number(duo, f"#{ids.BATCH_SIZE}", 32)
    time.sleep(0.5)  # let the debounced inputs report their values


def wait_text(duo, element_id, text, timeout):
    """Waits until the element `element_id` contains `text`."""
    duo.wait_for_contains_text(f"#{element_id}", text, timeout=timeout)


def show_canvas(duo):
    """Waits until the Draw panel's pad is there and enabled, and scrolls it into view."""
    duo.wait_for_element(f"#{ids.CANVAS_BOX} canvas.upper-canvas", timeout=20)
    duo.wait_for_element(f"#{ids.PREDICT_RUNS}", timeout=30)  # loaded lazily
    # The newest finished run is selected, so drawing is enabled.
    until(duo, lambda: "disabled" not in duo.find_element(f"#{ids.CANVAS_BOX}")
          .get_attribute("class"), timeout=20)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas(duo))


def canvas(duo):
    """The pad's upper canvas, the one the pointer draws on."""
    return duo.find_element(f"#{ids.CANVAS_BOX} canvas.upper-canvas")


def draw_one(duo):
    """A "1": one vertical stroke down the middle, drawn with the mouse.

    Offsets are from the canvas's top-left corner in this Selenium version.
    """
    (ActionChains(duo.driver).move_to_element_with_offset(canvas(duo), 140, 45)
     .click_and_hold().move_by_offset(2, 50).move_by_offset(2, 50).move_by_offset(1, 50)
     .move_by_offset(0, 40).release().perform())


def draw_seven(duo):
    """A "7": a bar along the top, then a stroke down to the lower left."""
    (ActionChains(duo.driver).move_to_element_with_offset(canvas(duo), 70, 50)
     .click_and_hold().move_by_offset(70, 0).move_by_offset(70, 0)
     .move_by_offset(-40, 90).move_by_offset(-40, 90).release().perform())


def predicted(duo):
    """The digits the Draw panel's models answered, in order."""
    return [element.text for element in
            duo.find_elements(f"#{ids.PREDICTIONS} .predicted-digit")]


def ink_pixels(duo):
    """How many dark pixels the pad's drawing holds (0 when it is clear)."""
    return js(duo, f"""
        const canvas = document.querySelector('#{ids.CANVAS_BOX} canvas.lower-canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width,
                                                          canvas.height).data;
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 128) ink++;
        return ink;""")


# WCAG contrast of each element's text (an input's value or placeholder) against
# what lies behind it (backgrounds composited up the tree, semi-transparent or faded
# text over them): the elements under `selector` whose ratio is below `minimum`,
# as [text, ratio].
_CONTRAST = """
const [selector, minimum] = arguments;
const rgba = (s) => { const m = (s.match(/[\\d.]+/g) || [0, 0, 0, 0]).map(Number);
                      return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const over = (top, under) => under.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
const luminance = (c) => { const [r, g, b] = c.map((v) => { v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const behind = (element) => {
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const colour = rgba(getComputedStyle(e).backgroundColor);
    if (colour[3] > 0) { layers.push(colour); if (colour[3] >= 1) break; }
  }
  let colour = [255, 255, 255];
  for (const layer of layers.reverse()) colour = over(layer, colour);
  return colour;
};
// An input shows its value, or its placeholder (in the placeholder's colour).
const shown = (element) => element.tagName !== 'INPUT' ? [element.innerText, null]
  : element.value ? [element.value, null] : [element.placeholder, '::placeholder'];
const opacity = (element) => { let product = 1;
  for (let e = element; e; e = e.parentElement) product *= Number(getComputedStyle(e).opacity);
  return product; };
const failing = [];
for (const element of document.querySelectorAll(selector)) {
  const [content, part] = shown(element);
  const text = content && content.trim();
  // Disabled controls are exempt (WCAG 1.4.3: inactive components).
  if (!text || !element.offsetParent || element.disabled) continue;
  const back = behind(element);
  const colour = rgba(getComputedStyle(element, part).color);
  colour[3] *= opacity(element);
  if (colour[3] === 0) continue;  // drawn invisible on purpose (a hint shown on hover)
  const fore = over(colour, back);
  const [light, dark] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  if (ratio < minimum) failing.push([text.slice(0, 40), Math.round(ratio * 100) / 100]);
}
return failing;
"""


def low_contrast(duo, selector, minimum=4.5):
    """The visible texts under `selector` with a contrast ratio below `minimum`."""
    return duo.driver.execute_script(_CONTRAST, selector, minimum)


def use_theme(duo, theme):
    """Switches the page to Bootstrap's `light` or `dark` colour mode."""
    duo.driver.execute_script(
        "document.documentElement.setAttribute('data-bs-theme', arguments[0]);", theme)
    time.sleep(0.5)  # Bootstrap's buttons fade to their new colours in 0.15 s


# Every text a Plotly figure drew (titles, tick labels, axis titles,
# annotations, legend), with its box on the page.
_FIGURE_TEXTS = """
const plot = document.querySelector(`#${arguments[0]} .js-plotly-plot`);
if (!plot) return null;
const frame = plot.getBoundingClientRect();
const texts = [...plot.querySelectorAll('.main-svg text, .main-svg .annotation-text')]
  .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map((t) => { const r = t.getBoundingClientRect();
                return {text: t.textContent.trim(), left: r.left - frame.left,
                        right: r.right - frame.left, top: r.top - frame.top,
                        bottom: r.bottom - frame.top}; });
return {width: frame.width, height: frame.height, texts: texts};
"""


def figure_text_problems(duo, graph_id, slack=1):
    """What would make a figure's words unreadable: texts cut by its edges, texts on texts.

    Returns:
        A list of sentences (empty when every label stands clear), e.g.
        `"'label_smoothing' overlaps '0.018'"`.
    """
    found = duo.driver.execute_script(_FIGURE_TEXTS, graph_id)
    if found is None:
        return [f"{graph_id} has no figure"]
    problems = [f"{text['text']!r} is cut by the figure's edge" for text in found["texts"]
                if text["left"] < -slack or text["right"] > found["width"] + slack]
    texts = found["texts"]
    for index, one in enumerate(texts):
        for other in texts[index + 1:]:
            if (one["left"] + slack < other["right"] and other["left"] + slack < one["right"]
                    and one["top"] + slack < other["bottom"]
                    and other["top"] + slack < one["bottom"]):
                problems.append(f"{one['text']!r} overlaps {other['text']!r}")
    return problems
