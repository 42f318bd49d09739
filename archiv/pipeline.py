"""``archiv ingest``: the recipe, read top to bottom.

discover files → check the free space → skip what is unchanged → (worker) extract, tag, find
resolutions → store (parsed, tagged) → index in batches → mark indexed. One process writes
(this one, holding the archive lock); workers only read files. Every file yields one
:class:`IngestResult`; a bad file never stops the batch.

A file whose pages have no text is stored like any other (``ok:no_text`` when no page has
text). An unchanged file is read again when a page lacks text only because OCR was off or
missing and this run can OCR; ``--retry-no-text`` reads again exactly those files, and those
whose OCR failed.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from archiv.archive import Archive, crash_point
from archiv.config import PIPELINE_VERSION, IngestSettings
from archiv.discover import Candidate, discover, sha256_file
from archiv.errors import NoSpaceError, UsageError
from archiv.extract import ocr
from archiv.models import IngestResult, PageText
from archiv.output import escape_path
from archiv.store import PathState
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
    ocr_pages: int = 0
    pages_without_text: int = 0
    without_text: list[IngestResult] = field(default_factory=list)  # files with such pages

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    @property
    def no_text(self) -> int:
        """Files stored as ``ok:no_text``: not one page with text."""
        return self.counts["no_text"]


# Free space ingest insists on before it parses anything: the new files' bytes times what
# each input byte has cost this archive so far (SQLite, its WAL and the index), at least 2,
# plus a floor for SQLite's journal, Whoosh's segment merges and the rest of the system.
# The cost varies a lot: the corpus/ PDFs (dense text) took 5.5 archive bytes per input byte,
# 40 PDFs of random words 35, while a scan yields little text for its megabytes. So the
# archive's own ratio is used once it has read SPACE_SAMPLE bytes, capped at SPACE_FACTOR_MAX.
# The floor is 100 MiB, or 5 % of a small file system (a tmpfs, a USB stick), where a fixed
# 100 MiB would refuse archives that fit.
SPACE_FACTOR = 2
SPACE_FACTOR_MAX = 50
SPACE_SAMPLE = 1024 * 1024
SPACE_FLOOR = 100 * 1024 * 1024
SPACE_FLOOR_SHARE = 0.05


def _size(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} B"
    for unit in ("KiB", "MiB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} GiB"


def check_free_space(archive: Archive, candidates: Iterable[Candidate], settings: IngestSettings) -> int:
    """Refuse a batch the archive's file system cannot hold, before anything is parsed.

    Running out of space half-way loses nothing (every transition is one transaction), but
    it wastes the parsing done so far and leaves a run to repeat; the estimate counts every
    file not known unchanged by size and modification time, so it errs on the safe side.
    A run with nothing new to read writes next to nothing and is never refused. Returns the
    bytes the batch is estimated to need.
    """
    new_bytes = files = 0
    for cand in candidates:
        if cand.problem:
            continue
        known = None if settings.force else archive.store.path_state(str(cand.path))
        if known is not None and _same_stat(known, cand):
            continue
        new_bytes += cand.size or 0
        files += 1
    if not files:
        return 0
    factor = float(SPACE_FACTOR)
    ingested = archive.store.ingested_bytes()
    if ingested >= SPACE_SAMPLE and ingested > 0:
        factor = min(SPACE_FACTOR_MAX, max(factor, archive.disk_bytes() / ingested))
    usage = shutil.disk_usage(archive.root)
    need = int(factor * new_bytes) + min(SPACE_FLOOR, int(usage.total * SPACE_FLOOR_SHARE))
    if usage.free < need:
        raise NoSpaceError(
            f"{archive.root}: no space left on device for this batch: {_size(usage.free)} free, "
            f"about {_size(need)} needed for {files} new file(s) of {_size(new_bytes)}; "
            "nothing was stored, free space and run again"
        )
    return need


def _same_stat(known: PathState, cand: Candidate) -> bool:
    """Same size and modification time as when it was read: unchanged without reading a byte."""
    return known.size == cand.size and known.mtime_ns == cand.mtime_ns


class Progress(Protocol):
    """Told the number of files once, then each file's result as it completes."""

    def start(self, total: int) -> None: ...

    def advance(self, result: IngestResult) -> None: ...


