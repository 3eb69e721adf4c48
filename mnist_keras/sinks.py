"""Where training records go: memory (library users) or a JSONL file (the
dashboard polls it from another process).

A record is a flat dict with a `"type"`: `"start"`, `"batch"`, `"epoch"` or
`"end"` (see `mnist_keras.callbacks.MetricsRecorder`).
"""

import json
import os
import threading
import time

import numpy as np


class MemorySink:
    """Keeps records in a list; safe to read from another thread.

    Example:

    >>> sink = MemorySink()
    >>> sink.write({"type": "epoch", "epoch": 1})
    >>> sink.records(kind="epoch")
    [{'type': 'epoch', 'epoch': 1}]
    """

    def __init__(self):
        self._records = []
        self._lock = threading.Lock()

    def write(self, record):
        with self._lock:
            self._records.append(record)

    def flush(self):
        pass

    def close(self):
        pass

    def records(self, kind=None):
        """Returns a copy of the records, optionally only those of one type."""
        with self._lock:
            records = list(self._records)
        return [r for r in records if kind is None or r.get("type") == kind]


class JsonlSink:
    """Appends records as JSON lines to a file, buffered.

    Lines are buffered and written together at most every `flush_seconds`
    (and on `flush`/`close`) with a single `write` on a file opened in append
    mode, so readers in other processes only ever see whole lines (plus, at
    worst, one incomplete last line, which `read_jsonl` skips until it is
    complete). Writers in several threads are serialised by a lock.

    Args:
        path: the JSONL file; created if missing, appended to otherwise.
        flush_seconds: longest time a record waits in the buffer.
            Defaults to 0.25 s, so a dashboard polling once a second is never
            more than a quarter second behind.
    """

    def __init__(self, path, flush_seconds=0.25):
        self.path = os.fspath(path)
        self.flush_seconds = flush_seconds
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._buffer = []
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()

    def write(self, record):
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._buffer.append(line)
            if time.monotonic() - self._last_flush >= self.flush_seconds:
                self._flush_locked()

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        if self._buffer and self._fd is not None:
            os.write(self._fd, ("\n".join(self._buffer) + "\n").encode("utf-8"))
            self._buffer.clear()
        self._last_flush = time.monotonic()

    def close(self):
        with self._lock:
            self._flush_locked()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


# How much of a JSONL file one poll reads: thousands of records. A file of
# gigabytes is read in pieces across polls, never whole.
MAX_JSONL_READ_BYTES = 16 * 1024 * 1024


def read_jsonl(path, offset=0):
    """Reads the complete records of a JSONL file from a byte offset.

    Meant for polling: pass the returned offset back next time to read only
    what was appended since. An incomplete last line is left for next time.

    Args:
        path: the JSONL file. A missing file reads as empty.
        offset: byte offset to start from. Defaults to 0.

    Returns:
        `(records, next_offset)`. At most `MAX_JSONL_READ_BYTES` are read per
        call (the rest comes next time); a line longer than that is skipped.
    """
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(MAX_JSONL_READ_BYTES)
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    if end == 0 and len(data) == MAX_JSONL_READ_BYTES:
        # One line longer than a whole read: no record is that long. Skip it.
        return [], offset + len(data)
    records = []
    for line in data[:end].splitlines():
        if line.strip():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a damaged line must not hide the rest of the run
    return records, offset + end


def subsample(records, limit):
    """Keeps at most `limit` records, evenly spaced, always the first and last.

    Example:

    >>> [r["step"] for r in subsample([{"step": i} for i in range(10)], 4)]
    [0, 3, 6, 9]
    """
    if len(records) <= limit:
        return list(records)
    keep = np.linspace(0, len(records) - 1, limit).round().astype(int)
    return [records[i] for i in keep]
