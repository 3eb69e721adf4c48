"""Your handwriting in real headless Chromium: draw, answer with buttons and keys, teach."""

import os

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from dashboard.shared import ids
from mnist_keras.personal import PersonalDataset
from tests.dashboard.browser import (
    choose,
    copy_runs,
    draw_one,
    draw_seven,
    ink_pixels,
    predicted,
    show_canvas,
    start_dashboard,
    stop_dashboard,
    until,
)

# One writer's 1 (a flag), 4 (closed) and 7 (a bar), on the 280 px pad.
HAND = {
    1: [{"points": [[90, 100], [160, 40], [150, 240]], "width": 20}],
    4: [{"points": [[170, 240], [170, 40], [70, 170], [220, 170]], "width": 20}],
    7: [{"points": [[70, 50], [210, 50], [120, 240]], "width": 20},
        {"points": [[110, 140], [190, 140]], "width": 20}],
}

pytestmark = pytest.mark.browser


@pytest.fixture
def page(dash_duo, tmp_path, small_cnn_run):
    runs_dir = copy_runs(tmp_path / "runs", **{"small-cnn": small_cnn_run})
    app = start_dashboard(dash_duo, runs_dir, pretrained=True)
    show_canvas(dash_duo)
    yield dash_duo, runs_dir
    stop_dashboard(dash_duo, app)


def _message(duo):
    return duo.find_element(f"#{ids.ANSWER_MESSAGE}").text


def _press_key(duo, key):
    ActionChains(duo.driver).send_keys(key).perform()


def test_right_and_the_digit_keys_keep_drawings_in_a_personal_dataset(page):
    duo, runs_dir = page
    draw_one(duo)
    until(duo, lambda: predicted(duo) != [], timeout=15)
    answer = predicted(duo)[0]
    duo.find_element(f"#{ids.ANSWER_RIGHT}").click()
    until(duo, lambda: "Kept as" in _message(duo), timeout=10)
    assert f"Kept as {answer} in my-handwriting: 1 samples" in _message(duo)
    # The pad is cleared for the next digit.
    until(duo, lambda: predicted(duo) == [] and ink_pixels(duo) == 0, timeout=10)
    # A key answers "it was N": the page's focus is not in a field.
    draw_seven(duo)
    until(duo, lambda: predicted(duo) != [], timeout=15)
    duo.driver.execute_script("document.activeElement.blur();")
    _press_key(duo, "7")
    until(duo, lambda: "2 samples" in _message(duo), timeout=10)
    dataset = PersonalDataset.open(runs_dir, "my-handwriting")
    labels = sorted(sample.label for sample in dataset.samples())
    assert labels == sorted([int(answer), 7])
    assert all(sample.strokes and sample.source == "dashboard" for sample in dataset.samples())
    # The Your hand panel shows them: two tiles, the counts' title.
    until(duo, lambda: len(duo.find_elements(f"#{ids.HAND_SAMPLES} .hand-sample")) == 2,
          timeout=10)


def test_write_mode_asks_for_the_digit_there_are_fewest_of(page):
    duo, runs_dir = page
    duo.find_element(f"#{ids.WRITE_MODE} input").click()
    until(duo, lambda: "Draw a 0" in duo.find_element(f"#{ids.ASK_PROMPT}").text, timeout=10)
    assert duo.find_element(f"#{ids.ANSWER_RIGHT}").text == "Keep as 0"
    draw_one(duo)  # whatever the model reads, it is kept as the digit asked for
    until(duo, lambda: predicted(duo) != [], timeout=15)
    duo.find_element(f"#{ids.ANSWER_RIGHT}").click()
    until(duo, lambda: "Draw a 1" in duo.find_element(f"#{ids.ASK_PROMPT}").text, timeout=10)
    (sample,) = PersonalDataset.open(runs_dir, "my-handwriting").samples()
    assert sample.label == 0


