import json
import os
import subprocess
import sys

import numpy as np
import pytest

from mnist_keras.cli import build_parser, main
from mnist_keras.config import TrainingConfig


def _train_args(data_dir, run_dir, *extra):
    return ["train", "--run-dir", str(run_dir), "--model", "mlp", "--data-dir", data_dir,
            "--train-size", "1200", "--test-size", "1000", "--epochs", "1",
            "--batch-size", "64", *extra]


def test_train_json_prints_metrics_and_writes_run(tmp_path, synthetic_data_dir, capsys):
    assert main(_train_args(synthetic_data_dir, tmp_path / "run", "--json")) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["status"] == "completed" and result["run_dir"] == str(tmp_path / "run")
    assert result["test_accuracy"] > 0.5 and result["num_params"] == 109_386
    assert len(result["confusion_matrix"]) == 10
    assert "epoch 1/1" in err  # the progress bar goes to stderr
    assert (tmp_path / "run" / "model.keras").exists()


def test_prune_writes_a_run_linked_to_its_parent(tmp_path, synthetic_data_dir, capsys):
    main(_train_args(synthetic_data_dir, tmp_path / "parent"))
    capsys.readouterr()
    args = ["prune", str(tmp_path / "parent" / "model.keras"), "--sparsity", "0.8",
            "--fine-tune-epochs", "1", "--run-dir", str(tmp_path / "pruned"),
            "--data-dir", synthetic_data_dir, "--train-size", "1200", "--test-size", "1000"]
    assert main(args + ["--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["parent_run"] == "parent" and result["status"] == "completed"
    assert result["sparsity"]["sparsity"] == pytest.approx(0.8, abs=1e-4)
    config = json.loads((tmp_path / "pruned" / "config.json").read_text())
    assert config["model"] == "mlp"
    assert config["learning_rate"] == pytest.approx(TrainingConfig().learning_rate / 10)
    assert main(args[:-8] + ["--run-dir", str(tmp_path / "again"), "--scope", "layer",
                             "--fine-tune-epochs", "0", "--data-dir", synthetic_data_dir,
                             "--train-size", "1200", "--test-size", "1000"]) == 0
    out = capsys.readouterr().out
    assert "80.0% sparsity" in out and "zero (80.0%)" in out


def test_evaluate_reports_text_and_json(tmp_path, synthetic_data_dir, capsys):
    main(_train_args(synthetic_data_dir, tmp_path / "run"))
    capsys.readouterr()
    model = str(tmp_path / "run" / "model.keras")
    assert main(["evaluate", model, "--data-dir", synthetic_data_dir, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["test_images"] == 1000 and 0 <= result["test_accuracy"] <= 1
    assert len(result["per_class"]) == 10
    assert main(["evaluate", model, "--data-dir", synthetic_data_dir, "--test-size", "500"]) == 0
    out = capsys.readouterr().out
    assert "on 500 test images" in out and "precision" in out


def test_evaluate_averages_an_ensemble_with_tta(tmp_path, synthetic_data_dir, capsys):
    main(_train_args(synthetic_data_dir, tmp_path / "a"))
    main(_train_args(synthetic_data_dir, tmp_path / "b", "--seed", "1"))
    capsys.readouterr()
    models = [str(tmp_path / name / "model.keras") for name in "ab"]
    assert main(["evaluate", *models, "--tta", "--data-dir", synthetic_data_dir,
                 "--test-size", "300", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["models"] == models and result["tta"] is True
    assert result["num_params"] == 2 * 109_386
    assert main(["evaluate", *models, "--data-dir", synthetic_data_dir,
                 "--test-size", "300"]) == 0
    assert "an ensemble of 2 models" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["train", "--run-dir", "x", "--batch-size", "0"],
     "error: Expected batch_size as an integer in [1, 512]. Received: batch_size=0"),
    (["train", "--run-dir", "x", "--optimizer", "lion"], "Expected optimizer in"),
    (["train", "--run-dir", "x", "--epochs", "ten"], "invalid int value: 'ten'"),
    (["train"], "one of the arguments --run-dir --resume is required"),
    (["evaluate", "missing.keras"], "Expected an existing .keras model file"),
    (["fly"], "invalid choice: 'fly'"),
    (["train", "--run-dir", "x", "--model", "missing.json"], "existing layer-spec file"),
    (["prune", "missing.keras", "--sparsity", "0.5", "--run-dir", "x"],
     "Expected an existing .keras model file, a run folder or 'pretrained'. Received: "
     "model='missing.keras'"),
    (["prune", "m.keras", "--run-dir", "x"], "the following arguments are required: --sparsity"),
    (["sweep", "--study", "s", "--trials", "2", "--runs-dir", "x", "--space", "missing.yaml"],
     "Expected an existing search space file. Received: space='missing.yaml'"),
    (["sweep", "--study", "s", "--trials", "0", "--runs-dir", "x"],
     "Expected trials as an integer in [1, 10,000]"),
    (["sweep", "--study", "s", "--trials", "2", "--runs-dir", "x", "--storage", "notes.txt"],
     "Expected a database URL (postgresql://user@host/db) or a SQLite file"),
    (["sweep", "--study", "s", "--trials", "2", "--runs-dir", "x", "--distribute", "ring"],
     "Expected distribute in ['none', 'mirrored']"),
    (["sweep", "--study", "s", "--trials", "2", "--runs-dir", "x", "--learning-rate", "0.01",
      "--dropout", "0.1", "--label-smoothing", "0", "--optimizer", "adam",
      "--batch-size", "32", "--no-augment"], "Expected at least one setting left to search"),
])
def test_mistakes_exit_2_with_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        code = main(args)
        raise SystemExit(code)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "x").exists()  # a refused run leaves nothing behind


def test_sweep_options_fix_settings_and_a_space_file_may_not_repeat_them(tmp_path, capsys):
    (tmp_path / "space.json").write_text('{"batch_size": [32, 64], "dropout": '
                                         '{"low": 0.1, "high": 0.3}}')
    code = main(["sweep", "--study", "s", "--trials", "2", "--runs-dir", str(tmp_path / "x"),
                 "--space", str(tmp_path / "space.json"), "--batch-size", "128"])
    err = capsys.readouterr().err
    assert code == 2 and "either fixed by an option or searched by the space, not both. " \
        "Received: batch_size=128" in err
    assert not (tmp_path / "x").exists()


def test_command_prints_one_line_without_tensorflow_chatter(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "-m", "mnist_keras.cli", "evaluate", str(tmp_path / "m.keras")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mnist-keras evaluate: error: Expected")


def test_predict_prints_labels_and_empty_drawings(tmp_path, synthetic_data_dir, capsys):
    from PIL import Image

    main(_train_args(synthetic_data_dir, tmp_path / "run"))
    capsys.readouterr()
    bar = np.zeros((100, 100), np.uint8)
    bar[30:34, 10:90] = 255  # the synthetic classes are horizontal bars
    Image.fromarray(bar).save(tmp_path / "bar.png")
    Image.fromarray(np.full((60, 60), 255, np.uint8)).save(tmp_path / "blank.png")
    model = str(tmp_path / "run" / "model.keras")
    assert main(["predict", model, str(tmp_path / "bar.png"), str(tmp_path / "blank.png"),
                 "--json"]) == 0
    bar_result, blank_result = json.loads(capsys.readouterr().out)
    assert bar_result["image"].endswith("bar.png") and 0 <= bar_result["label"] <= 9
    assert len(bar_result["probabilities"]) == 10
    assert sum(bar_result["probabilities"]) == pytest.approx(1.0, rel=1e-4)
    assert blank_result["label"] is None and "empty drawing" in blank_result["error"]
    assert main(["predict", model, str(tmp_path / "bar.png"), str(tmp_path / "blank.png")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'bar.png'}: {bar_result['label']} (")
    assert lines[1].startswith(f"{tmp_path / 'blank.png'}: not a digit")


def test_predict_reports_unreadable_images_in_one_line(tmp_path, synthetic_data_dir, capsys):
    main(_train_args(synthetic_data_dir, tmp_path / "run"))
    capsys.readouterr()
    (tmp_path / "x.png").write_text("not an image")
    assert main(["predict", str(tmp_path / "run" / "model.keras"), str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "Expected a readable image file" in err and len(err.strip().splitlines()) == 1


def test_train_defaults_are_the_librarys():
    # Regression: the command trained with a constant learning rate by default
    # while the library (and the README's recipe) decays it along a cosine.
    from mnist_keras.cli.train import config_from_args

    args = build_parser().parse_args(["train", "--run-dir", "x"])
    assert config_from_args(args) == TrainingConfig()


def test_a_recipe_fills_the_settings_and_given_options_win():
    from mnist_keras.cli.train import config_from_args
    from mnist_keras.recipes import recipe_config

    args = build_parser().parse_args(["train", "--run-dir", "x", "--recipe", "fast"])
    assert config_from_args(args) == recipe_config("fast")
    args = build_parser().parse_args(
        ["train", "--run-dir", "x", "--recipe", "robust", "--epochs", "1", "--shear", "0",
         "--no-augment", "--blur", "0.2"])
    config = config_from_args(args)
    assert (config.epochs, config.shear, config.augment, config.blur) == (1, 0.0, False, 0.2)
    # Not given: the recipe's (which the library's defaults leave off).
    assert config.binarize == recipe_config("robust").binarize > 0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--run-dir", "x", "--recipe", "slow"])


def test_help_answers_without_importing_keras():
    # `--help` and `train --help` build every parser, the plugins' included,
    # and must not pay for TensorFlow.
    code = ("import sys\nfrom mnist_keras.cli import main\n"
            "for argv in (['--help'], ['train', '--help'], ['export', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print('IMPORTED', sorted(m for m in ('keras', 'tensorflow', 'dash', "
            "'tensorflowjs') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120)
    assert completed.stdout.strip().endswith("IMPORTED []"), completed.stdout[-300:]
    commands = ("{train,evaluate,predict,prune,reproduce,sweep,explain,import,pretrained,"
                "personalize,data,"
                "doubt,dashboard,export}")
    assert commands in completed.stdout
    assert "--quantize {none,float16,uint8,int8}" in completed.stdout
    assert "--format {tfjs,onnx,tflite,savedmodel}" in completed.stdout


def test_a_command_whose_extra_is_missing_says_which_to_install(tmp_path):
    # As after `pip install mnist-keras` without [dashboard]: dash is not importable.
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('dash', 'tensorflowjs'):\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from mnist_keras.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    for argv, extra in ((["dashboard", "--runs-dir", str(tmp_path)], "dashboard"),
                        (["export", "m.keras", "--out", str(tmp_path / "s")], "export")):
        completed = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                                   text=True, timeout=300)
        lines = completed.stderr.strip().splitlines()
        assert completed.returncode == 2 and len(lines) == 1, completed.stderr[-500:]
        assert f"pip install 'mnist-keras[{extra}]'" in lines[0]


def _command_paths(parser, path=()):
    """Every command and nested command of a parser, as argument paths."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield (*path, name)
                yield from _command_paths(subparser, (*path, name))


def test_every_commands_help_answers(capsys):
    # Regression: a help text with a percentage ("70% of fine-tuning") ended
    # `prune --help` in a traceback; argparse read it as a format directive.
    paths = list(_command_paths(build_parser()))
    assert {("prune",), ("data", "import"), ("export",), ("doubt",)} <= set(paths)
    for path in paths:
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args([*path, "--help"])
        assert exit_.value.code == 0, path
        assert capsys.readouterr().out.startswith(f"usage: mnist-keras {' '.join(path)}")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["prune", "--help"])
    assert "sparsity ramps up over 70% of fine-tuning" in " ".join(
        capsys.readouterr().out.split())


def test_wrong_paths_are_reported_before_tensorflow_loads(tmp_path):
    # Regression: every command but train took 5-6 s to report a wrong path.
    not_a_model = tmp_path / "notes.keras"
    not_a_model.write_text("not a zip")
    code = ("import sys\nfrom mnist_keras.cli import main\n"
            f"missing, notes = {str(tmp_path / 'missing.keras')!r}, {str(not_a_model)!r}\n"
            "for argv in (['predict', missing, 'x.png'], ['evaluate', missing],\n"
            "             ['explain', notes, 'x.png', '--out', 'h.png'],\n"
            "             ['prune', missing, '--sparsity', '0.5', '--run-dir', 'r'],\n"
            "             ['export', missing, '--out', 's'], ['import', notes],\n"
            "             ['reproduce', missing]):\n"
            "    print('STATUS', main(argv))\n"
            "print('IMPORTED', 'keras' in sys.modules, 'tensorflow' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               timeout=120, cwd=tmp_path)
    assert completed.stdout.count("STATUS 2") == 7, completed.stdout + completed.stderr
    assert "IMPORTED False False" in completed.stdout
    errors = completed.stderr.strip().splitlines()
    assert len(errors) == 7 and all(": error: Expected " in line for line in errors)
    assert "a .keras file (a zip archive" in errors[2]


def test_a_full_disk_ends_a_command_in_one_line(tmp_path):
    # A process may write at most 64 kB per file (RLIMIT_FSIZE): the next write
    # fails with "File too large", as a full disk fails with "No space left".
    import resource
    import signal

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    completed = subprocess.run(
        [sys.executable, "-m", "mnist_keras.cli", "export", "pretrained", "--format", "onnx",
         "--out", str(tmp_path / "onnx")], capture_output=True, text=True, timeout=300,
        preexec_fn=small_files, cwd=tmp_path)
    assert completed.returncode in (1, 2), completed.stderr[-2000:]
    errors = completed.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("mnist-keras export: error: "), errors
    assert "large" in errors[0] or "space" in errors[0]
    # Nothing half-written is left where the export was going.
    assert list(tmp_path.iterdir()) == []
