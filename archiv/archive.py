"""The library facade: one archive directory = a SQLite store + a full-text index.

The CLI (and later a web app) talks to this class only. The store is the truth; every method
that touches the index derives it from the store, so ``reindex`` can always rebuild it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiv.config import ENGINE_DIR, STORE_FILE
from archiv.discover import sha256_file
from archiv.engine import IndexPage, SearchEngine, SearchOutcome, SearchRequest
from archiv.errors import DriftError, IndexDamagedError, NoArchiveError
from archiv.models import NO_TEXT_REASONS, OCR_FIXABLE, ChronologyEntry, DocumentRecord
from archiv.store import Store

if TYPE_CHECKING:
    from archiv.chronology import ChronologyTable

log = logging.getLogger(__name__)

CRASH_ENV = "ARCHIV_CRASH_AT"
_crash_counts: Counter[str] = Counter()


def crash_point(phase: str) -> None:
    """Test hook: die like ``kill -9`` at a named phase when ``ARCHIV_CRASH_AT`` asks for it.

    ``ARCHIV_CRASH_AT=phase`` dies the first time ``phase`` is reached, ``phase:n`` the n-th
    time. Phases: ``after_parse``, ``before_index_commit``, ``after_index_commit_before_db``.
    The fault tests use it to prove that every crash point leaves a state the next run repairs.
    """
    wanted = os.environ.get(CRASH_ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != phase:
        return
    _crash_counts[phase] += 1
    if _crash_counts[phase] >= (int(nth) if nth.isdigit() else 1):
        os._exit(137)


def _engine_class():  # noqa: ANN202 - the engine module imports whoosh: load it only when needed
    from archiv.index import WhooshEngine

    return WhooshEngine


@dataclass(slots=True)
class CheckReport:
    """What ``archiv check`` found; ``drift`` is true when store and index disagree."""

    documents: int = 0
    index_pages: int = 0
    missing: list[str] = field(default_factory=list)  # indexed in the store, absent in the index
    extra: list[str] = field(default_factory=list)  # in the index, not indexed in the store
    duplicates: list[str] = field(default_factory=list)  # a page indexed twice
    incomplete: list[str] = field(default_factory=list)  # page count differs
    unfinished: list[str] = field(default_factory=list)  # stuck between states
    changed_files: list[str] = field(default_factory=list)  # originals changed since ingest
    missing_files: list[str] = field(default_factory=list)
    store_ok: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def drift(self) -> bool:
        return bool(self.missing or self.extra or self.duplicates or self.incomplete
                    or self.unfinished or not self.store_ok or self.problems)

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": not self.drift and not self.changed_files and not self.missing_files,
            "drift": self.drift,
            "documents": self.documents,
            "index_pages": self.index_pages,
            "missing": self.missing,
            "extra": self.extra,
            "duplicates": self.duplicates,
            "incomplete": self.incomplete,
            "unfinished": self.unfinished,
            "changed_files": self.changed_files,
            "missing_files": self.missing_files,
            "store_ok": self.store_ok,
            "problems": self.problems,
        }


class Archive:
    def __init__(self, root: Path, *, readonly: bool) -> None:
        self.root = root
        self.readonly = readonly
        self.store = (Store.open_existing(root / STORE_FILE) if readonly
                      else Store(root / STORE_FILE))
        self._engine: SearchEngine | None = None

    @classmethod
    def for_reading(cls, root: Path) -> Archive:
        if not (root / STORE_FILE).exists():
            raise NoArchiveError(f"no archive at {root}: run `archiv ingest` first")
        return cls(root, readonly=True)

    @classmethod
    def for_writing(cls, root: Path) -> Archive:
        """The caller holds the write lock (see archiv.lock.write_lock)."""
        return cls(root, readonly=False)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()  # type: ignore[attr-defined]
        self.store.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def disk_bytes(self) -> int:
        """What the archive occupies: store (with WAL) and index, for the free-space estimate."""
        total = 0
        for path in self.root.rglob("*"):
            with contextlib.suppress(OSError):
                if path.is_file() and not path.is_symlink():
                    total += path.stat().st_size
        return total

    # --- engine ---------------------------------------------------------------------------
    @property
    def engine_dir(self) -> Path:
        return self.root / ENGINE_DIR

    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            cls = _engine_class()
            if not self.engine_dir.exists() and self.store.ids_in_state("indexed"):
                # The store says documents are indexed: a vanished index is damage, not a
                # fresh archive. Never recreate it empty behind the user's back.
                raise IndexDamagedError(
                    f"search index {self.engine_dir} is missing: run `archiv reindex`")
            if self.readonly:
                self._engine = cls.open(self.engine_dir, readonly=True)
            elif not self.engine_dir.exists():
                self._engine = cls.create(self.engine_dir)
            else:
                self._engine = cls.open(self.engine_dir)
        return self._engine

    def index_pages(self, document_id: str) -> list[IndexPage]:
        """The engine's view of one document, derived from the store alone."""
        record = self.store.document(document_id)
        per_page: dict[int, dict[str, set[str]]] = {}
        for mention, _doc, _path in self.store.mentions(document_id=document_id, include_unindexed=True):
            slot = per_page.setdefault(mention.page, {"date": set(), "place": set(),
                                                      "reference": set(), "body": set()})
            slot[mention.label].add(mention.value)
        own = {record.reference} if record.reference else set()
        pages = []
        for page in self.store.pages(document_id):
            slot = per_page.get(page.number, {})
            pages.append(IndexPage(
                document_id=document_id, page=page.number, text=page.text, path=record.path,
                title=record.title, date=record.date, municipality=record.municipality,
                doc_type=record.type,
                references=tuple(sorted(slot.get("reference", set()) | own)),
                bodies=tuple(sorted(slot.get("body", set()))),
                places=tuple(sorted(slot.get("place", set()))),
                dates=tuple(sorted(slot.get("date", set()))),
            ))
        return pages

    def index_documents(self, document_ids: Sequence[str], *, remove: Iterable[str] = ()) -> None:
        """Index (delete + add) documents from the store, then mark them indexed in the store.

        The store row is written only after the index commit returned: if the process dies in
        between, the next run finds them ``tagged`` and indexes them again (idempotent).
        """
        removals = list(remove)
        with self.engine.writer() as writer:
            for document_id in removals:
                writer.delete(document_id)
            for document_id in dict.fromkeys(document_ids):  # a batch never adds an id twice
                writer.replace(document_id, self.index_pages(document_id))
            crash_point("before_index_commit")
        crash_point("after_index_commit_before_db")
        self.store.mark_indexed(document_ids)
        for document_id in removals:
            self.store.drop_if_orphaned(document_id)

    def forget_if_orphaned(self, document_id: str) -> None:
        with self.engine.writer() as writer:
            if self.store.paths_of(document_id):
                return
            writer.delete(document_id)
        self.store.drop_if_orphaned(document_id)

    def resume_unfinished(self) -> int:
        """Index what a crash left ``tagged``; ``staged``/``parsed`` files are redone by plan()."""
        tagged = self.store.ids_in_state("tagged")
        if tagged:
            log.info("resuming %d document(s) left unindexed by an interrupted run", len(tagged))
            self.index_documents(tagged)
        return len(tagged)

    def record_failure(self, path: str, reason: str, message: str) -> None:
        """A file that failed before it could be hashed still shows up in `archiv failures`."""
        try:
            document_id = sha256_file(path)
        except OSError:  # missing, unreadable or not a regular file: identified by its path
            document_id = "path:" + hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()
        self.store.mark_failed(document_id, path, reason, message)

    # --- reading ----------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchOutcome:
        return self.engine.search(request)

    def documents(self, status: str | None = None) -> list[DocumentRecord]:
        return self.store.documents(status=status)

    def status(self) -> dict[str, Any]:
        """The ``archiv status`` overview (the store alone: works with a damaged index)."""
        return self.store.overview()

    def needs_ocr(self) -> list[dict[str, Any]]:
        """Documents with pages without text, and why: what ``archiv status --needs-ocr`` lists.

        ``ocr_fixable`` marks those a run with OCR may improve (``ingest --retry-no-text``);
        pages where OCR ran and found nothing are listed too, but retrying them is pointless.
        """
        rows = []
        for record, pages in self.store.pages_without_text():
            reasons: dict[str, list[int]] = {}
            for number, reason in pages:
                reasons.setdefault(reason, []).append(number)
            rows.append({
                "document_id": record.document_id,
                "path": record.path,
                "status": record.status,
                "pages": record.pages,
                "pages_without_text": [number for number, _ in pages],
                "reasons": reasons,
                "why": "; ".join(NO_TEXT_REASONS.get(r, r) for r in reasons),
                "ocr_fixable": any(r in OCR_FIXABLE for r in reasons),
            })
        return rows

    def chronology(self, *, include_all: bool = False, query: str | None = None,
                   city: str | None = None, body: str | None = None, date_from: str | None = None,
                   date_to: str | None = None, ref: str | None = None) -> list[ChronologyEntry]:
        """The merged chronology, filtered; ``query`` keeps entries cited from matching pages.

        Matching is per page, not per document: a Niederschrift that mentions "Beitritt" once
        must not pull every other decision of that meeting into ``--query Beitritt``.
        Filters run on the built chronology (see :meth:`chronology_table`), so a filtered
        answer makes only the entries it returns.
        """
        from archiv.tag.references import normalize_reference

        table = self.chronology_table(include_all=include_all)
        pages = None
        if query:
            outcome = self.search(SearchRequest(query=query, limit=100_000))
            pages = {(d.document_id, p.page) for d in outcome.documents for p in d.pages}
        keep = table.select(
            city=city, body=body, date_from=date_from, date_to=date_to,
            ref=(normalize_reference(ref) or ref) if ref else None, pages=pages,
        )
        return table.entries(keep)

    def chronology_table(self, *, include_all: bool = False) -> ChronologyTable:
        """The unfiltered chronology: from the store's cache when it holds the one of the
        store's current resolutions and this code, else built and cached.

        The cache is derived data like the index: keyed by a generation counter the store's
        triggers bump on every change to the resolutions and by a fingerprint of the code that
        builds it, so it is never returned stale; a reader that cannot write it (read-only
        media, a busy writer) just builds the chronology every time.
        """
        from archiv.chronology import ChronologyTable, code_version

        name = "all" if include_all else "resolutions"
        code = code_version()
        with self.store.snapshot():
            generation = self.store.resolutions_generation()
            if generation is not None:
                data = self.store.chronology_cache(name, generation, code)
                if data is not None:
                    try:
                        return ChronologyTable.from_bytes(data)
                    except ValueError as error:
                        log.warning("cached chronology unreadable, building it again: %s", error)
            table = ChronologyTable.from_rows(
                self.store.merge_rows(None if include_all else ("resolution",)),
                self.store.merge_cities(), include_all=include_all,
            )
        if generation is not None:
            self.store.save_chronology_cache(name, generation, code, table.to_bytes())
        return table

    # --- maintenance ------------------------------------------------------------------------
    def check(self, *, verify_files: bool = True) -> CheckReport:
        report = CheckReport()
        report.store_ok = self.store.integrity_ok()
        expected: dict[str, int] = {r.document_id: r.pages for r in self.store.documents(status="ok")}
        report.documents = len(expected)
        report.unfinished = self.store.ids_in_state("staged", "parsed", "tagged")
        try:
            seen = Counter(self.engine.document_ids())
        except IndexDamagedError as error:
            report.problems.append(str(error))
            return report
        report.index_pages = sum(seen.values())
        pages_per_doc: Counter[str] = Counter()
        for (document_id, page), count in seen.items():
            pages_per_doc[document_id] += 1
            if count > 1:
                report.duplicates.append(f"{document_id} p.{page} ×{count}")
        for document_id, pages in expected.items():
            if document_id not in pages_per_doc and pages > 0:
                report.missing.append(document_id)
            elif pages_per_doc[document_id] != pages:
                report.incomplete.append(document_id)
        report.extra = sorted(set(pages_per_doc) - set(expected))
        if verify_files:
            for record in self.store.documents(status="ok"):
                for path in self.store.paths_of(record.document_id):
                    try:
                        digest = sha256_file(path)
                    except OSError:
                        report.missing_files.append(path)
                        continue
                    if digest != record.document_id:
                        report.changed_files.append(path)
        return report

    def reindex(self, *, batch_size: int = 500) -> int:
        """Rebuild the index from the store into a new directory, then swap it in.

        Searches keep using the old index until the swap (two renames); a crash before the swap
        leaves the old index untouched and a stale ``.new`` directory that the next run removes.
        """
        new_dir = self.root / (ENGINE_DIR + ".new")
        old_dir = self.root / (ENGINE_DIR + ".old")
        for stale in (new_dir, old_dir):
            if stale.exists():
                shutil.rmtree(stale)
        cls = _engine_class()
        fresh = cls.create(new_dir)
        ids = self.store.ids_in_state("indexed", "tagged")
        try:
            for start in range(0, len(ids), batch_size):
                chunk = ids[start:start + batch_size]
                with fresh.writer() as writer:
                    for document_id in chunk:
                        writer.replace(document_id, self.index_pages(document_id))
        finally:
            fresh.close()
        if self._engine is not None:
            self._engine.close()  # type: ignore[attr-defined]
            self._engine = None
        if self.engine_dir.exists():
            self.engine_dir.rename(old_dir)
        new_dir.rename(self.engine_dir)
        shutil.rmtree(old_dir, ignore_errors=True)
        self.store.mark_indexed(self.store.ids_in_state("tagged"))
        return len(ids)


def raise_on_drift(report: CheckReport) -> None:
    if report.drift:
        raise DriftError("store and index disagree: run `archiv reindex`")
