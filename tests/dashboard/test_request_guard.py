"""Only the dashboard's own pages drive it: forged Host and Origin headers and huge bodies,
sent over HTTP to a running dashboard."""

import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

from dashboard import request_guard
from dashboard.app import create_app
from dashboard.shared.limits import MAX_REQUEST_BYTES


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    runs_dir = tmp_path_factory.mktemp("guarded-runs")
    app = create_app(runs_dir, request_guard.allowed_hosts("127.0.0.1", ["lab-pc"]))
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    app.jobs.shutdown()


def request(port, method="GET", path="/", headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # skip_host: the test sets the Host header itself, as a forged request would.
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    if body is not None:
        headers.setdefault("Content-Length", str(len(body)))
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    if body:
        connection.send(body)
    response = connection.getresponse()
    answer = response.status, response.read().decode(errors="replace")
    connection.close()
    return answer


def callback_body():
    # A real callback of the page: the dataset preview's Reshuffle button.
    return json.dumps({"output": "preview.children", "outputs": {
        "id": "preview", "property": "children"}, "inputs": [
        {"id": "reshuffle", "property": "n_clicks", "value": 1},
        {"id": "dataset", "property": "value", "value": "mnist"},
        {"id": "data-dir", "property": "value", "value": ""}], "changedPropIds": [
        "reshuffle.n_clicks"], "state": []}).encode()


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}",
                                  "LAB-PC:{port}", "127.0.0.2:{port}"])
def test_pages_addressed_to_this_machine_are_served(server, host):
    status, body = request(server, headers={"Host": host.format(port=server)})
    assert status == 200 and "mnist-keras" in body


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example",
                                  "localhost.evil.example:{port}", "", "[::1", "a:b:c"])
def test_a_foreign_host_header_is_refused(server, host):
    # What a page on a domain that re-resolves to 127.0.0.1 (DNS rebinding) sends.
    status, body = request(server, headers={"Host": host.format(port=server)})
    assert status == 403 and "not this dashboard's" in body


def test_a_forged_callback_from_a_rebound_domain_does_nothing(server):
    status, _ = request(server, "POST", "/_dash-update-component", body=callback_body(),
                        headers={"Host": "evil.example", "Content-Type": "application/json",
                                 "Origin": "http://evil.example"})
    assert status == 403


@pytest.mark.parametrize("origin", ["http://evil.example", "http://localhost:1", "null",
                                    "http://127.0.0.1"])
def test_a_callback_from_another_page_is_refused(server, origin):
    status, body = request(server, "POST", "/_dash-update-component", body=callback_body(),
                           headers={"Content-Type": "application/json", "Origin": origin})
    assert status == 403 and "another page" in body


def test_a_callback_from_the_page_itself_is_answered(server):
    status, body = request(server, "POST", "/_dash-update-component", body=callback_body(),
                           headers={"Content-Type": "application/json",
                                    "Origin": f"http://127.0.0.1:{server}"})
    assert status == 200 and "training image" in body


def test_a_body_over_the_limit_is_refused_before_it_is_read(server):
    # Only the headers are sent: the refusal must not wait for 200 MB to arrive.
    status, _ = request(server, "POST", "/_dash-update-component", body=b"",
                        headers={"Content-Type": "application/json",
                                 "Content-Length": str(MAX_REQUEST_BYTES + 1)})
    assert status == 413


@pytest.mark.parametrize("host_header,origin,allowed", [
    ("localhost:8050", None, True),
    ("localhost:8050", "http://localhost:8050", True),
    ("localhost:8050", "https://localhost:8050", True),  # behind a TLS proxy
    ("localhost:8050", "http://localhost:8051", False),
    ("evil.example:8050", "http://evil.example:8050", False),
    ("x" * 10_000, None, False),
])
def test_is_allowed_request(host_header, origin, allowed):
    verdict, reason = request_guard.is_allowed_request(
        host_header, origin, request_guard.allowed_hosts())
    assert verdict is allowed and (allowed or 0 < len(reason) < 300)


def test_allowed_hosts_add_the_bound_address_but_not_a_wildcard():
    assert "192.168.1.5" in request_guard.allowed_hosts("192.168.1.5")
    assert request_guard.allowed_hosts("0.0.0.0") == request_guard.LOOPBACK_NAMES
    assert "lab-pc" in request_guard.allowed_hosts("0.0.0.0", [" Lab-PC "])


def _forged_callback(app_callbacks, output_id, inputs):
    """The body the page would send for the callback writing `output_id`, with `inputs`."""
    key = next(k for k in app_callbacks if f"{output_id}." in k)
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in key.strip(".").split("...")]
    return json.dumps({"output": key, "outputs": outputs, "inputs": inputs,
                       "changedPropIds": [f"{inputs[-1]['id']}.{inputs[-1]['property']}"],
                       "state": []}).encode()


def test_a_forged_run_name_never_reaches_outside_the_runs_folder(tmp_path):
    from dashboard.shared import ids

    runs_dir = tmp_path / "runs"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "config.json").write_text('{"secret": "NOT-A-RUN-OF-THIS-DASHBOARD"}')
    (outside / "status.json").write_text('{"status": "completed"}')
    app = create_app(runs_dir)
    client = app.server.test_client()
    client.get("/")  # registers the callbacks
    for forged in ("../outside", str(outside), "..", "a/../../outside", ["x"], {"a": 1}):
        body = _forged_callback(app.callback_map, ids.RUN_SUMMARY, [
            {"id": ids.RESULTS_KEY, "property": "data", "value": 1},
            {"id": ids.RUN_SELECT, "property": "value", "value": forged}])
        answer = client.post("/_dash-update-component", data=body,
                             headers={"Content-Type": "application/json"})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "NOT-A-RUN" not in text
        assert "Needs a run name" in text
    app.jobs.shutdown()
