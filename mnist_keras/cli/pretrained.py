"""`mnist-keras pretrained`: the model that ships with mnist-keras, and where its file is.

    mnist-keras pretrained             # what it is and how well it reads MNIST
    mnist-keras pretrained --path      # its .keras file, for other programs
    mnist-keras predict pretrained seven.png
"""

from mnist_keras.cli.parsing import print_json, summary


def register(subparsers):
    parser = subparsers.add_parser(
        "pretrained", help="the model that ships with mnist-keras: its figures or its file",
        description="Commands that take a model (predict, evaluate, explain, prune, export) "
                    "take the word 'pretrained' for it.")
    parser.add_argument("--path", action="store_true", help="print only its .keras file's path")
    parser.add_argument("--json", action="store_true", help="print its figures as JSON")
    parser.set_defaults(handler=run)


def run(args):
    import os

    from mnist_keras.pretrained import pretrained_run

    shipped = pretrained_run()
    path = shipped.file("model.keras")
    if args.path:
        print(path)
        return
    config, metrics = shipped.config(), shipped.metrics()
    training = config.training
    if args.json:
        print_json({"path": path, "bytes": os.path.getsize(path), "model": training.model,
                    **summary(metrics), "settings": training.to_dict()})
        return
    print(f"pretrained: {training.model}, {metrics.num_params:,} parameters "
          f"({os.path.getsize(path) / 1024:.0f} KB), trained for {metrics.epochs_done} epochs "
          f"on {training.train_size:,} MNIST images (seed {training.seed}); test accuracy "
          f"{metrics.test_accuracy:.4f} on {sum(map(sum, metrics.confusion_matrix)):,} test "
          f"images\n{path}")
