"""Every output format parses back and survives hostile text from the PDFs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import icalendar
import pytest

from archiv.models import ChronologyEntry, Source
from archiv.render import (
    CSV_FIELDS,
    format_date,
    render_csv,
    render_html,
    render_ics,
    render_json,
    render_markdown,
    render_table,
)

HOSTILE = 'Beitritt <script>alert("x")</script> | [x](javascript:alert(1)) <img src=x onerror=alert(1)>\nzweite Zeile & "Zitat"'


def entry(
    date: str | None, precision: str | None, subject: str = "Beitritt zum Netzwerk", **kw: object
) -> ChronologyEntry:
    data: dict = dict(
        date=date,
        end_date=None,
        precision=precision,
        kind="resolution",
        status="decided",
        body="Rat der Stadt Bielefeld",
        city="Bielefeld",
        subject=subject,
        references=("1045/2014-2020",),
        outcome="25 Ja, 3 Nein, 2 Enthaltungen",
        sources=(
            Source("doc1", "/archiv/Mitteilung 2023.pdf", 2, "Der Rat stimmte am 12.03.2015 zu."),
        ),
    )
    data.update(kw)
    return ChronologyEntry(**data)


ENTRIES = [
    entry("2015-02", "month", references=("0002/15",), city="Paderborn", body="Rat"),
    entry("2015-03-12", "day", conflicts=("DS 1045/2014-2020: 2015-03-19 in /x.pdf p.1",)),
    entry(
        "2016-03-16",
        "day",
        kind="event",
        status=None,
        outcome=None,
        references=(),
        body=None,
        subject="Unterzeichnung der Interkommunalen Vereinbarung",
        sources=(
            Source("a", "/a.pdf", 1, "unterzeichneten am 16.03.2016"),
            Source("b", "/b.pdf", 3, "im März 2016"),
        ),
    ),
    entry(
        "2021-01-01", "day", kind="event", status=None, end_date="2022-12-31", subject="Zeitplan"
    ),
    entry("2019", "year", subject="Jahresbeschluss"),
    entry(None, None, subject="ohne Datum"),
    entry(
        "2023-09-19", "day", subject=HOSTILE, sources=(Source("h", "/evil/<b>.pdf", 1, HOSTILE),)
    ),
]


def test_json_round_trip() -> None:
    data = json.loads(render_json(ENTRIES))
    assert [d["date"] for d in data] == [e.date for e in ENTRIES]
    assert data[0] == json.loads(json.dumps(ENTRIES[0].to_dict()))
    assert set(data[0]) == {
        "date",
        "end_date",
        "precision",
        "kind",
        "status",
        "body",
        "city",
        "subject",
        "references",
        "outcome",
        "sources",
        "conflicts",
    }
    assert set(data[0]["sources"][0]) == {"document_id", "path", "page", "text"}
    assert data[6]["subject"] == HOSTILE
    assert "Städtenetzwerk" in render_json(
        [entry("2015", "year", subject="Städtenetzwerk")]
    )  # ensure_ascii=False
    assert json.loads(render_json([])) == []


def test_csv_round_trip() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(ENTRIES), newline="")))
    assert list(rows[0]) == list(CSV_FIELDS)
    assert [r["date"] for r in rows] == [e.date or "" for e in ENTRIES]
    assert rows[6]["subject"] == HOSTILE  # newline, quotes and commas survive
    assert rows[2]["sources"] == "/a.pdf#page=1; /b.pdf#page=3"
    assert rows[3]["end_date"] == "2022-12-31"


def test_markdown_table_keeps_its_columns() -> None:
    text = render_markdown(ENTRIES)
    lines = text.strip().split("\n")
    assert len(lines) == 2 + len(ENTRIES)  # the newline in a subject did not break a row

    def cells(line: str) -> int:
        count, escaped = 0, False
        for ch in line:
            if ch == "|" and not escaped:
                count += 1
            escaped = ch == "\\" and not escaped
        return count

    assert {cells(line) for line in lines} == {8}
    hostile = lines[-1]
    assert "](" not in hostile.replace("\\](", "")  # no live link syntax
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in hostile
    assert "<script>" not in hostile and "\\<script\\>" in hostile
    assert "März 2016" not in text and "Februar 2015" in text  # months spelt out


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_everything() -> None:
    page = render_html(ENTRIES, title='Chronik <b>"Netz"</b>')
    parser = _Collect()
    parser.feed(page)
    names = [t for t, _ in parser.tags]
    assert "script" not in names and "img" not in names and "b" not in names
    assert not [a for _, attrs in parser.tags for a in attrs if a.lower().startswith("on")]
    assert not [
        v
        for _, attrs in parser.tags
        for k, v in attrs.items()
        if k in {"src", "href"} and v and not v.startswith("file://")
    ]  # no external resources, links only to sources
    text = "".join(parser.text)
    assert '<script>alert("x")</script>' in text  # visible as text
    assert "<img src=x onerror=alert(1)>" in text
    assert 'Chronik <b>"Netz"</b>' in text
    hrefs = [attrs["href"] for t, attrs in parser.tags if t == "a"]
    assert "file:///archiv/Mitteilung%202023.pdf#page=2" in hrefs
    assert "file:///evil/%3Cb%3E.pdf#page=1" in hrefs
    years = re.findall(r'<li class="year"><span>([^<]*)</span>', page)
    assert years == ["2015", "2016", "2021", "2019", "ohne Datum", "2023"]  # one marker per change
    assert [
        a.get("class") for t, a in parser.tags if t == "li" and "conflict" in (a.get("class") or "")
    ] == ["entry resolution conflict"]
    assert "Widerspruch" in text and "@media print" in page


def test_ics_parses_with_all_day_dates() -> None:
    stamp = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    cal = icalendar.Calendar.from_ical(render_ics(ENTRIES, stamp=stamp))
    events = list(cal.walk("VEVENT"))
    assert len(events) == 6  # the undated entry has no day to sit on
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [
        dt.date(2015, 2, 1),
        dt.date(2015, 3, 12),
        dt.date(2016, 3, 16),
        dt.date(2021, 1, 1),
        dt.date(2019, 1, 1),
        dt.date(2023, 9, 19),
    ]
    assert all(type(s) is dt.date for s in starts)  # all-day, not midnight datetimes
    assert events[3].decoded("dtend") == dt.date(2023, 1, 1)  # exclusive end of the period
    assert "(Monat)" in str(events[0]["summary"]) and "(Jahr)" in str(events[4]["summary"])
    assert str(events[0]["x-archiv-precision"]) == "month"
    assert "/a.pdf S. 1" in str(events[2]["description"]) and "/b.pdf S. 3" in str(
        events[2]["description"]
    )
    assert str(events[5]["summary"]).startswith("Beschluss: Beitritt <script>")
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    again = icalendar.Calendar.from_ical(render_ics(ENTRIES, stamp=stamp))
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == uids  # stable across runs


def test_table_is_readable_and_wraps_long_subjects() -> None:
    text = render_table(ENTRIES, width=140)
    lines = text.rstrip("\n").split("\n")
    assert lines[0].startswith("Datum") and "Gegenstand" in lines[0] and "Quelle" in lines[0]
    assert max(len(line) for line in lines) <= 140
    assert "12.03.2015" in text and "Februar 2015" in text
    assert "01.01.2021 –" in text and "31.12.2022" in text  # a period wraps in its column
    assert "Mitteilung 2023.pdf" in text
    assert "  ⚠ Widerspruch: DS 1045/2014-2020: 2015-03-19 in /x.pdf p.1" in lines
    assert "\nzweite" not in text  # a newline in a subject never starts a table row


@pytest.mark.parametrize(
    ("date", "end", "printed"),
    [
        ("2015-03-12", None, "12.03.2015"),
        ("2016-03", None, "März 2016"),
        ("2019", None, "2019"),
        (None, None, "–"),
        ("2021-01-01", "2022-12-31", "01.01.2021 – 31.12.2022"),
    ],
)
def test_format_date(date: str | None, end: str | None, printed: str) -> None:
    assert format_date(date, end) == printed


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60), st.text(max_size=30))
def test_any_text_keeps_every_format_intact(subject: str, body: str) -> None:
    e = entry(
        "2015-03-12",
        "day",
        subject=subject,
        body=body or None,
        sources=(Source("d", "/p.pdf", 1, subject),),
    )
    assert json.loads(render_json([e]))[0]["subject"] == subject
    row = next(csv.DictReader(io.StringIO(render_csv([e]), newline="")))
    assert (row["subject"], row["body"]) == (subject, body)
    md = render_markdown([e]).strip().split("\n")
    assert len(md) == 3
    parser = _Collect()
    parser.feed(render_html([e]))
    assert {t for t, _ in parser.tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "h1",
        "p",
        "ol",
        "li",
        "span",
        "article",
        "div",
        "time",
        "details",
        "summary",
        "ul",
        "a",
        "blockquote",
        "strong",
    }
    icalendar.Calendar.from_ical(render_ics([e]))


# --- the fast paths of a large report are the slow paths' results -----------------------------

import dataclasses  # noqa: E402
import textwrap  # noqa: E402

from archiv import render  # noqa: E402


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab cÄ-\t\n\u00a0", max_size=80) | st.text(max_size=80), st.integers(1, 40))
def test_wrap_is_textwrap(cell: str, width: int) -> None:
    expected = textwrap.wrap(cell, width, break_long_words=True, break_on_hyphens=False) or [""]
    assert render._wrap(cell, width) == expected


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40), st.lists(st.text(max_size=12), max_size=3), st.text(max_size=40))
def test_json_is_json_dumps_of_the_contract(subject: str, refs: list[str], path: str) -> None:
    e = entry("2015-03-12", "day", subject=subject, references=tuple(refs),
              sources=(Source("d", path, 1, subject), Source("e", "/q.pdf", 2, "x")),
              conflicts=tuple(refs))
    for entries in ([], [e], [e, *ENTRIES]):
        dicts = [x.to_dict() for x in entries]
        expected = json.dumps(dicts, ensure_ascii=False, indent=2) + "\n"
        if not any("\udc80" <= ch <= "\udcff" for ch in expected):
            assert render_json(entries) == expected
        assert json.loads(render_json(entries)) == dicts


def test_to_dict_is_asdict_with_lists() -> None:
    for e in ENTRIES:
        expected = dataclasses.asdict(e)
        expected["references"] = list(e.references)
        expected["conflicts"] = list(e.conflicts)
        expected["sources"] = list(expected["sources"])  # a list in JSON either way
        assert e.to_dict() == expected
        assert list(e.to_dict()) == [f.name for f in dataclasses.fields(e)]
        for s in e.sources:
            assert s.to_dict() == dataclasses.asdict(s)


def test_undecodable_file_name_bytes_stay_valid_json() -> None:
    path = "/archiv/M\udcfcller.pdf"  # os.fsdecode of a Latin-1 "ü"
    text = render_json([entry("2015", "year", sources=(Source("d", path, 1, "x"),))])
    text.encode("utf-8")  # no lone surrogate left
    assert json.loads(text)[0]["sources"][0]["path"] == path


class _Watched(list):  # type: ignore[type-arg]
    """Entries that count how many of them a renderer has taken so far."""

    taken = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        for item in super().__iter__():
            self.taken += 1
            yield item


def test_every_format_streams_the_text_it_renders() -> None:
    """A piece is yielded before the next entries are read: the report never sits in memory
    whole (CSV collects pieces of 64k characters)."""
    formats = {**render.FORMATS, "table": lambda e: render.iter_table(e, width=120)}
    del formats["ics"]  # icalendar builds the calendar as a whole: one piece
    for name, iterate in formats.items():
        many = _Watched(ENTRIES * 3000)
        pieces = iterate(many)
        text = ""
        while len(text) < 70_000:
            text += next(pieces)
        assert 0 < many.taken < len(many) // 2, name
        text += "".join(pieces)
        assert many.taken == len(many), name
        assert text == {
            "json": render_json, "csv": render_csv, "md": render_markdown, "html": render_html,
            "table": lambda e: render_table(e, width=120),
        }[name](list(many)), name


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_pretty_json_is_json_dumps(value: object) -> None:
    from archiv.output import pretty_json

    assert pretty_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
    nested = {"a": [value, {"b": value}], "c": (value,), "d": {1: value}}
    assert pretty_json(nested) == json.dumps(nested, ensure_ascii=False, indent=2)
