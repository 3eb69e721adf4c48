"""Settings in the page's address, so a link opens the dashboard with those settings.

The query holds the settings that differ from the library's defaults, by
their `TrainingConfig` names, and the defaults version it was written under
(`?train_size=5500&epochs=3&learning_rate=0.003&defaults=2`),
a custom model's layers as JSON (`spec=[...]`), or a lesson's name
(`?lesson=overfitting`). Reading a query validates it like any other
settings: an unknown name or a bad value gives a message and changes nothing.
"""

import json
from urllib.parse import parse_qsl, urlencode

from dashboard.shared.lessons import lesson
from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.layer_specs import validate_spec
from mnist_keras.reproduce import changed_settings
from mnist_keras.settings import DEFAULTS_VERSION, SHARE, names_on

# The key of the defaults version a link's settings differ from.
DEFAULTS_KEY = "defaults"
# A page address longer than this is not ours: refused before any parsing.
MAX_QUERY_CHARS = 8_000
# The settings a link carries: the settings table's share surface (what the
# form shows); the others (a parent model, pruning) never come from a link.
FORM_SETTINGS = tuple(names_on(SHARE))


def query_for(config, spec=None, lesson_key=None):
    """The page address query (with `?`) that opens the form on `config`.

    A lesson whose settings `config` still are is linked by its name.

    The settings that differ from the library's defaults are written, and
    the defaults version they differ from (`defaults`), so the link opens the
    same settings after the defaults change.

    >>> query_for(TrainingConfig(epochs=3, train_size=5500))
    '?train_size=5500&epochs=3&defaults=2'
    """
    current = lesson(lesson_key)
    if current is not None and not spec and current.config() == config:
        return f"?lesson={current.key}"
    values = {name: value for name, value in changed_settings(config).items()
              if name in FORM_SETTINGS and not (spec and name == "model")}
    pairs = [(name, value if isinstance(value, str) else json.dumps(value))
             for name, value in values.items()]
    if spec:
        pairs.append(("spec", json.dumps(list(spec), separators=(",", ":"))))
    if pairs:
        pairs.append((DEFAULTS_KEY, str(DEFAULTS_VERSION)))
    return "?" + urlencode(pairs) if pairs else ""


def read_query(search):
    """What a page address query asks for.

    Args:
        search: the query, with or without its leading `?` (may be empty).

    Returns:
        `(config, spec, lesson_key)`: the `TrainingConfig` (None for an empty
        query), the custom model's layer spec or None, and the lesson's name
        or None.

    Raises:
        MnistKerasError: for a query that is too long, names an unknown
            setting or lesson, or holds a value out of range.
    """
    search = search or ""
    if len(search) > MAX_QUERY_CHARS:
        raise expected(f"a page address of at most {MAX_QUERY_CHARS:,} characters",
                       length=len(search))
    pairs = parse_qsl(search.lstrip("?"), keep_blank_values=False)
    if not pairs:
        return None, None, None
    values = dict(pairs)
    if "lesson" in values:
        found = lesson(values["lesson"])
        if found is None:
            from dashboard.shared.lessons import LESSONS

            raise expected(f"a lesson in {[item.key for item in LESSONS]}",
                           lesson=values["lesson"])
        return found.config(), None, found.key
    spec = None
    if "spec" in values:
        try:
            spec = validate_spec(json.loads(values.pop("spec")))
        except ValueError as error:
            raise MnistKerasError(f"Expected a layer spec in the address. Received: "
                                  f"{str(error)[:200]}") from None
    # A link from before the version was written meant the defaults of then.
    version = values.pop(DEFAULTS_KEY, "1")
    if not version.isdigit():
        raise expected("a defaults version as a whole number", defaults=version[:20])
    unknown = sorted(set(values) - set(FORM_SETTINGS))
    if unknown:
        raise expected(f"settings among {list(FORM_SETTINGS)}", unknown=unknown[:10])
    settings = {name: _value(raw) for name, raw in values.items()}
    if spec:
        settings["model"] = "cnn"  # replaced by the spec when the job starts
    return TrainingConfig.from_dict(settings, defaults_version=int(version)), spec, None


def _value(raw):
    # Numbers, true/false and null are JSON; anything else is a plain string.
    try:
        return json.loads(raw)
    except ValueError:
        return raw
