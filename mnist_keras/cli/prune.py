"""`mnist-keras prune`: prune a trained model, fine-tune it, write the run."""

from mnist_keras.cli.parsing import MODEL_HELP, print_json, summary
from mnist_keras.fine_tuning import FINE_TUNE_LEARNING_RATE, FINE_TUNE_STEPS
from mnist_keras.registries import DATASETS, PRUNING_SCHEDULES, PRUNING_SCOPES


def register(subparsers):
    parser = subparsers.add_parser(
        "prune", help="prune a trained model, fine-tune it, write a run")
    parser.add_argument("model", help=f"{MODEL_HELP} (its run is the parent)")
    parser.add_argument("--sparsity", type=float, required=True,
                        help="fraction of Conv2D/Dense kernel weights set to zero (0-0.99)")
    parser.add_argument("--fine-tune-epochs", type=int,
                        help=f"epochs of fine-tuning (default: enough for {FINE_TUNE_STEPS} "
                             "steps, 2 epochs of all of MNIST; 0 prunes only)")
    parser.add_argument("--run-dir", required=True, help="new folder for the pruned run")
    parser.add_argument("--scope", default="global", choices=PRUNING_SCOPES.names(),
                        help=PRUNING_SCOPES.help())
    parser.add_argument("--schedule", default="polynomial", choices=PRUNING_SCHEDULES.names(),
                        help=PRUNING_SCHEDULES.help())
    parser.add_argument("--prune-output-layer", action="store_true",
                        help="also prune the classifier (left dense by default)")
    parser.add_argument("--learning-rate", type=float,
                        help="fine-tuning learning rate, constant (default: a tenth of the "
                             f"parent run's; {FINE_TUNE_LEARNING_RATE:g} for an uploaded model)")
    help_inherited = " (default: the parent run's)"
    parser.add_argument("--batch-size", type=int, help="batch size" + help_inherited)
    parser.add_argument("--train-size", type=int, help="training images" + help_inherited)
    parser.add_argument("--test-size", type=int, help="test images" + help_inherited)
    parser.add_argument("--dataset", help=", ".join(DATASETS) + help_inherited)
    parser.add_argument("--data-dir", help="IDX folder" + help_inherited)
    parser.add_argument("--seed", type=int, help="seed" + help_inherited)
    parser.add_argument("--mlflow", metavar="URI",
                        help="an MLflow tracking URI to log the run to (needs the mlflow extra)")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.set_defaults(handler=run, needs_keras=True, model_files=("model",))


def run(args):
    from mnist_keras.callbacks import ProgressBar
    from mnist_keras.fine_tuning import pruning_config
    from mnist_keras.pretrained import resolve_model
    from mnist_keras.training import train

    config = pruning_config(
        resolve_model(args.model), args.sparsity, fine_tune_epochs=args.fine_tune_epochs,
        scope=args.scope, schedule=args.schedule, prune_output_layer=args.prune_output_layer,
        learning_rate=args.learning_rate, batch_size=args.batch_size,
        train_size=args.train_size, test_size=args.test_size, dataset=args.dataset,
        data_dir=args.data_dir, seed=args.seed, mlflow=args.mlflow)
    result = train(config, run_dir=args.run_dir, callbacks=[ProgressBar()])
    metrics, report = result.metrics, result.metrics.sparsity
    if args.json:
        print_json({"run_dir": result.run_dir, "status": result.status.value,
                    **summary(metrics), "parent_run": metrics.parent_run,
                    "sparsity": report.to_dict()})
        return
    for row in report.layers:
        print(f"  {row.name:24s} {row.zeros:>9,} of {row.total:>9,} zero "
              f"({100 * row.sparsity:.1f}%)")
    print(f"{result.status}: test accuracy {metrics.test_accuracy:.4f} at "
          f"{100 * report.sparsity:.1f}% sparsity ({report.nonzero_params:,} of "
          f"{report.params:,} parameters non-zero); run saved in {result.run_dir}")
