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

Order: oldest first, undated last; within the same period a coarser date sorts first
(``2015`` < ``2015-02`` < ``2015-02-12``): "some time in February" is listed before a day in
February because it cannot be placed after it. Ties keep the input order (stable sort).

Speed (an archive of 10,000 documents holds 250,000 decisions and a million records with
events). Everything a comparison needs but the comparison itself is derived once per record,
at ingest, by :func:`merge_features` (folded city, normalised references, body key, stems,
folded sentence); the store keeps it with the record, together with the archive's cities each
sentence names, so building the chronology from the store only looks things up
(:meth:`ChronologyTable.from_rows`). Every report is compared only with the members that could
pass the tests above, found through two indexes (date slot, kind, status and city; reference),
so the merge grows linearly. Within a date slot with many members, members are also found by
their stems: members sharing fewer than two stems cannot pass the word test, so a day with
hundreds of events costs comparisons with the few that share words, not with all. Of members
that would answer every comparison alike (copies of one report in many documents) a cluster
indexes two. The first fitting cluster is chosen in the same order as a full scan: same day,
month, year, then by reference (``tests/test_chronology.py`` checks the clusters against a
scan of every member of every cluster). That costs about 20 µs a record on a busy 2-core
machine, loading included: 5–8 s for the 250,000 decisions of 10,000 synthetic documents.

So the built chronology is cached: it packs into bytes (:meth:`ChronologyTable.to_bytes`)
that the store keeps until its resolutions change (a generation counter its triggers bump)
or this code does (:func:`code_version`), and the next ``archiv chronik`` unpacks it (under a
second for those 250,000). Filters run on the packed rows before any entry is made.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import inspect
import itertools
import json
import marshal
import re
import sys
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from archiv.analysis import fold
from archiv.models import ChronologyEntry, MergeFeatures, Resolution, Source
from archiv.tag.references import reference_key as normalize_reference

_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, None: 3}

# Bump when merge_features derives something else from the same record: stored features of
# another version are recomputed by the next writer and ignored by readers until then.
# features_version() adds a fingerprint of the features of fixed probe records, so a change
# in folding, stemming or reference normalisation elsewhere is caught without a bump.
FEATURES_VERSION = 1


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


def city_key(city: str | None) -> str | None:
    """How the merge compares a city: folded ("Würzburg" and "WUERZBURG" are one city)."""
    return _fold_name(city) if city else None


def merge_features(res: Resolution) -> MergeFeatures:
    """Everything the merge compares ``res`` by, derived once (at ingest, in the worker)."""
    return MergeFeatures(
        refs=tuple(sorted(_refs_of(res.references))),
        body=_body_key(res.body),
        city=city_key(res.city),
        stems=" ".join(sorted(_stems(f"{res.subject} {res.source.text}"))),
        subject_stems=" ".join(sorted(_stems(res.subject))),
        text="" if res.kind == "event" else fold(res.source.text),
    )


_PROBES = (
    ("resolution", "Rat der Stadt Würzburg", "Würzburg", "Änderung der Straßenreinigungssatzung",
     ("DS-Nr. 1045/2014-2020", "Vorlage 0002/15", "bv/0123/2021"),
     "Der Rat der Stadt WÜRZBURG beschließt am 12.03.2015 einstimmig die Änderung "
     "(Café, Œuvre)."),
    ("event", None, "Berlin", "Unterzeichnung der Interkommunalen Vereinbarung", ("Drs. 18/4711",),
     "Die Bürgermeister unterzeichneten im Berliner Jakob-Kaiser-Haus die Vereinbarung."),
)


@lru_cache(maxsize=1)
def features_version() -> str:
    """``FEATURES_VERSION``, the source of the derivation here, and what it makes of probes.

    Stored features are valid only for the code that derived them. Editing the functions and
    word lists above changes the source; the probes cover folding (umlauts, ß, accents,
    ligatures) and reference normalisation, which live in other modules and may change
    without anyone thinking of the stored features.
    """
    probes = [
        merge_features(Resolution(kind, "decided", "2015-03-12", "day", None, body, city, subject,
                                  refs, None, Source("probe", "/probe", 1, text)))
        for kind, body, city, subject, refs, text in _PROBES
    ]
    digest = hashlib.sha256(repr([dataclasses.astuple(f) for f in probes]).encode())
    digest.update(repr((sorted(_STOPWORDS), sorted(_STOP_STEMS), _STEM, _LETTERS.pattern)).encode())
    for function in (merge_features, city_key, _fold_name, _refs_of, _stems, _body_key):
        try:
            digest.update(inspect.getsource(function).encode())
        except (OSError, TypeError):  # no source at hand (a zip import): the probes must do
            digest.update(function.__name__.encode())
    return f"{FEATURES_VERSION}.{digest.hexdigest()[:12]}"


