"""Merging, conflicts, ordering and filters of the chronology (pure, hand-built records)."""

from __future__ import annotations

import pytest

from archiv.chronology import (
    SAME_PAGE_JOINER,
    build_chronology,
    dates_compatible,
    filter_chronology,
    normalize_reference,
)
from archiv.models import ChronologyEntry, Resolution, Source

BIELEFELD = "/seeds/bielefeld-mitteilung.pdf"
PADERBORN = "/seeds/paderborn-praesentation.pdf"


def res(
    date: str | None,
    *,
    kind: str = "resolution",
    status: str | None = "decided",
    body: str | None = "Rat",
    city: str | None = "Paderborn",
    subject: str = "Beitritt zum Netzwerk",
    refs: tuple[str, ...] = (),
    doc: str = "d1",
    path: str = PADERBORN,
    page: int = 1,
    text: str | None = None,
    end_date: str | None = None,
    outcome: str | None = None,
) -> Resolution:
    precision = {4: "year", 7: "month", 10: "day"}[len(date)] if date else None
    return Resolution(
        kind=kind,
        status=status if kind == "resolution" else None,
        date=date,  # type: ignore[arg-type]
        precision=precision,
        end_date=end_date,
        body=body,
        city=city,
        subject=subject,  # type: ignore[arg-type]
        references=refs,
        outcome=outcome,
        source=Source(doc, path, page, text or f"{subject} ({date})"),
    )


SIGNING = res(
    "2016-03-16",
    kind="event",
    body=None,
    city="Berlin",
    doc="bi",
    path=BIELEFELD,
    subject="Unterzeichnung der Interkommunalen Vereinbarung",
    text="Die (Ober)Bürgermeister der Gründer-RegioPolen des Netzwerks unterzeichneten daraufhin am "
    "16.03.2016 im Berliner Jakob-Kaiser-Haus des Deutschen Bundestages eine zwischen den damaligen "
    "Gründungsmitgleidern vereinbarte Interkommunale Vereinbarung als Zeichen der zukünftigen Zusammenarbeit.",
)
FOUNDING = res(
    "2016-03",
    kind="event",
    body=None,
    city="Paderborn",
    doc="pb",
    path=PADERBORN,
    subject="Gründung des Deutschen RegioPole-Netzwerks in Berlin",
    text="Gründung des Deutschen RegioPole-Netzwerks in Berlin unter Beteiligung der "
    "Bundestagsabgeordneten und dem Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR) im März 2016.",
)


def test_same_event_from_two_documents_is_one_entry() -> None:
    entries = build_chronology([FOUNDING, SIGNING], include_all=True)
    assert len(entries) == 1
    (entry,) = entries
    assert (entry.date, entry.precision, entry.kind) == ("2016-03-16", "day", "event")
    assert [s.document_id for s in entry.sources] == ["pb", "bi"]
    assert entry.city == "Berlin"  # from the most precise report
    assert entry.conflicts == ()


def test_one_source_per_page() -> None:
    """An Amtsblatt lists a Satzung and prints it again with its preamble, on one page."""
    listed = res(
        "2024-11-27",
        city="Detmold",
        refs=("24-1102",),
        doc="amtsblatt",
        subject="Satzung zur Änderung der Friedhofssatzung der Stadt Detmold",
        text="Der Rat beschließt die nachstehende Satzung zur Änderung der Friedhofssatzung.",
    )
    printed = res(
        "2024-11-27",
        city="Detmold",
        refs=("24-1102",),
        doc="amtsblatt",
        subject="Satzung zur Änderung der Friedhofssatzung der Stadt Detmold",
        text="… hat der Rat der Stadt Detmold in seiner Sitzung am 27.11.2024 folgende Satzung beschlossen:",
    )
    other_page = res("2024-11-27", city="Detmold", refs=("24-1102",), doc="amtsblatt", page=2)
    (entry,) = build_chronology([listed, printed, listed, other_page])
    assert [(s.document_id, s.page) for s in entry.sources] == [("amtsblatt", 1), ("amtsblatt", 2)]
    assert entry.sources[0].text == SAME_PAGE_JOINER.join([listed.source.text, printed.source.text])


