"""Search spaces: which training settings a sweep varies, and over what.

A space is a dict (or a JSON or YAML file holding one) from `TrainingConfig`
setting names to what to try:

```yaml
learning_rate: {low: 0.0003, high: 0.01, log: true}   # a range (log scale)
dropout: {low: 0.1, high: 0.5}                         # a range
batch_size: [64, 128, 256]                             # choices (or {choices: [...]})
optimizer: [adam, adamw]
```

Ranges of whole-number settings (`batch_size`, `epochs`) draw integers;
`step` rounds a range to a grid. Every bound and choice is checked against the
setting's range in `TrainingConfig` and against its registry, and every
extreme is tried on the sweep's fixed settings, so a space that cannot train
is refused before the first trial. Imports no framework: Optuna is needed only
to draw values (`suggest`).
"""

import dataclasses
import json
import math
import os

from mnist_keras.config import TrainingConfig
from mnist_keras.errors import MnistKerasError, expected
from mnist_keras.settings import SETTINGS, SWEEP, check_value, names_on

# Settings a sweep may vary: the settings table's sweep surface. The data
# settings (sizes, validation split, dataset, seed) stay fixed, so every trial
# is judged on the same images. Numbers may be ranges or choices; names and
# switches only choices (a model by name: no layer-spec files).
RANGE_SETTINGS = tuple(name for name in names_on(SWEEP) if SETTINGS[name].numeric)
CHOICE_SETTINGS = (*RANGE_SETTINGS, *(name for name in names_on(SWEEP)
                                      if not SETTINGS[name].numeric))
CHOICE_REGISTRIES = {name: SETTINGS[name].registry for name in CHOICE_SETTINGS
                     if SETTINGS[name].registry is not None}

MAX_PARAMETERS = 24
MAX_CHOICES = 32
MAX_SPACE_FILE_BYTES = 64 * 1024


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One searched setting: a range (`low`, `high`, `log`, `step`) or `choices`."""

    name: str
    low: float = None
    high: float = None
    log: bool = False
    step: float = None
    choices: tuple = None

    @property
    def is_choice(self):
        return self.choices is not None

    @property
    def is_integer(self):
        return SETTINGS[self.name].integer

    def values_to_check(self):
        """The values that bound what this parameter can draw."""
        return list(self.choices) if self.is_choice else [self.low, self.high]

    def to_dict(self):
        if self.is_choice:
            return {"choices": list(self.choices)}
        values = {"low": self.low, "high": self.high}
        if self.log:
            values["log"] = True
        if self.step is not None:
            values["step"] = self.step
        return values

    def suggest(self, trial):
        """Draws this parameter's value for an Optuna trial."""
        if self.is_choice:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.is_integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high),
                                     step=int(self.step or 1), log=self.log)
        return trial.suggest_float(self.name, self.low, self.high, step=self.step,
                                   log=self.log)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value)


def _parameter(name, spec):
    if name not in CHOICE_SETTINGS:
        raise expected(f"search space settings among {list(CHOICE_SETTINGS)}",
                       setting=name)
    if isinstance(spec, list):
        spec = {"choices": spec}
    if not isinstance(spec, dict):
        raise expected(f"{name} as a range {{low, high}} or a list of choices",
                       **{name: spec})
    unknown = sorted(set(spec) - {"low", "high", "log", "step", "choices"})
    if unknown:
        raise expected(f"{name} with keys among low, high, log, step, choices",
                       unknown=unknown[:5])
    if "choices" in spec:
        return _choice_parameter(name, spec)
    if name not in RANGE_SETTINGS:
        raise expected(f"{name} as a list of choices (it is not a number)",
                       **{name: spec})
    return _range_parameter(name, spec)


def _choice_parameter(name, spec):
    if set(spec) != {"choices"}:
        raise expected(f"{name} as either choices or a range, not both", **{name: spec})
    choices = spec["choices"]
    if not isinstance(choices, list) or not 1 <= len(choices) <= MAX_CHOICES:
        raise expected(f"{name} choices as a list of 1-{MAX_CHOICES} values",
                       choices=choices)
    if len(set(map(json.dumps, choices))) != len(choices):
        raise expected(f"{name} choices without repeats", choices=choices)
    for choice in choices:
        if name in CHOICE_REGISTRIES:
            CHOICE_REGISTRIES[name].check(choice, name)
        elif name == "augment":
            if not isinstance(choice, bool):
                raise expected("augment choices true or false", augment=choice)
        else:
            _check_in_range(name, choice)
    return Parameter(name, choices=tuple(choices))


def _check_in_range(name, value, what=None):
    # None ("off") is a value of some settings, never a bound of a range.
    if value is None:
        raise expected(f"{what or name} as {SETTINGS[name].describe_bounds()}",
                       **{what or name: value})
    check_value(name, value, what)


def _range_parameter(name, spec):
    if "low" not in spec or "high" not in spec:
        raise expected(f"{name} as a range with low and high", **{name: spec})
    low, high = spec["low"], spec["high"]
    _check_in_range(name, low, f"{name} low")
    _check_in_range(name, high, f"{name} high")
    if not low < high:
        raise expected(f"{name} low below its high", low=low, high=high)
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise expected(f"{name} log true or false", log=log)
    if log and low <= 0:
        raise expected(f"{name} low above 0 on a log scale", low=low)
    step = spec.get("step")
    if step is not None:
        if not _number(step) or not 0 < step <= high - low:
            raise expected(f"{name} step above 0 and at most high - low", step=step)
        if log:
            raise expected(f"{name} with either log or step (Optuna cannot use both)",
                           log=log, step=step)
        if SETTINGS[name].integer and not float(step).is_integer():
            raise expected(f"{name} step as a whole number", step=step)
    if SETTINGS[name].integer:
        low, high = int(low), int(high)
        step = None if step is None else int(step)
    return Parameter(name, low=low, high=high, log=log, step=step)


