"""The Whoosh implementation of :class:`archiv.engine.SearchEngine` (the only whoosh import).

One Whoosh document per *page*. Text is analysed by :mod:`archiv.analysis` into three fields:

- ``content``: folded Snowball stems with positions (exact and inflected matches, phrases);
- ``parts``: stems of compound parts (``Städtenetzwerk`` → ``stadt``, ``netzwerk``), searched
  with a lower weight so a compound never outranks the word itself;
- ``words``: lower-cased surface forms, the vocabulary for prefixes, typos and "did you mean".

Queries come from :mod:`archiv.query` (our parser, our error messages) and are translated here.
Ranking is BM25F over pages: a word matches its stem in ``content`` (weight 1), a compound
part in ``parts`` (0.4), all parts of a typed compound inside other compounds (0.3), a prefix
expansion (0.6) and, only when fewer than three documents were found, stems within one or two
edits (0.15, ``SearchOutcome.fuzzy``). Pages are grouped per document (best page first); a
top-level exclusion (``-Lemgo``) removes whole documents, not just the pages that say it.

Any sign of damage (missing segments, a truncated TOC, unpicklable data) becomes one
:class:`~archiv.errors.IndexDamagedError`; the index is never wiped here, ``archiv reindex``
rebuilds it from the store.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import pickle
import struct
import time
import weakref
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Positions
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from archiv import analysis, query
from archiv.engine import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    DocumentMatch,
    IndexPage,
    PageMatch,
    SearchFilters,
    SearchOutcome,
    SearchRequest,
)
from archiv.errors import (
    ArchiveBusyError,
    ArchivError,
    IndexDamagedError,
    NoArchiveError,
    NoSpaceError,
    QueryError,
    ReadOnlyError,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
INDEX_NAME = "pages"
_MARKER = "archiv-index.json"
_DAMAGED = "the search index is damaged ({}): run `archiv reindex` to rebuild it from the store"
# Errors that mean "the files on disk are not a readable index", whatever Whoosh was doing.
_DAMAGE_ERRORS = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    struct.error,
    zlib.error,
    ValueError,
    KeyError,
    IndexError,
    whoosh_index.IndexError,
)
# Opening unpickles the TOC and the segment list: garbage there surfaces as any of these too.
_OPEN_DAMAGE_ERRORS = (*_DAMAGE_ERRORS, AttributeError, TypeError, ImportError)

PARTS_BOOST = 0.4  # a compound part is a weaker match than the word itself
QUERY_PARTS_BOOST = 0.3  # all parts of a typed compound, found apart
FUZZY_BOOST = 0.15  # a typo-tolerant match is weaker still
PREFIX_BOOST = 0.6
MAX_EXPANSIONS = 256  # terms one prefix or fuzzy word may expand to
# Whoosh's posting pool, in its own estimate (~170 bytes a posting), before it spills sorted runs
# to disk (pickled, merged back at commit). One ingest batch of 1,000 pages makes ~480,000
# postings (~80 MB estimated): at 128 they stay in memory. Reindexing 10,441 pages in batches
# of 1,000: 32 → 81.4 s and 138 MiB peak, 64 → 79.0 s / 177 MiB, 128 → 52.8 s / 228 MiB.
WRITER_POOL_MB = 128
FEW_DOCUMENTS = 3  # fewer hits than this triggers the typo-tolerant retry
SNIPPET_CHARS = 200
MAX_SNIPPET_DOCUMENTS = 100  # documents further down a long result list get no snippets
MAX_SNIPPET_PAGES = 3  # per document; further matching pages are listed with an empty snippet
WRITE_LOCK_TIMEOUT = 2.0


class _AnalysisTokenizer(Tokenizer):
    """Feeds :func:`archiv.analysis.tokenize` into Whoosh; ``mode`` picks which terms to emit.

    Whoosh pickles the schema (analyzers included) into its TOC, so this class must stay
    importable under this name: renaming it means a new SCHEMA_VERSION.
    """

    def __init__(self, mode: str) -> None:
        self.mode = mode  # "term" | "parts" | "words" | "all"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _AnalysisTokenizer) and other.mode == self.mode

    def __hash__(self) -> int:
        return hash(self.mode)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[WToken]:
        tok = WToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for item in analysis.tokenize(value):
            for text in _emitted(item, self.mode):
                tok.text = text
                tok.boost = 1.0
                tok.stopped = False
                if keeporiginal:
                    tok.original = item.word
                if positions:
                    tok.pos = start_pos + item.pos
                if chars:
                    tok.startchar = start_char + item.start
                    tok.endchar = start_char + item.end
                yield tok


def _emitted(item: analysis.Token, mode: str) -> Iterable[str]:
    if mode == "term":
        return (item.term,)
    if mode == "parts":
        return item.parts
    if mode == "words":
        return (item.word,)
    return (item.term, *item.parts)


class _PageText(TEXT):
    """A page-text field (``content``, ``parts``, ``words``) that indexes a page from one
    analysis shared by the three: the postings of all three are made in a single pass over the
    page's tokens, and Whoosh's per-field token loop (a token object and a format call per
    word, three times per page) is skipped. The postings are byte for byte what TEXT with
    _AnalysisTokenizer makes (which still analyses queries); an index written before holds
    plain TEXT fields and is read and written as ever.

    Pickled into the index's schema like _AnalysisTokenizer: keep this name importable.
    """

    def __init__(self, mode: str, **kwargs: object) -> None:
        super().__init__(analyzer=_AnalysisTokenizer(mode), **kwargs)
        self.mode = mode

    def index(self, value: object, **kwargs: object) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not isinstance(value, str) or kwargs or self.format.field_boost != 1.0:
            return super().index(value, **kwargs)
        return iter(_page_postings(value)[self.mode])


_POSITIONS = Positions()


@lru_cache(maxsize=4)
def _page_postings(text: str) -> dict[str, list[tuple[bytes, int, float, bytes]]]:
    """(term bytes, frequency, weight, encoded value) per term of each page-text field, as
    Whoosh's Positions and Frequency formats encode them (weight: frequency × boost 1.0)."""
    positions: dict[str, list[int]] = {}
    parts: dict[str, int] = {}
    words: dict[str, int] = {}
    for token in analysis.tokens(text):
        found = positions.get(token.term)
        if found is None:
            positions[token.term] = [token.pos]
        else:
            found.append(token.pos)
        words[token.word] = words.get(token.word, 0) + 1
        for part in token.parts:
            parts[part] = parts.get(part, 0) + 1
    encode = _POSITIONS.encode
    return {
        "term": [
            (t.encode("utf-8"), len(p), float(len(p)), encode(p)) for t, p in positions.items()
        ],
        "parts": [(t.encode("utf-8"), n, float(n), pack_uint(n)) for t, n in parts.items()],
        "words": [(t.encode("utf-8"), n, float(n), pack_uint(n)) for t, n in words.items()],
    }


