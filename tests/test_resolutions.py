"""Resolution finding on real sentence forms, with hand-built mentions (no tagger needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archiv.models import DocumentFacts, Mention, PageText, Resolution
from archiv.tag.resolutions import find_resolutions, parse_outcome, split_sentences

SEEDS = Path("/work/shared/seeds")


def mark(text: str, *specs: tuple, page: int = 1) -> list[Mention]:
    """Mentions for the printed phrases in ``specs``: (label, phrase, value, extra fields)."""
    out = []
    for spec in specs:
        label, phrase, value, *rest = spec
        extra = rest[0] if rest else {}
        start = text.index(phrase)
        out.append(
            Mention(
                label=label,
                text=phrase,
                value=value,
                page=page,
                start=start,
                end=start + len(phrase),
                **extra,
            )
        )
    return out


def find(text: str, *specs: tuple, facts: DocumentFacts | None = None) -> list[Resolution]:
    pages = [PageText(1, text)]
    return find_resolutions(
        pages,
        mark(text, *specs),
        facts or DocumentFacts(),
        document_id="doc",
        path="/archiv/doc.pdf",
    )


def only(records: list[Resolution], kind: str = "resolution") -> Resolution:
    hits = [r for r in records if r.kind == kind]
    assert len(hits) == 1, records
    return hits[0]


DAY = {"precision": "day"}
MONTH = {"precision": "month"}

BIELEFELD = (
    "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt der Stadt Bielefeld\n\n"
    "zum Städtenetzwerk „Regiopolregionen für Deutschland“ und der Unterzeichnung der zwischen den\n\n"
    "Gründer-Regiopolen Bielefeld, Erfurt, Paderborn, Rostock, Siegen und Trier vereinbarten\n\n"
    "Interkommunalen Vereinbarung zu (siehe DS-Nr. 1045/2014-2020). Die (Ober)Bürgermeister der\n\n"
)


def test_council_agreed_in_its_meeting() -> None:
    r = only(
        find(
            BIELEFELD,
            ("body", "Rat der Stadt Bielefeld", "Rat der Stadt Bielefeld", {"kind": "rat"}),
            ("date", "12.03.2015", "2015-03-12", {**DAY, "role": "decision"}),
            ("reference", "DS-Nr. 1045/2014-2020", "1045/2014-2020", {"kind": "drucksache"}),
        )
    )
    assert (r.status, r.date, r.precision) == ("decided", "2015-03-12", "day")
    assert (r.body, r.city, r.references) == (
        "Rat der Stadt Bielefeld",
        "Bielefeld",
        ("1045/2014-2020",),
    )
    # the second object loses its article like the first; the participial insert is dropped
    assert r.subject == (
        "Beitritt der Stadt Bielefeld zum Städtenetzwerk „Regiopolregionen für Deutschland“ "
        "und Unterzeichnung der Interkommunalen Vereinbarung"
    )
    assert r.source.text.startswith("Der Rat der Stadt Bielefeld stimmte")
    assert r.source.text.endswith("(siehe DS-Nr. 1045/2014-2020).")
    assert "\n" not in r.source.text and (r.source.page, r.source.path) == (1, "/archiv/doc.pdf")


def test_ratsbeschluss_line_of_a_slide() -> None:
    text = "- Akquirierung von Fördermitteln\n\nRatsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)\n\nRegiopole Netzwerk"
    r = only(
        find(
            text,
            ("date", "Februar 2015", "2015-02", {**MONTH, "role": "decision"}),
            ("reference", "Vorlage 0002/15", "0002/15"),
            facts=DocumentFacts(municipality="Paderborn"),
        )
    )
    assert (r.status, r.date, r.precision, r.body, r.city) == (
        "decided",
        "2015-02",
        "month",
        "Rat",
        "Paderborn",
    )
    assert (r.subject, r.references) == ("Beitritt zum Netzwerk", ("0002/15",))
    assert r.source.text == "Ratsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)"


def test_network_body_decides_unanimously_in_berlin() -> None:
    text = (
        "die Grundlage für die weitere Zusammenarbeit bilden. In der\n\n"
        "Sitzung des Lenkungausschusses des Netzwerks am 19.09.23 in Berlin wurde die aktualisierte Fassung\n\n"
        "einstimmig beschlossen. Auf dieser Basis sollen die Ziele konkretisiert werden."
    )
    r = only(
        find(
            text,
            ("body", "Lenkungausschusses", "Lenkungsausschuss", {"kind": "ausschuss"}),
            ("date", "19.09.23", "2023-09-19", {**DAY, "role": "decision"}),
            ("place", "Berlin", "Berlin"),
            facts=DocumentFacts(
                municipality="Bielefeld",
                doc_type="mitteilung",
                title="Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks",
            ),
        )
    )
    assert (r.status, r.outcome, r.date) == ("decided", "einstimmig", "2023-09-19")
    assert r.body == "Lenkungsausschuss des Netzwerks"
    assert r.city == "Berlin"  # the network's body: the meeting place, never Bielefeld
    assert r.subject == (
        "aktualisierte Fassung der Interkommunalen Vereinbarung des Deutschen RegioPole-Netzwerks"
    )


@pytest.mark.parametrize(
    ("sentence", "status", "subject"),
    [
        pytest.param(
            "Der Rat beschließt am 05.06.2023 den Beitritt zum Zweckverband.",
            "decided",
            "Beitritt zum Zweckverband",
            id="beschliesst",
        ),
        pytest.param(
            "Der Rat hat am 05.06.2023 den Bebauungsplan Nr. 12 beschlossen.",
            "decided",
            "Bebauungsplan Nr. 12",
            id="hat-beschlossen",
        ),
        pytest.param(
            "Der Ausschuss empfiehlt dem Rat am 05.06.2023, den Beitritt zum Zweckverband zu beschließen.",
            "recommended",
            "Beitritt zum Zweckverband",
            id="empfiehlt",
        ),
        pytest.param(
            "Der Bericht zur Haushaltslage wurde am 05.06.2023 vom Rat zur Kenntnis genommen.",
            "noted",
            "Bericht zur Haushaltslage",
            id="kenntnis",
        ),
        pytest.param(
            "Die Beratung über den Radverkehrsplan wurde am 05.06.2023 vom Rat vertagt.",
            "postponed",
            "Beratung über den Radverkehrsplan",
            id="vertagt",
        ),
        pytest.param(
            "Der Antrag auf Umbenennung der Schulstraße wurde am 05.06.2023 im Rat abgelehnt.",
            "rejected",
            "Antrag auf Umbenennung der Schulstraße",
            id="abgelehnt",
        ),
        pytest.param(
            "Die Vorlage zum Parkraumkonzept wurde am 05.06.2023 vom Rat in den Ausschuss für Umwelt verwiesen.",
            "referred",
            "Vorlage zum Parkraumkonzept",
            id="verwiesen",
        ),
    ],
)
def test_status_forms(sentence: str, status: str, subject: str) -> None:
    r = only(
        find(
            sentence,
            ("date", "05.06.2023", "2023-06-05", {**DAY, "role": "event"}),
            facts=DocumentFacts(municipality="Musterstadt", doc_type="mitteilung"),
        )
    )
    assert (r.kind, r.status, r.date, r.city) == ("resolution", status, "2023-06-05", "Musterstadt")
    assert r.subject.startswith(subject), r.subject
    assert r.body in {"Rat", "Ausschuss"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "mit 25 Ja-Stimmen, 3 Nein-Stimmen bei 2 Enthaltungen",
            "25 Ja, 3 Nein, 2 Enthaltungen",
            id="stimmen",
        ),
        pytest.param(
            "mit 25 Ja-, 3 Nein-Stimmen bei 2 Enthaltungen",
            "25 Ja, 3 Nein, 2 Enthaltungen",
            id="suspended",
        ),
        pytest.param("einstimmig beschlossen", "einstimmig", id="einstimmig"),
        pytest.param(
            "einstimmig bei 2 Enthaltungen", "einstimmig, 2 Enthaltungen", id="einstimmig-enth"
        ),
        pytest.param("mehrheitlich beschlossen", "mehrheitlich", id="mehrheitlich"),
        pytest.param("bei einer Enthaltung angenommen", "1 Enthaltung", id="one-abstention"),
        pytest.param(
            "mit 30 Ja-Stimmen, 5 Nein-Stimmen, 2 Enthaltungen",
            "30 Ja, 5 Nein, 2 Enthaltungen",
            id="commas",
        ),
        pytest.param("Der Rat tagte am Montag.", None, id="none"),
    ],
)
def test_outcome(text: str, expected: str | None) -> None:
    assert parse_outcome(text) == expected


def test_votes_end_up_in_the_outcome() -> None:
    s = "Der Rat hat am 05.06.2023 mit 25 Ja-, 3 Nein-Stimmen bei 2 Enthaltungen die Satzung beschlossen."
    r = only(find(s, ("date", "05.06.2023", "2023-06-05", DAY)))
    assert r.outcome == "25 Ja, 3 Nein, 2 Enthaltungen"
    assert r.subject == "Satzung"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Beschlussvorschlag:\n\nDer Rat beschließt den Beitritt zum Netzwerk (Vorlage 0002/15).",
            id="section",
        ),
        pytest.param(
            "Der Rat möge am 26.02.2015 beschließen, dem Netzwerk beizutreten (Vorlage 0002/15).",
            id="moege",
        ),
        pytest.param(
            "Am 26.02.2015 soll der Beitritt zum Netzwerk beschlossen werden (Vorlage 0002/15).",
            id="soll",
        ),
        pytest.param(
            "Der Rat wird gebeten, am 26.02.2015 den Beitritt zum Netzwerk zu beschließen (Vorlage 0002/15).",
            id="gebeten",
        ),
        pytest.param(
            "Die Fraktion beantragt, dass der Rat am 26.02.2015 den Beitritt beschließt (Vorlage 0002/15).",
            id="antrag",
        ),
    ],
)
def test_proposals_are_not_resolutions(text: str) -> None:
    specs = [("reference", "Vorlage 0002/15", "0002/15")]
    if "26.02.2015" in text:
        specs.append(("date", "26.02.2015", "2015-02-26", DAY))
    records = find(
        text,
        *specs,
        facts=DocumentFacts(
            doc_type="beschlussvorlage",
            date="2015-02-10",
            date_precision="day",
            municipality="Paderborn",
        ),
    )
    assert [r.kind for r in records] == ["proposal"]
    assert records[0].status is None and records[0].references == ("0002/15",)


def test_present_tense_in_a_vorlage_is_a_proposal() -> None:
    text = "Der Rat beschließt den Beitritt zum Netzwerk (Vorlage 0002/15)."
    records = find(
        text,
        ("reference", "Vorlage 0002/15", "0002/15"),
        facts=DocumentFacts(doc_type="beschlussvorlage"),
    )
    assert [(r.kind, r.status) for r in records] == [("proposal", None)]


MINUTES = """Niederschrift über die 12. Sitzung des Rates der Stadt Musterstadt