# A stored resolution as ``Store.merge_rows`` hands it over: the record, then its stored
# MergeFeatures and the archive's cities its sentence names (``None`` each when the store has
# no current features for it).
ROW_FIELDS = (
    "kind", "status", "date", "precision", "end_date", "body", "city", "subject", "refs",
    "outcome", "document_id", "path", "page", "sentence",
    "feature_refs", "feature_body", "feature_city", "stems", "subject_stems", "mentions",
)
_FEATURES_AT = ROW_FIELDS.index("feature_refs")


class _Report:
    """One record with what ``_same`` and the indexes compare, read or derived once.

    Stems are needed only by reports that reach the word test (nine in ten decisions are
    reported once), so they are parsed or computed on first use.
    """

    __slots__ = (
        "index", "prank", "kind", "status", "date", "precision", "end_date", "body_name",
        "city_name", "subject", "references", "outcome", "doc", "path", "page", "sentence",
        "refs", "body", "city", "mentions", "_stem_text", "_subject_stem_text",
        "_stems", "_subject_stems",
    )

    def __init__(
        self, index: int, kind: str, status: str | None, date: str | None,
        precision: str | None, end_date: str | None, body_name: str | None,
        city_name: str | None, subject: str, references: tuple[str, ...], outcome: str | None,
        doc: str, path: str, page: int, sentence: str, refs: frozenset[str], body: str | None,
        city: str | None, stem_text: str | None, subject_stem_text: str | None,
    ) -> None:
        self.index = index
        self.prank = _PRECISION_RANK[precision]
        self.kind = kind
        self.status = status
        self.date = date
        self.precision = precision
        self.end_date = end_date
        self.body_name = body_name
        self.city_name = city_name
        self.subject = subject
        self.references = references
        self.outcome = outcome
        self.doc = doc
        self.path = path
        self.page = page
        self.sentence = sentence
        self.refs = refs
        self.body = body
        self.city = city
        self.mentions: frozenset[str] = frozenset()  # the archive's cities the sentence names
        self._stem_text = stem_text
        self._subject_stem_text = subject_stem_text
        self._stems: frozenset[str] | None = None
        self._subject_stems: frozenset[str] | None = None

    @property
    def source_key(self) -> tuple[str, str, int, str]:
        return (self.doc, self.path, self.page, self.sentence)

    def same_source(self, other: _Report) -> bool:
        """``source_key`` equality without making the tuples."""
        return (self.sentence == other.sentence and self.page == other.page
                and self.doc == other.doc and self.path == other.path)

    @property
    def stems(self) -> frozenset[str]:
        """Of subject and sentence. (Stored ones are parsed into shared strings: a million
        reports name a few thousand stems.)"""
        if self._stems is None:
            self._stems = (
                _stems(f"{self.subject} {self.sentence}")
                if self._stem_text is None
                else frozenset(map(sys.intern, self._stem_text.split()))
            )
        return self._stems

    @property
    def subject_stems(self) -> frozenset[str]:
        if self._subject_stems is None:
            self._subject_stems = (
                _stems(self.subject)
                if self._subject_stem_text is None
                else frozenset(map(sys.intern, self._subject_stem_text.split()))
            )
        return self._subject_stems

    def forget_stems(self) -> None:
        """Stored stems are parsed again if needed; derived ones are cached by ``_stems``."""
        self._stems = self._subject_stems = None

    def signature(self) -> tuple:
        """Equal for two reports that ``_same`` answers alike for any report of a third
        document: everything it reads of them but the document (the kind and status are the
        cluster's). Events ignore the city except when a reference ties them. Stems as
        stored (sorted, one string) when they are, so no set is made for it."""
        event = self.kind == "event"
        return (
            self.body,
            self.refs,
            self.date,
            None if event and not self.refs else self.city,
            None if event else self.mentions,
            self.stems if self._stem_text is None else self._stem_text,
            self.subject_stems if self._subject_stem_text is None else self._subject_stem_text,
        )


def _report_of(index: int, res: Resolution) -> _Report:
    source = res.source
    return _Report(
        index, res.kind, res.status, res.date, res.precision, res.end_date, res.body, res.city,
        res.subject, res.references, res.outcome, source.document_id, source.path, source.page,
        source.text, _refs_of(res.references), _body_key(res.body),
        city_key(res.city), None, None,
    )


