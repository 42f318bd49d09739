"""The spaCy pipeline and ``tag_pages``: component order, offsets, facts, and the seed documents."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from spacy.language import Language

from archiv.models import Mention, PageText
from archiv.tag import TagResult, _chunks, tag_pages
from archiv.tag.base import add_span
from archiv.tag.facts import header_end, infer_doc_type
from archiv.tag.nlp import build_nlp

SEEDS = Path(
    os.environ.get("ARCHIV_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)
MITTEILUNG = "000_ae2a2a8725a018bf.txt"
DECK = "002_01726d0f562be5ea.txt"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return build_nlp()


def _seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed corpus not found at {SEEDS} (set ARCHIV_SEEDS)")
    return path.read_text(encoding="utf-8")


def _deck_pages() -> list[PageText]:
    """The deck's slides are separated by runs of blank lines in the seed text."""
    slides = [s for s in _seed(DECK).split("\n\n\n\n") if s.strip()]
    return [PageText(number=i, text=s) for i, s in enumerate(slides, start=1)]


def _found(result: TagResult, label: str) -> list[tuple[object, ...]]:
    return [
        (m.page, m.text, m.value, m.precision, m.end_value, m.role)
        for m in result.mentions
        if m.label == label
    ]


def test_pipeline_order(nlp: Language) -> None:
    names = nlp.pipe_names
    assert names[:2] == ["archiv_references", "archiv_dates"]
    assert build_nlp() is nlp  # built once per process
    optional = [n for n in names[2:]]
    assert optional in (
        [],
        ["archiv_places"],
        ["archiv_bodies"],
        ["archiv_places", "archiv_bodies"],
    )


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, archiv.tag, archiv.tag.references; print('spacy' in sys.modules, 'dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_dates_inside_a_reference_are_dropped(nlp: Language) -> None:
    text = "Beschluss vom 12.03.2015 und am 13.03.2015"
    doc = nlp.make_doc(text)
    start = text.index("12.03.2015")
    add_span(doc, "reference", start - 4, start + 10, "X", kind="drucksache")
    doc = nlp.get_pipe("archiv_dates")(doc)
    assert [s._.archiv_value for s in doc.spans["date"]] == ["2015-03-13"]


def test_mention_offsets_point_into_page_text() -> None:
    pages = [
        PageText(1, "Vorlage\nDrucksache Nr. 114/2021\nDatum: 12.03.2021\nBetreff: Test\n"),
        PageText(
            2,
            "Der Rat hat in seiner Sitzung am 12. März\n2015 den Beitritt beschlossen (DS 80/2021).",
        ),
    ]
    result = tag_pages(pages)
    assert result.mentions
    for m in result.mentions:
        assert pages[m.page - 1].text[m.start : m.end] == m.text
        assert isinstance(m, Mention)


def test_chunks_cover_the_text_and_cut_at_lines() -> None:
    text = "".join(f"Zeile {i} am 12.03.2015\n" for i in range(500))
    pieces = list(_chunks(text, 1000))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 1000 for _, p in pieces)
    assert all(text[off : off + len(p)] == p for off, p in pieces)
    assert all(p.endswith("\n") for _, p in pieces[:-1])


def test_long_page_is_tagged_in_chunks(nlp: Language, monkeypatch: pytest.MonkeyPatch) -> None:
    line = "Der Rat tagte am 12.03.2015 (Vorlage 0002/15).\n"
    text = line * 200
    monkeypatch.setattr(nlp, "max_length", 1000)
    result = tag_pages([PageText(1, text)])
    dates = [m for m in result.mentions if m.label == "date"]
    refs = [m for m in result.mentions if m.label == "reference"]
    assert len(dates) == 200 and len(refs) == 200
    assert all(text[m.start : m.end] == m.text for m in result.mentions)