def test_events_only_with_include_all() -> None:
    assert build_chronology([FOUNDING, SIGNING]) == []


def test_unrelated_events_in_the_same_month_stay_apart() -> None:
    other = res(
        "2016-03-20",
        kind="event",
        body=None,
        subject="Eröffnung der Stadtbibliothek",
        text="Am 20.03.2016 wurde die neue Stadtbibliothek am Marktplatz eröffnet.",
    )
    entries = build_chronology([SIGNING, other, FOUNDING], include_all=True)
    assert [(e.date, len(e.sources)) for e in entries] == [("2016-03-16", 2), ("2016-03-20", 1)]


def test_month_never_glues_two_different_days() -> None:
    a = res("2015-03-12", refs=("1045/2014-2020",), doc="a")
    b = res("2015-03-26", refs=("1045/2014-2020",), doc="b")
    vague = res("2015-03", refs=("1045/2014-2020",), doc="c")
    entries = build_chronology([vague, a, b])
    assert sorted(len(e.sources) for e in entries) == [1, 2]
    assert all(e.date in {"2015-03-12", "2015-03-26"} for e in entries)


def test_same_reference_merges_and_takes_the_most_precise_date() -> None:
    minutes = res(
        "2015-03-12",
        body="Rat der Stadt Bielefeld",
        city="Bielefeld",
        refs=("1045/2014-2020",),
        doc="minutes",
        outcome="einstimmig",
        subject="Beitritt zum Städtenetzwerk",
    )
    mitteilung = res(
        "2015-03",
        body="Rat",
        city="Bielefeld",
        refs=("DS-Nr. 1045/2014-2020",),
        doc="mitteilung",
        subject="Beitritt der Stadt Bielefeld",
    )
    (entry,) = build_chronology([mitteilung, minutes])
    assert (entry.date, entry.precision, entry.body, entry.outcome) == (
        "2015-03-12",
        "day",
        "Rat der Stadt Bielefeld",
        "einstimmig",
    )
    assert [s.document_id for s in entry.sources] == ["mitteilung", "minutes"]


def test_conflicting_dates_for_one_reference() -> None:
    a = res(
        "2015-03-12",
        body="Rat der Stadt Bielefeld",
        city="Bielefeld",
        refs=("1045/2014-2020",),
        doc="a",
        path="/docs/a.pdf",
    )
    b = res(
        "2015-03-19",
        body="Rat der Stadt Bielefeld",
        city="Bielefeld",
        refs=("1045/2014-2020",),
        doc="b",
        path="/docs/b.pdf",
        page=2,
    )
    first, second = build_chronology([b, a])
    assert (first.date, second.date) == ("2015-03-12", "2015-03-19")
    assert first.conflicts == ("DS 1045/2014-2020: 2015-03-19 in /docs/b.pdf p.2",)
    assert second.conflicts == ("DS 1045/2014-2020: 2015-03-12 in /docs/a.pdf p.1",)


def test_recommendation_and_decision_on_one_vorlage_are_not_a_conflict() -> None:
    rec = res(
        "2023-05-10", status="recommended", body="Haupt- und Finanzausschuss", refs=("0815/2023",)
    )
    dec = res("2023-06-05", status="decided", body="Rat", refs=("0815/2023",))
    entries = build_chronology([dec, rec])
    assert [(e.date, e.status, e.conflicts) for e in entries] == [
        ("2023-05-10", "recommended", ()),
        ("2023-06-05", "decided", ()),
    ]


