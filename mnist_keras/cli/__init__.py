"""The `mnist-keras` command.

    mnist-keras train --run-dir runs/first --epochs 3
    mnist-keras evaluate runs/first/model.keras --json
    mnist-keras sweep --study lr --trials 20 --runs-dir runs --epochs 3
    mnist-keras explain runs/first/model.keras seven.png --method gradcam --out heat.png
    mnist-keras import model.keras --runs-dir runs --name from-colab
    mnist-keras doubt runs/first --top 20
    mnist-keras reproduce runs/first

The library's own commands (train, evaluate, predict, prune, reproduce, sweep, explain,
import, doubt, pretrained, personalize, data) live here; the
dashboard and the exporter add theirs (`dashboard`, `export`) through the
`mnist_keras.commands` entry points, so the library never imports them.
Building the parser imports no Keras: `--help` answers at once, and Keras is
imported only by a command that needs it.

User mistakes exit with status 2 and one line, "error: Expected X. Received: name=value".
"""

import os
import sys

# TensorFlow's C++ side logs a dozen lines (CUDA probing, oneDNN notices) that
# a command-line user does not need; level 3 keeps only fatal ones. A value the
# user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from mnist_keras.cli import (  # noqa: E402
    data,
    doubt,
    evaluate,
    explain,
    importing,
    personalize,
    predict,
    pretrained,
    prune,
    reproduce,
    sweep,
    train,
)
from mnist_keras.cli.parsing import (  # noqa: E402
    Parser,
    check_files_first,
    import_keras_quietly,
    require_extra,
)

COMMANDS = (train, evaluate, predict, prune, reproduce, sweep, explain, importing, pretrained,
            personalize, data, doubt)
PLUGIN_GROUP = "mnist_keras.commands"


def _plugin_commands():
    # Subcommands other installed packages register (the dashboard, the exporter).
    from importlib.metadata import entry_points

    return sorted(entry_points(group=PLUGIN_GROUP), key=lambda point: point.name)


def build_parser():
    """The argument parser of every command, the plugins' included."""
    parser = Parser(prog="mnist-keras",
                    description="Train, evaluate, inspect and export handwritten-digit "
                                "classifiers.")
    parser.add_argument(
        "--import-module", action="append", default=[], metavar="MODULE",
        help="import this module before loading any model: it registers your custom layers "
             "(keras.saving.register_keras_serializable); repeat for several. Looked for on "
             "Python's path and in the working folder. Safe mode stays on.")
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(subparsers)
    for point in _plugin_commands():
        point.load()(subparsers)
    return parser


def main(argv=None):
    """Runs the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    from mnist_keras.errors import MnistKerasError

    try:
        # A missing extra is reported before seconds go into importing Keras.
        extra = getattr(args, "requires_extra", None)
        if extra:
            require_extra(*extra)
        if args.import_module:
            from mnist_keras.runs import use_custom_modules

            use_custom_modules(args.import_module)
        if getattr(args, "needs_keras", False):
            # A wrong path or a file that is no model answers at once, not
            # after the seconds TensorFlow takes to import.
            check_files_first(args)
            import_keras_quietly()
        args.handler(args)
    except MnistKerasError as error:
        print(f"mnist-keras {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"mnist-keras {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as error:
        # A full disk, a file too large, a folder gone: one line, as for any other
        # mistake (what was being written is left whole or not at all).
        where = f": {error.filename}" if error.filename else ""
        print(f"mnist-keras {args.command}: error: {error.strerror or error}{where}",
              file=sys.stderr)
        return 1
    return 0
