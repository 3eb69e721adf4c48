"""Times a poll of the runs folder with many runs: the run index against re-reading every file.

    python benchmarks/run_index.py [--runs 500] [--polls 200]

Writes `--runs` finished runs (config, status, history and metrics with 150
mistakes each, as a typical dashboard run has), then times:

- reading every run's config, status and metrics once per poll (what the
  dashboard did before the index);
- `RunIndex.refresh()`: the first (cold) poll, polls with nothing new, and a
  poll after one run changed;
- the dashboard's controls-and-run-list callback, through Flask's test client,
  as the page calls it twice a second.

The target is under 20 ms per poll with 500 runs.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dashboard_callbacks import Browser  # noqa: E402

from mnist_keras.config import TrainingConfig  # noqa: E402
from mnist_keras.runs import (  # noqa: E402
    ClassMetrics,
    Mistake,
    Run,
    RunConfig,
    RunHistory,
    RunIndex,
    RunMetrics,
)


def _metrics(seed):
    matrix = tuple(tuple(97 if i == j else (seed + i + j) % 2 for j in range(10))
                   for i in range(10))
    return RunMetrics(
        test_accuracy=0.95, test_loss=0.15, num_params=225_930, nonzero_params=225_930,
        class_names=tuple(str(d) for d in range(10)), confusion_matrix=matrix,
        per_class=tuple(ClassMetrics(d, 0.95, 0.95, 0.95, 100) for d in range(10)),
        misclassified=tuple(Mistake(i, i % 10, (i + 1) % 10, 0.6) for i in range(150)),
        train_seconds=54.0, epochs_done=10)


def make_runs(folder, count):
    config = RunConfig.for_training(TrainingConfig(train_size=5_500, test_size=1_000))
    history = RunHistory(epochs=tuple({"epoch": e, "loss": 0.1, "accuracy": 0.9}
                                      for e in range(1, 11)))
    past = time.time() - 3600
    for i in range(count):
        run = Run.create(os.path.join(folder, f"run-{i:04d}"))
        run.write_config(config)
        run.write_json("history.json", history.to_dict())
        run.write_json("metrics.json", _metrics(i).to_dict())
        run.set_status("completed", started=past + i, finished=past + i + 54)
        os.utime(run.path, (past + i, past + i))


def _stats(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(times):7.2f} ms  p95 {p95:7.2f} ms  max {max(times):7.2f} ms"


def _timed(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - started))
    return times


def read_everything(folder):
    # The dashboard's poll before the index: every run's files, every time.
    for name in sorted(os.listdir(folder)):
        for file in ("config.json", "status.json", "metrics.json"):
            with open(os.path.join(folder, name, file), encoding="utf-8") as handle:
                json.load(handle)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--polls", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        make_runs(folder, args.runs)
        print(f"{args.runs} finished runs in one folder:")
        before = _timed(lambda: read_everything(folder), 10)
        print(f"  re-read every run's files   {_stats(before)}")
        index = RunIndex(folder)
        cold = _timed(index.refresh, 1)[0]
        print(f"  index, first poll (cold)    {cold:7.2f} ms ({index.reads} runs read)")
        reads = index.reads
        warm = _timed(index.refresh, args.polls)
        print(f"  index, nothing new          {_stats(warm)} "
              f"({index.reads - reads} runs read in {args.polls} polls)")
        changed = []
        for i in range(20):
            run = Run(os.path.join(folder, f"run-{i:04d}"))
            run.set_status("failed", error="x")
            changed += _timed(index.refresh, 1)
            # Let it settle (a folder that changed in the last 2 s is read again).
            os.utime(run.path, (time.time() - 60, time.time() - 60))
        print(f"  index, one run changed      {_stats(changed)}")

        from dashboard.app import create_app
        from dashboard.shared import ids

        app = create_app(folder)
        browser = Browser(app)
        browser.call("first", f"{ids.MODEL}.disabled", f"{ids.POLL}.n_intervals")
        browser.times.clear()
        for tick in range(args.polls):
            browser.values[f"{ids.POLL}.n_intervals"] = tick
            browser.call("poll", f"{ids.MODEL}.disabled", f"{ids.POLL}.n_intervals")
        print(f"  dashboard controls poll     {_stats(browser.times['poll'])} (HTTP, Flask)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
