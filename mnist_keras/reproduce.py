"""The few lines that reproduce a training: as Python, or as an `mnist-keras` command.

Only the settings that differ from the library's defaults are written, so the
lines say what makes the run what it is. Both forms give back the same
`TrainingConfig` (tested by parsing the command and running the code). The
dashboard's "copy as Python" / "copy as command" and a run's report use them.

>>> from mnist_keras.config import TrainingConfig
>>> print(command_line(TrainingConfig(epochs=3, train_size=5500), run_dir="runs/a"))
mnist-keras train --run-dir runs/a --train-size 5500 --epochs 3
"""

import dataclasses
import json
import shlex

from mnist_keras.config import TrainingConfig
from mnist_keras.settings import CLI, names_in, names_on

DEFAULT_RUN_DIR = "runs/my-run"
SPEC_FILE = "spec.json"
_DEFAULTS = TrainingConfig()
# Recorded for the run list, never set by a person.
_BOOKKEEPING = tuple(names_in("record"))
# What `mnist-keras train` has an option for (its other settings keep their
# library defaults there): the settings table's command-line surface.
_TRAIN_OPTIONS = tuple(names_on(CLI))
# What a pruning run is given beside its parent model, sparsity and epochs, by
# `pruning_config`'s argument names. The data settings are written even when
# they are the library's defaults: left out, they would come from the parent.
_PRUNING_ARGUMENTS = {"pruning_scope": "scope", "pruning_schedule": "schedule",
                      "learning_rate": "learning_rate", "batch_size": "batch_size",
                      "train_size": "train_size", "test_size": "test_size",
                      "seed": "seed", "dataset": "dataset", "data_dir": "data_dir"}
_ALWAYS = ("learning_rate", "batch_size", "train_size", "test_size", "seed")


def changed_settings(config):
    """The settings of `config` that differ from `TrainingConfig()`'s, in field order."""
    values = config.to_dict()
    defaults = _DEFAULTS.to_dict()
    return {name: value for name, value in values.items()
            if value != defaults[name] and name not in _BOOKKEEPING}


def _with_spec(config, spec):
    return dataclasses.replace(config, model=SPEC_FILE) if spec else config


def python_snippet(config, run_dir=DEFAULT_RUN_DIR, spec=None, code_model=None):
    """The Python lines that train `config` again with `mnist_keras`.

    Args:
        config: a `TrainingConfig` (a pruning run's too: then the lines call
            `mk.pruning_config` on the parent model).
        run_dir: the folder the lines train into. Defaults to `runs/my-run`.
        spec: a layer spec (list of dicts) for a custom model, written to
            `spec.json` by the lines; None when `config.model` says it all.
        code_model: the `CodeModel` of a model built in Python: the lines
            then say so and pass `model=` (its code is not in the run).

    Returns:
        The code, ending with a newline.
    """
    config = _with_spec(config, spec)
    lines = ["import mnist_keras as mk", ""]
    if spec:
        lines[0:0] = ["import json", ""]
        lines += [f"spec = {json.dumps(list(spec))}",
                  f"with open({SPEC_FILE!r}, 'w') as f:",
                  "    json.dump(spec, f)"]
    if config.parent_model:
        arguments = [repr(config.parent_model), _literal(config.sparsity),
                     f"fine_tune_epochs={config.epochs!r}"]
        arguments += [f"{name}={_literal(value)}"
                      for name, value in _pruning_settings(config).items()]
        lines.append(f"config = mk.pruning_config({', '.join(arguments)})")
    else:
        arguments = ", ".join(f"{name}={_literal(value)}" for name, value in
                              changed_settings(config).items())
        lines.append(f"config = mk.TrainingConfig({arguments})")
    model = ""
    if code_model is not None:
        lines += [f"# The architecture came from Python code ({code_model.class_name}, "
                  f"{code_model.params:,} parameters):",
                  "# the run keeps its summary, not its code. Build it here.",
                  "model = ...  # your model"]
        model = "model=model, "
    lines += [f"result = mk.train(config, run_dir={run_dir!r}, {model}"
              "callbacks=[mk.ProgressBar()])",
              'print(f"test accuracy: {result.metrics.test_accuracy:.4f}")']
    return "\n".join(lines) + "\n"


def _pruning_settings(config):
    changes = changed_settings(config)
    values = config.to_dict()
    settings = {argument: values[name] for name, argument in _PRUNING_ARGUMENTS.items()
                if name in changes or name in _ALWAYS}
    if config.prune_output_layer:
        settings["prune_output_layer"] = True
    return settings


def _literal(value):
    """`repr`, with floats at 12 significant digits: 3e-4 computed as a tenth of 3e-3
    (0.00030000000000000003) reads as 0.0003, the same number to every optimizer.

    >>> _literal(0.003 / 10), _literal("adam"), _literal(0.1)
    ('0.0003', "'adam'", '0.1')
    """
    if isinstance(value, float):
        return repr(float(f"{value:.12g}"))
    return repr(value)


def _option(name, value):
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return [flag if value else "--no-" + flag[2:]]
    if value is None:
        return [flag, "none"]  # an optional setting turned off (`mnist-keras train` reads it)
    return [flag, str(value) if not isinstance(value, float) else _literal(value)]


def command_line(config, run_dir=DEFAULT_RUN_DIR, spec=None):
    """The `mnist-keras` command that trains `config` again.

    Args:
        config: a `TrainingConfig`; a pruning run's gives `mnist-keras prune`.
        run_dir: the new run folder. Defaults to `runs/my-run`.
        spec: a custom model's layer spec: the command is then preceded by a
            shell here-document that writes it to `spec.json`.

    Returns:
        The command (one line, or the here-document and the line).
    """
    config = _with_spec(config, spec)
    if config.parent_model:
        words = ["mnist-keras", "prune", config.parent_model, "--sparsity",
                 _literal(config.sparsity), "--fine-tune-epochs", str(config.epochs),
                 "--run-dir", run_dir]
        for name, value in _pruning_settings(config).items():
            if name == "prune_output_layer":
                words.append("--prune-output-layer")
            else:
                words += _option(name, value)
        return shlex.join(words)
    words = ["mnist-keras", "train", "--run-dir", run_dir]
    left_out = []
    for name, value in changed_settings(config).items():
        if name in _TRAIN_OPTIONS:
            words += _option(name, value)
        else:
            left_out.append(f"{name}={_literal(value)}")
    command = shlex.join(words)
    if left_out:
        command += f"  # no option for {', '.join(left_out)}: see the Python form"
    if spec:
        command = f"cat > {SPEC_FILE} <<'EOF'\n{json.dumps(list(spec))}\nEOF\n{command}"
    return command
