"""Dates in German council papers, with the precision they were printed at.

Candidates come from regular expressions (dateparser cannot find a date inside a sentence),
and a day is only accepted if it exists in the calendar, which rejects ``31.02.2015``. By the
time a day is checked the regex has already split it into day, month and year numbers (month
names are mapped by ``data/dates.json``), so all that is left to decide is whether the calendar
has that day. :func:`dateparser_day` (dateparser with the design card's explicit settings) is
the reference for that decision; ``datetime.date`` gives the same answer for every one of the
74,400 day/month/year triples :func:`_parse_day` can be asked about (years 1900–2099, checked
exhaustively by ``tests/test_tag_dates.py``) at 1 µs instead of 1.5 ms, so it is the one used
while tagging. A month or year is never handed to a parser: dateparser would invent the
missing day ("Februar 2015" → 22 February), and a chronology must say ``2015-02``, not a day
nobody wrote.

Everything a date must *not* be (a Drucksache number ``0002/15``, a phone number, money, a
paragraph, a time) is kept out by construction: day dates need dots, bare years need a cue
word, and slashes never take part in a date.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from archiv.tag.base import add_span
from archiv.tag.references import Intervals

log = logging.getLogger(__name__)

_DATEPARSER_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "RETURN_TIME_AS_PERIOD": False,
}
_MIN_YEAR = 1900
_MAX_YEAR = 2099


@dataclass(frozen=True, slots=True)
class DateMatch:
    """One date as printed; ``value`` is ISO at ``precision`` (``2015``, ``2015-02``, ``2015-02-12``)."""

    start: int
    end: int
    text: str
    value: str
    precision: str
    end_value: str | None = None
    role: str | None = None
    relative: bool = False  # resolved against ``reference_date`` ("im September dieses Jahres")


def _load(name: str) -> dict[str, Any]:
    data = resources.files("archiv.tag").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return json.loads(data)


class _Patterns:
    """Compiled once per process from ``data/dates.json`` and ``data/date_roles.json``."""

    def __init__(self) -> None:
        words = _load("dates.json")
        roles = _load("date_roles.json")
        self.month_of: dict[str, int] = {}
        for number, spellings in words["months"].items():
            for spelling in spellings:
                self.month_of[spelling.lower()] = int(number)
        months = "|".join(re.escape(s) for s in sorted(self.month_of, key=len, reverse=True))
        # A full name must end at a word border; an abbreviation ends with its dot.
        month = rf"(?P<mn>(?i:{months}))(?<=\.)|(?P<mn2>(?i:{months}))(?![\wäöüß])"
        month = rf"(?:{month})"
        self.pivot: int = int(words["two_digit_year_pivot"])
        year4 = r"(?P<y>(?:19|20)\d\d)"
        tail = r"(?![\w/]|[.,:]\d)"
        # The "not after" lookbehinds stand after the first digit, not in front of the pattern:
        # a pattern that starts with an assertion makes ``re`` try every character of the
        # page, one that starts with a digit lets it jump from digit to digit (same matches:
        # "\d(?<![…]\d)" is "(?<![…])\d", and "\d\d?" tries two digits, then one, as "\d{1,2}").
        day = r"(?P<d>\d(?<![\w.,/:§]\d)\d?)"
        self.numeric = re.compile(rf"{day}\.(?P<m>\d{{1,2}})\.(?P<y>(?:19|20)\d\d|\d\d){tail}")
        self.iso = re.compile(
            rf"(?P<y>(?:19|20)(?<![\w.,/\-]\d\d)\d\d)-(?P<m>\d\d)-(?P<d>\d\d){tail}"
        )
        self.day_name = re.compile(rf"{day}\.\s*{month}\s*{year4}{tail}")
        self.month_year = re.compile(
            rf"(?<![\w.])(?:{month})(?:\s+des\s+Jahres)?\s*{year4}(?![\w/]|[.,:\-–]\d)"
        )
        relative = "|".join(
            re.escape(k).replace(r"\ ", r"\s+")
            for k in sorted(words["relative_years"], key=len, reverse=True)
        )
        self.relative_offsets = {
            " ".join(k.lower().split()): v for k, v in words["relative_years"].items()
        }
        self.relative = re.compile(
            rf"(?<![\w.,/])(?:(?P<d>\d{{1,2}})\.\s*)?{month}\s+(?P<rel>(?i:{relative}))(?![\w])"
        )
        self.relative_year = re.compile(
            rf"\b(?i:(?:ende|anfang|mitte|im\s+laufe)\s+)(?P<rel>(?i:{relative}))(?![\w])"
        )
        cues = "|".join(c.replace(" ", r"\s+") for c in words["year_cues"])
        not_after = "|".join(words["year_not_after"])
        nouns = "|".join(words["year_nouns"])
        period_cues = "|".join(c.replace(" ", r"\s+") for c in words["period_year_cues"])
        # "Nachtragshaushalt 2024": a capitalised compound may end in one of the nouns. A year
        # after a noun or a period cue is the span the paper covers ("Haushalt 2025"), not
        # when something happened: role "period", which keeps it from dating a decision.
        self.bare_year = re.compile(
            rf"(?<![\w.])(?:(?P<period>(?i:{period_cues})|(?:[A-ZÄÖÜ][a-zäöüß]+-?)?(?i:{nouns}))"
            rf"|(?i:{cues}))"
            rf"\s+(?P<y>(?:19|20)\d\d)"
            rf"(?![\w/]|[.,:\-–]\d|\s*(?:{not_after})(?!\w))"
        )
        self.year_blockers = re.compile(rf"(?:{'|'.join(words['year_not_before'])})\s*$")
        self.prefilter = re.compile(rf"\d|(?i:{months}|jahres)")
        self.relative_prefilter = re.compile(r"(?i:jahres)")
        # A rule's cues as one alternation: "any of them occurs" in one search, not one each.
        self.roles: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
            (
                rule["role"],
                _any_of(rule["before"]),
                _any_of(rule["sentence"]) if rule.get("sentence") else None,
            )
            for rule in roles["roles"]
        ]
        self.weekday_tail = re.compile(roles["weekday_tail"], re.IGNORECASE)
        self.joiners = re.compile(rf"(?:{'|'.join(roles['range_joiners'])})\Z")
        self.and_joiner = re.compile(r"\s+und\s+\Z")
        self.between = re.compile(roles["range_and_requires_before"], re.IGNORECASE)
        # A sentence ends at ". " after a word of 3+ lower-case letters (not "Nr.", "12.", "z.B.").
        # The punctuation first, then the lookbehinds over it: same matches as checking the
        # three letters before it first, but ``re`` can jump from one [.!?] to the next.
        self.sentence_end = re.compile(
            r"[.!?](?:(?<=[a-zäöüß]{3}[.!?])|(?<=[)“\"][.!?]))\s+(?=[A-ZÄÖÜ])"
        )


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive pattern that matches wherever any of ``patterns`` would."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@cache
def _patterns() -> _Patterns:
    return _Patterns()


def _month_number(match: re.Match[str]) -> int:
    spelling = match.group("mn") or match.group("mn2")
    return _patterns().month_of[spelling.lower()]


def _full_year(text: str) -> int:
    """Two-digit years: below the pivot they are 20xx (``19.09.23`` → 2023), else 19xx."""
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < _patterns().pivot else 1900
    return year


def _in_range(day: int, month: int, year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12 and 1 <= day <= 31


def _parse_day(day: int, month: int, year: int) -> str | None:
    """The ISO day if the calendar has it; same answers as :func:`dateparser_day`, 1000× faster.

    Profiling put dateparser at ~45 % of tagging time (1.5 ms a distinct date, and synthetic
    and real archives hold thousands of distinct dates), only to check a day the regex had
    already split into numbers.
    """
    if not _in_range(day, month, year):
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:  # 31.02., 29.02. outside a leap year
        return None


def dateparser_day(day: int, month: int, year: int) -> str | None:
    """The calendar check done by dateparser, the reference :func:`_parse_day` is held to.

    dateparser is imported here, not at module level: tagging never calls it, and a worker
    that does not load dateparser's locale data starts faster and smaller.
    """
    import dateparser

    if not _in_range(day, month, year):
        return None
    parsed = dateparser.parse(
        f"{day}.{month}.{year}", languages=["de"], settings=_DATEPARSER_SETTINGS
    )
    if parsed is None or (parsed.year, parsed.month, parsed.day) != (year, month, day):
        return None
    return parsed.date().isoformat()


def _month_value(month: int, year: int) -> str | None:
    if not (_MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def _reference_year(reference_date: str | None) -> int | None:
    if not reference_date:
        return None
    head = reference_date[:4]
    return int(head) if head.isdigit() else None


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    value: str
    precision: str
    relative: bool = False
    role: str | None = None  # known from the pattern itself, before any context cue


def _candidates(text: str, reference_year: int | None) -> list[_Found]:
    """Every single date, earlier (more specific) patterns winning overlaps."""
    p = _patterns()
    found: list[_Found] = []
    taken = Intervals()

    def keep(
        start: int,
        end: int,
        value: str | None,
        precision: str,
        relative: bool = False,
        role: str | None = None,
    ) -> None:
        if value is not None and taken.free(start, end):
            found.append(_Found(start, end, value, precision, relative, role))
            taken.add(start, end)

    if reference_year is not None:
        for m in p.relative.finditer(text):
            offset = p.relative_offsets[" ".join(m.group("rel").lower().split())]
            year = reference_year + offset
            month = _month_number(m)
            if m.group("d"):
                value = _parse_day(int(m.group("d")), month, year)
                keep(m.start(), m.end(), value, "day", relative=True)
            else:
                keep(m.start(), m.end(), _month_value(month, year), "month", relative=True)
        for m in p.relative_year.finditer(text):
            offset = p.relative_offsets[" ".join(m.group("rel").lower().split())]
            year = reference_year + offset
            if _MIN_YEAR <= year <= _MAX_YEAR:
                keep(m.start(), m.end(), f"{year:04d}", "year", relative=True)
    for m in p.day_name.finditer(text):
        value = _parse_day(int(m.group("d")), _month_number(m), int(m.group("y")))
        keep(m.start(), m.end(), value, "day")
    for m in p.numeric.finditer(text):
        raw_year = m.group("y")
        # "1.2.23" is an outline number far more often than a date: two-digit years need
        # a two-digit day and month ("19.09.23").
        if len(raw_year) == 2 and (len(m.group("d")) < 2 or len(m.group("m")) < 2):
            continue
        if p.year_blockers.search(text, max(0, m.start() - 12), m.start()):
            continue
        value = _parse_day(int(m.group("d")), int(m.group("m")), _full_year(raw_year))
        keep(m.start(), m.end(), value, "day")
    for m in p.iso.finditer(text):
        value = _parse_day(int(m.group("d")), int(m.group("m")), int(m.group("y")))
        keep(m.start(), m.end(), value, "day")
    for m in p.month_year.finditer(text):
        keep(m.start(), m.end(), _month_value(_month_number(m), int(m.group("y"))), "month")
    for m in p.bare_year.finditer(text):
        role = "period" if m.group("period") else None
        keep(m.start("y"), m.end("y"), m.group("y"), "year", role=role)
    found.sort(key=lambda f: f.start)
    return found


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Approximate sentence around a date: enough for role cues, cheap on long pages."""
    p = _patterns()
    lo = max(0, start - 240)
    head = lo
    for m in p.sentence_end.finditer(text, lo, start):
        head = m.end()
    stop = p.sentence_end.search(text, end, min(len(text), end + 300))
    return head, (stop.start() if stop else min(len(text), end + 300))


