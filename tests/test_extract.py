"""Reading real files: text PDFs, columns, tables, scans (OCR), and the other formats."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from archiv.extract import SUPPORTED_SUFFIXES, extract_file, ocr, sniff_type
from archiv.models import ExtractOptions
from tests.fixtures.build import (
    image_pdf,
    merge_pdfs,
    table_slide_pdf,
    text_pdf,
    two_column_pdf,
)

AUTO = ExtractOptions()
needs_tesseract = pytest.mark.skipif(
    ocr.tesseract_status() is not None, reason="tesseract-ocr-deu is not installed"
)
SCAN_LINES = [
    "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung",
    "am 12.03.2015 dem Beitritt zum Städtenetzwerk zu.",
    "Die Vereinbarung wurde einstimmig beschlossen.",
]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def words(text: str) -> list[str]:
    return re.findall(r"[\wäöüÄÖÜß.]+", text)


def test_text_pdf_cleaned_per_page(tmp_path: Path) -> None:
    pdf = write(
        tmp_path / "mitteilung.pdf",
        text_pdf(
            [
                ["Mitteilung", "Die Untersuchungs-", "matrix liegt im Jakob-", "Kaiser-Haus aus."],
                ["Bau-, Stadt- und Raumforschung", "am 27.11.2024Arbeitskreis"],
                ["Digitalisierungs-", "beauftragten der Stadt"],
            ],
            title="Interkommunale Vereinbarung",
            header="Stadt Bielefeld – Der Oberbürgermeister",
            footer="Seite {page} von {pages}",
        ),
    )
    result = extract_file(pdf, AUTO)
    assert result.file_type == "pdf"
    assert result.title == "Interkommunale Vereinbarung"
    assert [p.number for p in result.pages] == [1, 2, 3]
    assert [p.text for p in result.pages] == [
        "Mitteilung\nDie Untersuchungsmatrix\nliegt im Jakob-Kaiser-Haus\naus.",
        "Bau-, Stadt- und Raumforschung\nam 27.11.2024 Arbeitskreis",
        "Digitalisierungsbeauftragten\nder Stadt",
    ]
    assert not any(p.ocr for p in result.pages)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Microsoft Word - Vorlage_0174_20.docx", None, id="word-default"),
        pytest.param("vorlage.pdf", None, id="file-name"),
        pytest.param("   ", None, id="blank"),
        pytest.param("Beitritt zum RegioPole-Netzwerk", "Beitritt zum RegioPole-Netzwerk", id="ok"),
    ],
)
def test_metadata_title(tmp_path: Path, title: str, expected: str | None) -> None:
    pdf = write(tmp_path / "t.pdf", text_pdf([["Beschluss Haushalt"]], title=title))
    assert extract_file(pdf, AUTO).title == expected


def test_two_columns_read_column_by_column(tmp_path: Path) -> None:
    left = [f"Links steht Satz {n} mit genug Text bis zur Mitte" for n in range(10)]
    right = [f"Rechts steht Satz {n} mit genug Text bis zum Rand" for n in range(10)]
    pdf = write(tmp_path / "spalten.pdf", two_column_pdf("Bericht aus dem Ausschuss", left, right))
    text = extract_file(pdf, AUTO).pages[0].text
    assert text.splitlines() == ["Bericht aus dem Ausschuss", *left, *right]


def test_table_slide_rows_and_wrapped_cells(tmp_path: Path) -> None:
    pdf = write(
        tmp_path / "folie.pdf",
        table_slide_pdf(
            "Infrastrukturbereiche",
            ["Federführende Regiopole-Stadt", "je Infrastrukturbereich"],
            [
                ["Nr.", "Bereich", "Aktenzeichen"],
                ["1", "Gesundheits-\ninfrastruktur", "Ah 36/21-\n26"],
                ["2", "Digitale Infrastruktur\n(im öffentlichen Bereich)", "Vorlage 0174/20"],
            ],
        ),
    )
    assert extract_file(pdf, AUTO).pages[0].text.splitlines() == [
        "Infrastrukturbereiche",
        "• Federführende Regiopole-Stadt",
        "• je Infrastrukturbereich",
        "Nr. | Bereich | Aktenzeichen",
        "1 | Gesundheitsinfrastruktur | Ah 36/21-26",
        "2 | Digitale Infrastruktur (im öffentlichen Bereich) | Vorlage 0174/20",
    ]


@needs_tesseract
def test_scanned_page_is_ocred(tmp_path: Path) -> None:
    pdf = write(tmp_path / "scan.pdf", image_pdf(SCAN_LINES))
    started = time.perf_counter()
    result = extract_file(pdf, AUTO)
    seconds = time.perf_counter() - started
    page = result.pages[0]
    assert page.ocr
    expected = words(" ".join(SCAN_LINES))
    found = set(words(page.text))
    accuracy = sum(1 for w in expected if w in found) / len(expected)
    assert accuracy >= 0.9, (accuracy, page.text)
    assert seconds < 20


@needs_tesseract
def test_garbled_text_layer_is_replaced_by_ocr(tmp_path: Path) -> None:
    garbage = "POPKMOO XQZRTP KLMNBV QWRTZP\nHJKLPQ ZTRWQ PLMKNJ BVCXY\nQWRTZ PLKMNB VCXYQW RTZPL"
    pdf = write(tmp_path / "garbage.pdf", image_pdf(SCAN_LINES, invisible_text=garbage))
    page = extract_file(pdf, AUTO).pages[0]
    assert page.ocr
    assert "POPKMOO" not in page.text
    assert "Städtenetzwerk" in page.text


@needs_tesseract
def test_mixed_digital_and_scanned_pages(tmp_path: Path) -> None:
    pdf = write(
        tmp_path / "gemischt.pdf",
        merge_pdfs(
            text_pdf([["Digitale Seite eins: Beschluss"], ["Digitale Seite zwei: Haushalt"]]),
            image_pdf(SCAN_LINES),
            image_pdf(["Haushaltssatzung für das Jahr 2024 beschlossen."]),
        ),
    )
    pages = extract_file(pdf, AUTO).pages
    assert [p.ocr for p in pages] == [False, False, True, True]
    assert pages[0].text == "Digitale Seite eins: Beschluss"
    assert "Haushaltssatzung" in pages[3].text


def test_ocr_never_and_missing_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan without OCR is kept, not failed: each empty page says why (R12)."""
    pdf = write(tmp_path / "scan.pdf", image_pdf(SCAN_LINES))
    [never] = extract_file(pdf, ExtractOptions(ocr="never")).pages
    assert (never.text, never.no_text) == ("", "ocr_off")
    monkeypatch.setattr(ocr, "tesseract_status", lambda: "tesseract not found; install it")
    [missing] = extract_file(pdf, AUTO).pages
    assert (missing.text, missing.no_text) == ("", "ocr_unavailable")
    mixed = write(
        tmp_path / "mixed.pdf", merge_pdfs(text_pdf([["Beschluss Haushalt"]]), image_pdf(["x"]))
    )
    result = extract_file(mixed, AUTO)
    assert [(p.text, p.no_text) for p in result.pages] == [
        ("Beschluss Haushalt", None), ("", "ocr_unavailable")]
    assert any("need OCR" in w for w in result.warnings)


