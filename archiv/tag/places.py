"""Places: German municipalities, Kreise, regions and Länder, and the document's own municipality.

Names come from a bundled gazetteer (``data/gazetteer.tsv``, built from GeoNames by
``tools/build_gazetteer.py``) plus ``data/places_curated.tsv``; matching is a spaCy
``PhraseMatcher`` on exact token text, so only the spellings listed can match: the name as
written, its umlaut-folded form (*Wuerzburg*, *Koeln*) and, for unambiguous names, the
all-caps form of slide titles (*PADERBORN*).

The gazetteer flags names that are also words or people's names (*Essen*, *Lage*, *Halle*,
*Hagen*, *Mitte*). Precision matters more than recall here: a false "Essen" makes a document
about lunch show up under a city, while a missed place is usually named again with a cue. So a
flagged name counts only with a strong cue: "Stadt X", "Gemeinde X", "Kreis X", "in/nach/aus
X", a postal code, a qualifier "X (Westf.)", "X, Kreis …", or a list of other places. Every
candidate, flagged or not, is rejected after an article ("in der Halle", "das Münster"; regions
in -land/-gebiet excepted: "im Sauerland"), after a form of address ("Herr Hagen") and inside
e-mail addresses and URLs (a search still finds those through the page text).

Spans carry ``kind`` ``city`` (GeoNames populated place; also demonyms such as "Berliner
Jakob-Kaiser-Haus" → Berlin and the city of "Bielefeld-Mitte"), ``kreis`` ("Kreis Lippe",
"Kreises Paderborn" → "Kreis Paderborn"), ``region`` or ``land``.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.attrs import IDX
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from archiv.models import Mention, PageText
from archiv.tag.base import add_span

log = logging.getLogger(__name__)


_HYPHEN = re.compile("-")


def _doc_text(doc: Doc) -> str:
    """``Doc.text`` joins every token on each access; the pipeline caches it in ``user_data``."""
    text = doc.user_data.get("archiv_text")
    if text is None:
        text = doc.user_data["archiv_text"] = doc.text
    return text


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ARTICLES = _words(
    "der die das dem den des ein eine einem einen einer eines im am zum zur vom beim ins "
    "kein keine keinem keinen keiner unser unsere unserem unseren unserer dieser diese "
    "dieses diesem diesen jede jeder jedes jedem"
)
ADDRESS = _words("Herr Herrn Frau Fr. Hr. Dr. Prof. Familie")
# A token before a flagged name that makes the place reading certain.
CUE_BEFORE = _words(
    "stadt gemeinde hansestadt kreisstadt universitätsstadt lutherstadt großstadt stadtverwaltung "
    "gemeindeverwaltung stadtteil ortsteil ortschaft stadtbezirk in nach aus"
)
KREIS_WORDS = {
    "Kreis": "Kreis",
    "Kreises": "Kreis",
    "Landkreis": "Landkreis",
    "Landkreises": "Landkreis",
}
# "Essen (Ruhr)", "Halle (Westf.)", "Lage (Lippe)": a qualifier only places get.
QUALIFIERS = _words(
    "Westf. Westfalen Lippe Ruhr Saale Oder Main Rhein Rhld. Rheinland Sachsen Thür. "
    "Holst. Holstein Oldb. Oldenburg Pfalz Württ. Baden Oberpfalz Elbe Weser Mosel Hessen"
)
STREET_WORDS = _words(
    "Straße Str. Strasse Weg Allee Platz Ring Chaussee Landstraße Damm Tor Ufer Gasse"
)
_POSTCODE = re.compile(r"^\d{5}$")
_DOT_LOWER = re.compile(r"\.[a-z]")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def fold(text: str) -> str:
    """The spelling of ``text`` on a keyboard without umlauts: *Würzburg* → *Wuerzburg*."""
    return text.translate(_FOLD)


@dataclass(frozen=True, slots=True)
class Place:
    """One spelling the tagger knows; ``canonical`` is the value every spelling maps to."""

    name: str
    canonical: str
    population: int
    land: str  # ISO 3166-2:DE subdivision code without "DE-" ("NW"), "" when unknown
    kind: str  # city, adj, kreis, land, region
    flags: frozenset[str]

    @property
    def ambiguous(self) -> bool:
        return bool(self.flags)


def _data(name: str) -> str:
    return resources.files("archiv.tag").joinpath("data").joinpath(name).read_text(encoding="utf-8")


def _rows(text: str) -> Iterable[list[str]]:
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@cache
def gazetteer() -> dict[str, Place]:
    """Every known spelling → its place; loaded once per process."""
    places: dict[str, Place] = {}
    for row in _rows(_data("gazetteer.tsv")):
        name, canonical, population, land, kind, flags = (row + [""] * 6)[:6]
        places[name] = Place(
            name, canonical or name, int(population or 0), land, kind or "city",
            frozenset(f for f in flags.split(",") if f),
        )  # fmt: skip
    for row in _rows(_data("places_curated.tsv")):
        name, canonical, population, land, kind = (row + [""] * 5)[:5]
        places[name] = Place(
            name, canonical or name, int(population or 0), land, kind or "city", frozenset()
        )
    for line in _data("places_ambiguous.txt").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("!"):
            name, flags = line[1:], frozenset()
        else:
            name, flags = line, frozenset({"curated"})
        place = places.get(name)
        if place is not None:
            places[name] = Place(
                place.name, place.canonical, place.population, place.land, place.kind, flags
            )
    return places


@cache
def _folded_index() -> dict[str, Place]:
    index: dict[str, Place] = {}
    for place in gazetteer().values():
        index.setdefault(fold(place.name).casefold(), place)
    return index


def lookup(name: str) -> Place | None:
    """The place a spelling names (exact first, then ignoring case and umlaut folding)."""
    name = " ".join(name.split())
    return gazetteer().get(name) or _folded_index().get(fold(name).casefold())


def canonical_place(name: str) -> str | None:
    """The canonical name of ``name`` if it is a known place, else ``None``."""
    place = lookup(name)
    return place.canonical if place else None


@dataclass(slots=True)
class _Candidate:
    span: Span
    place: Place
    start: int  # character offsets to publish
    end: int
    value: str
    kind: str
    accepted: bool = False
    needs_cue: bool = False  # flagged and without a cue: a list of places may still vouch for it


class PlacesComponent:
    """spaCy component ``archiv_places``: publishes ``place`` spans (value = canonical name)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.variants: dict[tuple[str, ...], Place] = {}
        spellings: dict[str, Place] = {}
        for place in gazetteer().values():
            forms = [place.name, fold(place.name)]
            if not place.ambiguous and place.kind != "adj" and len(place.name) >= 4:
                forms += [place.name.upper(), fold(place.name).upper()]
            for form in forms:
                # The exact spelling of another entry wins over a derived one.
                if form == place.name or form not in gazetteer():
                    spellings.setdefault(form, place)
        # Tokenising ~17,000 spellings into pattern Docs cost about a second per process. A
        # plain word is one token whatever the tokenizer does with affixes, and a pattern on
        # ORTH is just the hashes of its token texts, so only spellings with spaces,
        # punctuation or a tokenizer special case go through the tokenizer.
        plain = [w for w in spellings if w.isalpha() and w not in nlp.tokenizer.rules]
        split = [w for w in spellings if not (w.isalpha() and w not in nlp.tokenizer.rules)]
        strings = nlp.vocab.strings
        patterns: list[list[int]] = []
        for word in plain:
            self.variants[(word,)] = spellings[word]
            patterns.append([strings.add(word)])
        for text, doc in zip(split, nlp.tokenizer.pipe(split), strict=True):
            words = tuple(t.text for t in doc)
            self.variants[words] = spellings[text]
            patterns.append([strings.add(w) for w in words])
        self.matcher.add("PLACE", patterns)  # type: ignore[arg-type]  # hashes, as in unpickling

    def __call__(self, doc: Doc) -> Doc:
        for cand in self.candidates(doc):
            add_span(doc, "place", cand.start, cand.end, cand.value, kind=cand.kind)
        return doc

    def candidates(self, doc: Doc) -> list[_Candidate]:
        """Accepted place candidates of ``doc``, in text order."""
        spans = filter_spans([Span(doc, start, end) for _, start, end in self.matcher(doc)])
        found: list[_Candidate] = []
        for span in spans:
            place = self.variants.get(tuple(t.text for t in span))
            if place is None:
                continue
            found.append(
                _Candidate(span, place, span.start_char, span.end_char, place.canonical,
                           "city" if place.kind == "adj" else place.kind)
            )  # fmt: skip
        found.extend(self._hyphen_parts(doc, {c.span.start for c in found}))
        found.sort(key=lambda c: c.start)
        ends = {c.span.end for c in found}
        for cand in found:
            if _qualifier(doc, cand, ends):
                continue  # "Lage (Lippe)": the Lippe only says which Lage
            verdict = self._accept(doc, cand)
            cand.accepted = verdict is True
            cand.needs_cue = verdict is None
        # A flagged name in a list of accepted places is a place too: "Siegen, Hagen und Lage".
        changed = True
        while changed:
            changed = False
            for i, cand in enumerate(found):
                if not cand.needs_cue or cand.accepted:
                    continue
                if _listed_with(doc, found, i):
                    cand.accepted = changed = True
        return [c for c in found if c.accepted]

    def _hyphen_parts(self, doc: Doc, taken: set[int]) -> list[_Candidate]:
        """A hyphenated token that starts with its city: "Bielefeld-Mitte", "Paderborn-Elsen".

        Only the tokens holding a hyphen are looked at: building a ``Token`` for every word of
        the page cost more than the phrase matching itself.
        """
        text = _doc_text(doc)
        out: list[_Candidate] = []
        if "-" not in text:
            return out
        starts = doc.to_array(IDX).tolist()
        seen: set[int] = set()
        for hyphen in _HYPHEN.finditer(text):
            i = bisect_right(starts, hyphen.start()) - 1
            if i < 0 or i in seen:
                continue
            seen.add(i)
            token = doc[i]
            if token.i in taken or "-" not in token.text or token.like_url or token.like_email:
                continue
            head, _, rest = token.text.partition("-")
            place = gazetteer().get(head)
            if (
                place is None or place.ambiguous or place.kind != "city"
                or place.population < 20_000 or not rest[:1].isupper()
            ):  # fmt: skip
                continue
            span = doc[token.i : token.i + 1]
            out.append(
                _Candidate(span, place, token.idx, token.idx + len(head), place.canonical, "city")
            )
        return out

    def _accept(self, doc: Doc, cand: _Candidate) -> bool | None:
        """``True`` a place, ``False`` certainly not, ``None`` a flagged name without a cue."""
        span, place = cand.span, cand.place
        if _inside_address(doc, cand):
            return False
        prev = doc[span.start - 1] if span.start > 0 else None
        nxt = doc[span.end] if span.end < len(doc) else None
        if prev is not None and prev.text in ADDRESS:
            return False
        if place.kind == "adj":
            # "Berliner Jakob-Kaiser-Haus", "im Paderborner Land" — not "Berliner Straße".
            return (
                not place.ambiguous
                and nxt is not None
                and nxt.text[:1].isupper()
                and nxt.text not in STREET_WORDS
                and not nxt.text.endswith(("straße", "str.", "weg"))
            )
        if prev is not None and prev.text in KREIS_WORDS and place.kind in ("city", "region"):
            word = KREIS_WORDS[prev.text]
            cand.start = prev.idx
            cand.value = f"{word} {place.canonical}"
            cand.kind = "kreis"
            return True
        # "in der Halle", "das Münster", "die Lippe" (a lip, a river); but regions in -land and
        # -gebiet take an article ("im Sauerland", "das Ruhrgebiet").
        if (
            prev is not None and prev.lower_ in ARTICLES and _plain(doc, cand)
            and not place.name.endswith(("land", "gebiet"))
        ):  # fmt: skip
            return False
        if not place.ambiguous:
            return True
        return True if _strong_cue(doc, span) else None


