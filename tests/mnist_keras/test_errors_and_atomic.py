import os

import pytest

from mnist_keras.atomic import atomic_path, atomic_write_bytes, atomic_write_json
from mnist_keras.errors import MnistKerasError, expected


def test_expected_formats_house_style_message():
    error = expected("a batch size in [1, 512]", batch_size=0)
    assert isinstance(error, MnistKerasError)
    assert isinstance(error, ValueError)
    assert str(error) == "Expected a batch size in [1, 512]. Received: batch_size=0"


def test_expected_quotes_strings_and_lists_several_values():
    message = str(expected("a pair", first="a", second=2))
    assert message == "Expected a pair. Received: first='a', second=2"


def test_atomic_write_replaces_content_and_keeps_usual_mode(tmp_path):
    path = tmp_path / "file.json"
    atomic_write_json(path, {"a": 1})
    atomic_write_json(path, {"a": 2})
    assert path.read_text() == '{\n  "a": 2\n}\n'
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]


def test_failed_atomic_write_leaves_old_file_and_no_temp(tmp_path):
    path = tmp_path / "model.keras"
    atomic_write_bytes(path, b"old")
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        assert tmp.endswith("model.keras")  # keeps the suffix for format sniffing
        with open(tmp, "wb") as f:
            f.write(b"half")
        raise RuntimeError("crash mid-write")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
