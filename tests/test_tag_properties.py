"""Properties of the date and reference finders over generated inputs."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiv.tag.dates import find_dates
from archiv.tag.references import (
    Intervals,
    find_references,
    looks_like_reference,
    normalize_reference,
)

MONTHS = {
    1: ["Januar", "Jan."],
    2: ["Februar", "Feb.", "Febr."],
    3: ["März", "Mrz.", "Maerz"],
    4: ["April", "Apr."],
    5: ["Mai"],
    6: ["Juni", "Jun."],
    7: ["Juli", "Jul."],
    8: ["August", "Aug."],
    9: ["September", "Sept.", "Sep."],
    10: ["Oktober", "Okt."],
    11: ["November", "Nov."],
    12: ["Dezember", "Dez."],
}

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LABELS = [
    "DS-Nr.",
    "DS",
    "Drs.",
    "Drucksache",
    "Drucksache Nr.",
    "Vorlage",
    "Vorlage:",
    "Vorlage Nr.:",
    "Vorlagen-Nr.",
    "Beschlussvorlage",
    "Antrag Nr.",
    "Beschluss-Nr.",
    "Beschluss Nr.",
]
numbers = st.one_of(
    st.from_regex(r"\A\d{1,5}/\d{2,4}(-\d{2,4})?(/\d{1,4})?\Z"),
    st.from_regex(r"\A[A-Za-z]{1,4}/\d{2,4}/\d{1,5}\Z"),
    st.from_regex(r"\A\d{2}-\d{3,5}\Z"),
)


@st.composite
def german_dates(draw: st.DrawFn) -> tuple[str, str, str]:
    """(printed, value, precision) for every printed form the tagger promises to read."""
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    form = draw(
        st.sampled_from(
            ["dd.mm.yyyy", "d.m.yyyy", "dd.mm.yy", "d. Monat yyyy", "Monat yyyy", "im Jahr yyyy"]
        )
    )
    month_name = draw(st.sampled_from(MONTHS[day.month]))
    if form == "dd.mm.yy":
        # two-digit years are read with a pivot of 70: 00–69 → 20xx, 70–99 → 19xx
        # (drawn anew, not by replacing the year: 29 February has no day in most years)
        day = draw(st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31)))
        return f"{day.day:02d}.{day.month:02d}.{day.year % 100:02d}", day.isoformat(), "day"
    if form == "dd.mm.yyyy":
        return f"{day.day:02d}.{day.month:02d}.{day.year}", day.isoformat(), "day"
    if form == "d.m.yyyy":
        return f"{day.day}.{day.month}.{day.year}", day.isoformat(), "day"
    if form == "d. Monat yyyy":
        space = draw(st.sampled_from([" ", "\n", ""]))
        return f"{day.day}. {month_name}{space or ' '}{day.year}", day.isoformat(), "day"
    if form == "Monat yyyy":
        return f"{month_name} {day.year}", f"{day.year}-{day.month:02d}", "month"
    return f"im Jahr {day.year}", str(day.year), "year"


@FAST
@given(
    german_dates(),
    st.sampled_from(["Der Rat tagte am {} in Paderborn.", "{}", "({})", "Stand: {}\n"]),
)
def test_generated_dates_parse_back_at_their_precision(
    sample: tuple[str, str, str], frame: str
) -> None:
    printed, value, precision = sample
    found = find_dates(frame.format(printed))
    assert len(found) == 1, (printed, found)
    assert (found[0].value, found[0].precision) == (value, precision)
    if precision == "month":
        assert len(found[0].value) == 7  # a month is never filled in with a day


@FAST
@given(
    st.from_regex(r"\A\d{1,5}/\d{1,5}\Z"),
    st.sampled_from(["{}", "am {}", "Vorlage {}", "seit {}", "im Jahr {}", "bis zum {}"]),
)
def test_digit_slash_strings_are_never_dates(number: str, frame: str) -> None:
    assert find_dates(frame.format(number)) == []


@FAST
@given(
    st.text(max_size=300), st.none() | st.sampled_from(["2023-10-25", "2015", "1900-01", "abcd"])
)
def test_find_dates_never_raises(text: str, reference_date: str | None) -> None:
    for found in find_dates(text, reference_date=reference_date):
        assert text[found.start : found.end] == found.text
        assert found.precision in ("day", "month", "year")


@FAST
@given(st.text(alphabet=st.sampled_from("0123456789./- \nMärzJahresimbsdEnde"), max_size=120))
def test_find_dates_never_raises_on_date_like_noise(text: str) -> None:
    for found in find_dates(text, reference_date="2020-01-01"):
        assert text[found.start : found.end] == found.text
        assert found.end_value is None or found.end_value >= found.value


@FAST
@given(st.sampled_from(LABELS), st.sampled_from([" ", "\n", "  "]), numbers)
def test_labelled_references_normalise_to_themselves(label: str, gap: str, number: str) -> None:
    value = normalize_reference(f"{label}{gap}{number}")
    assert value is not None
    assert value == number.upper()
    assert normalize_reference(value) == value


@FAST
@given(st.text(max_size=60) | numbers)
def test_normalisation_is_idempotent(text: str) -> None:
    value = normalize_reference(text)
    if value is not None:
        assert normalize_reference(value) == value
        assert looks_like_reference(value) in (value, None)


@FAST
@given(st.text(max_size=300))
def test_find_references_never_raises(text: str) -> None:
    for ref in find_references(text):
        assert text[ref.start : ref.end] == ref.text
        assert normalize_reference(ref.value) == ref.value


@FAST
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=40))
def test_intervals_agree_with_a_naive_overlap_check(spans: list[tuple[int, int]]) -> None:
    fast = Intervals()
    kept: list[tuple[int, int]] = []
    for start, length in spans:
        end = start + length
        naive = all(end <= s or start >= e for s, e in kept)
        assert fast.free(start, end) == naive
        if naive:
            fast.add(start, end)
            kept.append((start, end))


@FAST
@given(st.text(alphabet=st.sampled_from("0123456789./- \nMärzJahresbisvomDS"), max_size=150))
def test_dates_never_overlap_each_other(text: str) -> None:
    found = find_dates(text, reference_date="2020-01-01")
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
