"""Files read from disk are read within bounds, however large they have grown."""

import json
import tracemalloc

import pytest

from mnist_keras.runs import Run, RunFormatError, RunStatus
from mnist_keras.runs.store import MAX_JSON_BYTES
from mnist_keras.sinks import MAX_JSONL_READ_BYTES, read_jsonl


def _huge(path, size):
    # A sparse file: as large as asked, without writing it.
    with open(path, "wb") as file:
        file.truncate(size)


def test_a_huge_contract_file_is_refused_unread(tmp_path):
    # Regression: a 500 MB metrics.json was read whole by every view (+1 GB each).
    run = Run.create(tmp_path / "first")
    run.set_status(RunStatus.COMPLETED)
    _huge(run.file("metrics.json"), 500 * 2**20)
    _huge(run.file("notes.json"), MAX_JSON_BYTES + 1)
    tracemalloc.start()
    try:
        with pytest.raises(RunFormatError, match="at most 64 MB.*500 MB"):
            run.metrics()
        assert run.read_json("notes.json", default="default") == "default"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20


def test_a_huge_jsonl_file_is_read_a_piece_per_call(tmp_path):
    path = tmp_path / "events.jsonl"
    record = json.dumps({"batch": 1, "loss": 0.5, "pad": "x" * 1000}) + "\n"
    count = 2 * MAX_JSONL_READ_BYTES // len(record) + 10
    path.write_text(record * count)
    first, offset = read_jsonl(path)
    assert 0 < len(first) < count and offset <= MAX_JSONL_READ_BYTES
    rest = []
    while True:
        records, offset = read_jsonl(path, offset)
        if not records:
            break
        rest += records
    assert len(first) + len(rest) == count


def test_a_line_longer_than_a_read_is_skipped_not_stuck(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("x" * (MAX_JSONL_READ_BYTES + 100) + "\n" + '{"batch": 2}\n')
    records, offset = read_jsonl(path)
    assert records == [] and offset == MAX_JSONL_READ_BYTES
    records, offset = read_jsonl(path, offset)
    assert records == [{"batch": 2}] and offset == path.stat().st_size
