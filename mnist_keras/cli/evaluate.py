"""`mnist-keras evaluate`: a saved model on the test set."""

from mnist_keras.cli.parsing import print_json
from mnist_keras.errors import expected
from mnist_keras.registries import DATASETS


def register(subparsers):
    parser = subparsers.add_parser("evaluate", help="evaluate a saved model on the test set")
    parser.add_argument("model", help="a .keras file")
    parser.add_argument("--dataset", default="mnist", help=", ".join(DATASETS))
    parser.add_argument("--data-dir")
    parser.add_argument("--test-size", type=int, help="test images (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True)


def run(args):
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate
    from mnist_keras.runs import load_model, run_metrics

    if args.test_size is not None and not 1 <= args.test_size <= 10_000:
        raise expected("test_size in [1, 10000]", test_size=args.test_size)
    model = load_model(args.model)
    data = load_dataset(args.dataset, args.data_dir, train_size=1_000,
                        test_size=args.test_size, validation_split=0.0, seed=args.seed)
    result = evaluate(model, data.x_test, data.y_test, num_classes=data.num_classes)
    if args.json:
        metrics = run_metrics(result, model, data.class_names, data.name,
                              test_indices=data.test_indices)
        print_json({"model": args.model, "test_images": len(data.y_test), **metrics.to_dict()})
        return
    print(f"test accuracy {result.accuracy:.4f}, loss {result.loss:.4f} "
          f"on {len(data.y_test):,} test images")
    print("label  precision  recall  f1      support")
    for row in result.per_class:
        print(f"{data.class_names[row['label']]:>5}  {row['precision']:.4f}     "
              f"{row['recall']:.4f}  {row['f1']:.4f}  {row['support']}")
