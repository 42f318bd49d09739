"""Domain types shared by every stage: ingest → extract → tag → store/index → search/chronology.

Glossary (German administrative words kept where they are the precise term; OParl 1.1 names in
brackets for a later import/export):

- *Drucksache* / *Vorlage* (``Paper``): a numbered paper put to a council body; its number is a
  *reference* (``Paper.reference``), unique only within one municipality.
- *Gremium* (``Organization``): a council body: Rat, Ausschuss, Bezirksvertretung, Kreistag …
- *Beschluss* (``AgendaItem.resolutionText``/``result``): a resolution actually taken.
- *Beschlussvorschlag*: a proposed resolution; a proposal, never a decision.
- *Niederschrift* / *Protokoll*: minutes, where decisions and votes are recorded.

Every type is a frozen dataclass with ``to_dict()`` so that outputs never serialise ad hoc.
No third-party imports here: every stage depends on this module, it depends on nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Precision = Literal["day", "month", "year"]
MentionLabel = Literal["date", "place", "reference", "body"]
ReferenceKind = Literal["drucksache", "antrag", "beschluss"]
ResolutionKind = Literal["resolution", "proposal", "event"]
ResolutionStatus = Literal["decided", "rejected", "recommended", "noted", "referred", "postponed"]
DocumentStatus = Literal["ok", "ok:no_text", "failed"]

# Why a page has no text: the store keeps the reason per page, so `archiv status --needs-ocr`
# can say what would help and `archiv ingest` knows which pages a run with OCR would fix.
NO_TEXT_REASONS: dict[str, str] = {
    "ocr_off": "no text layer, OCR off (--ocr never)",
    "ocr_unavailable": "no text layer, OCR unavailable (install tesseract-ocr and tesseract-ocr-deu)",
    "ocr_failed": "no text layer, OCR failed (error or time limit)",
    "ocr_empty": "no text layer, OCR found no text (a drawing or a blank page)",
    "empty": "the page has no text",
}
# Reasons a later run can fix: OCR was not tried (or broke), not OCR that found nothing.
OCR_FIXABLE = frozenset({"ocr_off", "ocr_unavailable", "ocr_failed"})


def _as_dict(obj: Any) -> dict[str, Any]:
    """Shallow-to-deep conversion that keeps tuples as lists, for JSON."""
    return dataclasses.asdict(obj)


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How to read one file; handed to the (isolated) extraction worker."""

    ocr: Literal["auto", "always", "never"] = "auto"
    password: str | None = None
    timeout: float = 120.0  # seconds per file, enforced by the worker's parent
    memory_mb: int = 2048  # address-space limit of the worker process
    max_pages: int = 5000