TOP 5 Bebauungsplan Nr. 12 „Am Hang“, Vorlage 0815/2023

Herr Meier erläutert die Planung. Frau Schulz fragt nach dem Verkehr.

Beschluss:

Der Rat der Stadt Musterstadt beschließt den Bebauungsplan Nr. 12 „Am Hang“ als Satzung.

Abstimmungsergebnis: 30 Ja-Stimmen, 5 Nein-Stimmen, 2 Enthaltungen

TOP 6 Radverkehrskonzept, Vorlage 0816/2023

Beschluss: Die Angelegenheit wird vertagt.
"""


def test_minutes_beschluss_blocks_take_the_meeting_date() -> None:
    records = find(
        MINUTES,
        ("body", "Rates der Stadt Musterstadt", "Rat der Stadt Musterstadt", {"kind": "rat"}),
        ("reference", "Vorlage 0815/2023", "0815/2023"),
        ("reference", "Vorlage 0816/2023", "0816/2023"),
        facts=DocumentFacts(
            doc_type="niederschrift",
            date="2023-06-05",
            date_precision="day",
            municipality="Musterstadt",
        ),
    )
    resolutions = [r for r in records if r.kind == "resolution"]
    assert [(r.status, r.date, r.references) for r in resolutions] == [
        ("decided", "2023-06-05", ("0815/2023",)),
        ("postponed", "2023-06-05", ("0816/2023",)),
    ]
    first, second = resolutions
    assert first.outcome == "30 Ja, 5 Nein, 2 Enthaltungen"
    assert first.subject.startswith("Bebauungsplan Nr. 12 „Am Hang“")
    assert (first.city, second.city) == ("Musterstadt", "Musterstadt")
    assert second.subject.startswith("Radverkehrskonzept")


EVENTS = [
    pytest.param(
        "Die (Ober)Bürgermeister der Gründer-RegioPolen des Netzwerks unterzeichneten daraufhin am 16.03.2016 im "
        "Berliner Jakob-Kaiser-Haus des Deutschen Bundestages eine zwischen den damaligen Gründungsmitgleidern "
        "vereinbarte Interkommunale Vereinbarung als Zeichen der zukünftigen Zusammenarbeit.",
        ("date", "16.03.2016", "2016-03-16", {**DAY, "role": "event"}),
        ("2016-03-16", None, "Unterzeichnung der Interkommunalen Vereinbarung"),
        id="signing",
    ),
    pytest.param(
        "Gründung des Deutschen RegioPole-Netzwerks in Berlin unter Beteiligung der Bundestagsabgeordneten im März 2016.",
        ("date", "März 2016", "2016-03", {**MONTH, "role": "event"}),
        ("2016-03", None, "Gründung des Deutschen RegioPole-Netzwerks in Berlin"),
        id="founding",
    ),
    pytest.param(
        "Grundlage Zuwendungsbescheid vom 09.03.2020",
        ("date", "09.03.2020", "2020-03-09", {**DAY, "role": "event"}),
        ("2020-03-09", None, "Zuwendungsbescheid"),
        id="bescheid",
    ),
    pytest.param(
        "Mitteilung\n\nfür den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss am 25.10.2023\n\nThema:",
        ("date", "25.10.2023", "2023-10-25", {**DAY, "role": "meeting"}),
        (
            "2023-10-25",
            None,
            "Mitteilung für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
        ),
        id="meeting",
    ),
]


@pytest.mark.parametrize(("text", "spec", "expected"), EVENTS)
def test_dated_happenings_are_events(text: str, spec: tuple, expected: tuple) -> None:
    r = only(find(text, spec, facts=DocumentFacts(municipality="Bielefeld")), kind="event")
    assert (r.date, r.status, r.subject) == expected
    assert r.precision == spec[3]["precision"]
    assert not [x for x in find(text, spec) if x.kind != "event"]


def test_project_period_and_deadline() -> None:
    text = "Zeitplan\n\n01.01.2021 – 31.12.2022, längstens jedoch bis zum 31.08.2023\n\nAnalyse"
    records = find(
        text,
        (
            "date",
            "01.01.2021 – 31.12.2022",
            "2021-01-01",
            {**DAY, "end_value": "2022-12-31", "role": "period"},
        ),
        ("date", "31.08.2023", "2023-08-31", DAY),  # no role from the tagger: "bis zum" is enough
    )
    assert [(r.kind, r.date, r.end_date, r.subject) for r in records] == [
        ("event", "2021-01-01", "2022-12-31", "Zeitplan: 01.01.2021 – 31.12.2022"),
        ("event", "2023-08-31", None, "Zeitplan: längstens jedoch bis zum 31.08.2023"),
    ]


def test_deadline_is_not_the_decision_date() -> None:
    s = "Der Rat hat beschlossen, die Maßnahme bis zum 31.12.2024 umzusetzen (Vorlage 0815/2023)."
    r = only(
        find(
            s,
            ("date", "31.12.2024", "2024-12-31", {**DAY, "role": "deadline"}),
            ("reference", "Vorlage 0815/2023", "0815/2023"),
        )
    )
    assert (r.status, r.date) == ("decided", None)


def test_a_reference_is_not_a_date() -> None:
    # A date tagger that mistook "2014-2020" for a period must not date the decision.
    s = "Der Rat stimmte dem Beitritt zu (siehe DS-Nr. 1045/2014-2020)."
    r = only(
        find(
            s,
            ("reference", "DS-Nr. 1045/2014-2020", "1045/2014-2020"),
            ("date", "2014-2020", "2014", {"precision": "year", "end_value": "2020"}),
        )
    )
    assert r.date is None and r.references == ("1045/2014-2020",)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "Gem. § 5 Abs. 2 Nr. 3 der Satzung gilt dies. Der Rat tagt.",
            ["Gem. § 5 Abs. 2 Nr. 3 der Satzung gilt dies.", "Der Rat tagt."],
            id="abbrev",
        ),
        pytest.param(
            "Am 12. März 2015 tagte der Rat, z.B. zum Haushalt. Danach d.h. später nicht.",
            ["Am 12. März 2015 tagte der Rat, z.B. zum Haushalt.", "Danach d.h. später nicht."],
            id="ordinal",
        ),
        pytest.param(
            "Der Rat der Stadt stimmte dem Beitritt der Stadt\n\nzum Netzwerk zu.\n\n- Paderborn war dabei\n\nZiele",
            [
                "Der Rat der Stadt stimmte dem Beitritt der Stadt zum Netzwerk zu.",
                "- Paderborn war dabei",
                "Ziele",
            ],
            id="lines",
        ),
        pytest.param(
            "Im Berliner Jakob-\n\nKaiser-Haus fand die Untersuchungs-\n\nmatrix Platz.",
            ["Im Berliner Jakob-Kaiser-Haus fand die Untersuchungsmatrix Platz."],
            id="hyphen",
        ),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [s.text for s in split_sentences(PageText(1, text))] == sentences


def test_sentence_offsets_point_into_the_page() -> None:
    text = "Thema:\n\nEtwas\n\nDer Rat tagte am 12.03.2015 lange. Danach nicht."
    for s in split_sentences(PageText(3, text)):
        assert s.page == 3
        assert re.sub(r"\s+", " ", text[s.start : s.end]).strip() == s.text
        assert all(text[p] == s.text[i] for i, p in enumerate(s.positions))


# ------------------------------------------------------------------ seeds through the real taggers


def seed_pages(name: str) -> list[PageText]:
    """The Mitteilung is one page; the deck's slides are separated by runs of blank lines."""
    from archiv.extract.clean import clean_page

    raw = (SEEDS / name).read_text(encoding="utf-8")
    parts = re.split(r"\n{4,}", raw) if name.startswith("002_") else [raw]
    return [PageText(i, clean_page(p)) for i, p in enumerate(parts, 1) if p.strip()]