def _schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        document_id=ID(stored=True, sortable=True),
        page=NUMERIC(stored=True, sortable=True),
        content=_PageText("term", stored=True, spelling=True),
        parts=_PageText("parts", phrase=False),
        words=_PageText("words", phrase=False, spelling=True),
        path=STORED(),
        title=STORED(),
        date=ID(stored=True, sortable=True),
        municipality=STORED(),
        doc_type=STORED(),
        bodies=STORED(),
        city=ID(sortable=True),
        type=TEXT(analyzer=_AnalysisTokenizer("all"), phrase=False),
        body=TEXT(analyzer=_AnalysisTokenizer("all"), phrase=False),
        place=TEXT(analyzer=_AnalysisTokenizer("all"), phrase=False),
        ref=ID(),
        dates=ID(),
    )


class _Weighting(scoring.BM25F):
    """BM25F whose scorers read a page's field length from a list made once per segment and
    field, instead of through Whoosh's column reader on every scored page (a fifth of a
    search's time); a field scored without length normalisation (B = 0) reads none. The
    arithmetic is Whoosh's own: the scores are the very same.

    Reads the length column of Whoosh's W3 codec (whoosh-reloaded is pinned); a segment of
    any other layout keeps Whoosh's reader.
    """

    def __init__(self, **kwargs: float) -> None:
        super().__init__(**kwargs)
        self._tables: weakref.WeakKeyDictionary[object, dict[str, list[int | None] | None]]
        self._tables = weakref.WeakKeyDictionary()

    def scorer(self, searcher: object, fieldname: str, text: bytes, qf: int = 1) -> object:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if type(scorer) is not scoring.BM25FScorer:
            return scorer
        if scorer.B == 0:
            # (1 - B) + B * length / average is 1.0 whatever the length.
            scorer.dfl = _unit_length
            return scorer
        reader = searcher.reader()
        if reader.is_atomic():
            tables = self._tables.setdefault(reader, {})
            if fieldname not in tables:
                tables[fieldname] = _field_lengths(reader, fieldname)
            table = tables[fieldname]
            if table is not None:
                scorer.dfl = table.__getitem__
        return scorer


def _unit_length(docnum: int) -> int:
    return 1


# Whoosh stores a field length as one byte; 0 means none (doc_field_length gives None then).
_BYTE_LENGTHS: list[int | None] = [None, *(byte_to_length(b) for b in range(1, 256))]