def _qualifier(doc: Doc, cand: _Candidate, ends: set[int]) -> bool:
    """The candidate is the bracketed qualifier of the place before it: "Lage (Lippe)"."""
    i, j = cand.span.start, cand.span.end
    return (
        i >= 2 and j < len(doc) and doc[i - 1].text == "(" and doc[j].text == ")"
        and (i - 1) in ends
    )  # fmt: skip


def _plain(doc: Doc, cand: _Candidate) -> bool:
    """The candidate is one bare token (not a qualified name such as "Halle (Saale)")."""
    return len(cand.span) == 1


def _inside_address(doc: Doc, cand: _Candidate) -> bool:
    """Part of an e-mail address or URL ("b.siebel@paderborn.de", "www.essen.de/…")."""
    if any(t.like_url or t.like_email or "@" in t.text for t in cand.span):
        return True
    text = doc.user_data.get("archiv_text")
    if text is None:  # ``Doc.text`` joins every token on each access: build it once per Doc
        text = doc.user_data["archiv_text"] = doc.text
    before = text[cand.start - 1] if cand.start > 0 else " "
    after = text[cand.end : cand.end + 2]
    return before in "@/._" or after.startswith("@") or _DOT_LOWER.match(after) is not None


_WEAK_CUES = frozenset({"in", "nach", "aus"})


