"""Times the dashboard's server-side callbacks while a real training job runs.

    python benchmarks/dashboard_callbacks.py [--epochs 3] [--train-size 5500]

Starts a job (the default CNN on a MNIST subset) through the app's JobManager,
then plays a browser through Flask's test client: the two polling callbacks
twice a second with their stores carried over, plus the results, run-picker
and preview callbacks, and prints per-callback median / 95th percentile / max
milliseconds measured around each request.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from dashboard.app import create_app  # noqa: E402
from dashboard.shared import ids  # noqa: E402
from mnist_keras.config import TrainingConfig  # noqa: E402


def _split(output):
    name, _, prop = output.partition(".")
    return {"id": name, "property": prop}


class Browser:
    """Sends callback requests the way dash-renderer does, and times them."""

    def __init__(self, app):
        self.client = app.server.test_client()
        self.dependencies = self.client.get("/_dash-dependencies").get_json()
        self.values = {}
        self.times = {}

    def _find(self, first_output):
        for dep in self.dependencies:
            if dep["output"].strip(".").startswith(first_output):
                return dep
        raise KeyError(first_output)

    def call(self, label, first_output, changed):
        dep = self._find(first_output)
        multi = dep["output"].startswith("..")
        outputs = [_split(o) for o in dep["output"].strip(".").split("...")]

        def value(item):
            return {**item, "value": self.values.get(f"{item['id']}.{item['property']}")}

        body = {
            "output": dep["output"],
            "outputs": outputs if multi else outputs[0],
            "inputs": [value(i) for i in dep["inputs"]],
            "state": [value(s) for s in dep["state"]],
            "changedPropIds": [changed],
        }
        started = time.perf_counter()
        response = self.client.post("/_dash-update-component", json=body)
        self.times.setdefault(label, []).append(1000 * (time.perf_counter() - started))
        if response.status_code == 200:
            for component, props in response.get_json()["response"].items():
                for prop, new in props.items():
                    self.values[f"{component}.{prop}"] = new
        elif response.status_code != 204:
            raise RuntimeError(f"{label}: HTTP {response.status_code}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=5_500)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as runs_dir:
        app = create_app(runs_dir)
        browser = Browser(app)
        name = app.jobs.start(TrainingConfig(train_size=args.train_size, test_size=1_000,
                                             epochs=args.epochs))
        browser.values[f"{ids.RUN_SELECT}.value"] = name
        tick = 0
        while app.jobs.running():
            tick += 1
            browser.values[f"{ids.POLL}.n_intervals"] = tick
            browser.call("poll (live charts)", f"{ids.BATCH_GRAPH}.figure",
                         f"{ids.POLL}.n_intervals")
            browser.call("poll (controls, run list)", f"{ids.MODEL}.disabled",
                         f"{ids.POLL}.n_intervals")
            browser.values[f"{ids.RUN_SELECT}.value"] = name
            if tick % 4 == 0:
                browser.call("results", f"{ids.RUN_SUMMARY}.children",
                             f"{ids.RUN_SELECT}.value")
                browser.values[f"{ids.RESHUFFLE}.n_clicks"] = tick
                browser.call("dataset preview", f"{ids.PREVIEW}.children",
                             f"{ids.RESHUFFLE}.n_clicks")
            time.sleep(0.5)
        app.jobs.shutdown()
        with open(os.path.join(runs_dir, name, "status.json")) as f:
            status = f.read()
        browser.call("results (finished run)", f"{ids.RUN_SUMMARY}.children",
                     f"{ids.RUN_SELECT}.value")
        browser.values[f"{ids.LIVE_STATE}.data"] = None  # a reopened tab: whole history
        browser.call("poll (reopened tab)", f"{ids.BATCH_GRAPH}.figure", f"{ids.RUN_SELECT}.value")
    print(f"while training ({tick} polls; run {'completed' if 'completed' in status else status}):")
    for label, times in browser.times.items():
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        print(f"  {label:28s} n={len(times):4d}  median {statistics.median(times):6.1f} ms"
              f"  p95 {p95:6.1f} ms  max {max(times):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
