"""Measures what live metric recording costs: epoch time with and without it.

    python benchmarks/recording_overhead.py [--train-size 20000] [--rounds 3]

Trains the default CNN with plain `model.fit`, alternating epochs without any
callback and with `MetricsRecorder` writing every batch to memory and to a
JSONL file (as the dashboard's jobs do), and prints the fastest and median
epoch times of each.
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    data = mk.load_dataset(train_size=args.train_size, test_size=1_000, validation_split=0)
    y = keras.utils.to_categorical(data.y_train, 10)
    keras.utils.set_random_seed(0)
    model = mk.build_model("cnn")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.x_train[:1024], y[:1024], batch_size=128, epochs=1, verbose=0)  # trace once

    times = {"plain": [], "recorded": []}
    with tempfile.TemporaryDirectory() as folder:
        sink = JsonlSink(os.path.join(folder, "events.jsonl"))
        recorder = MetricsRecorder([MemorySink(), sink])
        for _ in range(args.rounds):
            for name, callbacks in (("plain", []), ("recorded", [recorder])):
                started = time.perf_counter()
                model.fit(data.x_train, y, batch_size=128, epochs=1, callbacks=callbacks,
                          verbose=0)
                times[name].append(time.perf_counter() - started)
        sink.close()
    # The fastest epoch of each kind is the least disturbed by whatever else
    # the machine is doing; the median shows how noisy the machine was.
    for label, pick in (("fastest", min), ("median", statistics.median)):
        plain, recorded = (pick(times[k]) for k in ("plain", "recorded"))
        print(f"epoch of {len(y)} images, {label} of {args.rounds}: plain {plain:.2f} s, "
              f"recorded {recorded:.2f} s, overhead {100 * (recorded / plain - 1):+.1f}%")
    print(f"all epochs (s): plain {[round(t, 2) for t in times['plain']]}, "
          f"recorded {[round(t, 2) for t in times['recorded']]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
