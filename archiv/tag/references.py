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

import json
import re
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
        alternatives = []
        self.kind_of_group: dict[str, str] = {}
        for i, label in enumerate(data["labels"]):
            flags = "(?i:{})" if label["case"] == "i" else "(?:{})"
            number = _NUMBER_SHAPES[label["numbers"]]
            group = f"l{i}"
            self.kind_of_group[group] = label["kind"]
            alternatives.append(
                rf"(?P<{group}>{flags.format(label['pattern'])})"
                rf"(?P<sep{i}>\s{{0,6}}:?\s{{0,6}})(?P<n{i}>{number}){_TAIL}"
            )
        suffix = data["suffix"]
        self.labeled = re.compile(rf"{_HEAD}(?:{'|'.join(alternatives)})(?P<suffix>{suffix})?")
        prefixes = "|".join(sorted(data["allris_prefixes"], key=len, reverse=True))
        self.allris = re.compile(rf"{_HEAD}(?P<n>(?i:{prefixes})/\d{{2,4}}/\d{{1,5}}){_TAIL}")
        self.bare = re.compile(rf"{_HEAD}(?P<n>{_SLASH}|{_DASH}){_TAIL}")
        self.bare_full = re.compile(rf"\s*(?:{_ALLRIS}|{_SLASH}|{_DASH})\s*")
        self.prefilter = re.compile(r"\d[/\-]\d|/\d")


@cache
def _patterns() -> _Patterns:
    return _Patterns()


def _canonical(number: str) -> str:
    return re.sub(r"\s+", "", number).replace("–", "-").replace("—", "-").upper()


def _labeled(text: str) -> list[RefMatch]:
    p = _patterns()
    out: list[RefMatch] = []
    for m in p.labeled.finditer(text):
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


def find_references(text: str) -> list[RefMatch]:
    """Every reference in ``text`` (labelled, ALLRIS-shaped, or a bare repeat of a labelled one)."""
    p = _patterns()
    if not p.prefilter.search(text):
        return []
    found = _labeled(text)
    taken = [(r.start, r.end) for r in found]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in p.allris.finditer(text):
        if free(m.start(), m.end()):
            found.append(
                RefMatch(
                    m.start(), m.end(), m.group(0), _canonical(m.group("n")), "drucksache", None
                )
            )
            taken.append((m.start(), m.end()))
    kinds = {r.value: r.kind for r in found}
    if kinds:
        for m in p.bare.finditer(text):
            value = _canonical(m.group("n"))
            if value in kinds and free(m.start(), m.end()):
                found.append(RefMatch(m.start(), m.end(), m.group(0), value, kinds[value], None))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda r: r.start)
    return found


def normalize_reference(text: str) -> str | None:
    """The normalised number of a reference typed with or without its label, else ``None``.

    Idempotent: a normalised number normalises to itself.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    matches = _labeled(cleaned)
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
    bare = " ".join(query.split())
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
