"""What the Sweeps panel reads and edits: its storages and studies, and the search-space table.

The page never names a storage URL: it picks one of the storages this
dashboard was given by a key (`runs-folder`, the runs folder's `sweeps.db`,
or `storage-1`, ... from `mnist-keras dashboard --sweep-storage URL`), so a
request cannot point the server at a database of its choosing. Storages are
opened once, without heartbeats (the panel only reads them), and kept by the
`SweepBrowser` that lives on the app, like the `JobManager`.
"""

import os
import threading

from mnist_keras.errors import expected
from mnist_keras.sweeps import SearchSpace, display_url, open_storage, storage_url
from mnist_keras.sweeps.space import CHOICE_SETTINGS, MAX_PARAMETERS
from mnist_keras.sweeps.storage import sqlite_path

RUNS_FOLDER = "runs-folder"
# The space table's columns, and how long a cell's text may be.
SPACE_COLUMNS = ("setting", "low", "high", "scale", "choices")
MAX_CELL_CHARS = 500


class SweepBrowser:
    """The storages the Sweeps panel may show, each opened once.

    Args:
        runs_dir: the runs folder (its `sweeps.db` is always offered).
        storages: more storage URLs (e.g. a PostgreSQL server shared by
            several machines).
    """

    def __init__(self, runs_dir, storages=()):
        self._urls = {RUNS_FOLDER: storage_url(None, runs_dir)}
        for number, url in enumerate(storages, 1):
            self._urls[f"storage-{number}"] = storage_url(url, runs_dir)
        self._open = {}
        self._lock = threading.Lock()

    def choices(self):
        """Dropdown options: one per storage, labelled with its URL (password hidden)."""
        return [{"label": ("this runs folder: sweeps.db" if key == RUNS_FOLDER
                           else display_url(url)), "value": key}
                for key, url in self._urls.items()]

    def url(self, key):
        """The URL of the storage `key`; refuses a key this dashboard was not given."""
        if key not in self._urls:
            raise expected(f"a storage among {list(self._urls)}", storage=key)
        return self._urls[key]

    def storage(self, key):
        """The open `RDBStorage` of `key`, or None for a SQLite file not created yet."""
        url = self.url(key)
        path = sqlite_path(url)
        if path is not None and not os.path.isfile(path):
            return None  # reading must not create the database
        with self._lock:
            if url not in self._open:
                self._open[url] = open_storage(url)
            return self._open[url]

    def studies(self, key):
        """The names of the studies in storage `key` (none before the first sweep)."""
        from mnist_keras.sweeps import study_names

        storage = self.storage(key)
        return [] if storage is None else study_names(storage)

    def study(self, key, name):
        """The `optuna.Study` called `name` in storage `key`.

        Raises:
            MnistKerasError: for a study that is not there.
        """
        import optuna

        storage = self.storage(key)
        if storage is None or name not in self.studies(key):
            raise expected("a study in the chosen storage", study=name)
        return optuna.load_study(study_name=name, storage=storage)


def space_rows(space):
    """A `SearchSpace` -> the space table's rows."""
    rows = []
    for name, spec in space.to_dict().items():
        if "choices" in spec:
            rows.append({"setting": name, "low": None, "high": None, "scale": None,
                         "choices": ", ".join(str(choice).lower() if isinstance(choice, bool)
                                              else str(choice) for choice in spec["choices"])})
        else:
            rows.append({"setting": name, "low": spec["low"], "high": spec["high"],
                         "scale": "log" if spec.get("log") else "linear", "choices": None})
    return rows


def _choice(setting, text):
    if setting == "augment":
        if text.lower() not in ("true", "false"):
            raise expected("augment choices true or false", augment=text)
        return text.lower() == "true"
    if setting in ("model", "optimizer", "schedule"):
        return text
    try:
        number = float(text)
    except ValueError:
        raise expected(f"{setting} choices as numbers", **{setting: text}) from None
    return int(number) if number.is_integer() and setting in ("batch_size", "epochs") \
        else number


def _number(setting, which, value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        raise expected(f"a number for {setting} {which}", **{which: value}) from None


def rows_to_space(rows):
    """The space table's rows -> a `SearchSpace` (a row with choices is a list of choices).

    Raises:
        MnistKerasError: naming the first row or value refused.

    >>> space = rows_to_space([{"setting": "optimizer", "choices": "adam, sgd"},
    ...                        {"setting": "learning_rate", "low": 0.001, "high": 0.01,
    ...                         "scale": "log"}])
    >>> space.to_dict()["optimizer"], space.to_dict()["learning_rate"]["log"]
    ({'choices': ['adam', 'sgd']}, True)
    """
    rows = [row for row in (rows or []) if isinstance(row, dict) and row.get("setting")]
    if not 1 <= len(rows) <= MAX_PARAMETERS:
        raise expected(f"1-{MAX_PARAMETERS} settings in the search space", settings=len(rows))
    space = {}
    for row in rows:
        setting = row["setting"]
        if setting not in CHOICE_SETTINGS:
            raise expected(f"settings among {list(CHOICE_SETTINGS)}", setting=setting)
        if setting in space:
            raise expected("each setting once in the search space", setting=setting)
        choices = row.get("choices")
        if isinstance(choices, str) and choices.strip():
            if len(choices) > MAX_CELL_CHARS:
                raise expected(f"choices of at most {MAX_CELL_CHARS} characters",
                               choices=choices)
            space[setting] = [_choice(setting, part.strip())
                              for part in choices.split(",") if part.strip()]
        else:
            spec = {"low": _number(setting, "low", row.get("low")),
                    "high": _number(setting, "high", row.get("high"))}
            if row.get("scale") == "log":
                spec["log"] = True
            space[setting] = spec
    return SearchSpace(space)
