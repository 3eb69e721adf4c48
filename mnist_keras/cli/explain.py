"""`mnist-keras explain`: why a model read an image as it did, drawn as a heat map.

    mnist-keras explain runs/first/model.keras seven.png --method gradcam --out heat.png
"""

import os

from mnist_keras.cli.parsing import MODEL_HELP, print_json
from mnist_keras.errors import expected
from mnist_keras.registries import SALIENCY_METHODS


def register(subparsers):
    parser = subparsers.add_parser(
        "explain", help="draw which pixels a prediction rests on (a saliency map)")
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("image", help="PNG, JPEG, ... of one digit (preprocessed as a drawing)")
    parser.add_argument("--method", default="gradcam", choices=SALIENCY_METHODS.names(),
                        help=SALIENCY_METHODS.help())
    parser.add_argument("--out", required=True,
                        help="the PNG to write: the model's 28x28 input with the map over it")
    parser.add_argument("--class", dest="class_index", type=int,
                        help="the class to explain (default: the predicted one)")
    parser.add_argument("--scale", type=int, default=10,
                        help="pixels per input pixel in the PNG (1-40, default 10: 280x280)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("model",),
                        image_files=("image",))


def check_output_file(path):
    """Refuses an output path that is not a new or existing PNG file in a writable folder.

    Checked before any work, so a mistake costs nothing and nothing else is touched.
    """
    if not path.lower().endswith(".png"):
        raise expected("an output file ending in .png", out=path)
    if os.path.isdir(path):
        raise expected("an output file, not a folder", out=path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise expected("an output file in an existing folder", out=path)
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise expected("an output file in a folder you may write to", out=path)


def run(args):
    import io

    import numpy as np
    from PIL import Image

    from mnist_keras.atomic import atomic_write_bytes
    from mnist_keras.explain import overlay, saliency
    from mnist_keras.prediction import predict_inputs
    from mnist_keras.preprocessing import EmptyDrawingError, load_image, preprocess_drawing
    from mnist_keras.runs import check_digit_classifier, load_model

    check_output_file(args.out)
    if not 1 <= args.scale <= 40:
        raise expected("scale in [1, 40]", scale=args.scale)
    from mnist_keras.pretrained import resolve_model

    model = load_model(resolve_model(args.model))
    check_digit_classifier(model)
    try:
        image = preprocess_drawing(load_image(args.image))
    except EmptyDrawingError as error:
        raise expected("an image of a digit", image=args.image, reason=str(error)) from None
    (prediction,) = predict_inputs(model, [image])
    heat = saliency(model, image, method=args.method, class_index=args.class_index)
    explained = prediction.label if args.class_index is None else args.class_index
    buffer = io.BytesIO()
    Image.fromarray(overlay(image, heat, scale=args.scale), mode="RGB").save(buffer, "PNG")
    atomic_write_bytes(args.out, buffer.getvalue())
    result = {"image": args.image, "label": prediction.label,
              "confidence": prediction.confidence, "method": args.method,
              "explained_class": int(explained), "out": args.out,
              "top_pixels": [[int(r), int(c)] for r, c in
                             zip(*np.unravel_index(np.argsort(heat, axis=None)[::-1][:5],
                                                   heat.shape))]}
    if args.json:
        print_json(result)
        return
    print(f"{args.image}: {prediction.label} ({100 * prediction.confidence:.1f}%); "
          f"{args.method} map of class {explained} written to {args.out}")
