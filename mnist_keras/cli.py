"""The `mnist-keras` command.

    mnist-keras train --run-dir runs/first --epochs 3
    mnist-keras evaluate runs/first/model.keras --json

User mistakes exit with status 2 and one line, "error: Expected X. Received: name=value".
"""

import argparse
import json
import os
import sys
import tempfile

# TensorFlow's C++ side logs a dozen lines (CUDA probing, oneDNN notices) that
# a command-line user does not need; level 3 keeps only fatal ones. A value the
# user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_keras_quietly():
    """Imports Keras (and TensorFlow) with C++ stderr output held back.

    Some of TensorFlow's import-time lines are written before its logging is
    configured, so no environment variable silences them. They are replayed
    if the import fails, so a broken installation still explains itself.
    """
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            import keras

            if keras.backend.backend() == "tensorflow":
                # The first device query probes CUDA and logs its findings.
                import tensorflow as tf

                tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.buffer.write(held.read())
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage block), as the CLI contract asks."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_train(subparsers):
    from mnist_keras.config import OPTIMIZERS, SCHEDULES, TrainingConfig

    defaults = TrainingConfig.__dataclass_fields__
    p = subparsers.add_parser("train", help="train a model and write its run folder")
    p.add_argument("--run-dir", required=True, help="new folder for the run")
    p.add_argument("--model", default="cnn",
                   help="cnn (default), mlp, cnn-compact, cnn-gap, simple, deep, wide, "
                        "or a JSON layer-spec file")
    p.add_argument("--dataset", default="mnist", help="mnist (bundled), fashion-mnist, kmnist")
    p.add_argument("--data-dir", help="folder with the four IDX files (default: bundled MNIST)")
    p.add_argument("--epochs", type=int, default=defaults["epochs"].default)
    p.add_argument("--batch-size", type=int, default=defaults["batch_size"].default)
    p.add_argument("--learning-rate", type=float, default=defaults["learning_rate"].default)
    p.add_argument("--optimizer", default=defaults["optimizer"].default,
                   help="|".join(OPTIMIZERS))
    p.add_argument("--schedule", default=defaults["schedule"].default,
                   help="|".join(SCHEDULES) + " (default: cosine, as the library)")
    p.add_argument("--train-size", type=int, default=defaults["train_size"].default)
    p.add_argument("--test-size", type=int, default=defaults["test_size"].default)
    p.add_argument("--validation-split", type=float,
                   default=defaults["validation_split"].default)
    p.add_argument("--dropout", type=float)
    p.add_argument("--augment", action="store_true",
                   help="random rotation (15 deg), zoom (10%%) and translation (10%%)")
    p.add_argument("--early-stopping-patience", type=int)
    p.add_argument("--reduce-lr-patience", type=int)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=_train)


