"""The contract between the spaCy components of the tagger and the rest of archiv.

Every component (dates, references, places, bodies) adds ``Span`` objects to
``doc.spans[label]`` (label: ``date``, ``place``, ``reference``, ``body``) through
:func:`add_span`, which stores the normalised value and the label-specific attributes as the
span's payload (readable as the extensions ``span._.archiv_value`` …).
:func:`spans_to_mentions` turns them into :class:`archiv.models.Mention` records; nothing
outside ``archiv.tag`` ever sees a spaCy object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc, Span

from archiv.models import Mention

LABELS = ("date", "place", "reference", "body")
# The payload of a span, in this order; ``start``/``end`` are the exact character offsets of
# the match, not the token-expanded ones of the span.
_ATTRS = ("value", "precision", "end_value", "role", "kind", "start", "end")
_PAYLOADS = "archiv_payloads"

Payload = tuple[str, str | None, str | None, str | None, str | None, int, int]


def _payloads(doc: Doc) -> dict[tuple[int, int], Payload]:
    payloads = doc.user_data.get(_PAYLOADS)
    if payloads is None:
        payloads = doc.user_data[_PAYLOADS] = {}
    return payloads


def _getter(index: int) -> Callable[[Span], Any]:
    def get(span: Span) -> Any:
        payload = span.doc.user_data.get(_PAYLOADS, {}).get((span.start_char, span.end_char))
        return None if payload is None else payload[index]

    return get


# Read-only views of the payload (``span._.archiv_value`` …). The payload itself is one tuple
# in ``doc.user_data``: seven extension writes and reads per span through spaCy's
# ``Underscore`` cost more than the regexes that found the span. It is keyed like spaCy keys
# extension values, by the span's character offsets, so it behaves exactly as they did.
for _index, _attr in enumerate(_ATTRS):
    if not Span.has_extension(f"archiv_{_attr}"):
        Span.set_extension(f"archiv_{_attr}", getter=_getter(_index))


def add_span(
    doc: Doc,
    label: str,
    start_char: int,
    end_char: int,
    value: str,
    *,
    precision: str | None = None,
    end_value: str | None = None,
    role: str | None = None,
    kind: str | None = None,
) -> Span | None:
    """Attach one mention to ``doc``; returns ``None`` when the offsets fall inside a token.

    ``alignment_mode="expand"`` widens to token borders: the German tokenizer splits
    ``0815/2023`` and ``Beschluss-Nr.``, and a mention must still cover its printed text.
    """
    span = doc.char_span(start_char, end_char, label=label, alignment_mode="expand")
    if span is None:
        return None
    _payloads(doc)[(span.start_char, span.end_char)] = (
        value, precision, end_value, role, kind, start_char, end_char,
    )  # fmt: skip
    if label in doc.spans:
        doc.spans[label].append(span)  # in place: re-assigning a copied list is quadratic
    else:
        doc.spans[label] = [span]
    return span


def spans_to_mentions(doc: Doc, page: int) -> list[Mention]:
    """All mentions of one page's ``Doc``, ordered by position."""
    text = doc.user_data.get("archiv_text") or doc.text  # Doc.text is rebuilt on every access
    payloads = doc.user_data.get(_PAYLOADS, {})
    mentions: list[Mention] = []
    for label in LABELS:
        if label not in doc.spans:
            continue
        for span in doc.spans[label]:
            span_start, span_end = span.start_char, span.end_char
            payload = payloads.get((span_start, span_end))
            if payload is None:  # a span some other code added: no payload, its own offsets
                value = precision = end_value = role = kind = None
                start, end = span_start, span_end
            else:
                value, precision, end_value, role, kind, start, end = payload
            mentions.append(
                Mention(
                    label=label,  # type: ignore[arg-type]
                    text=text[start:end],
                    value=value,  # type: ignore[arg-type]
                    page=page,
                    start=start,
                    end=end,
                    precision=precision,  # type: ignore[arg-type]
                    end_value=end_value,
                    role=role,
                    kind=kind,
                )
            )
    mentions.sort(key=lambda m: (m.start, m.end, m.label))
    return mentions
