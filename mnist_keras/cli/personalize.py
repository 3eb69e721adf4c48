"""`mnist-keras personalize`: teach a model someone's handwriting from a few of their digits.

    mnist-keras personalize pretrained --data runs/datasets/my-hand/images --run-dir runs/mine
"""

from mnist_keras.cli.parsing import MODEL_HELP, print_json, summary


def register(subparsers):
    parser = subparsers.add_parser(
        "personalize", help="fine-tune a model on someone's digits (MNIST mixed in) into a run",
        description="Reads the folder's digits through the drawing recipe, holds out part of "
                    "each digit's samples, fine-tunes BASE on the rest with MNIST training "
                    "images mixed in, and writes a run linked to BASE and to the folder, "
                    "with the base and the taught model on the held-out samples and on MNIST.")
    parser.add_argument("base", help=MODEL_HELP)
    parser.add_argument("--data", required=True,
                        help="a folder of your digits, one sub-folder per digit (0/ ... 9/): "
                             "a personal dataset's images/ folder, or your own photos")
    parser.add_argument("--run-dir", required=True, help="new folder for the taught run")
    parser.add_argument("--epochs", type=int, help="passes over the mixed images (default: "
                                                   "about 600 steps)")
    parser.add_argument("--held-out", type=float, default=0.2,
                        help="share of each digit's samples kept out to measure (default 0.2)")
    parser.add_argument("--replay", type=int, default=6_000,
                        help="MNIST training images mixed in (default 6000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mlflow", metavar="URI",
                        help="an MLflow tracking URI to log the run to (needs the mlflow extra)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("base",))


def _percent(value):
    return "-" if value is None else f"{100 * value:.1f}%"


def run(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.errors import expected
    from mnist_keras.personalize import personalize
    from mnist_keras.runs import Run

    if args.epochs is not None and not 1 <= args.epochs <= 200:
        raise expected("epochs in [1, 200]", epochs=args.epochs)
    result = personalize(args.base, args.data, run_dir=args.run_dir, epochs=args.epochs,
                         held_out=args.held_out, replay=args.replay, seed=args.seed,
                         callbacks=[ProgressBar()], mlflow=args.mlflow)
    record = result.record
    if args.json:
        print_json({"run_dir": result.run_dir, **summary(Run(result.run_dir).metrics()),
                    "personalization": record.to_dict()})
        return
    print(f"taught {len(record.trained_on)} samples (held out {len(record.held_out)}, "
          f"skipped {len(record.skipped)}) in {record.seconds:.0f} s: held-out samples "
          f"{_percent(record.before.held_out)} -> {_percent(record.after.held_out)}, MNIST "
          f"{_percent(record.before.mnist)} -> {_percent(record.after.mnist)}; run saved in "
          f"{result.run_dir}")