def test_different_references_never_merge() -> None:
    a = res("2020-06", refs=("0174/20",), subject="Beteiligung am Modellvorhaben")
    b = res("2020-06", refs=("0175/20",), subject="Beteiligung am Modellvorhaben Digitales")
    assert len(build_chronology([a, b])) == 2


def test_same_decision_in_two_cities_stays_apart() -> None:
    a = res("2015-03", city="Paderborn", subject="Beitritt zum RegioPole Netzwerk der Regiopolen")
    b = res(
        "2015-03-12", city="Bielefeld", subject="Beitritt zum RegioPole Netzwerk der Regiopolen"
    )
    assert len(build_chronology([a, b])) == 2


def test_order_oldest_first_coarse_before_fine_undated_last() -> None:
    items = [
        res(None, subject="undatiert", refs=("1/20",)),
        res("2016-03-16", subject="Tag", refs=("2/20",)),
        res("2015-02", subject="Monat", refs=("3/20",)),
        res("2015", subject="Jahr", refs=("4/20",)),
        res("2015-02-10", subject="Tag im Monat", refs=("5/20",)),
    ]
    assert [e.subject for e in build_chronology(items)] == [
        "Jahr",
        "Monat",
        "Tag im Monat",
        "Tag",
        "undatiert",
    ]


def test_proposals_are_left_out_by_default() -> None:
    proposal = res("2015-02-10", kind="proposal", refs=("0002/15",))
    decision = res("2015-02", refs=("0002/15",))
    assert [e.kind for e in build_chronology([proposal, decision])] == ["resolution"]
    assert sorted(e.kind for e in build_chronology([proposal, decision], include_all=True)) == [
        "proposal",
        "resolution",
    ]


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [
        ("2016-03", "2016-03-16", True),
        ("2016", "2016-03-16", True),
        ("2016-03-16", "2016-03-17", False),
        ("2016-03", "2016-04", False),
        (None, "2016", True),
    ],
)
def test_dates_compatible(a: str | None, b: str, compatible: bool) -> None:
    assert dates_compatible(a, b) is compatible


@pytest.mark.parametrize(
    ("printed", "normal"),
    [
        ("DS-Nr. 1045/2014-2020", "1045/2014-2020"),
        ("Vorlage 0002/15", "0002/15"),
        ("bv/0123/2021", "BV/0123/2021"),
        ("Drs. 18/4711", "18/4711"),
        ("0174/20", "0174/20"),
    ],
)
def test_normalize_reference(printed: str, normal: str) -> None:
    assert normalize_reference(printed) == normal


GOLD_RECORDS = [
        res(
            "2015-02",
            refs=("0002/15",),
            doc="pb",
            text="Ratsbeschluss Februar 2015: Beitritt zum Netzwerk",
        ),
        res(
            "2015-03-12",
            body="Rat der Stadt Bielefeld",
            city="Bielefeld",
            refs=("1045/2014-2020",),
            doc="bi",
            path=BIELEFELD,
        ),
        SIGNING,
        FOUNDING,
        res("2020-06", refs=("0174/20",), doc="pb", subject="Beteiligung am Modellvorhaben"),
        res(
            "2021-01-01",
            kind="event",
            end_date="2022-12-31",
            body=None,
            subject="Zeitplan",
            doc="pb",
        ),
        res(
            "2023-09-19",
            body="Lenkungsausschuss des Netzwerks",
            city="Berlin",
            doc="bi",
            path=BIELEFELD,
            subject="aktualisierte Fassung",
            outcome="einstimmig",
        ),
]
GOLD = build_chronology(GOLD_RECORDS, include_all=True)


