"""route_many releases the GIL: other Python threads run while it routes, and two
threads routing at once overlap (measured, printed with -s)."""
from __future__ import annotations

import os
import threading
import time

import pytest

import wegwijzer


@pytest.fixture(scope="module")
def work():
    # About half a second of routing on one core.
    return wegwijzer.generate_scenario(seed=4, providers=20000, requests=150000)


def test_python_runs_while_route_many_routes(work):
    directory, batch = work
    span = []

    def route():
        start = time.perf_counter()
        directory.route_many(batch, threads=1)
        span.extend([start, time.perf_counter()])

    ticks = []
    thread = threading.Thread(target=route)
    thread.start()
    while thread.is_alive():  # pure Python: needs the GIL for every iteration
        ticks.append(time.perf_counter())
    thread.join()
    start, stop = span
    middle = [t for t in ticks if start + 0.1 * (stop - start) < t < stop - 0.1 * (stop - start)]
    print(f"\nroute_many took {stop - start:.3f} s; the main thread ran {len(middle):,} "
          f"loop iterations in the middle 80% of it")
    # With the GIL held for the call, the main thread would not run at all then.
    assert len(middle) > 1000


def test_two_threads_overlap(work):
    directory, batch = work
    start = time.perf_counter()
    directory.route_many(batch, threads=1)
    alone = time.perf_counter() - start

    barrier = threading.Barrier(2)
    ends = {}

    def route(name):
        barrier.wait()
        directory.route_many(batch, threads=1)
        ends[name] = time.perf_counter()

    threads = [threading.Thread(target=route, args=(name,)) for name in "ab"]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    both = time.perf_counter() - start
    apart = abs(ends["a"] - ends["b"])
    print(f"\none call alone {alone:.3f} s; two calls in two threads {both:.3f} s "
          f"(speed-up {2 * alone / both:.2f}x on {os.cpu_count()} cores); they ended "
          f"{apart:.3f} s apart")
    # Serialised by the GIL, the second call would start when the first ended and end
    # one whole call later; overlapping, they end together.
    assert apart < 0.5 * alone
