"""Dates: every printed form, their precision and role, and everything that must not be a date."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archiv.tag.dates import DateMatch, find_dates, find_relative_dates

SEEDS = Path(
    os.environ.get("ARCHIV_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)


def _one(text: str, **kwargs: str) -> DateMatch:
    found = find_dates(text, **kwargs)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "printed", "value", "precision"),
    [
        pytest.param("am 12.03.2015", "12.03.2015", "2015-03-12", "day", id="dd.mm.yyyy"),
        pytest.param("am 12.3.2015", "12.3.2015", "2015-03-12", "day", id="dd.m.yyyy"),
        pytest.param("am 1.10.2015 um", "1.10.2015", "2015-10-01", "day", id="d.mm.yyyy"),
        pytest.param("am 12. März 2015", "12. März 2015", "2015-03-12", "day", id="month-name"),
        pytest.param("am 12.März 2015", "12.März 2015", "2015-03-12", "day", id="month-name-glued"),
        pytest.param(
            "am 12. März\n2015 tagte", "12. März\n2015", "2015-03-12", "day", id="line-break"
        ),
        pytest.param("am 12. Mrz. 2015", "12. Mrz. 2015", "2015-03-12", "day", id="abbr-mrz"),
        pytest.param("am 3. Sept. 2015", "3. Sept. 2015", "2015-09-03", "day", id="abbr-sept"),
        pytest.param("am 5. Jan. 2020", "5. Jan. 2020", "2020-01-05", "day", id="abbr-jan"),
        pytest.param("am 1. Oktober 2023", "1. Oktober 2023", "2023-10-01", "day", id="oktober"),
        pytest.param("am 12. Maerz 2015", "12. Maerz 2015", "2015-03-12", "day", id="maerz-ascii"),
        pytest.param(
            "AM 24. DEZEMBER 2020", "24. DEZEMBER 2020", "2020-12-24", "day", id="upper-case"
        ),
        pytest.param("am 19.09.23 in Berlin", "19.09.23", "2023-09-19", "day", id="two-digit-year"),
        pytest.param(
            "am 19.09.98 in Bonn", "19.09.98", "1998-09-19", "day", id="two-digit-year-1900s"
        ),
        pytest.param(
            "29.02.2024 ist ein Schalttag", "29.02.2024", "2024-02-29", "day", id="leap-day"
        ),
        pytest.param("Stand 2015-03-12.", "2015-03-12", "2015-03-12", "day", id="iso"),
        pytest.param(
            "Ratsbeschluss Februar 2015: Beitritt",
            "Februar 2015",
            "2015-02",
            "month",
            id="month-year",
        ),
        pytest.param("im März 2016.", "März 2016", "2016-03", "month", id="im-month-year"),
        pytest.param("im Mai 2020 begann", "Mai 2020", "2020-05", "month", id="mai"),
        pytest.param("seit Sept. 2019", "Sept. 2019", "2019-09", "month", id="abbr-month-year"),
        pytest.param(
            "im März des Jahres 2015", "März des Jahres 2015", "2015-03", "month", id="des-jahres"
        ),
        pytest.param("im Jahr 2015 wurde", "2015", "2015", "year", id="im-jahr"),
        pytest.param("im Jahre 1999 wurde", "1999", "1999", "year", id="im-jahre"),
        pytest.param("seit 2015 Mitglied", "2015", "2015", "year", id="seit"),
        pytest.param("bis 2030 umgesetzt", "2030", "2030", "year", id="bis"),
        pytest.param("Ende 2024 fertig", "2024", "2024", "year", id="ende"),
        pytest.param("Anfang 2024 fertig", "2024", "2024", "year", id="anfang"),
        pytest.param("ab 2025 gilt", "2025", "2025", "year", id="ab"),
        pytest.param("im Haushaltsjahr 2024 sind", "2024", "2024", "year", id="haushaltsjahr"),
        pytest.param(
            "Ratsbeschluss 2015 zum Beitritt", "2015", "2015", "year", id="ratsbeschluss-year"
        ),
        pytest.param(
            "Ratsbeschluss aus dem Jahr 2015",
            "2015",
            "2015",
            "year",
            id="ratsbeschluss-aus-dem-jahr",
        ),
        pytest.param(
            "Sitzungstermine für das Jahr 2025 zur Kenntnis",
            "2025",
            "2025",
            "year",
            id="fuer-das-jahr",
        ),
        pytest.param("seit dem Jahr 2019 gilt", "2019", "2019", "year", id="seit-dem-jahr"),
        pytest.param(
            "4. Sitzungstermine 2025 (DS 24-1110)", "2025", "2025", "year", id="sitzungstermine"
        ),
        pytest.param("der Haushalt 2025 wird", "2025", "2025", "year", id="haushalt"),
        pytest.param(
            "Entwurf des Haushaltsplanes 2025 liegt aus", "2025", "2025", "year", id="haushaltsplan"
        ),
        pytest.param(
            "Nachtragshaushalt 2024 beschlossen", "2024", "2024", "year", id="compound-haushalt"
        ),
        pytest.param("Wirtschaftsplan 2025 der Stadtwerke", "2025", "2025", "year", id="wiplan"),
        pytest.param(
            "Feststellung des Jahresabschlusses 2023", "2023", "2023", "year", id="jahresabschluss"
        ),
        pytest.param("Stellenplan 2025 (Anlage 3)", "2025", "2025", "year", id="stellenplan"),
        pytest.param("HAUSHALTSSATZUNG 2025", "2025", "2025", "year", id="noun-upper-case"),
    ],
)
def test_single_dates(text: str, printed: str, value: str, precision: str) -> None:
    found = _one(text)
    assert (found.text, found.value, found.precision) == (printed, value, precision)
    assert text[found.start : found.end] == found.text
    assert found.end_value is None


@pytest.mark.parametrize(
    ("text", "value", "end_value"),
    [
        pytest.param("01.01.2021 – 31.12.2022", "2021-01-01", "2022-12-31", id="en-dash"),
        pytest.param("01.01.2021 - 31.12.2022", "2021-01-01", "2022-12-31", id="hyphen"),
        pytest.param("01.01.2021—31.12.2022", "2021-01-01", "2022-12-31", id="em-dash-glued"),
        pytest.param("01.01.2021-31.12.2022", "2021-01-01", "2022-12-31", id="hyphen-glued"),
        pytest.param("vom 01.03.2021 bis 28.02.2023", "2021-03-01", "2023-02-28", id="vom-bis"),
        pytest.param(
            "vom 01.03.2021 bis zum 28.02.2023", "2021-03-01", "2023-02-28", id="vom-bis-zum"
        ),
        pytest.param(
            "zwischen 01.01.2020 und 31.12.2020", "2020-01-01", "2020-12-31", id="zwischen-und"
        ),
        pytest.param("Januar 2021 – Dezember 2022", "2021-01", "2022-12", id="months"),
    ],
)
def test_ranges(text: str, value: str, end_value: str) -> None:
    found = _one(text)
    assert (found.value, found.end_value, found.role) == (value, end_value, "period")


@pytest.mark.parametrize(
    ("text", "value", "end_value"),
    [
        pytest.param("von 2021 bis 2023 lief", "2021", "2023", id="von-bis"),
        pytest.param("in den Jahren 2021 bis 2023", "2021", "2023", id="in-den-jahren"),
    ],
)
def test_year_ranges(text: str, value: str, end_value: str) -> None:
    found = _one(text)
    assert (found.value, found.end_value, found.precision, found.role) == (
        value,
        end_value,
        "year",
        "period",
    )


def test_range_needs_order_and_same_precision() -> None:
    backwards = find_dates("31.12.2022 – 01.01.2021")
    assert [(d.value, d.end_value) for d in backwards] == [
        ("2022-12-31", None),
        ("2021-01-01", None),
    ]
    mixed = find_dates("12.03.2015 und 13.03.2015 und Februar 2015")
    assert all(d.end_value is None for d in mixed)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        pytest.param(
            "Mitteilung für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss am 25.10.2023",
            "meeting",
            id="fuer-den-ausschuss-am",
        ),
        pytest.param("zur Sitzung des Rates am 12.03.2015", "meeting", id="zur-sitzung"),
        pytest.param(
            "Niederschrift über die Sitzung des Rates am 12.03.2015", "meeting", id="niederschrift"
        ),
        pytest.param(
            "Der Rat stimmte in seiner Sitzung am 12.03.2015 dem Beitritt zu.",
            "decision",
            id="in-seiner-sitzung",
        ),
        pytest.param("Ratsbeschluss Februar 2015: Beitritt", "decision", id="ratsbeschluss"),
        pytest.param(
            "Der Ausschuss beschloss am 12.03.2015 einstimmig", "decision", id="beschloss-am"
        ),
        pytest.param("Beschluss des Rates vom 12.03.2015", "decision", id="beschluss-vom"),
        pytest.param(
            "In der Sitzung des Lenkungsausschusses am 19.09.23 in Berlin wurde die Fassung einstimmig beschlossen.",
            "decision",
            id="sitzung-beschlossen",
        ),
        pytest.param(
            "Der Rat hat am 12.03.2015 den Beitritt beschlossen.",
            "decision",
            id="hat-am-beschlossen",
        ),
        pytest.param(
            "Die Fassung wurde am 19.09.23 einstimmig angenommen.",
            "decision",
            id="wurde-am-angenommen",
        ),
        pytest.param(
            "Die Partner haben am 16.03.2016 unterzeichnet.", "event", id="haben-am-no-decision"
        ),
        pytest.param("längstens jedoch bis zum 31.08.2023", "deadline", id="laengstens"),
        pytest.param("bis zum 31.08.2023 einzureichen", "deadline", id="bis-zum"),
        pytest.param("spätestens am 31.08.2023", "deadline", id="spaetestens"),
        pytest.param("Frist: 31.08.2023", "deadline", id="frist"),
        pytest.param(
            "Die Bürgermeister unterzeichneten daraufhin am 16.03.2016 in Berlin",
            "event",
            id="unterzeichneten-am",
        ),
        pytest.param("Grundlage Zuwendungsbescheid vom 09.03.2020", "event", id="bescheid-vom"),
        pytest.param("Gründung in Berlin im März 2016.", "event", id="im-maerz"),
        pytest.param("Stand 12.03.2015", None, id="no-cue"),
        pytest.param("Sitzungstermine 2025 (DS 24-1110)", "period", id="calendar-year"),
        pytest.param(
            "Der Rat nimmt die Übersicht der Sitzungstermine für das Jahr 2025 zur Kenntnis.",
            "period",
            id="fuer-das-jahr-period",
        ),
        pytest.param("Der Haushaltsplan 2025 wurde am", "period", id="budget-year"),
        pytest.param("Im Jahr 2022 lag der Anteil", None, id="im-jahr-no-role"),
        pytest.param("Satzung\nDetmold, den 28.11.2024\n", "document", id="place-den-date"),
        pytest.param("Marktplatz 1\nLemgo, 29.11.2021\n", "document", id="place-date-line"),
        pytest.param(
            "Wir trafen uns in Berlin, den 16.03.2016 zum Gespräch", None, id="place-mid-line"
        ),
    ],
)
def test_roles(text: str, role: str | None) -> None:
    assert _one(text).role == role


@pytest.mark.parametrize(
    ("text", "reference_date", "value", "precision"),
    [
        pytest.param(
            "im September dieses Jahres", "2023-10-25", "2023-09", "month", id="dieses-jahres"
        ),
        pytest.param("im Oktober des Vorjahres", "2023-10-25", "2022-10", "month", id="vorjahres"),
        pytest.param(
            "im Januar nächsten Jahres", "2023-10-25", "2024-01", "month", id="naechsten-jahres"
        ),
        pytest.param(
            "im März kommenden Jahres", "2023", "2024-03", "month", id="year-precision-reference"
        ),
        pytest.param(
            "am 15. Januar des laufenden Jahres", "2023-10-25", "2023-01-15", "day", id="day"
        ),
        pytest.param(
            "bis Ende dieses Jahres", "2023-10-25", "2023", "year", id="ende-dieses-jahres"
        ),
    ],
)
def test_relative_dates(text: str, reference_date: str, value: str, precision: str) -> None:
    assert find_dates(text) == []  # never guessed without the document's date
    found = _one(text, reference_date=reference_date)
    assert (found.value, found.precision) == (value, precision)
    assert find_relative_dates(text, reference_date=reference_date) == [found]


def test_relative_dates_pass_skips_absolute_ones() -> None:
    text = "Am 12.03.2015 und im September dieses Jahres."
    relative = find_relative_dates(text, reference_date="2023-10-25")
    assert [(d.text, d.value) for d in relative] == [("September dieses Jahres", "2023-09")]


def test_deadline_with_year_cue() -> None:
    assert _one("bis Ende 2015 umzusetzen").role == "deadline"
    assert _one("Bis Ende dieses Jahres", reference_date="2021-03-01").role == "deadline"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Vorlage 0002/15", id="reference-short"),
        pytest.param("DS-Nr. 1045/2014-2020", id="reference-period"),
        pytest.param("DS 24-1095", id="reference-dash"),
        pytest.param("Ah 34/21-26", id="reference-ah"),
        pytest.param("05251 -88 16158", id="phone"),
        pytest.param("Tel. 05261 213-0", id="phone-extension"),
        pytest.param("Förderung zu 90 % vom Bund", id="percent"),
        pytest.param("Förderung zu 90% vom Bund", id="percent-glued"),
        pytest.param("Gesamtvolumen 1,5 Mio. Euro", id="money-mio"),
        pytest.param("Kosten 1.250.000 Euro", id="money-thousands"),
        pytest.param("Kosten 12.300.000,00 EUR", id="money-decimals"),
        pytest.param("gemäß § 41 Abs. 1 GO NRW", id="paragraph"),
        pytest.param("Az. 61.2-23/2021", id="aktenzeichen"),
        pytest.param("Version 10.12.22 installiert", id="version"),
        pytest.param("Version 1.2.3", id="version-short"),
        pytest.param("Abschnitt 3.1.12 des Berichts", id="outline-number"),
        pytest.param("Beginn 18:30 Uhr", id="time"),
        pytest.param("Beginn 18.30 Uhr", id="time-dotted"),
        pytest.param("am 31.02.2015", id="invalid-day"),
        pytest.param("am 12.13.2015", id="invalid-month"),
        pytest.param("am 29.02.2023", id="no-leap-day"),
        pytest.param("die Haushaltsjahre 2024/2025", id="year-pair"),
        pytest.param("im Jahr 2024/2025", id="year-pair-after-cue"),
        pytest.param("2015 Personen nahmen teil", id="count"),
        pytest.param("Die Stadt hat 2025 Einwohner", id="count-without-cue"),
        pytest.param("Tabelle 2025 zeigt", id="table-number-is-no-cue"),
        pytest.param("Anlage 2025 zur Vorlage", id="attachment-number-is-no-cue"),
        pytest.param("Haushalt 2024/2025", id="noun-year-pair"),
        pytest.param("Doppelhaushalt 2024/25", id="noun-season"),
        pytest.param("Haushaltsplan 2025 Euro Zuschuss", id="noun-money"),
        pytest.param("Sitzungstermine 2025.1", id="noun-outline-number"),
        pytest.param("Haushaltsentwurfsseite 2025", id="noun-must-end-the-word"),
        pytest.param("im Jahresabschluss 12.300 Euro", id="noun-without-year"),
        pytest.param("bis 2015 Euro", id="money-after-cue"),
        pytest.param("von 2015 Einwohnern", id="inhabitants-inflected"),
        pytest.param("von 2015 Stimmen", id="votes"),
        pytest.param("seit 2015/16", id="season"),
        pytest.param("mittlerweile 8 Mitglieder", id="small-count"),
        pytest.param("719.000 Einwohner", id="population"),
        pytest.param("Jan 2015 kam", id="first-name-not-month"),
        pytest.param("in Mainz 2020", id="mainz-is-not-mai"),
        pytest.param("am 12.03.", id="no-year"),
        pytest.param("12/03/2015", id="slashes"),
        pytest.param("IBAN DE89 3704 0044 0532 0130 00", id="iban"),
        pytest.param("PLZ 33098 Paderborn", id="postcode"),
        pytest.param("am 12.03.1850", id="too-old"),
        pytest.param("im September dieses Jahres", id="relative-without-reference"),
        pytest.param("", id="empty"),
        pytest.param("Keine Zahl und kein Monat hier.", id="prefilter"),
    ],
)
def test_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_offsets_point_into_the_text() -> None:
    text = "Der Rat tagte am 12. März\n2015 und erneut im Mai 2016.\nFrist: 31.08.2023"
    for found in find_dates(text):
        assert text[found.start : found.end] == found.text


def _seed(name: str) -> str:
    path = SEEDS / name
    if not path.exists():
        pytest.skip(f"seed corpus not found at {SEEDS} (set ARCHIV_SEEDS)")
    return path.read_text(encoding="utf-8")


def test_seed_mitteilung() -> None:
    found = [
        (d.text, d.value, d.precision, d.role)
        for d in find_dates(_seed("000_ae2a2a8725a018bf.txt"))
    ]
    assert found == [
        ("25.10.2023", "2023-10-25", "day", "meeting"),
        ("12.03.2015", "2015-03-12", "day", "decision"),
        ("16.03.2016", "2016-03-16", "day", "event"),
        ("19.09.23", "2023-09-19", "day", "decision"),
    ]


def test_seed_presentation() -> None:
    text = _seed("002_01726d0f562be5ea.txt")
    found = [(d.text, d.value, d.precision, d.end_value, d.role) for d in find_dates(text)]
    assert found == [
        ("März 2016", "2016-03", "month", None, "event"),
        ("Februar 2015", "2015-02", "month", None, "decision"),
        ("09.03.2020", "2020-03-09", "day", None, "event"),
        ("Juni 2020", "2020-06", "month", None, "decision"),
        ("01.01.2021 – 31.12.2022", "2021-01-01", "day", "2022-12-31", "period"),
        ("31.08.2023", "2023-08-31", "day", None, "deadline"),
    ]
    assert "05251 -88 16158" in text and "0002/15" in text