@needs_tesseract
def test_ocr_always_reads_digital_page_too(tmp_path: Path) -> None:
    pdf = write(tmp_path / "digital.pdf", text_pdf([["Haushaltssatzung der Stadt Paderborn"]]))
    page = extract_file(pdf, ExtractOptions(ocr="always")).pages[0]
    assert page.ocr
    assert "Haushaltssatzung" in page.text


def test_txt_pages_and_encodings(tmp_path: Path) -> None:
    utf8 = write(tmp_path / "a.txt", "Seite eins Straße\fSeite zwei Größe\n".encode())
    result = extract_file(utf8, AUTO)
    assert result.file_type == "txt"
    assert [p.text for p in result.pages] == ["Seite eins Straße", "Seite zwei Größe"]
    legacy = write(tmp_path / "b.txt", "Gebühren für Übernachtung – 5 €".encode("cp1252"))
    assert extract_file(legacy, AUTO).pages[0].text == "Gebühren für Übernachtung – 5 €"


def test_docx_paragraphs_tables_and_page_breaks(tmp_path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_heading("Beschlussvorlage 0174/20", level=1)
    document.add_paragraph("Der Rat beschließt die Beteiligung am Modellvorhaben.")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Stadt", "Bereich"
    table.cell(1, 0).text, table.cell(1, 1).text = "Trier", "Gesundheit"
    path = tmp_path / "vorlage.docx"
    document.save(str(path))
    result = extract_file(path, AUTO)
    assert result.file_type == "docx"
    assert [p.text for p in result.pages] == [
        "Beschlussvorlage 0174/20\nDer Rat beschließt die Beteiligung am Modellvorhaben.",
        "Stadt | Bereich\nTrier | Gesundheit",
    ]


def test_odt_paragraphs(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Niederschrift"))
    document.text.addElement(P(text="Der Ausschuss stimmte einstimmig zu."))
    path = tmp_path / "protokoll.odt"
    document.save(str(path))
    result = extract_file(path, AUTO)
    assert result.file_type == "odt"
    assert [p.text for p in result.pages] == ["Niederschrift\nDer Ausschuss stimmte einstimmig zu."]


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        pytest.param("x.pdf", b"%PDF-1.7\n...", "pdf", id="pdf"),
        pytest.param("x.bin", b"junk\n%PDF-1.4\n...", "pdf", id="pdf-late-header-no-suffix"),
        pytest.param("x.txt", "Grüße".encode(), "txt", id="txt"),
        pytest.param("x.txt", b"Die Datei beginnt mit %PDF-1.7", "txt", id="txt-mentions-pdf"),
    ],
)
def test_sniff_type(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    assert sniff_type(write(tmp_path / name, data)) == kind


def test_supported_suffixes() -> None:
    assert frozenset({".pdf", ".txt", ".docx", ".odt"}) == SUPPORTED_SUFFIXES


def _canvas_pdf(draw: object) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    draw(pdf)  # type: ignore[operator]
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_rotated_page(tmp_path: Path) -> None:
    def draw(pdf: object) -> None:
        # a landscape page stored portrait with /Rotate 90: the text is drawn turned so that
        # it reads upright on screen, as scanners and Word's PDF export do
        pdf.setPageRotation(90)  # type: ignore[attr-defined]
        pdf.translate(595.27, 0)  # type: ignore[attr-defined]
        pdf.rotate(90)  # type: ignore[attr-defined]
        pdf.drawString(72, 500, "Niederschrift der Sitzung")  # type: ignore[attr-defined]
        pdf.drawString(72, 480, "Der Rat beschließt einstimmig.")  # type: ignore[attr-defined]

    pdf = write(tmp_path / "quer.pdf", _canvas_pdf(draw))
    assert extract_file(pdf, AUTO).pages[0].text == (
        "Niederschrift der Sitzung\nDer Rat beschließt einstimmig."
    )


def test_framed_box_is_not_a_table(tmp_path: Path) -> None:
    def draw(pdf: object) -> None:
        pdf.drawString(72, 700, "Beschlussvorschlag:")  # type: ignore[attr-defined]
        pdf.rect(66, 640, 400, 50)  # type: ignore[attr-defined]
        pdf.drawString(72, 670, "Der Rat stimmt der Vereinbarung zu.")  # type: ignore[attr-defined]
        pdf.drawString(72, 650, "Die Verwaltung wird beauftragt.")  # type: ignore[attr-defined]

    pdf = write(tmp_path / "box.pdf", _canvas_pdf(draw))
    assert extract_file(pdf, AUTO).pages[0].text == (
        "Beschlussvorschlag:\nDer Rat stimmt der Vereinbarung zu.\nDie Verwaltung wird beauftragt."
    )


def test_text_beside_a_table_is_kept(tmp_path: Path) -> None:
    def draw(pdf: object) -> None:
        from reportlab.platypus import Table, TableStyle

        pdf.drawString(60, 780, "Haushaltsplan 2024")  # type: ignore[attr-defined]
        table = Table([["Produkt", "Betrag"], ["Schulen", "1.200"], ["Kultur", "300"]])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
        table.wrapOn(pdf, 300, 200)
        table.drawOn(pdf, 60, 680)
        pdf.drawString(300, 720, "Randnotiz: vorläufig")  # type: ignore[attr-defined]

    pdf = write(tmp_path / "beside.pdf", _canvas_pdf(draw))
    assert extract_file(pdf, AUTO).pages[0].text.splitlines() == [
        "Haushaltsplan 2024",
        "Produkt | Betrag",
        "Schulen | 1.200",
        "Kultur | 300",
        "Randnotiz: vorläufig",
    ]
