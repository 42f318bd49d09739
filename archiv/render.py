"""Output formats of the chronology: terminal table, JSON, CSV, Markdown, HTML timeline, ICS.

Every format takes the same ``Sequence[ChronologyEntry]``: ``iter_<format>`` yields the text
in pieces (an entry or so each), which the CLI writes as they come, so the chronology of a large
archive (200,000 entries, 100–200 MB of text) never sits in memory twice; ``render_<format>``
joins them into one ``str``. The texts come from PDFs nobody here controls, so each format escapes for
its own syntax: Markdown cells escape ``|``, brackets and line breaks (a subject like
``[x](javascript:…)`` must not become a link), HTML escapes every text and attribute with
``html.escape(quote=True)`` (a ``<script>`` in a sentence stays visible text), CSV relies on the
csv module's quoting.

ICS: a calendar needs a day. A day-precision entry becomes an all-day event on that day; a
month or year entry becomes an all-day event on the first day of that month or year, with
"(Monat)" or "(Jahr)" in its summary and ``X-ARCHIV-PRECISION`` saying so, because silently
dropping "Ratsbeschluss Februar 2015" would lose a real decision, while pretending it happened
on 1 February would invent a date. Undated entries are left out (nowhere to put them).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import icalendar

from archiv.models import ChronologyEntry, Source
from archiv.output import to_json

_MONTHS_DE = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_KIND_DE = {"resolution": "Beschluss", "proposal": "Vorschlag", "event": "Ereignis"}
_STATUS_DE = {
    "decided": "beschlossen",
    "rejected": "abgelehnt",
    "recommended": "empfohlen",
    "noted": "zur Kenntnis genommen",
    "referred": "verwiesen",
    "postponed": "vertagt",
}
CSV_FIELDS = (
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
)


def format_date(date: str | None, end_date: str | None = None) -> str:
    """ISO at its precision, readable: ``12.03.2015``, ``März 2016``, ``2015``, ``–`` if unknown."""
    if not date:
        return "–"

    def one(value: str) -> str:
        parts = value.split("-")
        if len(parts) == 3:
            return f"{parts[2]}.{parts[1]}.{parts[0]}"
        if len(parts) == 2:
            return f"{_MONTHS_DE[int(parts[1]) - 1]} {parts[0]}"
        return value

    return f"{one(date)} – {one(end_date)}" if end_date else one(date)


def _status_text(entry: ChronologyEntry) -> str:
    parts = []
    if entry.kind != "resolution":
        parts.append(_KIND_DE.get(entry.kind, entry.kind))
    if entry.status:
        parts.append(_STATUS_DE.get(entry.status, entry.status))
    if entry.outcome and entry.outcome not in parts:  # "zur Kenntnis genommen" says it once
        parts.append(entry.outcome)
    return ", ".join(parts)


def _source_label(source: Source) -> str:
    return f"{_file_name(source.path)} S. {source.page}"


@lru_cache(maxsize=4096)
def _file_name(path: str) -> str:
    """Cached: the sources of one document share its path (pathlib parses are 8 µs each)."""
    return Path(path).name


def _file_uri(source: Source) -> str:
    try:
        uri = Path(source.path).absolute().as_uri()
    except ValueError:
        uri = source.path
    return f"{uri}#page={source.page}"


_SPACES = re.compile(r"\s+")


def _one_line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


# ---------------------------------------------------------------------------------- table


def _wrap(cell: str, width: int) -> list[str]:
    """``textwrap.wrap(cell, width, break_long_words=True, break_on_hyphens=False) or [""]``.

    Printing 200,000 entries spent most of its time in textwrap (10 µs a cell), so a cell of
    printable text with single spaces between its words and none at either end (nearly every
    cell: ``_one_line`` makes them so) takes :func:`_fill`, textwrap's greedy algorithm for
    exactly that case (``tests/test_render.py`` holds it to textwrap); any other cell still
    goes through textwrap.
    """
    if cell.isprintable() and not cell.startswith(" ") and not cell.endswith(" ") and "  " not in cell:
        if len(cell) <= width:
            return [cell]
        return _fill(cell, width)
    return textwrap.wrap(cell, width, break_long_words=True, break_on_hyphens=False) or [""]


def _fill(cell: str, width: int) -> list[str]:
    """Lines of at most ``width``: words as they fit, a word longer than a line cut to fill it."""
    words = cell.split(" ")
    if max(map(len, words)) <= width:  # no word to cut: plain greedy filling
        lines = []
        line = words[0]
        for word in words[1:]:
            if len(line) + 1 + len(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        lines.append(line)
        return lines
    chunks: list[str] = []  # words and the spaces between them, last first (textwrap's order)
    for word in reversed(words):
        chunks.append(word)
        chunks.append(" ")
    chunks.pop()
    lines: list[str] = []
    while chunks:
        if lines and chunks[-1] == " ":  # a line does not start with the space it broke at
            chunks.pop()
        line: list[str] = []
        used = 0
        while chunks and used + len(chunks[-1]) <= width:
            used += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and len(chunks[-1]) > width:  # too long for any line: cut to fill this one
            cut = width - used  # (0 when the line is full: textwrap then keeps its last space)
            line.append(chunks[-1][:cut])
            chunks[-1] = chunks[-1][cut:]
        if line and not line[-1].strip():  # one trailing space (or empty cut) dropped
            line.pop()
        if line:
            lines.append("".join(line))
    return lines or [""]


def render_table(entries: Sequence[ChronologyEntry], *, width: int = 160) -> str:
    return "".join(iter_table(entries, width=width))


def iter_table(entries: Sequence[ChronologyEntry], *, width: int = 160) -> Iterator[str]:
    """A fixed-width table for a terminal; every cell wraps inside its column.

    ``width`` is the terminal width (the CLI passes ``shutil.get_terminal_size().columns``);
    the subject column takes what the others leave, at least 24 characters.
    """
    columns = [
        ("Datum", 12),
        ("Gremium", 20),
        ("Ort", 12),
        ("Gegenstand", 0),
        ("Drucksache", 15),
        ("Ergebnis", 16),
        ("Quelle", 22),
    ]
    fixed = sum(w for _, w in columns) + 2 * (len(columns) - 1)
    subject_width = max(24, width - fixed)
    columns[3] = ("Gegenstand", subject_width)
    widths = [w for _, w in columns]
    yield "  ".join(name.ljust(w) for name, w in columns).rstrip() + "\n"
    yield "  ".join("-" * w for w in widths) + "\n"
    for e in entries:
        cells = [
            format_date(e.date, e.end_date),
            _one_line(e.body) or "–",
            _one_line(e.city) or "–",
            _one_line(e.subject),
            ", ".join(e.references) or "–",
            _status_text(e) or "–",
            "; ".join(_source_label(s) for s in e.sources),
        ]
        wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths, strict=True)]
        lines = []
        for row in range(max(len(w) for w in wrapped)):
            line = "  ".join(
                (w[row] if row < len(w) else "").ljust(cw)
                for w, cw in zip(wrapped, widths, strict=True)
            )
            lines.append(line.rstrip())
        for conflict in e.conflicts:  # full width, so it cannot be mistaken for a cell
            lines.extend(
                textwrap.wrap(
                    f"⚠ Widerspruch: {conflict}",
                    width,
                    initial_indent="  ",
                    subsequent_indent="    ",
                )
            )
        yield "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- JSON / CSV


def render_json(entries: Sequence[ChronologyEntry]) -> str:
    return "".join(iter_json(entries))


def iter_json(entries: Sequence[ChronologyEntry]) -> Iterator[str]:
    """The JSON contract: an array of ``ChronologyEntry.to_dict()``, exactly as
    ``json.dumps(…, ensure_ascii=False, indent=2)`` writes it, one entry at a time."""
    separator = "[\n  "
    for e in entries:
        yield separator + to_json(e.to_dict(), "  ")
        separator = ",\n  "
    yield "[]\n" if separator.startswith("[") else "\n]\n"


def render_csv(entries: Sequence[ChronologyEntry]) -> str:
    return "".join(iter_csv(entries))


def iter_csv(entries: Sequence[ChronologyEntry]) -> Iterator[str]:
    """One row per entry; lists are joined with ``; `` (sources as ``path#page=N``)."""
    buffer = io.StringIO()
    # RFC 4180 line ends; a "\r" inside a cell is then quoted too (it is in the terminator).
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for e in entries:
        writer.writerow(
            [
                e.date or "",
                e.end_date or "",
                e.precision or "",
                e.kind,
                e.status or "",
                e.body or "",
                e.city or "",
                e.subject,
                "; ".join(e.references),
                e.outcome or "",
                "; ".join(f"{s.path}#page={s.page}" for s in e.sources),
                "; ".join(e.conflicts),
            ]
        )
        if buffer.tell() > _PIECE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


_PIECE = 1 << 16  # characters a buffered format collects before it yields


# ------------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!])")


def _md(text: str | None) -> str:
    """A table cell: no line breaks, Markdown syntax escaped (no links, no HTML, no pipes)."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def render_markdown(entries: Sequence[ChronologyEntry]) -> str:
    return "".join(iter_markdown(entries))


def iter_markdown(entries: Sequence[ChronologyEntry]) -> Iterator[str]:
    """A Markdown table for a council report."""
    head = ["Datum", "Gremium", "Ort", "Gegenstand", "Drucksache", "Ergebnis", "Quelle"]
    yield "| " + " | ".join(head) + " |\n" + "|" + "|".join(" --- " for _ in head) + "|\n"
    for e in entries:
        subject = _md(e.subject)
        if e.conflicts:
            subject += " **Widerspruch:** " + "; ".join(_md(c) for c in e.conflicts)
        cells = [
            _md(format_date(e.date, e.end_date)),
            _md(e.body),
            _md(e.city),
            subject,
            _md(", ".join(e.references)),
            _md(_status_text(e)),
            "; ".join(_md(_source_label(s)) for s in e.sources),
        ]
        yield "| " + " | ".join(cells) + " |\n"


# ----------------------------------------------------------------------------------- HTML

_CSS = """
:root { --ink:#1d2433; --muted:#5b6475; --line:#c9d1de; --accent:#2c5d9f; --card:#fff;
        --bg:#f4f6f9; --warn:#b3261e; --warn-bg:#fdecea; }
* { box-sizing:border-box; }
body { font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--ink);
       background:var(--bg); margin:0; padding:2rem 1rem; }
main { max-width:52rem; margin:0 auto; }
h1 { font-size:1.6rem; margin:0 0 .25rem; }
.summary { color:var(--muted); margin:0 0 2rem; }
.timeline { position:relative; margin:0; padding:0 0 0 2rem; list-style:none; }
.timeline::before { content:""; position:absolute; left:.55rem; top:0; bottom:0; width:3px;
                    background:var(--line); border-radius:2px; }
.year { position:relative; margin:2rem 0 1rem -2rem; font-size:1.25rem; font-weight:700;
        color:var(--accent); }
.year span { background:var(--bg); padding:0 .5rem 0 0; }
.entry { position:relative; margin:0 0 1rem; }
.entry::before { content:""; position:absolute; left:-1.85rem; top:1.1rem; width:.9rem;
                 height:.9rem; border-radius:50%; background:var(--accent);
                 border:3px solid var(--bg); }
.entry.event::before { background:#7a8699; }
.entry.proposal::before { background:#c98a12; }
.card { background:var(--card); border:1px solid var(--line); border-radius:.5rem;
        padding:.8rem 1rem; box-shadow:0 1px 2px rgba(0,0,0,.05); }
.entry.conflict .card { border-color:var(--warn); }
.meta { display:flex; flex-wrap:wrap; gap:.4rem .8rem; align-items:baseline;
        color:var(--muted); font-size:.9rem; }
.date { font-weight:700; color:var(--ink); font-size:1rem; }
.badge { display:inline-block; padding:0 .5rem; border-radius:1rem; font-size:.8rem;
         background:#e3ebf7; color:var(--accent); }
.badge.event { background:#eceff3; color:#4a5567; }
.badge.proposal { background:#fbf0da; color:#8a5d00; }
.badge.rejected { background:var(--warn-bg); color:var(--warn); }
.subject { margin:.35rem 0; font-size:1.05rem; }
.facts { margin:.2rem 0; font-size:.9rem; color:var(--muted); }
.conflicts { margin:.5rem 0 0; padding:.4rem .6rem; background:var(--warn-bg);
             color:var(--warn); border-radius:.3rem; font-size:.9rem; }
details { margin-top:.4rem; font-size:.9rem; }
summary { cursor:pointer; color:var(--accent); }
.sources { margin:.3rem 0 0; padding-left:1.2rem; }
.sources blockquote { margin:.2rem 0 .5rem; color:var(--muted); font-style:italic; }
a { color:var(--accent); }
@media print {
  body { background:#fff; padding:0; font-size:11pt; }
  .timeline::before, .entry::before { display:none; }
  .timeline { padding-left:0; }
  .year { margin-left:0; }
  .card { box-shadow:none; break-inside:avoid; }
  details { display:block; }
  details > summary { display:none; }
  details > * { display:block; }
}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _card(entry: ChronologyEntry) -> str:
    kind_class = entry.kind if entry.kind in {"resolution", "proposal", "event"} else "event"
    classes = ["entry", kind_class] + (["conflict"] if entry.conflicts else [])
    badge = _KIND_DE.get(entry.kind, entry.kind)
    if entry.status:  # "Beschluss: beschlossen" says it twice; the status alone is enough
        badge = _STATUS_DE.get(entry.status, entry.status)
    badge_class = "rejected" if entry.status == "rejected" else kind_class
    facts = []
    if entry.body:
        facts.append(f"<span>Gremium: {_e(entry.body)}</span>")
    if entry.city:
        facts.append(f"<span>Ort: {_e(entry.city)}</span>")
    if entry.references:
        facts.append(f"<span>Drucksache: {_e(', '.join(entry.references))}</span>")
    if entry.outcome:
        facts.append(f"<span>Ergebnis: {_e(entry.outcome)}</span>")
    sources = "".join(
        f'<li><a href="{_e(_file_uri(s))}">{_e(_source_label(s))}</a>'
        f"<blockquote>{_e(s.text)}</blockquote></li>"
        for s in entry.sources
    )
    conflicts = ""
    if entry.conflicts:
        items = "".join(f"<li>{_e(c)}</li>" for c in entry.conflicts)
        conflicts = f'<div class="conflicts"><strong>Widerspruch:</strong><ul>{items}</ul></div>'
    date_attr = f' datetime="{_e(entry.date)}"' if entry.date else ""
    return (
        f'<li class="{_e(" ".join(classes))}"><article class="card">'
        f'<div class="meta"><time class="date"{date_attr}>{_e(format_date(entry.date, entry.end_date))}</time>'
        f'<span class="badge {_e(badge_class)}">{_e(badge)}</span></div>'
        f'<p class="subject">{_e(entry.subject)}</p>'
        f'<p class="facts">{" · ".join(facts)}</p>'
        f"{conflicts}"
        f"<details><summary>{len(entry.sources)} Quelle(n)</summary>"
        f'<ul class="sources">{sources}</ul></details>'
        f"</article></li>"
    )


def render_html(
    entries: Sequence[ChronologyEntry], *, title: str = "Chronik der Beschlüsse"
) -> str:
    return "".join(iter_html(entries, title=title))


def iter_html(
    entries: Sequence[ChronologyEntry], *, title: str = "Chronik der Beschlüsse"
) -> Iterator[str]:
    """One self-contained page (no scripts, no external resources): a vertical timeline."""
    count = len(entries)
    summary = f"{count} Einträge" if count != 1 else "1 Eintrag"
    yield (
        "<!DOCTYPE html>\n"
        '<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>"
        f'<body><main><h1>{_e(title)}</h1><p class="summary">{_e(summary)}</p>'
        '<ol class="timeline">'
    )
    year: str | None = None
    for entry in entries:
        this_year = entry.date[:4] if entry.date else "ohne Datum"
        if this_year != year:
            year = this_year
            yield f'<li class="year"><span>{_e(year)}</span></li>'
        yield _card(entry)
    yield "</ol></main></body></html>\n"


# ------------------------------------------------------------------------------------ ICS


def _start_day(entry: ChronologyEntry) -> dt.date | None:
    if not entry.date:
        return None
    parts = [int(p) for p in entry.date.split("-")]
    while len(parts) < 3:
        parts.append(1)
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def _uid(entry: ChronologyEntry) -> str:
    """Stable across runs: the same entry gets the same UID, so calendar imports update it."""
    key = "\x1f".join(
        [
            entry.date or "",
            entry.end_date or "",
            entry.kind,
            entry.body or "",
            entry.subject,
            ",".join(entry.references),
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32] + "@archiv"


def iter_ics(entries: Sequence[ChronologyEntry]) -> Iterator[str]:
    """One piece: icalendar builds the calendar as a whole."""
    yield render_ics(entries)


def render_ics(entries: Sequence[ChronologyEntry], *, stamp: dt.datetime | None = None) -> str:
    """An RFC 5545 calendar; see the module docstring for month/year and undated entries."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//archiv//Chronik der Beschlüsse//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    now = stamp or dt.datetime.now(dt.UTC)
    for entry in entries:
        start = _start_day(entry)
        if start is None:
            continue
        end = start + dt.timedelta(days=1)
        if entry.end_date:
            parts = [int(p) for p in entry.end_date.split("-")]
            if len(parts) == 3:
                end = dt.date(*parts) + dt.timedelta(days=1)
        marker = {"month": " (Monat)", "year": " (Jahr)"}.get(entry.precision or "", "")
        label = _KIND_DE.get(entry.kind, entry.kind)
        summary = f"{label}{marker}: {_one_line(entry.subject)}"
        if entry.body:
            summary += f" – {_one_line(entry.body)}"
        description = [f"Datum: {format_date(entry.date, entry.end_date)}"]
        for name, value in (
            ("Gremium", entry.body),
            ("Ort", entry.city),
            ("Drucksache", ", ".join(entry.references)),
            ("Ergebnis", _status_text(entry)),
        ):
            if value:
                description.append(f"{name}: {value}")
        description.extend(f"Widerspruch: {c}" for c in entry.conflicts)
        description.append("Quellen:")
        description.extend(f"- {s.path} S. {s.page}: {_one_line(s.text)}" for s in entry.sources)
        event = icalendar.Event()
        event.add("uid", _uid(entry))
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", summary)
        event.add("description", "\n".join(description))
        if entry.city:
            event.add("location", entry.city)
        event.add("x-archiv-precision", entry.precision or "day")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")


# ------------------------------------------------------------------------------ by name

FORMATS: dict[str, Callable[[Sequence[ChronologyEntry]], Iterator[str]]] = {
    "json": iter_json, "csv": iter_csv, "md": iter_markdown, "html": iter_html, "ics": iter_ics,
}
"""``archiv chronik --<format>``; the terminal table (no format) is :func:`iter_table`."""
