"""Every callback of the dashboard, sent values of the wrong type: an answer, never an HTTP 500.

The page only sends what its components hold, but anything can POST to
`/_dash-update-component` from this machine: each callback is called with
None, numbers, text, lists and dicts in every input and state (Hypothesis
draws them), through Flask's test client, against a runs folder with real
runs. Starting a job is replaced by a recorder, so no training starts.
"""

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app import create_app
from dashboard.shared import ids

WILDCARDS = ('["ALL"]', '["MATCH"]', '["ALLSMALLER"]')
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["", "small-cnn", "pretrained", "../x", "mnist", "<b>x</b>", "0", "-1",
                     "1e999", "nan", "tfjs:none", "onnx:none:page", "a\n"]),
    st.lists(st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=8)), max_size=4),
    st.dictionaries(st.text(max_size=6), st.one_of(st.none(), st.integers(), st.text(max_size=6)),
                    max_size=3),
)
FIXED = (None, "x", -1, 10**9, [None], {"points": "x"})


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, small_cnn_run):
    runs_dir = tmp_path_factory.mktemp("fuzzed") / "runs"
    shutil.copytree(small_cnn_run, runs_dir / "small-cnn")
    app = create_app(runs_dir)
    started = []

    def record(*args, **kwargs):
        started.append(args)
        return "small-cnn"

    for name in ("start", "start_personalize", "start_sweep", "enqueue"):
        setattr(app.jobs, name, record)
    app.doubt_jobs.start = record
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # registers the callbacks
    yield app, client
    app.jobs.shutdown()


def _component_id(text):
    """A callback's id as the page sends it: a wildcard id made concrete."""
    if not text.startswith("{"):
        return text
    for wildcard in WILDCARDS:
        text = text.replace(wildcard, "0")
    return json.loads(text)


def _entry(spec, value):
    """One input or state as the page sends it; a wildcard ALL is a list of matches."""
    entry = {"id": _component_id(spec["id"]), "property": spec["property"], "value": value}
    if '["ALL"]' in spec["id"] or '["ALLSMALLER"]' in spec["id"]:
        return [entry]
    return entry


def _body(key, callback, values, trigger=0):
    specs = callback["inputs"] + callback.get("state", [])
    entries = [_entry(spec, value) for spec, value in zip(specs, values)]
    inputs, state = entries[:len(callback["inputs"])], entries[len(callback["inputs"]):]
    outputs = []
    for part in (key[2:-2].split("...") if key.startswith("..") else [key]):
        component, _, prop = part.rpartition(".")
        outputs.append({"id": _component_id(component), "property": prop})
    changed = callback["inputs"][trigger % len(callback["inputs"])]
    changed_id = _component_id(changed["id"])
    if isinstance(changed_id, dict):
        changed_id = json.dumps(changed_id, sort_keys=True, separators=(",", ":"))
    return json.dumps({"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                       "inputs": inputs, "state": state,
                       "changedPropIds": [f"{changed_id}.{changed['property']}"]})


def _send(client, key, callback, values, trigger=0):
    answer = client.post("/_dash-update-component", data=_body(key, callback, values, trigger),
                         headers={"Content-Type": "application/json"})
    assert answer.status_code in (200, 204), (
        f"{answer.status_code} from {key} with {values!r} (trigger {trigger})")
    return answer


def _server_callbacks(app):
    """The callbacks run on the server (clientside ones run in the browser)."""
    return {key: callback for key, callback in app.callback_map.items()
            if "callback" in callback}


def test_every_callback_answers_each_fixed_wrong_value(dashboard):
    app, client = dashboard
    callbacks = _server_callbacks(app)
    assert len(callbacks) > 60
    for key, callback in callbacks.items():
        count = len(callback["inputs"]) + len(callback.get("state", []))
        for value in FIXED:
            for trigger in range(len(callback["inputs"])):
                _send(client, key, callback, [value] * count, trigger)


def test_every_callback_answers_drawn_wrong_values(dashboard):
    app, client = dashboard
    keys = sorted(_server_callbacks(app))

    @settings(max_examples=150, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def call(data):
        key = data.draw(st.sampled_from(keys), label="callback")
        callback = app.callback_map[key]
        count = len(callback["inputs"]) + len(callback.get("state", []))
        values = data.draw(st.lists(JUNK, min_size=count, max_size=count), label="values")
        trigger = data.draw(st.integers(0, len(callback["inputs"]) - 1), label="trigger")
        _send(client, key, callback, values, trigger)

    call()


def test_a_failing_callback_changes_nothing_and_says_so(dashboard, caplog):
    # Regression: text where the learning-rate slider's number belongs was an HTTP 500,
    # and a power of a billion ran for minutes; now refused before the power is taken.
    app, client = dashboard
    callbacks = _server_callbacks(app)
    key = next(k for k in callbacks if k.startswith("learning-rate-label"))
    answer = _send(client, key, callbacks[key], [10**9])
    assert answer.json["response"]["learning-rate-label"]["children"] == ""
    # The add-a-layer button given rows that are not a list: a fresh table.
    key = next(k for k in callbacks if k == "layer-table.data")
    answer = _send(client, key, callbacks[key], [1, {"points": "x"}])
    assert len(answer.json["response"]["layer-table"]["data"]) == 1
    # A callback that still fails on a value the page never sends: no change,
    # a notice on the page, the traceback in the log.
    key = next(k for k in callbacks if k.startswith("projector-selection"))
    with caplog.at_level("ERROR", logger="mnist_keras.dashboard"):
        answer = _send(client, key, callbacks[key], [{"points": "x"}] * 2)
    notice = answer.json["sideUpdate"]["callback-error"]
    assert notice["hidden"] is False and "nothing was changed" in notice["children"]
    assert "A callback failed (projector-selection.children)" in caplog.text


def test_a_finished_runs_progress_is_not_read_again_on_every_poll(dashboard):
    # The page keeps the poll's state in a store, where numbers are JavaScript
    # doubles. Regression: a time in nanoseconds came back rounded, never matched,
    # and every poll (twice a second) read the whole finished run again.
    app, client = dashboard
    (key,) = [key for key in _server_callbacks(app) if f"{ids.PROGRESS_TEXT}.children" in key]
    callback = app.callback_map[key]
    first = _send(client, key, callback, [1, "small-cnn", None]).get_json()
    (state,) = [value["data"] for component, value in first["response"].items()
                if component == ids.LIVE_STATE]
    assert "completed" in next(value["children"] for component, value
                               in first["response"].items() if component == ids.PROGRESS_TEXT)
    second = _send(client, key, callback, [2, "small-cnn", _through_javascript(state)])
    third = _send(client, key, callback, [3, "small-cnn", _through_javascript(
        (second.get_json() or {}).get("response", {}).get(ids.LIVE_STATE, {}).get("data")
        or state)])
    assert not (third.get_json() or {}).get("response")  # nothing new: nothing sent


def _through_javascript(value):
    """`value` as a browser hands it back: every number a double (whole numbers beyond
    2**53 rounded)."""
    return json.loads(json.dumps(value), parse_int=lambda text: int(float(int(text))))
