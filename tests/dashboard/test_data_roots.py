"""The Data folder box answers only for folders the dashboard may read: it is no probe."""

import os

import pytest

from dashboard.app import create_app
from dashboard.panels.train.callbacks import describe_data
from dashboard.shared.training_form import build_config
from mnist_keras.errors import MnistKerasError
from tests.conftest import write_image_folder


@pytest.fixture
def lab(tmp_path):
    write_image_folder(tmp_path / "digits", per_class=4)
    (tmp_path / "empty").mkdir()
    outside = tmp_path / "elsewhere"
    (outside / "secret-folder").mkdir(parents=True)
    return tmp_path


def _answers(app, *paths):
    with app.server.app_context():
        return [describe_data("images", str(path)) for path in paths]


def test_outside_the_data_roots_every_path_gets_the_same_line(lab, monkeypatch):
    # Regression: the box told whether any path existed, and named what a folder held.
    monkeypatch.chdir(lab / "empty")
    app = create_app(lab / "lab" / "runs", pretrained=False)
    answers = _answers(app, lab / "elsewhere", lab / "elsewhere" / "missing", "/etc",
                       "/no/such/place")
    for (message, ok, _, _), path in zip(answers, (lab / "elsewhere",
                                                   lab / "elsewhere" / "missing", "/etc",
                                                   "/no/such/place")):
        assert not ok and message == (
            f"Needs a data folder inside {os.path.realpath(lab / 'empty')} or "
            f"{os.path.realpath(lab / 'lab')} (the folders this dashboard reads; start it with "
            f"--data-root DIR to add one); got data_dir={str(path)!r}.")
    assert "secret-folder" not in str(answers)
    # A link inside a root to a folder outside it leads outside.
    (lab / "lab" / "link").symlink_to(lab / "elsewhere")
    ((message, ok, _, _),) = _answers(app, lab / "lab" / "link")
    assert not ok and message.startswith("Needs a data folder inside")
    # Training from the form is refused the same way.
    with app.server.app_context(), pytest.raises(MnistKerasError, match="data folder inside"):
        build_config(dataset="images", data_dir=str(lab / "elsewhere"))


def test_inside_the_data_roots_the_box_describes_the_folder(lab, monkeypatch):
    monkeypatch.chdir(lab)
    app = create_app(lab / "runs", pretrained=False, data_roots=[lab / "elsewhere"])
    (digits, _, _, _), (empty, _, _, _), (other, _, _, _) = _answers(
        app, lab / "digits", lab / "empty", lab / "elsewhere")
    assert digits.startswith("images: ") and "classes=0" in empty
    assert "Needs between 2 and 100 class folders" in other and "classes=1" in other
