import gzip
import struct

import numpy as np
import pytest

from mnist_keras.datasets import read_idx, write_idx
from mnist_keras.errors import MnistKerasError


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("name", ["data-idx", "data-idx.gz"])
def test_round_trip_keeps_values_shape_and_dtype(tmp_path, dtype, name):
    array = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    if dtype == "uint8":
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / name, array)
    loaded = read_idx(tmp_path / name)
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded, array)


def test_header_is_big_endian_mnist_layout(tmp_path):
    write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    raw = (tmp_path / "labels").read_bytes()
    assert raw[:4] == b"\x00\x00\x08\x01"
    assert struct.unpack(">i", raw[4:8]) == (3,)
    assert raw[8:] == b"\x07\x02\x01"


def _write(path, data):
    path.write_bytes(data)
    return path


def test_wrong_magic_is_reported(tmp_path):
    path = _write(tmp_path / "bad", b"\x12\x34\x08\x01" + struct.pack(">i", 1) + b"\x00")
    with pytest.raises(MnistKerasError, match="magic=0x12340801"):
        read_idx(path)


def test_unknown_type_code_is_reported(tmp_path):
    path = _write(tmp_path / "bad", b"\x00\x00\x07\x01" + struct.pack(">i", 1) + b"\x00")
    with pytest.raises(MnistKerasError, match="magic number"):
        read_idx(path)


def test_truncated_data_is_reported(tmp_path):
    path = _write(tmp_path / "short", b"\x00\x00\x08\x01" + struct.pack(">i", 10) + b"\x00" * 9)
    with pytest.raises(MnistKerasError, match=r"Expected 10 data bytes .* 9 bytes \(truncated\)"):
        read_idx(path)


def test_trailing_bytes_are_reported(tmp_path):
    path = _write(tmp_path / "long", b"\x00\x00\x08\x01" + struct.pack(">i", 2) + b"\x00" * 3)
    with pytest.raises(MnistKerasError, match="trailing bytes"):
        read_idx(path)


def test_truncated_header_is_reported(tmp_path):
    path = _write(tmp_path / "header", b"\x00\x00\x08\x03" + struct.pack(">i", 2))
    with pytest.raises(MnistKerasError, match="3 dimension sizes"):
        read_idx(path)


def test_tiny_file_is_reported(tmp_path):
    with pytest.raises(MnistKerasError, match="at least 4 bytes"):
        read_idx(_write(tmp_path / "tiny", b"\x00\x00"))


def test_corrupt_gzip_is_reported(tmp_path):
    good = gzip.compress(b"\x00\x00\x08\x01" + struct.pack(">i", 1) + b"\x05")
    path = _write(tmp_path / "broken.gz", good[: len(good) // 2])
    with pytest.raises(MnistKerasError, match="readable IDX file"):
        read_idx(path)
    with pytest.raises(MnistKerasError, match="readable IDX file"):
        read_idx(_write(tmp_path / "notgzip.gz", b"plain text"))


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(MnistKerasError, match="existing IDX file"):
        read_idx(tmp_path / "nothing")


def test_write_refuses_unsupported_arrays(tmp_path):
    with pytest.raises(MnistKerasError, match="dtype"):
        write_idx(tmp_path / "x", np.array([1, 2], dtype=np.int64))
    with pytest.raises(MnistKerasError, match="ndim=0"):
        write_idx(tmp_path / "x", np.uint8(3))
    assert not list(tmp_path.iterdir())