def _role(text: str, start: int, end: int) -> str | None:
    head, tail = _sentence_bounds(text, start, end)
    # Only the last few characters can hold "am Donnerstag, den": scan no further.
    cut = max(head, start - 40)
    before = text[head:cut] + _patterns().weekday_tail.sub(" ", text[cut:start])
    sentence = text[head:tail]
    for role, before_cue, sentence_cue in _patterns().roles:
        if before_cue.search(before) is None:
            continue
        if sentence_cue is not None and sentence_cue.search(sentence) is None:
            continue
        return role
    return None


def _join_ranges(text: str, found: list[_Found]) -> list[tuple[_Found, _Found | None]]:
    """Pair "01.01.2021 – 31.12.2022" and "vom … bis …" into one period."""
    p = _patterns()
    out: list[tuple[_Found, _Found | None]] = []
    i = 0
    while i < len(found):
        first = found[i]
        if i + 1 < len(found):
            second = found[i + 1]
            gap = text[first.end : second.start]
            joined = bool(p.joiners.match(gap)) and (
                not p.and_joiner.match(gap)
                or bool(p.between.search(text, max(0, first.start - 20), first.start))
            )
            if (
                joined
                and len(gap) <= 40
                and first.precision == second.precision
                and first.value <= second.value
            ):
                out.append((first, second))
                i += 2
                continue
        out.append((first, None))
        i += 1
    return out