class _Cluster:
    """The reports of one real-world decision; the founder is the most precise of them.

    Reports arrive sorted by (precision, input order), so the founder never changes. Most
    decisions are reported once, so the sets a second member needs are made when it joins.
    """

    __slots__ = ("seq", "date", "members", "_sources", "_by_document", "_admitted")

    def __init__(self, seq: int, founder: _Report) -> None:
        self.seq = seq  # creation order: the first fitting candidate in this order wins
        self.date = founder.date
        self.members = [founder]
        self._sources: set[tuple[str, str, int, str]] | None = None
        self._by_document: dict[str, list[_Report]] | None = None
        self._admitted: dict[tuple, list[str]] | None = None

    @property
    def founder(self) -> _Report:
        return self.members[0]

    def join(self, report: _Report) -> None:
        if self._sources is None:
            founder = self.members[0]
            self._sources = {founder.source_key}
            self._by_document = {founder.doc: [founder]}
        self.members.append(report)
        self._sources.add(report.source_key)
        self._by_document.setdefault(report.doc, []).append(report)  # type: ignore[union-attr]

    def cites(self, report: _Report) -> bool:
        """Is ``report``'s sentence one of the cluster's already (read twice)?"""
        if self._sources is None:
            return self.members[0].same_source(report)
        return report.source_key in self._sources

    def of_document(self, doc: str) -> Sequence[_Report]:
        if self._by_document is None:
            founder = self.members[0]
            return (founder,) if founder.doc == doc else ()
        return self._by_document.get(doc, ())

    def admit(self, report: _Report) -> bool:
        """Should the indexes list this member? Not when two members of other documents with
        its signature are listed already: they answer ``_same`` like it for every report of a
        third document, and reports of its own document meet it through ``of_document``. A
        boilerplate sentence printed by a thousand documents is then compared twice, not a
        thousand times. (A founder is always listed; signatures are made when a second
        member joins, which most clusters never see.)"""
        if len(self.members) == 1:
            return True
        if self._admitted is None:
            founder = self.members[0]
            self._admitted = {founder.signature(): [founder.doc]}
        documents = self._admitted.setdefault(report.signature(), [])
        if len(documents) >= 2 or report.doc in documents:
            return False
        documents.append(report.doc)
        return True

    @property
    def first_index(self) -> int:
        return min(m.index for m in self.members)


def _same(a: _Report, b: _Report) -> bool:
    if a.kind != b.kind or a.status != b.status:
        return False
    if a.body is not None and b.body is not None and a.body != b.body:
        return False
    if a.refs & b.refs:  # a Drucksache number is unique only within its municipality
        return dates_compatible(a.date, b.date) and (
            a.city is None or b.city is None or a.city == b.city
        )
    if a.refs and b.refs:
        return False
    if not a.date or not b.date or not dates_compatible(a.date, b.date):
        return False
    if a.kind != "event" and not _cities_agree(a, b):
        # An event's city is often only the document's municipality (where the paper was
        # written, not where it happened), so only decisions are kept apart by city.
        return False
    if a.doc == b.doc:
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
    """Equal, unknown, or one names the other's city in its sentence ("im Berliner …").

    ``mentions`` hold every city of the archive a sentence names, so for two cities of the
    archive this is the substring test on the folded sentences.
    """
    if a.city is None or b.city is None or a.city == b.city:
        return True
    return a.city in b.mentions or b.city in a.mentions


class CityFinder:
    """Which of the given cities a folded sentence names, by plain substring like
    ``_cities_agree``: the index looks up just these cities' clusters.

    The store keeps each sentence's answer for the archive's cities (``mentions``).
    """

    _GRAM = 3

    def __init__(self, cities: Iterable[str]) -> None:
        self._short: list[str] = []
        self._by_gram: dict[str, list[str]] = {}
        for c in set(cities):
            if len(c) < self._GRAM:
                self._short.append(c)
            else:
                self._by_gram.setdefault(c[: self._GRAM], []).append(c)

    def __call__(self, text: str) -> frozenset[str]:
        n = self._GRAM
        grams = {text[i : i + n] for i in range(len(text) - n + 1)} & self._by_gram.keys()
        hits = [c for g in grams for c in self._by_gram[g] if c in text]
        hits += [c for c in self._short if c in text]
        return frozenset(hits)


_ANY = "*"  # the wildcard slot of an index key: any city
_STEM_SPLIT = 24  # members of one key beyond which a lookup goes through their stems


@lru_cache(maxsize=65536)
def _slots_of(date: str) -> tuple[str, ...]:
    """Where a cluster founded on ``date`` is filed."""
    if len(date) >= 10:
        return ("y" + date[:4], "m" + date[:7], "d" + date)
    if len(date) >= 7:  # month-founded: found by its days ("M") and its month ("m")
        return ("y" + date[:4], "m" + date[:7], "M" + date[:7])
    return ("y" + date[:4], "Y" + date[:4])  # year-founded: found by its days and months


@lru_cache(maxsize=65536)
def _wanted_slots(date: str) -> tuple[str, ...]:
    if len(date) >= 10:
        return ("d" + date, "M" + date[:7], "Y" + date[:4])
    if len(date) >= 7:
        return ("m" + date[:7], "Y" + date[:4])
    return ("y" + date[:4],)


_Entry = tuple[_Cluster, _Report]


