"""Reference numbers (Drucksachen-, Vorlagen-, Antrags- and Beschluss-Nummern).

A number counts as a reference only when a label says so ("Vorlage 0002/15", "DS-Nr.
1045/2014-2020") or when it has the ALLRIS shape with a known type prefix ("BV/0123/2021").
A bare ``0002/15`` is a reference only if the same document labels that number elsewhere:
on its own it might as well be a fraction, a Bebauungsplan number or a year pair. This is why
Aktenzeichen, § citations, phone numbers and ``2024/2025`` never turn into references.

The normalised value is the number as printed, with whitespace dropped, dashes unified and
letters upper-cased: numbers are unique only within a municipality, so nothing is invented.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

_ALLRIS = r"[A-Za-z]{1,4}/\d{2,4}/\d{1,5}"
_SLASH = r"\d{1,5}/\d{2,4}(?:[-–—]\d{2,4})?(?:/\d{1,4})?"
_SLASH_YEAR = r"\d{1,5}/(?:\d{4}|\d{2})(?:[-–—]\d{2,4})?"
_DASH = r"\d{2}-\d{3,5}"
_NUMBER_SHAPES = {
    "all": rf"{_ALLRIS}|{_SLASH}|{_DASH}",
    "slash": _SLASH_YEAR,
}
_TAIL = r"(?![\w/]|[.,:\-–]\d)"
_HEAD = r"(?<![\w/.\-–])"
_YEAR_PAIR = re.compile(r"(?:19|20)(\d\d)/(?:(?:19|20)?(\d\d))")


@dataclass(frozen=True, slots=True)
class RefMatch:
    """One reference as printed; ``value`` is the normalised number."""

    start: int
    end: int
    text: str
    value: str
    kind: str  # drucksache, antrag, beschluss
    label_as_printed: str | None  # "DS-Nr.", "Vorlage"; None for a bare repeat or ALLRIS number
    suffix: str | None = None  # "– 1. Ergänzung": part of the span, not of the number


def _load() -> dict[str, Any]:
    text = resources.files("archiv.tag").joinpath("data").joinpath("reference_labels.json")
    return json.loads(text.read_text(encoding="utf-8"))


class _Patterns:
    def __init__(self) -> None:
        data = _load()
        self.kind_of_group: dict[str, str] = {}
        self.labeled = self._labels(data, loose=False)
        # What a user types into search: "ds-nr.1045/2014-2020" means the same as in print.
        self.labeled_loose = self._labels(data, loose=True)
        prefixes = "|".join(sorted(data["allris_prefixes"], key=len, reverse=True))
        self.allris = re.compile(rf"{_HEAD}(?P<n>(?i:{prefixes})/\d{{2,4}}/\d{{1,5}}){_TAIL}")
        self.bare = re.compile(rf"{_HEAD}(?P<n>{_SLASH}|{_DASH}){_TAIL}")
        self.bare_full = re.compile(rf"\s*(?:{_ALLRIS}|{_SLASH}|{_DASH})\s*")
        self.prefilter = re.compile(r"\d[/\-]\d|/\d")

    def _labels(self, data: dict[str, Any], *, loose: bool) -> re.Pattern[str]:
        alternatives = []
        for i, label in enumerate(data["labels"]):
            flags = "(?i:{})" if loose or label["case"] == "i" else "(?:{})"
            number = _NUMBER_SHAPES[label["numbers"]]
            group = f"l{i}"
            self.kind_of_group[group] = label["kind"]
            alternatives.append(
                rf"(?P<{group}>{flags.format(label['pattern'])})"
                rf"(?P<sep{i}>\s{{0,6}}:?\s{{0,6}})(?P<n{i}>{number}){_TAIL}"
            )
        suffix = data["suffix"]
        return re.compile(rf"{_HEAD}(?:{'|'.join(alternatives)})(?P<suffix>{suffix})?")


@cache
def _patterns() -> _Patterns:
    return _Patterns()


def _canonical(number: str) -> str:
    return re.sub(r"\s+", "", number).replace("–", "-").replace("—", "-").upper()


def _labeled(text: str, *, loose: bool = False) -> list[RefMatch]:
    p = _patterns()
    out: list[RefMatch] = []
    for m in (p.labeled_loose if loose else p.labeled).finditer(text):
        group = next(g for g in p.kind_of_group if m.group(g) is not None)
        i = group[1:]
        suffix = m.group("suffix")
        out.append(
            RefMatch(
                start=m.start(),
                end=m.end(),
                text=m.group(0),
                value=_canonical(m.group(f"n{i}")),
                kind=p.kind_of_group[group],
                label_as_printed=m.group(group),
                suffix=" ".join(suffix.split()).strip(" -–—/,()") if suffix else None,
            )
        )
    return out


class Intervals:
    """Non-overlapping spans taken so far; overlap checks in O(log n), not O(n)."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []
        for start, end in spans:
            self.add(start, end)

    def free(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return False
        return not (i < len(self._starts) and self._starts[i] < end)

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


def find_references(text: str) -> list[RefMatch]:
    """Every reference in ``text`` (labelled, ALLRIS-shaped, or a bare repeat of a labelled one)."""
    p = _patterns()
    if not p.prefilter.search(text):
        return []
    found = _labeled(text)
    taken = Intervals((r.start, r.end) for r in found)
    for m in p.allris.finditer(text):
        if taken.free(m.start(), m.end()):
            value = _canonical(m.group("n"))
            found.append(RefMatch(m.start(), m.end(), m.group(0), value, "drucksache", None))
            taken.add(m.start(), m.end())
    found += find_bare_references(text, {r.value: r.kind for r in found}, taken)
    found.sort(key=lambda r: r.start)
    return found


def find_bare_references(
    text: str, known: Mapping[str, str], taken: Intervals | None = None
) -> list[RefMatch]:
    """Unlabelled numbers that the document labels elsewhere (``known``: value → kind).

    Called per page by :func:`find_references`, and again across the pages of a document,
    since "Vorlage 0002/15" on page 1 makes a bare "0002/15" on page 3 the same paper.
    """
    if not known:
        return []
    taken = taken if taken is not None else Intervals()
    found: list[RefMatch] = []
    for m in _patterns().bare.finditer(text):
        value = _canonical(m.group("n"))
        if value in known and taken.free(m.start(), m.end()):
            found.append(RefMatch(m.start(), m.end(), m.group(0), value, known[value], None))
            taken.add(m.start(), m.end())
    return found


def normalize_reference(text: str) -> str | None:
    """The normalised number of a reference typed with or without its label, else ``None``.

    Idempotent: a normalised number normalises to itself.
    """
    cleaned = " ".join(text.split()).rstrip(".,;:")
    if not cleaned:
        return None
    matches = _labeled(cleaned, loose=True)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(cleaned):
        return matches[0].value
    if _patterns().bare_full.fullmatch(cleaned):
        return _canonical(cleaned)
    return None


def looks_like_reference(query: str) -> str | None:
    """For search: the normalised number when a query is a reference, else ``None``.

    A labelled query is trusted. A bare one is refused when it is more likely something
    else: a year pair (``2024/2025``, ``2024/25``), a fraction (``1/2``) or a dash number.
    """
    value = normalize_reference(query)
    if value is None:
        return None
    bare = " ".join(query.split()).rstrip(".,;:")
    if _patterns().bare_full.fullmatch(bare):
        pair = _YEAR_PAIR.fullmatch(value)
        if pair and int(pair.group(2)) == (int(pair.group(1)) + 1) % 100:
            return None
        if sum(c.isdigit() for c in value) < 4 or re.fullmatch(_DASH, value):
            return None
    return value


def register() -> None:
    """Register the ``archiv_references`` factory with spaCy (idempotent).

    Lazy, so that search can import ``looks_like_reference`` without loading spaCy.
    """
    from spacy.language import Language
    from spacy.tokens import Doc

    from archiv.tag.base import add_span

    if Language.has_factory("archiv_references"):
        return

    def _doc_text(doc: Doc) -> str:
        """``Doc.text`` joins every token in Python on each access: build it once per Doc."""
        text = doc.user_data.get("archiv_text")
        if text is None:
            text = doc.user_data["archiv_text"] = doc.text
        return text

    class ReferencesComponent:
        def __init__(self, name: str) -> None:
            self.name = name
            _patterns()

        def __call__(self, doc: Doc) -> Doc:
            for ref in find_references(_doc_text(doc)):
                add_span(doc, "reference", ref.start, ref.end, ref.value, kind=ref.kind)
            return doc

    @Language.factory("archiv_references")
    def make_references(nlp: Language, name: str) -> ReferencesComponent:
        return ReferencesComponent(name)


def reference_key(text: str) -> str:
    """The comparison key of any reference text, always a string: the normalised number when the
    text is a recognisable reference, else the text upper-cased without spaces.

    Index, query and chronology all compare references by this key, so ``ds:"Vorlage 0002/15"``,
    ``--ref 0002/15`` and a stored ``0002/15`` meet.
    """
    return re.sub(r"\s+", "", normalize_reference(text) or text).upper()

