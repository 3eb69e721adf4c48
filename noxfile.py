"""Development sessions: `dashboard` (the main job), `tests`, `lint`, `docs`, `bench`,
`train`, `export`, `js`.

    python3 -m pip install nox && python3 -m nox -s dashboard
    python3 -m pip install nox && python3 -m nox -s tests
"""

import os

import nox
import tomllib

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

RUFF = "ruff==0.17.6"
IMPORT_LINTER = "import-linter==2.16"
# The dashboard's export button needs the exporter too, its projector UMAP: the
# main job installs all three.
APP = ".[dashboard,export,umap]"


def _extra(name: str) -> list[str]:
    # An extra's requirements as pyproject.toml pins them (its one home).
    with open("pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["optional-dependencies"][name]


def _install_node_modules(session: nox.Session) -> None:
    # The TF.js runtime (web_export/vendor/) and Bootstrap's CSS (dashboard/
    # assets/vendor/) are bundled; the tests compare them with what `npm ci`
    # installs and verifies against package-lock.json.
    if not all(os.path.isfile(f"node_modules/{package}/package.json")
               for package in ("@tensorflow/tfjs", "bootstrap")):
        session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after --)."""
    session.install("-e", ".[dashboard,export,test]")
    _install_node_modules(session)
    # Two workers (pytest-xdist): browser tests mostly wait, so two share the two
    # cores well; a worker that runs out of tests takes some of the other's
    # (worksteal). `-n 0` runs the suite in one process.
    session.run("pytest", "-n", "2", "--dist", "worksteal", *session.posargs,
                env={"TF_CPP_MIN_LOG_LEVEL": "2"})


@nox.session(python=False)
def js(session: nox.Session) -> None:
    """Refresh the bundled front-end files (TF.js runtime, Bootstrap CSS) from npm's lock file."""
    session.run("npm", "ci", "--no-audit", "--no-fund", *session.posargs, external=True)
    session.run("python3", "-m", "web_export.runtime", "refresh", external=True)
    session.run("python3", "-m", "dashboard.bundled_css", "refresh", external=True)


@nox.session
def export(session: nox.Session) -> None:
    """Export a model to a static TF.js site (args go to `mnist-keras export`)."""
    session.install("-e", ".[export]")
    session.run("mnist-keras", "export", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with the pinned ruff, and the layering with import-linter."""
    session.install(RUFF, IMPORT_LINTER)
    session.run("ruff", "check", ".", *session.posargs)
    # The contracts live in pyproject.toml ([tool.importlinter]).
    session.run("lint-imports")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into site-docs/, strictly (pass mkdocs options after --)."""
    # The site reads the code without importing it (mkdocstrings' static
    # analysis), so only the docs extra's tools are installed, not TensorFlow;
    # ruff formats the API reference's signatures (the lint session's pin).
    session.install(*_extra("docs"), RUFF)
    # Material for MkDocs prints a notice about its end of life on every build: silenced.
    session.run("mkdocs", "build", "--strict", "--site-dir", "site-docs", *session.posargs,
                env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def bench(session: nox.Session) -> None:
    """Train on all of MNIST and print speed and accuracy (args go to the script)."""
    session.install("-e", APP)
    session.run("python", "benchmarks/run_index.py")
    session.run("python", "benchmarks/recording_overhead.py")
    session.install("-e", ".[mlflow]")  # run_records.py logs to an MLflow store too
    session.run("python", "benchmarks/run_records.py")
    session.run("python", "benchmarks/dashboard_callbacks.py")
    session.run("python", "benchmarks/request_limits.py")
    session.run("python", "benchmarks/predict_latency.py")
    session.run("python", "benchmarks/drawing_panel.py")
    session.run("python", "benchmarks/explain.py")
    session.run("python", "benchmarks/pruning.py")
    session.run("python", "benchmarks/pruning_recovery.py")
    session.run("python", "benchmarks/train_speed.py")
    session.run("python", "benchmarks/sweeps.py")
    session.run("python", "benchmarks/robustness.py")
    session.run("python", "benchmarks/other_writers.py")
    session.run("python", "benchmarks/personalize.py")
    session.run("python", "benchmarks/doubt.py")
    session.run("python", "benchmarks/export_formats.py", "--default")
    session.install("matplotlib")  # the time-to-accuracy plot
    session.run("python", "benchmarks/recipes.py", "--best", "3")
    session.run("python", "benchmarks/train_full.py", *session.posargs)


@nox.session
def dashboard(session: nox.Session) -> None:
    """Open the dashboard on http://127.0.0.1:8050 (args go to `mnist-keras dashboard`)."""
    # pip is quiet under nox: say what the wait is for before it starts.
    session.log("Installing mnist-keras with TensorFlow, Keras and Dash into this session's "
                "environment: about two minutes the first time, seconds after that.")
    session.install("-e", APP)
    session.run("mnist-keras", "dashboard", *session.posargs)


@nox.session
def train(session: nox.Session) -> None:
    """Train the default CNN on the bundled MNIST into runs/ (args go to `mnist-keras train`)."""
    session.install("-e", ".")
    args = list(session.posargs)
    if "--run-dir" not in args:
        import time

        args += ["--run-dir", time.strftime("runs/cnn-%Y%m%d-%H%M%S")]
    session.run("mnist-keras", "train", *args)