class _Index:
    """Members by (date slot of their cluster, kind, status, city), also under a wildcard city.

    A report matches a member by words only if kind and status are equal, the cities agree
    (same, unknown, or one named in the other's sentence; events ignore the city) and both are
    dated. Looking up exactly those keys finds every member ``_same`` could accept, so the
    result equals comparing with every member of every cluster of the day, while costing a
    handful of comparisons. Members are filed under their cluster's founding date, because
    ``_first_fitting`` places a report by the cluster's date.

    A key with more than ``_STEM_SPLIT`` members is looked up by stem, on its first lookup
    (most keys, a year's or the wildcard's, are filed but never looked up): a member can pass
    ``_same``'s word test only when it shares three stems with the report, or two if they
    are of one document (two subject stems, which are stems too), and the other tests go
    through the reference index. On a day of many unrelated events a report then meets the
    few that share its words, not all of them.
    """

    def __init__(self, reports: Iterable[_Report]) -> None:
        self._keys: dict[tuple, list[_Entry]] = {}
        # key → stem → positions in the key's list of the members with that stem
        self._by_stem: dict[tuple, dict[str, list[int]]] = {}
        # What the reports will look up, so members are filed only where they can be found:
        # date slots (a year's slot only where some report is dated by that year alone) and
        # the wildcard city (only for kinds and statuses with events or reports without city).
        self._slots: set[tuple] = set()
        self._any: set[tuple] = set()
        for r in reports:
            if r.date:
                for slot in _wanted_slots(r.date):
                    self._slots.add((slot, r.kind, r.status))
            if r.kind == "event" or r.city is None:
                self._any.add((r.kind, r.status))

    def add(self, cluster: _Cluster, member: _Report) -> None:
        date = cluster.date
        if not date or not member.date:
            return  # the word path needs dates on both sides
        kind, status = member.kind, member.status
        wildcard = (kind, status) in self._any
        if kind == "event":
            cities: tuple = (_ANY,)
        elif member.mentions:
            cities = (member.city, *(("in", c) for c in member.mentions))
            cities += (_ANY,) if wildcard else ()
        else:
            cities = (member.city, _ANY) if wildcard else (member.city,)
        keys = self._keys
        entry = (cluster, member)
        for slot in _slots_of(date):
            if (slot, kind, status) not in self._slots:
                continue
            for city in cities:
                key = (slot, kind, status, city)
                members = keys.get(key)
                if members is None:
                    keys[key] = [entry]
                    continue
                members.append(entry)
                if len(members) > _STEM_SPLIT:
                    by_stem = self._by_stem.get(key)
                    if by_stem is not None:
                        position = len(members) - 1
                        for stem in member.stems:
                            by_stem.setdefault(stem, []).append(position)

    def candidates(self, report: _Report) -> list[_Entry]:
        kind, status = report.kind, report.status
        if kind == "event" or report.city is None:
            cities: tuple = (_ANY,)
        elif report.mentions:
            cities = (report.city, None, ("in", report.city), *report.mentions)
        else:
            cities = (report.city, None, ("in", report.city))
        keys = self._keys
        found: list[_Entry] = []
        for slot in _wanted_slots(report.date):  # type: ignore[arg-type]
            for city in cities:
                key = (slot, kind, status, city)
                members = keys.get(key)
                if members is None:
                    continue
                if len(members) <= _STEM_SPLIT:
                    found.extend(members)
                    continue
                by_stem = self._by_stem.get(key)
                if by_stem is None:
                    by_stem = self._by_stem[key] = {}
                    for position, (_, member) in enumerate(members):
                        for stem in member.stems:
                            by_stem.setdefault(stem, []).append(position)
                shared: Counter[int] = Counter()  # member → stems it shares with the report
                for stem in report.stems:
                    positions = by_stem.get(stem)
                    if positions:
                        shared.update(positions)
                doc = report.doc
                found.extend(
                    members[p] for p, n in shared.items()
                    if n >= _MIN_SHARED or n == 2 and members[p][1].doc == doc
                )
        return found


# An entry as the merge makes it and the store's cache keeps it ("packed"): the fields of
# ChronologyEntry in order, sources as (document_id, path, page, text) tuples, then what the
# filters and conflicts compare: folded city, folded body, normalised references (sorted).
# Entries are made of rows only when returned (:func:`_unpack`).
_DATE, _END_DATE, _KIND, _STATUS, _BODY, _CITY, _REFERENCES = 0, 1, 3, 4, 5, 6, 8
_SOURCES, _CONFLICTS, _CITY_FOLD, _BODY_FOLD, _REF_KEYS = 10, 11, 12, 13, 14


def _sort_key(row: tuple) -> tuple[bool, str]:
    return (row[_DATE] is None, row[_DATE] or "")


