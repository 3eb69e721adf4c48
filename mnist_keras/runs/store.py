"""Run folders: create, write atomically, read back typed; name new runs; find them.

A run folder is a folder holding `config.json` or `status.json` (a dashboard
job writes its status before its training process writes the config). Every
file is written atomically, so a reader never sees half a file.
"""

import json
import os
import re
import shutil
import time

from mnist_keras.atomic import atomic_path, atomic_write_json
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.registries import EMBEDDING_METHODS
from mnist_keras.runs.contract import (
    Projection,
    RunConfig,
    RunHistory,
    RunState,
    RunStatus,
    TrialLink,
)
from mnist_keras.runs.environment_file import RunEnvironment
from mnist_keras.runs.metrics_file import RunMetrics
from mnist_keras.runs.notes_file import RunNotes
from mnist_keras.runs.personalization_file import Personalization
from mnist_keras.runs.versioning import RunFormatError

RUN_FILES = ("config.json", "status.json")
# The largest JSON file of a run that is read: the biggest real ones (a
# history of thousands of epochs, a projection of the test set) hold a few
# megabytes. A file past it is refused unread, so a forged or runaway 500 MB
# metrics.json costs no memory in any view that lists or shows runs.
MAX_JSON_BYTES = 64 * 1024 * 1024
# Run names people and requests may use: no path separators, no leading dot.
RUN_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


