"""Accuracy against sparsity, "start big, prune, fine-tune", and gzip sizes of exports.

    python benchmarks/pruning.py [--epochs 5] [--fine-tune-epochs 2] [--train-size 60000]
                                 [--parent runs/cnn/model.keras] [--out bench-runs/pruning]

1. Trains the default CNN (or takes `--parent`), then prunes it to 50-95%
   sparsity (global magnitude, polynomial ramp) with `--fine-tune-epochs` of
   fine-tuning at learning rate 1e-4, and prints test accuracy per sparsity.
2. Prunes the default CNN to cnn-compact's parameter count and compares it
   with cnn-compact trained from scratch for the same total epochs.
3. Exports the dense and the pruned models to TF.js and prints the weight
   bytes before and after gzip (pruned zeros compress; the shards do not shrink).
"""

import argparse
import gzip
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mnist_keras.config import TrainingConfig  # noqa: E402
from mnist_keras.models import build_model  # noqa: E402
from mnist_keras.pruning import prunable_weight_count  # noqa: E402
from mnist_keras.training import train  # noqa: E402

SPARSITIES = (0.5, 0.7, 0.8, 0.9, 0.95)


def _run(config, run_dir):
    started = time.perf_counter()
    result = train(config, run_dir=run_dir)
    return result.metrics, time.perf_counter() - started


def _sparsity_for(model_name, nonzero_target):
    """The sparsity of the prunable kernels that leaves `nonzero_target` parameters."""
    model = build_model(model_name)
    prunable = prunable_weight_count(model)
    zeros = model.count_params() - nonzero_target
    return zeros / prunable


def _gzip_bytes(folder):
    total = raw = 0
    for name in os.listdir(folder):
        if name.endswith(".bin"):
            with open(os.path.join(folder, name), "rb") as file:
                data = file.read()
            raw += len(data)
            total += len(gzip.compress(data, compresslevel=9))
    return raw, total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--fine-tune-epochs", type=int, default=2)
    parser.add_argument("--train-size", type=int, default=60_000)
    parser.add_argument("--parent", help="a trained default-CNN .keras file to start from")
    parser.add_argument("--out", default=os.path.join("bench-runs", time.strftime(
        "pruning-%Y%m%d-%H%M%S")))
    args = parser.parse_args()
    common = {"train_size": args.train_size, "test_size": 10_000}
    parent = args.parent
    if not parent:
        metrics, seconds = _run(TrainingConfig(model="cnn", epochs=args.epochs, **common),
                                os.path.join(args.out, "cnn"))
        parent = os.path.join(args.out, "cnn", "model.keras")
        print(f"default CNN, {args.epochs} epochs: {100 * metrics.test_accuracy:.2f}% "
              f"({seconds:.0f} s)", flush=True)

    def pruned(sparsity, name):
        config = TrainingConfig(parent_model=parent, parent_run="cnn", sparsity=sparsity,
                                epochs=args.fine_tune_epochs, learning_rate=1e-4,
                                schedule="constant", **common)
        return _run(config, os.path.join(args.out, name))

    print(f"\naccuracy against sparsity ({args.fine_tune_epochs} fine-tuning epochs, "
          "global magnitude, polynomial ramp, lr 1e-4):")
    for sparsity in SPARSITIES:
        metrics, seconds = pruned(sparsity, f"cnn-pruned-{round(100 * sparsity)}")
        print(f"  {100 * sparsity:4.0f}%  accuracy {100 * metrics.test_accuracy:.2f}%  "
              f"non-zero {metrics.nonzero_params:>7,} of {metrics.num_params:,}  "
              f"({seconds:.0f} s)", flush=True)

    small = build_model("cnn-compact").count_params()
    target = _sparsity_for("cnn", small)
    big, _ = pruned(target, "cnn-pruned-to-compact")
    scratch, _ = _run(TrainingConfig(model="cnn-compact",
                                     epochs=args.epochs + args.fine_tune_epochs, **common),
                      os.path.join(args.out, "cnn-compact"))
    print(f"\nstart big, prune, fine-tune ({args.epochs} + {args.fine_tune_epochs} epochs) vs "
          f"small from scratch ({args.epochs + args.fine_tune_epochs} epochs):")
    print(f"  cnn pruned to {100 * target:.1f}% ({big.nonzero_params:,} non-zero): "
          f"{100 * big.test_accuracy:.2f}%")
    print(f"  cnn-compact ({scratch.num_params:,} parameters): "
          f"{100 * scratch.test_accuracy:.2f}%")

    from web_export import export_model

    print("\nTF.js weight shards, raw and gzipped (level 9):")
    for name, model_path in (("dense cnn", parent),
                             ("cnn pruned 90%", os.path.join(args.out, "cnn-pruned-90",
                                                             "model.keras"))):
        for quantize in ("none", "uint8"):
            folder = os.path.join(args.out, "sites", f"{name.replace(' ', '-')}-{quantize}")
            export_model(model_path, folder, quantize=quantize)
            raw, packed = _gzip_bytes(folder)
            print(f"  {name:15s} {quantize:5s} {raw:>9,} bytes -> {packed:>9,} gzipped "
                  f"({100 * packed / raw:.0f}%)", flush=True)


if __name__ == "__main__":
    main()
