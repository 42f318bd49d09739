"""Worker processes with a time and a memory limit per task.

Hostile PDFs hang parsers or eat gigabytes (a 1 MB flate bomb expands to 1 GiB), and a raw
crash inside a C library takes the process with it. So every file is parsed and tagged in a
long-lived worker process: ``RLIMIT_AS`` bounds its memory, the parent kills it when a task
overruns its time, and a replacement worker starts. The parent never parses a PDF itself.

Workers come from a ``forkserver`` that has imported the heavy modules once, so a replacement
worker starts in milliseconds instead of re-importing spaCy.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing as mp
import os
import queue
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

from archiv.errors import ArchivError, ExtractError

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

_PRELOAD = ["archiv.worker_preload"]


@dataclass(frozen=True, slots=True)
class Failure:
    """A task that did not produce a result; ``reason`` is a stable word for the store."""

    reason: str
    message: str


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):  # pragma: no cover - a stricter hard limit is fine too
            log.debug("could not set RLIMIT_AS", exc_info=True)


def _worker_main(conn: Connection, fn: Callable[[Any], Any], memory_mb: int) -> None:
    # Its own session: killing the worker's process group also ends a tesseract it started.
    with contextlib.suppress(OSError):
        os.setsid()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract with free OpenMP threads crawls on 2 cores
    _limit_memory(memory_mb)
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        task_id, arg = message
        try:
            result: Any = ("ok", fn(arg))
        except MemoryError:
            result = ("fail", Failure("resource_limit", "memory limit exceeded while reading"))
        except ExtractError as error:
            result = ("fail", Failure(error.reason, str(error)))
        except ArchivError as error:
            result = ("fail", Failure("error", str(error)))
        except RecursionError:
            result = ("fail", Failure("unreadable", "structure nested too deeply to read"))
        except Exception as error:  # the batch must go on: one line, the traceback in the log
            log.debug("worker task failed", exc_info=True)
            result = ("fail", Failure("unreadable", f"{type(error).__name__}: {error}"[:300]))
        try:
            conn.send((task_id, result))
        except MemoryError:
            conn.send((task_id, ("fail", Failure("resource_limit", "result too large"))))
        if isinstance(result[1], Failure) and result[1].reason == "resource_limit":
            return  # a heap that hit its limit is not worth reusing: the pool starts a fresh one


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[Any], Any], memory_mb: int) -> None:
        parent, child = ctx.Pipe()
        self.conn: Connection = parent
        self.process = ctx.Process(target=_worker_main, args=(child, fn, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, Any] | None = None
        self.started = 0.0
        self.done = 0  # tasks finished

    def give(self, task_id: int, arg: Any) -> None:
        self.task = (task_id, arg)
        self.started = time.monotonic()
        self.conn.send((task_id, arg))

    def signal_kill(self) -> None:
        """SIGKILL the worker's whole session (no orphaned tesseract); reaping is left to kill()."""
        if self.process.is_alive() and self.process.pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    def kill(self) -> None:
        """SIGKILL the worker and reap it: no zombies."""
        self.signal_kill()
        self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