SEED_FILES = ["000_ae2a2a8725a018bf.txt", "002_01726d0f562be5ea.txt"]


@pytest.fixture(scope="module")
def seed_records() -> list[Resolution]:
    if not SEEDS.is_dir():
        pytest.skip("seed texts not available")
    from archiv.tag import tag_pages

    records: list[Resolution] = []
    for name in SEED_FILES:
        pages = seed_pages(name)
        tagged = tag_pages(pages, title=None)
        records += find_resolutions(
            pages, tagged.mentions, tagged.facts, document_id=name[:3], path=str(SEEDS / name)
        )
    return records


def test_seed_chronology(seed_records: list[Resolution]) -> None:
    from archiv.chronology import build_chronology

    entries = build_chronology(seed_records)
    assert [(e.date, e.precision, e.city, e.references) for e in entries] == [
        ("2015-02", "month", "Paderborn", ("0002/15",)),
        ("2015-03-12", "day", "Bielefeld", ("1045/2014-2020",)),
        ("2020-06", "month", "Paderborn", ("0174/20",)),
        ("2023-09-19", "day", "Berlin", ()),
    ]
    assert [e.body for e in entries][:3] == ["Rat", "Rat der Stadt Bielefeld", "Rat"]
    assert entries[3].body == "Lenkungsausschuss des Netzwerks"
    assert entries[1].subject.startswith(
        "Beitritt der Stadt Bielefeld zum Städtenetzwerk „Regiopol"
    )
    assert entries[3].subject.startswith("aktualisierte Fassung der Interkommunalen Vereinbarung")
    assert [e.subject for e in entries][::2] == [
        "Beitritt zum Netzwerk",
        "Beteiligung am Modellvorhaben",
    ]
    assert entries[3].outcome == "einstimmig"
    assert all(e.status == "decided" and len(e.sources) == 1 for e in entries)

    everything = build_chronology(seed_records, include_all=True)
    events = [(e.date, e.end_date, e.precision) for e in everything if e.kind == "event"]
    assert events == [
        ("2016-03-16", None, "day"),
        ("2020-03-09", None, "day"),
        ("2021-01-01", "2022-12-31", "day"),
        ("2023-08-31", None, "day"),
        ("2023-10-25", None, "day"),
    ]
    signing = next(e for e in everything if e.date == "2016-03-16")
    assert sorted(s.document_id for s in signing.sources) == ["000", "002"]
    assert signing.city == "Berlin"  # "in Berlin" (deck) and "im Berliner Jakob-Kaiser-Haus"
    assert not [e for e in everything if e.kind == "proposal"]


