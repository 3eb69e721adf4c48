"""Timing helper shared by the latency benchmarks."""

import statistics
import time


def time_calls(function, repeats):
    """Calls `function` once to warm up, then `repeats` times.

    Returns:
        `(median, fastest, slowest)` in milliseconds.
    """
    function()  # the first call loads, traces and compiles
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), min(times), max(times)
