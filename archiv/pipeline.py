"""``archiv ingest``: the recipe, read top to bottom.

discover files → skip what is unchanged → (worker) extract, tag, find resolutions → store
(parsed, tagged) → index in batches → mark indexed. One process writes (this one, holding the
archive lock); workers only read files. Every file yields one :class:`IngestResult`; a bad file
never stops the batch.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archiv.archive import Archive, crash_point
from archiv.config import PIPELINE_VERSION, IngestSettings
from archiv.discover import Candidate, discover, sha256_file
from archiv.models import IngestResult
from archiv.output import escape_path
from archiv.worker_tasks import FileTask, Processed, process_file
from archiv.workers import Failure, WorkerPool

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """Totals of one run, and where its time went (``--profile``)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pages: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    failures: list[IngestResult] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.counts["failed"]


class Progress(Protocol):
    """Told the number of files once, then each file's result as it completes."""

    def start(self, total: int) -> None: ...

    def advance(self, result: IngestResult) -> None: ...


def plan(archive: Archive, candidates: Iterable[Candidate], settings: IngestSettings,
         report: IngestReport) -> Iterator[IngestResult | FileTask]:
    """Decide per file: unchanged (no work), failed before parsing, or a task for a worker."""
    store = archive.store
    for cand in candidates:
        path = str(cand.path)
        if cand.problem:
            yield IngestResult(path=path, outcome="failed" if cand.problem != "symlink" else "skipped",
                               reason=cand.problem, message=cand.message)
            continue
        known = store.path_state(path)
        if (
            known is not None
            and not settings.force
            and known.size == cand.size
            and known.mtime_ns == cand.mtime_ns
            and known.pipeline_version == PIPELINE_VERSION
            and (known.state == "indexed" or (known.state == "failed" and not settings.retry_failed))
        ):
            # Same size and mtime as when we read it: unchanged without reading a byte.
            yield IngestResult(path=path, outcome="unchanged", document_id=known.document_id)
            continue
        t0 = time.perf_counter()
        try:
            document_id = sha256_file(cand.path)
        except OSError as error:
            yield IngestResult(path=path, outcome="failed", reason="unreadable",
                               message=f"{escape_path(path)}: {error.strerror or error}")
            continue
        report.stages["hash"] += time.perf_counter() - t0
        state = store.document_state(document_id)
        if state is not None and not settings.force and state[1] == PIPELINE_VERSION and (
            state[0] == "indexed" or (state[0] == "failed" and not settings.retry_failed)
        ):
            previous = store.link_path(path, document_id, cand.size, cand.mtime_ns)
            if previous:
                archive.forget_if_orphaned(previous)
            yield IngestResult(path=path, outcome="unchanged", document_id=document_id)
            continue
        yield FileTask(path=path, document_id=document_id, size=cand.size,
                       mtime_ns=cand.mtime_ns, options=settings.extract)