# ------------------------------------------------------------- a Niederschrift and a Vorlage, real taggers

NIEDERSCHRIFT = """Stadt Musterstadt
Niederschrift
über die 23. Sitzung des Rates der Stadt Musterstadt
am 05.06.2023 im Ratssaal des Rathauses

Öffentliche Sitzung

TOP 1 Genehmigung der Niederschrift über die Sitzung vom 08.05.2023

Die Niederschrift wird ohne Änderungen genehmigt.

TOP 2 Bebauungsplan Nr. 112 „Am Hang“ – Satzungsbeschluss
Vorlage 0815/2023

Herr Meier (Fachbereich Planung) erläutert die Planung. Die Fraktion der Grünen beantragt, die
Beratung zu vertagen. Der Antrag wird mit 12 Ja-Stimmen, 30 Nein-Stimmen abgelehnt.

Beschluss:
Der Rat der Stadt Musterstadt beschließt den Bebauungsplan Nr. 112 „Am Hang“ gemäß § 10 Abs. 1
BauGB als Satzung.

Abstimmungsergebnis: 30 Ja-Stimmen, 10 Nein-Stimmen, 2 Enthaltungen

TOP 3 Radverkehrskonzept 2030
Vorlage 0816/2023

Beschluss:
Die Angelegenheit wird in den Ausschuss für Umwelt und Klimaschutz verwiesen.

TOP 4 Mitteilungen der Verwaltung

Der Rat nimmt den Bericht zur Haushaltslage (Drucksache 0820/2023) zur Kenntnis.
"""

VORLAGE = """Beschlussvorlage
Drucksache 0815/2023
Datum: 12.05.2023

Beratungsfolge:
Ausschuss für Stadtentwicklung 23.05.2023 Vorberatung
Rat der Stadt Musterstadt 05.06.2023 Entscheidung

Betreff:
Bebauungsplan Nr. 112 „Am Hang“ – Satzungsbeschluss

Beschlussvorschlag:
Der Rat der Stadt Musterstadt beschließt den Bebauungsplan Nr. 112 „Am Hang“ als Satzung.

Sachverhalt:
Der Ausschuss für Stadtentwicklung hat in seiner Sitzung am 14.03.2022 die Aufstellung des
Bebauungsplanes beschlossen (Drucksache 0311/2022). Die öffentliche Auslegung fand vom 01.02.2023
bis 03.03.2023 statt. Der Plan soll am 05.06.2023 beschlossen werden. Die Stellungnahmen sind bis
spätestens 30.04.2023 einzureichen.
"""


def tagged_records(text: str) -> list[Resolution]:
    from archiv.tag import tag_pages

    pages = [PageText(1, text)]
    result = tag_pages(pages, title=None)
    return find_resolutions(pages, result.mentions, result.facts, document_id="x", path="/x.pdf")


