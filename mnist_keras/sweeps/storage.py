"""Where a sweep's study lives: an Optuna storage, by URL.

- Nothing given: a SQLite file in the runs folder, `RUNS_DIR/sweeps.db`. It
  needs nothing installed and several processes on this machine share it.
- A path ending in `.db`, `.sqlite` or `.sqlite3`: that SQLite file.
- Any database URL SQLAlchemy knows (`postgresql://user@host/db`,
  `mysql+pymysql://...`): a server that workers on many machines share. The
  PostgreSQL driver comes with `pip install "mnist-keras[postgres]"`.

Storages are Optuna's `RDBStorage`, because it is the one that keeps
heartbeats: every worker records one for its running trial, and a trial whose
worker went silent (killed, out of memory, machine lost) is marked failed by
whichever worker looks next, then retried once. Optuna's journal file storage
keeps no heartbeats, so a killed worker's trial would stay "running" forever.

URLs are shown and recorded with their password hidden.
"""

import os
import re
import time
import warnings

from mnist_keras.errors import MnistKerasError, expected

DEFAULT_STORAGE_FILE = "sweeps.db"
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# Waits for another process's write to finish, rather than failing at once
# (SQLite's default is 5 s; a heartbeat can queue behind a trial's writes).
SQLITE_TIMEOUT_SECONDS = 60
OPEN_ATTEMPTS = 4


def storage_url(storage=None, runs_dir="runs"):
    """The Optuna storage URL for what a person gave.

    Args:
        storage: None (the runs folder's `sweeps.db`), a SQLite file path, or
            a database URL.
        runs_dir: the runs folder. Defaults to `runs`.

    Returns:
        A URL string.

    Raises:
        MnistKerasError: for something that is neither a URL nor a SQLite file.

    Example:

    >>> storage_url("postgresql://sweeper@db.lan/sweeps")
    'postgresql://sweeper@db.lan/sweeps'
    >>> storage_url("/data/lr.db")
    'sqlite:////data/lr.db'
    """
    if storage is None or storage == "":
        return "sqlite:///" + os.path.abspath(os.path.join(runs_dir, DEFAULT_STORAGE_FILE))
    if not isinstance(storage, str) or len(storage) > 2_000:
        raise expected("a storage URL or SQLite file path", storage=storage)
    if _URL.match(storage):
        return storage
    if storage.endswith(SQLITE_SUFFIXES):
        return "sqlite:///" + os.path.abspath(storage)
    raise expected("a database URL (postgresql://user@host/db) or a SQLite file ending in "
                   f"{', '.join(SQLITE_SUFFIXES)}", storage=storage)


# Query parameters that carry a secret (a driver's `password=`, `sslpassword=`,
# an `access_token=`...): hidden like the password of `user:password@`.
_SECRET_PARAMETER = re.compile(
    r"([?&][^=&#]*(?:pass|pwd|secret|token|key|auth|credential)[^=&#]*=)[^&#]*", re.IGNORECASE)


def display_url(url):
    """The URL with its secrets replaced by `***`, for messages and run folders.

    The password of `user:password@` and the value of every query parameter
    whose name says it is a secret (`password`, `sslpassword`, `token`, ...).

    >>> display_url("postgresql://me:secret@db.lan:5432/sweeps")
    'postgresql://me:***@db.lan:5432/sweeps'
    >>> display_url("postgresql://me@db.lan/sweeps?password=secret&sslmode=require")
    'postgresql://me@db.lan/sweeps?password=***&sslmode=require'
    """
    from sqlalchemy.engine import make_url

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # any unparsable URL: show none of it
        return url.split("://", 1)[0] + "://..."
    return _SECRET_PARAMETER.sub(r"\1***", shown)


def sqlite_path(url):
    """The file of a SQLite URL, or None for another database."""
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else None


def open_storage(url, heartbeat_seconds=None, on_stale_trial=None):
    """Opens an Optuna `RDBStorage`, creating its tables the first time.

    Args:
        url: a storage URL (see `storage_url`).
        heartbeat_seconds: how often a running trial's worker records that it
            is alive; a trial silent for three times as long is failed. None
            keeps no heartbeats (a viewer, not a worker).
        on_stale_trial: called `(study, frozen_trial)` for every trial found
            stale (Optuna's `heartbeat_stale_trial_callback`).

    Returns:
        An `optuna.storages.RDBStorage`.

    Raises:
        MnistKerasError: for a missing driver, an unreachable server or a
            file that is not a study database, in one line.
    """
    import optuna

    path = sqlite_path(url)
    if path is not None:
        folder = os.path.dirname(path)
        if folder and not os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
        engine = {"connect_args": {"timeout": SQLITE_TIMEOUT_SECONDS}}
    else:
        # A server may close idle connections between two trials.
        engine = {"pool_pre_ping": True}
    heartbeat = {}
    if heartbeat_seconds is not None:
        heartbeat = dict(heartbeat_interval=int(heartbeat_seconds),
                         grace_period=3 * int(heartbeat_seconds),
                         heartbeat_stale_trial_callback=on_stale_trial)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(url, engine_kwargs=engine, **heartbeat)
        except ImportError as error:
            # Optuna re-raises SQLAlchemy's ModuleNotFoundError for the driver.
            missing = getattr(error.__cause__, "name", None) or getattr(error, "name", None)
            hint = " (pip install 'mnist-keras[postgres]')" if url.startswith("postgres") \
                else ""
            raise MnistKerasError(f"Expected the database driver for {display_url(url)} to "
                                  f"be installed{hint}. Received: no module named "
                                  f"{missing!r}") from None
        except Exception as error:  # SQLAlchemy and Optuna raise many kinds
            # Workers that start together race to create a new database's
            # tables and record their version ("table studies already exists",
            # "UNIQUE constraint failed: alembic_version", "duplicate key");
            # the next try finds them made.
            racing = any(text in str(error).lower() for text in (
                "already exists", "unique constraint", "duplicate key"))
            if not racing or attempt == OPEN_ATTEMPTS - 1:
                raise storage_error(url, error) from None
            time.sleep(0.5 * (attempt + 1))


def storage_error(url, error):
    """A one-line `MnistKerasError` for a storage that failed."""
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return MnistKerasError(f"Expected a reachable Optuna storage. Received: "
                           f"storage={display_url(url)!r} ({type(error).__name__}: "
                           f"{reason[:200]})")
