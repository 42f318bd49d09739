"""Run extraction in worker processes with a memory cap and a wall-clock limit.

Hostile PDFs hang the parser (150,000 glyphs on a page) or blow up memory (a 1 MB file that
inflates to 1 GiB). Neither can be stopped from inside the process, so each file is read in a
long-lived worker process (a fresh interpreter, never a fork of the caller) with ``RLIMIT_AS`` set, and the parent kills the worker when the
file's deadline passes and starts a fresh one. Workers are reused across files, so the
per-file cost is one pipe round trip, not an interpreter start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_ready
from pathlib import Path
from typing import Any

from archiv.errors import ExtractError
from archiv.models import ExtractedFile, ExtractOptions

logger = logging.getLogger(__name__)

_SHUTDOWN = None
# Signals a worker dies of when an allocation fails under RLIMIT_AS (C++ new → abort,
# PartitionAlloc's deliberate crash → trap/illegal instruction, mmap failure → segv/bus).
_MEMORY_SIGNALS = frozenset(
    {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGTRAP, signal.SIGILL, signal.SIGKILL}
)


def _limit_memory(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def serve(read_fd: int, write_fd: int, memory_mb: int) -> None:
    """Child loop: read (path, options), answer ("ok", file) or ("error", reason, message)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides about Ctrl-C
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import archiv.extract.pdf  # noqa: F401 - load pdfium/pdfplumber before the memory cap
    from archiv.extract import extract_file

    inbox = Connection(read_fd, writable=False)
    outbox = Connection(write_fd, readable=False)
    _limit_memory(memory_mb)
    outbox.send(("ready",))  # the parent starts a file's clock only now
    while True:
        try:
            message = inbox.recv()
        except (EOFError, OSError):
            return
        if message is _SHUTDOWN:
            return
        path, options = message
        try:
            outbox.send(("ok", extract_file(Path(path), options)))
        except ExtractError as error:
            outbox.send(("error", error.reason, str(error)))
        except MemoryError:
            outbox.send(
                ("error", "resource_limit", f"{path}: over the {memory_mb} MB memory limit")
            )
            return  # a heap that hit the limit is not worth reusing
        except BaseException as error:  # noqa: BLE001 - report, never die silently
            outbox.send(("error", "unreadable", f"{path}: {type(error).__name__}: {error}"))


@dataclass(slots=True)
class _Task:
    path: Path
    options: ExtractOptions
    future: Future[ExtractedFile]
    deadline: float = 0.0