def test_minutes_through_the_taggers() -> None:
    records = tagged_records(NIEDERSCHRIFT)
    resolutions = [r for r in records if r.kind == "resolution"]
    assert [(r.status, r.date, r.references, r.outcome) for r in resolutions] == [
        ("decided", "2023-06-05", (), None),
        ("rejected", "2023-06-05", ("0815/2023",), "12 Ja, 30 Nein"),
        ("decided", "2023-06-05", ("0815/2023",), "30 Ja, 10 Nein, 2 Enthaltungen"),
        ("referred", "2023-06-05", ("0816/2023",), None),
        ("noted", "2023-06-05", ("0820/2023",), None),
    ]
    assert [r.subject for r in resolutions] == [
        "Genehmigung der Niederschrift über die Sitzung vom 08.05.2023",
        "Antrag: Beratung zu vertagen",
        "Bebauungsplan Nr. 112 „Am Hang“ – Satzungsbeschluss",  # the TOP names the matter
        "Radverkehrskonzept 2030",
        "Bericht zur Haushaltslage",
    ]
    # referred *to* the Ausschuss: the Rat acted, the committee is only the addressee
    assert all("Rat" in (r.body or "") for r in resolutions)
    assert {r.city for r in resolutions} == {"Musterstadt"}
    assert [r.kind for r in records].count("proposal") == 1  # the motion to postpone


def test_vorlage_through_the_taggers() -> None:
    records = tagged_records(VORLAGE)
    summary = [(r.kind, r.status, r.date, r.end_date, r.references) for r in records]
    assert summary == [
        ("proposal", None, "2023-06-05", None, ("0815/2023",)),  # the Rat's meeting
        ("resolution", "decided", "2022-03-14", None, ("0311/2022",)),
        ("event", None, "2023-02-01", "2023-03-03", ()),
        ("proposal", None, "2023-06-05", None, ()),
        ("event", None, "2023-04-30", None, ()),
    ]
    assert records[0].subject == "Bebauungsplan Nr. 112 „Am Hang“ als Satzung"
    assert (records[1].body or "").startswith("Ausschuss für Stadtentwicklung")
    assert records[1].subject == "Aufstellung des Bebauungsplanes"
    assert records[2].subject == "öffentliche Auslegung"
    assert records[4].subject.startswith("Frist: ")


def test_genitive_ratsbeschluss_is_a_reported_decision() -> None:
    s = "Auf Grundlage des Ratsbeschlusses vom 12.03.2015 (DS-Nr. 1045/2014-2020) wurde die Vereinbarung unterzeichnet."
    r = only(
        find(
            s,
            ("date", "12.03.2015", "2015-03-12", {**DAY, "role": "decision"}),
            ("reference", "DS-Nr. 1045/2014-2020", "1045/2014-2020"),
            facts=DocumentFacts(municipality="Bielefeld", doc_type="beschlussvorlage"),
        )
    )
    assert (r.status, r.date, r.body, r.city, r.references) == (
        "decided",
        "2015-03-12",
        "Rat",
        "Bielefeld",
        ("1045/2014-2020",),
    )


def test_beschluss_block_runs_over_a_page_break() -> None:
    one = "TOP 7 Haushaltssatzung 2024\n\nVorlage 0900/2023\n\nBeschluss:\n\nDer Rat beschließt die Haushaltssatzung"
    two = "2024 in der vorgelegten Fassung.\n\nAbstimmungsergebnis: einstimmig\n\nTOP 8 Anfragen"
    pages = [PageText(1, one), PageText(2, two)]
    mentions = mark(one, ("reference", "Vorlage 0900/2023", "0900/2023"))
    facts = DocumentFacts(doc_type="niederschrift", date="2023-12-14", date_precision="day")
    records = find_resolutions(pages, mentions, facts, document_id="n", path="/n.pdf")
    r = only(records)
    assert (r.date, r.references, r.outcome, r.source.page) == (
        "2023-12-14",
        ("0900/2023",),
        "einstimmig",
        1,
    )
    assert r.subject.startswith("Haushaltssatzung 2024")


# ------------------------------------------------- the fictional corpus (corpus/EXPECTED.md), end to end

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CORPUS_FILES = [
    "beispiel-lemgo-beschlussvorlage-2021-114.pdf",
    "beispiel-lemgo-niederschrift-rat-2021-09-30.pdf",
    "beispiel-lemgo-antrag-fraktion.txt",
    "beispiel-detmold-amtsblatt-zweispaltig.pdf",
]


@pytest.fixture(scope="module")
def corpus_records() -> list[Resolution]:
    missing = [name for name in CORPUS_FILES if not (CORPUS / name).exists()]
    assert not missing, f"corpus files missing (they are committed): {missing}"
    from archiv.extract import extract_file
    from archiv.models import ExtractOptions
    from archiv.tag import tag_pages

    records: list[Resolution] = []
    for name in CORPUS_FILES:
        extracted = extract_file(CORPUS / name, ExtractOptions(ocr="never"))
        tagged = tag_pages(extracted.pages, title=extracted.title)
        records += find_resolutions(
            extracted.pages,
            tagged.mentions,
            tagged.facts,
            document_id=name,
            path=str(CORPUS / name),
        )
    return records


