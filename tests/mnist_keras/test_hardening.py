"""Bad files and arguments: one line and exit 2, bounded memory, nothing left behind."""

import gzip
import os
import struct
import tracemalloc

import keras
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnist_keras.cli import main
from mnist_keras.datasets import load_raw, read_idx, write_idx
from mnist_keras.datasets.idx import MAX_IDX_BYTES
from mnist_keras.errors import MAX_SHOWN_CHARS, MnistKerasError, expected
from tests.conftest import write_dataset


@settings(max_examples=150, deadline=1000)
@given(type_code=st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]),
       shape=st.lists(st.integers(-2, 40), min_size=0, max_size=4),
       extra=st.integers(-50, 50), zero=st.sampled_from([0, 0, 1]),
       gz=st.booleans(), noise=st.binary(max_size=64))
def test_any_idx_file_is_read_or_refused_in_one_line(tmp_path_factory, type_code, shape, extra,
                                                     zero, gz, noise):
    header = struct.pack(">HBB", zero, type_code, len(shape))
    header += struct.pack(f">{len(shape)}i", *shape)
    count = int(np.prod([max(size, 0) for size in shape])) if shape else 0
    itemsize = {0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}.get(type_code, 1)
    length = max(0, count * itemsize + extra)  # exact when extra is 0
    pattern = noise or b"\x07"
    data = header + (pattern * (length // len(pattern) + 1))[:length]
    path = tmp_path_factory.mktemp("idx") / ("f.idx.gz" if gz else "f.idx")
    path.write_bytes(gzip.compress(data) if gz else data)
    try:
        array = read_idx(path)
    except MnistKerasError as error:
        assert str(error).startswith("Expected") and "\n" not in str(error)
        return
    assert list(array.shape) == shape


def test_a_gzip_bomb_is_refused_after_its_header(tmp_path):
    # 2 MB on disk, 2 GB inflated: labels announced for 1,000 images, then zeros.
    path = tmp_path / "bomb-labels-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=9) as bomb:
        bomb.write(struct.pack(">HBBi", 0, 0x08, 1, 1000))
        chunk = bytes(64 * 1024 * 1024)
        for _ in range(32):
            bomb.write(chunk)
    assert path.stat().st_size < 3_000_000
    tracemalloc.start()
    try:
        with pytest.raises(MnistKerasError, match="has trailing bytes"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000  # read the header and 1,001 bytes, not 2 GB


def test_a_header_announcing_more_than_the_bound_is_refused_unread(tmp_path):
    path = tmp_path / "huge-images-idx3-ubyte"
    path.write_bytes(struct.pack(">HBB3i", 0, 0x08, 3, 10**6, 1000, 1000))
    with pytest.raises(MnistKerasError, match=f"at most {MAX_IDX_BYTES:,} data bytes"):
        read_idx(path)


def test_images_that_are_not_28_by_28_are_refused(tmp_path):
    folder = write_dataset(tmp_path / "data", train_count=20, test_count=20, gz=False)
    write_idx(os.path.join(folder, "train-images-idx3-ubyte"), np.zeros((20, 20, 20), np.uint8))
    with pytest.raises(MnistKerasError, match="28x28 pixels"):
        load_raw("mnist", folder)


@pytest.fixture(scope="module")
def five_class_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("wrong") / "five.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(5, activation="softmax")]).save(path)
    return str(path)


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_model_of_the_wrong_shape_is_refused_by_predict_and_evaluate(
        command, five_class_model, synthetic_data_dir, tmp_path, capsys):
    image = tmp_path / "digit.png"
    from PIL import Image

    Image.new("L", (28, 28), 255).save(image)
    extra = [str(image)] if command == "predict" else ["--data-dir", synthetic_data_dir]
    assert main([command, five_class_model, *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert "to 10 classes" in err and len(err.splitlines()) == 1


def test_evaluate_refuses_a_negative_seed(five_class_model, capsys):
    assert main(["evaluate", five_class_model, "--seed", "-1"]) == 2
    assert "seed in [0, 2147483647]" in capsys.readouterr().err


def test_a_file_that_is_not_a_keras_archive_says_so(tmp_path, capsys):
    path = tmp_path / "model.keras"
    path.write_text("not a zip")
    assert main(["evaluate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a zip archive" in err and "File not found" not in err


def test_messages_show_at_most_a_bounded_part_of_what_they_received():
    message = str(expected("a short value", value="x" * 1_000_000))
    assert len(message) < MAX_SHOWN_CHARS + 100 and message.endswith("...(cut)")
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert "deeply nested list" in str(expected("a flat list", value=deep))


TRAIN_OPTIONS = ["--epochs", "--batch-size", "--learning-rate", "--optimizer", "--schedule",
                 "--dropout", "--rotation", "--zoom", "--shear", "--elastic", "--stroke-width",
                 "--label-smoothing", "--seed", "--validation-split", "--model", "--recipe",
                 "--dataset", "--test-size", "--early-stopping-patience"]


@settings(max_examples=60, deadline=5000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(TRAIN_OPTIONS),
       value=st.one_of(st.text(max_size=300), st.integers(-10**20, 10**20).map(str),
                       st.floats().map(str), st.sampled_from(["nan", "inf", "-0", "1e999"])))
def test_any_train_argument_is_refused_in_one_line_and_leaves_no_folder(
        tmp_path, capsys, option, value):
    run_dir = tmp_path / "fuzzed-run"
    # --train-size 5 is always out of range, so nothing ever trains here; the
    # fuzzed option must be refused (or accepted) without a traceback first.
    try:
        status = main(["train", "--run-dir", str(run_dir), "--train-size", "5",
                       option, value])
    except SystemExit as exit_info:  # argparse's own refusals
        status = exit_info.code
    err = capsys.readouterr().err.strip()
    assert status == 2 and "Traceback" not in err
    assert len(err.splitlines()[-1]) < 600
    assert not run_dir.exists()


def test_pruning_a_model_with_nothing_to_prune_is_refused_before_any_folder(
        tmp_path, synthetic_data_dir, capsys):
    # Its only Dense layer is the output layer, which pruning leaves dense by default:
    # this used to "complete" at 0% sparsity.
    path = tmp_path / "linear.keras"
    keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                      keras.layers.Dense(10, activation="softmax")]).save(path)
    args = ["prune", str(path), "--sparsity", "0.5", "--run-dir", str(tmp_path / "pruned"),
            "--data-dir", synthetic_data_dir, "--train-size", "1200", "--test-size", "1000"]
    assert main(args) == 2
    assert "besides its output layer" in capsys.readouterr().err
    assert not (tmp_path / "pruned").exists()
    assert main(args + ["--prune-output-layer", "--fine-tune-epochs", "0"]) == 0
