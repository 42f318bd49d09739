"""The SQLite store: the archive's source of truth.

Documents are identified by the sha256 of their bytes and move through explicit states, one
transaction per transition, so a crash anywhere leaves a state the next ``archiv ingest``
resumes::

    staged → parsed → tagged → indexed        (or failed, with a reason and a message)

A document whose pages gave no text (a scan read without OCR, a drawing) is not a failure: it
is stored and indexed like any other, each such page with the reason why (``pages.no_text``),
and shown as ``ok:no_text`` when no page has text. ``archiv status --needs-ocr`` lists them.

The full-text index is derived from this store and can always be rebuilt from it. Paths live in
their own table: one document, many paths (copies, hard links, re-downloads).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiv.errors import NoArchiveError, NoSpaceError, NotFoundError, ReadOnlyError
from archiv.models import (
    OCR_FIXABLE,
    DocumentFacts,
    DocumentRecord,
    FeaturedResolutions,
    Mention,
    MergeFeatures,
    PageText,
    Resolution,
    Source,
)

log = logging.getLogger(__name__)

# Version 2 added pages.no_text and documents.empty_pages; opening a version-1 archive for
# writing migrates it in one transaction, readers of a version-1 archive derive both from text.
# Version 3 added what the chronology needs to be fast: each resolution's merge features and
# the archive's cities its sentence names (resolution_features, resolution_texts,
# chronology_cities), a generation counter every change to the resolutions bumps, and the
# cache of built chronologies (chronology_cache) valid for one generation. A writer computes
# the features of older archives' resolutions; readers of an older archive derive them.
SCHEMA_VERSION = 3

STATES = ("staged", "parsed", "tagged", "indexed", "failed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('staged','parsed','tagged','indexed','failed')),
    reason TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    file_type TEXT,
    size INTEGER,
    title TEXT,
    type TEXT,
    date TEXT,
    date_precision TEXT,
    municipality TEXT,
    reference TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    empty_pages INTEGER NOT NULL DEFAULT 0,
    pipeline_version TEXT,
    ingested_at TEXT,
    updated_at TEXT
);
CREATE INDEX IF NOT EXISTS documents_state ON documents(state);
CREATE TABLE IF NOT EXISTS paths (
    path TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    size INTEGER,
    mtime_ns INTEGER,
    seen_at TEXT
);
CREATE INDEX IF NOT EXISTS paths_document ON paths(document_id);
CREATE TABLE IF NOT EXISTS pages (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0,
    no_text TEXT,
    PRIMARY KEY (document_id, number)
);
CREATE TABLE IF NOT EXISTS mentions (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    label TEXT NOT NULL,
    text TEXT NOT NULL,
    value TEXT NOT NULL,
    precision TEXT,
    end_value TEXT,
    role TEXT,
    kind TEXT,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_document ON mentions(document_id);
CREATE INDEX IF NOT EXISTS mentions_label_value ON mentions(label, value);
CREATE TABLE IF NOT EXISTS resolutions (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT,
    date TEXT,
    precision TEXT,
    end_date TEXT,
    body TEXT,
    city TEXT,
    subject TEXT NOT NULL,
    refs TEXT NOT NULL,
    outcome TEXT,
    sentence TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resolutions_document ON resolutions(document_id);
CREATE TABLE IF NOT EXISTS resolution_features (
    id INTEGER PRIMARY KEY REFERENCES resolutions(id) ON DELETE CASCADE,
    refs TEXT NOT NULL,
    body TEXT,
    city TEXT,
    stems TEXT NOT NULL,
    subject_stems TEXT NOT NULL,
    mentions TEXT NOT NULL,
    dup INTEGER NOT NULL DEFAULT 0  -- 1: an earlier record of its document says exactly the same
);
CREATE TABLE IF NOT EXISTS resolution_texts (
    id INTEGER PRIMARY KEY REFERENCES resolutions(id) ON DELETE CASCADE,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chronology_cities (city TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chronology_cache (
    name TEXT NOT NULL,
    part INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    code TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, part)
);
INSERT OR IGNORE INTO meta(key, value) VALUES ('resolutions_generation', '0');
"""

# Every change the chronology can see bumps one counter and drops the cached chronology; the
# triggers differ only in what they watch.
_CHRONOLOGY_WATCH = {
    "resolutions_inserted": "AFTER INSERT ON resolutions",
    "resolutions_deleted": "AFTER DELETE ON resolutions",
    "resolutions_updated": "AFTER UPDATE ON resolutions",
    "resolution_documents_changed": "AFTER UPDATE OF state, path ON documents "
    "WHEN OLD.state IS NOT NEW.state OR OLD.path IS NOT NEW.path",
    "resolution_documents_deleted": "AFTER DELETE ON documents",
}
_SCHEMA += "".join(
    f"CREATE TRIGGER IF NOT EXISTS {name} {event} BEGIN\n"
    "    UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'resolutions_generation';\n"
    "    DELETE FROM chronology_cache;\nEND;\n"
    for name, event in _CHRONOLOGY_WATCH.items()
)

# Which resolutions the chronology reads, with their stored features (ROW_FIELDS of
# archiv.chronology); the features' columns are NULLs when the store has none to offer.
_MERGE_RECORD = (
    "r.kind, r.status, r.date, r.precision, r.end_date, r.body, r.city, r.subject, r.refs, "
    "r.outcome, r.document_id, d.path, r.page, r.sentence"
)
_MERGE_FEATURES = "f.refs, f.body, f.city, f.stems, f.subject_stems, f.mentions"
_CACHE_PART = 256 * 1024 * 1024  # bytes per row of a cached chronology (SQLite's limit is 1 GB)

