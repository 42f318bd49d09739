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
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import Token as WToken
from whoosh.analysis import Tokenizer
from whoosh.collectors import TimeLimit, WrappingCollector
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage

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
# BM25F; the parts field is not length-normalised: most pages have few compounds, so the
# normalisation would make one compound on a page with several look like a weak match.
_WEIGHTING = scoring.BM25F(parts_B=0.0)
PREFIX_BOOST = 0.6
MAX_EXPANSIONS = 256  # terms one prefix or fuzzy word may expand to
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


def _schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        document_id=ID(stored=True, sortable=True),
        page=NUMERIC(stored=True, sortable=True),
        content=TEXT(analyzer=_AnalysisTokenizer("term"), stored=True, spelling=True),
        parts=TEXT(analyzer=_AnalysisTokenizer("parts"), phrase=False),
        words=TEXT(analyzer=_AnalysisTokenizer("words"), phrase=False, spelling=True),
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

    @classmethod
    def create(cls, index_dir: Path) -> WhooshEngine:
        """A new, empty index (any previous one in ``index_dir`` is replaced)."""
        index_dir = Path(index_dir)
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            ix = FileStorage(str(index_dir)).create_index(_schema(), indexname=INDEX_NAME)
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
        storage = FileStorage(str(index_dir), readonly=readonly)
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
            writer = self._ix.writer(timeout=WRITE_LOCK_TIMEOUT)
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
            return _Search(self._current_searcher(), request, node).run()
        except (ArchivError, QueryError):
            raise
        except _DAMAGE_ERRORS as exc:
            log.debug("search failed on a damaged index", exc_info=True)
            self.close_searcher()
            raise IndexDamagedError(_DAMAGED.format(_describe(exc))) from exc

    def _current_searcher(self) -> object:
        """One searcher reused across searches (opening re-reads the TOC and every segment);
        ``refresh()`` swaps it for a new one only when a commit happened meanwhile."""
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=_WEIGHTING)
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None


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

    def matches(self, word: str, term: str, parts: tuple[str, ...]) -> bool:
        return term in self.terms or word in self.words or any(part in self.terms for part in parts)


class _Translator:
    """AST → Whoosh query. ``fuzzy=True`` widens plain words by typo expansions (the retry)."""

    def __init__(self, reader: object, *, fuzzy: bool = False) -> None:
        self.reader = reader
        self.fuzzy = fuzzy
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
            # automaton per word keeps the retry cheap.
            stems = _bounded(
                _near_terms(self.reader, "content", stem, distance), self.reader, "content"
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
        for variant in _spellings(stem):
            found += [
                self.reader.schema["words"].from_bytes(b)
                for b, _ in zip(
                    self.reader.expand_prefix("words", variant),
                    range(MAX_EXPANSIONS * 8),
                    strict=False,
                )
            ]
        words = _bounded(found, self.reader)
        if not negated:
            self.highlight.words.update(words)
        if not words:
            return wq.NullQuery
        return wq.Or([wq.Term("words", w) for w in words], boost=PREFIX_BOOST)

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


NEAR_SCAN_LIMIT = 4000  # terms walked directly before handing over to Whoosh's automaton


def _near_terms(reader: object, fieldname: str, word: str, distance: int) -> list[str]:
    """Indexed terms within ``distance`` edits of ``word`` (transpositions count as one),
    sharing its first letter.

    Walks the sorted terms with one edit-distance row per character, reusing the rows of the
    prefix shared with the previous term and abandoning a term as soon as its row exceeds
    ``distance``. For the vocabulary of a few thousand documents this is several times
    cheaper than building Whoosh's Levenshtein automaton; a larger vocabulary falls back to
    the automaton, which scales with the word instead of the vocabulary.
    """
    if not word:
        return []
    n = len(word)
    rows: list[list[int]] = [list(range(n + 1))]
    previous = ""
    found: list[str] = []
    for count, raw in enumerate(reader.expand_prefix(fieldname, word[0])):
        if count >= NEAR_SCAN_LIMIT:
            return list(reader.terms_within(fieldname, word, distance, prefix=1))
        term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        shared = 0
        limit = min(len(previous), len(term), len(rows) - 1)
        while shared < limit and previous[shared] == term[shared]:
            shared += 1
        del rows[shared + 1 :]
        alive = True
        for i in range(shared, len(term)):
            above = rows[i]
            char = term[i]
            row = [i + 1]
            for j in range(1, n + 1):
                cost = 0 if word[j - 1] == char else 1
                value = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + cost)
                if i and j > 1 and char == word[j - 2] and term[i - 1] == word[j - 1]:
                    value = min(value, rows[i - 1][j - 2] + 1)
                row.append(value)
            rows.append(row)
            if min(row) > distance:
                alive = False
                break
        previous = term
        if alive and abs(len(term) - n) <= distance and rows[len(term)][n] <= distance:
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


