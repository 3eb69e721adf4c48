"""`mnist-keras export`: the subcommand this package adds to the `mnist-keras` command.

    mnist-keras export runs/first --out site                    # the TF.js page
    mnist-keras export runs/first --format onnx --out onnx
    mnist-keras export runs/first --format onnx --page --out onnx-site  # + onnxruntime-web page
    mnist-keras export pretrained --format tflite --quantize int8 --out tflite

Registered through the `mnist_keras.commands` entry point; the converters are
imported only when the command runs, and a missing `[export]` extra is
reported in one line.
"""

import shlex

from mnist_keras.cli.parsing import MODEL_HELP, missing_extra, print_json
from mnist_keras.errors import MnistKerasError
from web_export.options import (
    FORMAT_QUANTIZATIONS,
    FORMATS,
    PARITY_IMAGES,
    WEIGHT_NAMES,
    check_format,
)

EXTRA_MODULES = ("tensorflowjs", "tensorflow_decision_forests", "tensorflow_hub", "jax",
                 "flax", "ydf", "pkg_resources", "onnx", "onnxruntime", "tf2onnx",
                 "ai_edge_litert")
# Every quantization some format has, in the order people meet them.
ALL_QUANTIZATIONS = list(dict.fromkeys(name for registry in FORMAT_QUANTIZATIONS.values()
                                       for name in registry.names()))


def register(subparsers):
    parser = subparsers.add_parser(
        "export", help="write a model for another runtime: a static TensorFlow.js site "
                       "(default), ONNX, LiteRT (TFLite) or a SavedModel")
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("--out", required=True, help="the folder to write")
    parser.add_argument("--format", default="tfjs", choices=FORMATS.names(),
                        help=FORMATS.help())
    parser.add_argument("--quantize", default="none", choices=ALL_QUANTIZATIONS,
                        help="; ".join(f"{name}: {', '.join(registry.names())}"
                                       for name, registry in FORMAT_QUANTIZATIONS.items()))
    parser.add_argument("--parity-images", type=int, default=PARITY_IMAGES, metavar="N",
                        help="how many MNIST test digits the written model is checked on "
                             f"against Keras (onnx, tflite, savedmodel; 1 to {PARITY_IMAGES:,}; "
                             "default: all)")
    parser.add_argument("--page", action="store_true",
                        help="with --format onnx: also write the drawing page, running the "
                             "model in the browser with onnxruntime-web (WebGPU or WASM)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("model",),
                        requires_extra=("export", ("tensorflowjs",)))


def _export_site(args, model_path):
    from web_export.export import export_model

    result = export_model(model_path, args.out, quantize=args.quantize)
    if args.json:
        print_json({"out": result.out_dir, "format": "tfjs", "quantization": args.quantize,
                    "weight_bytes": result.weight_bytes,
                    "float32_weight_bytes": result.float32_bytes})
        return
    print(f"Wrote {result.out_dir}: {result.weight_bytes:,} bytes of "
          f"{WEIGHT_NAMES[args.quantize]} weights; serve it with: "
          f"python3 -m http.server -d {shlex.quote(result.out_dir)}")


def _export_other(args, model_path):
    from web_export.formats import export_format

    result = export_format(model_path, args.out, format=args.format, quantize=args.quantize,
                           parity_images=args.parity_images, page=args.page)
    if args.json:
        print_json({"out": result.out_dir, **result.info})
        return
    parity = result.parity
    files = ", ".join(f"{name} {size:,} bytes" for name, size in result.files.items())
    print(f"Wrote {result.out_dir} ({args.format}, {WEIGHT_NAMES[args.quantize]}): {files}.")
    print(f"Checked with {result.info['runtime']} on {parity['images']:,} MNIST test digits: "
          f"largest difference from Keras {parity['max_abs_difference']:.2g}, same answer "
          f"{parity['argmax_agreement']:.2%}, accuracy {parity['accuracy']:.2%} (Keras "
          f"{parity['keras_accuracy']:.2%}). What the model takes and gives: "
          f"{shlex.quote(result.out_dir)}/export-info.json; use it with:")
    print(f"  {result.info['use_with']}")
    if args.page:
        print(f"The page runs it in the browser with onnxruntime-web; serve it with: "
              f"python3 -m http.server -d {shlex.quote(result.out_dir)}")


def run(args):
    from mnist_keras.pretrained import resolve_model

    check_format(args.format, args.quantize)
    if args.page and args.format != "onnx":
        raise MnistKerasError(f"Expected --page only with --format onnx (the tfjs format always "
                              f"has its page). Received: --format {args.format}")
    model_path = resolve_model(args.model)
    try:
        if args.format == "tfjs":
            _export_site(args, model_path)
        else:
            _export_other(args, model_path)
    except ImportError as error:
        raise missing_extra("export", error, EXTRA_MODULES) from None
