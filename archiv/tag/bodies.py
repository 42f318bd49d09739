"""Bodies (Gremien): Rat, Ausschüsse, Bezirksvertretungen, Kreistag, Fraktionen, Oberbürgermeister.

The patterns are data (``data/bodies.jsonl``): one JSON object a line, either a macro
(``{"define": NAME, "value": regex}``, used as ``<<NAME>>``) or a rule with ``id``, ``kind``,
``pattern``, ``value`` (a template over the pattern's named groups) and optionally
``requires_article``, ``reject_after``, ``reject_before``, ``role`` and ``place_group``. Regular expressions rather than token
patterns, because the names are built across tokens the tokenizer splits unpredictably:
"Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss", "Rates der Stadt Lemgo".

Inflected forms normalise to the nominative because the inflection endings sit outside the
captured groups ("des Rates" → "Rat", "Ausschusses" → "Ausschuss"), and a known misspelling
of the seed ("Lenkungausschusses") maps to its proper name.

"Rat" and "Ausschuss" alone are ordinary words too ("um Rat fragen", "Ausschuss" in a factory),
so alone they count only after a definite article ("der Rat", "im Ausschuss") and "Rat der
Weisen" is rejected. Compounds such as "Ratsbeschluss" are tagged too, as a ``body`` mention
with ``role="implied"`` and the body as value ("Rat"): the resolution finder then sees the
acting body of "Ratsbeschluss Februar 2015: …" like any other. :func:`body_from_word` gives
the same answer for a single word.

The Oberbürgermeister signs Mitteilungen and counts as an organ of the council; a plain
"Bürgermeister" (also the title of every deputy) and the "Büro des Rates" do not.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc

from archiv.tag.base import add_span
from archiv.tag.places import canonical_place, lookup

log = logging.getLogger(__name__)

_ARTICLE_BEFORE = re.compile(
    r"(?:^|[\s(„\"])(?:der|des|dem|den|im|vom|zum|beim|am|ins|dieser|dieses|diesem|diesen)\s+$",
    re.IGNORECASE,
)
_MACRO = re.compile(r"<<(\w+)>>")
_WORD = re.compile(r"[^\s,;:]+")
_SPACES = re.compile(r"\s+")
_HYPHEN_COMMA = re.compile(r"-\s+,")
# "Ratsbeschluss" → Rat; the body word as it appears before the linking "s".
_COMPOUND_BODIES = {
    "Rats": ("Rat", "rat"),
    "Stadtrats": ("Stadtrat", "rat"),
    "Gemeinderats": ("Gemeinderat", "rat"),
    "Kreistags": ("Kreistag", "kreistag"),
}
_COMPOUND_WORD = re.compile(
    r"^(Rats|Stadtrats|Gemeinderats|Kreistags)"
    r"(beschluss|beschlusses|beschlüsse|beschlüssen|sitzung|sitzungen|entscheidung|vorlage|votum)$"
)


# A rule's pattern after ``<<START>>`` that begins with a letter (inside group openers only).
_LETTER_FIRST = re.compile(r"(?:\((?:\?:|\?P<\w+>))*[^\W\d_]")


@dataclass(frozen=True, slots=True)
class BodyRule:
    id: str
    kind: str
    pattern: re.Pattern[str]
    value: str
    requires_article: bool = False
    reject_after: re.Pattern[str] | None = None
    reject_before: re.Pattern[str] | None = None
    role: str | None = None
    place_group: str | None = None  # an optional group kept only when it names a place
    # ``pattern`` split into its leading ``<<START>>`` assertion and the rest, when searching
    # for the rest is faster (see :func:`_finditer`); ``None`` when it is not.
    start: re.Pattern[str] | None = None
    rest: re.Pattern[str] | None = None


@dataclass(frozen=True, slots=True)
class BodyMatch:
    """One body as printed; ``value`` is its normalised (nominative) name."""

    start: int
    end: int
    text: str
    value: str
    kind: str
    role: str | None = None


@cache
def rules() -> tuple[BodyRule, ...]:
    """The rules of ``bodies.jsonl`` in file order (earlier wins a tie of equal spans)."""
    text = (
        resources.files("archiv.tag")
        .joinpath("data")
        .joinpath("bodies.jsonl")
        .read_text(encoding="utf-8")
    )
    macros: dict[str, str] = {}
    out: list[BodyRule] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        if "define" in item:
            macros[item["define"]] = item["value"]
            continue
        pattern = _MACRO.sub(lambda m: macros[m.group(1)], item["pattern"])
        start = rest = None
        try:
            compiled = re.compile(pattern)
            head, marker, tail = item["pattern"].partition("<<START>>")
            tail = _MACRO.sub(lambda m: macros[m.group(1)], tail)
            if not head and marker and _LETTER_FIRST.match(tail):
                start, rest = re.compile(macros["START"]), re.compile(tail)
        except re.error as error:  # a broken data file is a bug, say where
            raise ValueError(f"bodies.jsonl line {number}: {error}") from error
        reject = item.get("reject_after")
        reject_before = item.get("reject_before")
        out.append(
            BodyRule(
                id=item["id"],
                kind=item["kind"],
                pattern=compiled,
                value=item["value"],
                requires_article=bool(item.get("requires_article")),
                reject_after=re.compile(reject) if reject else None,
                reject_before=re.compile(reject_before) if reject_before else None,
                role=item.get("role"),
                place_group=item.get("place_group"),
                start=start,
                rest=rest,
            )
        )
    return tuple(out)


def _finditer(rule: BodyRule, text: str) -> list[re.Match[str]]:
    """``rule.pattern.finditer(text)``, found faster when the rule allows it.

    Every rule starts with the ``<<START>>`` lookbehind, and a pattern that starts with an
    assertion makes ``re`` try a match at every character of the page; a pattern that starts
    with a letter lets it jump to where that letter stands (50× faster). So the rest is
    searched for and the assertion checked where it matched: the leftmost place where both
    hold is the leftmost match of the whole pattern, with the same groups, since a zero-width
    assertion in front changes nothing about how the rest matches. An empty match (no rule
    has one) would make ``finditer`` step differently, so then the plain scan decides.
    """
    if rule.rest is None or rule.start is None:
        return list(rule.pattern.finditer(text))
    found: list[re.Match[str]] = []
    search, holds = rule.rest.search, rule.start.match
    pos = 0
    while (m := search(text, pos)) is not None:
        if m.end() == m.start():
            return list(rule.pattern.finditer(text))
        if holds(text, m.start()) is not None:
            found.append(m)
            pos = m.end()
        else:
            pos = m.start() + 1
    return found


def _place_prefix(text: str, start: int, raw: str) -> tuple[str, int] | None:
    """The longest run of ``raw``'s leading words that is a known place; its canonical name and end."""
    words = list(_WORD.finditer(raw))
    for n in range(len(words), 0, -1):
        end = words[n - 1].end()
        name = raw[:end].rstrip(".")
        place = lookup(name)
        if place is not None:
            return place.canonical, start + len(name)
    if not words:
        return None
    first = words[0].group(0).rstrip(".")
    if not first[:1].isupper():
        return None
    return first, start + len(first)