@pytest.mark.parametrize(
    ("filters", "dates"),
    [
        pytest.param(
            {"date_from": "2015", "date_to": "2016"},
            ["2015-02", "2015-03-12", "2016-03-16"],
            id="years",
        ),
        pytest.param(
            {"date_from": "2015-03"},
            ["2015-03-12", "2016-03-16", "2020-06", "2021-01-01", "2023-09-19"],
            id="from-month",
        ),
        pytest.param(
            {"date_from": "2022-06"}, ["2021-01-01", "2023-09-19"], id="period-by-its-end"
        ),
        pytest.param({"date_to": "2015-02-20"}, ["2015-02"], id="to-day-keeps-month"),
        pytest.param({"city": "bielefeld"}, ["2015-03-12"], id="city"),
        pytest.param({"city": "Paderborn", "body": "rat"}, ["2015-02", "2020-06"], id="city-body"),
        pytest.param({"body": "LENKUNGSAUSSCHUSS"}, ["2023-09-19"], id="body-case"),
        pytest.param({"ref": "Vorlage 0174/20"}, ["2020-06"], id="ref-printed"),
        pytest.param({"ref": "1045/2014-2020"}, ["2015-03-12"], id="ref"),
        pytest.param(
            {"document_ids": {"bi"}}, ["2015-03-12", "2016-03-16", "2023-09-19"], id="documents"
        ),
        pytest.param({"text": "jakob-kaiser"}, ["2016-03-16"], id="text"),
        pytest.param({"text": "Gruendung"}, ["2016-03-16"], id="text-umlaut"),
        pytest.param(
            {},
            ["2015-02", "2015-03-12", "2016-03-16", "2020-06", "2021-01-01", "2023-09-19"],
            id="none",
        ),
    ],
)
def test_filters(filters: dict, dates: list[str]) -> None:
    assert [e.date for e in filter_chronology(GOLD, **filters)] == dates


def test_city_filter_folds_umlauts() -> None:
    entry = res("2020-01-01", city="Würzburg", refs=("9/20",))
    entries = build_chronology([entry])
    assert filter_chronology(entries, city="wuerzburg") == entries
    assert filter_chronology(entries, city="WÜRZ") == entries
    assert filter_chronology(entries, city="Bielefeld") == []


# ------------------------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_dates = st.one_of(
    st.none(),
    st.sampled_from(
        ["2015", "2015-02", "2015-02-10", "2015-02-11", "2015-03", "2016-03-16", "2016-03"]
    ),
)
_records = st.builds(
    lambda date, kind, body, city, subject, refs, doc, n: res(
        date,
        kind=kind,
        body=body,
        city=city,
        subject=subject,
        refs=refs,
        doc=doc,
        # one sentence per record; equal records (same n) are the same report read twice
        text=f"{subject} {doc} {date} {kind} {body} {city} {refs} {n}",
    ),
    _dates,
    st.sampled_from(["resolution", "event", "proposal"]),
    st.sampled_from([None, "Rat", "Rat der Stadt Bielefeld", "Ausschuss für Umwelt"]),
    st.sampled_from([None, "Bielefeld", "Paderborn"]),
    st.sampled_from(
        [
            "Beitritt zum Netzwerk der Regiopolen",
            "Haushaltssatzung 2016 beschlossen",
            "Gründung des Netzwerks der Regiopolen in Berlin",
        ]
    ),
    st.sampled_from([(), ("0002/15",), ("1045/2014-2020",), ("Vorlage 0002/15",)]),
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(0, 1),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_records, max_size=12))
def test_chronology_properties(records: list[Resolution]) -> None:
    entries = build_chronology(records, include_all=True)
    keys = [(e.date is None, e.date or "") for e in entries]
    assert keys == sorted(keys)  # oldest first, undated last
    # every distinct report lands in an entry of its kind; identical reports count once; an
    # entry names each document page once, with the sentences of the reports it merged there
    pairs = [(e.kind, s) for e in entries for s in e.sources]
    assert len(pairs) <= len(set(records))

    def cites(e: ChronologyEntry, r: Resolution) -> bool:
        return e.kind == r.kind and any(
            (s.document_id, s.page) == (r.source.document_id, r.source.page)
            and r.source.text in s.text.split(SAME_PAGE_JOINER)
            for s in e.sources
        )

    assert all(any(cites(e, r) for e in entries) for r in records)
    for e in entries:
        pages = [(s.document_id, s.page) for s in e.sources]
        assert len(pages) == len(set(pages))
        members = [r for r in records if cites(e, r)]  # never contradict the entry's date
        assert all(dates_compatible(e.date, r.date) for r in members)
        assert {r.kind for r in members} == {e.kind}
    # conflicts come in pairs: each names a dated entry that names this one back
    for e in entries:
        for note in e.conflicts:
            other_date = note.split(": ", 1)[1].split(" in ", 1)[0]
            others = [o for o in entries if o.date == other_date and o is not e]
            assert any(f": {e.date} in " in n for o in others for n in o.conflicts), note
            assert not dates_compatible(e.date, other_date)
    assert build_chronology(records, include_all=True) == entries  # deterministic
    assert filter_chronology(entries) == entries
    only_resolutions = build_chronology(records)
    assert all(e.kind == "resolution" for e in only_resolutions)