class _Worker:
    """One child process (its own session, so a kill also ends its tesseract children)."""

    def __init__(self, memory_mb: int) -> None:
        to_child_read, to_child_write = os.pipe()
        from_child_read, from_child_write = os.pipe()
        code = (
            "from archiv.extract.worker import serve; "
            f"serve({to_child_read}, {from_child_write}, {memory_mb})"
        )
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(to_child_read, from_child_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            os.close(to_child_read)
            os.close(from_child_write)
        self.inbox = Connection(to_child_write, readable=False)
        self.conn = Connection(from_child_read, writable=False)
        self.task: _Task | None = None
        self.ready = False

    def start(self, task: _Task) -> None:
        task.deadline = time.monotonic() + task.options.timeout
        self.task = task
        self.inbox.send((str(task.path), task.options))

    def exitcode(self) -> int | None:
        try:
            return self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL the whole session and reap, so neither zombies nor orphans stay behind."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.inbox.close()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.inbox.send(_SHUTDOWN)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=2)
        self.kill()


class ExtractorPool:
    """``jobs`` worker processes reading files under ``options``' time and memory limits.

    Use as a context manager; ``submit`` returns a future that resolves to the
    ``ExtractedFile`` or raises ``ExtractError``; ``imap_unordered`` yields
    ``(path, ExtractedFile | ExtractError)`` in completion order. A worker that timed out,
    crashed or hit its memory cap is replaced before it gets the next file.
    """

    def __init__(self, jobs: int = 1, options: ExtractOptions | None = None) -> None:
        self.jobs = max(1, jobs)
        self.options = options or ExtractOptions()
        self.workers_started = 0
        self.workers_killed = 0
        self._pending: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        wake_read, wake_write = os.pipe()
        self._wake_read = Connection(wake_read, writable=False)
        self._wake_write = Connection(wake_write, readable=False)
        self._wake_lock = threading.Lock()
        self._closed = False
        self._abort = False
        self._workers: list[_Worker] = []
        self._thread = threading.Thread(target=self._run, name="archiv-extract-pool", daemon=True)
        self._thread.start()

    def __enter__(self) -> ExtractorPool:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:  # an error or Ctrl-C in the caller: do not wait for files in progress
            self.terminate()

    def submit(self, path: Path, options: ExtractOptions | None = None) -> Future[ExtractedFile]:
        """Queue one file; ``options`` may change timeout/OCR/password, not the memory cap."""
        if self._closed:
            raise RuntimeError("ExtractorPool is closed")
        future: Future[ExtractedFile] = Future()
        if not self._thread.is_alive():
            future.set_exception(
                ExtractError("unreadable", f"{path}: extraction workers failed to start")
            )
            return future
        self._pending.put(_Task(Path(path), options or self.options, future))
        self._wake()
        return future

    def imap_unordered(
        self, paths: Iterable[Path]
    ) -> Iterator[tuple[Path, ExtractedFile | ExtractError]]:
        """Results in completion order, keeping at most ``2 × jobs`` files in flight."""
        in_flight: dict[Future[ExtractedFile], Path] = {}
        source = iter(paths)
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < 2 * self.jobs:
                try:
                    path = next(source)
                except StopIteration:
                    exhausted = True
                    break
                in_flight[self.submit(path)] = Path(path)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when="FIRST_COMPLETED")
            for future in done:
                path = in_flight.pop(future)
                try:
                    yield path, future.result()
                except ExtractError as error:
                    yield path, error

    def terminate(self) -> None:
        """Kill the workers now; unfinished files fail with reason ``unreadable``."""
        self._abort = True
        self.close()

    def close(self) -> None:
        """Finish queued files, then stop the workers."""
        if self._closed:
            return
        self._closed = True
        self._pending.put(None)
        self._wake()
        self._thread.join()
        self._wake_read.close()
        self._wake_write.close()

    # -- dispatcher thread -------------------------------------------------------------

    def _wake(self) -> None:
        with self._wake_lock, contextlib.suppress(OSError):
            self._wake_write.send_bytes(b"w")

    def _new_worker(self) -> _Worker:
        self.workers_started += 1
        return _Worker(self.options.memory_mb)

    def _run(self) -> None:
        backlog: deque[_Task] = deque()
        closing = False
        try:
            while True:
                while True:
                    try:
                        item = self._pending.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        closing = True
                    else:
                        backlog.append(item)
                self._assign(backlog)
                busy = [w for w in self._workers if w.task is not None]
                starting = [w for w in self._workers if not w.ready]
                if (closing and not backlog and not busy) or self._abort:
                    return
                now = time.monotonic()
                timeout = min((w.task.deadline - now for w in busy if w.task), default=None)
                ready = wait_ready(
                    [self._wake_read] + [w.conn for w in busy + starting],
                    timeout=None if timeout is None else max(0.0, timeout),
                )
                if self._wake_read in ready:
                    while self._wake_read.poll():
                        self._wake_read.recv_bytes()
                for worker in starting:
                    if worker.conn in ready:
                        self._handshake(worker)
                for worker in busy:
                    if worker.conn in ready:
                        self._collect(worker)
                self._expire()
        finally:
            orphans = list(backlog) + [w.task for w in self._workers if w.task is not None]
            while not self._pending.empty():
                item = self._pending.get_nowait()
                if item is not None:
                    orphans.append(item)
            for worker in self._workers:
                if self._abort:
                    worker.kill()
                else:
                    worker.stop()
            for task in orphans:
                if not task.future.done():
                    task.future.set_exception(
                        ExtractError("unreadable", f"{task.path}: extraction worker unavailable")
                    )

    def _assign(self, backlog: deque[_Task]) -> None:
        while backlog:
            idle = next((w for w in self._workers if w.task is None and w.ready), None)
            if idle is None:
                while len(self._workers) < self.jobs:
                    self._workers.append(self._new_worker())
                return  # a worker that finishes or gets ready takes the next file
            task = backlog.popleft()
            if not task.future.set_running_or_notify_cancel():
                continue
            try:
                idle.start(task)
            except (OSError, ValueError):
                self._replace(idle)
                backlog.appendleft(task)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self.workers_killed += 1
        self._workers.remove(worker)

    def _handshake(self, worker: _Worker) -> None:
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):
            reply = None
        if reply == ("ready",):
            worker.ready = True
            return
        logger.warning("extraction worker failed to start (exit code %s)", worker.exitcode())
        self._replace(worker)
        if self.workers_started > 10 * self.jobs and not any(w.ready for w in self._workers):
            raise RuntimeError("extraction workers keep failing to start")

    def _collect(self, worker: _Worker) -> None:
        task = worker.task
        assert task is not None
        try:
            reply: Any = worker.conn.recv()
        except (EOFError, OSError):
            code = worker.exitcode()
            worker.task = None
            self._replace(worker)
            task.future.set_exception(self._crash_error(task, code))
            return
        worker.task = None
        if reply[0] == "ok":
            task.future.set_result(reply[1])
            return
        _, reason, message = reply
        if reason == "resource_limit":
            self._replace(worker)
        task.future.set_exception(ExtractError(reason, message))

    def _crash_error(self, task: _Task, code: int | None) -> ExtractError:
        if code is not None and code < 0 and -code in _MEMORY_SIGNALS:
            name = signal.Signals(-code).name
            return ExtractError(
                "resource_limit",
                f"{task.path}: reader crashed ({name}), most likely over the "
                f"{self.options.memory_mb} MB memory limit",
            )
        return ExtractError("unreadable", f"{task.path}: reader crashed (exit code {code})")

    def _expire(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            task = worker.task
            if task is not None and now >= task.deadline:
                worker.task = None
                self._replace(worker)
                task.future.set_exception(
                    ExtractError(
                        "timeout",
                        f"{task.path}: reading took longer than {task.options.timeout:g} s; "
                        "raise the timeout or skip the file",
                    )
                )


def extract_isolated(path: Path, options: ExtractOptions) -> ExtractedFile:
    """``extract_file`` in a fresh worker process; for batches use ``ExtractorPool``."""
    with ExtractorPool(1, options) as pool:
        future = pool.submit(path)
        try:
            return future.result(timeout=options.timeout + 60)
        except FutureTimeout:
            raise ExtractError("timeout", f"{path}: no answer from the reader") from None
