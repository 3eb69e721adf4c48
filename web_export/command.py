"""`mnist-keras export`: the subcommand this package adds to the `mnist-keras` command.

Registered through the `mnist_keras.commands` entry point; tensorflowjs is
imported only when the command runs, and a missing `[export]` extra is
reported in one line.
"""

from mnist_keras.cli.parsing import MODEL_HELP, missing_extra, print_json
from web_export.options import QUANTIZATIONS, WEIGHT_NAMES

EXTRA_MODULES = ("tensorflowjs", "tensorflow_decision_forests", "tensorflow_hub", "jax",
                 "flax", "ydf", "pkg_resources")


def register(subparsers):
    parser = subparsers.add_parser("export", help="write a static TensorFlow.js site for a model")
    parser.add_argument("model", help=MODEL_HELP)
    parser.add_argument("--out", required=True, help="the site folder to write")
    parser.add_argument("--quantize", default="none", choices=QUANTIZATIONS.names(),
                        help=QUANTIZATIONS.help())
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run, needs_keras=True,
                        requires_extra=("export", ("tensorflowjs",)))


def run(args):
    from mnist_keras.pretrained import resolve_model
    from web_export.export import export_model

    try:
        result = export_model(resolve_model(args.model), args.out, quantize=args.quantize)
    except ImportError as error:
        raise missing_extra("export", error, EXTRA_MODULES) from None
    if args.json:
        print_json({"out": result.out_dir, "quantization": args.quantize,
                    "weight_bytes": result.weight_bytes,
                    "float32_weight_bytes": result.float32_bytes})
        return
    print(f"Wrote {result.out_dir}: {result.weight_bytes:,} bytes of "
          f"{WEIGHT_NAMES[args.quantize]} weights; serve it with: "
          f"python3 -m http.server -d {result.out_dir}")