def test_one_number_in_two_cities_is_two_decisions() -> None:
    paderborn = res("2015-02", city="Paderborn", refs=("0002/15",), doc="pb")
    elsewhere = res("2015-02-26", city="Siegen", refs=("0002/15",), doc="si", subject="Haushalt")
    other_date = res("2016-05-02", city="Siegen", refs=("0002/15",), doc="s2", subject="Haushalt")
    entries = build_chronology([paderborn, elsewhere, other_date])
    assert [(e.date, e.city) for e in entries] == [
        ("2015-02", "Paderborn"),
        ("2015-02-26", "Siegen"),
        ("2016-05-02", "Siegen"),
    ]
    assert not entries[0].conflicts  # Paderborn's 0002/15 is another paper than Siegen's
    assert entries[1].conflicts and entries[2].conflicts


# ------------------------------------------------------------------------------ scale

_TOPICS = [
    "Haushaltssatzung Stellenplan Kämmerei Finanzplanung",
    "Bebauungsplan Gewerbegebiet Erschließung Lärmschutz",
    "Radverkehrskonzept Fahrradstraßen Abstellanlagen Beschilderung",
    "Schulentwicklungsplan Grundschule Ganztag Mensa",
    "Feuerwehrbedarfsplan Gerätehaus Löschfahrzeug Ehrenamt",
    "Friedhofssatzung Grabfelder Urnenwand Gebühren",
    "Klimaschutzkonzept Photovoltaik Dachflächen Wärmeplanung",
    "Jugendparlament Beteiligung Wahlordnung Geschäftsordnung",
    "Wirtschaftsförderung Gründerzentrum Breitband Innenstadtmanagement",
    "Sporthalle Sanierung Hallenboden Umkleiden",
]


def test_twenty_thousand_reports_merge_pairwise() -> None:
    """1,000 towns × 10 decisions, each in the minutes (day, Drucksache) and again in a
    Mitteilung (month, no number, other words around it): exactly the pairs merge. Many towns
    meet on the same day with the same number and subjects, which must all stay apart."""
    records: list[Resolution] = []
    for town in range(1000):
        day = f"2020-{town % 12 + 1:02d}-{town % 28 + 1:02d}"
        for j, topic in enumerate(_TOPICS):
            records.append(
                res(
                    day,
                    body=f"Rat der Stadt Ort{town}",
                    city=f"Ort{town}",
                    subject=topic,
                    refs=(f"Vorlage 10{j}/20",),
                    doc=f"n{town}",
                    path=f"/n{town}.pdf",
                    text=f"Der Rat beschließt: {topic}. Abstimmungsergebnis: einstimmig",
                )
            )
            records.append(
                res(
                    day[:7],
                    body="Rat",
                    city=f"Ort{town}",
                    subject=f"{topic} beschlossen",
                    doc=f"m{town}",
                    path=f"/m{town}.pdf",
                    text=f"Der Rat hat im Monat {topic} beschlossen ({j})",
                )
            )
    entries = build_chronology(records)
    assert len(entries) == 10_000
    for e in entries:
        town = e.city.removeprefix("Ort")  # type: ignore[union-attr]
        assert [s.path for s in e.sources] == [f"/n{town}.pdf", f"/m{town}.pdf"]
        assert e.precision == "day" and e.body == f"Rat der Stadt Ort{town}"
        assert len(e.references) == 1 and e.subject in _TOPICS
        assert all(e.subject in s.text for s in e.sources) and not e.conflicts
    keys = [e.date for e in entries]
    assert keys == sorted(keys)


