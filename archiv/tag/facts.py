"""What a document says about itself: its type, own date, own number, title and municipality.

Everything is read from the *header* of page 1, the part before the first section heading
("Mitteilung:", "Sachverhalt:", "Beschlussvorschlag:") or the first paragraph of prose. The
header is where a council paper names itself; the body cites other papers and past dates, and
confusing the two would date a 2023 Mitteilung by the 2015 decision it reports.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from archiv.models import DocumentFacts, Mention, PageText

log = logging.getLogger(__name__)

_HEADER_MAX_CHARS = 900
_HEADER_MAX_LINES = 15
_PROSE_LINE = 90  # a line this long with many words is running text, not a header field
_TITLE_MAX = 200
_TYPE_LINES = 8  # a type word or own number further down the header is cited, not a heading
_LEAD_WORDS = 3  # "Stadt Paderborn Drucksache Nr. …": at most this many words before it
_LABEL_ZONE_MAX_CHARS = 1500  # "Datum:" / "Beratungsfolge:" further down are not the header's
_NEVER_OWN_ROLES = frozenset({"period", "deadline"})
# "Stadt Bielefeld", "Der Oberbürgermeister": who writes, not what about.
_LETTERHEAD = re.compile(
    r"^(?:(?:Stadt|Gemeinde|Kreis|Landkreis|Hansestadt|Markt|Amt)\s+\S+(?:\s+\S+)?"
    r"|(?:Der|Die)\s+(?:Ober)?[Bb]ürgermeister(?:in)?(?:\s+der\s+Stadt\s+\S+)?"
    r"|(?:Seite|Blatt)\s+\d+.*)$"
)


@dataclass(frozen=True, slots=True)
class _Rules:
    types: tuple[tuple[str, re.Pattern[str]], ...]
    body_marker: re.Pattern[str]
    title_label: re.Pattern[str]
    date_label: re.Pattern[str]
    own_date_label: re.Pattern[str]
    agenda_label: re.Pattern[str]
    closing: re.Pattern[str]


@cache
def _rules() -> _Rules:
    raw = resources.files("archiv.tag").joinpath("data").joinpath("doc_types.json")
    data: dict[str, Any] = json.loads(raw.read_text(encoding="utf-8"))
    return _Rules(
        types=tuple((name, re.compile(rx, re.IGNORECASE)) for name, rx in data["types"]),
        body_marker=re.compile(data["body_markers"], re.IGNORECASE),
        title_label=re.compile(data["title_labels"], re.IGNORECASE),
        date_label=re.compile(data["date_labels"], re.IGNORECASE),
        own_date_label=re.compile(data["own_date_labels"], re.IGNORECASE),
        agenda_label=re.compile(data["agenda_labels"], re.IGNORECASE | re.MULTILINE),
        closing=re.compile(data["closing_phrases"], re.IGNORECASE),
    )


def header_end(text: str) -> int:
    """Offset in page 1's text where the header stops and the body begins."""
    rules = _rules()
    offset = 0
    lines = 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            if rules.body_marker.match(stripped):
                return offset
            # Running text starts a sentence; a long header line continues a heading in
            # lower case ("für den Ausschuss für Umwelt, Klimaschutz … am 25.10.2023").
            if (
                len(stripped) >= _PROSE_LINE
                and len(stripped.split()) >= 10
                and not stripped[0].islower()
            ):
                return offset
            lines += 1
            if lines > _HEADER_MAX_LINES:
                return offset
        offset += len(line)
        if offset >= _HEADER_MAX_CHARS:
            return _HEADER_MAX_CHARS
    return offset


def _header_lines(text: str) -> list[str]:
    return [line.strip() for line in text[: header_end(text)].splitlines() if line.strip()]


def _leads_line(line: str, start: int) -> bool:
    """A heading word stands near the start of its line, not inside a sentence or brackets.

    "(Vorlage 0002/15)" in "Ratsbeschluss Februar 2015: Beitritt (Vorlage 0002/15)" is cited.
    """
    prefix = line[:start]
    return "(" not in prefix and ":" not in prefix and len(prefix.split()) <= _LEAD_WORDS


def _line_index(text: str, offset: int) -> int:
    """Number of non-empty lines before the one holding ``offset``."""
    return sum(1 for line in text[:offset].splitlines()[:-1] if line.strip()) if offset else 0


def _is_presentation(pages: Sequence[PageText]) -> bool:
    """Slides: a thank-you page, or several pages of short lines and few words."""
    if not pages:
        return False
    if _rules().closing.search(pages[-1].text[-600:]):
        return True
    if len(pages) < 3:
        return False
    words = [len(p.text.split()) for p in pages]
    lines = [line.strip() for p in pages for line in p.text.splitlines() if line.strip()]
    mean_line = sum(len(line) for line in lines) / max(1, len(lines))
    return statistics.median(words) < 120 and mean_line < 45


def infer_doc_type(pages: Sequence[PageText]) -> str | None:
    if not pages:
        return None
    lines = _header_lines(pages[0].text)[:_TYPE_LINES]
    for name, pattern in _rules().types:
        for line in lines:
            if any(_leads_line(line, m.start()) for m in pattern.finditer(line)):
                return name
    return "praesentation" if _is_presentation(pages) else None


