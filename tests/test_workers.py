"""Worker isolation: a task that hangs, eats memory or raises never stops the batch."""

from __future__ import annotations

import time

from archiv.workers import Failure, WorkerPool
from tests import worker_funcs


def test_results_in_any_order_all_present() -> None:
    with WorkerPool(worker_funcs.echo, jobs=2, timeout=30, memory_mb=0) as pool:
        got = dict(pool.imap(range(20)))
    assert got == {i: i * 2 for i in range(20)}


def test_timeout_kills_worker_and_batch_goes_on() -> None:
    started = time.monotonic()
    with WorkerPool(worker_funcs.slow, jobs=2, timeout=1.0, memory_mb=0) as pool:
        got = dict(pool.imap([0.01, 30.0, 0.02, 0.03]))
        workers = [w.process for w in pool._workers]
    assert isinstance(got[30.0], Failure) and got[30.0].reason == "timeout"
    assert got[0.01] == 0.01 and got[0.03] == 0.03
    assert time.monotonic() - started < 15
    for process in workers:  # the pool was closed: no worker left behind
        assert not process.is_alive()


def test_memory_limit_reports_resource_limit() -> None:
    with WorkerPool(worker_funcs.hog, jobs=1, timeout=30, memory_mb=1024) as pool:
        got = dict(pool.imap([4, 4096, 8]))
    assert got[4] == 4 * 1024 * 1024
    assert isinstance(got[4096], Failure) and got[4096].reason == "resource_limit"
    assert got[8] == 8 * 1024 * 1024


def test_exceptions_become_failures() -> None:
    with WorkerPool(worker_funcs.broken, jobs=1, timeout=30, memory_mb=0) as pool:
        got = dict(pool.imap(["type", "encrypted"]))
    assert got["type"] == Failure("unreadable", "TypeError: unexpected NoneType")
    assert got["encrypted"] == Failure("encrypted", "sample: encrypted")


def test_parent_stays_small() -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with WorkerPool(worker_funcs.hog, jobs=1, timeout=30, memory_mb=512) as pool:
        list(pool.imap([2048]))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 100 * 1024  # KiB: the bomb went off in the worker, not here