# Created after migrating: a version-1 table has no no_text column to index yet.
_INDEXES = """
CREATE INDEX IF NOT EXISTS pages_without_text ON pages(document_id) WHERE no_text IS NOT NULL;
"""

# A page "has no text" when nothing but whitespace is left (Python's str.strip() on write).
_BLANK_SQL = "trim({col}, ' ' || char(9, 10, 11, 12, 13)) = ''"


# File names are bytes; os.fsdecode turns undecodable bytes into lone surrogates (U+DC80–DCFF),
# which SQLite's UTF-8 cannot hold. They are stored as private-use characters of plane 16
# (U+10FC80–U+10FCFF) and mapped back when read, so such a file is ingested, not a crash.
_TO_DB = {c: c - 0xDC00 + 0x10FC00 for c in range(0xDC80, 0xDD00)}
_FROM_DB = {v: k for k, v in _TO_DB.items()}


def _db_path(path: str) -> str:
    return path.translate(_TO_DB)


def _fs_path(text: str) -> str:
    return text.translate(_FROM_DB) if text else text


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class PathState:
    """What the store remembers of a path: enough to skip an unchanged file without hashing."""

    document_id: str
    size: int | None
    mtime_ns: int | None
    state: str
    pipeline_version: str | None
    awaits_ocr: bool = False  # pages lack text only because OCR was off or unavailable


def _translate(error: sqlite3.Error, path: Path) -> Exception:
    """Map SQLite's errors to ours; disk full and read-only each get their own exit code."""
    text = str(error).lower()
    if isinstance(error, sqlite3.OperationalError) and (
        "database or disk is full" in text or "disk i/o error" in text and _disk_full(path)
    ):
        return NoSpaceError(f"{path}: no space left on device; nothing stored was lost, free space and run again")
    if "readonly" in text or "read-only" in text:
        return ReadOnlyError(f"{path}: the archive is read-only; search and chronology still work")
    return error


def _disk_full(path: Path) -> bool:
    try:
        import shutil

        return shutil.disk_usage(path.parent).free < 1024 * 1024
    except OSError:
        return False


