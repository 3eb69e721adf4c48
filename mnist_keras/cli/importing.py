"""`mnist-keras import`: a `.keras` model trained elsewhere, added as a run.

    mnist-keras import model.keras --runs-dir runs --name from-colab
"""

from mnist_keras.cli.parsing import print_json, summary


def register(subparsers):
    parser = subparsers.add_parser(
        "import", help="add a .keras model trained elsewhere to a runs folder, evaluated",
        description="Checks the file, loads it safely (no code from it runs; first in a "
                    "watched process), evaluates it on the 10,000 MNIST test images and "
                    "writes it as a run: compare, export, prune and explain it like any "
                    "other. A refused file leaves nothing behind.")
    parser.add_argument("model", help="a Keras 3 .keras file mapping 28x28x1 images to 10 "
                                      "classes")
    parser.add_argument("--runs-dir", default="runs", help="the runs folder (default: runs)")
    parser.add_argument("--name", help="the new run's name (default: imported-FILE-TIME)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("model",))


def run(args):
    from mnist_keras.importing import import_model

    imported = import_model(args.model, args.runs_dir, name=args.name)
    metrics = imported.metrics()
    if args.json:
        print_json({"run_dir": imported.path, "name": imported.name, **summary(metrics)})
        return
    print(f"imported {args.model} as run {imported.name}: test accuracy "
          f"{metrics.test_accuracy:.4f} on {sum(map(sum, metrics.confusion_matrix)):,} MNIST "
          f"test images, {metrics.num_params:,} parameters; run saved in {imported.path}")