def _title(pages: Sequence[PageText], metadata_title: str | None) -> str | None:
    if not pages:
        return _clean_title(metadata_title)
    rules = _rules()
    lines = [line.strip() for line in pages[0].text[:3000].splitlines()]
    for i, line in enumerate(lines):
        m = rules.title_label.match(line)
        if not m:
            continue
        rest = m.group("rest").strip()
        if rest:
            return _clean_title(rest)
        following = next((nxt for nxt in lines[i + 1 :] if nxt), None)
        if following and not rules.body_marker.match(following):
            return _clean_title(following)
    if cleaned := _clean_title(metadata_title):
        return cleaned
    header = _header_lines(pages[0].text) or [x for x in lines if x][:1]
    for i, line in enumerate(header):
        if sum(c.isalpha() for c in line) < 4 or _LETTERHEAD.match(line):
            continue
        if any(p.fullmatch(line.rstrip(":")) for _, p in rules.types):
            # The type word names the kind, not the subject, unless a line continues it:
            # "Niederschrift" + "über die 7. Sitzung des Rates" is the title of minutes.
            nxt = header[i + 1] if i + 1 < len(header) else ""
            if nxt[:1].islower():
                return _clean_title(f"{line} {nxt}")
            continue
        return _clean_title(line)
    return None


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    cleaned = " ".join(title.split()).strip(" :-–")
    if sum(c.isalpha() for c in cleaned) < 4:
        return None
    return cleaned[:_TITLE_MAX]


def _label_zone(text: str) -> int:
    """Where page 1's labelled fields can still stand: up to the first section heading.

    Wider than :func:`header_end`, which stops at the first long line; a long "Federführung:
    …" field must not hide the "Beratungsfolge:" block below it.
    """
    rules = _rules()
    offset = 0
    for line in text[:_LABEL_ZONE_MAX_CHARS].splitlines(keepends=True):
        if rules.body_marker.match(line.strip()):
            return offset
        offset += len(line)
    return offset


def _agenda_dates(text: str, dates: Sequence[Mention], zone: int) -> list[Mention]:
    """Dates in the "Beratungsfolge:" block, which runs until the next labelled line."""
    rules = _rules()
    label = rules.agenda_label.search(text, 0, zone)
    if label is None:
        return []
    end = label.end()
    first = True
    for line in text[label.end() : zone].splitlines(keepends=True):
        stripped = line.strip()
        if not first and (rules.title_label.match(stripped) or rules.agenda_label.match(stripped)):
            break
        first = False
        end += len(line)
    return [m for m in dates if label.end() <= m.start < end]


def _own_date(pages: Sequence[PageText], mentions: Sequence[Mention]) -> Mention | None:
    """The paper's own date, strongest evidence first.

    A meeting date in the header (minutes), an explicit "Datum:", the first meeting of a
    Vorlage's "Beratungsfolge:", another labelled header date, the first header date, and
    only then the latest date anywhere on page 1. A period's start or a deadline never dates
    the paper: "Förderzeitraum vom 01.03.2021 bis …" says nothing about when it was written.
    """
    if not pages:
        return None
    first = pages[0]
    text = first.text
    end = header_end(text)
    dates = [
        m
        for m in mentions
        if m.label == "date"
        and m.page == first.number
        and m.precision == "day"
        and m.role not in _NEVER_OWN_ROLES
    ]
    header = [m for m in dates if m.start < end]
    for m in header:
        if m.role == "meeting":
            return m
    rules = _rules()
    zone = _label_zone(text)
    for m in dates:
        if m.start >= zone:
            continue
        line_start = text.rfind("\n", 0, m.start) + 1
        if rules.own_date_label.search(text[line_start : m.start]):
            return m
    if agenda := _agenda_dates(text, dates, zone):
        return agenda[0]
    for m in header:
        line_start = text.rfind("\n", 0, m.start) + 1
        if rules.date_label.search(text[line_start : m.start]):
            return m
    if header:
        return header[0]
    return max(dates, key=lambda m: m.value) if dates else None


def own_date_mention(pages: Sequence[PageText], mentions: Sequence[Mention]) -> Mention | None:
    """The date mention the document's own date comes from (see :func:`infer_facts`)."""
    return _own_date(pages, mentions)


def own_reference(pages: Sequence[PageText], mentions: Sequence[Mention]) -> str | None:
    """The document's own number: a reference printed in the header of page 1."""
    if not pages:
        return None
    text = pages[0].text
    end = header_end(text)
    for m in mentions:
        if m.label != "reference" or m.page != pages[0].number or m.start >= end:
            continue
        line_start = text.rfind("\n", 0, m.start) + 1
        if _leads_line(text[line_start : m.start], m.start - line_start) and (
            _line_index(text, m.start) < _TYPE_LINES
        ):
            return m.value
    return None


def _municipality(pages: Sequence[PageText], mentions: Sequence[Mention]) -> str | None:
    """Delegated to the places module, which knows the gazetteer; optional until it exists."""
    try:
        places = importlib.import_module("archiv.tag.places")
    except ModuleNotFoundError as error:
        if error.name != "archiv.tag.places":
            raise
        log.debug("archiv.tag.places is not available: no municipality inferred")
        return None
    infer = getattr(places, "infer_municipality", None)
    return infer(pages, mentions) if infer is not None else None


def infer_facts(
    pages: Sequence[PageText], mentions: Sequence[Mention], title: str | None
) -> DocumentFacts:
    """Document-level facts from page 1's header and the page mentions."""
    own = _own_date(pages, mentions)
    return DocumentFacts(
        doc_type=infer_doc_type(pages),
        date=own.value if own else None,
        date_precision=own.precision if own else None,  # type: ignore[arg-type]
        municipality=_municipality(pages, mentions),
        reference=own_reference(pages, mentions),
        title=_title(pages, title),
    )
