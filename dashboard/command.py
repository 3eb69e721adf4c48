"""`mnist-keras dashboard`: the subcommand this package adds to the `mnist-keras` command.

Registered through the `mnist_keras.commands` entry point. Dash is imported
only when the command runs, so `mnist-keras --help` stays quick and a missing
`[dashboard]` extra is reported in one line.
"""

from mnist_keras.cli.parsing import missing_extra
from mnist_keras.errors import expected

EXTRA_MODULES = ("dash", "dash_canvas", "plotly", "flask", "werkzeug")


def register(subparsers):
    parser = subparsers.add_parser("dashboard", help="open the training dashboard in a browser")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument("--runs-dir", default="runs", help="folder of runs (default: runs)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also serve requests addressed to NAME (for deliberate remote use "
                             "with --host 0.0.0.0); repeatable")
    parser.add_argument("--sweep-storage", action="append", default=[], metavar="URL",
                        help="also show the sweeps of this Optuna storage (a database URL "
                             "such as postgresql://user@host/db); repeatable")
    parser.add_argument("--data-root", action="append", default=[], metavar="DIR",
                        help="also let the Data folder box read folders inside DIR (it reads "
                             "inside the working folder and the runs folder's own); repeatable")
    # Here as well as before the subcommand, so `nox -s dashboard -- --import-module X`
    # works; its own name keeps argparse from resetting the other's value.
    parser.add_argument("--import-module", action="append", default=[], metavar="MODULE",
                        dest="dashboard_modules",
                        help="import this module first: it registers the custom layers of "
                             "your models (keras.saving.register_keras_serializable); "
                             "repeatable. Models still load in safe mode")
    parser.add_argument("--open", action="store_true",
                        help="open the dashboard in the system's browser once it is ready")
    parser.add_argument("--verbose", action="store_true",
                        help="log every request the server answers (quiet by default)")
    parser.set_defaults(handler=run, needs_keras=True,
                        requires_extra=("dashboard", ("dash", "dash_canvas", "plotly")))


def run(args):
    if not 1 <= args.port <= 65535:
        raise expected("a port in [1, 65535]", port=args.port)
    if args.dashboard_modules:
        from mnist_keras.runs import use_custom_modules

        use_custom_modules(args.dashboard_modules)
    try:
        from dashboard.app import main as serve
    except ImportError as error:
        raise missing_extra("dashboard", error, EXTRA_MODULES) from None
    serve(host=args.host, port=args.port, runs_dir=args.runs_dir, allow_hosts=args.allow_host,
          sweep_storages=args.sweep_storage, verbose=args.verbose, open_browser=args.open,
          data_roots=args.data_root)