def _add_evaluate(subparsers):
    p = subparsers.add_parser("evaluate", help="evaluate a saved model on the test set")
    p.add_argument("model", help="a .keras file")
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--data-dir")
    p.add_argument("--test-size", type=int, help="test images (default: all)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=_evaluate)


def _add_predict(subparsers):
    p = subparsers.add_parser("predict", help="predict the digit in image files")
    p.add_argument("model", help="a .keras file")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG, ... of one digit")
    p.add_argument("--json", action="store_true", help="print a JSON list of results")
    p.set_defaults(handler=_predict)


def _predict(args):
    from mnist_keras.prediction import predict_digits
    from mnist_keras.preprocessing import load_image
    from mnist_keras.runs import load_model

    model = load_model(args.model)
    images = [load_image(path) for path in args.images]
    results = []
    for path, prediction in zip(args.images, predict_digits(model, images)):
        if prediction.error:
            results.append({"image": path, "label": None, "error": prediction.error})
        else:
            results.append({"image": path, "label": prediction.label,
                            "confidence": prediction.confidence,
                            "probabilities": [float(p) for p in prediction.probabilities]})
    if args.json:
        _print_json(results)
        return
    for result in results:
        if result["label"] is None:
            print(f"{result['image']}: {result['error']}")
        else:
            print(f"{result['image']}: {result['label']} ({100 * result['confidence']:.1f}%)")


def _add_prune(subparsers):
    p = subparsers.add_parser("prune", help="prune a trained model, fine-tune it, write a run")
    p.add_argument("model", help="the trained .keras model (its run folder is the parent)")
    p.add_argument("--sparsity", type=float, required=True,
                   help="fraction of Conv2D/Dense kernel weights set to zero (0-0.99)")
    p.add_argument("--fine-tune-epochs", type=int, default=2,
                   help="epochs of fine-tuning (default 2; 0 prunes only)")
    p.add_argument("--run-dir", required=True, help="new folder for the pruned run")
    p.add_argument("--scope", default="global", choices=("global", "layer"),
                   help="one magnitude threshold for all layers (default) or per layer")
    p.add_argument("--schedule", default="polynomial", choices=("polynomial", "constant"),
                   help="ramp the sparsity up while fine-tuning (default) or prune at once")
    p.add_argument("--prune-output-layer", action="store_true",
                   help="also prune the classifier (left dense by default)")
    p.add_argument("--learning-rate", type=float, default=1e-4,
                   help="fine-tuning learning rate (default 1e-4, constant)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--train-size", type=int, default=60_000)
    p.add_argument("--test-size", type=int, default=10_000)
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--data-dir")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.set_defaults(handler=_prune)


def _prune(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.config import TrainingConfig
    from mnist_keras.runs import Run
    from mnist_keras.training import train

    # The model's run folder (if it is one) is the parent: its name and model label.
    parent = Run(os.path.dirname(os.path.abspath(args.model)))
    parent_config = parent.read_json("config.json") or {}
    config = TrainingConfig(
        model=str(parent_config.get("model", "cnn")), parent_model=args.model,
        parent_run=parent.name if parent_config else None, sparsity=args.sparsity,
        pruning_scope=args.scope, pruning_schedule=args.schedule,
        prune_output_layer=args.prune_output_layer, epochs=args.fine_tune_epochs,
        learning_rate=args.learning_rate, schedule="constant", batch_size=args.batch_size,
        train_size=args.train_size, test_size=args.test_size, dataset=args.dataset,
        data_dir=args.data_dir, seed=args.seed)
    result = train(config, run_dir=args.run_dir, callbacks=[ProgressBar()])
    metrics, report = result.metrics, result.metrics["sparsity"]
    if args.json:
        _print_json({"run_dir": result.run_dir, "status": result.status, **_summary(metrics),
                     "parent_run": metrics.get("parent_run"), "sparsity": report})
        return
    for row in report["layers"]:
        print(f"  {row['name']:24s} {row['zeros']:>9,} of {row['total']:>9,} zero "
              f"({100 * row['sparsity']:.1f}%)")
    print(f"{result.status}: test accuracy {metrics['test_accuracy']:.4f} at "
          f"{100 * report['sparsity']:.1f}% sparsity ({report['nonzero_params']:,} of "
          f"{report['params']:,} parameters non-zero); run saved in {result.run_dir}")


def _add_export(subparsers):
    p = subparsers.add_parser("export", help="write a static TensorFlow.js site for a model")
    p.add_argument("model", help="a .keras model file")
    p.add_argument("--out", required=True, help="the site folder to write")
    p.add_argument("--quantize", default="none", choices=("none", "float16", "uint8"),
                   help="weight storage (default: none, float32)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(handler=_export)


def _export(args):
    # Imported here: web_export is the only user of the tensorflowjs package.
    from web_export import export_model

    result = export_model(args.model, args.out, quantize=args.quantize)
    if args.json:
        _print_json({"out": result.out_dir, "quantization": args.quantize,
                     "weight_bytes": result.weight_bytes,
                     "float32_weight_bytes": result.float32_bytes})
        return
    print(f"Wrote {result.out_dir}: {result.weight_bytes:,} bytes of weights "
          f"({args.quantize}); serve it with: python -m http.server -d {result.out_dir}")


def _add_dashboard(subparsers):
    p = subparsers.add_parser("dashboard", help="open the training dashboard in a browser")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--runs-dir", default="runs", help="folder of runs (default: runs)")
    p.set_defaults(handler=_dashboard)


def _dashboard(args):
    # The dashboard is a separate package that depends on the library, not the
    # other way round: it is imported only when this command runs.
    from dashboard.app import main as serve

    if not 1 <= args.port <= 65535:
        from mnist_keras.errors import expected

        raise expected("a port in [1, 65535]", port=args.port)
    serve(host=args.host, port=args.port, runs_dir=args.runs_dir)


def _train(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.config import TrainingConfig
    from mnist_keras.training import train

    config = TrainingConfig(
        model=args.model, dataset=args.dataset, data_dir=args.data_dir, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        optimizer=args.optimizer, schedule=args.schedule, train_size=args.train_size,
        test_size=args.test_size, validation_split=args.validation_split,
        dropout=args.dropout, augment=args.augment,
        early_stopping_patience=args.early_stopping_patience,
        reduce_lr_patience=args.reduce_lr_patience, label_smoothing=args.label_smoothing,
        seed=args.seed,
    )
    result = train(config, run_dir=args.run_dir, callbacks=[ProgressBar()])
    metrics = result.metrics
    if args.json:
        _print_json({"run_dir": result.run_dir, "status": result.status,
                     **_summary(metrics), "per_class": metrics["per_class"],
                     "confusion_matrix": metrics["confusion_matrix"]})
    else:
        print(f"{result.status}: test accuracy {metrics['test_accuracy']:.4f}, "
              f"loss {metrics['test_loss']:.4f}, {metrics['num_params']:,} parameters, "
              f"{metrics['train_seconds']:.1f} s; run saved in {result.run_dir}")


def _summary(metrics):
    keys = ("test_accuracy", "test_loss", "num_params", "train_seconds", "epochs_done")
    return {key: metrics[key] for key in keys if key in metrics}


def _evaluate(args):
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate
    from mnist_keras.runs import load_model

    model = load_model(args.model)
    if args.test_size is not None and not 1 <= args.test_size <= 10_000:
        from mnist_keras.errors import expected

        raise expected("test_size in [1, 10000]", test_size=args.test_size)
    data = load_dataset(args.dataset, args.data_dir, train_size=1_000,
                        test_size=args.test_size, validation_split=0.0, seed=args.seed)
    result = evaluate(model, data.x_test, data.y_test, num_classes=data.num_classes)
    metrics = result.to_metrics(indices=data.test_indices)
    if args.json:
        _print_json({"model": args.model, "test_images": len(data.y_test),
                     "num_params": int(model.count_params()), **metrics})
        return
    print(f"test accuracy {result.accuracy:.4f}, loss {result.loss:.4f} "
          f"on {len(data.y_test):,} test images")
    print("label  precision  recall  f1      support")
    for row in result.per_class:
        print(f"{data.class_names[row['label']]:>5}  {row['precision']:.4f}     "
              f"{row['recall']:.4f}  {row['f1']:.4f}  {row['support']}")


def _print_json(obj):
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def build_parser():
    parser = _Parser(prog="mnist-keras",
                     description="Train, evaluate and inspect handwritten-digit classifiers.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_train(subparsers)
    _add_evaluate(subparsers)
    _add_predict(subparsers)
    _add_prune(subparsers)
    _add_export(subparsers)
    _add_dashboard(subparsers)
    return parser


def main(argv=None):
    """Runs the command line; returns the exit status."""
    _import_keras_quietly()
    args = build_parser().parse_args(argv)
    from mnist_keras.errors import MnistKerasError

    try:
        args.handler(args)
    except MnistKerasError as error:
        print(f"mnist-keras {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mnist-keras {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