class Store:
    """SQLite store; one instance per process. Writes happen only under the archive lock."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        if readonly:
            if not path.exists():
                raise NoArchiveError(f"no archive at {path.parent}: run `archiv ingest` first")
            uri = f"file:{path}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)
            try:
                self.db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.OperationalError:
                # A WAL database on read-only media: SQLite cannot create the -shm file it
                # needs. Nobody can write there either, so reading it as immutable is safe.
                if os.access(path.parent, os.W_OK):
                    raise
                self.db.close()
                self.db = sqlite3.connect(f"{uri}&immutable=1", uri=True, timeout=10,
                                          isolation_level=None)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
                self.db.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError as error:
                raise _translate(error, path) from error
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute("PRAGMA busy_timeout=10000")
        if not readonly:
            self.db.execute("PRAGMA synchronous=NORMAL")
            try:
                self.db.executescript(_SCHEMA)  # idempotent; executescript commits by itself
            except sqlite3.OperationalError as error:
                raise _translate(error, path) from error
        self._finder: tuple[int, Any] | None = None  # (cities counted, CityFinder of them)
        if not readonly:
            self._migrate()
            try:
                self.db.executescript(_INDEXES)
            except sqlite3.OperationalError as error:
                raise _translate(error, path) from error
        self._v2 = "no_text" in self._columns("pages")
        self._v3 = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'resolution_features'"
        ).fetchone() is not None

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.db.execute(f"PRAGMA table_info({table})")}

    def _migrate(self) -> None:
        """Bring an older archive up to SCHEMA_VERSION, in one transaction.

        Decided by the columns present, not only by the recorded version, so an archive left
        between ``CREATE TABLE`` and the version row by a crash is still migrated right. Pages
        stored by version 1 without text get the reason ``empty``: why is no longer known.
        """
        with self.transaction():
            if "no_text" not in self._columns("pages"):
                self.db.execute("ALTER TABLE pages ADD COLUMN no_text TEXT")
                self.db.execute(
                    f"UPDATE pages SET no_text = 'empty' WHERE {_BLANK_SQL.format(col='text')}")
            if "empty_pages" not in self._columns("documents"):
                self.db.execute(
                    "ALTER TABLE documents ADD COLUMN empty_pages INTEGER NOT NULL DEFAULT 0")
                self.db.execute(
                    "UPDATE documents SET empty_pages = (SELECT COUNT(*) FROM pages p "
                    "WHERE p.document_id = documents.id AND p.no_text IS NOT NULL)")
            self._migrate_features()
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value "
                "WHERE CAST(meta.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                (str(SCHEMA_VERSION),),
            )

    def _migrate_features(self) -> None:
        """Merge features for every resolution, derived by this version of archiv.

        All of them again when the stored ones were derived differently (another
        ``features_version``); otherwise those of resolutions an older archiv stored without
        (two counts tell, so an unchanged archive costs two quick scans).
        """
        from archiv.chronology import features_version

        version = features_version()
        if self.meta("merge_features") != version:
            for table in ("resolution_features", "resolution_texts", "chronology_cities"):
                self.db.execute(f"DELETE FROM {table}")
            self._complete_features()
            self.db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('merge_features', ?)", (version,))
            return
        stored = self.db.execute("SELECT COUNT(*) FROM resolution_features").fetchone()[0]
        if stored != self.db.execute("SELECT COUNT(*) FROM resolutions").fetchone()[0]:
            self._complete_features()

    def _complete_features(self) -> None:
        """Derive the features of resolutions stored without (in chunks, one transaction)."""
        from archiv.chronology import city_key, merge_features

        missing = (
            "FROM resolutions r LEFT JOIN resolution_features f ON f.id = r.id "
            "WHERE f.id IS NULL"
        )
        count = self.db.execute(f"SELECT COUNT(*) {missing}").fetchone()[0]
        if not count:
            return
        if count > 10_000:
            log.info("deriving the merge features of %d resolutions (once)", count)
        # Every new city first, so the chunks below find all of them in their sentences.
        cities = {city_key(c) for (c,) in self.db.execute(
            f"SELECT DISTINCT r.city {missing} AND r.kind != 'event' AND r.city IS NOT NULL")}
        self._add_cities({c for c in cities if c is not None})
        after: tuple[str, int] = ("", -1)
        seen: set[tuple] = set()  # the records of the document at hand, for ``dup``
        # Document by document, chunk by chunk, each read finished before it is written.
        while chunk := self.db.execute(
            "SELECT r.id, r.kind, r.status, r.date, r.precision, r.end_date, r.body, r.city, "
            f"r.subject, r.refs, r.outcome, r.document_id, r.page, r.sentence {missing} "
            "AND (r.document_id, r.id) > (?, ?) ORDER BY r.document_id, r.id LIMIT 20000", after
        ).fetchall():
            if chunk[0][11] != after[0]:
                seen = set()
            after = (chunk[-1][11], chunk[-1][0])
            records = []
            dups = []
            document = chunk[0][11]
            for r in chunk:
                if r[11] != document:
                    document, seen = r[11], set()
                dups.append(r[1:11] + r[12:] in seen)
                seen.add(r[1:11] + r[12:])
                records.append(Resolution(
                    kind=r[1], status=r[2], date=r[3], precision=r[4], end_date=r[5], body=r[6],
                    city=r[7], subject=r[8], references=tuple(json.loads(r[9])), outcome=r[10],
                    source=Source(r[11], "", r[12], r[13])))
            self._insert_features([r[0] for r in chunk], records,
                                  [merge_features(r) for r in records], dups)

    def _save_features(self, document_id: str, records: Sequence[Resolution],
                       features: Sequence[MergeFeatures] | None) -> None:
        """The features of a document's resolutions just inserted (derived here when the
        worker did not send them), with the cities their sentences name."""
        from archiv.chronology import merge_features

        if features is None:
            features = [merge_features(r) for r in records]
        ids = [r[0] for r in self.db.execute(
            "SELECT id FROM resolutions WHERE document_id = ? ORDER BY id", (document_id,))]
        seen: set[tuple] = set()
        dups = []
        for r in records:
            key = (r.kind, r.status, r.date, r.precision, r.end_date, r.body, r.city, r.subject,
                   r.references, r.outcome, r.source.page, r.source.text)
            dups.append(key in seen)
            seen.add(key)
        self._add_cities({f.city for r, f in zip(records, features, strict=True)
                          if r.kind != "event" and f.city is not None})
        self._insert_features(ids, records, features, dups)

    def _insert_features(self, ids: Sequence[int], records: Sequence[Resolution],
                         features: Sequence[MergeFeatures], dups: Sequence[bool]) -> None:
        """Their cities are in chronology_cities already: each sentence's ``mentions`` are
        the known cities it names, so the chronology needs no search at query time. ``dups``
        mark records an earlier one of their document repeats word for word: the chronology
        counts one sentence read twice once, and the store tells it which."""
        find = self._city_finder()
        rows = []
        texts = []
        for rid, record, f, dup in zip(ids, records, features, dups, strict=True):
            mentions = "[]"
            if record.kind != "event":
                texts.append((rid, f.text))
                named = find(f.text)
                if named:
                    mentions = json.dumps(sorted(named))
            rows.append((rid, json.dumps(list(f.refs)), f.body, f.city, f.stems,
                         f.subject_stems, mentions, int(dup)))
        self.db.executemany(
            "INSERT INTO resolution_features(id, refs, body, city, stems, subject_stems, "
            "mentions, dup) VALUES (?,?,?,?,?,?,?,?)", rows)
        self.db.executemany("INSERT OR REPLACE INTO resolution_texts(id, text) VALUES (?, ?)", texts)

    def _add_cities(self, cities: set[str]) -> None:
        """Record cities the archive did not know, and name them in the sentences stored
        before that print them: every stored ``mentions`` stays complete for every known
        city. New cities are rare once an archive holds its municipalities."""
        if not cities:
            return
        wanted = sorted(cities)
        fresh: list[str] = []
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            known = {c for (c,) in self.db.execute(
                f"SELECT city FROM chronology_cities WHERE city IN ({','.join('?' * len(part))})",
                part)}
            fresh += [c for c in part if c not in known]
        if not fresh:
            return
        self.db.executemany("INSERT INTO chronology_cities(city) VALUES (?)", [(c,) for c in fresh])
        updates = []
        for start in range(0, len(fresh), 100):
            part = fresh[start:start + 100]
            where = " OR ".join(["instr(t.text, ?) > 0"] * len(part))
            for rid, text, mentions in self.db.execute(
                "SELECT t.id, t.text, f.mentions FROM resolution_texts t "
                f"JOIN resolution_features f ON f.id = t.id WHERE {where}", part
            ).fetchall():
                named = set(json.loads(mentions)) | {c for c in part if c in text}
                updates.append((json.dumps(sorted(named)), rid))
        self.db.executemany("UPDATE resolution_features SET mentions = ? WHERE id = ?", updates)

    def _city_finder(self) -> Any:
        """A CityFinder of the known cities, kept while their number stays (they are only ever
        added, and a rolled-back transaction forgets it)."""
        from archiv.chronology import CityFinder

        count = self.db.execute("SELECT COUNT(*) FROM chronology_cities").fetchone()[0]
        if self._finder is None or self._finder[0] != count:
            self._finder = (count, CityFinder(
                c for (c,) in self.db.execute("SELECT city FROM chronology_cities")))
        return self._finder[1]

    @property
    def _doc_cols(self) -> str:
        """Columns of ``documents d`` with ``empty_pages`` derived on a version-1 archive."""
        return "d.*" if self._v2 else f"d.*, {self._empty_sql()} AS empty_pages"

    def _no_text_sql(self, alias: str = "p") -> str:
        """The pages' no-text reason; derived from the text on a version-1 archive read-only."""
        if self._v2:
            return f"{alias}.no_text"
        return f"(CASE WHEN {_BLANK_SQL.format(col=f'{alias}.text')} THEN 'empty' END)"

    @classmethod
    def open_existing(cls, path: Path) -> Store:
        """For readers: never creates an archive, and works on read-only media."""
        if not path.exists():
            raise NoArchiveError(f"no archive at {path.parent}: run `archiv ingest` first")
        return cls(path, readonly=True)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any exception (disk full included)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _translate(error, self.path) from error
        try:
            yield self.db
        except BaseException as error:
            self._rollback()
            if isinstance(error, sqlite3.OperationalError):
                translated = _translate(error, self.path)
                if translated is not error:  # disk full / read-only inside the transaction
                    raise translated from error
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            self._rollback()
            raise _translate(error, self.path) from error
        except OSError as error:  # pragma: no cover - surfaced by some VFS layers
            if error.errno == errno.ENOSPC:
                raise NoSpaceError(f"{self.path}: no space left on device") from error
            raise

    def _rollback(self) -> None:
        """SQLite has often rolled back by itself (SQLITE_FULL): never mask the real error."""
        self._finder = None  # it may know cities the rollback took back
        if self.db.in_transaction:
            with suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    # --- meta -----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- paths and states -----------------------------------------------------------------
    def path_state(self, path: str) -> PathState | None:
        row = self.db.execute(
            "SELECT p.document_id, p.size, p.mtime_ns, d.state, d.pipeline_version "
            "FROM paths p JOIN documents d ON d.id = p.document_id WHERE p.path = ?",
            (_db_path(path),),
        ).fetchone()
        if row is None:
            return None
        return PathState(*row, awaits_ocr=self.awaits_ocr(row[0]))

    def awaits_ocr(self, document_id: str) -> bool:
        """Pages without text only because OCR was off or missing: a run with OCR fixes them.

        Failed OCR is left out: a page whose OCR hit the time limit would be retried by every
        run; ``archiv ingest --retry-no-text`` retries those on request.
        """
        row = self.db.execute(
            f"SELECT 1 FROM pages p WHERE p.document_id = ? AND {self._no_text_sql()} "
            "IN ('ocr_off', 'ocr_unavailable') LIMIT 1",
            (document_id,),
        ).fetchone()
        return row is not None

    def document_state(self, document_id: str) -> tuple[str, str | None] | None:
        row = self.db.execute(
            "SELECT state, pipeline_version FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def link_path(self, path: str, document_id: str, size: int | None, mtime_ns: int | None) -> str | None:
        """Point ``path`` at ``document_id``; returns the document it pointed at before, if other."""
        path = _db_path(path)
        with self.transaction():
            previous = self.db.execute(
                "SELECT document_id FROM paths WHERE path = ?", (path,)
            ).fetchone()
            self.db.execute(
                "INSERT INTO paths(path, document_id, size, mtime_ns, seen_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(path) DO UPDATE SET document_id=excluded.document_id, "
                "size=excluded.size, mtime_ns=excluded.mtime_ns, seen_at=excluded.seen_at",
                (path, document_id, size, mtime_ns, _now()),
            )
        if previous is not None and previous[0] != document_id:
            return str(previous[0])
        return None

    def stage(self, document_id: str, path: str, size: int | None, mtime_ns: int | None) -> str | None:
        """A new or changed file enters the store; returns the document the path held before."""
        path = _db_path(path)
        with self.transaction():
            before = self.db.execute(
                "SELECT document_id FROM paths WHERE path = ?", (path,)
            ).fetchone()
            self.db.execute(
                "INSERT INTO documents(id, path, state, size, attempts, updated_at) "
                "VALUES (?, ?, 'staged', ?, 1, ?) "
                "ON CONFLICT(id) DO UPDATE SET state='staged', path=excluded.path, reason=NULL, "
                "error=NULL, attempts=attempts+1, updated_at=excluded.updated_at",
                (document_id, path, size, _now()),
            )
            self._clear_content(document_id)
            self.db.execute(
                "INSERT INTO paths(path, document_id, size, mtime_ns, seen_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(path) DO UPDATE SET document_id=excluded.document_id, "
                "size=excluded.size, mtime_ns=excluded.mtime_ns, seen_at=excluded.seen_at",
                (path, document_id, size, mtime_ns, _now()),
            )
        if before is not None and before[0] != document_id:
            return str(before[0])
        return None

    def _clear_content(self, document_id: str) -> None:
        for table in ("pages", "mentions", "resolutions"):
            self.db.execute(f"DELETE FROM {table} WHERE document_id = ?", (document_id,))

    def save_parsed(self, document_id: str, pages: Sequence[PageText], *, file_type: str, title: str | None) -> None:
        """Pages without text are stored too, each with its reason (``empty`` if none given)."""
        rows = [
            (document_id, p.number, p.text, int(p.ocr),
             None if p.text.strip() else (p.no_text or "empty"))
            for p in pages
        ]
        with self.transaction():
            self._clear_content(document_id)
            self.db.executemany(
                "INSERT INTO pages(document_id, number, text, ocr, no_text) VALUES (?,?,?,?,?)",
                rows,
            )
            self.db.execute(
                "UPDATE documents SET state='parsed', file_type=?, title=?, pages=?, empty_pages=?, "
                "updated_at=? WHERE id=?",
                (file_type, title, len(pages), sum(1 for r in rows if r[4] is not None), _now(),
                 document_id),
            )

    def save_tagged(
        self,
        document_id: str,
        facts: DocumentFacts,
        mentions: Iterable[Mention],
        resolutions: Iterable[Resolution],
        *,
        pipeline_version: str,
        fallback_title: str | None,
    ) -> None:
        if fallback_title:  # a file name's undecodable bytes become U+FFFD in a title
            fallback_title = fallback_title.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        records = list(resolutions)
        features = resolutions.features if isinstance(resolutions, FeaturedResolutions) else None
        with self.transaction():
            self.db.execute("DELETE FROM mentions WHERE document_id = ?", (document_id,))
            self.db.execute("DELETE FROM resolutions WHERE document_id = ?", (document_id,))
            self.db.executemany(
                'INSERT INTO mentions(document_id, page, label, text, value, precision, end_value, '
                'role, kind, start, "end") VALUES (?,?,?,?,?,?,?,?,?,?,?)',
                [
                    (document_id, m.page, m.label, m.text, m.value, m.precision, m.end_value,
                     m.role, m.kind, m.start, m.end)
                    for m in mentions
                ],
            )
            self.db.executemany(
                "INSERT INTO resolutions(document_id, page, kind, status, date, precision, end_date, "
                "body, city, subject, refs, outcome, sentence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (document_id, r.source.page, r.kind, r.status, r.date, r.precision, r.end_date,
                     r.body, r.city, r.subject, json.dumps(list(r.references)), r.outcome,
                     r.source.text)
                    for r in records
                ],
            )
            if records:
                self._save_features(document_id, records, features)
            self.db.execute(
                "UPDATE documents SET state='tagged', type=?, date=?, date_precision=?, "
                "municipality=?, reference=?, title=COALESCE(?, title, ?), pipeline_version=?, "
                "updated_at=? WHERE id=?",
                (facts.doc_type, facts.date, facts.date_precision, facts.municipality,
                 facts.reference, facts.title, fallback_title, pipeline_version, _now(), document_id),
            )

    def mark_indexed(self, document_ids: Iterable[str]) -> None:
        """Written only after the index commit returned: a crash in between re-indexes."""
        now = _now()
        with self.transaction():
            self.db.executemany(
                "UPDATE documents SET state='indexed', ingested_at=COALESCE(ingested_at, ?), "
                "updated_at=? WHERE id=? AND state='tagged'",
                [(now, now, d) for d in document_ids],
            )

    def mark_failed(self, document_id: str, path: str, reason: str, message: str, size: int | None = None,
                    *, pipeline_version: str | None = None) -> None:
        """``pipeline_version`` marks the failure as final for that pipeline: the next run skips
        the unchanged file (a 10 s bomb is not re-read every time) until ``--retry-failed``."""
        path = _db_path(path)
        with self.transaction():
            self.db.execute(
                "INSERT INTO documents(id, path, state, reason, error, size, attempts, updated_at, "
                "pipeline_version) VALUES (?, ?, 'failed', ?, ?, ?, 1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET state='failed', reason=excluded.reason, "
                "error=excluded.error, updated_at=excluded.updated_at, "
                "pipeline_version=excluded.pipeline_version",
                (document_id, path, reason, message, size, _now(), pipeline_version),
            )
            self._clear_content(document_id)
            self.db.execute(
                "UPDATE documents SET pages=0, empty_pages=0 WHERE id=?", (document_id,)
            )
            self.db.execute(
                "INSERT INTO paths(path, document_id, seen_at) VALUES (?,?,?) "
                "ON CONFLICT(path) DO UPDATE SET document_id=excluded.document_id, "
                "seen_at=excluded.seen_at",
                (path, document_id, _now()),
            )

    def drop_if_orphaned(self, document_id: str) -> bool:
        """Delete a document no path points at any more (its file changed or was replaced)."""
        with self.transaction():
            row = self.db.execute(
                "SELECT 1 FROM paths WHERE document_id = ? LIMIT 1", (document_id,)
            ).fetchone()
            if row is not None:
                return False
            self.db.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        return True

    def ids_in_state(self, *states: str) -> list[str]:
        marks = ",".join("?" * len(states))
        return [r[0] for r in self.db.execute(f"SELECT id FROM documents WHERE state IN ({marks}) ORDER BY id", states)]

    def failed_paths(self) -> list[str]:
        return [
            _fs_path(r[0])
            for r in self.db.execute(
                "SELECT p.path FROM paths p JOIN documents d ON d.id = p.document_id "
                "WHERE d.state = 'failed' ORDER BY p.path"
            )
        ]

    def no_text_paths(self) -> list[str]:
        """Paths of documents a run with OCR could improve (for ``--retry-no-text``): pages
        without text for a reason in OCR_FIXABLE, and files failed as ``no_text`` by archiv
        versions that did not keep such documents."""
        marks = ",".join("?" * len(OCR_FIXABLE))
        return [
            _fs_path(r[0])
            for r in self.db.execute(
                "SELECT DISTINCT p.path FROM paths p JOIN documents d ON d.id = p.document_id "
                "WHERE (d.state = 'failed' AND d.reason = 'no_text') OR (d.state != 'failed' AND "
                f"EXISTS (SELECT 1 FROM pages g WHERE g.document_id = d.id AND "
                f"{self._no_text_sql('g')} IN ({marks}))) ORDER BY p.path",
                sorted(OCR_FIXABLE),
            )
        ]

    def pages_without_text(self) -> list[tuple[DocumentRecord, list[tuple[int, str]]]]:
        """Every ingested document with pages that have no text, and those pages' reasons."""
        found: dict[str, list[tuple[int, str]]] = {}
        for document_id, number, reason in self.db.execute(
            f"SELECT p.document_id, p.number, {self._no_text_sql()} AS why FROM pages p "
            "JOIN documents d ON d.id = p.document_id WHERE d.state = 'indexed' AND "
            f"{self._no_text_sql()} IS NOT NULL ORDER BY d.path, p.document_id, p.number"
        ):
            found.setdefault(document_id, []).append((number, reason))
        return [(self._record(self.db.execute(f"SELECT {self._doc_cols} FROM documents d "
                                              "WHERE d.id = ?", (d,)).fetchone()), pages)
                for d, pages in found.items()]

    # --- reading --------------------------------------------------------------------------
    def _record(self, row: sqlite3.Row) -> DocumentRecord:
        state = row["state"]
        empty = row["empty_pages"]
        status = "failed" if state == "failed" else "ok"
        if state != "failed" and row["pages"] and empty >= row["pages"]:
            status = "ok:no_text"
        return DocumentRecord(
            document_id=row["id"],
            path=_fs_path(row["path"]),
            title=row["title"],
            type=row["type"],
            date=row["date"],
            municipality=row["municipality"],
            pages=row["pages"],
            status=status,  # type: ignore[arg-type]
            error=row["error"] if state == "failed" else None,
            reference=row["reference"],
            date_precision=row["date_precision"],
            file_type=row["file_type"],
            ingested_at=row["ingested_at"],
            state=state,
            reason=row["reason"],
            pages_without_text=empty,
        )

    def documents(self, *, status: str | None = None) -> list[DocumentRecord]:
        """Fully ingested (``indexed``) and failed documents; in-flight states are not shown.

        ``status="ok"`` means every ingested document, ``ok:no_text`` ones included (they are
        in the index too); ``status="ok:no_text"`` only those.
        """
        sql = f"SELECT {self._doc_cols} FROM documents d WHERE d.state IN ('indexed', 'failed')"
        if status == "ok":
            sql = f"SELECT {self._doc_cols} FROM documents d WHERE d.state = 'indexed'"
        elif status == "failed":
            sql = f"SELECT {self._doc_cols} FROM documents d WHERE d.state = 'failed'"
        records = [self._record(r) for r in self.db.execute(sql + " ORDER BY d.path")]
        if status == "ok:no_text":
            return [r for r in records if r.status == "ok:no_text"]
        return records

    def document(self, key: str) -> DocumentRecord:
        """By id prefix (≥ 4 hex characters) or by path; unique or NotFoundError."""
        key = _db_path(key)
        rows = self.db.execute(
            f"SELECT {self._doc_cols} FROM documents d WHERE d.id = ? OR d.path = ? "
            f"UNION SELECT {self._doc_cols} FROM documents d JOIN paths p ON p.document_id = d.id "
            "WHERE p.path = ?",
            (key, key, key),
        ).fetchall()
        if not rows and len(key) >= 4:
            rows = self.db.execute(
                f"SELECT {self._doc_cols} FROM documents d WHERE d.id LIKE ? || '%'", (key.lower(),)
            ).fetchall()
        if not rows:
            resolved = _db_path(str(Path(_fs_path(key)).resolve()))
            rows = self.db.execute(
                f"SELECT {self._doc_cols} FROM documents d JOIN paths p ON p.document_id = d.id "
                "WHERE p.path = ?",
                (resolved,),
            ).fetchall()
        if not rows:
            raise NotFoundError(f"no document {key!r}: see `archiv documents`")
        if len(rows) > 1:
            raise NotFoundError(f"{key!r} matches {len(rows)} documents: give more of the id")
        return self._record(rows[0])

    def paths_of(self, document_id: str) -> list[str]:
        return [_fs_path(r[0]) for r in self.db.execute(
            "SELECT path FROM paths WHERE document_id = ? ORDER BY path", (document_id,))]

    def pages(self, document_id: str) -> list[PageText]:
        return [
            PageText(number=r[0], text=r[1], ocr=bool(r[2]), no_text=r[3])
            for r in self.db.execute(
                f"SELECT p.number, p.text, p.ocr, {self._no_text_sql()} FROM pages p "
                "WHERE p.document_id = ? ORDER BY p.number",
                (document_id,),
            )
        ]

    def mentions(
        self,
        *,
        label: str | None = None,
        document_id: str | None = None,
        value: str | None = None,
        include_unindexed: bool = False,
    ) -> list[tuple[Mention, str, str]]:
        """Mentions with their document id and path of their document, in document and reading order."""
        sql = (
            'SELECT m.label, m.text, m.value, m.page, m.start, m."end", m.precision, m.end_value, '
            "m.role, m.kind, m.document_id, d.path FROM mentions m JOIN documents d "
            "ON d.id = m.document_id WHERE "
            + ("d.state != 'failed'" if include_unindexed else "d.state = 'indexed'")
        )
        args: list[Any] = []
        if label:
            sql += " AND m.label = ?"
            args.append(label)
        if document_id:
            sql += " AND m.document_id = ?"
            args.append(document_id)
        if value:
            sql += " AND m.value = ?"
            args.append(value)
        sql += ' ORDER BY d.path, m.page, m.start, m."end"'
        out: list[tuple[Mention, str, str]] = []
        for r in self.db.execute(sql, args):
            mention = Mention(
                label=r[0], text=r[1], value=r[2], page=r[3], start=r[4], end=r[5],
                precision=r[6], end_value=r[7], role=r[8], kind=r[9],
            )
            out.append((mention, r[10], _fs_path(r[11])))
        return out

    def resolutions(self, *, kinds: Iterable[str] | None = None) -> Iterator[Resolution]:
        """Stored resolutions, streamed; ``kinds`` filters in SQL so the default chronology
        never loads the (far more numerous) events and proposals."""
        sql = (
            "SELECT r.*, d.path AS doc_path FROM resolutions r JOIN documents d "
            "ON d.id = r.document_id WHERE d.state = 'indexed'"
        )
        args: list[Any] = []
        if kinds is not None:
            wanted = list(kinds)
            sql += f" AND r.kind IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        # By document, not by insertion: which worker finished first must not pick an entry
        # subject (the first member's) or the order of equal dates.
        for r in self.db.execute(sql + " ORDER BY r.document_id, r.id", args):
            yield Resolution(
                kind=r["kind"], status=r["status"], date=r["date"], precision=r["precision"],
                end_date=r["end_date"], body=r["body"], city=r["city"], subject=r["subject"],
                references=tuple(json.loads(r["refs"])), outcome=r["outcome"],
                source=Source(document_id=r["document_id"], path=_fs_path(r["doc_path"]), page=r["page"],
                              text=r["sentence"]),
            )

    # --- the chronology's records and its cache ---------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the store (one read transaction): a generation and
        the records it counts, even while a writer commits."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            if self.db.in_transaction:
                self.db.execute("COMMIT")

    def _features_current(self) -> bool:
        from archiv.chronology import features_version

        return self._v3 and self.meta("merge_features") == features_version()

    def merge_cities(self) -> frozenset[str] | None:
        """The cities whose mentions the stored merge features hold (see ``merge_rows``);
        ``None`` when the store has no current features."""
        if not self._features_current():
            return None
        return frozenset(c for (c,) in self.db.execute("SELECT city FROM chronology_cities"))

    def merge_rows(self, kinds: Iterable[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """The records the chronology merges (``archiv.chronology.ROW_FIELDS``), streamed in
        store order; read them inside ``snapshot()`` to pair them with a generation.

        The features are ``None`` each when the store has none for a record, or no current
        ones at all (an archive not yet migrated, features derived by another version): the
        chronology then derives them itself. Records with features that repeat an earlier one
        of their document word for word are left out (``dup``); those without are not.
        """
        current = self._features_current()
        columns = _MERGE_FEATURES if current else ", ".join(["NULL"] * 6)
        join = " LEFT JOIN resolution_features f ON f.id = r.id" if current else ""
        sql = (f"SELECT {_MERGE_RECORD}, {columns} FROM resolutions r JOIN documents d "
               f"ON d.id = r.document_id{join} WHERE d.state = 'indexed'")
        if current:
            sql += " AND f.dup IS NOT 1"  # records without features are told apart by the reader
        args: list[Any] = []
        if kinds is not None:
            wanted = list(kinds)
            sql += f" AND r.kind IN ({','.join('?' * len(wanted))})"
            args.extend(wanted)
        odd = {p: _fs_path(p) for (p,) in self.db.execute(
            "SELECT path FROM documents WHERE state = 'indexed'") if _fs_path(p) != p}
        cursor = self.db.cursor()
        cursor.row_factory = None  # plain tuples: a quarter of a million of them
        cursor.execute(sql + " ORDER BY r.document_id, r.id", args)  # stable, see resolutions()
        while rows := cursor.fetchmany(4096):
            if odd:
                rows = [r if r[11] not in odd else (*r[:11], odd[r[11]], *r[12:]) for r in rows]
            yield from rows

    def resolutions_generation(self) -> int | None:
        """Bumped (by triggers) on every change to what the chronology reads; ``None`` in an
        archive older than the counter."""
        if not self._v3:
            return None
        value = self.meta("resolutions_generation")
        return None if value is None else int(value)

    def chronology_cache(self, name: str, generation: int, code: str) -> bytes | None:
        """The chronology ``name`` cached for exactly this generation and code, else None."""
        if not self._v3:
            return None
        rows = self.db.execute(
            "SELECT part, generation, code, data FROM chronology_cache WHERE name = ? "
            "ORDER BY part", (name,)).fetchall()
        if not rows or any(r[0] != i or r[1] != generation or r[2] != code
                           for i, r in enumerate(rows)):
            return None
        return b"".join(bytes(r[3]) for r in rows)

    def save_chronology_cache(self, name: str, generation: int, code: str, data: bytes) -> bool:
        """Cache a built chronology for ``generation``; False when it cannot be done now.

        Derived data, so readers write it too (through a connection of their own: theirs is
        read-only), and nothing is lost when they cannot: read-only media or permissions,
        a writer holding the database, no space, or a change since ``generation`` was read
        (then the cache would already be stale, and is not written).
        """
        if not self._v3:
            return False
        db = self.db
        try:
            if self.readonly:
                db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=1.0,
                                     isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'resolutions_generation'"
                                 ).fetchone()
                if row is None or int(row[0]) != generation:
                    return False
                db.execute("DELETE FROM chronology_cache WHERE name = ?", (name,))
                db.executemany(
                    "INSERT INTO chronology_cache(name, part, generation, code, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(name, i, generation, code, data[start:start + _CACHE_PART])
                     for i, start in enumerate(range(0, max(len(data), 1), _CACHE_PART))])
                db.execute("COMMIT")
                return True
            finally:
                if db.in_transaction:
                    db.execute("ROLLBACK")
        except (sqlite3.Error, OSError) as error:
            log.debug("chronology cache not written: %s", error)
            return False
        finally:
            if db is not self.db:
                db.close()

    def counts(self) -> dict[str, Any]:
        one = self.db.execute
        by_state = dict(one("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
        return {
            "documents": by_state.get("indexed", 0),
            "failed": by_state.get("failed", 0),
            "in_progress": sum(v for k, v in by_state.items() if k not in ("indexed", "failed")),
            "pages": one("SELECT COUNT(*) FROM pages p JOIN documents d ON d.id=p.document_id "
                         "WHERE d.state='indexed'").fetchone()[0],
            "ocr_pages": one("SELECT COUNT(*) FROM pages WHERE ocr = 1").fetchone()[0],
            "pages_without_text": one(
                f"SELECT COUNT({self._no_text_sql()}) FROM pages p JOIN documents d "
                "ON d.id = p.document_id WHERE d.state = 'indexed'").fetchone()[0],
            "paths": one("SELECT COUNT(*) FROM paths").fetchone()[0],
            "mentions": dict(one("SELECT label, COUNT(*) FROM mentions GROUP BY label").fetchall()),
            "resolutions": dict(one("SELECT kind, COUNT(*) FROM resolutions GROUP BY kind").fetchall()),
            "municipalities": dict(one(
                "SELECT municipality, COUNT(*) FROM documents WHERE state='indexed' AND "
                "municipality IS NOT NULL GROUP BY municipality").fetchall()),
            "types": dict(one(
                "SELECT type, COUNT(*) FROM documents WHERE state='indexed' AND type IS NOT NULL "
                "GROUP BY type").fetchall()),
        }

    def ingested_bytes(self) -> int:
        """Bytes of the files behind the ingested documents (the free-space estimate's base)."""
        return int(self.db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM documents WHERE state = 'indexed'").fetchone()[0])

    def _empty_sql(self, alias: str = "d") -> str:
        if self._v2:
            return f"{alias}.empty_pages"
        return (f"(SELECT COUNT(*) FROM pages g WHERE g.document_id = {alias}.id AND "
                f"{_BLANK_SQL.format(col='g.text')})")

    def overview(self) -> dict[str, Any]:
        """What ``archiv status`` shows: documents per state, pages by origin, what needs work."""
        one = self.db.execute
        by_state = dict(one("SELECT state, COUNT(*) FROM documents GROUP BY state").fetchall())
        empty = self._empty_sql()
        no_text_docs = one(f"SELECT COUNT(*) FROM documents d WHERE d.state = 'indexed' "
                           f"AND d.pages > 0 AND {empty} >= d.pages").fetchone()[0]
        pages, ocr_pages, without = one(
            f"SELECT COUNT(*), COUNT(CASE WHEN p.ocr = 1 AND {self._no_text_sql()} IS NULL THEN 1 END), "
            f"COUNT({self._no_text_sql()}) FROM pages p "
            "JOIN documents d ON d.id = p.document_id WHERE d.state = 'indexed'").fetchone()
        marks = ",".join("?" * len(OCR_FIXABLE))
        needs_ocr, fixable = one(
            f"SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM pages g WHERE g.document_id = d.id "
            f"AND {self._no_text_sql('g')} IN ({marks}))), 0) FROM documents d "
            f"WHERE d.state = 'indexed' AND {empty} > 0", sorted(OCR_FIXABLE)).fetchone()
        indexed = by_state.get("indexed", 0)
        return {
            "documents": indexed + by_state.get("failed", 0),
            "states": {
                "ok": indexed - no_text_docs,
                "ok:no_text": no_text_docs,
                "failed": by_state.get("failed", 0),
                "in_progress": sum(v for k, v in by_state.items() if k not in ("indexed", "failed")),
            },
            "store_states": {state: by_state.get(state, 0) for state in STATES},
            "pages": pages,
            "ocr_pages": ocr_pages,
            "pages_without_text": without,
            "needs_ocr": needs_ocr,
            "ocr_fixable": fixable,
            "failures": by_state.get("failed", 0),
            "failure_reasons": dict(one(
                "SELECT COALESCE(reason, 'unknown'), COUNT(*) FROM documents WHERE state = 'failed' "
                "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()),
            "paths": one("SELECT COUNT(*) FROM paths").fetchone()[0],
            "last_ingest": one("SELECT MAX(updated_at) FROM documents").fetchone()[0],
            "schema_version": int(self.meta("schema_version") or 0),
        }

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
