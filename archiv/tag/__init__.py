"""Tagging: dates, reference numbers, places and bodies on each page, plus document facts.

spaCy is imported lazily inside :func:`tag_pages`, so ``import archiv.tag`` stays cheap for the
CLI and for search (which only needs :func:`archiv.tag.references.looks_like_reference`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archiv.models import DocumentFacts, Mention, PageText

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["TagResult", "tag_pages"]

# spaCy refuses texts over nlp.max_length (E088); pages that long are split at line breaks.
_CHUNK_SLACK = 10_000


@dataclass(frozen=True, slots=True)
class TagResult:
    mentions: tuple[Mention, ...]
    facts: DocumentFacts


def _chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs below ``limit``, cut at a line break where there is one."""
    start = 0
    while len(text) - start > limit:
        newline = text.rfind("\n", max(start, start + limit - _CHUNK_SLACK), start + limit)
        cut = newline + 1 if newline >= start else start + limit
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def _make_doc(nlp: Language, text: str) -> Doc:
    """Tokenise, and hand the components the text itself: ``Doc.text`` is rebuilt per access."""
    doc = nlp.make_doc(text)
    doc.user_data["archiv_text"] = text
    return doc


def _by_page(mentions: Sequence[Mention]) -> dict[int, list[Mention]]:
    """Mentions grouped by page, in their order: a scan of all mentions per page is quadratic."""
    groups: dict[int, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(m.page, []).append(m)
    return groups


def _bare_references_across_pages(
    pages: Sequence[PageText], mentions: Sequence[Mention]
) -> list[Mention]:
    """A bare "0002/15" is a reference when any page of the document labels that number."""
    from archiv.tag.references import Intervals, find_bare_references

    known = {m.value: m.kind or "drucksache" for m in mentions if m.label == "reference"}
    if not known:
        return []
    by_page = _by_page(mentions)
    added: list[Mention] = []
    for page in pages:
        on_page = by_page.get(page.number, [])
        taken = Intervals((m.start, m.end) for m in on_page if m.label in ("reference", "date"))
        for ref in find_bare_references(page.text, known, taken):
            added.append(
                Mention(
                    label="reference",
                    text=ref.text,
                    value=ref.value,
                    page=page.number,
                    start=ref.start,
                    end=ref.end,
                    kind=ref.kind,
                )
            )
    return added


def _is_own(reference: Mention, facts: DocumentFacts) -> bool:
    """The document's own number, or a resolution number its minutes assign.

    Minutes number the resolutions of their meeting ("Beschluss-Nr. VII/2021/0123"); an older
    one they cite carries an earlier year, so only a number holding the meeting's year is own.
    """
    if reference.value == facts.reference:
        return True
    return (
        facts.doc_type == "niederschrift"
        and reference.kind == "beschluss"
        and facts.date is not None
        and facts.date[:4] in reference.value
    )


def _repeats_own_date(date: Mention, own: Mention) -> bool:
    """The own date itself, or a repeat of it without a role (masthead, running header).

    A repeat takes the own date's role: in minutes the date repeated is the meeting's.
    """
    return (
        date.label == "date"
        and date.role is None
        and (date is own or (date.precision == "day" and date.value == own.value))
    )


def tag_pages(pages: Sequence[PageText], *, title: str | None = None) -> TagResult:
    """Tag every page, infer the document's facts, then resolve dates relative to its date.

    Mention offsets are offsets into each ``PageText.text``. A reference in the header of
    page 1 is the document's own (role ``own``), and so are the resolution numbers of the
    meeting in minutes; every other reference is ``cited``.
    """
    from archiv.tag.base import spans_to_mentions
    from archiv.tag.dates import find_relative_dates
    from archiv.tag.facts import infer_facts, own_date_mention
    from archiv.tag.nlp import build_nlp

    nlp = build_nlp()
    limit = nlp.max_length - 1
    pieces = [
        (page.number, offset, chunk)
        for page in pages
        for offset, chunk in _chunks(page.text, limit)
    ]
    mentions: list[Mention] = []
    docs = nlp.pipe(_make_doc(nlp, chunk) for _, _, chunk in pieces)
    for (number, offset, _), doc in zip(pieces, docs, strict=True):
        for m in spans_to_mentions(doc, number):
            if offset:
                m = dataclasses.replace(m, start=m.start + offset, end=m.end + offset)
            mentions.append(m)

    mentions += _bare_references_across_pages(pages, mentions)
    facts = infer_facts(pages, mentions, title)
    # A header date with no other role ("Datum: 12.03.2021") dates the paper itself, and so
    # does every role-less repeat of it (masthead, running header): role "document" (or the
    # own date's role, "meeting" in minutes), so that nobody reads it as a decision's date.
    own_date = own_date_mention(pages, mentions)
    mentions = [
        dataclasses.replace(m, role="own" if _is_own(m, facts) else "cited")
        if m.label == "reference"
        else dataclasses.replace(m, role=own_date.role or "document")
        if own_date is not None and _repeats_own_date(m, own_date)
        else m
        for m in mentions
    ]
    if facts.date:
        by_page = _by_page(mentions)
        for page in pages:
            on_page = by_page.setdefault(page.number, [])
            taken = [(m.start, m.end) for m in on_page]
            for d in find_relative_dates(page.text, reference_date=facts.date):
                if any(d.start < e and d.end > s for s, e in taken):
                    continue
                relative = Mention(
                    label="date",
                    text=d.text,
                    value=d.value,
                    page=page.number,
                    start=d.start,
                    end=d.end,
                    precision=d.precision,  # type: ignore[arg-type]
                    end_value=d.end_value,
                    role=d.role,
                )
                mentions.append(relative)
                on_page.append(relative)
    mentions.sort(key=lambda m: (m.page, m.start, m.end, m.label))
    return TagResult(mentions=tuple(mentions), facts=facts)
