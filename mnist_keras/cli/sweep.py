"""`mnist-keras sweep`: one worker of a hyperparameter sweep on an Optuna study.

    mnist-keras sweep --study lr --trials 20 --runs-dir runs --epochs 3 --train-size 5500

The train command's options fix those settings for every trial; the search
space (`--space`, or the default one) varies the others. Start the same
command in several terminals or on several machines (with one `--storage`)
and the workers share the trials.
"""

from mnist_keras.cli.parsing import print_json
from mnist_keras.cli.train import SETTINGS_WITH_OPTIONS, add_training_options, config_from_args
from mnist_keras.registries import PRUNERS, SAMPLERS

# A sweep judges trials by validation accuracy, so it holds some images out
# unless told otherwise.
DEFAULT_VALIDATION_SPLIT = 0.1


def register(subparsers):
    parser = subparsers.add_parser(
        "sweep", help="run trials of a hyperparameter sweep (an Optuna study); each is a run",
        description="Runs trials until the study has --trials finished ones. Options of "
                    "`train` fix a setting for every trial; the search space varies the "
                    "rest. Several workers on one --storage share the trials.")
    parser.add_argument("--study", required=True, help="the study's name (created if new)")
    parser.add_argument("--trials", type=int, required=True,
                        help="finished trials the study should have (completed or pruned)")
    parser.add_argument("--runs-dir", default="runs",
                        help="folder for the trials' runs (default: runs)")
    parser.add_argument("--storage", default=None,
                        help="Optuna storage: a database URL (postgresql://user@host/db) or a "
                             "SQLite file (default: RUNS_DIR/sweeps.db)")
    parser.add_argument("--space", default=None,
                        help="search space file (JSON or YAML: {setting: {low, high, log} or "
                             "[choices]}); default: learning rate, batch size, dropout, label "
                             "smoothing, optimizer (and augmentation strengths when augmenting)")
    parser.add_argument("--sampler", default="tpe", choices=SAMPLERS.names(),
                        help=SAMPLERS.help())
    parser.add_argument("--pruner", default="median", choices=PRUNERS.names(),
                        help=PRUNERS.help())
    parser.add_argument("--heartbeat", type=int, default=30, metavar="SECONDS",
                        help="how often a worker records that its trial is alive; a trial "
                             "silent 3x as long is failed and retried once (default: 30)")
    add_training_options(parser)
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.set_defaults(handler=run, needs_keras=True)


def _space(args):
    from mnist_keras.sweeps import SearchSpace

    return None if args.space is None else SearchSpace.from_file(args.space)


def run(args):
    import logging

    from mnist_keras.errors import expected
    from mnist_keras.sweeps import default_space, run_sweep

    given = {name for name in SETTINGS_WITH_OPTIONS if getattr(args, name) is not None}
    overrides = {} if "validation_split" in given else \
        {"validation_split": DEFAULT_VALIDATION_SPLIT}
    config = config_from_args(args, **overrides)
    space = _space(args)
    if space is None:
        # An option given fixes its setting: the default space leaves it out.
        space = default_space(config).without(given)
    both = sorted(given & set(space.names()))
    if both:
        raise expected("each setting either fixed by an option or searched by the space, "
                       "not both", **{both[0]: getattr(args, both[0])})

    # Every trial builds a new model, which TensorFlow's retracing heuristic
    # reports as a warning per trial; it is expected here.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)

    def log(line):
        print(f"[{args.study}] {line}", flush=True)

    result = run_sweep(args.study, args.trials, runs_dir=args.runs_dir, config=config,
                       space=space, storage=args.storage, sampler=args.sampler,
                       pruner=args.pruner, heartbeat_seconds=args.heartbeat,
                       log=None if args.json else log)
    if args.json:
        print_json({"study": result.study, "storage": result.storage,
                    "finished": result.finished, "trials_run": list(result.trials_run),
                    "stopped": result.stopped, "best_trial": result.best_trial,
                    "best_value": result.best_value, "best_params": result.best_params,
                    "best_run": result.best_run})
        return
    best = ("no completed trial yet" if result.best_trial is None else
            f"best trial {result.best_trial}: val_accuracy {result.best_value:.4f} "
            f"({result.best_run}) with "
            + ", ".join(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"
                        for key, value in result.best_params.items()))
    print(f"{result.study}: {result.finished} finished trials in {result.storage} "
          f"({len(result.trials_run)} run here, {result.stopped}); {best}")