def _strong_cue(doc: Doc, span: Span) -> bool:
    prev = doc[span.start - 1] if span.start > 0 else None
    if prev is not None and prev.lower_ in _WEAK_CUES:
        # "in Kirchen und Schulen": a plural noun in a list of other nouns, not the town.
        after = doc[span.end : span.end + 2]
        return not (
            len(after) == 2 and after[0].lower_ in ("und", "oder", ",")
            and after[1].text[:1].isupper() and lookup(after[1].text) is None
        )  # fmt: skip
    if prev is not None and (prev.lower_ in CUE_BEFORE or _POSTCODE.match(prev.text)):
        return True
    after = doc[span.end : span.end + 3]
    if len(after) >= 3 and after[0].text == "(" and after[2].text == ")":
        inner = lookup(after[1].text)
        if after[1].text in QUALIFIERS or (inner is not None and inner.kind != "adj"):
            return True
    if len(after) >= 2 and after[0].text == ",":
        following = after[1]
        if following.text in KREIS_WORDS or _is_land(following):
            return True
    return len(after) >= 1 and _is_land(after[0])


def _is_land(token: Token) -> bool:
    place = gazetteer().get(token.text)
    return place is not None and place.kind == "land"


_LIST_JOINERS = frozenset({",", "und", "sowie", "oder", "/"})