# ------------------------------------------------------------------------------ indexes vs a full scan

import itertools  # noqa: E402

from archiv import chronology as chron  # noqa: E402
from archiv.analysis import fold  # noqa: E402

_PRECISION = {"day": 0, "month": 1, "year": 2, None: 3}


def _keys(r: Resolution) -> frozenset[str]:
    return frozenset(normalize_reference(x) for x in r.references)


def _same_as_specified(a: Resolution, b: Resolution) -> bool:
    """``_same`` as the module docstring states it, on the records themselves: cities by
    substring of the folded sentences, stems computed here, nothing stored or indexed."""
    if a.kind != b.kind or a.status != b.status:
        return False
    body_a, body_b = chron._body_key(a.body), chron._body_key(b.body)
    if body_a is not None and body_b is not None and body_a != body_b:
        return False
    city_a, city_b = chron.city_key(a.city), chron.city_key(b.city)
    if _keys(a) & _keys(b):
        return dates_compatible(a.date, b.date) and (
            city_a is None or city_b is None or city_a == city_b
        )
    if _keys(a) and _keys(b):
        return False
    if not a.date or not b.date or not dates_compatible(a.date, b.date):
        return False
    if a.kind != "event" and not (
        city_a is None or city_b is None or city_a == city_b
        or city_a in fold(b.source.text) or city_b in fold(a.source.text)
    ):
        return False
    if a.source.document_id == b.source.document_id:
        sa, sb = chron._stems(a.subject), chron._stems(b.subject)
        shared = len(sa & sb)
        return shared >= 2 and shared / (min(len(sa), len(sb)) or 1) >= 0.6
    sa = chron._stems(f"{a.subject} {a.source.text}")
    sb = chron._stems(f"{b.subject} {b.source.text}")
    shared = len(sa & sb)
    return shared >= 3 and shared / (min(len(sa), len(sb)) or 1) >= 0.2


def _full_scan(records: list[Resolution], include_all: bool) -> set[frozenset[int]]:
    """The clusters a scan of every member of every cluster makes, in the documented order
    of preference: same day, month, year (creation order), then clusters a shared reference
    reaches, in the order they took it. No index, no signature, no stored feature."""
    unique = list(dict.fromkeys(records))
    wanted = [(i, r) for i, r in enumerate(unique) if include_all or r.kind == "resolution"]
    clusters: list[dict] = []
    stamps = itertools.count()
    for i, r in sorted(wanted, key=lambda m: (_PRECISION[m[1].precision], m[0])):
        city = chron.city_key(r.city)
        options = []
        for seq, c in enumerate(clusters):
            group = chron._group(r.date, c["date"])
            if group < 3:
                options.append(((group, seq), c))
                continue
            reached = [
                c["took"][ref] for ref in _keys(r) if ref in c["took"] and any(
                    ref in _keys(m)
                    and (city is None or chron.city_key(m.city) in (city, None))
                    for _, m in c["members"]
                )
            ]
            if reached:
                options.append(((3, min(reached)), c))
        target = None
        for _, c in sorted(options, key=lambda o: o[0]):
            if not dates_compatible(c["date"], r.date) or any(
                m.source == r.source for _, m in c["members"]
            ):
                continue
            if any(_same_as_specified(m, r) for _, m in c["members"]):
                target = c
                break
        if target is None:
            target = {"date": r.date, "members": [], "took": {}}
            clusters.append(target)
        target["members"].append((i, r))
        for ref in _keys(r):
            if ref not in target["took"]:
                target["took"][ref] = next(stamps)
    return {frozenset(i for i, _ in c["members"]) for c in clusters}


