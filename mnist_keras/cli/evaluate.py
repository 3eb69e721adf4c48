"""`mnist-keras evaluate`: a saved model, or an ensemble of them, on the test set."""

from mnist_keras.cli.parsing import MODEL_HELP, print_json
from mnist_keras.errors import expected
from mnist_keras.registries import DATASETS


def register(subparsers):
    parser = subparsers.add_parser(
        "evaluate", help="evaluate a saved model, or several as an ensemble, on the test set")
    parser.add_argument("models", nargs="+", metavar="model",
                        help=f"{MODEL_HELP}; several are an ensemble (probabilities "
                             "averaged)")
    parser.add_argument("--tta", action="store_true",
                        help="test-time augmentation: also average over one-pixel shifts")
    parser.add_argument("--dataset", default="mnist", help=", ".join(DATASETS))
    parser.add_argument("--data-dir")
    parser.add_argument("--test-size", type=int, help="test images (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("models",))


def run(args):
    from mnist_keras.datasets import load_dataset
    from mnist_keras.evaluation import evaluate, run_metrics
    from mnist_keras.pruning import count_nonzero_params
    from mnist_keras.runs import check_digit_classifier, load_model

    if args.test_size is not None and not 1 <= args.test_size <= 10_000:
        raise expected("test_size in [1, 10000]", test_size=args.test_size)
    if not 0 <= args.seed <= 2**31 - 1:
        raise expected("seed in [0, 2147483647]", seed=args.seed)
    data = load_dataset(args.dataset, args.data_dir, train_size=1_000,
                        test_size=args.test_size, validation_split=0.0, seed=args.seed)
    from mnist_keras.pretrained import resolve_model

    models = [load_model(resolve_model(path)) for path in args.models]
    for model in models:
        check_digit_classifier(model, data.num_classes)
    result = evaluate(models, data.x_test, data.y_test, num_classes=data.num_classes,
                      tta=args.tta)
    what = f"an ensemble of {len(models)} models" if len(models) > 1 else "one model"
    if args.json:
        metrics = run_metrics(result, models[0], data.class_names, data.name,
                              test_indices=data.test_indices)
        payload = metrics.to_dict()
        # An ensemble's size is every member's parameters.
        payload["num_params"] = sum(int(model.count_params()) for model in models)
        payload["nonzero_params"] = sum(count_nonzero_params(model) for model in models)
        print_json({"model": args.models[0], "models": args.models, "tta": args.tta,
                    "test_images": len(data.y_test), **payload})
        return
    print(f"test accuracy {result.accuracy:.4f}, loss {result.loss:.4f} "
          f"on {len(data.y_test):,} test images ({what}{', with TTA' if args.tta else ''})")
    print("label  precision  recall  f1      support")
    for row in result.per_class:
        print(f"{data.class_names[row['label']]:>5}  {row['precision']:.4f}     "
              f"{row['recall']:.4f}  {row['f1']:.4f}  {row['support']}")
