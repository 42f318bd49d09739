"""The chronology: resolutions from many documents merged into one dated list. Pure, no I/O.

Several documents report the same real-world decision (the Mitteilung of 2023 recalls the
Ratsbeschluss of 2015; a slide deck says "März 2016" for the signing that a Mitteilung dates
16.03.2016). Those become one :class:`ChronologyEntry` listing every source. Two reports are
the same decision when

- they share a normalised reference number, their dates are compatible, and their bodies,
  statuses and cities agree (a Drucksache number is unique only within one municipality); or
- they have no contradicting references, their dates are compatible at their precisions
  (``2016-03`` is compatible with ``2016-03-16``), their bodies agree (a missing body agrees with
  any) and their words overlap (crudely stemmed content words of subject and sentence).

Two reports from the *same* document merge by words only when their subjects say the same
(an Amtsblatt lists a Satzung and prints it again with its preamble), because one set of
minutes lists many different decisions of the same day.

The merged entry carries the most precise date. Dates are compared as ISO prefixes, so a month
is compatible with each of its days, and a day with its own month and year only.

A *conflict* is the same reference, body and status with incompatible dates ("12.03.2015"
in one paper, "19.03.2015" in another): both entries are kept, each naming the other in
``conflicts``. A committee's recommendation and the council's decision on the same Vorlage
are different steps, not a conflict, which is why the body and the status must agree.

Order: oldest first, undated last; within the same period a coarser date sorts first
(``2015`` < ``2015-02`` < ``2015-02-12``): "some time in February" is listed before a day in
February because it cannot be placed after it. Ties keep the input order (stable sort).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from archiv.models import ChronologyEntry, Resolution, Source

_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, None: 3}


def _words(text: str) -> frozenset[str]:
    """A word list written as running text (easier to read and extend than a list literal)."""
    return frozenset(text.split())


_STOPWORDS = _words(
    """
    der die das den dem des ein eine einer eines einem einen und oder sowie bzw in im am an
    auf aus bei beim mit nach von vom zu zum zur für fuer über ueber unter vor durch gegen
    ohne um bis seit zwischen als wie dass sich ihre ihr ihren ihrer seine seiner seinen
    sein nicht auch noch wurde wurden wird werden hat haben hatte ist sind war soll sollen
    kann diese dieser dieses diesem diesen jedoch daraufhin sitzung stadt januar februar
    maerz april mai juni juli august september oktober november dezember siehe
    """
)
_STEM = 5
_MIN_SHARED = 3
_MIN_OVERLAP = 0.2


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and umlaut-folded text: "Würzburg", "Wuerzburg" and "WÜRZBURG" compare equal."""
    text = text.casefold().replace("ß", "ss")
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(a, b)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def normalize_reference(text: str) -> str:
    """``DS-Nr. 1045/2014-2020`` → ``1045/2014-2020``; ``bv/0123/2021`` → ``BV/0123/2021``."""
    text = text.strip()
    prefix = re.compile(
        r"^(?:DS|Drs|Drucksachen?|Vorlagen?|Beschlussvorlage|Vorlagen-Nr|Nr|No|Beschluss)"
        r"(?=[\s.:-])[\s.:-]*",
        re.IGNORECASE,
    )
    previous = None
    while previous != text:
        previous = text
        text = prefix.sub("", text)
    return re.sub(r"\s+", "", text).upper()


def dates_compatible(a: str | None, b: str | None) -> bool:
    """ISO dates at any precision: compatible when one is a prefix of the other."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


# Words every council record shares ("Beschluss", "einstimmig", "Abstimmungsergebnis"): they
# say nothing about *which* decision it is.
_STOP_STEMS = frozenset({"besch", "absti", "einst", "mehrh", "stimm", "entha", "vorla", "druck"})


@lru_cache(maxsize=65536)
def _refs_of(references: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_reference(r) for r in references)


@lru_cache(maxsize=65536)
def _stems(text: str) -> frozenset[str]:
    words = re.findall(r"[a-z]+", fold(text))
    stems = {w[:_STEM] for w in words if len(w) >= 4 and w not in _STOPWORDS}
    return frozenset(stems - _STOP_STEMS)


def _body_key(body: str | None) -> str | None:
    """ "Rat der Stadt Bielefeld" and "Rat" are the same body (the city is compared apart)."""
    if not body:
        return None
    words = fold(body).split()
    return words[0].rstrip("s") if words else None


@dataclass(slots=True)
class _Cluster:
    members: list[tuple[int, Resolution]] = field(default_factory=list)

    @property
    def best(self) -> Resolution:
        """The member with the most precise date (first seen among equals)."""
        return min(self.members, key=lambda m: (_PRECISION_RANK[m[1].precision], m[0]))[1]

    @property
    def first_index(self) -> int:
        return min(i for i, _ in self.members)


def _bodies_agree(a: Resolution, b: Resolution) -> bool:
    ka, kb = _body_key(a.body), _body_key(b.body)
    return ka is None or kb is None or ka == kb


def _same_city(a: str | None, b: str | None) -> bool:
    return not a or not b or fold(a) == fold(b)


def _cities_agree(a: Resolution, b: Resolution) -> bool:
    """Equal, unknown, or one names the other's city in its sentence ("im Berliner …")."""
    if not a.city or not b.city or fold(a.city) == fold(b.city):
        return True
    return fold(a.city) in fold(b.source.text) or fold(b.city) in fold(a.source.text)