def _clusters(records: list[Resolution], include_all: bool) -> set[frozenset[int]]:
    reports = chron._reports_of_resolutions(records, include_all)
    return {frozenset(m.index for m in c.members) for c in chron._cluster(reports)}


_WORDS = ["Haushalt", "Radweg", "Schulbau", "Friedhof", "Klimaschutz", "Netzwerk", "Beitritt",
          "Satzung", "Sporthalle", "Bebauungsplan"]
_CITIES = ["Bielefeld", "Paderborn", "Würzburg", "Berlin", None]
_crowded = st.builds(
    lambda date, kind, body, city, words, extra, named, refs, doc, page: res(
        date, kind=kind, body=body, city=city, subject=" ".join(words), refs=refs, doc=doc,
        page=page,
        text=" ".join([*words, *extra]) + (f" im {named}er Rathaus" if named else ""),
    ),
    st.sampled_from([None, "2016", "2016-03", "2016-03-16", "2016-03-17", "2016-04-01"]),
    st.sampled_from(["resolution", "event", "proposal"]),
    st.sampled_from([None, "Rat", "Rat der Stadt Bielefeld", "Ausschuss für Umwelt"]),
    st.sampled_from(_CITIES),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4, unique=True),
    st.lists(st.sampled_from(_WORDS), max_size=3),
    st.sampled_from(_CITIES),
    st.sampled_from([(), ("0002/15",), ("Vorlage 0002/15", "1045/2014-2020")]),
    st.sampled_from(["a", "b", "c", "d", "e", "f"]),
    st.integers(1, 2),
)


@st.composite
def _archives(draw: st.DrawFn) -> list[Resolution]:
    """Crowded days, few words, and the same sentences in several documents: what makes the
    indexes split keys by stem and list one member for many alike ones."""
    records = draw(st.lists(_crowded, max_size=40))
    for r in list(records):
        for doc in draw(st.lists(st.sampled_from(["g", "h", "i", "j"]), max_size=3)):
            records.append(res(r.date, kind=r.kind, body=r.body, city=r.city, subject=r.subject,
                               refs=r.references, doc=doc, page=r.source.page,
                               text=r.source.text))
    return draw(st.permutations(records))


@settings(max_examples=150, deadline=None)
@given(records=_archives(), split=st.sampled_from([1, 4, chron._STEM_SPLIT]))
def test_indexes_find_what_a_full_scan_finds(records: list[Resolution], split: int) -> None:
    """The indexes, stems, signatures and city mentions only skip comparisons that cannot
    succeed: the clusters equal those of comparing every report with every member (also
    when every key of more than one or four members is looked up by stem)."""
    default = chron._STEM_SPLIT
    chron._STEM_SPLIT = split
    try:
        for include_all in (True, False):
            assert _clusters(records, include_all) == _full_scan(records, include_all)
    finally:
        chron._STEM_SPLIT = default


