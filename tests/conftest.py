"""Shared fixtures: an isolated archive per test, one ingested corpus per session, PDF builders."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archiv.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the developer's own index/ (the llm/datasette pattern)."""
    monkeypatch.setenv("ARCHIV_INDEX", str(tmp_path / "index"))


def run(*args: str | Path, catch: bool = False) -> Result:
    """Invoke the CLI in-process; stdout and stderr stay separate (click ≥ 8.2)."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=catch)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus/ ingested once per session; tests must treat it as read-only (copy to modify)."""
    index = tmp_path_factory.mktemp("corpus") / "index"
    result = run("ingest", CORPUS, "--index", index, "--quiet")
    assert result.exit_code == 0, result.stderr
    return index


@pytest.fixture
def corpus_copy(corpus_index: Path, tmp_path: Path) -> Path:
    target = tmp_path / "corpus-index"
    shutil.copytree(corpus_index, target)
    return target


def make_pdf(path: Path, pages: Sequence[str], *, title: str | None = None,
             landscape: bool = False) -> Path:
    """A real text PDF (reportlab, Helvetica covers äöüß), one string per page, lines kept."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as to_landscape
    from reportlab.pdfgen import canvas

    size = to_landscape(A4) if landscape else A4
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)
    if title:
        pdf.setTitle(title)
    for text in pages:
        y = size[1] - 72
        pdf.setFont("Helvetica", 11)
        for line in text.splitlines():
            pdf.drawString(72, y, line)
            y -= 15
        pdf.showPage()
    pdf.save()
    return path