def _same(a: Resolution, b: Resolution) -> bool:
    if a.kind != b.kind or a.status != b.status:
        return False
    if not _bodies_agree(a, b):
        return False
    refs_a = _refs_of(a.references)
    refs_b = _refs_of(b.references)
    if refs_a & refs_b:  # a Drucksache number is unique only within its municipality
        return dates_compatible(a.date, b.date) and _same_city(a.city, b.city)
    if refs_a and refs_b:
        return False
    if not a.date or not b.date or not dates_compatible(a.date, b.date):
        return False
    if a.kind != "event" and not _cities_agree(a, b):
        # An event's city is often only the document's municipality (where the paper was
        # written, not where it happened), so only decisions are kept apart by city.
        return False
    if a.source.document_id == b.source.document_id:
        # One paper lists many decisions of one meeting; it repeats one only in other words
        # (an Amtsblatt's list and the Satzung's preamble): the subjects must say the same.
        sa, sb = _stems(a.subject), _stems(b.subject)
        shared = len(sa & sb)
        return shared >= 2 and shared / (min(len(sa), len(sb)) or 1) >= 0.6
    sa = _stems(f"{a.subject} {a.source.text}")
    sb = _stems(f"{b.subject} {b.source.text}")
    shared = len(sa & sb)
    smaller = min(len(sa), len(sb)) or 1
    return shared >= _MIN_SHARED and shared / smaller >= _MIN_OVERLAP


def _fits(cluster: _Cluster, res: Resolution) -> bool:
    if not dates_compatible(cluster.best.date, res.date):
        return False
    if res.source in {m.source for _, m in cluster.members}:
        return False  # one sentence read twice is not a second witness
    return any(_same(m, res) for _, m in cluster.members)


def _sort_key(entry: ChronologyEntry) -> tuple[bool, str]:
    return (entry.date is None, entry.date or "")


def _merge(cluster: _Cluster) -> ChronologyEntry:
    best = cluster.best
    members = sorted(cluster.members, key=lambda m: m[0])
    refs = dict.fromkeys(r for _, m in members for r in m.references)
    sources = tuple(dict.fromkeys(m.source for _, m in members))
    body = best.body or next((m.body for _, m in members if m.body), None)
    if body:  # prefer the fullest name of the same body ("Rat der Stadt Bielefeld" over "Rat")
        same = [m.body for _, m in members if m.body and _body_key(m.body) == _body_key(body)]
        body = max(same, key=len)
    return ChronologyEntry(
        date=best.date,
        end_date=best.end_date or next((m.end_date for _, m in members if m.end_date), None),
        precision=best.precision,
        kind=best.kind,
        status=best.status,
        body=body,
        city=best.city or next((m.city for _, m in members if m.city), None),
        subject=best.subject or next((m.subject for _, m in members if m.subject), ""),
        references=tuple(refs),
        outcome=best.outcome or next((m.outcome for _, m in members if m.outcome), None),
        sources=sources,
    )


def _where(entry: ChronologyEntry) -> str:
    source = entry.sources[0]
    return f"{source.path} p.{source.page}"


def _mark_conflicts(entries: list[ChronologyEntry]) -> list[ChronologyEntry]:
    notes: dict[int, list[str]] = {}
    by_ref: dict[str, list[int]] = {}
    for i, e in enumerate(entries):
        if e.kind != "resolution":
            continue
        for r in {normalize_reference(r) for r in e.references}:
            by_ref.setdefault(r, []).append(i)
    for ref, idx in sorted(by_ref.items()):
        for x in idx:
            for y in idx:
                a, b = entries[x], entries[y]
                if x == y or not a.date or not b.date or dates_compatible(a.date, b.date):
                    continue
                if a.status != b.status or _body_key(a.body) != _body_key(b.body):
                    continue
                if not _same_city(a.city, b.city):
                    continue
                note = f"DS {ref}: {b.date} in {_where(b)}"
                if note not in notes.setdefault(x, []):
                    notes[x].append(note)
    return [
        _replace_conflicts(e, tuple(notes[i])) if i in notes else e for i, e in enumerate(entries)
    ]


def _replace_conflicts(entry: ChronologyEntry, conflicts: tuple[str, ...]) -> ChronologyEntry:
    return dataclasses.replace(entry, conflicts=conflicts)