def _merge(cluster: _Cluster) -> tuple:
    """The packed entry of one cluster (see ``_SOURCES`` …)."""
    best = cluster.founder
    if len(cluster.members) == 1:  # most decisions are reported once: nothing to merge
        body = best.body_name
        return (
            best.date, best.end_date, best.precision, best.kind, best.status, body,
            best.city_name, best.subject, tuple(dict.fromkeys(best.references)), best.outcome,
            ((best.doc, best.path, best.page, best.sentence),), (),
            best.city, _fold_name(body) if body else None, tuple(sorted(best.refs)),
        )
    members = sorted(cluster.members, key=lambda m: m.index)
    refs = dict.fromkeys(r for m in members for r in m.references)
    sources = _one_per_page((m.doc, m.path, m.page, m.sentence) for m in members)
    body = best.body_name or next((m.body_name for m in members if m.body_name), None)
    if body:  # prefer the fullest name of the same body ("Rat der Stadt Bielefeld" over "Rat")
        key = _body_key(body)
        same = [m.body_name for m in members if m.body_name and _body_key(m.body_name) == key]
        body = max(same, key=len)
    city = best.city_name or next((m.city_name for m in members if m.city_name), None)
    return (
        best.date,
        best.end_date or next((m.end_date for m in members if m.end_date), None),
        best.precision,
        best.kind,
        best.status,
        body,
        city,
        best.subject or next((m.subject for m in members if m.subject), ""),
        tuple(refs),
        best.outcome or next((m.outcome for m in members if m.outcome), None),
        sources,
        (),
        _fold_name(city) if city else None,
        _fold_name(body) if body else None,
        tuple(sorted(frozenset().union(*(m.refs for m in members)))),
    )


SAME_PAGE_JOINER = " […] "


def _one_per_page(sources: Iterable[tuple[str, str, int, str]]) -> tuple[tuple, ...]:
    """One source per document page, in order of first mention.

    An Amtsblatt lists a Satzung and prints it again with its preamble on the same page: two
    sentences, one citation. A reader checks a page, so the page is named once; its distinct
    sentences are kept, joined by ``SAME_PAGE_JOINER``.
    """
    by_page: dict[tuple[str, int], list[tuple[str, str, int, str]]] = {}
    for source in sources:
        by_page.setdefault((source[0], source[2]), []).append(source)
    out: list[tuple[str, str, int, str]] = []
    for group in by_page.values():
        texts = list(dict.fromkeys(s[3] for s in group))
        first = group[0]
        out.append(first if len(texts) == 1 else (*first[:3], SAME_PAGE_JOINER.join(texts)))
    return tuple(out)


def _where(row: tuple) -> str:
    _, path, page, _ = row[_SOURCES][0]
    return f"{path} p.{page}"


def _mark_conflicts(rows: list[tuple]) -> list[tuple]:
    """Pair entries of one reference, status and body whose dates cannot both be right.

    Grouped by city as well (an unknown city pairs with every city), so a number printed in
    many municipalities costs pairs within each municipality only, not across all of them.
    """
    groups: dict[tuple, dict[str | None, list[int]]] = {}
    for i, row in enumerate(rows):
        if row[_KIND] != "resolution" or not row[_DATE] or not row[_REF_KEYS]:
            continue
        key = _body_key(row[_BODY])
        for r in row[_REF_KEYS]:
            groups.setdefault((r, row[_STATUS], key), {}).setdefault(row[_CITY_FOLD], []).append(i)
    found: dict[int, list[tuple[str, int]]] = {}
    for (ref, _, _), by_city in groups.items():
        unknown = by_city.get(None, [])
        everyone = sorted(i for idx in by_city.values() for i in idx)
        for city, idx in by_city.items():
            others = everyone if city is None else sorted(idx + unknown)
            if len(others) < 2:
                continue
            for x in idx:
                for y in others:
                    if x != y and not dates_compatible(rows[x][_DATE], rows[y][_DATE]):
                        found.setdefault(x, []).append((ref, y))
    notes: dict[int, list[str]] = {}
    for x, pairs in found.items():
        for ref, y in sorted(pairs):
            note = f"DS {ref}: {rows[y][_DATE]} in {_where(rows[y])}"
            if note not in notes.setdefault(x, []):
                notes[x].append(note)
    for x, texts in notes.items():
        rows[x] = (*rows[x][:_CONFLICTS], tuple(texts), *rows[x][_CONFLICTS + 1:])
    return rows


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
    return (
        (ref, report.kind, report.status, report.city),
        (ref, report.kind, report.status, _ANY),
    )


def _ref_lookups(report: _Report) -> list[tuple]:
    cities = (report.city, None) if report.city is not None else (_ANY,)
    return [(ref, report.kind, report.status, city) for ref in report.refs for city in cities]


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
    return ChronologyTable.from_resolutions(resolutions, include_all=include_all).entries()