def test_a_sample_is_relabelled_and_a_dataset_taught_from_the_panel(page, tmp_path):
    duo, runs_dir = page
    mine = PersonalDataset.create(runs_dir, "mine")
    for shift in (-10, 0, 10):
        for label, strokes in HAND.items():
            mine.add(label, strokes=[{"points": [[x + shift, y] for x, y in s["points"]],
                                      "width": s["width"]} for s in strokes])
    duo.driver.refresh()
    start = duo.wait_for_element(f"#{ids.HAND_DATASET}", timeout=30)
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", start)
    choose(duo, ids.HAND_DATASET, "mine")
    until(duo, lambda: len(duo.find_elements(f"#{ids.HAND_SAMPLES} .hand-sample")) == 9,
          timeout=15)
    duo.find_elements(f"#{ids.HAND_SAMPLES} .hand-sample")[0].click()
    newest = mine.samples()[-1]
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});",
                              duo.find_element(f"#{ids.HAND_RELABEL}"))
    duo.select_dcc_dropdown(f"#{ids.HAND_RELABEL_TO}", value="2")
    duo.find_element(f"#{ids.HAND_RELABEL}").click()
    until(duo, lambda: "Relabelled as 2" in duo.find_element(f"#{ids.HAND_MESSAGE}").text,
          timeout=10)
    assert {s.id: s.label for s in mine.samples()}[newest.id] == 2
    # Teach the small CNN: a job like any training, with before and after.
    base = next(option for option in _options(duo, ids.HAND_BASE)
                if option.startswith("small-cnn"))
    duo.select_dcc_dropdown(f"#{ids.HAND_BASE}", value=base)
    duo.find_element(f"#{ids.HAND_TEACH}").click()
    until(duo, lambda: "Teaching small-cnn" in duo.find_element(f"#{ids.HAND_MESSAGE}").text,
          timeout=15)
    # Teaching trains about 600 steps in a child process: minutes on a busy machine.
    until(duo, lambda: "taught mine" in duo.find_element(f"#{ids.RUN_SUMMARY}").text,
          timeout=300)
    (taught,) = [name for name in os.listdir(runs_dir) if name.startswith("mine-taught")]
    # The taught list redraws once the new run is listed, just after the summary.
    until(duo, lambda: "→" in duo.find_element(f"#{ids.HAND_TAUGHT}").text, timeout=15)


def _options(duo, dropdown_id):
    duo.find_element(f"#{dropdown_id}").click()
    options = [element.text for element in duo.driver.find_elements("css selector",
                                                                    "[role='option']")]
    duo.find_element(f"#{dropdown_id}").click()
    return options


def test_samples_kept_on_the_exported_page_import_into_the_dashboard(page, tmp_path):
    from mnist_keras.pretrained import pretrained_path
    from tests.web_export.conftest import StaticServer
    from web_export import export_model

    duo, runs_dir = page
    dashboard_url = duo.driver.current_url
    site = export_model(pretrained_path(), tmp_path / "site")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": str(downloads)})
    server = StaticServer(site.out_dir)
    try:
        duo.driver.get(server.url + "index.html")
        until(duo, lambda: duo.driver.execute_script("return document.body.dataset.ready")
              == "true", timeout=60)
        pad = duo.driver.find_element("id", "pad")
        for key in ("4", "1"):
            (ActionChains(duo.driver).move_to_element_with_offset(pad, 140, 45)
             .click_and_hold().move_by_offset(2, 60).move_by_offset(2, 60).release().perform())
            until(duo, lambda: duo.driver.find_element("id", "answer-right").is_enabled(),
                  timeout=15)
            _press_key(duo, key)
            until(duo, lambda: not duo.driver.find_element("id", "answer-right").is_enabled(),
                  timeout=10)
        until(duo, lambda: duo.driver.find_element("id", "samples-status").text
              .startswith("2 samples"), timeout=10)
        duo.driver.find_element("id", "download-samples").click()
        until(duo, lambda: list(downloads.glob("*.json")), timeout=10)
    finally:
        server.close()
    (downloaded,) = list(downloads.glob("*.json"))

    duo.driver.get(dashboard_url)
    upload = duo.wait_for_element(f"#{ids.HAND_UPLOAD} input[type=file]", timeout=30)
    upload.send_keys(str(downloaded))
    until(duo, lambda: "Imported 2 samples into my-handwriting" in
          duo.find_element(f"#{ids.HAND_MESSAGE}").text, timeout=15)
    dataset = PersonalDataset.open(runs_dir, "my-handwriting")
    assert sorted(sample.label for sample in dataset.samples()) == [1, 4]
    assert all(sample.source == "import" and sample.strokes for sample in dataset.samples())