def test_corpus_chronology_matches_expected(corpus_records: list[Resolution]) -> None:
    from archiv.chronology import build_chronology

    entries = build_chronology(corpus_records)
    expected = [  # corpus/EXPECTED.md, "Cross-document chronology", in its order within a day
        ("2015-03-12", "decided", "Lemgo", {"12/2015"}, 2),
        ("2021-06-21", "decided", "Kreis Lippe", {"BV/0123/2021"}, 1),
        ("2021-09-16", "recommended", "Lemgo", {"2021/0833"}, 1),
        ("2021-09-30", "decided", "Lemgo", {"114/2021", "VII/2021/0123"}, 2),
        ("2021-09-30", "decided", "Lemgo", {"2021/0840/3", "VII/2021/0124"}, 1),
        ("2021-09-30", "postponed", "Lemgo", {"2021/0852"}, 2),
        ("2021-09-30", "rejected", "Lemgo", {"17/2021", "VII/2021/0125"}, 1),
        ("2021-09-30", "noted", "Lemgo", {"2021/0811", "VII/2021/0126"}, 1),
        ("2021-09-30", "referred", "Lemgo", {"21/2021", "VII/2021/0127"}, 1),
        ("2021-09-30", "decided", "Lemgo", {"2021/0833", "VII/2021/0128"}, 1),
        ("2024-11-27", "decided", "Detmold", {"24-1095"}, 1),
        ("2024-11-27", "referred", "Detmold", {"34/21-26"}, 1),
        ("2024-11-27", "decided", "Detmold", {"24-1102"}, 1),  # list + Satzung preamble: one
        ("2024-11-27", "noted", "Detmold", {"24-1110"}, 1),
    ]
    got = [
        (e.date, e.status, e.city, set(e.references), len({s.document_id for s in e.sources}))
        for e in entries
    ]
    assert sorted(got, key=repr) == sorted(expected, key=repr)
    assert [e.date for e in entries] == sorted(e.date or "" for e in entries)
    assert not [e for e in entries if e.conflicts]
    by_refs = {frozenset(e.references): e for e in entries}
    assert by_refs[frozenset({"21/2021", "VII/2021/0127"})].subject == (
        "Antrag der Fraktion Grüne Liste: Mehr Stadtgrün in der Altstadt"
    )
    assert (
        by_refs[frozenset({"2021/0840/3", "VII/2021/0124"})].outcome
        == "25 Ja, 3 Nein, 2 Enthaltungen"
    )
    assert by_refs[frozenset({"2021/0811", "VII/2021/0126"})].outcome == "zur Kenntnis genommen"
    assert by_refs[frozenset({"BV/0123/2021"})].body == "Kreistag des Kreises Lippe"


def test_corpus_proposals_are_dated_by_their_meeting(corpus_records: list[Resolution]) -> None:
    proposals = {(r.source.document_id, r.date) for r in corpus_records if r.kind == "proposal"}
    assert ("beispiel-lemgo-beschlussvorlage-2021-114.pdf", "2021-09-30") in proposals
    assert ("beispiel-lemgo-antrag-fraktion.txt", "2021-12-16") in proposals


# ------------------------------------------------------------------------------------ robustness

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_VOCABULARY = (
    "Der Rat beschließt stimmte zu einstimmig Beschluss: Beschlussvorschlag: TOP 3 möge "
    "beschließen wurde abgelehnt vertagt am 12.03.2015 ( ) . , : \n \n\n - 1. Vorlage 0002/15 "
    "Abstimmungsergebnis: mit 25 Ja-Stimmen Enthaltungen Thema: Netzwerk Fassung „ “ Nr. z.B."
)
_WORDS = st.sampled_from(_VOCABULARY.split(" "))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=80), st.data())
def test_any_text_never_breaks_the_finder(words: list[str], data: st.DataObject) -> None:
    text = " ".join(words)
    mentions = []
    for _ in range(data.draw(st.integers(0, 4))):
        if not text:
            break
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        label = data.draw(st.sampled_from(["date", "reference", "body", "place"]))
        value = {"date": "2015-03-12", "reference": "0002/15", "body": "Rat", "place": "Berlin"}[
            label
        ]
        mentions.append(
            Mention(
                label=label,
                text=text[start:end],
                value=value,
                page=1,
                start=start,
                end=end,
                precision="day" if label == "date" else None,
            )
        )
    facts = DocumentFacts(doc_type=data.draw(st.sampled_from([None, "niederschrift", "antrag"])))
    records = find_resolutions([PageText(1, text)], mentions, facts, document_id="f", path="/f")
    for r in records:
        assert r.kind in {"resolution", "proposal", "event"}
        assert len(r.subject) <= 160 and "\x00" not in r.subject and "\x01" not in r.subject
        assert r.source.page == 1 and "\n" not in r.source.text
        assert (r.status is None) == (r.kind != "resolution")


# ------------------------------------------------- issue 4: precise events, subjects as headings

MINUTES_HEAD = (
    "Niederschrift\n"
    "über die 12. Sitzung des Rates der Stadt Lemgo am 30.09.2021\n"
    "Sitzungstag: Donnerstag, 30. September 2021\n"
    "TOP 1 Eröffnung und Feststellung der Beschlussfähigkeit\n"
    "Der Bürgermeister eröffnet die Sitzung und stellt fest, dass mit Einladung vom 17.09.2021\n"
    "ordnungsgemäß eingeladen wurde und der Rat beschlussfähig ist.\n"
)


def test_the_meeting_is_one_event_without_form_fields_or_opening_formula() -> None:
    records = find(
        MINUTES_HEAD,
        ("date", "30.09.2021", "2021-09-30", {**DAY, "role": "meeting"}),
        ("date", "30. September 2021", "2021-09-30", {**DAY, "role": "meeting"}),
        ("date", "17.09.2021", "2021-09-17", {**DAY, "role": "event"}),
        ("body", "Rates der Stadt Lemgo", "Rat der Stadt Lemgo", {"kind": "rat"}),
        facts=DocumentFacts(doc_type="niederschrift", municipality="Lemgo", date="2021-09-30"),
    )
    assert [(r.kind, r.date, r.subject) for r in records] == [
        ("event", "2021-09-30", "12. Sitzung des Rates der Stadt Lemgo")
    ]


def test_each_date_gets_the_clause_it_stands_in() -> None:
    text = (
        "Seit der Einrichtung der Stabsstelle Klimaschutz im Februar 2015 sind 41 von 60 "
        "Maßnahmen begonnen worden; das erste Monitoring wurde im März 2016 vorgelegt."
    )
    records = find(
        text,
        ("date", "Februar 2015", "2015-02", {**MONTH, "role": "event"}),
        ("date", "März 2016", "2016-03", {**MONTH, "role": "event"}),
    )
    assert [(r.kind, r.date, r.subject) for r in records] == [
        ("event", "2015-02", "Einrichtung der Stabsstelle Klimaschutz"),
        ("event", "2016-03", "erstes Monitoring vorgelegt"),
    ]


