"""Measures what recording costs a plain `model.fit` epoch: none, `MetricsRecorder`, `RunRecorder`.

    python benchmarks/recording_overhead.py [--train-size 20000] [--rounds 3]

Trains the default CNN with plain `model.fit`, taking turns: an epoch with
no recording callback, one with `MetricsRecorder` writing every batch to
memory and to a JSONL file (as the dashboard's jobs do), and one with
`mk.RunRecorder` (a user's own `model.fit` recorded as a run folder: the
same live records, the status). An epoch is timed from its first batch to the
end of its last callback; `RunRecorder`'s start (config, environment) and end
(the model saved, the 10,000 test images evaluated) are printed apart, as
they happen once per training, not per epoch. Prints the fastest and median
epoch of each; the target is at most 3% for `RunRecorder`.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

import mnist_keras as mk  # noqa: E402
from mnist_keras.callbacks import MetricsRecorder  # noqa: E402
from mnist_keras.sinks import JsonlSink, MemorySink  # noqa: E402


class EpochTimer(keras.callbacks.Callback):
    """The epoch's time, from its start to the end of the callbacks listed before this one."""

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    data = mk.load_dataset(train_size=args.train_size, test_size=1_000, validation_split=0)
    keras.utils.set_random_seed(0)
    model = mk.build_model("cnn")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(data.x_train[:1024], data.y_train[:1024], batch_size=128, epochs=1,
              verbose=0)  # trace once

    kinds = ("plain", "MetricsRecorder", "RunRecorder")
    times, once = {kind: [] for kind in kinds}, []
    with tempfile.TemporaryDirectory() as folder:
        sink = JsonlSink(os.path.join(folder, "events.jsonl"))
        metrics_recorder = MetricsRecorder([MemorySink(), sink])
        for round_ in range(args.rounds):
            for kind in kinds:
                recording = {"plain": [], "MetricsRecorder": [metrics_recorder],
                             "RunRecorder": [mk.RunRecorder(os.path.join(folder, f"run-{round_}"),
                                                            batch_size=128)]}[kind]
                timer = EpochTimer()
                started = time.perf_counter()
                model.fit(data.x_train, data.y_train, batch_size=128, epochs=1,
                          callbacks=recording + [timer], verbose=0)
                times[kind].append(timer.seconds)
                if kind == "RunRecorder":
                    once.append(time.perf_counter() - started - timer.seconds)
        sink.close()
    # The fastest epoch of each kind is the least disturbed by whatever else
    # the machine is doing; the median shows how noisy the machine was.
    for label, pick in (("fastest", min), ("median", statistics.median)):
        plain = pick(times["plain"])
        costs = ", ".join(f"{kind} {pick(times[kind]):.2f} s "
                          f"({100 * (pick(times[kind]) / plain - 1):+.1f}%)"
                          for kind in kinds[1:])
        print(f"epoch of {len(data.y_train)} images, {label} of {args.rounds}: "
              f"plain {plain:.2f} s, {costs}")
    print(f"RunRecorder once per training (start, model saved, 10,000 test images "
          f"evaluated): median {statistics.median(once):.2f} s")
    print("all epochs (s): " + "; ".join(f"{kind} {[round(t, 2) for t in times[kind]]}"
                                         for kind in kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
