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

An entry names each document page once, however many of its sentences report the decision
(their texts are joined).

A *conflict* is the same reference, body and status with incompatible dates ("12.03.2015"
in one paper, "19.03.2015" in another): both entries are kept, each naming the other in
``conflicts``. A committee's recommendation and the council's decision on the same Vorlage
are different steps, not a conflict, which is why the body and the status must agree.

Speed: every report is compared only with the members that could pass these tests (same kind
and status, a date slot that contains its date, a city that can agree, or a shared reference),
found through two indexes, so the merge grows linearly, not quadratically; its cost is now the
per-report work (folding, the city finder, stems): about 60 µs a report on a busy 2-core
machine, ≈ 15 s for the 250,000 decisions of 10,000 synthetic documents. Stems are computed only for reports that
reach the word test. Events ignore the city, so all events of a day are candidates for each
other: ``include_all`` on event-dense archives is the slow case. The first fitting cluster is
chosen in the same order as a full scan: same day, month, year, then by reference.

Order: oldest first, undated last; within the same period a coarser date sorts first
(``2015`` < ``2015-02`` < ``2015-02-12``): "some time in February" is listed before a day in
February because it cannot be placed after it. Ties keep the input order (stable sort).
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from archiv.analysis import fold
from archiv.models import ChronologyEntry, Resolution, Source
from archiv.tag.references import reference_key as normalize_reference

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
def dates_compatible(a: str | None, b: str | None) -> bool:
    """ISO dates at any precision: compatible when one is a prefix of the other."""
    if not a or not b:
        return True
    return a.startswith(b) or b.startswith(a)


# Words every council record shares ("Beschluss", "einstimmig", "Abstimmungsergebnis"): they
# say nothing about *which* decision it is.
_STOP_STEMS = frozenset({"besch", "absti", "einst", "mehrh", "stimm", "entha", "vorla", "druck"})


@lru_cache(maxsize=65536)
def _fold_name(name: str) -> str:
    """A city or body name folded once: an archive names a few hundred, a million times."""
    return fold(name)


@lru_cache(maxsize=65536)
def _refs_of(references: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_reference(r) for r in references)


_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=65536)
def _stems(text: str) -> frozenset[str]:
    words = _LETTERS.findall(fold(text))
    stems = {w[:_STEM] for w in words if len(w) >= 4 and w not in _STOPWORDS}
    return frozenset(stems - _STOP_STEMS)


@lru_cache(maxsize=65536)
def _body_key(body: str | None) -> str | None:
    """ "Rat der Stadt Bielefeld" and "Rat" are the same body (the city is compared apart)."""
    if not body:
        return None
    words = fold(body).split()
    return words[0].rstrip("s") if words else None


@dataclass(slots=True, eq=False)
class _Report:
    """One resolution with every derived form ``_same`` needs, computed once.

    Folding and stemming dominate the cost of a comparison; a resolution is compared with many
    candidates, so its forms are computed when it arrives, not per pair.
    """

    index: int
    res: Resolution
    refs: frozenset[str]
    body: str | None  # _body_key
    city: str | None  # folded
    text: str  # folded sentence
    mentions: frozenset[str] = frozenset()  # known (folded) cities named in the sentence
    # Stemming is the dearest part of a report and only the word path of ``_same`` needs it;
    # most reports never get that far (nine in ten decisions are reported once), so the stems
    # are computed on first use.
    _subject_stem_cache: frozenset[str] | None = None
    _stem_cache: frozenset[str] | None = None

    @property
    def subject_stems(self) -> frozenset[str]:
        if self._subject_stem_cache is None:
            self._subject_stem_cache = _stems(self.res.subject)
        return self._subject_stem_cache

    @property
    def stems(self) -> frozenset[str]:
        """Of subject and sentence."""
        if self._stem_cache is None:
            self._stem_cache = _stems(f"{self.res.subject} {self.res.source.text}")
        return self._stem_cache


def _report(index: int, res: Resolution) -> _Report:
    return _Report(
        index=index,
        res=res,
        refs=_refs_of(res.references),
        body=_body_key(res.body),
        city=_fold_name(res.city) if res.city else None,
        text=fold(res.source.text),
    )


@dataclass(slots=True, eq=False)
class _Cluster:
    seq: int  # creation order: the first fitting candidate in this order wins
    members: list[_Report] = field(default_factory=list)
    sources: set[Source] = field(default_factory=set)
    by_document: dict[str, list[_Report]] = field(default_factory=dict)
    # Members that say the same for the word path, up to two from different documents: a
    # boilerplate sentence reported by thousands of documents is compared once, not each time.
    alike: dict[tuple, list[str]] = field(default_factory=dict)

    @property
    def best(self) -> Resolution:
        """The member with the most precise date (first seen among equals).

        Reports arrive sorted by (precision, input order), so that is always the founder.
        """
        return self.members[0].res

    @property
    def first_index(self) -> int:
        return min(m.index for m in self.members)