def _field_lengths(segment: object, fieldname: str) -> list[int | None] | None:
    """What ``segment.doc_field_length(n, fieldname, 1)`` returns, for every page n."""
    cached = getattr(getattr(segment, "_perdoc", None), "_cached_reader", None)
    if cached is None:
        return None
    column = cached(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None  # no lengths at all: Whoosh answers the default
    if getattr(column, "_fixedlen", None) != 1 or getattr(column, "_typecode", None) != "B":
        return None
    count, pages = column._count, segment.doc_count_all()
    raw = column._dbfile.get(column._basepos, count) if count else b""
    return [_BYTE_LENGTHS[b] for b in raw[:pages]] + [None] * (pages - min(count, pages))


# BM25F; the parts field is not length-normalised: most pages have few compounds, so the
# normalisation would make one compound on a page with several look like a weak match.
_WEIGHTING = _Weighting(parts_B=0.0)


def _marker() -> dict[str, int]:
    return {"schema_version": SCHEMA_VERSION, "analysis_version": analysis.ANALYSIS_VERSION}


# --- opening -----------------------------------------------------------------------------------


class WhooshEngine:
    """A page index in one directory; create it with :meth:`create`, then :meth:`open` it."""

    def __init__(self, index_dir: Path, ix: whoosh_index.Index, *, readonly: bool) -> None:
        self.index_dir = index_dir
        self._ix = ix
        self._readonly = readonly
        self._searcher: object | None = None  # kept between searches; refreshed after commits
        self._cache: _ReaderCache | None = None  # belongs to self._searcher's reader

    @classmethod
    def create(cls, index_dir: Path) -> WhooshEngine:
        """A new, empty index (any previous one in ``index_dir`` is replaced)."""
        index_dir = Path(index_dir)
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            ix = FileStorage(str(index_dir), supports_mmap=False).create_index(
                _schema(), indexname=INDEX_NAME
            )
            (index_dir / _MARKER).write_text(json.dumps(_marker()), encoding="utf-8")
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise NoSpaceError("disk full while creating the search index: free space") from exc
            raise
        return cls(index_dir, ix, readonly=False)

    @classmethod
    def open(cls, index_dir: Path, *, readonly: bool = False) -> WhooshEngine:
        """Open and check an index; damage of any kind is one IndexDamagedError."""
        index_dir = Path(index_dir)
        marker = index_dir / _MARKER
        has_toc = index_dir.is_dir() and any(index_dir.glob(f"_{INDEX_NAME}_*.toc"))
        if not marker.exists() and not has_toc:
            raise NoArchiveError(f"no search index in {index_dir}: run `archiv ingest` first")
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
            version, analysis_version = found["schema_version"], found["analysis_version"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexDamagedError(_DAMAGED.format("its version marker is unreadable")) from exc
        if (version, analysis_version) != (SCHEMA_VERSION, analysis.ANALYSIS_VERSION):
            raise IndexDamagedError(
                f"the search index was built by another archiv version (format {version}."
                f"{analysis_version}, need {SCHEMA_VERSION}.{analysis.ANALYSIS_VERSION}): "
                "run `archiv reindex` to rebuild it"
            )
        if not has_toc:
            raise IndexDamagedError(_DAMAGED.format("its table of contents is missing"))
        # Never mapped. Whoosh maps a segment file and then copies every part it opens into a
        # BytesIO (filedb/compound.py), so a mapped index sits in memory twice, whole: at
        # 102,248 pages a searcher peaked at 1,617 MiB (RSS) and took 1.1 s to open; read
        # through files, 89 MiB and 0.3 s (200 queries: mean 8 % and p50 20 % slower, mostly
        # prefix and typo queries walking terms). A writer reads segments only to merge them:
        # 455 → 173 MiB peak reindexing 10k pages, and not slower.
        storage = FileStorage(str(index_dir), readonly=readonly, supports_mmap=False)
        try:
            ix = _open_toc(storage)
            _check_readable(ix)  # Whoosh itself retries a reader racing a commit (10 × 50 ms)
        except FileNotFoundError as exc:
            raise IndexDamagedError(_DAMAGED.format(f"missing file: {exc.filename}")) from exc
        except whoosh_index.EmptyIndexError as exc:
            raise IndexDamagedError(_DAMAGED.format("no table of contents")) from exc
        except ArchivError:
            raise
        except _OPEN_DAMAGE_ERRORS as exc:
            raise IndexDamagedError(_DAMAGED.format(_describe(exc))) from exc
        if set(ix.schema.names()) != set(_schema().names()):
            raise IndexDamagedError(
                "the search index has an older layout: run `archiv reindex` to rebuild it"
            )
        return cls(index_dir, ix, readonly=readonly)

    def close(self) -> None:
        self.close_searcher()
        self._ix.close()

    # --- writing -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def writer(self) -> Iterator[_BatchWriter]:
        """One batch: pages are buffered so a repeated replace() of one id keeps only the last."""
        if self._readonly:
            raise ReadOnlyError("the search index is open read-only: it cannot be written")
        batch = _BatchWriter()
        yield batch
        if not batch.changes:
            return
        try:
            writer = self._ix.writer(timeout=WRITE_LOCK_TIMEOUT, limitmb=WRITER_POOL_MB)
        except whoosh_index.LockError as exc:
            raise ArchiveBusyError(
                "another archiv process is writing the search index: try again when it finishes"
            ) from exc
        except OSError as exc:
            _raise_os(exc)
        try:
            for document_id, pages in batch.changes.items():
                writer.delete_by_term("document_id", document_id)
                for page in pages:
                    writer.add_document(**_fields(page))
            writer.commit()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                writer.cancel()  # releases the lock; the previous commit stays intact
            if isinstance(exc, OSError):
                _raise_os(exc)
            raise

    # --- reading -------------------------------------------------------------------------------

    def page_count(self) -> int:
        try:
            with self._ix.reader() as reader:
                return reader.doc_count()
        except _DAMAGE_ERRORS as exc:
            raise IndexDamagedError(_DAMAGED.format(_describe(exc))) from exc

    def document_ids(self) -> Iterator[tuple[str, int]]:
        try:
            with self._ix.reader() as reader:
                if reader.doc_count_all() == 0:  # no segment yet: Whoosh has no columns to read
                    pairs: list[tuple[str, int]] = []
                else:
                    # Columns, not stored fields: the stored page text is the bulk of the index.
                    doc_ids = reader.column_reader("document_id")
                    pages = reader.column_reader("page")
                    pairs = [(doc_ids[n], pages[n]) for n in reader.all_doc_ids()]
        except _DAMAGE_ERRORS as exc:
            raise IndexDamagedError(_DAMAGED.format(_describe(exc))) from exc
        yield from pairs

    def search(self, request: SearchRequest) -> SearchOutcome:
        node = _parse(request)
        try:
            searcher = self._current_searcher()
            if self._cache is None or self._cache.reader is not searcher.reader():
                self._cache = _ReaderCache(searcher.reader())
            return _Search(searcher, request, node, self._cache).run()
        except (ArchivError, QueryError):
            raise
        except _DAMAGE_ERRORS as exc:
            log.debug("search failed on a damaged index", exc_info=True)
            self.close_searcher()
            raise IndexDamagedError(_DAMAGED.format(_describe(exc))) from exc

    def _current_searcher(self) -> object:
        """One searcher reused across searches (opening re-reads the TOC and every segment),
        replaced by a new one when a commit happened meanwhile.

        Not Whoosh's ``refresh()``: it reuses the reader of every segment it knew, deleted
        pages included (a document deleted or replaced since kept being found), and fails on
        a searcher of an index that had no segment yet.
        """
        if self._searcher is not None:
            if self._ix.latest_generation() == self._searcher.reader().generation():
                return self._searcher
            self.close_searcher()
        self._searcher = self._ix.searcher(weighting=_WEIGHTING)
        return self._searcher

    def close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None
            self._cache = None


@dataclass
class _BatchWriter:
    """Implements :class:`archiv.engine.IndexWriter`; ``None`` pages mean delete only."""

    changes: dict[str, tuple[IndexPage, ...]] = field(default_factory=dict)

    def replace(self, document_id: str, pages: Sequence[IndexPage]) -> None:
        for page in pages:
            if page.document_id != document_id:
                raise ValueError(f"page of {page.document_id} given for {document_id}")
        self.changes.pop(document_id, None)  # re-insert: the last replace() wins, in order
        self.changes[document_id] = tuple(pages)

    def delete(self, document_id: str) -> None:
        self.changes.pop(document_id, None)
        self.changes[document_id] = ()


def _fields(page: IndexPage) -> dict[str, object]:
    dates = [d for d in page.dates if d]
    fields: dict[str, object] = {
        "key": f"{page.document_id}:{page.page}",
        "document_id": page.document_id,
        "page": page.page,
        "content": page.text,
        "parts": page.text,
        "words": page.text,
        "path": page.path,
        "title": page.title,
        "date": page.date or "",
        "municipality": page.municipality,
        "doc_type": page.doc_type,
        "bodies": tuple(page.bodies),
        "city": analysis.fold_key(page.municipality or ""),
        "type": page.doc_type or "",
        "body": "\n".join(page.bodies),
        "place": "\n".join(page.places),
    }
    # A list given to an ID field is indexed as one term per item (Whoosh skips the analyzer),
    # which keeps "1045/2014-2020" and "2015-03-12" whole.
    fields["ref"] = [query.normalize_reference(r) for r in page.references if r]
    fields["dates"] = dates
    return {k: v for k, v in fields.items() if v is not None}


def _raise_os(exc: OSError) -> None:
    if exc.errno == errno.ENOSPC:
        raise NoSpaceError(
            "disk full while writing the search index: free space and run the command again "
            "(nothing stored was lost)"
        ) from exc
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        raise ReadOnlyError(f"the search index cannot be written ({exc.strerror})") from exc
    raise exc


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:160] if text else type(exc).__name__


def _open_toc(storage: FileStorage) -> whoosh_index.Index:
    """Open the newest TOC, retrying 3 times: a commit may delete it between listing the
    directory and reading the file (a transient FileNotFoundError, not damage)."""
    for attempt in range(3):
        try:
            return storage.open_index(indexname=INDEX_NAME)
        except FileNotFoundError:
            time.sleep(0.05 * (attempt + 1))
    return storage.open_index(indexname=INDEX_NAME)


def _check_readable(ix: whoosh_index.Index) -> None:
    """Touch every segment's files: a deleted or truncated segment fails here, not mid-search."""
    with ix.reader() as reader:
        reader.doc_count_all()
        for _ in zip(range(1), reader.all_stored_fields(), strict=False):
            pass
        for name in ("content", "document_id"):
            for _ in zip(range(1), reader.lexicon(name), strict=False):
                pass


def _parse(request: SearchRequest) -> query.Node | None:
    has_filters = any(getattr(request.filters, f) for f in request.filters.__slots__)
    if not query.clean(request.query).strip() and has_filters:
        return None
    node = query.parse(request.query)
    if not query.has_positive(node) and not has_filters:
        raise QueryError("a query cannot only exclude words: add a word to search for")
    return node


# --- searching ---------------------------------------------------------------------------------


@dataclass
class _Highlight:
    """What to mark in snippets: stems (a token matches by its stem or a compound part) and
    surface words (prefix and typo expansions)."""

    terms: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)


