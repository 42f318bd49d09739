"""Cleaning rules, token in → token out (archiv.extract.clean is pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiv.extract import clean


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Untersuchungs-\nmatrix", "Untersuchungsmatrix", id="lower-join"),
        pytest.param(
            "Die Untersuchungs-\nmatrix, erstellt 2021.\nNeu",
            "Die Untersuchungsmatrix,\nerstellt 2021.\nNeu",
            id="word-moves-up-rest-stays",
        ),
        pytest.param("Ober-\nbürgermeister-\nwahl", "Oberbürgermeisterwahl", id="split-twice"),
        pytest.param(
            "Ober-\nbürgermeister- sowie\nLandrat",
            "Oberbürgermeister- sowie\nLandrat",
            id="moved-suspended",
        ),
        pytest.param("Ober-\nbürgermeister- x", "Oberbürgermeister- x", id="no-new-hyphen-break"),
        pytest.param("Digitalisierungs-\nbeauftragten", "Digitalisierungsbeauftragten", id="long"),
        pytest.param("im Jakob-\nKaiser-Haus", "im Jakob-Kaiser-Haus", id="upper-keeps"),
        pytest.param("Experten-\nInterviews", "Experten-Interviews", id="upper-keeps-2"),
        pytest.param("Straßen-\nüberführung", "Straßenüberführung", id="umlaut-lower"),
        pytest.param("Groß-\nÜberführung", "Groß-Überführung", id="umlaut-upper"),
        pytest.param("Fußgänger-\nzone", "Fußgängerzone", id="eszett-left"),
        pytest.param(
            "Bau-, Stadt- und Raumforschung", "Bau-, Stadt- und Raumforschung", id="inline"
        ),
        pytest.param(
            "Wirtschaftsförderungs-\nund Beteiligungsausschuss",
            "Wirtschaftsförderungs- und\nBeteiligungsausschuss",
            id="suspended-compound",
        ),
        pytest.param("Ah 36/21-\n26", "Ah 36/21-26", id="digit-range"),
        pytest.param("Ende.\n- Punkt zwei", "Ende.\n- Punkt zwei", id="bullet-dash"),
        pytest.param("Sitzung am\n12.03.2015", "Sitzung am\n12.03.2015", id="plain-break"),
        pytest.param("Absatz-\n\nneu", "Absatz-\n\nneu", id="paragraph-not-joined"),
    ],
)
def test_dehyphenate(raw: str, expected: str) -> None:
    assert clean.dehyphenate(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("Untersuchungs\ufffematrix", "Untersuchungs-\nmatrix", id="pdfium-new"),
        pytest.param("Jakob\x02\r\nKaiser", "Jakob-\nKaiser", id="pdfium-old"),
        pytest.param("Gemein\xadde", "Gemeinde", id="soft-hyphen"),
        pytest.param("Auﬂage ﬁnal", "Auflage final", id="ligatures"),
        pytest.param("Zeile\r\nzwei\rdrei", "Zeile\nzwei\ndrei", id="line-ends"),
        pytest.param("a\x00b\x07c", "abc", id="controls"),
        pytest.param("1990\x962000 \x84Rat\x93", "1990–2000 „Rat“", id="c1-as-cp1252"),
        pytest.param("Tab\tbleibt\fSeite", "Tab\tbleibt\fSeite", id="tab-ff-kept"),
    ],
)
def test_normalize_unicode(raw: str, expected: str) -> None:
    assert clean.normalize_unicode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("27.11.2024Arbeitskreis", "27.11.2024 Arbeitskreis", id="date-word"),
        pytest.param("19.09.23in Berlin", "19.09.23 in Berlin", id="short-date-lower"),
        pytest.param("2015Beitritt", "2015 Beitritt", id="number-word"),
        pytest.param("ableitenZiele", "ableiten Ziele", id="lower-upper"),
        pytest.param("RegioPole-Netzwerk", "RegioPole-Netzwerk", id="camel-name"),
        pytest.param("eGovernment", "eGovernment", id="short-prefix"),
        pytest.param("2020er Jahre", "2020er Jahre", id="number-suffix"),
        pytest.param("DS-Nr. 1045/2014-2020", "DS-Nr. 1045/2014-2020", id="reference"),
        pytest.param("BV/0123/2021", "BV/0123/2021", id="allris"),
        pytest.param("3D-Modell", "3D-Modell", id="3d"),
        pytest.param("(Ober)Bürgermeister", "(Ober)Bürgermeister", id="parenthesis"),
    ],
)
def test_split_glued(raw: str, expected: str) -> None:
    assert clean.split_glued(raw) == expected


def test_normalize_whitespace_keeps_lines_and_paragraphs() -> None:
    raw = "  Thema:   \n\n\n\nInterkommunale   Vereinbarung \u00a0des\n \nNetzwerks  "
    assert clean.normalize_whitespace(raw) == (
        "Thema:\n\nInterkommunale Vereinbarung des\n\nNetzwerks"
    )


def test_join_cell_makes_one_line() -> None:
    assert clean.join_cell("Ah 36/21-\n26") == "Ah 36/21-26"
    assert clean.join_cell("Gesundheits-\ninfrastruktur\nTrier") == "Gesundheitsinfrastruktur Trier"


@pytest.mark.parametrize(
    "line",
    ["3", "- 2 -", "– 12 –", "Seite 3 von 5", "Seite 3", "S. 4", "3/5", "Page 2 of 9"],
)
def test_page_number_lines(line: str) -> None:
    assert clean.is_page_number(line)


@pytest.mark.parametrize("line", ["2015", "Seite zwei", "3 Digitale Infrastruktur", "1,5 Mio."])
def test_not_page_number_lines(line: str) -> None:
    assert not clean.is_page_number(line)


def test_remove_running_lines() -> None:
    pages = [
        f"Stadt Bielefeld – Mitteilung\nInhalt {word}\nmehr Text {word}\nSeite {n} von 3"
        for n, word in enumerate(["eins", "zwei", "drei"], start=1)
    ]
    assert clean.remove_running_lines(pages) == [
        "Inhalt eins\nmehr Text eins",
        "Inhalt zwei\nmehr Text zwei",
        "Inhalt drei\nmehr Text drei",
    ]


def test_remove_running_lines_keeps_labels_body_repeats_and_single_pages() -> None:
    pages = [
        f"Titel {x}\nBeschluss:\nText {x}1\nText {x}2\nText {x}3\nText {x}4\nText {x}5\n"
        f"Text {x}6\nText {x}7\nText {x}8\nEnde {x}"
        for x in "AB"
    ]
    # a label line near the top of every page is content, not a running head
    assert clean.remove_running_lines(pages) == pages
    # a line deep inside the body is never removed, even when every page has it
    deep = [p.replace("Text A5", "Gleich").replace("Text B5", "Gleich") for p in pages]
    assert all("Gleich" in page for page in clean.remove_running_lines(deep))
    # one page: only page-number lines at its edges go
    assert clean.remove_running_lines(["Kopf\nText\n- 1 -"]) == ["Kopf\nText"]


def test_running_head_below_a_letterhead_on_page_one() -> None:
    pages = [
        "Stadt Lemgo\nDer Bürgermeister\nBeschlussvorlage DS 114/2021\nBetreff:\nRadverkehr",
        "Beschlussvorlage DS 114/2021\nKlimarelevanz:\npositiv",
    ]
    assert clean.remove_running_lines(pages) == [
        "Stadt Lemgo\nDer Bürgermeister\nBetreff:\nRadverkehr",
        "Klimarelevanz:\npositiv",
    ]


def test_clean_page_chain() -> None:
    raw = "Die Untersuchungs\ufffematrix  im Jakob\ufffeKaiser-Haus\r\nam 27.11.2024Arbeitskreis"
    assert clean.clean_page(raw) == (
        "Die Untersuchungsmatrix\nim Jakob-Kaiser-Haus\nam 27.11.2024 Arbeitskreis"
    )


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        pytest.param(
            "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt "
            "der Stadt zum Städtenetzwerk und der Unterzeichnung der Vereinbarung zu.",
            False,
            id="german",
        ),
        pytest.param(
            "POPKMOO XQZRTP KLMNBV QWRTZP HJKLPQ ZTRWQ PLMKNJ BVCXY QWRTZ PLKMNB VCXYQW RTZPL "
            "MNBVC XYQWR TZPLK MNBVCX",
            True,
            id="shifted-caps",
        ),
        pytest.param("\ue001\ue002\ue003 \ue004\ue005\ue006 " * 10, True, id="private-use"),
        pytest.param("§$%&/()=?{[]}\\~#'*+<>|" * 3, True, id="symbols"),
        pytest.param("Ziele\nFörderung 90%\nTrier Würzburg Paderborn", False, id="short-slide"),
        pytest.param(
            "RATSBESCHLUSS FEBRUAR 2015: BEITRITT ZUM NETZWERK UND ZUR VEREINBARUNG DER STADT "
            "PADERBORN MIT DEN PARTNERN",
            False,
            id="caps-german",
        ),
    ],
)
def test_looks_garbled(text: str, garbled: bool) -> None:
    assert clean.looks_garbled(text) is garbled


def test_remove_running_lines_never_empties_a_page() -> None:
    pages = [f"Beschluss Haushalt Seite {n}\nInhalt {n}" for n in range(1, 4)]
    assert clean.remove_running_lines(pages) == pages


def test_running_line_removed_once_per_edge() -> None:
    """A slide's logo text "Stadt Paderborn" goes; the same words in an org chart stay."""
    pages = [
        "Projektorganisation\nStadt Paderborn\nDezernat V\nStadt Paderborn\nProjektleitung",
        "Zeitplan\nStadt Paderborn\n2021 bis 2022\nAnalyse\nLeitprojekte",
    ]
    assert clean.remove_running_lines(pages) == [
        "Projektorganisation\nDezernat V\nStadt Paderborn\nProjektleitung",
        "Zeitplan\n2021 bis 2022\nAnalyse\nLeitprojekte",
    ]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aZäÖß -\n\t.:19\ufffe\x02\xadﬁ|")) | st.characters(),
        max_size=80,
    )
)
def test_clean_page_is_idempotent_and_line_clean(text: str) -> None:
    once = clean.clean_page(text)
    assert clean.clean_page(once) == once
    assert "\r" not in once and "\x02" not in once and "\ufffe" not in once
    assert all(line == line.strip() for line in once.split("\n"))