# After a district name unknown to the gazetteer ("Bezirksvertretung Brackwede hat"): the end
# of the line, punctuation, or a verb or preposition; "Bezirksvertretung Stellung nehmen" is not.
_NAME_ENDS = re.compile(
    r"[ \t]*(?:$|\n|[,.;:)]|(?:hat|hatte|beschließt|beschloss|empfiehlt|empfahl|stimmt|stimmte|"
    r"nimmt|nahm|wird|wurde|soll|tagt|tagte|am|vom|im|in|und|sowie)\b)",
    re.MULTILINE,
)


def _names_place(word: str) -> bool:
    """A district name ("Mitte", "Brackwede", "Bielefeld-Mitte") or number ("3")."""
    head = word.split("-", 1)[0]
    return word.isdigit() or lookup(word) is not None or lookup(head) is not None


def _clean(value: str) -> str:
    value = _SPACES.sub(" ", value).strip()
    return _HYPHEN_COMMA.sub("-,", value)


def _match(text: str, rule: BodyRule, m: re.Match[str]) -> BodyMatch | None:
    start, end = m.start(), m.end()
    groups = {k: (v or "") for k, v in m.groupdict().items()}
    if "place" in groups and m.group("place"):
        found = _place_prefix(text, m.start("place"), m.group("place"))
        if found is None:
            return None
        groups["place"], end = found
    optional = rule.place_group
    if (
        optional
        and m.group(optional)
        and not _names_place(m.group(optional))
        and not _NAME_ENDS.match(text, m.end(optional))
    ):
        # "die Bezirksvertretung Stellung nehmen": the body, without the noun after it.
        groups[optional] = ""
        end = len(text[: m.start(optional)].rstrip())
    if rule.requires_article and not _ARTICLE_BEFORE.search(text[max(0, start - 20) : start]):
        return None
    if rule.reject_after is not None and rule.reject_after.search(text[end : end + 40]):
        return None
    if rule.reject_before is not None and rule.reject_before.search(
        text[max(0, start - 40) : start]
    ):
        return None
    kind = rule.kind
    if kind == "from_word":
        value, kind = _COMPOUND_BODIES[groups["w"]]
    else:
        value = _clean(rule.value.format(**groups))
    return BodyMatch(start, end, text[start:end], value, kind, rule.role)