def test_many_events_of_one_day_are_compared_by_stem(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 unrelated events on one day, each in three documents: every one is one entry
    with its three sources, and the day costs comparisons with events sharing words only."""
    compared = 0
    same = chron._same

    def counting(a: chron._Report, b: chron._Report) -> bool:
        nonlocal compared
        compared += 1
        return same(a, b)

    monkeypatch.setattr(chron, "_same", counting)

    def code(n: int) -> str:  # three letters of its own per event: its own stems
        return "".join(chr(ord("a") + n // 26**k % 26) for k in range(3)).capitalize()

    records = [
        res("2016-03-16", kind="event", body=None, city=f"Ort{n % 7}", doc=f"{doc}{n}",
            subject=f"Eröffnung {code(n)}haus {code(n)}platz",
            text=f"Am 16.03.2016 Eröffnung {code(n)}haus {code(n)}platz {code(n)}feier ({doc})")
        for n in range(300) for doc in "xyz"
    ]
    entries = build_chronology(records, include_all=True)
    assert len(entries) == 300 and all(len(e.sources) == 3 for e in entries)
    assert compared < 3 * len(records)  # a full scan of the day: ~400,000


def test_stored_features_version_follows_the_folding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored features are valid only for the folding, stemming and reference keys that made
    them; a change in any of them changes features_version, so writers recompute them."""
    version = chron.features_version()
    assert version.startswith(f"{chron.FEATURES_VERSION}.")
    assert chron.features_version.__wrapped__() == version  # deterministic
    caches = (chron._fold_name, chron._stems, chron._body_key, chron._refs_of)
    for cache in caches:
        cache.cache_clear()
    monkeypatch.setattr(chron, "fold", str.lower)  # umlauts no longer folded
    try:
        assert chron.features_version.__wrapped__() != version
    finally:
        monkeypatch.undo()
        for cache in caches:
            cache.cache_clear()


# ------------------------------------------------------------------------------ packed entries

_FILTERS = st.fixed_dictionaries({}, optional={
    "city": st.sampled_from(["bielefeld", "Paderborn", "WÜRZ", "berlin", "x"]),
    "body": st.sampled_from(["rat", "LENKUNGSAUSSCHUSS", "ausschuss"]),
    "date_from": st.sampled_from(["2015", "2015-03", "2016-03-16", "2022-06"]),
    "date_to": st.sampled_from(["2015-02-20", "2016", "2020-06"]),
    "ref": st.sampled_from(["Vorlage 0174/20", "1045/2014-2020", "0002/15", "9/99"]),
})


@settings(max_examples=100, deadline=None)
@given(filters=_FILTERS, records=st.lists(_crowded, max_size=25))
def test_packed_entries_filter_like_filter_chronology(filters: dict, records: list) -> None:
    for table, entries in [
        (chron.ChronologyTable.from_resolutions(GOLD_RECORDS, include_all=True), GOLD),
        (chron.ChronologyTable.from_resolutions(records, include_all=True),
         build_chronology(records, include_all=True)),
    ]:
        again = chron.ChronologyTable.from_bytes(table.to_bytes())
        assert again.entries() == entries
        assert again.entries(again.select(**filters)) == filter_chronology(entries, **filters)


def test_packed_bytes_of_another_kind_are_refused() -> None:
    with pytest.raises(ValueError):
        chron.ChronologyTable.from_bytes(b"not marshal")
    with pytest.raises(ValueError):
        chron.ChronologyTable.from_bytes(chron.marshal.dumps((99, [])))


def test_unpacked_entries_are_ordinary_entries() -> None:
    """Entries are unpacked through their slots, not their constructor: they must be
    indistinguishable from constructed ones (equal, hashable, frozen, serialised alike)."""
    import dataclasses

    table = chron.ChronologyTable.from_resolutions(GOLD_RECORDS, include_all=True)
    for unpacked in table.entries():
        made = ChronologyEntry(**{f.name: getattr(unpacked, f.name)
                                  for f in dataclasses.fields(ChronologyEntry)})
        assert unpacked == made and hash(unpacked) == hash(made)
        assert unpacked.to_dict() == made.to_dict() and repr(unpacked) == repr(made)
        assert all(type(s) is Source and s == Source(*dataclasses.astuple(s))
                   for s in unpacked.sources)
        with pytest.raises(dataclasses.FrozenInstanceError):
            unpacked.date = "2000"  # type: ignore[misc]
