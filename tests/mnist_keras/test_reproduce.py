"""The lines that reproduce a training give back the same settings."""

import os
import subprocess
import sys

import pytest

from mnist_keras.cli import build_parser
from mnist_keras.cli.train import config_from_args
from mnist_keras.config import TrainingConfig
from mnist_keras.fine_tuning import pruning_config
from mnist_keras.recipes import RECIPES, recipe_config
from mnist_keras.reproduce import changed_settings, command_line, python_snippet


def _config_of_command(command):
    args = build_parser().parse_args(command.split("\n")[-1].split("  #")[0].split()[1:])
    return config_from_args(args)


@pytest.mark.parametrize("recipe", RECIPES.names())
def test_the_command_gives_back_the_same_config(recipe):
    config = recipe_config(recipe, seed=7, learning_rate=0.0023)
    assert _config_of_command(command_line(config)) == config


def test_the_command_writes_only_what_differs_from_the_defaults():
    assert command_line(TrainingConfig(), run_dir="runs/x") == "mnist-keras train --run-dir runs/x"
    line = command_line(TrainingConfig(augment=False, dropout=0.3, schedule="cosine"))
    assert line.endswith("--schedule cosine --dropout 0.3 --no-augment")
    # An optional setting turned off where the default is on: `--dropout none`.
    line = command_line(TrainingConfig(dropout=None))
    assert line.endswith("--dropout none")
    assert _config_of_command(line).dropout is None


def test_a_setting_without_an_option_is_named_in_a_comment():
    line = command_line(TrainingConfig(conv_channels=(16, 32), momentum=0.5))
    assert "# no option for conv_channels=[16, 32]" in line
    # Every setting the table shows on the command line has its option.
    assert "--momentum 0.5" in line


def test_the_command_carries_every_setting_with_an_option():
    # One non-default value for each: the command must train the same config.
    config = TrainingConfig(gradient_clip_norm=2.0, weight_decay=0.01, distribute="mirrored",
                            optimizer="adamw", epochs=2)
    assert "# no option" not in command_line(config)
    assert _config_of_command(command_line(config)) == config


def test_a_custom_model_brings_its_spec_along(tmp_path):
    spec = [{"type": "Conv2D", "filters": 4}, {"type": "Flatten"}, {"type": "Dense", "units": 8}]
    command = command_line(TrainingConfig(model="cnn"), spec=spec)
    assert command.startswith("cat > spec.json <<'EOF'\n[{")
    assert "--model spec.json" in command
    code = python_snippet(TrainingConfig(), spec=spec)
    assert "json.dump(spec, f)" in code and "model='spec.json'" in code


def test_a_pruning_run_is_reproduced_by_prune(tmp_path):
    parent = str(tmp_path / "parent" / "model.keras")
    config = pruning_config(parent, 0.8, train_size=5500, batch_size=64)
    command = command_line(config, run_dir="runs/pruned")
    assert command.startswith(f"mnist-keras prune {parent} --sparsity 0.8 ")
    args = build_parser().parse_args(command.split()[1:])
    again = pruning_config(args.model, args.sparsity, fine_tune_epochs=args.fine_tune_epochs,
                           scope=args.scope, schedule=args.schedule,
                           learning_rate=args.learning_rate, batch_size=args.batch_size,
                           train_size=args.train_size, test_size=args.test_size,
                           seed=args.seed)
    assert again == config
    code = python_snippet(config)
    namespace = {}
    exec(code.split("result =")[0], namespace)  # the lines up to training
    assert namespace["config"] == config


def test_changed_settings_leave_out_bookkeeping():
    config = TrainingConfig(parent_model="a/model.keras", parent_run="a", epochs=0)
    assert "parent_run" not in changed_settings(config)


@pytest.mark.integration
def test_the_python_lines_run_and_train(tmp_path):
    config = TrainingConfig(model="mlp", train_size=1_000, test_size=1_000, epochs=1)
    code = python_snippet(config, run_dir=str(tmp_path / "again"))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=300, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "test accuracy: 0." in result.stdout
    assert os.path.isfile(tmp_path / "again" / "model.keras")


def test_computed_rates_read_as_people_write_them(tmp_path):
    # Regression: a pruned run's reproduce lines said 0.00030000000000000003.
    from mnist_keras.runs import Run
    from mnist_keras.runs.contract import RunConfig

    parent = Run.create(tmp_path / "parent")
    parent.write_config(RunConfig(training=TrainingConfig(learning_rate=0.003)))
    config = pruning_config(str(tmp_path / "parent" / "model.keras"), 0.8)
    assert config.learning_rate == 0.0003
    for lines in (command_line(config), python_snippet(config)):
        assert "0.0003" in lines and "00000000" not in lines
    odd = TrainingConfig(learning_rate=0.1 + 0.2 - 0.29)
    assert "0.01" in command_line(odd) and "0000000" not in python_snippet(odd)


@pytest.mark.parametrize("epochs", [-1, 201, 1.5, True])
def test_fine_tuning_epochs_are_named_as_given(tmp_path, epochs):
    # Regression: `prune --fine-tune-epochs -1` said "Expected epochs ...".
    from mnist_keras.errors import MnistKerasError

    with pytest.raises(MnistKerasError, match=r"Expected fine_tune_epochs as an integer in "
                                              r"\[0, 200\]"):
        pruning_config(str(tmp_path / "model.keras"), 0.5, fine_tune_epochs=epochs)
