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


GOLD = build_chronology(
    [
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
    ],
    include_all=True,
)


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
