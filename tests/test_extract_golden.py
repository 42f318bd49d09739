"""Extracted text of every corpus file equals its reviewed golden text, exactly.

OCR is off so the result does not depend on the installed Tesseract version.

Refresh after an intended change with ``ARCHIV_UPDATE_GOLDEN=1 pytest tests/test_extract_golden.py``
and review the diff of tests/golden/extract/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archiv.extract import SUPPORTED_SUFFIXES, extract_file
from archiv.models import ExtractOptions

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden" / "extract"
PAGE_BREAK = "\n\f\n"  # pages joined with a form feed on a line of its own
UPDATE = os.environ.get("ARCHIV_UPDATE_GOLDEN") == "1"
PDFS = (
    sorted(p for p in CORPUS.iterdir() if p.suffix in SUPPORTED_SUFFIXES) if CORPUS.is_dir() else []
)


def render(path: Path) -> str:
    result = extract_file(path, ExtractOptions(ocr="never"))
    return PAGE_BREAK.join(page.text for page in result.pages) + "\n"


@pytest.mark.skipif(not PDFS, reason="corpus/*.pdf not built yet (python corpus/build.py)")
@pytest.mark.parametrize("pdf", PDFS, ids=[p.stem for p in PDFS])
def test_golden_text(pdf: Path) -> None:
    golden = GOLDEN / f"{pdf.stem}.txt"
    text = render(pdf)
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden text; run ARCHIV_UPDATE_GOLDEN=1 pytest {__file__}"
    assert text == golden.read_text(encoding="utf-8")


def _text(stem: str) -> str:
    matches = [p for p in PDFS if p.stem == stem]
    assert matches, f"corpus/{stem}.pdf is missing: it is committed, run `make corpus`"
    return render(matches[0])


@pytest.mark.parametrize(
    ("stem", "present", "absent"),
    [
        pytest.param(
            "bielefeld-mitteilung-hwb-2023-10-25",
            ["Jakob-Kaiser-Haus", "Interkommunalen Vereinbarung zu", "die die Netzwerkpartner"],
            ["Interkom-", "Jakob Kaiser", "JakobKaiser"],
            id="bielefeld-hyphens",
        ),
        pytest.param(
            "paderborn-regiopole-praesentation",
            [
                "Untersuchungsmatrix",
                "Experten-Interviews",
                "Digitalisierungsbeauftragten",
                "Bau-, Stadt- und Raumforschung",
                "1 | Gesundheitsinfrastruktur | Trier",
                "2 | Wirtschafts-, Gründungs- und Dienstleistungsinfrastruktur | Würzburg",
            ],
            ["Untersuchungs-", "· Seite", "Modellvorhaben Regiopolen und Regiopolregionen Stadt"],
            id="paderborn-slides",
        ),
        pytest.param(
            "beispiel-lemgo-niederschrift-rat-2021-09-30",
            ["Abstimmungsergebnis: einstimmig beschlossen", "12. März\n2015"],
            ["Seite 1 von 3", "Seite 3 von 3", "\nNiederschrift Rat 30.09.2021\n", "IBAN"],
            id="lemgo-running-heads",
        ),
        pytest.param(
            "beispiel-detmold-amtsblatt-zweispaltig",
            ["Form- oder Verfahrensmangel", "Jugendparlaments (Ah 34/21-26)"],
            ["Form-\noder", "Formoder"],
            id="detmold-hyphens",
        ),
    ],
)
def test_corpus_text_facts(stem: str, present: list[str], absent: list[str]) -> None:
    text = _text(stem)
    flat = " ".join(text.split())  # line breaks are layout: compare words across them
    for snippet in present:
        assert snippet in (text if "\n" in snippet else flat)
    for snippet in absent:
        assert snippet not in (text if "\n" in snippet else flat)


def test_two_column_reading_order() -> None:
    text = _text("beispiel-detmold-amtsblatt-zweispaltig")
    order = [
        "Amtsblatt der Stadt Detmold",  # masthead above both columns
        "Inhalt: Bekanntmachung der Beschlüsse des Rates vom 27.11.2024 · Satzung",  # full width
        "Der Rat der Stadt Detmold hat in seiner Sitzung am",  # left column, top
        "Abstimmungsergebnis: einstimmig.",
        "Übersicht der Sitzungstermine",  # left column, bottom
        "Satzung zur Änderung der\nFriedhofssatzung der Stadt Detmold",  # right column, top
        "Büro des Rates, Telefon 05231 977-0.",  # right column, bottom
        "Herausgeber: Stadt Detmold",  # footer
    ]
    positions = [text.index(snippet) for snippet in order]
    assert positions == sorted(positions)