class WorkerPool(Generic[T, R]):
    """Run ``fn`` over tasks in ``jobs`` isolated processes; results in completion order."""

    def __init__(self, fn: Callable[[T], R], *, jobs: int, timeout: float, memory_mb: int,
                 max_tasks: int | None = None) -> None:
        self.fn = fn
        self.jobs = max(1, jobs)
        # A worker is replaced by a fresh fork after ``max_tasks`` tasks: what a long batch
        # leaves behind in it (caches at their bound, spaCy's string store, a fragmented heap)
        # then never adds up; at 10,000 documents workers had grown to 348 MiB each.
        self.max_tasks = max_tasks
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(_PRELOAD)
        self._workers: list[_Worker] = []
        self._receiver: threading.Thread | None = None
        self._stopping = threading.Event()

    def __enter__(self) -> WorkerPool[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stopping.set()
        receiver = self._receiver
        if receiver is not None:
            receiver.join(timeout=0.5)
            if receiver.is_alive():  # left early: end the tasks it waits for, so it wakes up
                for worker in list(self._workers):
                    worker.signal_kill()  # the receiver reaps them: one thread closes pipes
                receiver.join(timeout=10)
            self._receiver = None
        for worker in list(self._workers):
            worker.stop()
        self._workers.clear()

    def _spawn(self) -> _Worker:
        worker = _Worker(self._ctx, self.fn, self.memory_mb)
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.remove(worker)

    def imap(self, tasks: Iterable[T]) -> Iterator[tuple[T, R | Failure]]:
        """Yield ``(task, result or Failure)``; never raises for a single task's failure."""
        pending: deque[tuple[int, T]] = deque()
        source = iter(tasks)
        exhausted = False
        next_id = 0
        by_id: dict[int, T] = {}

        def refill() -> None:
            nonlocal exhausted, next_id
            while not exhausted and len(pending) < self.jobs * 2:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    return
                pending.append((next_id, item))
                by_id[next_id] = item
                next_id += 1

        while True:
            refill()
            idle = [w for w in self._workers if w.task is None]
            while pending and (idle or len(self._workers) < self.jobs):
                worker = idle.pop() if idle else self._spawn()
                task_id, item = pending.popleft()
                worker.give(task_id, item)
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                if exhausted and not pending:
                    return
                continue
            now = time.monotonic()
            soonest = min(w.started + self.timeout for w in busy)
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                         timeout=max(0.0, soonest - now))
            for worker in busy:
                assert worker.task is not None
                task_id, _ = worker.task
                if worker.conn in ready:
                    try:
                        got_id, (_kind, payload) = worker.conn.recv()
                    except (EOFError, OSError):
                        yield by_id.pop(task_id), self._died(worker)
                        continue
                    worker.task = None
                    worker.done += 1
                    if isinstance(payload, Failure) and payload.reason == "resource_limit":
                        self._retire(worker)  # it exits after a memory failure
                    elif self.max_tasks is not None and worker.done >= self.max_tasks:
                        self._workers.remove(worker)
                        worker.stop()  # the next task spawns a fresh one
                    yield by_id.pop(got_id), payload
                elif worker.process.sentinel in ready:
                    yield by_id.pop(task_id), self._died(worker)
                elif time.monotonic() - worker.started > self.timeout:
                    self._retire(worker)
                    yield by_id.pop(task_id), Failure(
                        "timeout", f"reading took longer than {self.timeout:g} s (see --timeout)"
                    )

    def imap_ahead(self, tasks: Iterable[T], depth: int) -> Iterator[tuple[T, R | Failure]]:
        """:meth:`imap`, received by a thread up to ``depth`` results ahead of the caller.

        The caller (ingest's writer) spends long stretches committing the search index; with
        plain :meth:`imap` every worker finishes its file and then waits for the parent to read
        its result, so one core idles for the whole commit. The thread keeps reading results
        (workers keep working) while the queue bounds how much waits in memory.
        """
        results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=max(1, depth))

        def put(item: tuple[str, Any]) -> bool:
            while not self._stopping.is_set():
                try:
                    results.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def receive() -> None:
            try:
                for pair in self.imap(tasks):
                    if not put(("item", pair)):
                        return
                put(("done", None))
            except BaseException as error:  # handed to the caller's thread, which raises it
                if not self._stopping.is_set():
                    put(("error", error))

        self._stopping.clear()
        self._receiver = threading.Thread(target=receive, name="archiv-receiver", daemon=True)
        self._receiver.start()
        while True:
            kind, payload = results.get()
            if kind == "done":
                return
            if kind == "error":
                raise payload
            yield payload

    def _died(self, worker: _Worker) -> Failure:
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        self._retire(worker)
        if code is not None and code < 0:
            return Failure("resource_limit", f"the reader was killed by signal {-code} (memory?)")
        return Failure("resource_limit", "the reader ran out of memory or crashed")