class _Translator:
    """AST → Whoosh query. ``fuzzy=True`` widens plain words by typo expansions (the retry)."""

    def __init__(
        self, reader: object, *, fuzzy: bool = False, cache: _ReaderCache | None = None
    ) -> None:
        self.reader = reader
        self.fuzzy = fuzzy
        self.cache = cache or _ReaderCache(reader)
        self.highlight = _Highlight()
        self.expanded = False  # the fuzzy retry found at least one typo variant
        self.variants: dict[str, list[str]] = {}  # typed word → indexed stems near it

    def translate(self, node: query.Node, negated: bool = False) -> wq.Query | None:
        if isinstance(node, query.And | query.Or):
            children = [c for c in (self.translate(n, negated) for n in node.children) if c]
            if not children:
                return None
            if len(children) == 1:
                return children[0]
            return wq.And(children) if isinstance(node, query.And) else wq.Or(children)
        if isinstance(node, query.Not):
            child = self.translate(node.child, not negated)
            return wq.Not(child) if child is not None else None
        return self.leaf(node, negated)

    def leaf(self, node: query.Leaf, negated: bool) -> wq.Query | None:
        if isinstance(node, query.Range):
            end = node.end + "\uffff"  # "2016-06" includes every day of June
            return wq.Or([wq.TermRange(f, node.start, end) for f in ("date", "dates")])
        if isinstance(node, query.Fuzzy):
            return self.typo(node.text, node.distance, negated, boost=1.0)
        if node.field is not None:
            if node.field == "ref" and not negated:  # mark the number where it is printed
                self.highlight.terms.update(analysis.terms(node.text))
            return self.fielded(node)
        if isinstance(node, query.Term):
            return self.word(node.text, negated)
        if isinstance(node, query.Phrase):
            terms = analysis.terms(node.text)
            if not negated:
                self.highlight.terms.update(terms)
            if not terms:
                return None
            return wq.Term("content", terms[0]) if len(terms) == 1 else wq.Phrase("content", terms)
        return self.prefix(node.text, negated)

    def word(self, text: str, negated: bool) -> wq.Query | None:
        tokens = list(analysis.tokenize(text))
        terms = [token.term for token in tokens]
        if not terms:
            return None
        if not negated:
            self.highlight.terms.update(terms)
        alternatives: list[wq.Query]
        if len(terms) == 1:
            alternatives = [
                wq.Term("content", terms[0]),
                wq.Term("parts", terms[0], boost=PARTS_BOOST),
            ]
            # A compound typed as a query also finds its parts together: "Verleihsystem" in
            # "Fahrradverleihsystem", "Lenkungsausschuss" in a misprinted "Lenkungausschusses".
            leaves = [analysis.stem(p) for p in analysis.leaf_parts(tokens[0].word)]
            if len(leaves) > 1:
                if not negated:
                    self.highlight.terms.update(leaves)
                # Only inside other compounds: "Lenkungskreis … Ausschuss" is not a match.
                alternatives.append(
                    wq.And([wq.Term("parts", p) for p in leaves], boost=QUERY_PARTS_BOOST)
                )
        else:  # "RegioPole-Netzwerk": best as printed, else all of its words on the page
            alternatives = [
                wq.Phrase("content", terms),
                wq.And(
                    [
                        wq.Or([wq.Term("content", t), wq.Term("parts", t, boost=PARTS_BOOST)])
                        for t in terms
                    ],
                    boost=0.5,
                ),
            ]
        if self.fuzzy and not negated:
            for token in analysis.tokenize(text):
                if _typo_distance(token.word) == 0:
                    continue
                typo = self.typo(token.word, _typo_distance(token.word), negated, FUZZY_BOOST)
                if typo is not None:
                    alternatives.append(typo)
        return wq.Or(alternatives)

    def typo(self, text: str, distance: int, negated: bool, boost: float) -> wq.Query | None:
        words = [t.word for t in analysis.tokenize(text)]
        if not words:
            return None
        per_word: list[wq.Query] = []
        for word in words:
            stem = analysis.stem(word)
            # Typos are matched between stems: a misprinted inflected word ("Lenkungausschusses")
            # is closer to "Lenkungsausschuss" by stem than by its printed form, and one
            # scan of the vocabulary per word keeps the retry cheap.
            stems = _bounded(
                _near_terms(self.cache, "content", stem, distance), self.reader, "content"
            )
            stems = [v for v in stems if v != stem]
            stems.sort(key=lambda v: -self.reader.doc_frequency("content", v))
            self.variants[word] = stems
            if stems:
                self.expanded = True
            if not negated:
                self.highlight.terms.update((stem, *stems))
            options: list[wq.Query] = [wq.Term("content", stem)]
            options += [wq.Term("content", v, boost=boost) for v in stems]
            per_word.append(wq.Or(options))
        return per_word[0] if len(per_word) == 1 else wq.And(per_word)

    def prefix(self, text: str, negated: bool) -> wq.Query | None:
        stem = "".join(ch for ch in analysis.normalize(text) if ch.isalnum())
        if len(stem) < query.MIN_PREFIX:
            return None
        found: list[str] = []
        frequency: dict[str, int] = {}
        for variant in _spellings(stem):
            for word, count in self.cache.prefixed("words", variant, MAX_EXPANSIONS * 8):
                found.append(word)
                frequency[word] = count
        words = _bounded(found, self.reader, frequency=frequency.__getitem__)
        if not negated:
            self.highlight.words.update(words)
        if not words:
            return wq.NullQuery
        expansion = wq.Or([wq.Term("words", w) for w in words], boost=PREFIX_BOOST)
        if len(words) > 2:
            # Many posting lists: Whoosh's preloading union adds their scores in an array,
            # 2-3x faster than its tree of two-way unions (which it picks on indexes over
            # 5,000 pages; below, it preloads anyway).
            expansion.matcher_type = wq.Or.ARRAY_MATCHER
        return expansion

    def fielded(self, node: query.Term | query.Phrase | query.Prefix) -> wq.Query | None:
        name = node.field
        if name == "date":
            return wq.Or([wq.Prefix(f, node.text) for f in ("date", "dates")])
        if name == "ref":
            value = query.normalize_reference(node.text)
            if isinstance(node, query.Prefix):
                return wq.Prefix("ref", value)
            return wq.Term("ref", value)
        if name == "city":
            key = analysis.fold_key(node.text)
            return (
                wq.Prefix("city", key) if isinstance(node, query.Prefix) else wq.Term("city", key)
            )
        if isinstance(node, query.Prefix):
            return wq.Prefix(name, analysis.stem(analysis.normalize(node.text)))
        terms = analysis.terms(node.text)
        if not terms:
            return None
        return (
            wq.And([wq.Term(name, t) for t in terms]) if len(terms) > 1 else wq.Term(name, terms[0])
        )


