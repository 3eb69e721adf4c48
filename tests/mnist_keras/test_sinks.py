import json
import threading

from mnist_keras.sinks import JsonlSink, MemorySink, read_jsonl, subsample


def test_memory_sink_filters_by_type():
    sink = MemorySink()
    sink.write({"type": "batch", "step": 1})
    sink.write({"type": "epoch", "epoch": 1})
    assert sink.records(kind="epoch") == [{"type": "epoch", "epoch": 1}]
    assert len(sink.records()) == 2


def test_jsonl_sink_buffers_until_flush_then_reads_incrementally(tmp_path):
    path = tmp_path / "events.jsonl"
    sink = JsonlSink(path, flush_seconds=3600)
    sink.write({"type": "batch", "step": 1})
    assert read_jsonl(path) == ([], 0)  # still buffered
    sink.flush()
    records, offset = read_jsonl(path)
    assert records == [{"type": "batch", "step": 1}]
    sink.write({"type": "batch", "step": 2})
    sink.close()
    more, offset2 = read_jsonl(path, offset)
    assert more == [{"type": "batch", "step": 2}] and offset2 > offset
    assert read_jsonl(path, offset2) == ([], offset2)


def test_jsonl_sink_flushes_on_its_own_after_flush_seconds(tmp_path):
    path = tmp_path / "events.jsonl"
    sink = JsonlSink(path, flush_seconds=0)
    sink.write({"n": 1})
    assert read_jsonl(path)[0] == [{"n": 1}]
    sink.close()


def test_reader_skips_incomplete_last_line_and_damaged_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"n": 1}\nnot json\n{"n": 2}\n{"n": 3')
    records, offset = read_jsonl(path)
    assert records == [{"n": 1}, {"n": 2}]
    with open(path, "ab") as f:
        f.write(b"}\n")
    assert read_jsonl(path, offset)[0] == [{"n": 3}]


def test_missing_file_reads_as_empty(tmp_path):
    assert read_jsonl(tmp_path / "none.jsonl", 5) == ([], 5)


def test_concurrent_writers_produce_whole_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    sink = JsonlSink(path, flush_seconds=0.001)

    def writer(name):
        for i in range(500):
            sink.write({"writer": name, "i": i, "pad": "x" * 50})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sink.close()
    lines = path.read_text().splitlines()
    assert len(lines) == 2000
    assert all(json.loads(line)["pad"] == "x" * 50 for line in lines)


def test_subsample_keeps_ends_and_spacing():
    records = [{"step": i} for i in range(101)]
    kept = subsample(records, 11)
    assert [r["step"] for r in kept] == list(range(0, 101, 10))
    assert subsample(records[:5], 11) == records[:5]
