"""Atomic file writes: write to a temp file in the same folder, then rename.

A reader (the dashboard polling a run folder, a second process) sees either the
old file or the complete new one, never a half-written file; a crash mid-write
leaves the old file intact.
"""

import contextlib
import json
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temp path beside `path`; on success renames it onto `path`.

    The temp name keeps the destination's suffix, so writers that infer a
    format from the extension (Keras' `.keras`, gzip's `.gz`) still work.

    Args:
        path: the destination file.

    Yields:
        The temporary path to write to. On an exception it is deleted and the
        destination is left untouched.

    Example:

    ```python
    with atomic_path("model.keras") as tmp:
        model.save(tmp)
    ```
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    os.close(fd)
    try:
        yield tmp
        # mkstemp makes the file private (0600); give it the usual mode.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data):
    """Writes `data` (bytes) to `path` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def atomic_write_json(path, obj):
    """Writes `obj` as indented JSON to `path` atomically."""
    atomic_write_bytes(path, (json.dumps(obj, indent=2) + "\n").encode("utf-8"))