def _bounded(words: Iterable[str], reader: object, fieldname: str = "words") -> list[str]:
    """At most MAX_EXPANSIONS words, the most frequent first, so no expansion is unbounded."""
    unique = list(dict.fromkeys(words))
    if len(unique) > MAX_EXPANSIONS:
        unique.sort(key=lambda w: -reader.doc_frequency(fieldname, w))
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
        out.append(wq.Or([wq.TermRange(f, filters.date_from or None, end) for f in ("date", "dates")]))
    return out


class _DeadlineCollector(WrappingCollector):
    """Stops collecting at a deadline. Whoosh's TimeLimitCollector starts a timer thread per
    search (about 3 ms) and skips a FilterCollector's checks; a clock check every 256
    documents costs nothing."""

    def __init__(self, child: object, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child = self.child
        for count, sub_docnum in enumerate(child.matches()):
            if not count & 255 and time.monotonic() > self.deadline:
                raise TimeLimit
            child.collect(sub_docnum)


@dataclass
class _Hits:
    items: list[tuple[int, float]]  # (docnum, score), best first
    truncated: bool
    documents: dict[str, list[tuple[int, float]]]


class _Search:
    def __init__(self, searcher: object, request: SearchRequest, node: query.Node | None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.request = request
        self.node = node
        self.deadline = time.monotonic() + max(0.05, request.time_limit)
        filters = _filters(request.filters)
        self.filter_query = (
            None if not filters else filters[0] if len(filters) == 1 else wq.And(filters)
        )
        self.doc_ids = self.reader.column_reader("document_id")

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
            retry = _Translator(self.reader, fuzzy=True)
            retry_query = self._whoosh_query(retry)
            if retry.expanded and retry_query is not None:
                # The retry query contains the original one, so it finds a superset.
                widened = self._collect(retry_query)
                self.variants = retry.variants
                if len(widened.items) > len(hits.items):  # typo variants found more pages
                    hits, fuzzy, highlight = widened, True, retry.highlight
        documents = self._documents(hits, highlight)
        return SearchOutcome(
            documents=documents,
            total_pages=len(hits.items),
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
                excluded.update(
                    self.doc_ids[docnum] for docnum in self.searcher.docs_for_query(translated)
                )
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
        if self.filter_query is not None:  # Require: filters narrow, they do not score
            whoosh_query = wq.Require(whoosh_query, self.filter_query)
        limited = _DeadlineCollector(self.searcher.collector(limit=None), self.deadline)
        truncated = False
        try:
            self.searcher.search_with_collector(whoosh_query, limited)
        except TimeLimit:
            truncated = True
        results = limited.results()
        items = [(docnum, float(score or 0.0)) for docnum, score in results.items()]
        items.sort(key=lambda item: -item[1])
        documents: dict[str, list[tuple[int, float]]] = {}
        kept: list[tuple[int, float]] = []
        for docnum, score in items:
            document_id = self.doc_ids[docnum]
            if document_id not in self.excluded:
                documents.setdefault(document_id, []).append((docnum, score))
                kept.append((docnum, score))
        return _Hits(kept, truncated, documents)

    def _documents(self, hits: _Hits, highlight: _Highlight) -> tuple[DocumentMatch, ...]:
        ranked = [(doc_id, _document_score(pages)) for doc_id, pages in hits.documents.items()]
        ranked.sort(key=lambda item: -item[1])
        if self.request.sort == "date":
            dates = self.reader.column_reader("date")
            ranked.sort(key=lambda item: dates[hits.documents[item[0]][0][0]] or "", reverse=True)
        out: list[DocumentMatch] = []
        page_numbers = self.reader.column_reader("page")
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
                    snippet = make_snippet(stored.get("content", ""), highlight)
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
        corrector = None
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
                    corrector = corrector or self.searcher.corrector("words")
                    found = corrector.suggest(token.word, limit=1, maxdist=distance, prefix=1)
                    printed = found[0] if found else None
                if printed:
                    replaced[token.word] = printed
        if not replaced:
            return None
        words: list[str] = []
        for raw in query.clean(self.request.query).split():
            lowered = analysis.normalize(raw)
            words.append(replaced.get(lowered, raw))
        return " ".join(words)


def _printed_form(text: str, stems: Sequence[str]) -> str | None:
    wanted = set(stems)
    for token in analysis.tokenize(text):
        if token.term in wanted:
            return text[token.start : token.end]  # as printed, capitals included
    return None


def _document_score(pages: list[tuple[int, float]]) -> float:
    """The best page decides; more matching pages add a little (log-damped)."""
    best = pages[0][1]
    return best * (1.0 + 0.05 * math.log(len(pages)))


def make_snippet(text: str, highlight: _Highlight, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters around the densest cluster of matches, matches marked."""
    text = text.replace(HIGHLIGHT_START, " ").replace(HIGHLIGHT_END, " ")
    spans = analysis.matching_spans(text, highlight.matches)
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