def _same(a: _Report, b: _Report) -> bool:
    ra, rb = a.res, b.res
    if ra.kind != rb.kind or ra.status != rb.status:
        return False
    if a.body is not None and b.body is not None and a.body != b.body:
        return False
    if a.refs & b.refs:  # a Drucksache number is unique only within its municipality
        return dates_compatible(ra.date, rb.date) and (
            a.city is None or b.city is None or a.city == b.city
        )
    if a.refs and b.refs:
        return False
    if not ra.date or not rb.date or not dates_compatible(ra.date, rb.date):
        return False
    if ra.kind != "event" and not _cities_agree(a, b):
        # An event's city is often only the document's municipality (where the paper was
        # written, not where it happened), so only decisions are kept apart by city.
        return False
    if ra.source.document_id == rb.source.document_id:
        # One paper lists many decisions of one meeting; it repeats one only in other words
        # (an Amtsblatt's list and the Satzung's preamble): the subjects must say the same.
        sa, sb = a.subject_stems, b.subject_stems
        shared = len(sa & sb)
        return shared >= 2 and shared / (min(len(sa), len(sb)) or 1) >= 0.6
    sa, sb = a.stems, b.stems
    shared = len(sa & sb)
    smaller = min(len(sa), len(sb)) or 1
    return shared >= _MIN_SHARED and shared / smaller >= _MIN_OVERLAP


def _cities_agree(a: _Report, b: _Report) -> bool:
    """Equal, unknown, or one names the other's city in its sentence ("im Berliner …")."""
    if a.city is None or b.city is None or a.city == b.city:
        return True
    return a.city in b.text or b.city in a.text


class _CityFinder:
    """Which of the archive's cities a sentence names, by plain substring like ``_cities_agree``.

    Only these cities (and the report's own, and "unknown") can pass the city test of the
    word path, so the index looks up just their clusters instead of every cluster of the day.
    """

    _GRAM = 3

    def __init__(self, cities: set[str]) -> None:
        self._short = [c for c in cities if len(c) < self._GRAM]
        self._by_gram: dict[str, list[str]] = {}
        for c in cities:
            if len(c) >= self._GRAM:
                self._by_gram.setdefault(c[: self._GRAM], []).append(c)
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, text: str) -> frozenset[str]:
        found = self._cache.get(text)
        if found is None:
            n = self._GRAM
            grams = {text[i : i + n] for i in range(len(text) - n + 1)} & self._by_gram.keys()
            hits = [c for g in grams for c in self._by_gram[g] if c in text]
            hits += [c for c in self._short if c in text]
            found = self._cache[text] = frozenset(hits)
        return found


_ANY = "*"  # the wildcard slot of an index key: any body, any city


class _Index:
    """Members by (date slot of their cluster, kind, status, city), also under a wildcard city.

    A report matches a member by words only if kind and status are equal, the cities agree
    (same, unknown, or one named in the other's sentence; events ignore the city) and both are
    dated. Looking up exactly those keys finds
    every member ``_same`` could accept, so the result equals comparing with every member of
    every cluster of the day, while costing a handful of comparisons. Members are filed under
    their cluster's founding date, because ``_fits`` places a report by the cluster's date.
    """

    def __init__(self, find_cities: _CityFinder) -> None:
        self._find_cities = find_cities
        self._keys: dict[tuple, list[tuple[_Cluster, _Report]]] = {}

    @staticmethod
    def slots_of(date: str) -> tuple[str, ...]:
        """Where a cluster founded on ``date`` is filed."""
        if len(date) >= 10:
            return ("y" + date[:4], "m" + date[:7], "d" + date)
        if len(date) >= 7:  # month-founded: found by its days ("M") and its month ("m")
            return ("y" + date[:4], "m" + date[:7], "M" + date[:7])
        return ("y" + date[:4], "Y" + date[:4])  # year-founded: found by its days and months

    @staticmethod
    def wanted_slots(date: str) -> tuple[str, ...]:
        if len(date) >= 10:
            return ("d" + date, "M" + date[:7], "Y" + date[:4])
        if len(date) >= 7:
            return ("m" + date[:7], "Y" + date[:4])
        return ("y" + date[:4],)

    def add(self, cluster: _Cluster, member: _Report) -> None:
        date = cluster.best.date
        res = member.res
        if not date or not res.date:
            return  # the word path needs dates on both sides
        if res.kind == "event":
            cities: tuple = (_ANY,)
        else:
            cities = (member.city, _ANY)
            cities += tuple(("in", c) for c in self._find_cities(member.text))
        # A member the index already holds in the same words (from another document) answers
        # ``_same`` like it for every report from a third document; reports from its own
        # document are compared with ``by_document`` anyway.
        alike = (
            member.body,
            member.refs,
            res.date,
            None if res.kind == "event" else member.city,
            res.subject,
            member.text,
        )
        documents = cluster.alike.setdefault(alike, [])
        if len(documents) >= 2 or res.source.document_id in documents:
            return
        documents.append(res.source.document_id)
        keys = self._keys
        entry = (cluster, member)
        for slot in self.slots_of(date):
            for city in cities:
                keys.setdefault((slot, res.kind, res.status, city), []).append(entry)

    def candidates(self, report: _Report) -> list[tuple[_Cluster, _Report]]:
        res = report.res
        if not res.date:
            return []
        if res.kind == "event" or report.city is None:
            cities: tuple = (_ANY,)
        else:
            cities = (report.city, None, ("in", report.city))
            cities += tuple(self._find_cities(report.text))
        found: list[tuple[_Cluster, _Report]] = []
        keys = self._keys
        for slot in self.wanted_slots(res.date):
            for city in cities:
                found.extend(keys.get((slot, res.kind, res.status, city), ()))
        return found