def build_chronology(
    resolutions: Iterable[Resolution], *, include_all: bool = False
) -> list[ChronologyEntry]:
    """Merge, order and check the reports of many documents (see the module docstring).

    Args:
        resolutions: records as :func:`archiv.tag.resolutions.find_resolutions` returns them,
            from any number of documents, in any order (ties keep this order).
        include_all: also list proposals and events; by default only resolutions.

    Returns:
        Entries oldest first, undated last.
    """
    unique = dict.fromkeys(resolutions)  # a document ingested twice reports nothing new
    wanted = [(i, r) for i, r in enumerate(unique) if include_all or r.kind == "resolution"]
    # The most precise reports found the clusters; vaguer ones join them. Otherwise a month
    # could glue two different days of that month together.
    ordered = sorted(wanted, key=lambda m: (_PRECISION_RANK[m[1].precision], m[0]))
    clusters: list[_Cluster] = []
    # Buckets keep this near-linear: a day can only join a cluster of the same day, or one
    # founded by a month or year report that contains it.
    by_day: dict[tuple[str, str], list[_Cluster]] = {}
    by_month: dict[tuple[str, str], list[_Cluster]] = {}  # every cluster dated in the month
    month_level: dict[tuple[str, str], list[_Cluster]] = {}
    year_level: dict[tuple[str, str], list[_Cluster]] = {}
    by_year: dict[tuple[str, str], list[_Cluster]] = {}
    by_ref: dict[str, list[_Cluster]] = {}
    undated: list[_Cluster] = []
    for i, res in ordered:
        date = res.date or ""
        kind = res.kind
        if not date:
            candidates = list(undated)
        elif len(date) >= 10:
            candidates = (
                by_day.get((kind, date), [])
                + month_level.get((kind, date[:7]), [])
                + year_level.get((kind, date[:4]), [])
            )
        elif len(date) >= 7:
            candidates = by_month.get((kind, date[:7]), []) + year_level.get((kind, date[:4]), [])
        else:
            candidates = list(by_year.get((kind, date[:4]), []))
        # a reference ties reports of different years (conflicts) and undated ones
        seen = {id(c) for c in candidates}
        for ref in _refs_of(res.references):
            for c in by_ref.get(ref, ()):
                if id(c) not in seen:
                    seen.add(id(c))
                    candidates.append(c)
        target = next((c for c in candidates if _fits(c, res)), None)
        if target is None:
            target = _Cluster()
            clusters.append(target)
            if not date:
                undated.append(target)
            else:
                by_year.setdefault((kind, date[:4]), []).append(target)
                if len(date) >= 7:
                    by_month.setdefault((kind, date[:7]), []).append(target)
                if len(date) >= 10:
                    by_day.setdefault((kind, date), []).append(target)
                elif len(date) >= 7:
                    month_level.setdefault((kind, date[:7]), []).append(target)
                else:
                    year_level.setdefault((kind, date[:4]), []).append(target)
        target.members.append((i, res))
        for ref in _refs_of(res.references):
            if target not in by_ref.setdefault(ref, []):
                by_ref[ref].append(target)
    clusters.sort(key=lambda c: c.first_index)
    entries = sorted((_merge(c) for c in clusters), key=_sort_key)
    return _mark_conflicts(entries)


def _at_precision(value: str, bound: str) -> tuple[str, str]:
    n = min(len(value), len(bound))
    return value[:n], bound[:n]


def filter_chronology(
    entries: Sequence[ChronologyEntry],
    *,
    city: str | None = None,
    body: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    ref: str | None = None,
    document_ids: set[str] | None = None,
    text: str | None = None,
) -> list[ChronologyEntry]:
    """Keep the entries that pass every given filter.

    Args:
        city: folded substring of the entry's city ("wuerzburg" finds "Würzburg").
        body: folded substring of the entry's body.
        date_from: ISO prefix (``2015``, ``2015-03``, ``2015-03-12``), compared at the coarser of
            the two precisions, so ``--from 2015`` keeps ``2015-02``, and ``--from 2015-03-12``
            keeps an entry dated ``2015-03`` (it may lie on or after that day). A period counts
            by its end. Undated entries never pass a date bound.
        date_to: like ``date_from``, compared with the entry's (start) date.
        ref: a reference number in any printed form; matched after normalising.
        document_ids: only entries with at least one source in these documents (how the CLI
            applies ``--query``).
        text: folded substring of the subject or of any source sentence.
    """
    wanted_ref = normalize_reference(ref) if ref else None
    out: list[ChronologyEntry] = []
    for e in entries:
        if city and (not e.city or fold(city) not in fold(e.city)):
            continue
        if body and (not e.body or fold(body) not in fold(e.body)):
            continue
        if date_from:
            last = e.end_date or e.date
            if not last:
                continue
            value, bound = _at_precision(last, date_from)
            if value < bound:
                continue
        if date_to:
            if not e.date:
                continue
            value, bound = _at_precision(e.date, date_to)
            if value > bound:
                continue
        if wanted_ref and wanted_ref not in {normalize_reference(r) for r in e.references}:
            continue
        if document_ids is not None and not any(s.document_id in document_ids for s in e.sources):
            continue
        if text and not _mentions_text(e, fold(text)):
            continue
        out.append(e)
    return out


def _mentions_text(entry: ChronologyEntry, folded: str) -> bool:
    return folded in fold(entry.subject) or any(folded in fold(s.text) for s in entry.sources)


def sources_of(entries: Iterable[ChronologyEntry]) -> list[Source]:
    """Every source of these entries once, in order (for "which documents back this list")."""
    return list(dict.fromkeys(s for e in entries for s in e.sources))
