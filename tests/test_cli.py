"""Every command through click's CliRunner: contracts, exit codes, bad input in a batch."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from archiv.cli import cli
from archiv.errors import ExitCode
from tests.conftest import ROOT, make_pdf, run


@pytest.fixture
def small_batch(tmp_path: Path) -> Path:
    """Two good PDFs, a text file and the bad files of issue 2: broken, encrypted, empty, not a PDF."""
    from pypdf import PdfReader, PdfWriter

    folder = tmp_path / "in"
    folder.mkdir()
    make_pdf(folder / "rat.pdf", [
        "Stadt Lemgo\nNiederschrift über die Sitzung des Rates am 30.09.2021\n"
        "Der Rat der Stadt Lemgo beschließt einstimmig den Beitritt zum Klimabündnis.",
        "Seite zwei: Haushaltssatzung 2022 und Radverkehrsnetz.",
    ], title="Niederschrift Rat")
    make_pdf(folder / "mitteilung.pdf", ["Mitteilung\nDie Verwaltung berichtet über den Radverkehr."])
    (folder / "antrag.txt").write_text("Antrag der Fraktion\nDer Rat möge beschließen: mehr Radwege.",
                                       encoding="utf-8")
    good = (folder / "rat.pdf").read_bytes()
    (folder / "broken.pdf").write_bytes(good[: len(good) // 2])
    writer = PdfWriter(clone_from=PdfReader(folder / "mitteilung.pdf"))
    writer.encrypt(user_password="geheim", algorithm="AES-256")
    writer.write(folder / "encrypted.pdf")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "page.pdf").write_text("<html><body>not a pdf</body></html>")
    return folder


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, f"{name} has no help"
        assert f"archiv {name}" in readme or name == "chronology" and "archiv chronik" in readme, name
        result = run(name, "--help")
        assert result.exit_code == 0


def test_no_archive_yet(tmp_path: Path) -> None:
    for args in (["search", "x"], ["documents"], ["stats"], ["chronik"], ["check"]):
        result = run(*args, "--index", tmp_path / "nothing")
        assert result.exit_code == ExitCode.NO_ARCHIVE, args
        assert "run `archiv ingest` first" in result.stderr
        assert result.stdout == ""
        assert "Traceback" not in result.stderr


def test_batch_with_bad_files(small_batch: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    result = run("ingest", small_batch, "--index", index, "--quiet", "--json")
    assert result.exit_code == ExitCode.FILES_FAILED, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"]) == (3, 4)
    reasons = {Path(f["path"]).name: f["reason"] for f in summary["failures"]}
    assert reasons == {"broken.pdf": "unreadable", "encrypted.pdf": "encrypted",
                       "empty.pdf": "empty", "page.pdf": "not_pdf"}
    for line in result.stderr.splitlines():
        if line.startswith("failed:"):
            assert any(name in line for name in reasons)  # one line naming the file
    docs = json.loads(run("documents", "--index", index, "--json").stdout)
    assert {Path(d["path"]).name: d["status"] for d in docs} == {
        "rat.pdf": "ok", "mitteilung.pdf": "ok", "antrag.txt": "ok", "broken.pdf": "failed",
        "encrypted.pdf": "failed", "empty.pdf": "failed", "page.pdf": "failed"}
    for d in docs:
        assert set(d) >= {"document_id", "path", "title", "type", "date", "municipality", "pages",
                          "status", "error"}
        assert (d["error"] is None) == (d["status"] == "ok")
    hits = json.loads(run("search", "Radverkehrsnetz", "--index", index, "--json").stdout)
    assert [(Path(h["path"]).name, h["page"]) for h in hits] == [("rat.pdf", 2)]
    failures = json.loads(run("failures", "--index", index, "--json").stdout)
    assert len(failures) == 4

    # The encrypted one opens with its password; only failed files are retried.
    retry = run("ingest", "--retry-failed", "--password", "geheim", "--index", index, "--quiet", "--json")
    summary = json.loads(retry.stdout)
    assert (summary["added"], summary["unchanged"], summary["failed"]) == (1, 0, 3)


def test_reingest_unchanged_and_changed_file(small_batch: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    for name in ("broken.pdf", "encrypted.pdf", "empty.pdf", "page.pdf"):
        (small_batch / name).unlink()
    assert run("ingest", small_batch, "--index", index, "-q").exit_code == 0
    again = run("ingest", small_batch, "--index", index, "-q", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 3
    assert "0 added, 0 updated, 3 unchanged, 0 failed" in again.stderr

    make_pdf(small_batch / "mitteilung.pdf", ["Mitteilung\nNeu: das Stadtradeln beginnt."])
    changed = json.loads(run("ingest", small_batch, "--index", index, "-q", "--json").stdout)
    assert (changed["updated"], changed["unchanged"]) == (1, 2)
    assert json.loads(run("search", "Stadtradeln", "--index", index, "--json").stdout)
    assert json.loads(run("search", "Verwaltung berichtet", "--index", index, "--json").stdout) == []
    stats = json.loads(run("stats", "--index", index, "--json").stdout)
    assert (stats["documents"], stats["index_pages"]) == (3, 4)
    assert run("check", "--index", index).exit_code == 0

    forced = json.loads(run("ingest", small_batch, "--index", index, "-q", "--json", "--force").stdout)
    assert forced["updated"] == 3


def test_show_documents_stats_json(small_batch: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    run("ingest", small_batch, "--index", index, "-q")
    docs = json.loads(run("documents", "--index", index, "--json", "--status", "ok").stdout)
    rat = next(d for d in docs if d["path"].endswith("rat.pdf"))
    shown = run("show", rat["document_id"][:8], "--index", index, "--json")
    data = json.loads(shown.stdout)
    assert data["document_id"] == rat["document_id"] and len(data["page_texts"]) == 2
    assert "Klimabündnis" in data["page_texts"][0]["text"]
    text = run("show", str(small_batch / "rat.pdf"), "--index", index)
    assert "--- page 2 ---" in text.stdout
    missing = run("show", "ffffffff", "--index", index)
    assert missing.exit_code == ExitCode.NOT_FOUND


def test_search_errors_and_no_hits(small_batch: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    run("ingest", small_batch / "rat.pdf", "--index", index, "-q")
    none = run("search", "Zeppelin", "--index", index)
    assert none.exit_code == 0 and none.stdout == "" and "No document matches" in none.stderr
    bad = run("search", '"unclosed', "--index", index)
    assert bad.exit_code == ExitCode.USAGE
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_csv_and_bold_snippet(small_batch: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    run("ingest", small_batch / "rat.pdf", "--index", index, "-q")
    out = run("search", "Klimabündnis", "--index", index, "--csv").stdout.splitlines()
    assert out[0] == "document_id,path,title,page,score,snippet,date"
    assert len(out) == 2 and "**Klimabündnis**" in out[1]
    from click.testing import CliRunner

    styled = CliRunner().invoke(cli, ["search", "Klimabündnis", "--index", str(index)], color=True)
    assert "\x1b[1mKlimabündnis" in styled.stdout


def test_archive_busy(small_batch: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    index = tmp_path / "idx"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from pathlib import Path; from archiv.lock import write_lock\n"
         f"with write_lock(Path({str(index)!r})):\n print('LOCKED', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        busy = run("ingest", small_batch, "--index", index, "--no-wait", "-q")
        assert busy.exit_code == ExitCode.BUSY
        assert f"PID {holder.pid}" in busy.stderr
    finally:
        holder.kill()
        holder.wait()


def test_python_dash_m_and_env_index(small_batch: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "ARCHIV_INDEX": str(tmp_path / "envidx")}
    proc = subprocess.run([sys.executable, "-m", "archiv", "ingest", str(small_batch / "rat.pdf"), "-q"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "envidx" / "archiv.sqlite3").exists()


def test_status_overview_and_needs_ocr(small_batch: Path, tmp_path: Path) -> None:
    """`archiv status`: documents per state, pages, failures by reason, what needs OCR."""
    from tests.fixtures.build import rawpdf, text_page_objs

    (small_batch / "zeichnung.pdf").write_bytes(rawpdf(text_page_objs(content=b"0 0 m 100 100 l S")))
    (small_batch / "leer.txt").write_text(" \n", encoding="utf-8")
    index = tmp_path / "idx"
    ingested = run("ingest", small_batch, "--index", index, "--quiet", "--json", "--ocr", "never")
    assert ingested.exit_code == ExitCode.FILES_FAILED  # the four bad files, not the textless two
    assert {Path(f["path"]).name for f in json.loads(ingested.stdout)["failures"]} == {
        "broken.pdf", "encrypted.pdf", "empty.pdf", "page.pdf"}
    data = json.loads(run("status", "--index", index, "--json").stdout)
    assert data["states"] == {"ok": 3, "ok:no_text": 2, "failed": 4, "in_progress": 0}
    assert data["documents"] == 9 and data["failures"] == 4
    assert data["failure_reasons"] == {"empty": 1, "encrypted": 1, "not_pdf": 1, "unreadable": 1}
    assert (data["pages"], data["ocr_pages"], data["pages_without_text"]) == (6, 0, 2)
    assert (data["needs_ocr"], data["ocr_fixable"], data["schema_version"]) == (2, 1, 3)
    text = run("status", "--index", index)
    assert text.exit_code == 0
    assert "documents     9: 3 ok, 2 ok:no_text, 4 failed, 0 in progress" in text.stdout
    assert "archiv failures" in text.stdout and "archiv status --needs-ocr" in text.stdout
    needs = json.loads(run("status", "--needs-ocr", "--index", index, "--json").stdout)
    assert [(Path(n["path"]).name, n["pages_without_text"], n["reasons"], n["ocr_fixable"])
            for n in needs] == [("leer.txt", [1], {"empty": [1]}, False),
                                ("zeichnung.pdf", [1], {"ocr_off": [1]}, True)]
    listed = json.loads(run("documents", "--status", "ok:no_text", "--index", index, "--json").stdout)
    assert sorted((Path(d["path"]).name, d["status"], d["pages_without_text"]) for d in listed) == [
        ("leer.txt", "ok:no_text", 1), ("zeichnung.pdf", "ok:no_text", 1)]
    assert "ok:no_text" in run("documents", "--index", index).stdout
    assert run("status", "--index", tmp_path / "nothing").exit_code == ExitCode.NO_ARCHIVE
