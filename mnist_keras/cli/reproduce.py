"""`mnist-keras reproduce`: train a completed run again from its settings and compare."""

from mnist_keras.cli.parsing import print_json


def _check_run(args):
    from mnist_keras.reproduction import completed_training_run

    completed_training_run(args.run)


def register(subparsers):
    parser = subparsers.add_parser(
        "reproduce", help="train a completed run again from its settings, with deterministic "
                          "ops, and compare the weights, accuracy and environment")
    parser.add_argument("run", help="the completed run folder to reproduce")
    parser.add_argument("--run-dir", help="new folder for the reproduction (default: "
                                          "RUN-reproduced-TIME beside the run)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    parser.set_defaults(handler=run, needs_keras=True, check_first=_check_run)


def run(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.reproduction import reproduce_run

    result = reproduce_run(args.run, args.run_dir, callbacks=[ProgressBar()])
    if args.json:
        print_json(result.to_dict())
        return
    print(f"reproduced {result.original} as {result.reproduced} (deterministic ops)")
    for line in result.lines():
        print(line)
