"""German text analysis for the full-text index: tokens, umlaut folding, stems, compound parts.

Pure Python (no whoosh) so the same functions serve indexing, querying and snippet
highlighting: whatever a page was indexed with, a query is analysed identically, which is what
makes ``Wuerzburg`` meet ``Würzburg`` and ``Netzwerk`` meet ``Städtenetzwerk``.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterator, Set
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import snowballstemmer

# Letters and digits; hyphens, slashes and apostrophes split words ("RegioPole-Netzwerk" gives
# two tokens, each found on its own, while a phrase query still matches them in sequence).
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("german")
MAX_TOKEN_LENGTH = 64  # longer "words" are OCR garbage or hashes: not worth a term

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})


class Token(NamedTuple):
    """One word of a text: where it is printed, and the terms it is indexed under.

    A NamedTuple rather than a frozen dataclass: indexing creates millions of them and a
    tuple is built several times faster.
    """

    pos: int  # running word number, for phrase queries
    start: int  # character offsets into the analysed text
    end: int
    word: str  # lower-cased surface form, umlauts kept: vocabulary for prefix/fuzzy/suggestions
    term: str  # folded and stemmed: what exact/inflected searches match
    parts: tuple[str, ...]  # stemmed compound parts (empty for a simple word)


def normalize(text: str) -> str:
    """NFC and lower case: PDFs mix composed and decomposed umlauts ("u" + U+0308)."""
    return unicodedata.normalize("NFC", text).lower()


def fold(text: str) -> str:
    """Case-, umlaut- and accent-folded text for loose comparisons of names and sentences:
    "Würzburg", "Wuerzburg" and "WÜRZBURG" compare equal."""
    text = text.casefold().translate(_FOLD)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Per-word caches: German text is Zipfian, so 50k words cover nearly every lookup, while four
# caches of 200k entries held ~250 MB in a long ingest (measured: the writer's RSS grew with N).
WORD_CACHE = 50_000


def fold_key(value: str) -> str:
    """A spelling-independent key for names used as exact filters (cities, types)."""
    return " ".join(normalize(value).translate(_FOLD).split())


@lru_cache(maxsize=WORD_CACHE)
def stem(word: str) -> str:
    """The Snowball German stem of a lower-cased word.

    Snowball's German algorithm already treats ``ue``/``ae``/``oe`` (not after ``q``) as
    umlauts and strips umlauts from the stem, so ``Würzburg`` and ``Wuerzburg`` share a stem; we
    fold ``ß`` first so ``Straße``/``Strasse`` meet as well.
    """
    return _STEMMER.stemWord(word.replace("ß", "ss"))


# Bump whenever tokens, stems or parts change for the same text: an index built with another
# version is reported as out of date (`archiv reindex`), never silently half-matched.
ANALYSIS_VERSION = 1
LEXICON_PATH = Path(__file__).resolve().parent / "data" / "de_words.tsv.gz"
MIN_PART = 4  # shorter parts ("bau", "rat") would match far too much as a part
MIN_PART_ZIPF = 2.5  # a part must be a word that is actually used
MIN_SHORT_PART_ZIPF = 3.0  # four-letter parts must be common ("Ziel", "Plan"; not "Alen")
MAX_SPLIT_ZIPF = 4.0  # words this common are lexicalised ("Netzwerk", "Landschaft"): keep whole
MIN_HEAD_ONLY = 6  # "Regiopolregionen": unknown modifier, known head of at least this length
# Linking elements (Fugen) between parts: Haushalt-s-jahr, Städte-netzwerk, Bund-es-institut.
_FUGEN = ("", "s", "es", "n", "en", "e", "er", "ens")
# Closed-class words that are frequent and long enough to look like parts but only ever are
# prefixes (unter-nehmen, über-arbeitung, gegen-stand) or not nouns at all.
_NOT_PARTS_TEXT = """
    aber alle allem allen aller alles also auch ausser außer beim beide beiden bereits bevor
    bisher bitte dabei dafür dagegen daher damit danach dann darauf darin darum dass dein deine
    denn deren dessen desto diese diesem diesen dieser dieses doch dort durch eine einem einen
    einer eines einige etwa etwas euer falls fast ganz gegen gern hier hinter hinten ihre ihrem
    ihren ihrer ihres immer indem jede jedem jeden jeder jedes jene jetzt kein keine keinem
    keinen keiner mehr mein meine mich mindestens nach nachdem neben nicht noch nun oben oder
    ohne schon sehr sein seine seinem seinen seiner selbst sich sind sogar solche somit sondern
    sowie später statt trotz über überall unser unter untere obere innere äußere nieder viel
    viele voll vom vorher wann warum
    weil welche wenn werden wider wieder wird wurde würde zurück zwar zwischen
    """
_NOT_PARTS = frozenset(_NOT_PARTS_TEXT.split())
# Inflection endings checked by _lexicalised.
_ENDINGS = ("", "s", "es", "e", "n", "en", "er", "ern", "em", "ens")
# Modifiers with these endings always take a linking s (Wohnung-s-bau, Gesundheit-s-amt).
_NEEDS_S = ("ung", "heit", "keit", "schaft", "tion", "sion", "tät")
# Verb particles: "unterzeichnung", "niederschrift", "überarbeitung" are derivations, not compounds.
_PARTICLES = (
    "unter",
    "über",
    "nieder",
    "wider",
    "wieder",
    "hinter",
    "gegen",
    "durch",
    "voll",
    "zurück",
)


@cache
def _lexicon() -> dict[str, tuple[float, bool]]:
    """word → (Zipf frequency, is a noun form), from the shipped list (tools/build_wordlist.py)."""
    words: dict[str, tuple[float, bool]] = {}
    with gzip.open(LEXICON_PATH, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            word, zipf, noun = line.rstrip("\n").split("\t")
            words[word] = (float(zipf), noun == "n")
    return words


def _part_zipf(lexicon: dict[str, tuple[float, bool]], part: str, *, head: bool) -> float | None:
    entry = lexicon.get(part)
    if entry is None or len(part) < MIN_PART or part in _NOT_PARTS:
        return None
    zipf, noun = entry
    floor = MIN_SHORT_PART_ZIPF if len(part) == MIN_PART else MIN_PART_ZIPF
    if zipf < floor or (head and not noun):
        return None
    return zipf


@lru_cache(maxsize=WORD_CACHE)
def compound_parts(word: str) -> tuple[str, ...]:
    """Every part at every level: ``stadtentwicklungskonzept`` → ``stadtentwicklung``,
    ``konzept``, ``stadt``, ``entwicklung`` (so both "Entwicklung" and "Stadtentwicklung" find it)."""
    out: list[str] = []
    for part in split_compound(word):
        out.append(part)
        out.extend(compound_parts(part))
    return tuple(dict.fromkeys(out))


def leaf_parts(word: str) -> tuple[str, ...]:
    """The smallest parts only, in order: what a split is measured by."""
    out: list[str] = []
    for part in split_compound(word):
        out.extend(leaf_parts(part) or (part,))
    return tuple(out)


@lru_cache(maxsize=WORD_CACHE)
def split_compound(word: str) -> tuple[str, ...]:
    """Compound parts of a lower-cased word, or ``()`` when it is not a (rare) compound.

    Fewest parts wins, then the most frequent parts. Every part must be a frequent word of at
    least MIN_PART letters, the last one a noun form; linking elements are dropped
    (``haushaltsjahr`` → ``haushalt``, ``jahr``). A word that is itself common stays whole, so a
    wrong split cannot flood results with a frequent word. When no full split exists, a long
    known head with a long unknown modifier still splits (``regiopol`` + ``regionen``).
    """
    word = word.replace("ß", "ss")  # the lexicon is case-folded: "strasse", not "straße"
    if len(word) < 2 * MIN_PART or not word.isalpha():
        return ()
    lexicon = _lexicon()
    whole = lexicon.get(word)
    if _lexicalised(word, lexicon):
        return ()
    best = _segment(word, lexicon)
    if best is not None:
        parts, mean_zipf = best
        if whole is None or mean_zipf > whole[0]:
            return parts
        return ()
    return _head_only(word, lexicon) if whole is None else ()


def _lexicalised(word: str, lexicon: dict[str, tuple[float, bool]]) -> bool:
    """A common word, or an inflected form of one ("netzwerks", "plattformen"): keep whole."""
    for ending in _ENDINGS:
        if word.endswith(ending):
            entry = lexicon.get(word[: len(word) - len(ending)] if ending else word)
            if entry is not None and entry[0] >= MAX_SPLIT_ZIPF:
                return True
    return False


def _segment(
    word: str, lexicon: dict[str, tuple[float, bool]]
) -> tuple[tuple[str, ...], float] | None:
    n = len(word)
    memo: dict[int, tuple[int, float, tuple[str, ...]] | None] = {}

    def best_from(i: int) -> tuple[int, float, tuple[str, ...]] | None:
        """(number of parts, -sum of zipf, parts) of the best split of word[i:]."""
        if i in memo:
            return memo[i]
        candidates: list[tuple[int, float, tuple[str, ...]]] = []
        if i > 0 and (zipf := _part_zipf(lexicon, word[i:], head=True)) is not None:
            candidates.append((1, -zipf, (word[i:],)))
        for j in range(i + MIN_PART, n - MIN_PART + 1):
            modifier = word[i:j]
            zipf = _part_zipf(lexicon, modifier, head=False)
            fugen = _FUGEN
            if zipf is None and modifier not in _NOT_PARTS:
                # Schul(e)-hof: a noun that drops its final e as a modifier, with no Fuge.
                zipf = _part_zipf(lexicon, modifier + "e", head=True)
                modifier, fugen = (modifier + "e", ("",)) if zipf is not None else (modifier, ())
            if zipf is None:
                continue
            if modifier.endswith(_NEEDS_S):
                fugen = ("s",)  # Planung-s-amt, never Planung-samt
            for fuge in fugen:
                if not word.startswith(fuge, j) or n - (j + len(fuge)) < MIN_PART:
                    continue
                rest = best_from(j + len(fuge))
                if rest is not None:
                    candidates.append((rest[0] + 1, rest[1] - zipf, (modifier, *rest[2])))
        memo[i] = min(candidates) if candidates else None
        return memo[i]

    # The whole word as one part is not a split: start with at least one modifier.
    found = best_from(0)
    if found is None or found[0] < 2:
        return None
    count, negative_sum, parts = found
    return parts, -negative_sum / count


def _head_only(word: str, lexicon: dict[str, tuple[float, bool]]) -> tuple[str, ...]:
    """Only for a modifier that is no word at all (a coined name like "Regiopol")."""
    for j in range(MIN_HEAD_ONLY - 1, len(word) - MIN_HEAD_ONLY + 1):
        modifier, head = word[:j], word[j:]
        if modifier in lexicon or modifier in _NOT_PARTS or modifier.endswith("s"):
            continue
        if any(modifier.startswith(p) for p in _PARTICLES):
            continue
        if _part_zipf(lexicon, head, head=True) is not None:
            return (modifier, head)
    return ()


@lru_cache(maxsize=WORD_CACHE)
def _analyse_word(word: str, capitalised: bool) -> tuple[str, tuple[str, ...]]:
    term = stem(word)
    if not capitalised:
        # German capitalises nouns: lower-case words are adjectives, verbs and particles
        # ("interkommunalen", "thematische") whose "parts" would only be noise.
        return term, ()
    parts = tuple(dict.fromkeys(p for p in (stem(p) for p in compound_parts(word)) if p != term))
    return term, parts


def tokenize(text: str) -> Iterator[Token]:
    """Every word of ``text`` with its offsets (into ``text`` as given), stem and parts."""
    return iter(tokens(text))


@lru_cache(maxsize=8)
def tokens(text: str) -> tuple[Token, ...]:
    """All tokens of ``text`` at once, cached: the index analyses each page for several fields
    (stems, parts, words) right after one another, and this way only once."""
    return tuple(_tokenize(text))


def _tokenize(text: str) -> Iterator[Token]:
    offsets: tuple[list[int], list[int]] | None = None
    if unicodedata.is_normalized("NFC", text) and len(lowered := text.lower()) == len(text):
        source = lowered
    else:  # decomposed umlauts ("u" + U+0308) or case changes that alter the length ("İ")
        source, starts, ends = _normalize_with_offsets(text)
        offsets = (starts, ends)
    pos = 0
    for match in _WORD.finditer(source):
        word = match.group()
        if len(word) > MAX_TOKEN_LENGTH:
            continue
        start, end = match.span()
        if offsets is not None:
            start, end = offsets[0][start], offsets[1][end - 1]
        term, parts = _analyse_word(word, text[start].isupper())
        yield Token(pos, start, end, word, term, parts)
        pos += 1


# A word's verdict in matching_spans: (term, matches only when capitalised), or None.
Verdict = tuple[str, bool] | None


def matching_spans(
    text: str,
    terms: Set[str],
    words: Set[str] = frozenset(),
    memo: dict[str, Verdict] | None = None,
) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of every word of ``text`` that matches: its stem is in ``terms``,
    its surface form in ``words``, or (capitalised) one of its compound parts is in ``terms``.

    Same answer as filtering :func:`tokenize`, but the test runs once per *distinct* word (and
    once per search when the caller passes the same ``memo`` for every page) and ``str.find``
    locates the few matching words: snippets are cut from whole pages on every search, and a
    full tokenisation or a regular expression compiled per page cost several times more.
    """
    lowered = text.lower()
    if not (unicodedata.is_normalized("NFC", text) and len(lowered) == len(text)):
        return [
            (t.start, t.end, t.term)
            for t in tokenize(text)
            if t.term in terms or t.word in words or not terms.isdisjoint(t.parts)
        ]
    if memo is None:
        memo = {}
    hits: dict[str, tuple[str, bool]] = {}
    for word in set(_WORD.findall(lowered)):
        verdict = memo.get(word, False)
        if verdict is False:
            verdict = _verdict(word, terms, words)
            memo[word] = verdict
        if verdict is not None:
            hits[word] = verdict
    spans: list[tuple[int, int, str]] = []
    for word, (term, needs_capital) in hits.items():
        size = len(word)
        at = lowered.find(word)
        while at >= 0:
            stop = at + size
            # A whole word only: the neighbours are no letters or digits (what _WORD splits on).
            if (at == 0 or not lowered[at - 1].isalnum()) and (
                stop == len(lowered) or not lowered[stop].isalnum()
            ):
                if not needs_capital or text[at].isupper():
                    spans.append((at, stop, term))
                at = lowered.find(word, stop)
            else:
                at = lowered.find(word, at + 1)
    spans.sort()
    return spans


def _verdict(word: str, terms: Set[str], words: Set[str]) -> Verdict:
    if len(word) > MAX_TOKEN_LENGTH:
        return None
    term, parts = _analyse_word(word, True)  # the same stem as lower-case; parts on top
    if term in terms or word in words:
        return term, False
    if parts and not terms.isdisjoint(parts):
        return term, True
    return None


def _normalize_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """NFC + lower case, and for each output character where its source cluster starts/ends."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFC", text[i:j]).lower()
        pieces.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(pieces), starts, ends


def terms(text: str) -> list[str]:
    """The stems of ``text`` in order: how a query word is looked up."""
    return [token.term for token in tokenize(text)]
