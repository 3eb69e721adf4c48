"""Messages that describe a moment do not outlive it."""

import os
import shutil
import time

from dashboard.app import create_app
from tests.dashboard.test_callback_fuzz import _body


def test_started_gives_way_to_how_the_run_ended(tmp_path, small_cnn_run):
    # Regression: "Started X." stayed in the Train panel long after X had ended
    # (under a pruning job started later from the Runs panel).
    runs_dir = tmp_path / "runs"
    shutil.copytree(small_cnn_run, runs_dir / "small-cnn")
    app = create_app(runs_dir, pretrained=False)
    client = app.server.test_client()
    client.get("/")
    key = next(k for k in app.callback_map if "queue-view.children" in k
               and "cancelling.data" in k)
    callback = app.callback_map[key]

    def poll(message):
        answer = client.post("/_dash-update-component", headers={
            "Content-Type": "application/json"}, data=_body(key, callback, [1, None, None,
                                                                         message]))
        return answer.json["response"]["job-message"]["children"] \
            if answer.status_code == 200 and "job-message" in answer.json["response"] else None

    from mnist_keras.runs import Run

    Run(runs_dir / "small-cnn").set_status("completed", finished=time.time() - 60)
    assert poll("Started small-cnn.") == "small-cnn has ended: completed."
    assert poll("Started small-cnn from the queue.") == "small-cnn has ended: completed."
    # Anything else stays as it is: another message, a run that is gone.
    assert poll("Queue cleared.") is None
    assert poll("Started no-such-run.") is None
    # A run that has only just ended keeps its message a moment: a poll sent before
    # the queue's next "Started ..." reached the page must not overwrite that one.
    Run(runs_dir / "small-cnn").set_status("completed", finished=time.time())
    assert poll("Started small-cnn.") is None
    # Nor while the job started after it is new (the queue may start it seconds after
    # the first run's end, when its process has exited): regression, a CI flake.
    Run(runs_dir / "small-cnn").set_status("completed", finished=time.time() - 60)
    (runs_dir / "next").mkdir()
    Run(runs_dir / "next").set_status("running", started=time.time(), pid=os.getpid())
    assert poll("Started small-cnn.") is None
    Run(runs_dir / "next").set_status("running", started=time.time() - 60, pid=os.getpid())
    assert poll("Started small-cnn.") == "small-cnn has ended: completed."
    app.jobs.shutdown()


def test_pressing_an_action_with_nothing_ticked_reads_as_a_sentence(tmp_path):
    # Regression: "Expected one ticked run to prune. Received: 0".
    app = create_app(tmp_path / "runs", pretrained=False)
    client = app.server.test_client()
    client.get("/")
    key = next(k for k in app.callback_map if k.startswith("..runs-message.children")
               and "run-select.value" in k
               and any(i["id"] == "prune-start" for i in app.callback_map[k]["inputs"]))
    callback = app.callback_map[key]
    values = [1, [{"name": "a"}, {"name": "b"}], [], 0.8, None]
    answer = client.post("/_dash-update-component", headers={
        "Content-Type": "application/json"}, data=_body(key, callback, values))
    assert answer.json["response"]["runs-message"]["children"] == (
        "Not started: Tick one run in the table to prune it: none is ticked.")
    app.jobs.shutdown()