class SearchSpace:
    """The settings a sweep varies (see the module's docstring for the format).

    Args:
        parameters: a dict `{setting: range or choices}`, or a list of
            `Parameter`s.

    Raises:
        MnistKerasError: naming the first setting, bound or choice that is not
            allowed.

    Example:

    >>> space = SearchSpace({"learning_rate": {"low": 1e-3, "high": 1e-2, "log": True},
    ...                      "optimizer": ["adam", "sgd"]})
    >>> space.names()
    ['learning_rate', 'optimizer']
    >>> SearchSpace({"learning_rate": {"low": 1e-3, "high": 5}})
    Traceback (most recent call last):
    ...
    mnist_keras.errors.MnistKerasError: Expected learning_rate high as a number in [0.0001, 1]. ...
    """

    def __init__(self, parameters):
        if isinstance(parameters, dict):
            if not 1 <= len(parameters) <= MAX_PARAMETERS:
                raise expected(f"a search space of 1-{MAX_PARAMETERS} settings",
                               settings=len(parameters))
            parameters = [_parameter(name, spec) for name, spec in parameters.items()]
        self.parameters = tuple(parameters)

    @classmethod
    def from_file(cls, path):
        """Reads a space from a JSON (`.json`) or YAML (`.yaml`, `.yml`) file of at most 64 KiB.

        Raises:
            MnistKerasError: for a missing, oversized or unreadable file, or a
                space it refuses.
        """
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise expected("an existing search space file", space=path)
        if os.path.getsize(path) > MAX_SPACE_FILE_BYTES:
            raise expected(f"a search space file of at most {MAX_SPACE_FILE_BYTES:,} bytes",
                           size=os.path.getsize(path))
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
            if path.endswith((".yaml", ".yml")):
                import yaml  # PyYAML, which Optuna installs

                try:
                    data = yaml.safe_load(text)
                except yaml.YAMLError as error:
                    raise ValueError(str(error)) from None
            else:
                data = json.loads(text)
        except ValueError as error:
            raise expected("a search space file in JSON or YAML",
                           error=(str(error).splitlines() or [""])[0]) from None
        if not isinstance(data, dict):
            raise expected("a search space file holding a mapping of settings",
                           found=type(data).__name__)
        return cls(data)

    def names(self):
        return [parameter.name for parameter in self.parameters]

    def without(self, names):
        """A copy without the parameters in `names` (settings fixed elsewhere).

        Raises:
            MnistKerasError: if nothing would be left to search.
        """
        kept = [parameter for parameter in self.parameters if parameter.name not in names]
        if not kept:
            raise expected("at least one setting left to search", fixed=sorted(names))
        return SearchSpace(kept)

    def to_dict(self):
        """The space as plain JSON-ready data (what a study records)."""
        return {parameter.name: parameter.to_dict() for parameter in self.parameters}

    def check_with(self, config):
        """Checks that every extreme and choice trains with the sweep's fixed settings.

        Args:
            config: the `TrainingConfig` every trial starts from.

        Raises:
            MnistKerasError: naming the setting and value the config refuses,
                e.g. a schedule choice that conflicts with `reduce_lr_patience`.
        """
        for parameter in self.parameters:
            for value in parameter.values_to_check():
                try:
                    dataclasses.replace(config, **{parameter.name: value})
                except MnistKerasError as error:
                    raise MnistKerasError(f"{error} (searching {parameter.name}="
                                          f"{value!r} on the sweep's settings)") from None

    def suggest(self, trial):
        """Draws one value per parameter for an Optuna trial: `{setting: value}`."""
        return {parameter.name: parameter.suggest(trial) for parameter in self.parameters}

    def __eq__(self, other):
        return isinstance(other, SearchSpace) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"SearchSpace({self.to_dict()!r})"


# What the default CNN and the recipes gain most from varying, measured and
# discussed in the sweeps guide: the peak learning rate (log scale), the batch size,
# dropout, label smoothing and the Adam variant. Recipes that augment also
# search the strengths of the distortions they use.
_CORE_SPACE = {
    "learning_rate": {"low": 3e-4, "high": 1e-2, "log": True},
    "batch_size": {"choices": [64, 128, 256]},
    "dropout": {"low": 0.1, "high": 0.5},
    "label_smoothing": {"low": 0.0, "high": 0.15},
    "optimizer": {"choices": ["adam", "adamw"]},
}
_AUGMENTATION_SPACE = {
    "rotation": {"low": 0.0, "high": 15.0},
    "shear": {"low": 0.0, "high": 0.4},
    "elastic": {"low": 0.0, "high": 2.0},
}


def default_space(config=None):
    """The search space a sweep uses when none is given.

    Args:
        config: the sweep's fixed settings (a recipe's `TrainingConfig`); an
            augmenting one also searches rotation, shear and elastic strength.
            Defaults to `TrainingConfig()` (which augments).

    Returns:
        A `SearchSpace`.

    Example:

    >>> default_space(TrainingConfig(augment=False)).names()
    ['learning_rate', 'batch_size', 'dropout', 'label_smoothing', 'optimizer']
    >>> "elastic" in default_space().names()  # the defaults augment
    True
    """
    config = config or TrainingConfig()
    space = dict(_CORE_SPACE)
    if config.augment:
        space.update(_AUGMENTATION_SPACE)
    return SearchSpace(space)