def test_seed_mitteilung() -> None:
    result = tag_pages([PageText(1, _seed(MITTEILUNG))])
    assert _found(result, "date") == [
        (1, "25.10.2023", "2023-10-25", "day", None, "meeting"),
        (1, "12.03.2015", "2015-03-12", "day", None, "decision"),
        (1, "16.03.2016", "2016-03-16", "day", None, "event"),
        (1, "19.09.23", "2023-09-19", "day", None, "decision"),
    ]
    assert _found(result, "reference") == [
        (1, "DS-Nr. 1045/2014-2020", "1045/2014-2020", None, None, "cited")
    ]
    facts = result.facts
    assert (facts.doc_type, facts.date, facts.date_precision) == ("mitteilung", "2023-10-25", "day")
    assert facts.reference is None
    assert facts.title == "Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks"


def test_seed_deck() -> None:
    pages = _deck_pages()
    result = tag_pages(pages)
    dates = _found(result, "date")
    assert (1, "März 2016", "2016-03", "month", None, "event") in dates
    assert (1, "Februar 2015", "2015-02", "month", None, "decision") in dates
    assert (2, "09.03.2020", "2020-03-09", "day", None, "event") in dates
    assert (2, "Juni 2020", "2020-06", "month", None, "decision") in dates
    assert any(d[2:6] == ("2021-01-01", "day", "2022-12-31", "period") for d in dates)
    assert any(d[2:6] == ("2023-08-31", "day", None, "deadline") for d in dates)
    assert len(dates) == 6  # nothing from "05251 -88 16158", "90%", "1,5 Mio.", "719.000"
    refs = [(m.value, m.role) for m in result.mentions if m.label == "reference"]
    assert refs == [("0002/15", "cited"), ("0174/20", "cited")]
    assert result.facts.doc_type == "praesentation"
    assert result.facts.date is None  # only month dates on page 1: no invented day
    assert result.facts.reference is None


def test_relative_dates_resolved_with_document_date() -> None:
    text = (
        "Mitteilung\nfür den Ausschuss für Umwelt am 25.10.2023\nThema: Radwege\n"
        "Mitteilung:\nDie Arbeiten beginnen im September dieses Jahres und enden bis Ende "
        "nächsten Jahres. Im Oktober des Vorjahres wurde geplant."
    )
    result = tag_pages([PageText(1, text)])
    assert result.facts.date == "2023-10-25"
    relative = [
        (m.text, m.value, m.precision, m.role) for m in result.mentions if m.label == "date"
    ][1:]
    assert relative == [
        ("September dieses Jahres", "2023-09", "month", "event"),
        ("Ende nächsten Jahres", "2024", "year", "deadline"),
        ("Oktober des Vorjahres", "2022-10", "month", "event"),
    ]


def test_bare_reference_found_on_another_page() -> None:
    pages = [
        PageText(1, "Beschluss zur Vorlage 0002/15 vom 12.03.2015."),
        PageText(2, "Anlage zu 0002/15; nicht aber 0174/20 oder 1/2."),
    ]
    refs = [
        (m.page, m.text, m.value, m.kind)
        for m in tag_pages(pages).mentions
        if m.label == "reference"
    ]
    assert refs == [
        (1, "Vorlage 0002/15", "0002/15", "drucksache"),
        (2, "0002/15", "0002/15", "drucksache"),
    ]


def test_relative_dates_skipped_without_document_date() -> None:
    result = tag_pages([PageText(1, "Die Arbeiten beginnen im September dieses Jahres.")])
    assert result.facts.date is None
    assert [m for m in result.mentions if m.label == "date"] == []


VORLAGE = (
    "Stadt Paderborn Drucksache Nr. 114/2021\n"
    "Beschlussvorlage\n"
    "Datum: 12.03.2021\n"
    "Beratungsfolge: Rat am 25.03.2021\n"
    "Betreff: Beitritt zum RegioPole-Netzwerk\n"
    "Beschlussvorschlag:\n"
    "Der Rat beschließt den Beitritt (siehe Vorlage 0002/15 und Drucksache Nr. 114/2021)."
)