def test_a_slide_line_after_a_date_is_not_part_of_its_subject() -> None:
    # As pypdfium2 extracts the deck: no blank lines, so the next slide line joins the date line.
    text = (
        "Zeitplan\n01.01.2021 – 31.12.2022, längstens jedoch bis zum 31.08.2023\n"
        "Analyse Entwicklungstrends Ziele ableiten Leitprojekte definieren\n"
    )
    records = find(
        text,
        (
            "date",
            "01.01.2021 – 31.12.2022",
            "2021-01-01",
            {**DAY, "end_value": "2022-12-31", "role": "period"},
        ),
        ("date", "31.08.2023", "2023-08-31", DAY),
    )
    assert [(r.date, r.end_date, r.subject) for r in records] == [
        ("2021-01-01", "2022-12-31", "Zeitplan: 01.01.2021 – 31.12.2022"),
        ("2023-08-31", None, "Zeitplan: längstens jedoch bis zum 31.08.2023"),
    ]


@pytest.mark.parametrize(
    ("text", "dates", "expected"),
    [
        pytest.param(
            "Im Dezember 2019 fand ein erstes Gespräch mit Vertretern der Stadt Kassel statt.",
            [("Dezember 2019", "2019-12", MONTH)],
            [("2019-12", None, "erstes Gespräch mit Vertretern der Stadt Kassel")],
            id="fand-statt",
        ),
        pytest.param(
            "Der Bürgermeister teilt mit, dass die nächste Sitzung des Rates am 16.12.2021 "
            "stattfindet.",
            [("16.12.2021", "2021-12-16", DAY)],
            [("2021-12-16", None, "nächste Sitzung des Rates")],
            id="dass-stattfindet",
        ),
        pytest.param(
            "Die Sitzung des Jugendhilfeausschusses am 11.06.2016 wurde auf Wunsch der "
            "Fraktionen verschoben.",
            [("11.06.2016", "2016-06-11", DAY)],
            [
                (
                    "2016-06-11",
                    None,
                    "Sitzung des Jugendhilfeausschusses auf Wunsch der Fraktionen verschoben",
                )
            ],
            id="passive",
        ),
        pytest.param(
            "Bis Ende 2020 sollen sämtliche Gebäude an das Wärmenetz angeschlossen werden.",
            [("2020", "2020", {"precision": "year"})],
            [("2020", None, "Frist: sämtliche Gebäude an das Wärmenetz angeschlossen")],
            id="bis-ende",
        ),
        pytest.param(
            "Die Öffentlichkeit wurde gemäß § 3 Abs. 2 BauGB in der Zeit vom 01.02.2021 bis "
            "01.03.2021 beteiligt.",
            [("01.02.2021", "2021-02-01", DAY), ("01.03.2021", "2021-03-01", DAY)],
            [("2021-02-01", "2021-03-01", "Öffentlichkeit gemäß § 3 Abs. 2 BauGB beteiligt")],
            id="in-der-zeit-vom-bis",
        ),
        pytest.param(
            "Die Laufzeit des Projekts erstreckt sich vom 01.01.2021 bis zum 31.12.2022, "
            "längstens jedoch bis zum 31.08.2023.",
            [
                ("01.01.2021", "2021-01-01", DAY),
                ("31.12.2022", "2022-12-31", DAY),
                ("31.08.2023", "2023-08-31", DAY),
            ],
            [
                ("2021-01-01", "2022-12-31", "Laufzeit des Projekts"),
                ("2023-08-31", None, "Laufzeit des Projekts: längstens jedoch bis zum 31.08.2023"),
            ],
            id="laufzeit-laengstens",
        ),
        pytest.param(
            "Ein entsprechender Antrag der Fraktion Volt vom 19.08.2023 liegt dem Rat vor.",
            [("19.08.2023", "2023-08-19", DAY)],
            [("2023-08-19", None, "entsprechender Antrag der Fraktion Volt")],
            id="noun-vom-date",
        ),
    ],
)
def test_event_subjects_are_headings_without_holes(
    text: str, dates: list[tuple], expected: list[tuple]
) -> None:
    specs = [("date", phrase, value, {**extra, "role": "event"}) for phrase, value, extra in dates]
    records = find(text, *specs, facts=DocumentFacts(municipality="Musterstadt"))
    assert [(r.kind, r.date, r.end_date, r.subject) for r in records] == [
        ("event", *e) for e in expected
    ]


@pytest.mark.parametrize(
    ("text", "phrase", "value", "extra"),
    [
        pytest.param(
            "TOP 12 Jahresabschluss 2020 der Stadtwerke Lemgo GmbH",
            "2020",
            "2020",
            {"precision": "year"},
            id="agenda-heading",
        ),
        pytest.param(
            "Die Finanzierung ist im Haushaltsplan 2012 unter der Investitionsnummer 6.861 "
            "veranschlagt.",
            "2012",
            "2012",
            {"precision": "year"},
            id="year-names-a-plan",
        ),
        pytest.param(
            "Inhalt: Bekanntmachung der Beschlüsse des Rates vom 27.11.2024 · Satzung zur "
            "Änderung der Friedhofssatzung",
            "27.11.2024",
            "2024-11-27",
            DAY,
            id="list-of-decisions-header",
        ),
        pytest.param(
            "Betreff:\nHaushaltssatzung für das Haushaltsjahr 2013",
            "2013",
            "2013",
            {"precision": "year"},
            id="title-of-the-paper",
        ),
    ],
)
def test_dates_that_date_no_happening_are_not_events(
    text: str, phrase: str, value: str, extra: dict
) -> None:
    records = find(text, ("date", phrase, value, {**extra, "role": "event"}))
    assert not [r for r in records if r.kind == "event"], records


