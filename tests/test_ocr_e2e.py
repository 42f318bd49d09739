"""Issue 6, done when: scans are found by words that exist only in their images, through the
real ``archiv ingest`` and ``archiv search``; a mixed digital/scanned document has every page's
text, its scanned pages marked as OCR; a scan read without OCR is kept and read again later.

The scans are German text rendered to a bitmap with PIL and embedded with reportlab
(tests/fixtures/build.py ``image_pdf``): no text layer at all, so every word found below was
recognised by Tesseract.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from archiv.errors import ExitCode
from archiv.extract import extract_file, ocr
from archiv.models import ExtractOptions
from tests.conftest import run
from tests.fixtures.build import image_pdf, merge_pdfs, text_pdf

pytestmark = pytest.mark.skipif(
    ocr.tesseract_status() is not None, reason="tesseract-ocr-deu is not installed"
)

SCAN_PAGES = [  # words that exist only in the images
    ["Stadt Lemgo – Der Bürgermeister", "Die Kanalsanierung in der Altstadt beginnt im Mai."],
    ["Der Rat beschließt die neue Friedhofssatzung.", "Die Gebührenordnung bleibt unverändert."],
]
MIXED_DIGITAL = [["Beschlussvorlage Drucksache 0174/20", "Digitale Seite eins: Haushaltsplan"],
                 ["Digitale Seite zwei: Stellenplan der Verwaltung"]]
MIXED_SCANNED = [["Anlage: Gutachten zur Brückenprüfung"],
                 ["Ergebnis: die Hängebrücke wird gesperrt."]]


def ok(*args: str | Path) -> str:
    result = run(*args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == ExitCode.OK, (args, result.exit_code, result.stderr[-2000:])
    return result.stdout


def hits(index: Path, query: str) -> list[tuple[str, int, list[int]]]:
    found = json.loads(ok("search", query, "--index", index, "--json"))
    return [(Path(h["path"]).name, h["page"], [p["page"] for p in h["pages"]]) for h in found]


def shown(index: Path, name: str, folder: Path) -> dict:
    return json.loads(ok("show", folder / name, "--index", index, "--json"))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("ocr-e2e")
    folder = root / "in"
    folder.mkdir()
    (folder / "scan.pdf").write_bytes(merge_pdfs(*(image_pdf(lines) for lines in SCAN_PAGES)))
    (folder / "gemischt.pdf").write_bytes(
        merge_pdfs(text_pdf(MIXED_DIGITAL), *(image_pdf(lines) for lines in MIXED_SCANNED)))
    index = root / "index"
    summary = json.loads(ok("ingest", folder, "--index", index, "--quiet", "--json"))
    return folder, index, summary


def test_image_only_pdf_is_found_by_words_only_in_the_image(scans: tuple[Path, Path, dict]) -> None:
    folder, index, summary = scans
    assert (summary["added"], summary["failed"], summary["no_text"]) == (2, 0, 0), summary
    assert summary["ocr_pages"] == 4 and summary["pages_without_text"] == 0
    assert hits(index, "Friedhofssatzung") == [("scan.pdf", 2, [2])]
    assert hits(index, "Kanalsanierung") == [("scan.pdf", 1, [1])]
    assert hits(index, "Gebuehrenordnung") == [("scan.pdf", 2, [2])]  # umlaut typed as ue
    document = shown(index, "scan.pdf", folder)
    assert document["status"] == "ok" and document["pages"] == 2
    assert [p["ocr"] for p in document["page_texts"]] == [True, True]


def test_mixed_document_has_every_page_with_scanned_ones_marked_ocr(
    scans: tuple[Path, Path, dict],
) -> None:
    folder, index, _summary = scans
    document = shown(index, "gemischt.pdf", folder)
    pages = document["page_texts"]
    assert [(p["number"], p["ocr"], p["no_text"]) for p in pages] == [
        (1, False, None), (2, False, None), (3, True, None), (4, True, None)]
    assert "Haushaltsplan" in pages[0]["text"] and "Stellenplan" in pages[1]["text"]
    assert "Brückenprüfung" in pages[2]["text"] and "Hängebrücke" in pages[3]["text"]
    assert hits(index, "Hängebrücke") == [("gemischt.pdf", 4, [4])]
    assert hits(index, "Stellenplan") == [("gemischt.pdf", 2, [2])]
    status = json.loads(ok("status", "--index", index, "--json"))
    assert (status["pages"], status["ocr_pages"], status["pages_without_text"]) == (6, 4, 0)
    assert status["states"] == {"ok": 2, "ok:no_text": 0, "failed": 0, "in_progress": 0}
    assert json.loads(ok("status", "--needs-ocr", "--index", index, "--json")) == []


def test_scan_read_without_ocr_is_kept_and_read_again_with_ocr(tmp_path: Path) -> None:
    """``--ocr never``: stored, exit 0, listed as needing OCR; the same command with OCR on
    reads the unchanged file again and the pages become searchable."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "gemischt.pdf").write_bytes(
        merge_pdfs(text_pdf(MIXED_DIGITAL), *(image_pdf(lines) for lines in MIXED_SCANNED)))
    (folder / "scan.pdf").write_bytes(image_pdf(SCAN_PAGES[1]))
    index = tmp_path / "index"
    first = run("ingest", folder, "--index", index, "--ocr", "never", "--json")
    assert first.exit_code == ExitCode.OK, first.stderr
    summary = json.loads(first.stdout)
    assert (summary["added"], summary["failed"], summary["no_text"],
            summary["pages_without_text"]) == (2, 0, 1, 3), summary
    assert "no text: " in first.stderr and "pages 3, 4 without text (ocr_off)" in first.stderr
    assert "2 added, 0 updated, 0 unchanged, 0 failed, 1 without text" in first.stderr
    needs = {Path(n["path"]).name: n for n in
             json.loads(ok("status", "--needs-ocr", "--index", index, "--json"))}
    assert {name: (n["status"], n["pages_without_text"], n["reasons"]) for name, n in needs.items()} == {
        "gemischt.pdf": ("ok", [3, 4], {"ocr_off": [3, 4]}),
        "scan.pdf": ("ok:no_text", [1], {"ocr_off": [1]}),
    }
    assert hits(index, "Hängebrücke") == []
    assert hits(index, "Stellenplan") == [("gemischt.pdf", 2, [2])]
    failures = run("failures", "--index", index, "--json")
    assert json.loads(failures.stdout) == []

    again = json.loads(ok("ingest", folder, "--index", index, "--quiet", "--json"))
    assert (again["updated"], again["unchanged"], again["ocr_pages"]) == (2, 0, 3), again
    assert hits(index, "Hängebrücke") == [("gemischt.pdf", 4, [4])]
    assert hits(index, "Friedhofssatzung") == [("scan.pdf", 1, [1])]
    assert json.loads(ok("status", "--needs-ocr", "--index", index, "--json")) == []
    assert json.loads(ok("ingest", folder, "--index", index, "--quiet", "--json"))["unchanged"] == 2
    ok("check", "--index", index)


def test_failed_ocr_is_recorded_per_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract hitting its time limit leaves the page empty with reason ``ocr_failed``."""
    pdf = tmp_path / "gemischt.pdf"
    pdf.write_bytes(merge_pdfs(text_pdf([["Beschluss Haushalt"]]), image_pdf(["Zeitlimit"])))

    def timeout(image: Path, seconds: float) -> str:
        raise subprocess.TimeoutExpired(["tesseract", str(image)], seconds)

    monkeypatch.setattr(ocr, "recognize", timeout)
    pages = extract_file(pdf, ExtractOptions()).pages
    assert [(p.text, p.ocr, p.no_text) for p in pages] == [
        ("Beschluss Haushalt", False, None), ("", False, "ocr_failed")]