def _listed_with(doc: Doc, found: list[_Candidate], i: int) -> bool:
    """The candidate sits between list joiners next to an accepted place."""
    cand = found[i]
    prev = doc[cand.span.start - 1] if cand.span.start > 0 else None
    nxt = doc[cand.span.end] if cand.span.end < len(doc) else None
    after = doc[cand.span.end + 1] if cand.span.end + 1 < len(doc) else None
    starts = {c.span.start for c in found}
    if (
        nxt is not None and nxt.text in _LIST_JOINERS and after is not None
        and after.text[:1].isupper() and after.i not in starts
    ):  # fmt: skip
        return False  # "Bielefeld, Essen und Trinken": the list goes on with a non-place
    if i > 0 and prev is not None and prev.text in _LIST_JOINERS:
        left = found[i - 1]
        if left.accepted and left.span.end == cand.span.start - 1 and left.place.kind != "adj":
            return True
    if i + 1 < len(found) and nxt is not None and nxt.text in _LIST_JOINERS:
        right = found[i + 1]
        if right.accepted and right.span.start == cand.span.end + 1 and right.place.kind != "adj":
            return True
    return False


@Language.factory("archiv_places")
def make_places(nlp: Language, name: str) -> PlacesComponent:
    return PlacesComponent(nlp, name)


