"""Names that become files, folders or study keys: the whole name must match, newline and all."""

import pytest

from mnist_keras.errors import MnistKerasError
from mnist_keras.personal import PersonalDataset
from mnist_keras.runs import Run, RunStatus, run_in
from mnist_keras.sweeps import run_sweep


@pytest.mark.parametrize("name", ["first\n", "first\r\n", "\nfirst", "a b", ""])
def test_a_run_name_is_checked_whole(tmp_path, name):
    # Regression: "^...$" with re.match accepted a trailing newline.
    (tmp_path / "first").mkdir()
    with pytest.raises(MnistKerasError, match="run name"):
        run_in(tmp_path, name, must_exist=False)


def test_a_rename_to_a_name_with_a_newline_inside_is_refused(tmp_path):
    run = Run.create(tmp_path / "first")
    run.set_status(RunStatus.COMPLETED)
    with pytest.raises(MnistKerasError, match="new name"):
        run.rename("sec\nond")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first"]


def test_a_dataset_name_is_checked_whole(tmp_path):
    with pytest.raises(MnistKerasError, match="dataset name"):
        PersonalDataset.create(tmp_path, "mine\n")
    assert not (tmp_path / "datasets").exists() or not any((tmp_path / "datasets").iterdir())


def test_a_study_name_is_checked_whole(tmp_path):
    with pytest.raises(MnistKerasError, match="study name"):
        run_sweep("digits\n", trials=1, runs_dir=tmp_path)