def test_vorlage_facts() -> None:
    result = tag_pages([PageText(1, VORLAGE)])
    facts = result.facts
    assert facts.doc_type == "beschlussvorlage"
    assert (facts.date, facts.date_precision) == ("2021-03-12", "day")
    assert facts.reference == "114/2021"
    assert facts.title == "Beitritt zum RegioPole-Netzwerk"
    roles = [(m.value, m.role) for m in result.mentions if m.label == "reference"]
    assert roles == [("114/2021", "own"), ("0002/15", "cited"), ("114/2021", "own")]
    dates = [(m.value, m.role) for m in result.mentions if m.label == "date"]
    assert dates == [("2021-03-12", "document"), ("2021-03-25", "event")]


VORLAGE_WITH_AGENDA = (
    "Stadt Lemgo\n"
    "Beschlussvorlage\n"
    "Drucksache Nr. 114/2021\n"
    "Federführung: Fachbereich 61 – Stadtentwicklung, Klima und Mobilität · Az. 61.2-23/2021 · "
    "Rückfragen: Herr Brandt\n"
    "Beratungsfolge:\n"
    "Ausschuss für Umwelt, Klima und Mobilität am 14.09.2021 (Vorberatung)\n"
    "Rat der Stadt Lemgo am 30.09.2021 (Entscheidung)\n"
    "Betreff:\n"
    "Beitritt zum Radverkehrsnetz\n"
    "Sachverhalt:\n"
    "Das Land fördert das Vorhaben für den Förderzeitraum vom 01.03.2021 bis 28.02.2023. "
    "Die Vereinbarung ist bis zum 31.12.2021 zu unterzeichnen.\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(VORLAGE_WITH_AGENDA, "2021-09-14", id="first-meeting-of-beratungsfolge"),
        pytest.param(
            VORLAGE_WITH_AGENDA.replace(
                "Beratungsfolge:\n", "Datum: 02.09.2021\nBeratungsfolge:\n"
            ),
            "2021-09-02",
            id="explicit-datum-wins",
        ),
        pytest.param(
            VORLAGE_WITH_AGENDA.replace("Beratungsfolge:\n", "Beratungsfolge: ").replace(
                " am 14.09.2021 (Vorberatung)\n", " (Vorberatung)\n"
            ),
            "2021-09-30",
            id="agenda-on-the-label-line",
        ),
        pytest.param(
            "Stadt Lemgo\nMitteilung\nSachverhalt:\nDer Förderzeitraum läuft vom 01.03.2021 bis "
            "28.02.2023; Anträge sind bis zum 31.12.2021 zu stellen. Am 12.05.2021 tagte der Rat.",
            "2021-05-12",
            id="period-and-deadline-never-date-the-paper",
        ),
        pytest.param(
            "Stadt Lemgo\nMitteilung\nSachverhalt:\nDer Förderzeitraum läuft vom 01.03.2021 bis "
            "28.02.2023; Anträge sind bis zum 31.12.2021 zu stellen.",
            None,
            id="no-date-rather-than-a-period",
        ),
    ],
)
def test_own_date_of_a_vorlage(text: str, expected: str | None) -> None:
    assert tag_pages([PageText(1, text)]).facts.date == expected


def test_repeats_of_the_own_date_are_the_documents() -> None:
    pages = [
        PageText(1, "Amtsblatt der Stadt Detmold · Nr. 31 · 29.11.2024\nAusgabetag: 29.11.2024\n"),
        PageText(2, "Amtsblatt Nr. 31 · 29.11.2024 Seite 2\nDer Rat tagte am 27.11.2024."),
    ]
    result = tag_pages(pages)
    assert result.facts.date == "2024-11-29"
    dates = [(m.page, m.value, m.role) for m in result.mentions if m.label == "date"]
    assert dates == [
        (1, "2024-11-29", "document"),
        (1, "2024-11-29", "document"),
        (2, "2024-11-29", "document"),
        (2, "2024-11-27", "event"),
    ]


MINUTES_WITH_NUMBERS = (
    "Niederschrift\nüber die 5. Sitzung des Rates am 30.09.2021\n"
    "Tagesordnung:\nTOP 1 Radverkehrsnetz\n"
    "Beschluss-Nr. VII/2021/0123: Der Rat beschließt den Beitritt; "
    "Beschluss-Nr. VI/2019/0042 wird aufgehoben.\n"
)


