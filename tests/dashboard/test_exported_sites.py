"""The dashboard serves exported sites read-only, inside the run's site/, to this machine only."""

import shutil

import pytest

from dashboard.app import create_app
from web_export import export_format, export_model


@pytest.fixture(scope="module")
def client(tmp_path_factory, small_cnn_run):
    runs_dir = tmp_path_factory.mktemp("served") / "runs"
    shutil.copytree(small_cnn_run, runs_dir / "small-cnn")
    export_model(runs_dir / "small-cnn" / "model.keras", runs_dir / "small-cnn" / "site")
    exports = runs_dir / "small-cnn" / "exports"
    export_format(runs_dir / "small-cnn" / "model.keras", exports / "onnx-page", format="onnx",
                  page=True, parity_images=10)
    export_format(runs_dir / "small-cnn" / "model.keras", exports / "onnx", format="onnx",
                  parity_images=10)
    (runs_dir / "not-exported").mkdir()
    (runs_dir / "not-exported" / "status.json").write_text('{"status": "completed"}')
    return create_app(runs_dir).server.test_client()


def test_the_page_and_its_files_are_served(client):
    page = client.get("/exported/small-cnn/index.html")
    assert page.status_code == 200 and b"Draw a digit" in page.data
    assert page.headers["Cache-Control"] == "no-store"
    wasm = client.get("/exported/small-cnn/vendor/tfjs-backend-wasm.wasm")
    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
    assert client.get("/exported/small-cnn/model.json").json["format"] == "layers-model"


def test_an_exports_own_page_is_served_from_its_folder(client):
    page = client.get("/exported/small-cnn/exports/onnx-page/index.html")
    assert page.status_code == 200 and b"Draw a digit" in page.data
    assert b"tf.min.js" not in page.data
    module = client.get("/exported/small-cnn/exports/onnx-page/vendor/ort.webgpu.min.mjs")
    assert module.status_code == 200 and module.mimetype == "text/javascript"
    assert client.get("/exported/small-cnn/exports/onnx-page/model.onnx").status_code == 200


@pytest.mark.parametrize("path", [
    "/exported/small-cnn/../config.json", "/exported/small-cnn/%2e%2e/config.json",
    "/exported/..%2Fsmall-cnn/index.html", "/exported/small-cnn/missing.js",
    "/exported/not-exported/index.html", "/exported/nothing/index.html",
    "/exported/small-cnn/../../../etc/passwd",
    # An export without a page, a folder that is not an export, a way out of exports/.
    "/exported/small-cnn/exports/onnx/model.onnx", "/exported/small-cnn/exports/onnx/README.md",
    "/exported/small-cnn/exports/../config.json", "/exported/small-cnn/exports/x/../../config.json",
    "/exported/small-cnn/exports/onnx-page/../../config.json",
    "/exported/small-cnn/exports/%2e%2e/config.json",
])
def test_nothing_outside_a_runs_site_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 404 and b"schema_version" not in response.data


def test_a_link_in_the_site_to_elsewhere_is_not_followed(tmp_path, small_cnn_run):
    # Regression: a symbolic link inside site/ served any file on the machine.
    runs_dir = tmp_path / "runs"
    shutil.copytree(small_cnn_run, runs_dir / "small-cnn")
    export_model(runs_dir / "small-cnn" / "model.keras", runs_dir / "small-cnn" / "site")
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the page")
    site = runs_dir / "small-cnn" / "site"
    (site / "secret.txt").symlink_to(secret)
    (site / "config.json").symlink_to(runs_dir / "small-cnn" / "config.json")
    (site / "js" / "inside.js").symlink_to(site / "js" / "main.js")
    # Another run whose site/ is itself a link to the first run's folder.
    shutil.copytree(small_cnn_run, runs_dir / "linked", ignore=shutil.ignore_patterns("site"))
    (runs_dir / "linked" / "site").symlink_to(site)
    client = create_app(runs_dir, pretrained=False).server.test_client()
    for path in ("/exported/small-cnn/secret.txt", "/exported/small-cnn/config.json",
                 "/exported/linked/index.html"):
        response = client.get(path)
        assert response.status_code == 404 and b"not for the page" not in response.data
        assert b"schema_version" not in response.data
    # A link that stays inside the site is an ordinary file of it.
    assert client.get("/exported/small-cnn/js/inside.js").status_code == 200
    served = client.get("/exported/small-cnn/sw.js")
    assert served.status_code == 200 and b"caches.open" in served.data


def test_only_this_machine_is_served(client):
    outside = client.get("/exported/small-cnn/index.html",
                         environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert outside.status_code == 403
    assert client.get("/exported/small-cnn/index.html",
                      environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_it_is_read_only(client):
    assert client.post("/exported/small-cnn/index.html").status_code == 405
    assert client.put("/exported/small-cnn/model.json", data=b"{}").status_code == 405


def test_a_new_dashboard_brings_the_pretrained_run_and_keeps_a_runs_folder_it_cannot(
        tmp_path, capsys):
    from mnist_keras.runs import Run

    create_app(tmp_path / "first")
    assert Run(tmp_path / "first" / "pretrained").config().read_only
    create_app(tmp_path / "without", pretrained=False)
    assert not (tmp_path / "without" / "pretrained").exists()
    # A run of one's own called `pretrained`: the dashboard opens, says why, keeps it.
    mine = Run.create(tmp_path / "mine" / "pretrained")
    mine.write_json("config.json", {"model": "cnn"})
    create_app(tmp_path / "mine")
    assert "the pretrained model was not added" in capsys.readouterr().err
    assert not Run(tmp_path / "mine" / "pretrained").config().read_only