def _cluster(reports: list[_Report]) -> list[_Cluster]:
    """Every report joins the first fitting cluster or founds one (see the module docstring)."""
    # The most precise reports found the clusters; vaguer ones join them. Otherwise a month
    # could glue two different days of that month together. (Reports come in input order
    # and the sort is stable: ties keep it.)
    index = _Index(reports)
    clusters: list[_Cluster] = []
    # a reference ties reports of any date: (reference, kind, status, city) → members
    by_ref: dict[tuple, list[tuple[int, _Cluster, _Report]]] = {}
    took: dict[tuple[str, int], int] = {}  # (reference, cluster) → when the cluster took it
    for report in sorted(reports, key=lambda r: r.prank):
        candidates = index.candidates(report) if report.date else ()
        by_refs = [by_ref.get(key, ()) for key in _ref_lookups(report)] if report.refs else ()
        target = None
        if candidates or any(by_refs):
            target = _first_fitting(report, candidates, by_refs)
        if target is None:
            target = _Cluster(len(clusters), report)
            clusters.append(target)
        else:
            target.join(report)
        admitted = target.admit(report)
        if admitted:
            index.add(target, report)
        else:  # its twins answer for it: parsed stems would only hold memory (a million sets)
            report.forget_stems()
        for ref in report.refs:
            stamp = took.setdefault((ref, target.seq), len(took))
            if admitted:
                for key in _ref_keys(report, ref):
                    by_ref.setdefault(key, []).append((stamp, target, report))
    return clusters


def _first_fitting(
    report: _Report,
    candidates: Iterable[_Entry],
    by_refs: Iterable[Iterable[tuple[int, _Cluster, _Report]]],
) -> _Cluster | None:
    """The cluster ``report`` joins, of those the indexes returned, or None.

    Candidates are tried in the order the first fitting one is chosen: clusters of the same
    day, of its month, of its year (each in creation order), then those reached only by a
    reference, in the order they took it. A cluster fits when one of its members is
    ``_same``; members the indexes do not return cannot be.
    """
    date = report.date
    found: dict[int, list] = {}  # cluster → [rank, cluster, members the indexes returned…]
    for c, m in candidates:
        listed = found.get(c.seq)
        if listed is None:
            found[c.seq] = [(_group(date, c.date), c.seq), c, m]
        else:
            listed.append(m)
    for listed_by_ref in by_refs:
        for stamp, c, m in listed_by_ref:
            listed = found.get(c.seq)
            if listed is None:
                group = _group(date, c.date)
                found[c.seq] = [(group, c.seq if group < 3 else stamp), c, m]
            else:
                if listed[0][0] == 3 and stamp < listed[0][1]:
                    listed[0] = (3, stamp)
                listed.append(m)
    for listed in sorted(found.values(), key=_first) if len(found) > 1 else found.values():
        c = listed[1]
        if not dates_compatible(c.date, date) or c.cites(report):
            continue  # one sentence read twice is not a second witness
        for m in itertools.islice(listed, 2, None):
            if _same(m, report):
                return c
        for m in c.of_document(report.doc):
            if _same(m, report):
                return c
    return None


def _first(listed: list) -> tuple[int, int]:
    return listed[0]


def _rows(reports: list[_Report]) -> list[tuple]:
    """The packed entries of these reports, ordered and with their conflicts."""
    clusters = _cluster(reports)
    clusters.sort(key=lambda c: c.first_index)
    return _mark_conflicts(sorted((_merge(c) for c in clusters), key=_sort_key))


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
    wanted_city = fold(city) if city else None
    wanted_body = fold(body) if body else None
    out: list[ChronologyEntry] = []
    for e in entries:
        if wanted_city is not None and (not e.city or wanted_city not in fold(e.city)):
            continue
        if wanted_body is not None and (not e.body or wanted_body not in fold(e.body)):
            continue
        if (date_from or date_to) and not _in_dates(e.date, e.end_date, date_from, date_to):
            continue
        if wanted_ref and wanted_ref not in {normalize_reference(r) for r in e.references}:
            continue
        if document_ids is not None and not any(s.document_id in document_ids for s in e.sources):
            continue
        if text and not _mentions_text(e, fold(text)):
            continue
        out.append(e)
    return out


def _in_dates(date: str | None, end_date: str | None, date_from: str | None,
              date_to: str | None) -> bool:
    """The date bounds of :func:`filter_chronology`: a period counts by its end for
    ``date_from``, by its start for ``date_to``; undated entries never pass a bound."""
    if date_from:
        last = end_date or date
        if not last:
            return False
        value, bound = _at_precision(last, date_from)
        if value < bound:
            return False
    if date_to:
        if not date:
            return False
        value, bound = _at_precision(date, date_to)
        if value > bound:
            return False
    return True


def _mentions_text(entry: ChronologyEntry, folded: str) -> bool:
    return folded in fold(entry.subject) or any(folded in fold(s.text) for s in entry.sources)


def sources_of(entries: Iterable[ChronologyEntry]) -> list[Source]:
    """Every source of these entries once, in order (for "which documents back this list")."""
    return list(dict.fromkeys(s for e in entries for s in e.sources))


# --- a built chronology: filtered, cached, unpacked --------------------------------------------

