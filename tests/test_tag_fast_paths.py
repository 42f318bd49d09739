"""The tagger's fast paths find exactly what the plain forms they replaced found.

Tagging was made faster without changing its output: a calendar check by ``datetime`` instead
of dateparser, assertions moved behind a pattern's first character (or checked in Python) so
that ``re`` can skip ahead, a rule's cues joined into one alternation, e-mail addresses looked
for only in the runs of characters that can hold one. Each rewrite is held here to the form
it replaced, on generated text made of the characters and words those patterns care about.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from archiv.tag import bodies, dates, places
from archiv.tag.base import add_span, spans_to_mentions
from archiv.tag.nlp import build_nlp

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _texts(pieces: list[str], max_size: int = 40) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _found(pattern: re.Pattern[str], text: str, *args: int) -> list[tuple[object, ...]]:
    return [(m.span(), m.groupdict(), m.group(0)) for m in pattern.finditer(text, *args)]


# --- the calendar check ----------------------------------------------------------------------


def _triples(years: list[int]) -> list[tuple[int, int, int]]:
    return [(d, m, y) for y in years for m in range(0, 14) for d in range(0, 33)]


def test_parse_day_agrees_with_dateparser_on_the_hard_cases() -> None:
    """Leap years (1900 is none, 2000 is one), month ends, and the edges of the range."""
    cases = _triples([1899, 1900, 2000, 2023, 2024, 2099, 2100])
    cases += [(29, 2, year) for year in range(1900, 2100)]
    for day, month, year in cases:
        assert dates._parse_day(day, month, year) == dates.dateparser_day(day, month, year), (
            day,
            month,
            year,
        )
    assert dates._parse_day(29, 2, 2024) == "2024-02-29"
    assert dates._parse_day(29, 2, 1900) is None
    assert dates._parse_day(31, 4, 2015) is None


@pytest.mark.slow
def test_parse_day_agrees_with_dateparser_everywhere() -> None:
    """Every triple ``_parse_day`` can accept (74,400; about a minute of dateparser)."""
    for day, month, year in _triples(list(range(1900, 2100))):
        if 1 <= day <= 31 and 1 <= month <= 12:
            assert dates._parse_day(day, month, year) == dates.dateparser_day(day, month, year)


# --- date patterns ---------------------------------------------------------------------------

DATE_PIECES = [
    "1", "2", "3", "9", "0", "12", "19", "20", "2015", "1999", "23", ".", ". ", ",", "/", ":",
    "§", "-", "–", " ", "\n", "a", "Z", "am ", "Nr", "März", "Mrz.", "Jan", "Sept.", "mai",
    "MÄRZ", "x.", "vom ", "bis ", "der Sitzung. ", "tagte. Der ", "(Rat). Die ", "“. ", "ab. ",
]  # fmt: skip


def _plain_date_patterns() -> dict[str, re.Pattern[str]]:
    """The patterns as they were: the lookbehind in front, ``\\d{1,2}`` for the day."""
    p = dates._patterns()
    fast_day = r"(?P<d>\d(?<![\w.,/:§]\d)\d?)"
    plain_day = r"(?<![\w.,/:§])(?P<d>\d{1,2})"
    fast_year = r"(?P<y>(?:19|20)(?<![\w.,/\-]\d\d)\d\d)"
    plain_year = r"(?<![\w.,/\-])(?P<y>(?:19|20)\d\d)"
    out = {}
    for name, fast, plain in [
        ("numeric", fast_day, plain_day),
        ("day_name", fast_day, plain_day),
        ("iso", fast_year, plain_year),
    ]:
        source = getattr(p, name).pattern
        assert source.startswith(fast), name
        out[name] = re.compile(plain + source[len(fast) :])
    return out


@FAST
@given(_texts(DATE_PIECES))
def test_date_patterns_match_their_plain_forms(text: str) -> None:
    p = dates._patterns()
    for name, plain in _plain_date_patterns().items():
        assert _found(getattr(p, name), text) == _found(plain, text), name


PLAIN_SENTENCE_END = re.compile(r"(?:(?<=[a-zäöüß]{3})|(?<=[)“\"]))[.!?]\s+(?=[A-ZÄÖÜ])")


@FAST
@given(_texts(DATE_PIECES), st.integers(0, 30), st.integers(0, 60))
def test_sentence_end_matches_its_plain_form(text: str, pos: int, endpos: int) -> None:
    fast = dates._patterns().sentence_end
    assert _found(fast, text) == _found(PLAIN_SENTENCE_END, text)
    assert _found(fast, text, pos, endpos) == _found(PLAIN_SENTENCE_END, text, pos, endpos)


def _role_rules() -> list[dict[str, object]]:
    raw = resources.files("archiv.tag").joinpath("data", "date_roles.json").read_text("utf-8")
    return json.loads(raw)["roles"]


ROLE_PIECES = [
    "bis ", "spätestens ", "zum ", "am ", "vom ", "im ", "seit dem ", "Sitzung ", "sitzung ",
    "in seiner ", "Ratsbeschluss ", "Beschluss ", "des Rates ", "hat ", "wurde ", "für den ",
    "Frist: ", "fällig am ", "Detmold, den ", "\nLemgo, ", "beschlossen ", "Ausschuss ", ". ",
    " ", "\n", ",", "x",
]  # fmt: skip


@FAST
@given(_texts(ROLE_PIECES, max_size=12))
def test_role_cues_as_one_alternation(text: str) -> None:
    """One search over a rule's joined cues says what searching each cue said."""
    for (role, before, sentence), rule in zip(dates._patterns().roles, _role_rules(), strict=True):
        assert role == rule["role"]
        each = [re.compile(p, re.IGNORECASE) for p in rule["before"]]  # type: ignore[attr-defined]
        assert (before.search(text) is not None) == any(p.search(text) for p in each)
        cues = [re.compile(p, re.IGNORECASE) for p in rule.get("sentence", [])]  # type: ignore[attr-defined]
        if cues:
            assert sentence is not None
            assert (sentence.search(text) is not None) == any(p.search(text) for p in cues)
        else:
            assert sentence is None


