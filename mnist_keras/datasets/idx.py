"""Reading and writing IDX files, the format of the MNIST database.

An IDX file is a big-endian header (two zero bytes, a type code, the number of
dimensions, then one int32 per dimension) followed by the data in C order.
Files may be gzip-compressed; the name decides (`.gz`).
"""

import gzip
import struct
import zlib

import numpy as np

from mnist_keras.atomic import atomic_write_bytes
from mnist_keras.errors import MnistKerasError

# IDX type code -> big-endian NumPy dtype.
_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dtype.newbyteorder("="): code for code, dtype in _DTYPES.items()}
_CODES.update({dtype: code for code, dtype in _DTYPES.items()})
# The most data one IDX file may announce: MNIST's largest is 47 MB.
MAX_IDX_BYTES = 512 * 1024 * 1024


def _open(path, mode):
    if str(path).endswith(".gz"):
        return gzip.open(path, mode)
    return open(path, mode)


def read_idx(path):
    """Reads an IDX file (plain or `.gz`) into a NumPy array.

    The header is validated against the data: a wrong magic number, an unknown
    type code, a zero-sized header, a truncated file or trailing bytes all raise.

    Args:
        path: path to the file.

    Returns:
        A NumPy array in native byte order with the dimensions of the header.

    Raises:
        MnistKerasError: if the file is missing, not IDX, corrupt or truncated.

    Example:

    >>> import os
    >>> from mnist_keras.datasets import bundled_data_dir
    >>> read_idx(os.path.join(bundled_data_dir(), "t10k-labels-idx1-ubyte.gz")).shape
    (10000,)
    """
    try:
        with _open(path, "rb") as f:
            shape, dtype, content = _read_checked(f, path)
    except FileNotFoundError:
        raise MnistKerasError(
            f"Expected an existing IDX file. Received: path={str(path)!r}"
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise MnistKerasError(
            f"Expected a readable IDX file ({e}). Received: path={str(path)!r}"
        ) from None
    array = np.frombuffer(content, dtype=dtype).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def _read_checked(f, path):
    """Reads the header, then exactly the bytes it announces (and one more, to see
    trailing bytes): a small compressed file that inflates to gigabytes is
    refused after reading its header, not after inflating it."""
    head = f.read(4)
    if len(head) < 4:
        raise MnistKerasError(
            f"Expected an IDX header of at least 4 bytes. "
            f"Received: path={str(path)!r} with {len(head)} bytes"
        )
    zero, type_code, ndim = struct.unpack(">HBB", head)
    if zero != 0 or type_code not in _DTYPES or ndim == 0:
        raise MnistKerasError(
            "Expected an IDX magic number 0x0000TTDD (TT a known type code, "
            f"DD >= 1 dimensions). Received: path={str(path)!r} with magic=0x{head.hex()}"
        )
    sizes = f.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise MnistKerasError(
            f"Expected {ndim} dimension sizes in the IDX header. "
            f"Received: path={str(path)!r} truncated at {4 + len(sizes)} bytes"
        )
    shape = struct.unpack(f">{ndim}i", sizes)
    if any(size < 0 for size in shape):
        raise MnistKerasError(
            f"Expected non-negative IDX dimensions. Received: path={str(path)!r}, shape={shape}"
        )
    dtype = _DTYPES[type_code]
    expected_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if expected_bytes > MAX_IDX_BYTES:
        raise MnistKerasError(
            f"Expected an IDX file of at most {MAX_IDX_BYTES:,} data bytes. "
            f"Received: path={str(path)!r} announcing {expected_bytes:,} for shape {shape}"
        )
    data = f.read(expected_bytes + 1)
    if len(data) != expected_bytes:
        problem = "truncated" if len(data) < expected_bytes else "has trailing bytes"
        shown = len(data) if len(data) < expected_bytes else f"more than {expected_bytes}"
        raise MnistKerasError(
            f"Expected {expected_bytes} data bytes for shape {shape}. "
            f"Received: path={str(path)!r} with {shown} bytes ({problem})"
        )
    return shape, dtype, data

def write_idx(path, array):
    """Writes an array as an IDX file, atomically (temp file, then rename).

    Args:
        path: destination; a name ending in `.gz` is gzip-compressed.
        array: array of dtype uint8, int8, int16, int32, float32 or float64
            with at least one dimension.

    Raises:
        MnistKerasError: for an unsupported dtype or a 0-d array.

    Example:

    ```python
    write_idx("labels-idx1-ubyte", np.array([3, 1, 4], dtype=np.uint8))
    ```
    """
    array = np.asarray(array)
    code = _CODES.get(array.dtype)
    if code is None or array.ndim == 0:
        raise MnistKerasError(
            "Expected an array of at least one dimension with dtype uint8, int8, "
            f"int16, int32, float32 or float64. Received: dtype={array.dtype}, ndim={array.ndim}"
        )
    header = struct.pack(f">HBB{array.ndim}i", 0, code, array.ndim, *array.shape)
    payload = header + np.ascontiguousarray(array, dtype=_DTYPES[code]).tobytes()
    if str(path).endswith(".gz"):
        payload = gzip.compress(payload)
    atomic_write_bytes(path, payload)