_CACHE_FORMAT = 1
_CODE_FILES = (
    "chronology.py", "analysis.py", "models.py", "store.py", "tag/references.py",
    "tag/data/reference_labels.json",
)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A fingerprint of the code a cached chronology was built by: the source of every module
    that decides its entries (merging, folding, references, the records the store reads).

    The store's cache of a built chronology is valid for one state of the resolutions *and*
    one version of this code; after an upgrade it is rebuilt, never returned stale.
    """
    import archiv

    digest = hashlib.sha256(
        f"{_CACHE_FORMAT} {features_version()} {archiv.__version__} {sys.version_info[:2]} "
        f"{marshal.version}".encode()
    )
    root = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        try:
            digest.update((root / name).read_bytes())
        except OSError:  # not a plain file (a zip import): the version alone must do
            digest.update(name.encode())
    return digest.hexdigest()[:24]


class ChronologyTable:
    """One built chronology, unfiltered, as packed entries: made by a merge or from the bytes
    a store cached. Filters run on the packed entries, so a filtered answer makes only the
    :class:`ChronologyEntry` objects it returns."""

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @classmethod
    def from_resolutions(
        cls, resolutions: Iterable[Resolution], *, include_all: bool = False
    ) -> ChronologyTable:
        """The merge of ``resolutions`` (see :func:`build_chronology`)."""
        with _collector_paused():
            return cls(_rows(_reports_of_resolutions(resolutions, include_all)))

    @classmethod
    def from_rows(
        cls, rows: Iterable[Sequence[Any]], known_cities: Collection[str] | None, *,
        include_all: bool = False,
    ) -> ChronologyTable:
        """The merge of stored records (``ROW_FIELDS``) in store order, read once.

        Stored features are taken as they are; a record without them gets them derived here.
        Stored ``mentions`` name every city of ``known_cities`` a sentence prints: enough when
        those hold every city of the records, else every sentence is searched again, as
        :meth:`from_resolutions` does, with the same result.
        """
        with _collector_paused():
            reports, complete = _reports_of_rows(rows, include_all)
            cities = {r.city for r in reports if r.city is not None and r.kind != "event"}
            if not complete or known_cities is None or not cities <= set(known_cities):
                _find_mentions(reports, CityFinder(cities))
            return cls(_rows(reports))

    def entries(self, keep: Iterable[int] | None = None) -> list[ChronologyEntry]:
        """The entries at the positions ``keep`` (all by default), in order."""
        rows = self._rows if keep is None else [self._rows[i] for i in keep]
        with _collector_paused():
            return [_unpack(row) for row in rows]

    def select(
        self,
        *,
        city: str | None = None,
        body: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        ref: str | None = None,
        pages: set[tuple[str, int]] | None = None,
    ) -> list[int]:
        """Positions of the entries :func:`filter_chronology` keeps for these filters; with
        ``pages``, only entries citing one of these (document, page) pairs."""
        if not (city or body or date_from or date_to or ref or pages is not None):
            return list(range(len(self._rows)))
        wanted_city = fold(city) if city else None
        wanted_body = fold(body) if body else None
        wanted_ref = normalize_reference(ref) if ref else None
        out: list[int] = []
        for i, row in enumerate(self._rows):
            if wanted_city is not None and (
                row[_CITY_FOLD] is None or wanted_city not in row[_CITY_FOLD]
            ):
                continue
            if wanted_body is not None and (
                row[_BODY_FOLD] is None or wanted_body not in row[_BODY_FOLD]
            ):
                continue
            if (date_from or date_to) and not _in_dates(
                row[_DATE], row[_END_DATE], date_from, date_to
            ):
                continue
            if wanted_ref and wanted_ref not in row[_REF_KEYS]:
                continue
            if pages is not None and not any((s[0], s[2]) in pages for s in row[_SOURCES]):
                continue
            out.append(i)
        return out

    def to_bytes(self) -> bytes:
        return marshal.dumps((_CACHE_FORMAT, self._rows))

    @classmethod
    def from_bytes(cls, data: bytes) -> ChronologyTable:
        """Raises ValueError when ``data`` is not a packed chronology of this format."""
        try:
            with _collector_paused():
                version, rows = marshal.loads(data)
        except (EOFError, TypeError, ValueError) as error:
            raise ValueError(f"not a packed chronology: {error}") from error
        if version != _CACHE_FORMAT or not isinstance(rows, list):
            raise ValueError("not a packed chronology of this format")
        return cls(rows)


def _reports_of_resolutions(
    resolutions: Iterable[Resolution], include_all: bool
) -> list[_Report]:
    unique = dict.fromkeys(resolutions)  # a document ingested twice reports nothing new
    reports = [
        _report_of(i, r) for i, r in enumerate(unique) if include_all or r.kind == "resolution"
    ]
    cities = {r.city for r in reports if r.city is not None and r.kind != "event"}
    _find_mentions(reports, CityFinder(cities))
    return reports


def _find_mentions(reports: list[_Report], find: CityFinder) -> None:
    found: dict[str, frozenset[str]] = {}  # a sentence many documents print is searched once
    for r in reports:
        if r.kind != "event":
            named = found.get(r.sentence)
            if named is None:
                named = found[r.sentence] = find(fold(r.sentence))
            r.mentions = named


# A frozen dataclass sets each field through object.__setattr__ in its __init__; unpacking
# hundreds of thousands of entries, setting the slots through their descriptors costs half.
# The field lists are checked here, so a field added to either class fails at import, not
# silently in an entry.
_ENTRY_FIELDS = ("date", "end_date", "precision", "kind", "status", "body", "city", "subject",
                 "references", "outcome", "sources", "conflicts")
_SOURCE_FIELDS = ("document_id", "path", "page", "text")
assert tuple(f.name for f in dataclasses.fields(ChronologyEntry)) == _ENTRY_FIELDS
assert tuple(f.name for f in dataclasses.fields(Source)) == _SOURCE_FIELDS
_SET_ENTRY = tuple(getattr(ChronologyEntry, name).__set__ for name in _ENTRY_FIELDS)
_SET_SOURCE = tuple(getattr(Source, name).__set__ for name in _SOURCE_FIELDS)


def _unpack(row: tuple) -> ChronologyEntry:
    """The ChronologyEntry of a packed row, equal to ``ChronologyEntry(*row[:12])`` with
    ``Source`` objects for its sources."""
    new = object.__new__
    set_id, set_path, set_page, set_text = _SET_SOURCE
    sources = []
    for document_id, path, page, text in row[_SOURCES]:
        source = new(Source)
        set_id(source, document_id)
        set_path(source, path)
        set_page(source, page)
        set_text(source, text)
        sources.append(source)
    entry = new(ChronologyEntry)
    (set_date, set_end, set_precision, set_kind, set_status, set_body, set_city, set_subject,
     set_references, set_outcome, set_sources, set_conflicts) = _SET_ENTRY
    set_date(entry, row[0])
    set_end(entry, row[1])
    set_precision(entry, row[2])
    set_kind(entry, row[3])
    set_status(entry, row[4])
    set_body(entry, row[5])
    set_city(entry, row[6])
    set_subject(entry, row[7])
    set_references(entry, row[8])
    set_outcome(entry, row[9])
    set_sources(entry, tuple(sources))
    set_conflicts(entry, row[11])
    return entry


def _reports_of_rows(
    rows: Iterable[Sequence[Any]], include_all: bool
) -> tuple[list[_Report], bool]:
    """Reports of stored records, and whether every one came with stored features.

    Identical records are read once, like ``dict.fromkeys`` of equal resolutions: the store
    leaves out those with features (``dup``), the others are told apart here. Strings that
    repeat (documents, paths, dates, bodies, cities) are shared: a quarter of a million
    reports hold a few thousand distinct ones, and the packed cache keeps them shared.
    """
    seen: set[tuple] = set()
    shared: dict[Any, Any] = {}
    one = shared.setdefault
    references_of: dict[str, tuple[str, ...]] = {}  # JSON as stored → parsed, once each
    keys_of: dict[str, frozenset[str]] = {}
    reports: list[_Report] = []
    complete = True
    index = 0
    for row in rows:
        (kind, status, date, precision, end_date, body_name, city_name, subject, refs_json,
         outcome, doc, path, page, sentence, feature_refs, body, city, stems, subject_stems,
         mentions) = row
        if feature_refs is None:
            complete = False
            record = tuple(row[:_FEATURES_AT])
            if record in seen:
                continue
            seen.add(record)
        index += 1
        if not include_all and kind != "resolution":
            continue
        references = references_of.get(refs_json)
        if references is None:
            references = references_of[refs_json] = tuple(json.loads(refs_json))
        if feature_refs is None:
            reports.append(_report_of(index, Resolution(
                kind=kind, status=status, date=date, precision=precision, end_date=end_date,
                body=body_name, city=city_name, subject=subject, references=references,
                outcome=outcome, source=Source(one(doc, doc), one(path, path), page, sentence),
            )))
            continue
        refs = keys_of.get(feature_refs)
        if refs is None:
            refs = keys_of[feature_refs] = frozenset(json.loads(feature_refs))
        report = _Report(
            index, one(kind, kind), one(status, status), one(date, date),
            one(precision, precision), one(end_date, end_date), one(body_name, body_name),
            one(city_name, city_name), subject, references, one(outcome, outcome),
            one(doc, doc), one(path, path), page, sentence, refs, one(body, body),
            one(city, city), stems, subject_stems,
        )
        if mentions != "[]" and kind != "event":
            named = keys_of.get(mentions)
            if named is None:
                named = keys_of[mentions] = frozenset(json.loads(mentions))
            report.mentions = named
        reports.append(report)
    return reports, complete