NEAR_SCAN_LIMIT = 100_000  # terms of one first letter kept in memory; more: Whoosh's automaton


class _ReaderCache:
    """What searches derive from one reader, read the first time a search needs it and kept as
    long as the searcher is (until a commit): the document of every page, and the terms by
    field, first letter and length.

    Walking the sorted terms costs more than comparing them, and the typo retry of every query
    with few hits walks the same letters again: reading them once makes each later retry a scan
    of a few Python lists. Whoosh's Levenshtein automaton, the alternative, costs ~100 ms per
    word at 10,000 pages (it is built in Python, per word and distance).
    """

    def __init__(self, reader: object) -> None:
        self.reader = reader
        self._groups: dict[tuple[str, str], dict[int, list[str]] | None] = {}
        self._document_ids: list[str] | None = None

    def document_ids(self) -> list[str]:
        """The document of every page, by page number (docnum): grouping thousands of
        matching pages reads it once per page, and Whoosh's column reader costs a microsecond
        per read where a list index costs a few nanoseconds."""
        if self._document_ids is None:
            table: list[str] = []
            for segment, _offset in self.reader.leaf_readers():
                table.extend(_segment_document_ids(segment))
            self._document_ids = table
        return self._document_ids

    def prefixed(self, fieldname: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """The first ``limit`` terms starting with ``prefix``, in order, with their document
        frequencies: what ``expand_prefix`` and ``doc_frequency`` answer, read segment by
        segment in term order (summing the frequencies) instead of one hashed look-up per
        term and segment, ten times cheaper on a ten-segment index. A term among the first
        ``limit`` overall is among the first ``limit`` of every segment that has it."""
        counts: dict[bytes, int] = {}
        for segment, _offset in self.reader.leaf_readers():
            for (term, info), _ in zip(
                segment.iter_prefix(fieldname, prefix), range(limit), strict=False
            ):
                counts[term] = counts.get(term, 0) + info.doc_frequency()
        field_type = self.reader.schema[fieldname]
        return [(field_type.from_bytes(t), counts[t]) for t in sorted(counts)[:limit]]

    def by_length(self, fieldname: str, letter: str) -> dict[int, list[str]] | None:
        """length → sorted terms starting with ``letter``; None when there are too many."""
        key = (fieldname, letter)
        if key not in self._groups:
            groups: dict[int, list[str]] | None = {}
            for count, raw in enumerate(self.reader.expand_prefix(fieldname, letter)):
                if count >= NEAR_SCAN_LIMIT:
                    groups = None
                    break
                term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                groups.setdefault(len(term), []).append(term)
            self._groups[key] = groups
        return self._groups[key]


def _segment_document_ids(segment: object) -> list[str]:
    """The document_id column of one segment, whole. A variable-length column keeps its values
    in one run of bytes with arrays of offsets and lengths: read the run once and cut it
    (repeated ids, the pages of one document, are decoded once). Any other column layout is
    read value by value."""
    count = segment.doc_count_all()
    if count == 0:  # an index without segments has no columns at all
        return []
    column = segment.column_reader("document_id", translate=False)
    offsets = getattr(column, "_offsets", None)
    lengths = getattr(column, "_lengths", None)
    if (
        type(column).__qualname__ != "VarBytesColumn.Reader"
        or offsets is None
        or lengths is None
        or len(offsets) != count
        or len(lengths) != count
    ):
        return list(segment.column_reader("document_id"))
    size = max((o + n for o, n in zip(offsets, lengths, strict=True)), default=0)
    blob = column._dbfile.get(column._basepos, size) if size else b""
    names: dict[bytes, str] = {}
    table: list[str] = []
    for start, length in zip(offsets, lengths, strict=True):
        raw = blob[start : start + length]
        name = names.get(raw)
        if name is None:
            name = names[raw] = raw.decode("utf-8")
        table.append(name)
    return table


def _near_terms(
    cache: _ReaderCache, fieldname: str, word: str, distance: int, *, swaps: bool = True
) -> list[str]:
    """Indexed terms within ``distance`` edits of ``word`` (with ``swaps``, a transposition
    counts as one edit, otherwise as two: Whoosh's automaton and corrector count so), sharing
    its first letter.

    Only terms of a length within ``distance`` of the word's are compared, one length at a
    time in sorted order: consecutive terms share prefixes, whose edit-distance rows are
    reused, and a term is abandoned as soon as its row exceeds ``distance``. Each row is
    computed only within ``distance`` of the diagonal (cells further off cannot lead to a
    match); the cells outside hold ``distance + 1``.
    """
    if not word:
        return []
    groups = cache.by_length(fieldname, word[0])
    if groups is None:  # (the automaton counts no transpositions)
        return list(cache.reader.terms_within(fieldname, word, distance, prefix=1))
    n = len(word)
    over = distance + 1
    first = [j if j <= distance else over for j in range(n + 1)]
    found: list[str] = []
    for length in range(max(1, n - distance), n + distance + 1):
        rows: list[list[int]] = [first]
        previous = ""
        for term in groups.get(length, ()):
            shared = 0
            limit = min(len(previous), len(rows) - 1)
            while shared < limit and previous[shared] == term[shared]:
                shared += 1
            del rows[shared + 1 :]
            alive = True
            for i in range(shared, length):
                above = rows[i]
                char = term[i]
                row = [over] * (n + 1)
                if i < distance:
                    row[0] = i + 1
                low = max(1, i + 1 - distance)
                high = min(n, i + 1 + distance)
                best = row[0]
                for j in range(low, high + 1):
                    value = above[j - 1] if word[j - 1] == char else above[j - 1] + 1
                    if above[j] < value:
                        value = above[j] + 1
                    if row[j - 1] < value:
                        value = row[j - 1] + 1
                    if swaps and i and j > 1 and char == word[j - 2] and term[i - 1] == word[j - 1]:
                        swap = rows[i - 1][j - 2] + 1
                        if swap < value:
                            value = swap
                    if value > over:
                        value = over
                    row[j] = value
                    if value < best:
                        best = value
                rows.append(row)
                if best > distance:
                    alive = False
                    break
            previous = term
            if alive and rows[length][n] <= distance:
                found.append(term)
    return found


def _typo_distance(word: str) -> int:
    """Edits allowed for a word of this length; none for short words and for anything with a
    digit (2021 is not a typo of 2020, nor 0174/20 of 0175/20)."""
    if len(word) < 4 or any(ch.isdigit() for ch in word):
        return 0
    return 1 if len(word) < 8 else 2


def _spellings(prefix: str) -> list[str]:
    """A typed prefix in its umlaut spellings: "wuerz" also looks for "würz"."""
    out = [prefix]
    for plain, umlaut in (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß")):
        out += [v.replace(plain, umlaut) for v in out if plain in v]
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        out += [v.replace(umlaut, plain) for v in out if umlaut in v]
    return list(dict.fromkeys(out))[:8]


def _bounded(
    words: Iterable[str],
    reader: object,
    fieldname: str = "words",
    frequency: Callable[[str], int] | None = None,
) -> list[str]:
    """At most MAX_EXPANSIONS words, the most frequent first, so no expansion is unbounded."""
    unique = list(dict.fromkeys(words))
    if len(unique) > MAX_EXPANSIONS:
        count = frequency or (lambda w: reader.doc_frequency(fieldname, w))
        unique.sort(key=lambda w: -count(w))
        unique = unique[:MAX_EXPANSIONS]
    return unique


def _filters(filters: SearchFilters) -> list[wq.Query]:
    out: list[wq.Query] = []
    if filters.city:
        out.append(wq.Term("city", analysis.fold_key(filters.city)))
    for name, value in (("body", filters.body), ("type", filters.doc_type)):
        if value:
            terms = analysis.terms(value)
            if terms:
                out.append(wq.And([wq.Term(name, t) for t in terms]))
    if filters.ref:
        out.append(wq.Term("ref", query.normalize_reference(filters.ref)))
    if filters.date_from or filters.date_to:
        # Like `datum:`, the document's own date or a date printed on the page: an undated
        # slide deck that reports "Februar 2015" is found with --from 2015.
        end = f"{filters.date_to}\uffff" if filters.date_to else None
        out.append(
            wq.Or([wq.TermRange(f, filters.date_from or None, end) for f in ("date", "dates")])
        )
    return out


@dataclass
class _Hits:
    documents: dict[str, list[tuple[int, float]]]  # pages best first; documents by best page
    total: int  # matching pages
    truncated: bool


class _Search:
    def __init__(
        self,
        searcher: object,
        request: SearchRequest,
        node: query.Node | None,
        cache: _ReaderCache | None = None,
    ) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache or _ReaderCache(self.reader)
        # needs_current: a union of a few posting lists is a tree of two-way unions, as
        # Whoosh builds it over 5,000 pages anyway; on smaller indexes Whoosh would preload
        # it into arrays (a fifth of a small search's time). Wide ORs ask for arrays themselves.
        self.context = searcher.context(needs_current=True)
        self.request = request
        self.node = node
        self.deadline = time.monotonic() + max(0.05, request.time_limit)
        filters = _filters(request.filters)
        self.filter_query = (
            None if not filters else filters[0] if len(filters) == 1 else wq.And(filters)
        )

    def run(self) -> SearchOutcome:
        self.excluded = self._excluded_documents()
        translator = _Translator(self.reader)
        whoosh_query = self._whoosh_query(translator)
        if whoosh_query is None:
            return SearchOutcome(documents=(), total_pages=0)
        hits = self._collect(whoosh_query)
        fuzzy = False
        highlight = translator.highlight
        self.variants: dict[str, list[str]] = {}
        if (
            len(hits.documents) < FEW_DOCUMENTS
            and self.node is not None
            and self._plain_words()
            and time.monotonic() < self.deadline
        ):
            retry = _Translator(self.reader, fuzzy=True, cache=self.cache)
            retry_query = self._whoosh_query(retry)
            if retry.expanded and retry_query is not None:
                # The retry query contains the original one, so it finds a superset.
                widened = self._collect(retry_query)
                self.variants = retry.variants
                if widened.total > hits.total:  # typo variants found more pages
                    hits, fuzzy, highlight = widened, True, retry.highlight
        documents = self._documents(hits, highlight)
        return SearchOutcome(
            documents=documents,
            total_pages=hits.total,
            suggestion=self._suggestion(hits, fuzzy=fuzzy),
            fuzzy=fuzzy,
            facets=self._facets(hits) if self.request.facets else None,
            truncated=hits.truncated,
        )

    def _excluded_documents(self) -> set[str]:
        """Documents hit by a top-level exclusion: "Bürgermeister -Lemgo" drops every document
        that mentions Lemgo anywhere, not just its pages that do (what a reader means)."""
        if self.node is None:
            return set()
        children = self.node.children if isinstance(self.node, query.And) else (self.node,)
        excluded: set[str] = set()
        for child in children:
            if not isinstance(child, query.Not):
                continue
            translated = _Translator(self.reader).translate(child.child, negated=True)
            if translated is not None:
                document_of = self.cache.document_ids()
                docnums = self.searcher.docs_for_query(translated)
                excluded.update(map(document_of.__getitem__, docnums))
        return excluded

    def _whoosh_query(self, translator: _Translator) -> wq.Query | None:
        if self.node is None:
            return wq.Every()
        node = self.node
        if isinstance(node, query.And):  # top-level exclusions are applied per document
            kept = tuple(c for c in node.children if not isinstance(c, query.Not))
            node = kept[0] if len(kept) == 1 else query.And(kept) if kept else None
        elif isinstance(node, query.Not):
            node = None
        if node is None:
            return wq.Every()
        return translator.translate(node)

    def _plain_words(self) -> list[str]:
        assert self.node is not None
        return [
            leaf.text
            for leaf, negated in query.leaves(self.node)
            if isinstance(leaf, query.Term) and leaf.field is None and not negated
        ]

    def _collect(self, whoosh_query: wq.Query) -> _Hits:
        """Every matching page with its score, grouped per document.

        A plain loop over one matcher per segment, in the shared search context: what
        Whoosh's collector does minus its per-page bookkeeping (a page set, periodic matcher
        replacement, one sort of every page). Pages are grouped as they come, each page's
        document read from a table built once per searcher, and sorted per document.
        """
        if self.filter_query is not None:  # Require: filters narrow, they do not score
            whoosh_query = wq.Require(whoosh_query, self.filter_query)
        document_of = self.cache.document_ids()
        excluded = self.excluded
        deadline = self.deadline
        grouped: dict[str, list[tuple[int, float]]] = {}
        truncated = False
        count = 0
        try:
            for subsearcher, offset in self.searcher.leaf_searchers():
                matcher = whoosh_query.matcher(subsearcher, self.context)
                while matcher.is_active():
                    if not count & 255 and time.monotonic() > deadline:
                        raise TimeLimit
                    count += 1
                    docnum = offset + matcher.id()
                    document_id = document_of[docnum]
                    if document_id not in excluded:
                        page = (docnum, float(matcher.score() or 0.0))
                        pages = grouped.get(document_id)
                        if pages is None:
                            grouped[document_id] = [page]
                        else:
                            pages.append(page)
                    matcher.next()
        except TimeLimit:
            truncated = True
        total = 0
        for pages in grouped.values():
            pages.sort(key=_by_score)  # stable: equal scores keep the lower page number first
            total += len(pages)
        # Documents in the order of their best pages, as one ranking of all pages would list
        # them: score descending, then page (docnum) ascending.
        order = sorted(grouped, key=lambda d: (-grouped[d][0][1], grouped[d][0][0]))
        return _Hits({d: grouped[d] for d in order}, total, truncated)

    def _documents(self, hits: _Hits, highlight: _Highlight) -> tuple[DocumentMatch, ...]:
        if not hits.documents:  # (an index without segments has no columns to read)
            return ()
        ranked = [(doc_id, _document_score(pages)) for doc_id, pages in hits.documents.items()]
        ranked.sort(key=lambda item: -item[1])
        if self.request.sort == "date":
            dates = self.reader.column_reader("date")
            ranked.sort(key=lambda item: dates[hits.documents[item[0]][0][0]] or "", reverse=True)
        out: list[DocumentMatch] = []
        page_numbers = self.reader.column_reader("page")
        memo: dict[str, analysis.Verdict] = {}
        for doc_rank, (doc_id, score) in enumerate(ranked[: max(0, self.request.limit)]):
            pages = hits.documents[doc_id]
            first = self.reader.stored_fields(pages[0][0])
            page_matches = []
            # Snippets for the best pages of the first documents; a 100,000-document listing
            # (the chronology's filter) needs none, and a page's stored text is the costly read.
            snippets = MAX_SNIPPET_PAGES if doc_rank < MAX_SNIPPET_DOCUMENTS else 0
            for rank, (docnum, page_score) in enumerate(pages):
                snippet = ""
                if rank < snippets:
                    stored = first if rank == 0 else self.reader.stored_fields(docnum)
                    snippet = make_snippet(stored.get("content", ""), highlight, memo=memo)
                page_matches.append(PageMatch(page_numbers[docnum], round(page_score, 4), snippet))
            out.append(
                DocumentMatch(
                    document_id=doc_id,
                    path=first.get("path", ""),
                    title=first.get("title"),
                    date=first.get("date") or None,
                    municipality=first.get("municipality"),
                    doc_type=first.get("doc_type"),
                    score=round(score, 4),
                    pages=tuple(page_matches),
                )
            )
        return tuple(out)

    def _facets(self, hits: _Hits) -> dict[str, dict[str, int]]:
        counts: dict[str, Counter[str]] = {
            k: Counter() for k in ("municipality", "year", "type", "body")
        }
        budget = 5000  # stored-field reads for the body facet; the rest use each first page
        for pages in hits.documents.values():
            first = self.reader.stored_fields(pages[0][0])
            if first.get("municipality"):
                counts["municipality"][first["municipality"]] += 1
            if first.get("date"):
                counts["year"][first["date"][:4]] += 1
            if first.get("doc_type"):
                counts["type"][first["doc_type"]] += 1
            bodies = set(first.get("bodies") or ())
            for docnum, _ in pages[1:]:
                if budget <= 0:
                    break
                budget -= 1
                bodies.update(self.reader.stored_fields(docnum).get("bodies") or ())
            for body in bodies:
                counts["body"][body] += 1
        return {name: dict(counter.most_common()) for name, counter in counts.items()}

    def _printed(self, stems: Sequence[str], hits: _Hits) -> str | None:
        """How the best of ``stems`` is printed on the best page that has it."""
        for stem in stems[:1]:
            for pages in list(hits.documents.values())[:5]:
                text = self.reader.stored_fields(pages[0][0]).get("content", "")
                printed = _printed_form(text, (stem,))
                if printed is not None:
                    return printed
        return None

    def _suggestion(self, hits: _Hits, *, fuzzy: bool = False) -> str | None:
        """Did you mean: each plain word the index does not know, replaced by its nearest
        indexed spelling (typos of the originals included: the index is the vocabulary).

        When the typo retry already found near stems, the printed form comes from the best
        matching page (no second automaton); otherwise Whoosh's corrector searches the words.
        """
        if self.node is None:
            return None
        replaced: dict[str, str] = {}
        for text in self._plain_words():
            for token in analysis.tokenize(text):
                known = (
                    self.reader.doc_frequency("content", token.term)
                    or self.reader.doc_frequency("parts", token.term)
                    or self.reader.doc_frequency("words", token.word)
                )
                distance = _typo_distance(token.word)
                variants = self.variants.get(token.word, ())
                if distance == 0 or known and not (fuzzy and variants):
                    continue
                # A known word whose near spellings brought more pages (the typo retry) is
                # still worth a hint: "Gründungsmitgliedern" is printed "Gründungsmitgleidern".
                printed = self._printed(variants, hits)
                if printed is None:
                    printed = self._nearest_word(token.word, distance)
                if printed:
                    replaced[token.word] = printed
        if not replaced:
            return None
        words: list[str] = []
        for raw in query.clean(self.request.query).split():
            lowered = analysis.normalize(raw)
            words.append(replaced.get(lowered, raw))
        return " ".join(words)

    def _nearest_word(self, word: str, distance: int) -> str | None:
        """The indexed word within ``distance`` edits that occurs most often (ties: the
        alphabetically last), as Whoosh's ReaderCorrector ranks them, without building its
        Levenshtein automaton per word (~100 ms at 10,000 pages)."""
        near = _near_terms(self.cache, "words", word, distance, swaps=False)
        if not near:
            return None
        frequency = self.reader.frequency
        return max(
            near, key=lambda w: (0 - (distance + (1.0 / (frequency("words", w) or 1) * 0.5)), w)
        )


def _printed_form(text: str, stems: Sequence[str]) -> str | None:
    wanted = set(stems)
    for token in analysis.tokenize(text):
        if token.term in wanted:
            return text[token.start : token.end]  # as printed, capitals included
    return None


def _document_score(pages: list[tuple[int, float]]) -> float:
    """The best page decides; more matching pages add a little (log-damped)."""
    return pages[0][1] * _page_bonus(len(pages))


def _page_bonus(pages: int) -> float:
    """The factor a document's number of matching pages adds to its best page's score."""
    return 1.0 + 0.05 * math.log(max(1, pages))


def _by_score(page: tuple[int, float]) -> float:
    return -page[1]


def make_snippet(
    text: str,
    highlight: _Highlight,
    width: int = SNIPPET_CHARS,
    memo: dict[str, analysis.Verdict] | None = None,
) -> str:
    """About ``width`` characters around the densest cluster of matches, matches marked.

    ``memo`` carries the verdict on each word from one page to the next of the same search.
    """
    text = text.replace(HIGHLIGHT_START, " ").replace(HIGHLIGHT_END, " ")
    spans = analysis.matching_spans(text, highlight.terms, highlight.words, memo)
    if spans:
        best_start, best_count = spans[0][0], 0
        for i, (start, _, _) in enumerate(spans[:200]):  # bounded: a page of 1,000 "Rat"
            distinct: set[str] = set()
            for _, e, term in spans[i:]:
                if e > start + width - 40:
                    break
                distinct.add(term)
            if len(distinct) > best_count:
                best_start, best_count = start, len(distinct)
        begin = max(0, min(best_start - 40, len(text) - width))  # no gap when the end is near
    else:
        begin = 0
    if begin > 0:
        space = text.find(" ", begin, best_start)
        begin = space + 1 if space >= 0 else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin + width // 2, end)
        end = space if space > 0 else end
    pieces: list[str] = []
    cursor = begin
    for start, stop, _ in spans:
        if start < begin or stop > end:
            continue
        pieces += [text[cursor:start], HIGHLIGHT_START, text[start:stop], HIGHLIGHT_END]
        cursor = stop
    pieces.append(text[cursor:end])
    body = " ".join("".join(pieces).split())
    return ("…" if begin > 0 else "") + body + ("…" if end < len(text) else "")
