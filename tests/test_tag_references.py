"""Reference numbers: the RIS spellings, their normalised numbers, and look-alikes that are not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archiv.tag.references import find_references, looks_like_reference, normalize_reference

SEEDS = Path(
    os.environ.get("ARCHIV_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds")
)


@pytest.mark.parametrize(
    ("text", "value", "kind", "label"),
    [
        pytest.param(
            "siehe DS-Nr. 1045/2014-2020)",
            "1045/2014-2020",
            "drucksache",
            "DS-Nr.",
            id="ds-nr-period",
        ),
        pytest.param(
            "(Vorlage 0002/15)", "0002/15", "drucksache", "Vorlage", id="vorlage-short-year"
        ),
        pytest.param(
            "Vorlage 0174/20.", "0174/20", "drucksache", "Vorlage", id="vorlage-sentence-end"
        ),
        pytest.param("Drucksache 20/1234", "20/1234", "drucksache", "Drucksache", id="landtag"),
        pytest.param("Drs. 18/4711", "18/4711", "drucksache", "Drs.", id="drs"),
        pytest.param("DS 80/2021", "80/2021", "drucksache", "DS", id="ds"),
        pytest.param(
            "Drucksache Nr. 114/2021",
            "114/2021",
            "drucksache",
            "Drucksache Nr.",
            id="drucksache-nr",
        ),
        pytest.param(
            "Vorlage: 2022/2210", "2022/2210", "drucksache", "Vorlage", id="vorlage-colon"
        ),
        pytest.param(
            "Vorlage Nr.: 2023/0840/3",
            "2023/0840/3",
            "drucksache",
            "Vorlage Nr.",
            id="vorlage-nr-colon",
        ),
        pytest.param(
            "Vorlagen-Nr. 2019/0815", "2019/0815", "drucksache", "Vorlagen-Nr.", id="vorlagen-nr"
        ),
        pytest.param(
            "Beschlussvorlage 0815/2023",
            "0815/2023",
            "drucksache",
            "Beschlussvorlage",
            id="beschlussvorlage",
        ),
        pytest.param("DS 24-1095", "24-1095", "drucksache", "DS", id="dash"),
        pytest.param("Ah 34/21-26", "34/21-26", "drucksache", "Ah", id="ah"),
        pytest.param(
            "Vorlage BV/0123/2021", "BV/0123/2021", "drucksache", "Vorlage", id="allris-labelled"
        ),
        pytest.param("Antrag Nr. 12/2021", "12/2021", "antrag", "Antrag Nr.", id="antrag-nr"),
        pytest.param("Antrag 12/2021", "12/2021", "antrag", "Antrag", id="antrag"),
        pytest.param("A 12/2021", "12/2021", "antrag", "A", id="a"),
        pytest.param("Anfrage Nr. 7/2022", "7/2022", "antrag", "Anfrage Nr.", id="anfrage"),
        pytest.param(
            "Beschluss-Nr. VII/2023/0123",
            "VII/2023/0123",
            "beschluss",
            "Beschluss-Nr.",
            id="beschluss-roman",
        ),
        pytest.param(
            "Beschluss Nr. 12/2015", "12/2015", "beschluss", "Beschluss Nr.", id="beschluss-nr"
        ),
        pytest.param("Vorlage\n0174/20", "0174/20", "drucksache", "Vorlage", id="line-break"),
        pytest.param("Vorlage \n\n0174/20", "0174/20", "drucksache", "Vorlage", id="blank-line"),
        pytest.param(
            "DRUCKSACHE 20/1234", "20/1234", "drucksache", "DRUCKSACHE", id="upper-case-label"
        ),
        pytest.param(
            "Drucksache 1045/2014–2020",
            "1045/2014-2020",
            "drucksache",
            "Drucksache",
            id="en-dash-normalised",
        ),
    ],
)
def test_labelled(text: str, value: str, kind: str, label: str) -> None:
    found = find_references(text)
    assert len(found) == 1, found
    ref = found[0]
    assert (ref.value, ref.kind, ref.label_as_printed) == (value, kind, label)
    assert text[ref.start : ref.end] == ref.text
    assert ref.text.startswith(label)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("BV/0123/2021", "BV/0123/2021", id="bv"),
        pytest.param("V/2020/0456", "V/2020/0456", id="v"),
        pytest.param("VO/2019/123", "VO/2019/123", id="vo"),
        pytest.param("siehe vo/2019/123.", "VO/2019/123", id="lower-case-upper-cased"),
    ],
)
def test_allris_without_label(text: str, value: str) -> None:
    assert [(r.value, r.label_as_printed) for r in find_references(text)] == [(value, None)]


def test_ergaenzung_is_a_suffix() -> None:
    text = "DS 121/2021 – 1. Ergänzung"
    [ref] = find_references(text)
    assert (ref.value, ref.suffix, ref.text) == ("121/2021", "1. Ergänzung", text)


def test_bare_number_needs_a_labelled_twin() -> None:
    text = "Die Vorlage 0002/15 wurde beschlossen. Zu 0002/15 gibt es eine Anlage; 0174/20 fehlt."
    found = find_references(text)
    assert [(r.text, r.value, r.label_as_printed) for r in found] == [
        ("Vorlage 0002/15", "0002/15", "Vorlage"),
        ("0002/15", "0002/15", None),
    ]
    assert find_references("Zu 0002/15 gibt es eine Anlage") == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Az. 61.2-23/2021", id="aktenzeichen"),
        pytest.param("Aktenzeichen 61.2-23/2021", id="aktenzeichen-long"),
        pytest.param("gemäß § 41 Abs. 1 GO NRW", id="paragraph"),
        pytest.param("Bebauungsplan Nr. 12/3", id="bebauungsplan"),
        pytest.param("Bebauungsplan Nr. 12/2021", id="bebauungsplan-year"),
        pytest.param("die Haushaltsjahre 2024/2025", id="year-pair"),
        pytest.param("im Haushalt 2024/25", id="year-pair-short"),
        pytest.param("IBAN DE89 3704 0044 0532 0130 00", id="iban"),
        pytest.param("Konto 1234567/890", id="account"),
        pytest.param("am 12.03.2015", id="date"),
        pytest.param("Tel. 05251 -88 16158", id="phone"),
        pytest.param("Tel. 05261 213-0", id="phone-extension"),
        pytest.param("die Vorlage vom 12.03.2015", id="vorlage-with-date"),
        pytest.param("Vorlage 2015", id="vorlage-year"),
        pytest.param("Anlage A 1/2", id="anlage-a"),
        pytest.param("Vorlagen 1/2 und mehr", id="fraction"),
        pytest.param("Gesamtvorlage 12/2021", id="other-compound"),
        pytest.param("www.example.org/2021/12", id="url"),
        pytest.param("Förderung 1/3 Bund", id="fraction-bare"),
    ],
)
def test_not_references(text: str) -> None:
    assert find_references(text) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("DS-Nr. 1045/2014-2020", "1045/2014-2020", id="labelled"),
        pytest.param("  Vorlage   0002/15 ", "0002/15", id="whitespace"),
        pytest.param("0002/15", "0002/15", id="bare"),
        pytest.param("bv/0123/2021", "BV/0123/2021", id="allris-upper"),
        pytest.param("1045/2014–2020", "1045/2014-2020", id="dash"),
        pytest.param("DS 121/2021 – 1. Ergänzung", "121/2021", id="suffix-dropped"),
        pytest.param("Netzwerk", None, id="word"),
        pytest.param("12.03.2015", None, id="date"),
        pytest.param("Vorlage 0002/15 und Vorlage 0174/20", None, id="two-references"),
        pytest.param("", None, id="empty"),
    ],
)
def test_normalize_reference(text: str, value: str | None) -> None:
    assert normalize_reference(text) == value
    if value is not None:
        assert normalize_reference(value) == value


@pytest.mark.parametrize(
    ("query", "value"),
    [
        pytest.param("0002/15", "0002/15", id="bare"),
        pytest.param("DS-Nr. 1045/2014-2020", "1045/2014-2020", id="labelled"),
        pytest.param("20/1234", "20/1234", id="landtag"),
        pytest.param("Vorlage 2024/2025", "2024/2025", id="labelled-year-pair-trusted"),
        pytest.param("ds-nr.1045/2014-2020", "1045/2014-2020", id="typed-lower-case"),
        pytest.param("drs. 18/4711", "18/4711", id="typed-drs"),
        pytest.param("0002/15.", "0002/15", id="trailing-dot"),
        pytest.param(" vorlage 0174/20 ", "0174/20", id="typed-vorlage"),
        pytest.param("2024/2025", None, id="year-pair"),
        pytest.param("2024/25", None, id="year-pair-short"),
        pytest.param("1/2", None, id="fraction"),
        pytest.param("24-1095", None, id="bare-dash"),
        pytest.param("Netzwerk Paderborn", None, id="words"),
        pytest.param("05251 -88 16158", None, id="phone"),
    ],
)
def test_looks_like_reference(query: str, value: str | None) -> None:
    assert looks_like_reference(query) == value


def test_seed_references() -> None:
    found = []
    for name in ("000_ae2a2a8725a018bf.txt", "002_01726d0f562be5ea.txt"):
        path = SEEDS / name
        if not path.exists():
            pytest.skip(f"seed corpus not found at {SEEDS} (set ARCHIV_SEEDS)")
        found += [(r.text, r.value) for r in find_references(path.read_text(encoding="utf-8"))]
    assert found == [
        ("DS-Nr. 1045/2014-2020", "1045/2014-2020"),
        ("Vorlage 0002/15", "0002/15"),
        ("Vorlage 0174/20", "0174/20"),
    ]
