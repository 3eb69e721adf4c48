"""`mnist-keras predict`: the digit in image files."""

from mnist_keras.cli.parsing import MODEL_HELP, print_json


def register(subparsers):
    parser = subparsers.add_parser("predict", help="predict the digit in image files")
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="PNG, JPEG, ... of one digit")
    parser.add_argument("--json", action="store_true", help="print a JSON list of results")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("model",),
                        image_files=("images",))


def run(args):
    from mnist_keras.prediction import predict_digits
    from mnist_keras.preprocessing import load_image
    from mnist_keras.pretrained import resolve_model
    from mnist_keras.runs import check_digit_classifier, load_model

    model = load_model(resolve_model(args.model))
    check_digit_classifier(model)  # a digit for every image, never a 5-class guess
    images = [load_image(path) for path in args.images]
    results = []
    for path, prediction in zip(args.images, predict_digits(model, images)):
        if prediction.error:
            results.append({"image": path, "label": None, "error": prediction.error})
        else:
            runner_up = prediction.runner_up
            results.append({"image": path, "label": prediction.label,
                            "confidence": prediction.confidence, "unsure": prediction.unsure,
                            "runner_up": runner_up,
                            "runner_up_confidence": float(prediction.probabilities[runner_up]),
                            "probabilities": [float(p) for p in prediction.probabilities]})
    if args.json:
        print_json(results)
        return
    for result in results:
        if result["label"] is None:
            print(f"{result['image']}: {result['error']}")
        elif result["unsure"]:
            print(f"{result['image']}: {result['label']} ({100 * result['confidence']:.1f}%, "
                  f"unsure: maybe {result['runner_up']} "
                  f"({100 * result['runner_up_confidence']:.1f}%))")
        else:
            print(f"{result['image']}: {result['label']} ({100 * result['confidence']:.1f}%)")