class Run:
    """A run folder.

    Args:
        path: the folder.

    Example:

    ```python
    run = Run.create("runs/first")
    run.write_config(RunConfig.for_training(TrainingConfig()))
    run.set_status("completed")
    run.metrics().test_accuracy
    ```
    """

    def __init__(self, path):
        self.path = os.fspath(path)

    @classmethod
    def create(cls, path):
        """Creates a new run folder; refuses one that already holds a run.

        A folder holding only `status.json` (a job that is starting) is taken
        over by the training process.

        Raises:
            MnistKerasError: if `path` is a file or already holds a run, so an
                earlier run is never overwritten.
        """
        path = os.fspath(path)
        if os.path.exists(path) and not os.path.isdir(path):
            raise expected("a folder path for the run", run_dir=path)
        if os.path.exists(os.path.join(path, "config.json")):
            raise expected("a new run folder (this one already holds a run)", run_dir=path)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as error:
            raise expected(f"a folder that can be created ({error.strerror})",
                           run_dir=path) from None
        return cls(path)

    @classmethod
    def create_new(cls, runs_dir, stem):
        """Creates a run folder under `runs_dir` with a fresh name: `{stem}-{time}[-N]`.

        The folder is made with one `mkdir`, so two processes naming runs at
        the same moment never get the same folder.
        """
        os.makedirs(runs_dir, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9._-]", "-", stem).lstrip(".-")[:50] or "run"
        base = f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        for counter in range(1, 10_000):
            name = base if counter == 1 else f"{base}-{counter}"
            try:
                os.mkdir(os.path.join(runs_dir, name))
            except FileExistsError:
                continue
            return cls(os.path.join(runs_dir, name))
        raise MnistKerasError(f"Expected a free run name. Received: {base!r} taken 9,999 times")

    def file(self, name):
        return os.path.join(self.path, name)

    @property
    def name(self):
        return os.path.basename(os.path.normpath(self.path))

    def is_run(self):
        """Whether the folder holds a run (a config or a status)."""
        return any(os.path.isfile(self.file(name)) for name in RUN_FILES)

    # Plain JSON, for scripts and for files outside the contract (a layer spec).

    def write_json(self, name, obj):
        atomic_write_json(self.file(name), obj)

    def read_json(self, name, default=None):
        """Reads one of the run's JSON files; `default` if missing, damaged or too large."""
        try:
            if os.path.getsize(self.file(name)) > MAX_JSON_BYTES:
                return default
            with open(self.file(name), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError, RecursionError):
            return default

    # The contract, typed.

    def _read(self, name, cls):
        try:
            size = os.path.getsize(self.file(name))
            if size > MAX_JSON_BYTES:
                raise RunFormatError(f"Expected {self.name}/{name} of at most "
                                     f"{MAX_JSON_BYTES // 2**20} MB. Received: "
                                     f"{size / 2**20:,.0f} MB (not read)")
            with open(self.file(name), encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as error:
            raise RunFormatError(f"Expected readable JSON in {self.name}/{name}. Received: "
                                 f"{str(error)[:200]}") from None
        return cls.from_dict(data, self.name)

    def config(self):
        """The `RunConfig`, or None before the training process wrote it.

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("config.json", RunConfig)

    def state(self):
        """The `RunState`; status `unknown` when there is no readable status.json."""
        try:
            return self._read("status.json", RunState) or RunState()
        except RunFormatError:
            return RunState()

    @property
    def status(self):
        """The run's `RunStatus`."""
        return self.state().status

    def metrics(self):
        """The `RunMetrics`, or None until the run is evaluated.

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("metrics.json", RunMetrics)

    def history(self):
        """The `RunHistory` (empty until training ends)."""
        return self._read("history.json", RunHistory) or RunHistory()

    def trial(self):
        """The `TrialLink` of a sweep's run, or None for a run outside any sweep.

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("trial.json", TrialLink)

    def notes(self):
        """The run's `RunNotes` (tags and a note); empty ones when none were written.

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("notes.json", RunNotes) or RunNotes()

    def write_notes(self, tags, note=""):
        """Checks and writes the run's tags and note; returns the `RunNotes` written.

        Args:
            tags: a list of tags, or text with tags separated by commas.
            note: free text.

        Raises:
            MnistKerasError: for tags or a note `RunNotes.of` refuses.
        """
        notes = RunNotes.of(tags, note)
        self.write_json("notes.json", notes.to_dict())
        return notes

    def personalization(self):
        """The `Personalization` of a run that taught a model someone's handwriting, or None.

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("personalization.json", Personalization)

    def environment(self):
        """The `RunEnvironment` the run was trained in, or None (runs from before it was kept).

        Raises:
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read("environment.json", RunEnvironment)

    def write_environment(self, environment):
        """Writes the `RunEnvironment` (when training starts)."""
        self.write_json("environment.json", environment.to_dict())

    def write_personalization(self, record):
        """Writes the `Personalization` record."""
        self.write_json("personalization.json", record.to_dict())

    def write_trial(self, link):
        """Writes the `TrialLink` (a sweep writes it when the trial starts and ends)."""
        self.write_json("trial.json", link.to_dict())

    def projection(self, method):
        """The cached `Projection` of the test set by `method`, or None if there is none.

        A projection computed from another model file than the run's
        current one is still returned; check `Projection.is_current_for`.

        Raises:
            MnistKerasError: for an unknown method.
            RunFormatError: for a damaged file or one from a newer release.
        """
        return self._read(f"projection-{EMBEDDING_METHODS.check(method)}.json", Projection)

    def write_projection(self, projection):
        """Writes a `Projection` (atomically) as `projection-{method}.json`."""
        EMBEDDING_METHODS.check(projection.method)
        self.write_json(f"projection-{projection.method}.json", projection.to_dict())

    def write_config(self, config):
        """Writes the `RunConfig`."""
        self.write_json("config.json", config.to_dict())

    def set_status(self, status, **details):
        """Records the run's status (a `RunStatus` or its name) with details.

        Args:
            status: `running`, `completed`, `cancelled` or `failed`.
            **details: `RunState` fields to set (`error`, `pid`, `finished`...).
        """
        if not isinstance(status, RunStatus):
            if status not in RunStatus._value2member_map_ or status == "unknown":
                raise expected(f"a status in {[s.value for s in RunStatus][:4]}",
                               status=status)
            status = RunStatus(status)
        known = RunState.__dataclass_fields__
        unknown = sorted(set(details) - set(known))
        if unknown:
            raise expected(f"status details among {sorted(known)}", unknown=unknown)
        now = time.time()
        values = {**self.state().to_dict(), **details, "status": status.value, "updated": now}
        if status is RunStatus.RUNNING:
            values.setdefault("started", now)
            values.setdefault("pid", os.getpid())
        self.write_json("status.json", RunState.from_dict(values).to_dict())

    def save_model(self, model):
        with atomic_path(self.file("model.keras")) as tmp:
            model.save(tmp)

    def load_model(self):
        from mnist_keras.runs.model_files import load_model

        return load_model(self.file("model.keras"))

    def save_results(self, model, metrics, history=None, status=RunStatus.COMPLETED):
        """Writes what a finished run leaves behind: the one writer of results.

        Training, pruning and uploads all end here. The history and the model
        come first and the status last, so a reader that sees `completed`
        finds every file.

        Args:
            model: the trained `keras.Model`.
            metrics: its `RunMetrics`.
            history: a `RunHistory`; empty for an uploaded model.
            status: `completed` or `cancelled`.
        """
        self.write_json("history.json", (history or RunHistory()).to_dict())
        self.save_model(model)
        self.write_json("metrics.json", metrics.to_dict())
        self.set_status(status, finished=time.time())


    # Moving and removing the folder, for people: never while it trains.

    def _check_finished(self, action):
        if self.status is RunStatus.RUNNING:
            raise MnistKerasError(f"Expected a finished run to {action}. Received: "
                                  f"{self.name!r} is training (cancel it first)")
        try:
            config = self.config()
        except RunFormatError:
            config = None
        if config is not None and config.read_only:
            raise MnistKerasError(
                f"Expected a run of your own to {action}. Received: {self.name!r} ships with "
                "mnist-keras and is read-only (prune or fine-tune it into a run of your own)")

    def rename(self, new_name):
        """Renames the run's folder within its runs folder.

        Args:
            new_name: 1-80 letters, digits, '.', '_' or '-' (surrounding
                spaces are dropped); no other run may have it.

        Returns:
            The renamed `Run`.

        Raises:
            MnistKerasError: for a run that is training or read-only, or a bad
                or taken name.
        """
        self._check_finished("rename")
        new_name = new_name.strip() if isinstance(new_name, str) else new_name
        if not isinstance(new_name, str) or not RUN_NAME_PATTERN.fullmatch(new_name):
            shown = new_name[:100] if isinstance(new_name, str) else new_name
            raise expected("a new name of 1-80 letters, digits, '.', '_' or '-'",
                           new_name=shown)
        target = os.path.join(os.path.dirname(os.path.normpath(self.path)), new_name)
        if os.path.exists(target):
            raise expected("a name no other run has", new_name=new_name)
        os.rename(self.path, target)
        return Run(target)

    def delete(self):
        """Deletes the run's folder and everything in it.

        Raises:
            MnistKerasError: for a run that is training or read-only.
        """
        self._check_finished("delete")
        shutil.rmtree(self.path)


def run_in(runs_dir, name, must_exist=True):
    """The run called `name` inside `runs_dir`, for a name that came from a person or a request.

    Args:
        runs_dir: the runs folder.
        name: a run name: 1-80 letters, digits, '.', '_' or '-', not starting
            with '.' or '-'; never a path.
        must_exist: also require the folder to hold a run.

    Returns:
        A `Run` whose folder is directly inside `runs_dir`.

    Raises:
        MnistKerasError: for any other name, or a missing run.

    >>> run_in("runs", "../etc", must_exist=False)
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected a run name of ... Received: name='../etc'
    """
    if not isinstance(name, str) or not RUN_NAME_PATTERN.fullmatch(name):
        shown = name[:100] if isinstance(name, str) else type(name).__name__
        raise expected("a run name of 1-80 letters, digits, '.', '_' or '-'", name=shown)
    root = os.path.realpath(runs_dir)
    path = os.path.join(root, name)
    # A symbolic link inside the runs folder must not lead out of it.
    if os.path.dirname(os.path.realpath(path)) != root:
        raise expected("a run inside the runs folder", name=name)
    run = Run(path)
    if must_exist and not run.is_run():
        raise expected("an existing run", name=name)
    return run


def list_runs(runs_dir):
    """The runs under `runs_dir`, oldest first by when they started.

    A run still starting (status only) is included; folders that are not
    runs are skipped.
    """
    if not os.path.isdir(runs_dir):
        return []
    runs = []
    for entry in os.scandir(runs_dir):
        if entry.is_dir() and not entry.name.startswith("."):
            run = Run(entry.path)
            if run.is_run():
                runs.append(run)

    def started(run):
        return run.state().started or os.path.getmtime(run.path)

    return sorted(runs, key=started)