# --- bodies ----------------------------------------------------------------------------------

BODY_PIECES = [
    "Rat", "Rates", "Rats", "der ", "des ", "Stadt ", "Bielefeld", "Lemgo", " ", "\n", "-",
    "/", ")", "(", ",", ".", "Ausschuss", "Ausschusses", "für ", "Finanzen", "Umwelt", " und ",
    "Haupt-", "Finanzausschuss", "Bezirksvertretung", "Stadt", "Mitte", "Fraktion", "fraktion",
    "SPD", "Die Grünen", "Kreistag", "Kreises ", "Lippe", "beschluss", "Lenkungsausschuss",
    "Oberbürgermeister", "in", "x", "im ", "Verwaltungsvorstand", "Integrationsrat", "3",
]  # fmt: skip


@FAST
@given(_texts(BODY_PIECES))
def test_body_rules_find_what_their_whole_pattern_finds(text: str) -> None:
    for rule in bodies.rules():
        fast = [(m.span(), m.groupdict()) for m in bodies._finditer(rule, text)]
        assert fast == [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text)], rule.id


def test_most_body_rules_take_the_fast_path() -> None:
    """The speed-up holds only while the rules start with a letter after ``<<START>>``."""
    fast = [rule.id for rule in bodies.rules() if rule.rest is not None]
    assert len(fast) >= len(bodies.rules()) - 2, fast


def test_rewritten_body_patterns_equal_their_optional_forms() -> None:
    """``(?:AB|B)`` in bodies.jsonl stands for ``(?:A)?B``: the same tries in the same order."""
    for optional, alternation in [
        ("(?:Stadt)?Bezirksvertretung", "(?:StadtBezirksvertretung|Bezirksvertretung)"),
        ("(?:Rats)?[Ff]raktion", "(?:Rats[Ff]raktion|[Ff]raktion)"),
    ]:
        assert any(alternation in rule.pattern.pattern for rule in bodies.rules())
        texts = ["StadtBezirksvertretung", "Bezirksvertretung", "RatsFraktion", "Ratsfraktion x"]
        texts += ["fraktion", "Stadt Bezirksvertretung", "RatsRatsfraktion"]
        for text in texts:
            plain = [m.span() for m in re.finditer(optional, text)]
            assert [m.span() for m in re.finditer(alternation, text)] == plain


# --- places: e-mail and web domains ---------------------------------------------------------

MAIL_PIECES = [
    "info", "b.siebel", "@", "paderborn", "stadt-", "kreis-", ".de", ".DE", ".com", "www.",
    "WWW.", "essen", "-", "+", ".", " ", "\n", ",", "(", ")", "/", "x", "ä", "_", "1",
]  # fmt: skip


@FAST
@given(_texts(MAIL_PIECES))
def test_mail_matches_are_those_of_the_whole_text(text: str) -> None:
    fast = [(m.group(0), m.groupdict()) for m in places._mail_matches(text)]
    assert fast == [(m.group(0), m.groupdict()) for m in places._MAIL.finditer(text)]


# --- span payloads ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_nlp()


def test_payload_reads_back_through_the_span_extensions(nlp: Language) -> None:
    text = "Vorlage 0815/2023 am 12.03.2015"
    doc = nlp.make_doc(text)
    span = add_span(doc, "reference", 8, 17, "0815/2023", kind="drucksache")
    assert span is not None
    assert (span._.archiv_value, span._.archiv_kind, span._.archiv_start) == (
        "0815/2023",
        "drucksache",
        8,
    )
    add_span(doc, "date", 21, 31, "2015-03-12", precision="day", role="event")
    add_span(doc, "date", 0, 7, "x")
    assert [s._.archiv_value for s in doc.spans["date"]] == ["2015-03-12", "x"]  # added in order
    mentions = spans_to_mentions(doc, 4)
    assert [(m.label, m.text, m.value, m.page, m.role) for m in mentions] == [
        ("date", "Vorlage", "x", 4, None),
        ("reference", "0815/2023", "0815/2023", 4, None),
        ("date", "12.03.2015", "2015-03-12", 4, "event"),
    ]


def test_a_span_added_without_a_payload_keeps_its_own_offsets(nlp: Language) -> None:
    doc = nlp.make_doc("Rat der Stadt Lemgo")
    doc.spans["body"] = [doc[0:1]]
    [mention] = spans_to_mentions(doc, 1)
    assert (mention.text, mention.start, mention.end, mention.value) == ("Rat", 0, 3, None)
    assert doc[0:1]._.archiv_value is None