def ingest(archive: Archive, roots: Iterable[Path], settings: IngestSettings,
           progress: Progress | None = None) -> IngestReport:
    """Ingest files and folders into ``archive``; the caller holds the write lock."""
    report = IngestReport()
    started = time.perf_counter()
    store = archive.store
    archive.resume_unfinished()  # a crash between store and index: finish those first

    candidates = list(discover(roots))
    if settings.retry_failed:
        wanted = set(store.failed_paths())
        candidates = [c for c in candidates if str(c.path) in wanted] + [
            Candidate(Path(p)) for p in sorted(wanted - {str(c.path) for c in candidates})
        ]
        candidates = [_restat(c) for c in candidates]
    if progress:
        progress.start(len(candidates))
    batch: list[str] = []
    batch_pages = 0
    orphans: list[str] = []

    def emit(result: IngestResult) -> None:
        report.counts[result.outcome] += 1
        report.pages += result.pages
        if result.outcome == "failed":
            report.failures.append(result)
        if progress:
            progress.advance(result)

    def flush() -> None:
        if batch or orphans:
            t0 = time.perf_counter()
            archive.index_documents(batch, remove=orphans)
            report.stages["index"] += time.perf_counter() - t0
            batch.clear()
            orphans.clear()

    tasks: list[FileTask] = []
    for item in plan(archive, candidates, settings, report):
        if isinstance(item, FileTask):
            tasks.append(item)
        else:
            if item.outcome == "failed" and item.reason not in ("not_found",):
                archive.record_failure(item.path, item.reason or "unreadable", item.message or "")
            emit(item)

    replaced: dict[str, str] = {}  # path → the document its old content was
    redone: set[str] = set()  # documents the archive had already (--force, a new pipeline)
    first: dict[str, str] = {}  # document → the path it is read from in this run
    copies: list[FileTask] = []  # the same bytes under another path: read once, linked
    for task in tasks:
        if task.document_id in first:
            copies.append(task)
            continue
        first[task.document_id] = task.path
        known = store.document_state(task.document_id)
        if known is not None and known[0] != "failed":
            redone.add(task.document_id)
        before = store.stage(task.document_id, task.path, task.size, task.mtime_ns)
        if before:
            replaced[task.path] = before
    for task in copies:
        previous = store.link_path(task.path, task.document_id, task.size, task.mtime_ns)
        if previous:
            orphans.append(previous)
        log.info("%s: duplicate of %s", escape_path(task.path), escape_path(first[task.document_id]))
        emit(IngestResult(path=task.path, outcome="skipped", document_id=task.document_id,
                          reason="duplicate",
                          message=f"duplicate of {escape_path(first[task.document_id])}"))
    tasks = [task for task in tasks if first[task.document_id] == task.path]
    with WorkerPool(process_file, jobs=settings.jobs, timeout=settings.extract.timeout,
                    memory_mb=settings.extract.memory_mb) as pool:
        for task, outcome in pool.imap(tasks):
            if isinstance(outcome, Failure):
                store.mark_failed(task.document_id, task.path, outcome.reason,
                                  _one_line(task.path, outcome.message), task.size,
                                  pipeline_version=PIPELINE_VERSION)
                emit(IngestResult(path=task.path, outcome="failed", document_id=task.document_id,
                                  reason=outcome.reason, message=_one_line(task.path, outcome.message)))
                continue
            t0 = time.perf_counter()
            _save(archive, task, outcome)
            crash_point("after_parse")
            previous = replaced.get(task.path)
            report.stages["store"] += time.perf_counter() - t0
            for stage, seconds in outcome.timings.items():
                report.stages[stage] += seconds
            batch.append(task.document_id)
            if previous:
                orphans.append(previous)
            emit(IngestResult(path=task.path, outcome="updated" if previous or task.document_id in redone else "added",
                              document_id=task.document_id, pages=len(outcome.extracted.pages)))
            batch_pages += len(outcome.extracted.pages)
            if len(batch) >= settings.batch_size or batch_pages >= settings.batch_pages:
                batch_pages = 0
                flush()
    flush()
    report.seconds = time.perf_counter() - started
    return report


def _restat(cand: Candidate) -> Candidate:
    try:
        st = cand.path.stat()
    except OSError as error:
        return Candidate(cand.path, problem="not_found" if isinstance(error, FileNotFoundError)
                         else "unreadable", message=f"{escape_path(cand.path)}: {error.strerror}")
    return Candidate(cand.path, size=st.st_size, mtime_ns=st.st_mtime_ns)


def _one_line(path: str, message: str) -> str:
    text = " ".join(message.split())
    name = escape_path(path)
    return text if name in text else f"{name}: {text}"


def _save(archive: Archive, task: FileTask, done: Processed) -> None:
    """Store parsed pages, then tags: two transitions, each one transaction."""
    store = archive.store
    store.save_parsed(task.document_id, done.extracted.pages,
                      file_type=done.extracted.file_type, title=done.extracted.title)
    store.save_tagged(task.document_id, done.facts, done.mentions, done.resolutions,
                      pipeline_version=PIPELINE_VERSION, fallback_title=Path(task.path).stem)