# --- the document's own municipality -------------------------------------------------------

_NAME = r"[A-ZÄÖÜ][\w.]*(?:[- ](?:an der|am|im|in der|ob der|\(|[A-ZÄÖÜ])[\w.()]*){0,3}"
_LETTERHEAD = re.compile(
    rf"^\s*(?:(?:Der|Die)\s+(?:Ober)?[Bb]ürgermeister(?:in)?\s+der\s+)?"
    rf"(?P<what>(?i:Stadt|Gemeinde|Kreis|Landkreis|Hansestadt|Universitätsstadt|Kreisstadt|Stadtverwaltung))"
    rf"\s+(?P<name>{_NAME})\s*$",
    re.MULTILINE,
)
_HEAD_OF = re.compile(
    rf"\b(?:Ober)?[Bb]ürgermeister(?:in)?\s+der\s+(?:Stadt|Gemeinde|Hansestadt)\s+(?P<name>{_NAME})"
)
_COUNCIL = re.compile(
    rf"\b(?:Rat(?:es|s)?|Stadtrat(?:es|s)?|Gemeinderat(?:es|s)?)\s+der\s+(?:Stadt|Gemeinde|Hansestadt)\s+(?P<name>{_NAME})"
    rf"|\bKreistag(?:es|s)?\s+des\s+(?P<what>Kreises|Landkreises)\s+(?P<kname>{_NAME})"
)
_OFFICE = re.compile(
    rf"\b(?:Stadtplanungsamt|Stadtverwaltung|Gemeindeverwaltung|Bauamt|Ordnungsamt|Kämmerei|"
    rf"Bürgeramt|Stadt|Gemeinde)\s+(?P<name>{_NAME})"
)
_MAIL = re.compile(
    r"[\w.+-]+@(?:[\w-]+\.)*?(?P<label>[\w-]+)\.de\b|\bwww\.(?P<web>[\w-]+)\.de\b", re.IGNORECASE
)
_MAIL_RUN = re.compile(r"[\w.+@-]+")
_DOMAIN_PREFIX = re.compile(r"^(?:stadt|gemeinde|kreis|landkreis|hansestadt)-", re.IGNORECASE)
# How many page-1 lines count as the letterhead.
_HEAD_LINES = 12
# The weak fallback: a city named at least this often on page 1, and more than any other.
_FALLBACK_MIN = 2


def _city(raw: str, *, kreis: str | None = None) -> str | None:
    """The canonical city (or "Kreis X") for a printed name; tries shorter prefixes too."""
    words = raw.replace("\n", " ").split()
    for n in range(min(len(words), 4), 0, -1):
        name = " ".join(words[:n]).rstrip(".,;:")
        place = (lookup(f"{kreis} {name}") if kreis else None) or lookup(name)
        if place is not None and place.kind in ("city", "kreis"):
            if kreis and place.kind == "city":
                return f"{kreis} {place.canonical}"
            return place.canonical
    return None


def _vote(names: Iterable[str | None]) -> str | None:
    counts = Counter(n for n in names if n)
    if not counts:
        return None
    ranked = counts.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def _letterhead(text: str) -> str | None:
    head = "\n".join(text.splitlines()[:_HEAD_LINES])
    for m in _LETTERHEAD.finditer(head):
        what = m["what"].capitalize()
        kreis = "Landkreis" if what == "Landkreis" else "Kreis" if what == "Kreis" else None
        city = _city(m["name"], kreis=kreis)
        if city:
            return city
    return None


