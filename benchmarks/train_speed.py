"""`mk.train` against plain `model.fit`: the same model, data and batch size, one epoch each.

    python benchmarks/train_speed.py [--pairs 3] [--train-size 60000] [--batch-size 128]

In one process, alternating which goes first: a plain Keras `model.fit` of the
default CNN (Adam 1e-3, constant, categorical cross-entropy, accuracy metric)
and `mk.train` with the same settings (live recording to memory and to a JSONL
file, as a dashboard job does). Both are timed around fitting alone, each on a
freshly built model after one warm-up. Prints every pair, the median ratio
(plain time / mk.train time: above 1 means mk.train is faster), and how often
`mk.train` delivered batch records (the live charts' update interval).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import mnist_keras as mk  # noqa: E402


def plain_fit(data, batch_size):
    keras.utils.set_random_seed(0)
    model = mk.build_model("cnn")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    y = keras.utils.to_categorical(data.y_train, 10)
    started = time.perf_counter()
    model.fit(data.x_train, y, batch_size=batch_size, epochs=1, verbose=0)
    return time.perf_counter() - started


def library_train(data, batch_size, folder, number):
    config = mk.TrainingConfig(epochs=1, batch_size=batch_size, schedule="constant",
                               train_size=len(data.x_train), test_size=1_000)
    result = mk.train(config, run_dir=os.path.join(folder, f"run-{number}"), data=data)
    batches = result.history.batches
    gaps = np.diff([b["step"] for b in batches]) if len(batches) > 1 else [0]
    seconds = sum(b["batch_seconds"] for b in batches) / max(1, len(batches))
    return result.metrics.train_seconds, float(np.max(gaps)) * seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=60_000)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args(argv)
    data = mk.load_dataset(train_size=args.train_size, test_size=1_000, validation_split=0)
    ratios = []
    with tempfile.TemporaryDirectory() as folder:
        # Warm-ups: TensorFlow's first graph of each kind costs seconds.
        small = mk.load_dataset(train_size=1_000, test_size=1_000, validation_split=0)
        plain_fit(small, args.batch_size)
        library_train(small, args.batch_size, folder, "warm-up")
        for pair in range(args.pairs):
            order = ("plain", "library") if pair % 2 == 0 else ("library", "plain")
            times = {}
            for kind in order:
                if kind == "plain":
                    times[kind] = plain_fit(data, args.batch_size)
                else:
                    times[kind], interval = library_train(data, args.batch_size, folder, pair)
            ratios.append(times["plain"] / times["library"])
            print(f"pair {pair + 1} ({order[0]} first): model.fit {times['plain']:.1f} s, "
                  f"mk.train {times['library']:.1f} s, ratio {ratios[-1]:.3f}; "
                  f"live records every {1000 * interval:.0f} ms at most", flush=True)
    print(f"median ratio model.fit / mk.train over {args.pairs} pairs of one epoch of "
          f"{len(data.x_train):,} images at batch {args.batch_size}: "
          f"{statistics.median(ratios):.3f} (above 1: mk.train is faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