def _matches(text: str, reference_year: int | None) -> list[DateMatch]:
    matches: list[DateMatch] = []
    for first, second in _join_ranges(text, _candidates(text, reference_year)):
        end = second.end if second else first.end
        role = "period" if second else first.role or _role(text, first.start, end)
        matches.append(
            DateMatch(
                start=first.start,
                end=end,
                text=text[first.start : end],
                value=first.value,
                precision=first.precision,
                end_value=second.value if second else None,
                role=role,
                relative=first.relative or bool(second and second.relative),
            )
        )
    return matches


def find_dates(text: str, *, reference_date: str | None = None) -> list[DateMatch]:
    """All dates in ``text``, ordered by position.

    ``reference_date`` (the document's own date, ISO at any precision) resolves "im September
    dieses Jahres"; without it such phrases are skipped rather than guessed.
    """
    if not _patterns().prefilter.search(text):
        return []
    return _matches(text, _reference_year(reference_date))


def find_relative_dates(text: str, *, reference_date: str) -> list[DateMatch]:
    """Only the dates that need ``reference_date``: the second pass once a document is dated."""
    year = _reference_year(reference_date)
    if year is None or not _patterns().relative_prefilter.search(text):
        return []
    return [m for m in _matches(text, year) if m.relative]


def _doc_text(doc: Doc) -> str:
    """``Doc.text`` joins every token in Python on each access: build it once per Doc."""
    text = doc.user_data.get("archiv_text")
    if text is None:
        text = doc.user_data["archiv_text"] = doc.text
    return text


class DatesComponent:
    """spaCy component: dates that do not overlap a reference (references run first and win)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        _patterns()  # compile at build time, not on the first page

    def __call__(self, doc: Doc) -> Doc:
        taken = Intervals((s.start_char, s.end_char) for s in doc.spans.get("reference", []))
        for match in find_dates(_doc_text(doc)):
            if not taken.free(match.start, match.end):
                continue
            add_span(
                doc,
                "date",
                match.start,
                match.end,
                match.value,
                precision=match.precision,
                end_value=match.end_value,
                role=match.role,
            )
        return doc


@Language.factory("archiv_dates")
def make_dates(nlp: Language, name: str) -> DatesComponent:
    return DatesComponent(nlp, name)
