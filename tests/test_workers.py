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


def test_imap_ahead_keeps_workers_busy_while_the_caller_is() -> None:
    """Results are received while the caller works (an index commit): tasks do not wait for it."""
    with WorkerPool(worker_funcs.stamp, jobs=2, timeout=30, memory_mb=0) as pool:
        results = pool.imap_ahead([0.2] * 6, depth=8)
        next(results)
        busy_until = time.monotonic() + 1.5  # the caller "commits" for 1.5 s
        time.sleep(1.5)
        ended = [stamp for _task, stamp in results]
    assert len(ended) == 5
    # Plain imap would leave both workers idle during the sleep: at most 2 tasks done in it.
    assert sum(stamp < busy_until for stamp in ended) >= 4, ended


def test_imap_ahead_same_results_and_failures_as_imap() -> None:
    tasks = ["type", "encrypted", "type"]
    with WorkerPool(worker_funcs.broken, jobs=2, timeout=30, memory_mb=0) as pool:
        plain = sorted(map(repr, pool.imap(tasks)))
    with WorkerPool(worker_funcs.broken, jobs=2, timeout=30, memory_mb=0) as pool:
        ahead = sorted(map(repr, pool.imap_ahead(tasks, depth=1)))
    assert ahead == plain and len(ahead) == 3


def test_imap_ahead_left_early_ends_workers_promptly() -> None:
    """A caller that stops (an error while storing) must not wait for long tasks to finish."""
    started = time.monotonic()
    with WorkerPool(worker_funcs.slow, jobs=2, timeout=60, memory_mb=0) as pool:
        for _pair in pool.imap_ahead([0.01, 30.0, 30.0, 30.0], depth=2):
            break
        processes = [w.process for w in pool._workers]
    assert time.monotonic() - started < 15
    assert processes and not any(p.is_alive() for p in processes)


def test_a_worker_is_replaced_after_max_tasks() -> None:
    """No worker runs more than ``max_tasks`` tasks (what a long batch leaves in it never adds
    up); every task still gets its result, through imap and imap_ahead alike."""
    for ahead in (False, True):
        with WorkerPool(worker_funcs.pid, jobs=2, timeout=30, memory_mb=0, max_tasks=3) as pool:
            results = list(pool.imap_ahead(range(20), 4) if ahead else pool.imap(range(20)))
            assert sorted(task for task, _ in results) == list(range(20))
            assert all(value[0] == task for task, value in results)
            per_process: dict[int, int] = {}
            for _, (_, pid) in results:
                per_process[pid] = per_process.get(pid, 0) + 1
            assert max(per_process.values()) <= 3 and len(per_process) >= 7
            assert len(pool._workers) <= 2