def _sort_key(entry: ChronologyEntry) -> tuple[bool, str]:
    return (entry.date is None, entry.date or "")


def _merge(cluster: _Cluster) -> ChronologyEntry:
    best = cluster.best
    if len(cluster.members) == 1:  # most decisions are reported once: nothing to merge
        return ChronologyEntry(
            date=best.date,
            end_date=best.end_date,
            precision=best.precision,
            kind=best.kind,
            status=best.status,
            body=best.body,
            city=best.city,
            subject=best.subject,
            references=tuple(dict.fromkeys(best.references)),
            outcome=best.outcome,
            sources=(best.source,),
        )
    members = [(m.index, m.res) for m in sorted(cluster.members, key=lambda m: m.index)]
    refs = dict.fromkeys(r for _, m in members for r in m.references)
    sources = _one_per_page(m.source for _, m in members)
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


SAME_PAGE_JOINER = " […] "


def _one_per_page(sources: Iterable[Source]) -> tuple[Source, ...]:
    """One source per document page, in order of first mention.

    An Amtsblatt lists a Satzung and prints it again with its preamble on the same page: two
    sentences, one citation. A reader checks a page, so the page is named once; its distinct
    sentences are kept, joined by ``SAME_PAGE_JOINER``.
    """
    by_page: dict[tuple[str, int], list[Source]] = {}
    for source in sources:
        by_page.setdefault((source.document_id, source.page), []).append(source)
    out: list[Source] = []
    for group in by_page.values():
        texts = list(dict.fromkeys(s.text for s in group))
        first = group[0]
        out.append(
            first
            if len(texts) == 1
            else dataclasses.replace(first, text=SAME_PAGE_JOINER.join(texts))
        )
    return tuple(out)


def _where(entry: ChronologyEntry) -> str:
    source = entry.sources[0]
    return f"{source.path} p.{source.page}"


def _mark_conflicts(entries: list[ChronologyEntry]) -> list[ChronologyEntry]:
    """Pair entries of one reference, status and body whose dates cannot both be right.

    Grouped by city as well (an unknown city pairs with every city), so a number printed in
    many municipalities costs pairs within each municipality only, not across all of them.
    """
    groups: dict[tuple, dict[str | None, list[int]]] = {}
    for i, e in enumerate(entries):
        if e.kind != "resolution" or not e.date:
            continue
        city = fold(e.city) if e.city else None
        for r in _refs_of(e.references):
            groups.setdefault((r, e.status, _body_key(e.body)), {}).setdefault(city, []).append(i)
    found: dict[int, list[tuple[str, int]]] = {}
    for (ref, _, _), by_city in groups.items():
        unknown = by_city.get(None, [])
        everyone = sorted(i for idx in by_city.values() for i in idx)
        for city, idx in by_city.items():
            others = everyone if city is None else sorted(idx + unknown)
            for x in idx:
                for y in others:
                    if x != y and not dates_compatible(entries[x].date, entries[y].date):
                        found.setdefault(x, []).append((ref, y))
    notes: dict[int, list[str]] = {}
    for x, pairs in found.items():
        for ref, y in sorted(pairs):
            note = f"DS {ref}: {entries[y].date} in {_where(entries[y])}"
            if note not in notes.setdefault(x, []):
                notes[x].append(note)
    return [
        _replace_conflicts(e, tuple(notes[i])) if i in notes else e for i, e in enumerate(entries)
    ]


