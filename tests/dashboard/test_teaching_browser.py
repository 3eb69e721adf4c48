"""The dashboard as a teacher: shared links, lessons, help, any screen, dark, own data."""

import os
import re
import subprocess
import sys

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from dashboard.app import create_app
from dashboard.shared import help_texts, ids
from dashboard.shared.lessons import lesson
from tests.conftest import SHAPE_CLASSES, run_folders, write_image_folder
from tests.dashboard.browser import choose, js, set_number, start_dashboard, until, wait_text

pytestmark = pytest.mark.browser


@pytest.fixture
def runs_dir(tmp_path):
    return tmp_path / "runs"


@pytest.fixture
def app(runs_dir):
    app = create_app(runs_dir, pretrained=False)
    yield app
    app.jobs.shutdown()


def _open(duo, app, query="", width=1400):
    start_dashboard(duo, app, width=width, query=query)
    return duo


def _value(duo, selector):
    return duo.find_element(selector).get_attribute("value")


def test_a_settings_link_opens_those_settings_and_its_python_lines_train(dash_duo, app,
                                                                          tmp_path):
    duo = _open(dash_duo, app, "?model=mlp&train_size=1000&test_size=1000&epochs=1"
                               "&batch_size=64&dropout=0.2")
    until(duo, lambda: _value(duo, f"#{ids.EPOCHS}") == "1", timeout=20)
    assert _value(duo, f"#{ids.TRAIN_SIZE} input") == "1000"
    assert _value(duo, f"#{ids.BATCH_SIZE}") == "64"
    assert "mlp" in duo.find_element(f"#{ids.MODEL}").text
    # The recipe box says the link's settings are not its recipe's.
    wait_text(duo, ids.RECIPE_HINT, "Custom settings: Architecture, Training images, Batch "
                                     "size, Epochs and", 20)
    # The command keeps its lines whole (it wrapped in the middle of an option).
    assert js(duo, f"return getComputedStyle(document.getElementById('{ids.SHARE_COMMAND}'))"
                   ".whiteSpace;") == "pre"
    # The address keeps following the form.
    set_number(duo, f"#{ids.SEED}", 5)
    until(duo, lambda: "seed=5" in duo.driver.current_url, timeout=10)
    assert "epochs=1" in duo.driver.current_url
    code = duo.find_element(f"#{ids.SHARE_PYTHON}").get_attribute("textContent")
    command = duo.find_element(f"#{ids.SHARE_COMMAND}").get_attribute("textContent")
    assert "model='mlp'" in code and "--model mlp" in command and "--seed 5" in command
    code = code.replace("runs/my-run", str(tmp_path / "from-the-page"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"test accuracy: 0\.\d{4}", result.stdout)
    assert (tmp_path / "from-the-page" / "model.keras").is_file()


def test_a_lesson_link_loads_its_preset_and_says_what_to_watch(dash_duo, app):
    duo = _open(dash_duo, app)
    overfitting = lesson("overfitting")
    link = duo.driver.find_element("link text", overfitting.title)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", link)
    link.click()
    wait_text(duo, ids.LESSON_CARD, f"Lesson: {overfitting.title}", 20)
    assert "Watch:" in duo.find_element(f"#{ids.LESSON_CARD}").text
    config = overfitting.config()
    until(duo, lambda: _value(duo, f"#{ids.EPOCHS}") == str(config.epochs), timeout=10)
    assert _value(duo, f"#{ids.TRAIN_SIZE} input") == str(config.train_size)
    assert float(_value(duo, f"#{ids.DROPOUT}")) == config.dropout
    until(duo, lambda: duo.driver.current_url.endswith("?lesson=overfitting"), timeout=10)


def test_help_shows_on_hover_and_on_keyboard_focus(dash_duo, app):
    duo = _open(dash_duo, app)
    label = duo.find_element(f"#label-{ids.BATCH_SIZE}")
    ActionChains(duo.driver).move_to_element(label).perform()
    until(duo, lambda: help_texts.SETTINGS[ids.BATCH_SIZE][:40] in _tooltip_text(duo),
           timeout=10)
    ActionChains(duo.driver).move_to_element(duo.find_element(f"#{ids.DEVICE}")).perform()
    until(duo, lambda: _tooltip_text(duo) == "", timeout=10)
    duo.driver.execute_script(f"document.getElementById('label-{ids.EPOCHS}').focus();")
    until(duo, lambda: help_texts.SETTINGS[ids.EPOCHS][:40] in _tooltip_text(duo), timeout=10)


def _tooltip_text(duo):
    return js(duo, "return [...document.querySelectorAll('.tooltip.show')]"
                    ".map(t => t.textContent).join(' ');")


@pytest.mark.parametrize("width", [400, 360])
def test_a_phone_screen_never_scrolls_sideways_and_shows_the_canvas_first(dash_duo, app,
                                                                          width):
    duo = _open(dash_duo, app, width=width)
    duo.wait_for_element(f"#{ids.CANVAS_BOX} canvas.upper-canvas", timeout=20)
    until(duo, lambda: js(duo, "return document.querySelectorAll('.js-plotly-plot').length")
           >= 3, timeout=20)
    sizes = js(duo, """return [document.documentElement.scrollWidth, window.innerWidth,
        document.getElementById('section-draw').getBoundingClientRect().top,
        document.getElementById('section-train').getBoundingClientRect().top];""")
    scroll_width, inner_width, draw_top, train_top = sizes
    assert inner_width == width and scroll_width <= inner_width
    # Every panel's link shows in the top bar (it scrolled sideways, 3 of 12
    # in sight), and the drawing comes right under it.
    links = js(duo, """return [...document.querySelectorAll('.section-links a')].map(a => {
        const box = a.getBoundingClientRect(); return [box.left, box.right, box.height];});""")
    assert len(links) == 12
    assert all(left >= 0 and right <= width and height > 0 for left, right, height in links)
    header = js(duo, "return document.querySelector('.app-header')"
                     ".getBoundingClientRect().bottom;")
    assert draw_top < train_top and draw_top < header + 20


def test_the_dark_theme_follows_the_system_and_the_switch(dash_duo, app):
    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    duo = _open(dash_duo, app)

    def theme():
        return js(duo, "return [document.documentElement.getAttribute('data-bs-theme'), "
                        "getComputedStyle(document.body).backgroundColor];")

    until(duo, lambda: theme()[0] == "dark", timeout=10)
    red, green, blue = map(int, re.findall(r"\d+", theme()[1])[:3])
    assert max(red, green, blue) < 80  # a dark page
    assert duo.find_element(f"#{ids.THEME_SWITCH}").is_selected()
    duo.driver.execute_script(f"document.getElementById('{ids.THEME_SWITCH}').click();")
    until(duo, lambda: theme()[0] == "light", timeout=10)
    duo.driver.refresh()  # the choice is remembered over the system's
    duo.wait_for_element(f"#{ids.TRAIN}", timeout=20)
    until(duo, lambda: theme()[0] == "light", timeout=10)
    red, green, blue = map(int, re.findall(r"\d+", theme()[1])[:3])
    assert min(red, green, blue) > 200


def test_the_queued_job_shows_its_progress(dash_duo, app, runs_dir):
    duo = _open(dash_duo, app, "?model=mlp&train_size=1000&test_size=1000&epochs=1"
                               "&batch_size=64")
    until(duo, lambda: _value(duo, f"#{ids.EPOCHS}") == "1", timeout=20)
    duo.find_element(f"#{ids.QUEUE}").click()
    wait_text(duo, ids.QUEUE_VIEW, "Queued next: mlp (1 epoch", 10)
    js(duo, "window.scrollTo(0, 0);")
    duo.find_element(f"#{ids.TRAIN}").click()
    # The Train button brings the new training's progress into view (the
    # drawing panel comes first on the page).
    until(duo, lambda: 0 <= js(duo, "return document.getElementById('section-progress')"
                                    ".getBoundingClientRect().top;") < 100, timeout=20)
    wait_text(duo, ids.JOB_MESSAGE, "from the queue", 120)
    started = re.search(r"Started (\S+) from the queue", duo.find_element(
        f"#{ids.JOB_MESSAGE}").text).group(1)
    # Regression: the progress panel stayed on the first run's "completed" line.
    until(duo, lambda: started in duo.find_element(f"#{ids.RUN_SELECT}").text, timeout=20)
    wait_text(duo, ids.PROGRESS_TEXT, "completed", 120)
    assert len(run_folders(runs_dir)) == 2


@pytest.mark.integration
def test_a_folder_of_images_trains_and_its_class_names_show(dash_duo, app, tmp_path):
    folder = write_image_folder(tmp_path / "shapes", per_class=40)
    duo = _open(dash_duo, app, "?model=simple&epochs=6&batch_size=16&learning_rate=0.001"
                               "&schedule=constant&validation_split=0")
    until(duo, lambda: _value(duo, f"#{ids.EPOCHS}") == "6", timeout=20)
    choose(duo, ids.DATASET, "images")
    field = duo.find_element(f"#{ids.DATA_DIR}")
    field.send_keys(folder, Keys.TAB)
    wait_text(duo, ids.DATA_MESSAGE, "3 classes (bar, column, square): 96 training and 24 "
                                      "test images", 20)
    wait_text(duo, ids.PREVIEW, "column", 20)
    duo.find_element(f"#{ids.TRAIN}").click()
    wait_text(duo, ids.JOB_MESSAGE, "Started simple-", 10)
    wait_text(duo, ids.PROGRESS_TEXT, "completed", 180)
    until(duo, lambda: len(duo.find_elements(f"#{ids.PER_CLASS_TABLE} tbody tr")) == 4,
           timeout=30)
    labels = [cell.text for cell in duo.find_elements(
        f"#{ids.PER_CLASS_TABLE} tbody td[data-dash-column='label']")]
    assert labels == list(SHAPE_CLASSES)
    wait_text(duo, ids.RUN_SUMMARY, "test accuracy", 20)