def test_minutes_own_the_resolution_numbers_of_their_year() -> None:
    result = tag_pages([PageText(1, MINUTES_WITH_NUMBERS)])
    assert result.facts.date == "2021-09-30"
    refs = [(m.value, m.kind, m.role) for m in result.mentions if m.label == "reference"]
    assert refs == [
        ("VII/2021/0123", "beschluss", "own"),
        ("VI/2019/0042", "beschluss", "cited"),
    ]
    antrag = tag_pages(
        [
            PageText(
                1,
                "Antrag\nDer Stadt ist mit Beschluss-Nr. VII/2021/0123 "
                "beigetreten.\nLemgo, 29.11.2021",
            )
        ]
    )
    assert [m.role for m in antrag.mentions if m.label == "reference"] == ["cited"]


def test_niederschrift_date_is_its_meeting() -> None:
    text = (
        "Niederschrift\nüber die 12. Sitzung des Rates der Stadt Paderborn am 12.03.2015\n"
        "Beginn: 17:00 Uhr\nAnwesend:\nHerr A, Frau B\n"
        "TOP 1: Der Rat beschließt einstimmig den Beitritt; Beschluss vom 01.01.2015 aufgehoben."
    )
    facts = tag_pages([PageText(1, text)]).facts
    assert (facts.doc_type, facts.date) == ("niederschrift", "2015-03-12")
    assert facts.title == (
        "Niederschrift über die 12. Sitzung des Rates der Stadt Paderborn am 12.03.2015"
    )


NIEDERSCHRIFT = """Stadt Bielefeld
Niederschrift
über die 7. Sitzung des Haupt- und Finanzausschusses
am Donnerstag, 14.09.2023, 17:00 Uhr bis 19:30 Uhr
Sitzungsort: Rathaus, Großer Saal, Niederwall 23, 33602 Bielefeld
Anwesend: 18 Mitglieder
TOP 1.1 Haushaltssatzung für die Haushaltsjahre 2024/2025
Beschluss-Nr. VII/2023/0123
Der Ausschuss empfiehlt dem Rat mit 12 Ja-Stimmen bei 3 Enthaltungen, die Haushaltssatzung \
(Drucksache 6789/2020-2025) zu beschließen. Die Aufwendungen betragen 1.250.000,00 Euro \
(Az. 20.1-12/2023, Tel. 0521 51-2345).
TOP 2 Antrag der Fraktion (Antrag Nr. 45/2023) vom 01.09.2023: Der Antrag wurde gemäß \
§ 14 Abs. 2 GeschO vertagt. Er soll bis zum 30. November 2023 beraten werden; Fördermittel \
werden ab 2025 bis einschließlich 2027 bereitgestellt. Im Jahr 2022 lag der Anteil bei \
12,5 %. Version 2.10.15 der Software. Der Plan Nr. 12/3 gilt seit dem 1. Jan. 2019.
"""


def test_niederschrift_with_numbers_everywhere() -> None:
    result = tag_pages([PageText(1, NIEDERSCHRIFT)])
    facts = result.facts
    assert (facts.doc_type, facts.date, facts.reference) == ("niederschrift", "2023-09-14", None)
    assert facts.title == "Niederschrift über die 7. Sitzung des Haupt- und Finanzausschusses"
    assert [
        (m.text, m.value, m.end_value, m.role) for m in result.mentions if m.label == "date"
    ] == [
        ("14.09.2023", "2023-09-14", None, "meeting"),
        ("01.09.2023", "2023-09-01", None, "event"),
        ("30. November 2023", "2023-11-30", None, "deadline"),
        ("2025 bis einschließlich 2027", "2025", "2027", "period"),
        ("2022", "2022", None, None),
        ("1. Jan. 2019", "2019-01-01", None, "event"),
    ]
    assert [(m.value, m.kind) for m in result.mentions if m.label == "reference"] == [
        ("VII/2023/0123", "beschluss"),
        ("6789/2020-2025", "drucksache"),
        ("45/2023", "antrag"),
    ]