class _OcrReady:
    """Can this run OCR? Asked only when a stored document waits for OCR (it runs Tesseract)."""

    def __init__(self, settings: IngestSettings) -> None:
        self._settings = settings
        self._answer: bool | None = None

    def __call__(self) -> bool:
        if self._answer is None:
            self._answer = self._settings.extract.ocr != "never" and ocr.tesseract_status() is None
        return self._answer


def plan(archive: Archive, candidates: Iterable[Candidate], settings: IngestSettings,
         report: IngestReport) -> Iterator[IngestResult | FileTask]:
    """Decide per file: unchanged (no work), failed before parsing, or a task for a worker."""
    store = archive.store
    ocr_ready = _OcrReady(settings)
    redo = settings.force or settings.retry_no_text  # --retry-no-text: the candidates are chosen

    def done(path: str, document_id: str, state: str, pipeline_version: str | None,
             awaits_ocr: bool | None = None) -> bool:
        """Nothing to do: read by this pipeline, and nothing this run could add to it."""
        if redo or pipeline_version != PIPELINE_VERSION:
            return False
        if state == "failed":
            return not settings.retry_failed
        if state != "indexed":
            return False
        if awaits_ocr is None:
            awaits_ocr = store.awaits_ocr(document_id)
        if awaits_ocr and ocr_ready():
            log.debug("%s: pages without text, read again with OCR", escape_path(path))
            return False
        return True

    for cand in candidates:
        path = str(cand.path)
        if cand.problem:
            yield IngestResult(path=path, outcome="failed" if cand.problem != "symlink" else "skipped",
                               reason=cand.problem, message=cand.message)
            continue
        known = store.path_state(path)
        if (
            known is not None
            and _same_stat(known, cand)
            and done(path, known.document_id, known.state, known.pipeline_version, known.awaits_ocr)
        ):
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
        if state is not None and done(path, document_id, state[0], state[1]):
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
    if settings.retry_no_text and not _OcrReady(settings)():
        why = "--ocr never" if settings.extract.ocr == "never" else ocr.tesseract_status()
        raise UsageError(f"--retry-no-text needs OCR, but {why}")

    candidates = list(discover(roots))
    if settings.retry_failed or settings.retry_no_text:
        wanted = set(store.failed_paths()) if settings.retry_failed else set()
        if settings.retry_no_text:
            wanted |= set(store.no_text_paths())
        candidates = [c for c in candidates if str(c.path) in wanted] + [
            Candidate(Path(p)) for p in sorted(wanted - {str(c.path) for c in candidates})
        ]
        candidates = [_restat(c) for c in candidates]
    check_free_space(archive, candidates, settings)
    archive.resume_unfinished()  # a crash between store and index: finish those first
    if progress:
        progress.start(len(candidates))
    batch: list[str] = []
    batch_pages = 0
    orphans: list[str] = []

    def emit(result: IngestResult) -> None:
        report.counts[result.outcome] += 1
        report.pages += result.pages
        report.ocr_pages += result.ocr_pages
        report.pages_without_text += len(result.pages_without_text)
        if result.outcome == "failed":
            report.failures.append(result)
        if result.pages_without_text:
            report.without_text.append(result)
            if len(result.pages_without_text) == result.pages:
                report.counts["no_text"] += 1
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
                    memory_mb=settings.extract.memory_mb, max_tasks=settings.worker_tasks) as pool:
        for task, outcome in pool.imap_ahead(tasks, settings.read_ahead):
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
            pages = outcome.extracted.pages
            blank = [p for p in pages if not p.text.strip()]
            emit(IngestResult(path=task.path, outcome="updated" if previous or task.document_id in redone else "added",
                              document_id=task.document_id, pages=len(pages),
                              ocr_pages=sum(1 for p in pages if p.ocr and p.text.strip()),
                              pages_without_text=tuple(p.number for p in blank),
                              no_text=_no_text_reason(blank),
                              message=_no_text_message(task.path, blank, len(pages))))
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


def _no_text_reason(blank: list[PageText]) -> str | None:
    return (blank[0].no_text or "empty") if blank else None


def _no_text_message(path: str, blank: list[PageText], pages: int) -> str | None:
    """One line for the ingest report: which pages have no text, and why."""
    if not blank:
        return None
    reasons = ", ".join(sorted({p.no_text or "empty" for p in blank}))
    if len(blank) == pages:
        return f"{escape_path(path)}: no page has text ({reasons})"
    numbers = ", ".join(str(p.number) for p in blank)
    return f"{escape_path(path)}: page{'s' if len(blank) > 1 else ''} {numbers} without text ({reasons})"


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
