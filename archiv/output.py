"""Rendering rows for the terminal, JSON and CSV; shared by every command.

Data goes to stdout in exactly one format; the CLI chooses which. Everything here is pure:
strings in, strings out, so the formats are testable without a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from archiv.engine import HIGHLIGHT_END, HIGHLIGHT_START, DocumentMatch, SearchOutcome


def to_json(data: Any, indent: str = "") -> str:
    """JSON that round-trips the exact text (no ASCII escaping of umlauts), ``indent`` deep.

    A file name with undecodable bytes holds lone surrogates, which no UTF-8 stream can carry:
    they are written as ``\\udcff`` escapes, which ``json.loads`` turns back into the same text.
    """
    return escape_surrogates(pretty_json(data, indent))


def pretty_json(value: Any, indent: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, nested ``indent`` deep, for
    JSON's own types (str, int, float, bool, None, list, tuple, dict with str keys).

    Why not json.dumps: with ``indent`` it runs json's pure-Python encoder, a generator per
    level; for the 200,000 entries of a large chronology that was most of ``chronik --json``.
    Strings and numbers still go through json's own (C) encoders. Anything else raises
    TypeError like json.dumps would.
    """
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(isinstance(key, str) for key in value):
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
        items = [f"{_quote(key)}: {pretty_json(item, inner)}" for key, item in value.items()]
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [pretty_json(item, inner) for item in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_quote = json.encoder.encode_basestring  # json's C encoder of a str, non-ASCII kept


_SURROGATE = re.compile("[\udc80-\udcff]")


def escape_surrogates(json_text: str) -> str:
    """JSON text with each undecodable file-name byte (a lone surrogate) as a ``\\udcXX``
    escape: valid JSON that any UTF-8 stream carries."""
    if _SURROGATE.search(json_text) is None:
        return json_text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def to_csv(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def safe_text(text: str) -> str:
    """One printable line: control characters (ESC, newlines from hostile file names) and
    undecodable file-name bytes escaped, so nothing printed can move the cursor or split a line."""
    out = []
    for ch in text:
        if ch in (HIGHLIGHT_START, HIGHLIGHT_END):
            continue
        if "\udc80" <= ch <= "\udcff":  # a byte os.fsdecode could not decode
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def escape_path(path: os.PathLike[str] | str) -> str:
    return safe_text(os.fsdecode(path))


def page_ranges(numbers: Iterable[int]) -> str:
    """``1, 3–5, 9``: page lists stay one short cell even for a 300-page scan."""
    parts: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n != run[-1] + 1:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
            run = []
        run.append(n)
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return ", ".join(parts)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str], *, max_width: int = 60) -> str:
    """A plain fixed-width table; long cells are shortened with an ellipsis."""
    body = [[_short(safe_text("" if c is None else str(c)), max_width) for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in body:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_path(path: os.PathLike[str] | str, limit: int) -> str:
    """An escaped path cut at the front: the file name is the part worth keeping."""
    text = escape_path(path)
    return text if len(text) <= limit else "…" + text[len(text) - limit + 1 :]


# --- search --------------------------------------------------------------------------------
def snippet_plain(snippet: str, mark: tuple[str, str] = ("**", "**")) -> str:
    """Snippet with the engine's highlight markers replaced (``**…**`` by default)."""
    return " ".join(snippet.replace(HIGHLIGHT_START, mark[0]).replace(HIGHLIGHT_END, mark[1]).split())


def search_rows(outcome: SearchOutcome) -> list[dict[str, Any]]:
    """The ``archiv search --json`` contract: one row per document (its best page first).

    Contract fields: document_id, path, title, page, score, snippet, date. Added: pages (every
    matching page with its own snippet), municipality, type.
    """
    rows = []
    for doc in outcome.documents:
        best = doc.pages[0]
        rows.append({
            "document_id": doc.document_id,
            "path": doc.path,
            "title": doc.title,
            "page": best.page,
            "score": round(best.score, 4),
            "snippet": snippet_plain(best.snippet),
            "date": doc.date,
            "municipality": doc.municipality,
            "type": doc.doc_type,
            "pages": [
                {"page": p.page, "score": round(p.score, 4), "snippet": snippet_plain(p.snippet)}
                for p in doc.pages
            ],
        })
    return rows


def search_text(outcome: SearchOutcome, *, bold: Any) -> str:
    """Human-readable results; ``bold`` styles a highlighted word (click.style on a terminal)."""
    blocks = []
    for rank, doc in enumerate(outcome.documents, 1):
        blocks.append(_document_block(rank, doc, bold))
    if outcome.facets:
        blocks.append(facets_text(outcome.facets))
    return "\n\n".join(blocks)


def _document_block(rank: int, doc: DocumentMatch, bold: Any) -> str:
    meta = " · ".join(x for x in (doc.date, doc.municipality, doc.doc_type) if x)
    pages = ", ".join(str(p.page) for p in doc.pages)
    head = f"{rank}. {safe_text(doc.title or doc.path)}"
    lines = [head, f"   {safe_text(doc.path)}  (S. {pages}){'  ' + meta if meta else ''}"]
    for page in doc.pages[:3]:
        lines.append(f"   S. {page.page}: {_styled(page.snippet, bold)}")
    return "\n".join(lines)


def _styled(snippet: str, bold: Any) -> str:
    out = []
    for i, part in enumerate(snippet.split(HIGHLIGHT_START)):
        if i == 0:
            out.append(safe_text(part))
            continue
        hit, _, rest = part.partition(HIGHLIGHT_END)
        out.append(bold(safe_text(hit)) + safe_text(rest))
    return " ".join("".join(out).split())


def facets_text(facets: Mapping[str, Mapping[str, int]]) -> str:
    names = {"municipality": "Stadt", "year": "Jahr", "type": "Typ", "body": "Gremium"}
    lines = ["Facets:"]
    for key, counts in facets.items():
        if counts:
            shown = ", ".join(f"{safe_text(str(k))} ({v})" for k, v in list(counts.items())[:10])
            lines.append(f"  {names.get(key, key)}: {shown}")
    return "\n".join(lines)
