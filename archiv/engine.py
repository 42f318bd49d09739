"""The small interface between archiv and its full-text engine.

The store (SQLite) is the source of truth; the engine holds one entry per *page* and can always
be rebuilt from the store. Whoosh implements this in ``archiv/index.py`` (the only module that
imports whoosh), so a later tantivy or PostgreSQL engine replaces one module, not fifty files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class IndexPage:
    """Everything the engine needs to find, filter and show one page."""

    document_id: str
    page: int
    text: str
    path: str
    title: str | None = None
    date: str | None = None  # the document's own date, ISO at its precision
    municipality: str | None = None
    doc_type: str | None = None
    references: tuple[str, ...] = ()  # normalised reference numbers on this page (and the doc's own)
    bodies: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()  # ISO values of the dates on this page


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters given as options (``--city`` …); the query language has field syntax for the same."""

    city: str | None = None
    body: str | None = None
    doc_type: str | None = None
    ref: str | None = None
    date_from: str | None = None  # ISO prefix: 2015, 2015-03, 2015-03-12
    date_to: str | None = None


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    limit: int = 10  # documents, not pages
    sort: Literal["relevance", "date"] = "relevance"
    facets: bool = False
    time_limit: float = 5.0  # seconds; a search never runs longer


@dataclass(frozen=True, slots=True)
class PageMatch:
    page: int
    score: float
    snippet: str  # matches wrapped in HIGHLIGHT_START / HIGHLIGHT_END


@dataclass(frozen=True, slots=True)
class DocumentMatch:
    """One document with its matching pages, best page first."""

    document_id: str
    path: str
    title: str | None
    date: str | None
    municipality: str | None
    doc_type: str | None
    score: float
    pages: tuple[PageMatch, ...]


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    documents: tuple[DocumentMatch, ...]
    total_pages: int  # matching pages before grouping and limiting
    suggestion: str | None = None  # "did you mean", from the index vocabulary
    fuzzy: bool = False  # results came from the typo-tolerant fallback
    facets: dict[str, dict[str, int]] | None = None  # municipality/year/type/body → value → count
    truncated: bool = False  # the time limit cut the search short


# Markers around highlighted words in snippets; the CLI turns them into bold or **…**/<mark>.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


class IndexWriter(Protocol):
    def replace(self, document_id: str, pages: Sequence[IndexPage]) -> None:
        """Delete every page of ``document_id`` and add ``pages``; idempotent within a batch."""

    def delete(self, document_id: str) -> None: ...


class SearchEngine(Protocol):
    """What the pipeline, search and check need from a full-text engine."""

    def writer(self) -> AbstractContextManager[IndexWriter]:
        """One batch; commits on clean exit, discards on an exception."""

    def search(self, request: SearchRequest) -> SearchOutcome: ...

    def document_ids(self) -> Iterator[tuple[str, int]]:
        """(document_id, page) of every stored page, duplicates included, for ``archiv check``."""

    def page_count(self) -> int: ...