def find_bodies(text: str) -> list[BodyMatch]:
    """All bodies in ``text``; overlapping matches resolve to the longest, then the earlier rule."""
    found: list[tuple[int, int, int, BodyMatch]] = []
    for order, rule in enumerate(rules()):
        for m in _finditer(rule, text):
            match = _match(text, rule, m)
            if match is not None:
                found.append((match.start, -(match.end - match.start), order, match))
    found.sort(key=lambda item: item[:3])
    out: list[BodyMatch] = []
    taken_until = -1
    for start, _, _, match in found:
        if start < taken_until:
            continue
        out.append(match)
        taken_until = match.end
    return out


def body_from_word(word: str) -> str | None:
    """The body a compound names: "Ratsbeschluss" → "Rat", "Kreistagssitzung" → "Kreistag"."""
    m = _COMPOUND_WORD.match(word.strip())
    return _COMPOUND_BODIES[m.group(1)][0] if m else None


_OWNER = re.compile(
    r"\b(?:der|des)\s+(?P<art>Stadt|Gemeinde|Hansestadt|Kreisstadt|Universitätsstadt|Kreises|Landkreises)"
    r"\s+(?P<name>.+)$"
)


def body_municipality(value: str) -> str | None:
    """The municipality a body's name states: "Rat der Stadt Bielefeld" → "Bielefeld".

    A Kreistag belongs to its Kreis ("Kreistag des Kreises Lippe" → "Kreis Lippe"). Bodies
    that name no place ("Rat", "Lenkungsausschuss") give ``None``: they belong to the
    document's municipality, which only the document can say.
    """
    m = _OWNER.search(value)
    if not m:
        return None
    name = m["name"].strip()
    if m["art"] in ("Kreises", "Landkreises"):
        prefix = "Landkreis" if m["art"] == "Landkreises" else "Kreis"
        kreis = canonical_place(f"{prefix} {name}")
        if kreis:
            return kreis
        city = canonical_place(name)
        return f"{prefix} {city or name}"
    return canonical_place(name) or name


def _doc_text(doc: Doc) -> str:
    """``Doc.text`` joins every token on each access; the pipeline caches it in ``user_data``."""
    text = doc.user_data.get("archiv_text")
    if text is None:
        text = doc.user_data["archiv_text"] = doc.text
    return text


class BodiesComponent:
    """spaCy component ``archiv_bodies``: publishes ``body`` spans (value = nominative name)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        rules()  # compile at build time, not on the first page

    def __call__(self, doc: Doc) -> Doc:
        for match in find_bodies(_doc_text(doc)):
            add_span(
                doc, "body", match.start, match.end, match.value, kind=match.kind, role=match.role
            )
        return doc


@Language.factory("archiv_bodies")
def make_bodies(nlp: Language, name: str) -> BodiesComponent:
    return BodiesComponent(nlp, name)