def _mail_matches(text: str) -> Iterator[re.Match[str]]:
    """``_MAIL.finditer(text)``, without running ``_MAIL`` over every word of the text.

    ``_MAIL`` starts with ``[\\w.+-]+@``, which at each position of a word reads to the word's
    end and backtracks (quadratic in the word length, ~0.2 ms a page). Every character of a
    match lies in ``[\\w.+@-]``, so matches never cross a run of such characters, and at a
    run's edges ``\\b`` sees the same non-word character (or the string's end) in the run as
    in the text. Runs with neither ``@`` nor ``www.`` (any case) cannot hold a match.
    """
    for run in _MAIL_RUN.finditer(text):
        chunk = run.group()
        if "@" not in chunk and "www." not in chunk.lower():
            continue
        yield from _MAIL.finditer(chunk)


def _mail_domain(text: str) -> list[str]:
    out = []
    for m in _mail_matches(text):
        label = (m["label"] or m["web"] or "").lower()
        kreis = "Kreis" if label.startswith("kreis-") else None
        label = _DOMAIN_PREFIX.sub("", label)
        place = _folded_index().get(label.replace("-", " ")) or _folded_index().get(label)
        # A domain is a cue by itself ("@essen.de"), but a village's name is too easily a word.
        if place is not None and place.kind == "city" and "small" not in place.flags:
            out.append(f"{kreis} {place.canonical}" if kreis else place.canonical)
    return out


def infer_municipality(pages: Sequence[PageText], mentions: Sequence[Mention]) -> str | None:
    """The municipality whose paper this is, or ``None`` when no cue is strong enough.

    Cues in priority order; the first that names a city decides, by majority within it:
    the letterhead of page 1 ("Stadt Bielefeld", "Der Bürgermeister der Stadt X"), the
    council named with its city ("Rat der Stadt X"), the head of administration, an office or
    "Stadt X" on the last page (contact slide, signature), an e-mail/web domain
    ("@paderborn.de"), "Stadt X" anywhere, and last the city named most on page 1.
    A document *about* other cities (the Bielefeld Mitteilung names nine) is still decided by
    the council and letterhead cues, which name only the author.
    """
    if not pages:
        return None
    first, last = pages[0].text, pages[-1].text
    # Lazily, strongest first: most documents are decided by their letterhead or council,
    # and the later tiers scan every page.
    tiers: list[Callable[[], Iterable[str | None]]] = [
        lambda: [_letterhead(first)],
        lambda: [_council_city(m) for p in pages for m in _COUNCIL.finditer(p.text)],
        lambda: [_city(m["name"]) for p in pages for m in _HEAD_OF.finditer(p.text)],
        lambda: [_city(m["name"]) for m in _OFFICE.finditer(last)],
        lambda: _mail_domain("\n".join(p.text for p in pages)),
        lambda: [_city(m["name"]) for p in pages for m in _OFFICE.finditer(p.text)],
    ]
    for tier in tiers:
        winner = _vote(tier())
        if winner:
            return winner
    first_number = pages[0].number
    cities = Counter(
        m.value
        for m in mentions
        if m.label == "place" and m.page == first_number and m.kind == "city"
        and m.text.rstrip(".,") in (m.value, fold(m.value), m.value.upper())
    )  # fmt: skip
    ranked = cities.most_common(2)
    if (
        ranked
        and ranked[0][1] >= _FALLBACK_MIN
        and (len(ranked) == 1 or ranked[0][1] > ranked[1][1])
    ):
        return ranked[0][0]
    return None


def _council_city(m: re.Match[str]) -> str | None:
    if m["kname"]:
        return _city(m["kname"], kreis="Landkreis" if m["what"] == "Landkreises" else "Kreis")
    return _city(m["name"])