@pytest.mark.parametrize(
    ("header", "doc_type"),
    [
        pytest.param("Mitteilung\nfür den Rat am 12.03.2015", "mitteilung", id="mitteilung"),
        pytest.param("Informationsvorlage\nDS 12/2021", "mitteilung", id="informationsvorlage"),
        pytest.param(
            "Stadt Bielefeld\nBeschlussvorlage der Verwaltung",
            "beschlussvorlage",
            id="beschlussvorlage",
        ),
        pytest.param("Drucksache Nr. 114/2021\nVorlage", "vorlage", id="vorlage"),
        pytest.param("Niederschrift über die Sitzung", "niederschrift", id="niederschrift"),
        pytest.param("Protokoll der 3. Sitzung", "niederschrift", id="protokoll"),
        pytest.param("Antrag der Fraktion X\nBetreff: Radwege", "antrag", id="antrag"),
        pytest.param("Anfrage der Fraktion Y", "anfrage", id="anfrage"),
        pytest.param("Amtsblatt der Stadt Paderborn\nNr. 12", "amtsblatt", id="amtsblatt"),
        pytest.param(
            "Ratsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)",
            None,
            id="cited-vorlage-is-not-a-type",
        ),
        pytest.param("Gründung des Netzwerks", None, id="nothing"),
    ],
)
def test_doc_type(header: str, doc_type: str | None) -> None:
    assert infer_doc_type([PageText(1, header + "\n")]) == doc_type


def test_long_header_line_stays_in_header() -> None:
    text = (
        "Mitteilung\nfür den Ausschuss für Umwelt, Klimaschutz, Mobilität, Stadtentwicklung und "
        "Digitalisierung der Stadt Bielefeld am 25.10.2023\nDer Rat hat in seiner Sitzung am "
        "12.03.2015 den Beitritt beschlossen und die Verwaltung mit der Umsetzung beauftragt.\n"
    )
    assert text[: header_end(text)].endswith("25.10.2023\n")
    assert tag_pages([PageText(1, text)]).facts.date == "2023-10-25"


def test_header_ends_at_body_marker() -> None:
    text = "Mitteilung\nfür den Rat am 12.03.2015\nThema:\nX\nMitteilung:\nDer Rat (DS 1/2021)."
    assert text[: header_end(text)].endswith("X\n")


def test_metadata_title_used_without_betreff_line() -> None:
    facts = tag_pages([PageText(1, "Stadt Paderborn\nSeite 1\n")], title="Haushalt 2024").facts
    assert facts.title == "Haushalt 2024"


def test_empty_document() -> None:
    result = tag_pages([])
    assert result.mentions == ()
    assert result.facts.doc_type is None and result.facts.date is None


@pytest.mark.slow
def test_tagging_speed() -> None:
    """Words/s on the seed texts repeated to ~50k words; target ≥ 20k for references + dates.

    The assertion covers this module's components (tokenizer, references, dates); the full ``tag_pages`` rate, with places and bodies, is only reported.
    """
    import spacy

    from archiv.tag import _make_doc

    pages = _deck_pages() + [PageText(1, _seed(MITTEILUNG))]
    words = sum(len(p.text.split()) for p in pages)
    pages = [PageText(i, p.text) for i, p in enumerate(pages * (50_000 // words + 1), start=1)]
    total = sum(len(p.text.split()) for p in pages)
    build_nlp()
    core = spacy.blank("de")
    for name in ("archiv_references", "archiv_dates"):
        core.add_pipe(name)
    tag_pages(pages[:5])  # warm caches: dateparser's first parse loads its locale data
    start = time.perf_counter()
    for _ in core.pipe(_make_doc(core, p.text) for p in pages):
        pass
    core_rate = total / (time.perf_counter() - start)
    start = time.perf_counter()
    tag_pages(pages)
    full_rate = total / (time.perf_counter() - start)
    print(
        f"\n{total} words: references+dates {core_rate:,.0f} words/s; tag_pages {full_rate:,.0f} words/s"
    )
    assert core_rate > 10_000  # a floor with slack for a shared 2-core machine
