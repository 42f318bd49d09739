"""Extracted text of every corpus PDF equals its reviewed golden text, exactly.

Refresh after an intended change with ``ARCHIV_UPDATE_GOLDEN=1 pytest tests/test_extract_golden.py``
and review the diff of tests/golden/extract/ before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archiv.extract import extract_file
from archiv.models import ExtractOptions

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLDEN = ROOT / "tests" / "golden" / "extract"
PAGE_BREAK = "\n\f\n"  # pages joined with a form feed on a line of its own
UPDATE = os.environ.get("ARCHIV_UPDATE_GOLDEN") == "1"
PDFS = sorted(CORPUS.glob("*.pdf"))


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