def _replace_conflicts(entry: ChronologyEntry, conflicts: tuple[str, ...]) -> ChronologyEntry:
    return dataclasses.replace(entry, conflicts=conflicts)


def _group(date: str | None, founded: str | None) -> int:
    """Which date bucket of a report a cluster is in (0 its day … 3 none): candidates are
    tried bucket by bucket, so where two clusters fit, the closer date wins."""
    if not date:
        return 2 if not founded else 3
    if not founded:
        return 3
    if len(date) >= 10:
        if founded == date:
            return 0
        if len(founded) == 7 and founded == date[:7]:
            return 1
        return 2 if len(founded) == 4 and founded == date[:4] else 3
    if len(date) >= 7:
        if len(founded) >= 7 and founded[:7] == date[:7]:
            return 1
        return 2 if len(founded) == 4 and founded == date[:4] else 3
    return 2 if founded[:4] == date[:4] else 3


def _ref_keys(report: _Report, ref: str) -> tuple[tuple, ...]:
    """Where a member is filed in the reference index: shared reference, kind, status and
    city must agree for the reference path of ``_same`` (an unknown city agrees)."""
    res = report.res
    return ((ref, res.kind, res.status, report.city), (ref, res.kind, res.status, _ANY))


def _ref_lookups(report: _Report) -> list[tuple]:
    res = report.res
    cities = (report.city, None) if report.city is not None else (_ANY,)
    return [(ref, res.kind, res.status, city) for ref in report.refs for city in cities]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building allocates hundreds of thousands of small acyclic objects; the cyclic collector
    would rescan the growing heap again and again (40 % of the time at 100,000 reports) and
    free nothing. Paused only for the build, and only if it was running."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
    with _collector_paused():
        return _build(resolutions, include_all)


def _build(resolutions: Iterable[Resolution], include_all: bool) -> list[ChronologyEntry]:
    unique = dict.fromkeys(resolutions)  # a document ingested twice reports nothing new
    wanted = [(i, r) for i, r in enumerate(unique) if include_all or r.kind == "resolution"]
    # The most precise reports found the clusters; vaguer ones join them. Otherwise a month
    # could glue two different days of that month together.
    ordered = sorted(wanted, key=lambda m: (_PRECISION_RANK[m[1].precision], m[0]))
    find_cities = _CityFinder({fold(r.city) for _, r in ordered if r.city and r.kind != "event"})
    index = _Index(find_cities)
    clusters: list[_Cluster] = []
    # a reference ties reports of any date: (reference, kind, status, city) → members
    by_ref: dict[tuple, list[tuple[int, _Cluster, _Report]]] = {}
    took: dict[tuple[str, int], int] = {}  # (reference, cluster) → when the cluster took it
    for i, res in ordered:
        report = _report(i, res)
        # Candidates in the order the first fitting one is chosen: clusters of the same day,
        # of its month, of its year (each in creation order), then those reached only by a
        # reference, in the order they took it. A cluster fits when one of its members is
        # ``_same``; members the indexes do not return cannot be.
        rank: dict[int, tuple[int, int]] = {}
        members: dict[int, list[_Report]] = {}
        found: dict[int, _Cluster] = {}
        for c, m in index.candidates(report) if res.date else ():
            if c.seq not in found:
                found[c.seq] = c
                members[c.seq] = []
                rank[c.seq] = (_group(res.date, c.best.date), c.seq)
            members[c.seq].append(m)
        for key in _ref_lookups(report):
            for stamp, c, m in by_ref.get(key, ()):
                if c.seq not in found:
                    found[c.seq] = c
                    members[c.seq] = []
                    group = _group(res.date, c.best.date)
                    rank[c.seq] = (group, c.seq if group < 3 else stamp)
                elif rank[c.seq][0] == 3:
                    rank[c.seq] = min(rank[c.seq], (3, stamp))
                members[c.seq].append(m)
        target = None
        document = res.source.document_id
        for seq in sorted(found, key=rank.__getitem__):
            c = found[seq]
            if not dates_compatible(c.best.date, res.date) or res.source in c.sources:
                continue  # one sentence read twice is not a second witness
            if any(_same(m, report) for m in members[seq]) or any(
                _same(m, report) for m in c.by_document.get(document, ())
            ):
                target = c
                break
        if target is None:
            target = _Cluster(seq=len(clusters))
            clusters.append(target)
        target.members.append(report)
        target.sources.add(res.source)
        target.by_document.setdefault(res.source.document_id, []).append(report)
        index.add(target, report)
        for ref in report.refs:
            stamp = took.setdefault((ref, target.seq), len(took))
            for key in _ref_keys(report, ref):
                by_ref.setdefault(key, []).append((stamp, target, report))
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
