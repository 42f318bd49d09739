"""The query language: text in, syntax tree out, and one-line errors for everything else."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiv.errors import QueryError
from archiv.query import (
    And,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Prefix,
    Range,
    Term,
    has_positive,
    leaves,
    parse,
)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        pytest.param("Netzwerk", Term("Netzwerk"), id="word"),
        pytest.param("Rat Beitritt", And((Term("Rat"), Term("Beitritt"))), id="and-by-default"),
        pytest.param("Rat AND Beitritt", And((Term("Rat"), Term("Beitritt"))), id="explicit-and"),
        pytest.param("Rat OR Kreistag", Or((Term("Rat"), Term("Kreistag"))), id="or"),
        pytest.param("Rat ODER Kreistag", Or((Term("Rat"), Term("Kreistag"))), id="german-or"),
        pytest.param(
            "a1 b2 OR c3", Or((And((Term("a1"), Term("b2"))), Term("c3"))), id="and-binds-tighter"
        ),
        pytest.param(
            "a1 (b2 OR c3)", And((Term("a1"), Or((Term("b2"), Term("c3"))))), id="parentheses"
        ),
        pytest.param("Rat -Kreistag", And((Term("Rat"), Not(Term("Kreistag")))), id="minus"),
        pytest.param("Rat NOT Kreistag", And((Term("Rat"), Not(Term("Kreistag")))), id="not"),
        pytest.param("RegioPole-Netzwerk", Term("RegioPole-Netzwerk"), id="inner-hyphen-is-word"),
        pytest.param(
            '"Interkommunale Vereinbarung"', Phrase("Interkommunale Vereinbarung"), id="phrase"
        ),
        pytest.param("Netz*", Prefix("Netz"), id="prefix"),
        pytest.param("Netzwrek~", Fuzzy("Netzwrek", 2), id="fuzzy-default-long"),
        pytest.param("Rta~", Fuzzy("Rta", 1), id="fuzzy-default-short"),
        pytest.param("Rta~1", Fuzzy("Rta", 1), id="fuzzy-explicit"),
        pytest.param("stadt:Bielefeld", Term("Bielefeld", "city"), id="city"),
        pytest.param("Stadt:Bielefeld", Term("Bielefeld", "city"), id="field-case"),
        pytest.param('stadt:"Bad Salzuflen"', Phrase("Bad Salzuflen", "city"), id="field-phrase"),
        pytest.param(
            "stadt:(Bielefeld OR Paderborn)",
            Or((Term("Bielefeld", "city"), Term("Paderborn", "city"))),
            id="field-group",
        ),
        pytest.param("gremium:Rat", Term("Rat", "body"), id="body"),
        pytest.param("typ:mitteilung", Term("mitteilung", "type"), id="type"),
        pytest.param("ort:Berlin", Term("Berlin", "place"), id="place"),
        pytest.param("ds:0002/15", Term("0002/15", "ref"), id="ref-field"),
        pytest.param("ds:bv/0123/2021", Term("BV/0123/2021", "ref"), id="ref-upper"),
        pytest.param("datum:2015", Prefix("2015", "date"), id="year"),
        pytest.param("datum:2015-03", Prefix("2015-03", "date"), id="month"),
        pytest.param("datum:12.03.2015", Prefix("2015-03-12", "date"), id="german-day"),
        pytest.param("datum:03.2015", Prefix("2015-03", "date"), id="german-month"),
        pytest.param("datum:[2015-01 TO 2016-06]", Range("date", "2015-01", "2016-06"), id="range"),
        pytest.param(
            "datum:[2015-01 to 2016-06]", Range("date", "2015-01", "2016-06"), id="range-lower-to"
        ),
        pytest.param(
            "0002/15", Or((Term("0002/15", "ref"), Phrase("0002/15"))), id="bare-reference"
        ),
        pytest.param(
            "DS-Nr. 1045/2014-2020",
            Or((Term("1045/2014-2020", "ref"), Phrase("1045/2014-2020"))),
            id="labelled-reference",
        ),
        pytest.param(
            "Vorlage 0174/20",
            Or((Term("0174/20", "ref"), Phrase("0174/20"))),
            id="vorlage-reference",
        ),
        pytest.param("Vorlage", Term("Vorlage"), id="label-alone-is-a-word"),
        pytest.param("\x1b[31mRat\x1b[0m", Term("Rat"), id="ansi-stripped"),
        pytest.param("Rat\x00\x07", Term("Rat"), id="control-stripped"),
        pytest.param("12:30", Term("12:30"), id="colon-after-digits-is-no-field"),
    ],
)
def test_parse(text: str, tree: object) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param('"Netzwerk', 'add a closing "', id="quote"),
        pytest.param("(Rat OR Kreistag", "add a closing )", id="open-paren"),
        pytest.param("Rat)", "remove the extra )", id="close-paren"),
        pytest.param("()", "empty parentheses", id="empty-parens"),
        pytest.param("", "empty query", id="empty"),
        pytest.param("   \x00 ", "empty query", id="only-control"),
        pytest.param("*", "at least 3 letters", id="star"),
        pytest.param("a*", "at least 3 letters", id="short-prefix"),
        pytest.param("ne*", "at least 3 letters", id="two-letters"),
        pytest.param("*e*", "only at the end", id="infix"),
        pytest.param("Ne?z", "only at the end", id="question-mark"),
        pytest.param("Rat~3", "must be 1 or 2", id="fuzzy-too-far"),
        pytest.param("stadt:Biel~", "only on words", id="fuzzy-field"),
        pytest.param("document_id:abc", "use one of stadt:", id="internal-field"),
        pytest.param("path:/etc/passwd", "unknown field", id="path-field"),
        pytest.param("datum:[2015 TO *]", "both ends", id="open-range"),
        pytest.param("datum:[2015]", "both ends", id="one-end"),
        pytest.param("datum:[a TO z]", "is not a date", id="letters-range"),
        pytest.param("datum:[2016 TO 2015]", "backwards", id="backwards"),
        pytest.param("datum:[2015 TO 2016", "closing ]", id="unclosed-range"),
        pytest.param("datum:gestern", "is not a date", id="bad-date"),
        pytest.param("datum:2015*", "not a prefix", id="date-prefix"),
        pytest.param("stadt:[a TO b]", "takes no range", id="range-on-city"),
        pytest.param("[2015 TO 2016]", "needs a field", id="range-without-field"),
        pytest.param("stadt:", "needs a value", id="field-without-value"),
        pytest.param("stadt:stadt:Bielefeld", "cannot contain another field", id="nested-field"),
        pytest.param("OR Rat", "both sides", id="leading-or"),
        pytest.param("Rat OR", "both sides", id="trailing-or"),
        pytest.param("Rat NOT", "needs a word after it", id="trailing-not"),
        pytest.param("(" * 21 + "Rat" + ")" * 21, "at most 20 levels", id="depth-21"),
        pytest.param("(" * 1000, "at most 20 levels", id="thousand-parens"),
        pytest.param("(" * 10_000, "at most 1000", id="ten-thousand-parens"),
        pytest.param("Rat " * 51, "at most 50", id="too-many-terms"),
        pytest.param("x" * 1001, "at most 1000", id="too-long"),
        pytest.param("Netzwerk " * 12_000, "at most 1000", id="100kb"),
    ],
)
def test_errors_say_what_to_fix(text: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError) as info:
        parse(text)
    assert time.monotonic() - started < 0.5
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_twenty_levels_are_allowed() -> None:
    assert parse("(" * 20 + "Rat" + ")" * 20) == Term("Rat")


def test_fifty_terms_are_allowed() -> None:
    assert len(leaves(parse("Rat " * 50))) == 50


def test_leaves_know_what_is_excluded() -> None:
    tree = parse("Rat -(Kreistag OR NOT Bezirk)")
    assert [(leaf, negated) for leaf, negated in leaves(tree)] == [
        (Term("Rat"), False),
        (Term("Kreistag"), True),
        (Term("Bezirk"), False),
    ]


@pytest.mark.parametrize(
    ("text", "positive"),
    [
        pytest.param("Rat", True, id="word"),
        pytest.param("-Rat", False, id="only-excluded"),
        pytest.param("Rat -Kreistag", True, id="mixed"),
        pytest.param("-Rat OR Kreistag", False, id="or-with-negative-side"),
    ],
)
def test_has_positive(text: str, positive: bool) -> None:
    assert has_positive(parse(text)) is positive


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_fails_cleanly(text: str) -> None:
    started = time.monotonic()
    try:
        tree = parse(text)
    except QueryError as exc:
        assert "\n" not in str(exc)
    else:
        assert 1 <= len(leaves(tree)) <= 50
    assert time.monotonic() - started < 0.5


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["(", ")", '"', "-", "*", "~", ":", "OR", "NOT", "Rat", "stadt:", "[", "]", " "]
        ),
        max_size=60,
    )
)
def test_operator_soup_parses_or_fails_cleanly(pieces: list[str]) -> None:
    with contextlib.suppress(QueryError):
        parse("".join(pieces))
