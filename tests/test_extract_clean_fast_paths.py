"""The cleaning chain's fast forms give exactly what the plain forms they replaced gave.

Each page goes through the cleaning rules once, so their cost is paid on every page of an
ingest. The rewrites (an assertion moved so ``re`` can skip ahead, one substitution over the
page instead of one per line, work skipped when its result cannot matter) are held here to
the plain forms, on generated text made of the characters those rules care about.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiv.extract import clean

FAST = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PIECES = [
    "Wort", "teil", "Ober", "bürger", "Jakob", "Kaiser", "ab", "A", "und", "sowie", "x", "ß",
    "-", "- ", "-\n", "- \n", "\n", "\n\n\n", " ", "  ", "\t", "\xa0", "\u2003", "\x0b", ",",
    ".", "1", "12", "2015", "36/21", "12.03.2015", "2015", "Beitritt", "ableiten", "Ziele",
    "RegioPole", "\x96", "\x02", "\ufffe", "\xad", "\r\n", "ﬁ", "Seite 3", "Ü", "é", "÷", "×",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)

_LETTER = clean._LETTER
PLAIN_HYPHEN_BREAK = re.compile(
    rf"(?P<left>[{_LETTER}]{{2,}})-[ \t]*\n[ \t]*(?P<right>[{_LETTER}0-9]\S*){clean._AFTER_WORD}"
)
PLAIN_GLUED_DATE = re.compile(rf"(\b\d{{1,2}}\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}}))(?=[{_LETTER}])")
PLAIN_GLUED_NUMBER_WORD = re.compile(rf"(?<=\d)(?=[{clean._UPPER}][{clean._LOWER}]{{2,}})")


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict[str, str]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@FAST
@given(texts)
def test_hyphen_break_matches_its_plain_form(text: str) -> None:
    assert _spans(clean._HYPHEN_BREAK, text) == _spans(PLAIN_HYPHEN_BREAK, text)
    joined = clean._HYPHEN_BREAK.sub(clean._join_hyphenated, text)
    assert joined == PLAIN_HYPHEN_BREAK.sub(clean._join_hyphenated, text)


def _plain_dehyphenate(text: str) -> str:
    while True:
        joined = clean._DIGIT_HYPHEN_BREAK.sub(
            clean._join_digits, PLAIN_HYPHEN_BREAK.sub(clean._join_hyphenated, text)
        )
        if joined == text:
            return text
        text = joined


@FAST
@given(texts)
def test_dehyphenate_matches_its_plain_form(text: str) -> None:
    assert clean.dehyphenate(text) == _plain_dehyphenate(text)


@FAST
@given(texts)
def test_split_glued_matches_its_plain_form(text: str) -> None:
    assert clean._GLUED_DATE.sub(r"\1 ", text) == PLAIN_GLUED_DATE.sub(r"\1 ", text)
    assert clean._GLUED_NUMBER_WORD.sub(r"\1 ", text) == PLAIN_GLUED_NUMBER_WORD.sub(" ", text)


def _plain_normalize_unicode(text: str) -> str:
    text = clean._LINE_END_HYPHENS.sub("-\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xad", "")
    text = unicodedata.normalize("NFKC", text.translate(clean._C1_AS_CP1252))
    return clean._CONTROL.sub("", text)


def _plain_normalize_whitespace(text: str) -> str:
    lines = [clean._SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return clean._MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


@FAST
@given(texts)
def test_normalizers_match_their_plain_forms(text: str) -> None:
    assert clean.normalize_unicode(text) == _plain_normalize_unicode(text)
    assert clean.normalize_whitespace(text) == _plain_normalize_whitespace(text)
    assert clean.clean_page(text) == clean.clean_normalized(clean.normalize_unicode(text))


def _plain_looks_garbled(text: str) -> bool:
    visible = len(text) - len(re.findall(r"\s", text))
    if visible < 20:
        return False
    odd = len(clean._NOT_PLAIN.findall(text))
    if (visible - odd) / visible < 0.85:
        return True
    words = clean._WORD.findall(text)
    if len(words) < 8:
        return False
    with_vowel = sum(1 for w in words if clean._VOWEL.search(w)) / len(words)
    if with_vowel < 0.6:
        return True
    common = sum(1 for w in words if w.lower() in clean._COMMON_WORDS) / len(words)
    upper = len(clean._UPPER_CHARS.findall(text)) / max(1, len(clean._LETTER_CHARS.findall(text)))
    return common < 0.02 and upper > 0.5 and len(words) >= 15


GARBLE_PIECES = [
    "POPKMOO ", "XQZ ", "und ", "der ", "Rat ", "Haus ", "bcd ", "\ue000", "a", "E", " ", "\n",
    "Ärger ", "ZZ ", "1 ", "☃", "stadt ",
]  # fmt: skip


@FAST
@given(st.lists(st.sampled_from(GARBLE_PIECES), max_size=80).map("".join))
def test_looks_garbled_matches_its_plain_form(text: str) -> None:
    assert clean.looks_garbled(text) is _plain_looks_garbled(text)


def _plain_edge_positions(lines: list[str], depth: int) -> dict[int, str]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    positions: dict[int, str] = {}
    for rank, index in enumerate(reversed(filled[-depth:])):
        positions[index] = f"b{rank}"
    for rank, index in enumerate(filled[:depth]):
        positions[index] = f"t{rank}"
    return positions


@FAST
@given(
    st.lists(st.sampled_from(["", " ", "Kopf", "Seite 1", "Text"]), max_size=20), st.integers(1, 7)
)
def test_edge_positions_match_their_plain_form(lines: list[str], depth: int) -> None:
    positions = clean._edge_positions(lines, depth)
    assert positions == _plain_edge_positions(lines, depth)
    assert list(positions.items()) == list(_plain_edge_positions(lines, depth).items())
