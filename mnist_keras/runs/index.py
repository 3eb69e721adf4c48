"""An index of a runs folder for pollers: a poll with nothing new reads no file.

Every file of a run is written atomically (a temp file renamed into place), and
a rename changes the folder's modification time. So the index keeps one
summary per run keyed by its folder's modification time and re-reads a run
only when that changed: a poll costs one `scandir` and a `stat` per run.

A modification time can repeat within the file system's clock tick, so a
summary read less than `settle_seconds` after its folder last changed is read
again on the next poll (git's "racily clean" rule): a write that lands in the
same tick as a read is never missed.
"""

import dataclasses
import os
import threading
import time
from typing import Optional

from mnist_keras.runs.contract import RunConfig, RunState
from mnist_keras.runs.notes_file import RunNotes
from mnist_keras.runs.store import Run
from mnist_keras.runs.versioning import RunFormatError


@dataclasses.dataclass(frozen=True)
class RunSummary:
    """What a list of runs shows of one run.

    Attributes:
        name, path: the run folder.
        state: its `RunState`.
        config: its `RunConfig` (None while starting, or when unreadable).
        test_accuracy, num_params, nonzero_params, train_seconds, epochs_done:
            from its metrics (None until evaluated).
        parent_run: the run it was pruned from, or None.
        class_names: the model's class names (None until evaluated).
        has_model: a finished run with a saved model.
        problem: why a file could not be read (damaged, or a newer format).
        stopped_early: `"early_stopping"` or `"pruned"` (by a sweep), from its metrics.
        tags, note: what a person wrote about it (`RunNotes`).
    """

    name: str
    path: str
    state: RunState
    config: Optional[RunConfig] = None
    test_accuracy: Optional[float] = None
    num_params: Optional[int] = None
    nonzero_params: Optional[int] = None
    train_seconds: Optional[float] = None
    epochs_done: Optional[int] = None
    parent_run: Optional[str] = None
    class_names: Optional[tuple] = None
    has_model: bool = False
    problem: Optional[str] = None
    stopped_early: Optional[str] = None
    tags: tuple = ()
    note: str = ""

    @property
    def status(self):
        return self.state.status

    @property
    def model_label(self):
        return self.config.model_label if self.config else "?"

    @property
    def started(self):
        return self.state.started


def summarize(run):
    """Reads one run folder into a `RunSummary` (the index calls this on a change)."""
    state, problem = run.state(), None
    config = metrics = None
    notes = RunNotes()
    try:
        config = run.config()
        metrics = run.metrics()
        notes = run.notes()
    except RunFormatError as error:
        problem = str(error)
    values = {"tags": notes.tags, "note": notes.note}
    if metrics is not None:
        values |= {"test_accuracy": metrics.test_accuracy, "num_params": metrics.num_params,
                  "nonzero_params": metrics.nonzero_params,
                  "train_seconds": metrics.train_seconds, "epochs_done": metrics.epochs_done,
                  "class_names": metrics.class_names, "stopped_early": metrics.stopped_early}
    parent = (metrics.parent_run if metrics else None) or (config.parent_run if config else None)
    return RunSummary(
        name=run.name, path=run.path, state=state, config=config, parent_run=parent,
        has_model=state.status.is_finished and os.path.isfile(run.file("model.keras")),
        problem=problem, **values)


class RunIndex:
    """Summaries of every run in a folder, refreshed cheaply. Safe across threads.

    Args:
        runs_dir: the runs folder (it may not exist yet).
        settle_seconds: how long after a change a summary is still re-read.

    Example:

    ```python
    index = RunIndex("runs")
    [(s.name, s.status) for s in index.refresh()]
    # [('cnn-20261122-101500', <RunStatus.COMPLETED: 'completed'>)]
    ```
    """

    def __init__(self, runs_dir, settle_seconds=2.0):
        self.runs_dir = os.fspath(runs_dir)
        self.settle_seconds = settle_seconds
        self._entries = {}  # name -> (mtime_ns, settled, RunSummary)
        self._lock = threading.Lock()
        self._version = 0
        self._reads = 0

    @property
    def version(self):
        """A number that grows whenever a summary was added, changed or removed."""
        return self._version

    @property
    def reads(self):
        """How many run folders were read so far (for benchmarks and tests)."""
        return self._reads

    def refresh(self):
        """Re-reads the runs that changed; returns every summary, oldest first."""
        with self._lock:
            now_ns = time.time_ns()
            settle_ns = int(self.settle_seconds * 1e9)
            seen, changed = set(), False
            try:
                entries = list(os.scandir(self.runs_dir))
            except FileNotFoundError:
                entries = []
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir():
                    continue
                try:
                    mtime_ns = entry.stat().st_mtime_ns
                except FileNotFoundError:  # deleted since the scan
                    continue
                cached = self._entries.get(entry.name)
                if cached and cached[0] == mtime_ns and cached[1]:
                    seen.add(entry.name)
                    continue
                run = Run(entry.path)
                if not run.is_run():
                    continue
                summary = summarize(run)
                self._reads += 1
                settled = now_ns - mtime_ns > settle_ns
                if not cached or cached[2] != summary:
                    changed = True
                self._entries[entry.name] = (mtime_ns, settled, summary)
                seen.add(entry.name)
            for gone in set(self._entries) - seen:
                del self._entries[gone]
                changed = True
            if changed:
                self._version += 1
            summaries = [entry[2] for entry in self._entries.values()]
        return sorted(summaries, key=lambda s: (s.started or s.state.updated or 0.0, s.name))

    def get(self, name):
        """The summary of run `name` as of the last refresh, or None."""
        with self._lock:
            entry = self._entries.get(name)
        return entry[2] if entry else None


# The columns of `runs_csv` before the settings: what the runs table shows.
CSV_COLUMNS = ("name", "status", "model", "test_accuracy", "num_params", "nonzero_params",
               "train_seconds", "epochs_done", "parent_run", "tags", "note", "started")


def _cell(value):
    # A spreadsheet runs a cell that starts with = + - @ as a formula: names
    # and notes are people's text, so such a cell is written as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def runs_csv(summaries):
    """Every run as one CSV row: its results, tags and note, then every setting.

    Args:
        summaries: `RunSummary` objects (`RunIndex.refresh()`).

    Returns:
        The CSV text, with a header row: `CSV_COLUMNS`, then one column per
        training setting in the settings table's order (empty for an upload).
        Tags are joined with `"; "`, `started` is ISO 8601 in UTC, and a text
        cell starting with `=`, `+`, `-` or `@` is prefixed with `'` so a
        spreadsheet shows it instead of running it.

    >>> print(runs_csv([]).splitlines()[0][:48])
    name,status,model,test_accuracy,num_params,nonze
    """
    import csv
    import datetime
    import io

    from mnist_keras.settings import SETTINGS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*CSV_COLUMNS, *SETTINGS])
    for run in summaries:
        started = (datetime.datetime.fromtimestamp(run.started, datetime.timezone.utc)
                   .isoformat(timespec="seconds") if run.started else "")
        settings = run.config.training.to_dict() if run.config and run.config.training else {}
        row = [run.name, run.status.value, run.model_label, run.test_accuracy, run.num_params,
               run.nonzero_params, run.train_seconds, run.epochs_done, run.parent_run,
               "; ".join(run.tags), run.note, started]
        row += [list(value) if isinstance(value := settings.get(name), tuple) else value
                for name in SETTINGS]
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return out.getvalue()