@dataclass(frozen=True, slots=True)
class PageText:
    """The cleaned text of one page; ``number`` is 1-based like a printed page number."""

    number: int
    text: str
    ocr: bool = False  # the text came from Tesseract, not from the PDF's text layer
    no_text: str | None = None  # why the page has no text (a NO_TEXT_REASONS key); None if it has

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class ExtractedFile:
    """What extraction knows about a file before any tagging."""

    pages: tuple[PageText, ...]
    title: str | None = None  # from the file's metadata, when it has a useful one
    file_type: str = "pdf"  # pdf, txt, docx, odt
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Mention:
    """One tagged span on one page; ``start``/``end`` are character offsets in that page's text."""

    label: MentionLabel
    text: str  # as printed
    value: str  # normalised: ISO date at its precision, reference number, place name, body name
    page: int
    start: int
    end: int
    precision: Precision | None = None  # dates only
    end_value: str | None = None  # date ranges only
    role: str | None = None  # dates: meeting/decision/deadline/period/document; refs: own/cited
    kind: str | None = None  # references: drucksache/antrag/beschluss; bodies: rat/ausschuss/…

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    """Document-level conclusions drawn by tagging (the document's own date, place, number)."""

    doc_type: str | None = None  # mitteilung, beschlussvorlage, niederschrift, antrag, praesentation …
    date: str | None = None  # ISO at ``date_precision``
    date_precision: Precision | None = None
    municipality: str | None = None
    reference: str | None = None  # the document's own Drucksache number, normalised
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a statement comes from: a document, a page and the sentence as printed."""

    document_id: str
    path: str
    page: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "path": self.path, "page": self.page,
                "text": self.text}


@dataclass(frozen=True, slots=True)
class Resolution:
    """One dated statement about a decision, proposal or event, as one document reports it."""

    kind: ResolutionKind
    status: ResolutionStatus | None
    date: str | None  # ISO at ``precision``
    precision: Precision | None
    end_date: str | None
    body: str | None
    city: str | None
    subject: str
    references: tuple[str, ...]
    outcome: str | None  # "einstimmig", "mit 25 Ja-, 3 Nein-Stimmen bei 2 Enthaltungen"
    source: Source

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class MergeFeatures:
    """What the chronology compares a :class:`Resolution` by, derived from it once.

    Folding, stemming and normalising references cost far more than the comparisons that use
    them, so the ingest workers derive them next to the resolution and the store keeps them
    beside it: the chronology of a large archive then only looks them up. How they are
    derived is ``archiv.chronology.merge_features`` (``FEATURES_VERSION``).
    """

    refs: tuple[str, ...]  # normalised reference keys, sorted, each once
    body: str | None  # the body's comparison key ("Rat der Stadt Bielefeld" → "rat")
    city: str | None  # folded city
    stems: str  # crude stems of subject and sentence, sorted, space-separated
    subject_stems: str  # the same of the subject alone
    text: str  # the folded sentence, searched for city names; "" for events (they ignore cities)


@dataclass(frozen=True, slots=True)
class FeaturedResolutions:
    """One document's resolutions and their :class:`MergeFeatures`, pairwise in the same order.

    What an ingest worker hands the writer: iterating it gives the resolutions, so it passes
    wherever resolutions do, and the store takes the features from it instead of deriving
    them in the single writer process. A new tuple of resolutions built from it (or from
    edited copies) carries no features, so features never outlive the records they describe.
    """

    resolutions: tuple[Resolution, ...]
    features: tuple[MergeFeatures, ...]

    def __post_init__(self) -> None:
        if len(self.resolutions) != len(self.features):
            raise ValueError("one MergeFeatures per resolution")

    def __iter__(self) -> Iterator[Resolution]:
        return iter(self.resolutions)

    def __len__(self) -> int:
        return len(self.resolutions)


@dataclass(frozen=True, slots=True)
class ChronologyEntry:
    """One real-world decision or event, merged across every document that reports it."""

    date: str | None
    end_date: str | None
    precision: Precision | None
    kind: ResolutionKind
    status: ResolutionStatus | None
    body: str | None
    city: str | None
    subject: str
    references: tuple[str, ...]
    outcome: str | None
    sources: tuple[Source, ...]
    conflicts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # Spelled out: ``dataclasses.asdict`` deep-copies every value, 75 µs an entry, most of
        # the time of ``archiv chronik --json`` over a large archive.
        return {
            "date": self.date,
            "end_date": self.end_date,
            "precision": self.precision,
            "kind": self.kind,
            "status": self.status,
            "body": self.body,
            "city": self.city,
            "subject": self.subject,
            "references": list(self.references),
            "outcome": self.outcome,
            "sources": [s.to_dict() for s in self.sources],
            "conflicts": list(self.conflicts),
        }


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A document as the store knows it (what ``archiv documents`` lists)."""

    document_id: str  # sha256 of the file bytes
    path: str
    title: str | None
    type: str | None
    date: str | None
    municipality: str | None
    pages: int
    status: DocumentStatus
    error: str | None = None
    reference: str | None = None
    date_precision: Precision | None = None
    file_type: str | None = None
    ingested_at: str | None = None
    state: str | None = None  # staged/parsed/tagged/indexed/failed (the store's state machine)
    reason: str | None = None  # failure reason word: encrypted, not_pdf, timeout …
    pages_without_text: int = 0  # pages stored with no text (status ok:no_text when all are)

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching page; hits of one document are grouped by the search layer."""

    document_id: str
    path: str
    title: str | None
    page: int
    score: float
    snippet: str  # plain text with matches wrapped in «…» markers (see search.HIGHLIGHT_*)
    date: str | None
    municipality: str | None = None
    type: str | None = None
    pages: tuple[int, ...] = field(default_factory=tuple)  # every matching page of the document

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """The outcome for one input file; a batch yields one per file and never stops on a bad one."""

    path: str
    outcome: Literal["added", "updated", "unchanged", "failed", "skipped"]
    document_id: str | None = None
    pages: int = 0
    reason: str | None = None  # machine-readable failure reason: encrypted, not_pdf, timeout …
    message: str | None = None  # one human line
    seconds: float = 0.0
    ocr_pages: int = 0  # pages whose text came from OCR
    pages_without_text: tuple[int, ...] = ()  # page numbers stored without text
    no_text: str | None = None  # why (a NO_TEXT_REASONS key; the first one when pages differ)
