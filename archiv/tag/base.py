"""The contract between the spaCy components of the tagger and the rest of archiv.

Every component (dates, references, places, bodies) adds ``Span`` objects to
``doc.spans[label]`` (label: ``date``, ``place``, ``reference``, ``body``) through
:func:`add_span`, which stores the normalised value and the label-specific attributes in
span extensions. :func:`spans_to_mentions` turns them into :class:`archiv.models.Mention`
records; nothing outside ``archiv.tag`` ever sees a spaCy object.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from archiv.models import Mention

LABELS = ("date", "place", "reference", "body")
_ATTRS = ("value", "precision", "end_value", "role", "kind")

for _attr in _ATTRS:
    if not Span.has_extension(f"archiv_{_attr}"):
        Span.set_extension(f"archiv_{_attr}", default=None)


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
    span._.archiv_value = value
    span._.archiv_precision = precision
    span._.archiv_end_value = end_value
    span._.archiv_role = role
    span._.archiv_kind = kind
    # The exact character offsets of the match, not the token-expanded ones.
    span._.archiv_start = start_char
    span._.archiv_end = end_char
    group = list(doc.spans[label]) if label in doc.spans else []
    group.append(span)
    doc.spans[label] = group
    return span


for _attr in ("start", "end"):
    if not Span.has_extension(f"archiv_{_attr}"):
        Span.set_extension(f"archiv_{_attr}", default=None)


def spans_to_mentions(doc: Doc, page: int) -> list[Mention]:
    """All mentions of one page's ``Doc``, ordered by position."""
    text = doc.user_data.get("archiv_text") or doc.text  # Doc.text is rebuilt on every access
    mentions: list[Mention] = []
    for label in LABELS:
        if label not in doc.spans:
            continue
        for span in doc.spans[label]:
            start = span._.archiv_start if span._.archiv_start is not None else span.start_char
            end = span._.archiv_end if span._.archiv_end is not None else span.end_char
            mentions.append(
                Mention(
                    label=label,  # type: ignore[arg-type]
                    text=text[start:end],
                    value=span._.archiv_value,
                    page=page,
                    start=start,
                    end=end,
                    precision=span._.archiv_precision,
                    end_value=span._.archiv_end_value,
                    role=span._.archiv_role,
                    kind=span._.archiv_kind,
                )
            )
    mentions.sort(key=lambda m: (m.start, m.end, m.label))
    return mentions