def test_beratungsfolge_line_of_the_deciding_meeting_is_the_proposal_not_an_event() -> None:
    text = (
        "Beratungsfolge:\n"
        "Ausschuss für Umwelt am 14.09.2021 (Vorberatung)\n"
        "Rat der Stadt Lemgo am 30.09.2021 (Entscheidung)\n"
        "Beschlussvorschlag:\n"
        "Der Rat der Stadt Lemgo beschließt den Beitritt zum Radverkehrsnetz Lippe.\n"
    )
    records = find(
        text,
        ("body", "Ausschuss für Umwelt", "Ausschuss für Umwelt", {"kind": "ausschuss"}),
        ("date", "14.09.2021", "2021-09-14", {**DAY, "role": "meeting"}),
        ("body", "Rat der Stadt Lemgo", "Rat der Stadt Lemgo", {"kind": "rat"}),
        ("date", "30.09.2021", "2021-09-30", {**DAY, "role": "meeting"}),
        facts=DocumentFacts(doc_type="beschlussvorlage", municipality="Lemgo"),
    )
    assert [(r.kind, r.date) for r in records] == [
        ("event", "2021-09-14"),
        ("proposal", "2021-09-30"),
    ]
    assert records[1].subject == "Beitritt zum Radverkehrsnetz Lippe"


def test_inkrafttreten_inside_a_beschluss_block_is_an_event() -> None:
    text = (
        "TOP 3 Neufassung der Parkgebührensatzung\n\nBeschluss:\n\n"
        "Der Rat beschließt die Neufassung der Satzung. Die Satzung tritt am 01.01.2022 in Kraft."
    )
    records = find(
        text,
        ("date", "01.01.2022", "2022-01-01", {**DAY, "role": "event"}),
        facts=DocumentFacts(
            doc_type="niederschrift", municipality="Lemgo", date="2021-09-30", date_precision="day"
        ),
    )
    assert [(r.kind, r.date, r.city) for r in records] == [
        ("resolution", "2021-09-30", "Lemgo"),
        ("event", "2022-01-01", "Lemgo"),  # "in Kraft" is no place
    ]
    assert records[1].subject == "Inkrafttreten der Satzung (Neufassung der Parkgebührensatzung)"


@pytest.mark.parametrize(
    ("sentence", "specs", "subject"),
    [
        pytest.param(
            "Der Rat nimmt die von der Verwaltung vorgelegte Übersicht der Sitzungstermine für "
            "das Jahr 2025 zur Kenntnis.",
            [("date", "2025", "2025", {"precision": "year"})],
            "Übersicht der Sitzungstermine für das Jahr 2025",
            id="keeps-a-year-of-the-object",
        ),
        pytest.param(
            "Mit Beschluss Nr. 12/2015 vom 12.03.2015 hat der Rat der Stadt Lemgo das Integrierte "
            "Klimaschutzkonzept beschlossen.",
            [
                ("reference", "Beschluss Nr. 12/2015", "12/2015", {"kind": "beschluss"}),
                ("date", "12.03.2015", "2015-03-12", {**DAY, "role": "decision"}),
            ],
            "Integriertes Klimaschutzkonzept",
            id="accusative-neuter",
        ),
        pytest.param(
            "Er erinnert daran, dass der Rat bereits am 12. März 2015 mit dem Integrierten "
            "Klimaschutzkonzept (Beschluss Nr. 12/2015) den Ausbau des Alltagsradverkehrs "
            "beschlossen hat.",
            [
                ("date", "12. März 2015", "2015-03-12", {**DAY, "role": "decision"}),
                ("reference", "Beschluss Nr. 12/2015", "12/2015", {"kind": "beschluss"}),
            ],
            "Ausbau des Alltagsradverkehrs mit dem Integrierten Klimaschutzkonzept",
            id="object-before-its-prepositional-phrase",
        ),
        pytest.param(
            "Der Haupt- und Finanzausschuss empfiehlt dem Rat in seiner Sitzung am 16.09.2021 "
            "einstimmig, der überplanmäßigen Aufwendung in Höhe von 180.000 Euro zuzustimmen.",
            [("date", "16.09.2021", "2021-09-16", {**DAY, "role": "decision"})],
            "überplanmäßige Aufwendung in Höhe von 180.000 Euro",
            id="dative-feminine",
        ),
        pytest.param(
            "Der Rat beschließt am 27.11.2024 die nachstehende Satzung zur Änderung der "
            "Friedhofssatzung der Stadt Detmold.",
            [("date", "27.11.2024", "2024-11-27", {**DAY, "role": "decision"})],
            "Satzung zur Änderung der Friedhofssatzung der Stadt Detmold",
            id="no-pointer-words",
        ),
        pytest.param(
            "Der Rat hat am 05.06.2023 die Sanierung des Hallenbades auf der Grundlage der "
            "Vorlage 0815/2023 beschlossen.",
            [
                ("date", "05.06.2023", "2023-06-05", {**DAY, "role": "decision"}),
                ("reference", "Vorlage 0815/2023", "0815/2023", {}),
            ],
            "Sanierung des Hallenbades",
            id="no-dangling-words-of-a-cut-reference",
        ),
    ],
)
def test_decision_subjects_read_as_headings(sentence: str, specs: list, subject: str) -> None:
    records = find(
        sentence, *specs, facts=DocumentFacts(municipality="Lemgo", doc_type="mitteilung")
    )
    assert only(records).subject == subject


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param(
            "Hierzu wird auf die Vorlage 0677/17 verwiesen, in der die Einzelheiten dargestellt sind.",
            id="pointer-to-a-paper",
        ),
        pytest.param(
            "Das Gutachten des Büros Zimmermann & Partner empfiehlt, die Anlage in zwei "
            "Bauabschnitten umzusetzen.",
            id="advice-of-a-consultant",
        ),
    ],
)
def test_sentences_that_only_sound_like_decisions(sentence: str) -> None:
    # In minutes, under an agenda item, where every decision sentence is a record.
    text = f"TOP 5 Sanierung der Sporthalle\n\n{sentence}"
    specs = [("reference", "Vorlage 0677/17", "0677/17")] if "0677/17" in sentence else []
    facts = DocumentFacts(
        doc_type="niederschrift", municipality="Lemgo", date="2021-09-30", date_precision="day"
    )
    assert find(text, *specs, facts=facts) == []
