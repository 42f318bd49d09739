"""Reliability and security cases R01–R28 of docs/reliability.md that run in seconds.

Every hostile fixture is generated here at test time (no binary files in the repository). The
general contract is asserted for each batch: no traceback, the documented exit code, one status
line per failed file, the documents ingested before are still present and searchable, and
``archiv check`` is clean afterwards. Slow cases (bombs, kill -9, disk full, races) live in
test_faults.py, the fuzzer in test_fuzz.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import random
import re
import shutil
import sqlite3
import stat
import time
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import Result

from archiv.errors import ExitCode
from tests.conftest import run
from tests.fixtures.build import encrypt_pdf, rawpdf, stream, text_page_objs, text_pdf

# --- shared helpers ------------------------------------------------------------------------

BASELINE = {  # file → (pages, a word only this file contains)
    "haushalt.pdf": (["Stadt Lemgo", "Niederschrift über die Sitzung des Rates am 30.09.2021",
                      "Der Rat der Stadt Lemgo beschließt einstimmig die Grundsteuerreform."],
                     "Grundsteuerreform"),
    "radweg.pdf": (["Mitteilung der Verwaltung",
                    "Die Verwaltung berichtet über das Radverkehrsnetz Ostwestfalen."],
                   "Radverkehrsnetz"),
    "schule.pdf": (["Beschlussvorlage Drucksache 0174/20",
                    "Sanierung der Grundschule am Lindenweg, Kostenschätzung 2,4 Mio. Euro."],
                   "Lindenweg"),
    "klima.pdf": (["Antrag der Fraktion", "Klimaschutzkonzept und Photovoltaikoffensive für "
                   "städtische Dächer."], "Photovoltaikoffensive"),
}
FIXED_QUERIES = ("Grundsteuerreform", "Radverkehrsnetz", "Lindenweg", "Photovoltaikoffensive",
                 "Verwaltung")
KNOWN_REASONS = {"not_found", "unreadable", "not_pdf", "empty", "encrypted", "timeout",
                 "resource_limit", "too_many_pages", "unsupported", "changed_during_read"}


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout, result.stdout


def expect(result: Result, code: ExitCode | int) -> Result:
    no_traceback(result)
    assert result.exit_code == int(code), (result.exit_code, result.stderr[-2000:])
    return result


def search_json(index: Path, query: str) -> list[dict]:
    result = expect(run("search", query, "--index", index, "--json", "-n", "1000"), ExitCode.OK)
    return json.loads(result.stdout)


def hit_names(index: Path, query: str) -> list[str]:
    return sorted(Path(h["path"]).name for h in search_json(index, query))


def baseline_intact(index: Path) -> None:
    """Previously ingested documents are still present and searchable."""
    for name, (_pages, word) in BASELINE.items():
        assert name in hit_names(index, word), (name, word)


def check_clean(index: Path) -> dict:
    result = expect(run("check", "--index", index, "--json"), ExitCode.OK)
    data = json.loads(result.stdout)
    assert data["ok"] and not data["duplicates"], data
    return data


def documents(index: Path) -> list[dict]:
    return json.loads(expect(run("documents", "--index", index, "--json"), ExitCode.OK).stdout)


def store_rows(index: Path, sql: str, args: tuple = ()) -> list[tuple]:
    db = sqlite3.connect(f"file:{index / 'archiv.sqlite3'}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def ingest(*args: str | Path) -> Result:
    return run("ingest", *args, "--quiet", "--json", "--timeout", "30")


def failed_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("failed:")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_pdf(*lines: str) -> bytes:
    return text_pdf([list(lines)])


# --- the baseline archive -------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four good documents ingested once; tests copy the archive before changing it."""
    root = tmp_path_factory.mktemp("baseline")
    folder = root / "good"
    folder.mkdir()
    for name, (lines, _word) in BASELINE.items():
        (folder / name).write_bytes(page_pdf(*lines))
    index = root / "index"
    expect(ingest(folder, "--index", index), ExitCode.OK)
    baseline_intact(index)
    return index


@pytest.fixture
def archive(baseline: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive"
    shutil.copytree(baseline, target)
    return target


# --- the hostile batch (R01–R04, R09, R10, R12, R13, R16, R17) ----------------------------


def _rc4(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="geheim", owner_password="o", algorithm="RC4-40")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _with_open_action(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('pwned'); this.exportDataObject({});"),
    })
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _kids_cycle(word: str) -> bytes:
    objs = text_page_objs(f"Beschluss Haushalt {word}")
    objs[2] = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    return rawpdf(objs)


def _xobject_loop(word: str) -> bytes:
    objs = text_page_objs(content=f"BT /F1 24 Tf 72 720 Td (Beschluss Haushalt {word}) Tj ET /X1 Do"
                          .encode("latin-1"))
    objs[3] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>")
    objs[6] = stream(b"/X1 Do", extra=b" /Type /XObject /Subtype /Form /BBox [0 0 612 792]"
                     b" /Resources << /XObject << /X1 6 0 R >> >>")
    return rawpdf(objs)


def _deep_array(word: str) -> bytes:
    objs = text_page_objs(f"Beschluss Haushalt {word}")
    objs[3] = objs[3].replace(b" >> >>", b" >> /Deep 6 0 R >>")
    objs[6] = b"[" * 200_000 + b"]" * 200_000
    return rawpdf(objs)


def _deep_content(word: str) -> bytes:
    content = (f"BT /F1 24 Tf 72 720 Td (Beschluss Haushalt {word}) Tj ET\n".encode("latin-1")
               + b"[" * 100_000 + b"]" * 100_000)
    return rawpdf(text_page_objs(content=content))


@dataclass(frozen=True)
class Case:
    """One hostile file and what must become of it."""

    rid: str
    name: str
    outcome: str  # "ok" or "failed"
    reasons: frozenset[str] = frozenset()
    word: str | None = None  # searchable afterwards (outcome ok)


HOSTILE_NAMES = ("evil\nname\x1b[31m.pdf", "<img src=x onerror=alert(1)>.pdf")
ACTIVE_LINES = ("Aktive Inhalte Skriptprobe", "<script>alert(1)</script>",
                "[x](javascript:alert(1))", "{{7*7}} ${7*7} <%= 7*7 %>")

CASES = [
    Case("R01", "trunc_half.pdf", "failed", frozenset({"unreadable"})),
    Case("R02", "empty.pdf", "failed", frozenset({"empty", "not_pdf"})),
    Case("R02", "html.pdf", "failed", frozenset({"not_pdf"})),
    Case("R02", "random.pdf", "failed", frozenset({"not_pdf"})),
    # Carries the magic, so it passes the sniffing and fails in the parser:
    Case("R02", "header_only.pdf", "failed", frozenset({"not_pdf", "unreadable"})),
    Case("R03", "enc_aes.pdf", "failed", frozenset({"encrypted"})),
    Case("R03", "enc_rc4.pdf", "failed", frozenset({"encrypted"})),
    Case("R04", "owner_only.pdf", "ok", word="Eigentümerschutz"),
    Case("R09", "kids_cycle.pdf", "ok", word="Kidszyklus"),
    Case("R09", "xobject_loop.pdf", "ok", word="Formschleife"),
    Case("R10", "deep_array.pdf", "ok", word="Tiefenarray"),
    Case("R10", "deep_content.pdf", "ok", word="Inhaltstiefe"),
    Case("R13", "active.pdf", "ok", word="Skriptprobe"),
    Case("R16", HOSTILE_NAMES[0], "ok", word="Steuerzeichen"),
    Case("R16", HOSTILE_NAMES[1], "ok", word="Bildattacke"),
    Case("R16", "\udcff.pdf", "ok", word="Bytename"),
]


def build_hostile(folder: Path) -> None:
    folder.mkdir(parents=True)
    five = text_pdf([[f"Seite {n} der Haushaltsrede", "Kürzungsliste"] for n in range(1, 6)])
    (folder / "trunc_half.pdf").write_bytes(five[: len(five) // 2])
    (folder / "trunc_tail.pdf").write_bytes(five[:-30])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "html.pdf").write_text("<html><body>404 Not Found</body></html>", encoding="utf-8")
    (folder / "random.pdf").write_bytes(random.Random(20000).randbytes(20000))
    (folder / "header_only.pdf").write_bytes(b"%PDF-1.7\n")
    secret = page_pdf("Vertraulich", "Passwortgeschützte Vorlage Kennwortprobe")
    (folder / "enc_aes.pdf").write_bytes(encrypt_pdf(secret, "geheim", "o"))
    (folder / "enc_rc4.pdf").write_bytes(_rc4(page_pdf("Vertraulich", "Altverschlüsselt RCvierprobe")))
    (folder / "owner_only.pdf").write_bytes(
        encrypt_pdf(page_pdf("Nur Rechte", "Eigentümerschutz ohne Benutzerpasswort"), "", "o"))
    (folder / "kids_cycle.pdf").write_bytes(_kids_cycle("Kidszyklus"))
    (folder / "xobject_loop.pdf").write_bytes(_xobject_loop("Formschleife"))
    (folder / "prev_loop.pdf").write_bytes(
        rawpdf(text_page_objs("Beschluss Haushalt Prevschleife"),
               trailer_extra=b"/Prev %(startxref)d"))
    (folder / "deep_array.pdf").write_bytes(_deep_array("Tiefenarray"))
    (folder / "deep_content.pdf").write_bytes(_deep_content("Inhaltstiefe"))
    (folder / "vector.pdf").write_bytes(rawpdf(text_page_objs(content=b"0 0 m 100 100 l S")))
    (folder / "active.pdf").write_bytes(_with_open_action(page_pdf(*ACTIVE_LINES)))
    (folder / HOSTILE_NAMES[0]).write_bytes(page_pdf("Steuerzeichen im Dateinamen"))
    (folder / HOSTILE_NAMES[1]).write_bytes(page_pdf("Bildattacke im Dateinamen"))
    fd = os.open(os.fsencode(folder) + b"/\xff.pdf", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, page_pdf("Bytename ohne UTF-8"))
    os.close(fd)
    # R17: one document under five paths (copy, hard link, the same file in two subfolders)
    dup = folder / "dup"
    (dup / "sub1").mkdir(parents=True)
    (dup / "sub2").mkdir()
    (dup / "a.pdf").write_bytes(page_pdf("Doppelt abgelegt", "Dublettenprobe Beschluss"))
    shutil.copy(dup / "a.pdf", dup / "b.pdf")
    os.link(dup / "a.pdf", dup / "c.pdf")
    shutil.copy(dup / "a.pdf", dup / "sub1" / "a.pdf")
    shutil.copy(dup / "a.pdf", dup / "sub2" / "a.pdf")


@dataclass
class Batch:
    index: Path
    folder: Path
    result: Result
    summary: dict
    seconds: float

    def record(self, name: str) -> dict:
        path = os.fsdecode(os.fsencode(self.folder / name))
        hits = [d for d in documents(self.index) if d["path"] == path]
        assert len(hits) == 1, (name, [d["path"] for d in documents(self.index)])
        return hits[0]


@pytest.fixture(scope="module")
def hostile(baseline: Path, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    root = tmp_path_factory.mktemp("hostile")
    index = root / "index"
    shutil.copytree(baseline, index)
    folder = root / "in"
    build_hostile(folder)
    started = time.monotonic()
    result = ingest(folder, "--index", index)
    seconds = time.monotonic() - started
    no_traceback(result)
    return Batch(index, folder, result, json.loads(result.stdout), seconds)


def test_hostile_batch_contract(hostile: Batch) -> None:
    """Exit 1 (some files failed), each failure on one line naming its file, nothing lost."""
    assert hostile.result.exit_code == ExitCode.FILES_FAILED, hostile.result.stderr
    lines = failed_lines(hostile.result)
    assert len(lines) == hostile.summary["failed"] == len(hostile.summary["failures"])
    for failure in hostile.summary["failures"]:
        shown = Path(failure["path"]).name
        assert any(shown in line and f"[{failure['reason']}]" in line for line in lines), failure
        assert failure["reason"] in KNOWN_REASONS, failure
    for line in hostile.result.stderr.splitlines():
        assert "\x1b" not in line  # a hostile name never reaches the terminal raw
    baseline_intact(hostile.index)
    check_clean(hostile.index)
    assert hostile.seconds < 60


@pytest.mark.parametrize("case", [pytest.param(c, id=f"{c.rid}-{c.name.encode('unicode_escape').decode()}")
                                  for c in CASES])
def test_hostile_file_outcome(hostile: Batch, case: Case) -> None:
    record = hostile.record(case.name)
    if case.outcome == "failed":
        assert record["status"] == "failed", record
        assert record["reason"] in case.reasons, record
        assert record["error"] and record["pages"] == 0
        indexed = store_rows(hostile.index, "SELECT state FROM documents WHERE id = ?",
                             (record["document_id"],))
        assert indexed == [("failed",)]
        assert all(Path(h["path"]).name != case.name for h in search_json(hostile.index, "Haushaltsrede"))
    else:
        assert record["status"] == "ok", record
        assert case.word is not None
        assert case.name in hit_names(hostile.index, case.word)


def test_r01_truncated_tail_is_failed_or_fully_recovered(hostile: Batch) -> None:
    """``data[:-30]`` loses only the trailer; a parser that rebuilds the xref may read it all."""
    record = hostile.record("trunc_tail.pdf")
    if record["status"] == "failed":
        assert record["reason"] == "unreadable"
    else:
        assert record["pages"] == 5
        assert "trunc_tail.pdf" in hit_names(hostile.index, "Kürzungsliste")


def test_r09_xref_prev_loop_never_hangs_or_crashes(hostile: Batch) -> None:
    """A ``/Prev`` pointing at its own xref: either unreadable or read once, never a loop."""
    record = hostile.record("prev_loop.pdf")
    if record["status"] == "failed":
        assert record["reason"] == "unreadable"
    else:
        assert "prev_loop.pdf" in hit_names(hostile.index, "Prevschleife")


def test_r03_password_unlocks(hostile: Batch, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(hostile.index, index)
    result = expect(run("ingest", "--retry-failed", "--password", "geheim", "--index", index,
                        "--quiet", "--json"), ExitCode.FILES_FAILED)  # the other failures stay
    assert "enc_aes.pdf" in hit_names(index, "Kennwortprobe")
    assert "enc_rc4.pdf" in hit_names(index, "RCvierprobe")
    failed = {Path(f["path"]).name for f in json.loads(result.stdout)["failures"]}
    assert not failed & {"enc_aes.pdf", "enc_rc4.pdf"}
    baseline_intact(index)


def test_r03_encrypted_message_names_the_password(hostile: Batch) -> None:
    record = hostile.record("enc_aes.pdf")
    assert "enc_aes.pdf" in record["error"]
    assert "--password" in record["error"]


def test_r04_owner_password_only_keeps_the_full_text(hostile: Batch) -> None:
    record = hostile.record("owner_only.pdf")
    shown = json.loads(expect(run("show", record["document_id"], "--index", hostile.index,
                                  "--json"), ExitCode.OK).stdout)
    text = " ".join(p["text"] for p in shown["page_texts"])
    assert "Eigentümerschutz ohne Benutzerpasswort" in text


def _tesseract_ready() -> bool:
    from archiv.extract import ocr

    return ocr.tesseract_status() is None


def test_r12_no_text_layer_is_stored_not_failed(hostile: Batch) -> None:
    """A vector-only page has no text: ``ok:no_text``, stored with its page, listed by
    ``archiv status --needs-ocr``, not an error and not in ``archiv failures``."""
    record = hostile.record("vector.pdf")
    digest = sha(hostile.folder / "vector.pdf")
    assert record["document_id"] == digest
    assert (record["status"], record["error"], record["pages"], record["pages_without_text"]) == (
        "ok:no_text", None, 1, 1), record
    why = "ocr_empty" if _tesseract_ready() else "ocr_unavailable"  # OCR ran and found nothing
    assert store_rows(hostile.index, "SELECT state, path, pages, empty_pages FROM documents "
                      "WHERE id = ?", (digest,)) == [("indexed", record["path"], 1, 1)]
    assert store_rows(hostile.index, "SELECT number, text, no_text FROM pages WHERE document_id = ?",
                      (digest,)) == [(1, "", why)]
    assert all(Path(f["path"]).name != "vector.pdf" for f in hostile.summary["failures"])
    [listed] = [r for r in hostile.summary["without_text"] if Path(r["path"]).name == "vector.pdf"]
    assert (listed["pages_without_text"], listed["reason"]) == ([1], why)
    rows = json.loads(expect(run("failures", "--index", hostile.index, "--json"), ExitCode.OK).stdout)
    assert all(Path(r["path"]).name != "vector.pdf" for r in rows)
    needs = json.loads(expect(run("status", "--needs-ocr", "--index", hostile.index, "--json"),
                              ExitCode.OK).stdout)
    [entry] = [n for n in needs if n["document_id"] == digest]
    assert (entry["status"], entry["pages_without_text"], entry["reasons"]) == (
        "ok:no_text", [1], {why: [1]})
    assert entry["ocr_fixable"] == (why != "ocr_empty")


def test_r12_no_text_file_exits_zero_and_ocr_later_reads_it(archive: Path, tmp_path: Path) -> None:
    """Scans read with ``--ocr never`` are stored (exit 0); a later run with OCR reads them."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "vector.pdf").write_bytes(rawpdf(text_page_objs(content=b"0 0 m 100 100 l S")))
    (folder / "text.pdf").write_bytes(page_pdf("Gewöhnliche Seite Textschichtprobe"))
    result = expect(ingest(folder, "--index", archive, "--ocr", "never"), ExitCode.OK)
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"], summary["no_text"],
            summary["pages_without_text"]) == (2, 0, 1, 1), summary
    assert "1 without text" in result.stderr and "archiv status --needs-ocr" in result.stderr
    status = json.loads(expect(run("status", "--index", archive, "--json"), ExitCode.OK).stdout)
    assert status["states"] == {"ok": 5, "ok:no_text": 1, "failed": 0, "in_progress": 0}, status
    assert (status["needs_ocr"], status["ocr_fixable"], status["failures"]) == (1, 1, 0)
    [entry] = json.loads(expect(run("status", "--needs-ocr", "--index", archive, "--json"),
                                ExitCode.OK).stdout)
    assert entry["reasons"] == {"ocr_off": [1]} and entry["ocr_fixable"]
    shown = expect(run("status", "--needs-ocr", "--index", archive), ExitCode.OK)
    assert "vector.pdf" in shown.stdout and "OCR off" in shown.stdout
    assert "archiv ingest --retry-no-text" in shown.stderr
    check_clean(archive)
    baseline_intact(archive)
    refused = expect(run("ingest", "--retry-no-text", "--ocr", "never", "--index", archive),
                     ExitCode.USAGE)
    assert "--retry-no-text needs OCR" in refused.stderr
    if not _tesseract_ready():
        return
    again = json.loads(expect(ingest("--retry-no-text", "--index", archive), ExitCode.OK).stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 1, 0), again
    [entry] = json.loads(expect(run("status", "--needs-ocr", "--index", archive, "--json"),
                                ExitCode.OK).stdout)
    assert entry["reasons"] == {"ocr_empty": [1]} and not entry["ocr_fixable"]
    # OCR found nothing: nothing left a later run could fix, so the file stays unchanged.
    final = json.loads(expect(ingest(folder, "--index", archive), ExitCode.OK).stdout)
    assert (final["updated"], final["unchanged"]) == (0, 2), final
    check_clean(archive)


def test_r13_active_content_stored_verbatim_and_not_executed(hostile: Batch) -> None:
    record = hostile.record("active.pdf")
    shown = json.loads(expect(run("show", record["document_id"], "--index", hostile.index,
                                  "--json"), ExitCode.OK).stdout)
    text = "\n".join(p["text"] for p in shown["page_texts"])
    for line in ACTIVE_LINES:
        assert line in text, (line, text)
    assert "49" not in text  # no template engine evaluated {{7*7}}


def test_r16_hostile_names_are_escaped_in_terminal_output(hostile: Batch) -> None:
    table = expect(run("documents", "--index", hostile.index), ExitCode.OK).stdout
    assert "\x1b" not in table
    assert len(table.splitlines()) == 2 + len(documents(hostile.index))  # no name split a row
    found = expect(run("search", "Steuerzeichen", "--index", hostile.index), ExitCode.OK).stdout
    assert "\x1b" not in found and "evil\\nname\\x1b[31m.pdf" in found
    found = expect(run("search", "Bytename", "--index", hostile.index), ExitCode.OK).stdout
    assert "\\xff.pdf" in found
    data = search_json(hostile.index, "Bildattacke")
    assert [Path(h["path"]).name for h in data] == [HOSTILE_NAMES[1]]


def test_r17_duplicates_are_one_document_with_every_path(hostile: Batch) -> None:
    dup = hostile.folder / "dup"
    digest = sha(dup / "a.pdf")
    paths = [
        dup / "a.pdf",
        dup / "b.pdf",
        dup / "c.pdf",
        dup / "sub1" / "a.pdf",
        dup / "sub2" / "a.pdf",
    ]
    assert store_rows(hostile.index, "SELECT COUNT(*) FROM documents WHERE id = ?", (digest,)) == [
        (1,)
    ]
    linked = {
        r[0]
        for r in store_rows(
            hostile.index, "SELECT path FROM paths WHERE document_id = ?", (digest,)
        )
    }
    assert linked == {str(p) for p in paths}
    hits = search_json(hostile.index, "Dublettenprobe")
    assert [h["document_id"] for h in hits] == [digest]
    assert [p["page"] for p in hits[0]["pages"]] == [1]  # indexed once, not five times
    assert hostile.summary["skipped"] == 4  # read once; the other four paths are linked


def test_r18_reingest_is_idempotent(hostile: Batch, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(hostile.index, index)
    before_rows = store_rows(index, "SELECT id, state, pages FROM documents ORDER BY id")
    before_pages = json.loads(expect(run("stats", "--index", index, "--json"), ExitCode.OK).stdout)
    result = expect(ingest(hostile.folder, "--index", index), ExitCode.OK)
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["updated"], summary["failed"]) == (0, 0, 0), summary
    assert store_rows(index, "SELECT id, state, pages FROM documents ORDER BY id") == before_rows
    after_pages = json.loads(expect(run("stats", "--index", index, "--json"), ExitCode.OK).stdout)
    assert after_pages["index_pages"] == before_pages["index_pages"]
    check_clean(index)


# --- R14, R15: what discovery must not follow or open ----------------------------------------


def test_r14_symlinks_are_not_followed(archive: Path, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(page_pdf("Geheimakte außerhalb des Ordners"))
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "real.pdf").write_bytes(page_pdf("Echte Vorlage Symlinkprobe"))
    (folder / "s.pdf").symlink_to("../outside/secret.pdf")
    (folder / "sub" / "loop").symlink_to("../..")
    (folder / "out").symlink_to("../outside")
    with caplog.at_level(logging.WARNING):
        result = expect(ingest(folder, "--index", archive), ExitCode.OK)
    assert json.loads(result.stdout)["added"] == 1
    assert "symlink" in caplog.text
    secret = sha(outside / "secret.pdf")
    assert store_rows(archive, "SELECT COUNT(*) FROM documents WHERE id = ?", (secret,)) == [(0,)]
    assert not store_rows(archive, "SELECT path FROM paths WHERE path LIKE ?", (f"{outside}%",))
    assert search_json(archive, "Geheimakte") == []
    assert hit_names(archive, "Symlinkprobe") == ["real.pdf"]
    baseline_intact(archive)
    check_clean(archive)


def test_r15_special_files_are_skipped_without_blocking(archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "fifo.pdf")
    (folder / "zero.pdf").symlink_to("/dev/zero")
    (folder / "real.pdf").write_bytes(page_pdf("Gewöhnliche Datei Fifoprobe"))
    started = time.monotonic()
    result = expect(ingest(folder, "--index", archive), ExitCode.OK)
    assert time.monotonic() - started < 10
    assert json.loads(result.stdout)["added"] == 1
    assert hit_names(archive, "Fifoprobe") == ["real.pdf"]
    # Named explicitly, a FIFO or a device is refused, not opened:
    started = time.monotonic()
    result = expect(ingest(folder / "fifo.pdf", Path("/dev/zero"), "--index", archive),
                    ExitCode.FILES_FAILED)
    assert time.monotonic() - started < 10
    assert len(failed_lines(result)) == 2
    baseline_intact(archive)
    check_clean(archive)
    assert stat.S_ISFIFO(os.lstat(folder / "fifo.pdf").st_mode)


# --- R19: a file changing while it is read ------------------------------------------------------


def test_r19_file_replaced_after_hashing(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Text of version B is never stored under the hash of version A."""
    import archiv.pipeline as pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    target = folder / "grow.pdf"
    target.write_bytes(page_pdf("Fassung A", "Versionsprobe Alpha"))
    hashed = sha(target)
    version_b = page_pdf("Fassung B mit mehr Text", "Versionsprobe Beta und noch mehr")
    real = pipeline.sha256_file

    def hash_then_replace(path: Path) -> str:
        digest = real(path)
        if path.name == "grow.pdf":
            path.write_bytes(version_b)  # replaced between hashing and parsing
        return digest

    monkeypatch.setattr(pipeline, "sha256_file", hash_then_replace)
    result = ingest(folder, "--index", archive)
    no_traceback(result)
    summary = json.loads(result.stdout)
    rows = store_rows(archive, "SELECT state, reason FROM documents WHERE id = ?", (hashed,))
    if summary["failed"]:
        assert result.exit_code == ExitCode.FILES_FAILED
        assert rows == [("failed", "changed_during_read")], (
            summary,
            store_rows(archive, "SELECT id, state, reason, path FROM documents"),
        )
    else:  # a snapshot was read: its text must be version A's
        assert rows and rows[0][0] == "indexed"
        assert search_json(archive, "Beta") == []
    assert [h["document_id"] for h in search_json(archive, "Versionsprobe")] in ([], [hashed])
    monkeypatch.setattr(pipeline, "sha256_file", real)
    # The next run sees the new file and ingests it under its own hash.
    expect(ingest(folder, "--index", archive), ExitCode.OK)
    assert [h["document_id"] for h in search_json(archive, "Beta")] == [sha(target)]
    baseline_intact(archive)
    check_clean(archive)


# --- R22 (fast part): the free-space preflight ---------------------------------------------------

_Usage = namedtuple("_Usage", "total used free")
_TOTAL = 10 * 1024**3  # a 10 GiB file system: the floor is the full 100 MiB


def _disk_with(free: int) -> Callable[[object], _Usage]:
    return lambda _path: _Usage(_TOTAL, _TOTAL - free, free)


def test_r22_preflight_refuses_a_batch_that_does_not_fit(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too little free space: exit 5 with one line before anything is parsed or stored, the
    lock released; exactly enough goes ahead; unchanged files need no space at all."""
    import archiv.pipeline as pipeline
    from archiv.lock import write_lock

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "neu1.pdf").write_bytes(page_pdf("Neue Vorlage", "Platzprobe im Speicher"))
    (folder / "neu2.pdf").write_bytes(page_pdf("Zweite Vorlage", "Freiraumprobe"))
    new_bytes = sum(p.stat().st_size for p in folder.iterdir())
    need = pipeline.SPACE_FLOOR + pipeline.SPACE_FACTOR * new_bytes
    before = store_rows(archive, "SELECT * FROM documents ORDER BY id")
    paths_before = store_rows(archive, "SELECT * FROM paths ORDER BY path")

    class NoParsing:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("parsing started although the batch does not fit")

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "WorkerPool", NoParsing)
        patch.setattr(shutil, "disk_usage", _disk_with(need - 1))
        refused = expect(ingest(folder, "--index", archive), ExitCode.NO_SPACE)
    assert refused.stderr.startswith("Error: ") and len(refused.stderr.strip().splitlines()) == 1
    assert "no space left on device" in refused.stderr and "2 new file(s)" in refused.stderr
    assert refused.stdout == ""
    assert store_rows(archive, "SELECT * FROM documents ORDER BY id") == before
    assert store_rows(archive, "SELECT * FROM paths ORDER BY path") == paths_before
    with write_lock(archive, wait=0):  # released
        pass
    baseline_intact(archive)
    check_clean(archive)

    monkeypatch.setattr(shutil, "disk_usage", _disk_with(need))
    added = json.loads(expect(ingest(folder, "--index", archive), ExitCode.OK).stdout)
    assert added["added"] == 2
    monkeypatch.setattr(shutil, "disk_usage", _disk_with(0))
    again = json.loads(expect(ingest(folder, "--index", archive), ExitCode.OK).stdout)
    assert (again["added"], again["unchanged"]) == (0, 2)
    assert hit_names(archive, "Freiraumprobe") == ["neu2.pdf"]
    check_clean(archive)


def test_r22_preflight_floor_shrinks_on_a_small_file_system(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a 64 MiB volume the floor is 5 % of it, not 100 MiB: an archive that fits is taken."""
    import archiv.pipeline as pipeline

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "klein.pdf").write_bytes(page_pdf("Kleiner Datenträger", "Stickprobe"))
    total = 64 * 1024**2
    need = int(total * pipeline.SPACE_FLOOR_SHARE) + 2 * (folder / "klein.pdf").stat().st_size
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: _Usage(total, total - need + 1, need - 1))
    expect(ingest(folder, "--index", archive), ExitCode.NO_SPACE)
    monkeypatch.setattr(shutil, "disk_usage", lambda _p: _Usage(total, total - need, need))
    expect(ingest(folder, "--index", archive), ExitCode.OK)
    assert hit_names(archive, "Stickprobe") == ["klein.pdf"]


def test_r22_preflight_uses_what_an_input_byte_costs_this_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the archive has read enough, its own ratio of archive bytes to input bytes is the
    factor: plain text costs more than the default 2 bytes per byte (it is stored and
    indexed), so twice the input is refused while the archive's ratio is accepted."""
    import archiv.pipeline as pipeline
    from archiv.archive import Archive

    def write_texts(folder: Path, start: int, count: int) -> None:
        folder.mkdir()
        rng = random.Random(start)
        for n in range(start, start + count):
            words = ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8))
                     for _ in range(600))
            (folder / f"protokoll{n}.txt").write_text(" ".join(words), encoding="utf-8")

    index = tmp_path / "index"
    write_texts(tmp_path / "old", 0, 5)
    expect(ingest(tmp_path / "old", "--index", index), ExitCode.OK)
    with Archive.for_reading(index) as opened:
        ratio = opened.disk_bytes() / opened.store.ingested_bytes()
    assert ratio > 2 * pipeline.SPACE_FACTOR, ratio
    monkeypatch.setattr(pipeline, "SPACE_SAMPLE", 1)
    write_texts(tmp_path / "new", 5, 3)
    size = sum(p.stat().st_size for p in (tmp_path / "new").iterdir())
    factor = min(pipeline.SPACE_FACTOR_MAX, ratio)
    monkeypatch.setattr(shutil, "disk_usage", _disk_with(pipeline.SPACE_FLOOR + 2 * size))
    expect(ingest(tmp_path / "new", "--index", index), ExitCode.NO_SPACE)
    monkeypatch.setattr(shutil, "disk_usage",
                        _disk_with(pipeline.SPACE_FLOOR + int(1.1 * factor * size)))
    assert json.loads(expect(ingest(tmp_path / "new", "--index", index), ExitCode.OK).stdout)[
        "added"] == 3


# --- R24: hostile text in every output ----------------------------------------------------------

PAYLOAD_SUBJECT = ("den Beitritt zum Netzwerk <script>alert(1)</script> | Spalte "
                   "[x](javascript:alert(1)) <img src=x onerror=alert(1)>")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


@pytest.fixture(scope="module")
def xss_archive(baseline: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    index = root / "index"
    shutil.copytree(baseline, index)
    folder = root / "in"
    folder.mkdir()
    (folder / "<img src=x onerror=alert(1)>.txt").write_text(
        "Niederschrift über die Sitzung des Rates der Stadt Lemgo am 12.03.2024\n\n"
        f"Der Rat der Stadt Lemgo beschließt am 12.03.2024 einstimmig {PAYLOAD_SUBJECT}.\n"
        "Zeile zwei | mit Pipe\n", encoding="utf-8")
    expect(ingest(folder, "--index", index), ExitCode.OK)
    return index


def _chronik(index: Path, fmt: str) -> str:
    return expect(run("chronik", "--all", f"--{fmt}", "--index", index), ExitCode.OK).stdout


def test_r24_chronology_json_round_trips_exact_text(xss_archive: Path) -> None:
    entries = json.loads(_chronik(xss_archive, "json"))
    dumped = json.dumps(entries, ensure_ascii=False)
    assert "<script>alert(1)</script>" in dumped, "no chronology entry carries the payload"
    assert "<img src=x onerror=alert(1)>.txt" in dumped  # the source path, exact


def test_r24_chronology_html_has_no_injected_elements(xss_archive: Path) -> None:
    html = _chronik(xss_archive, "html")
    parser = _Tags()
    parser.feed(html)
    assert "img" not in {tag for tag, _ in parser.tags}
    for tag, attrs in parser.tags:
        assert not [name for name, _ in attrs if name.lower().startswith("on")], (tag, attrs)
        for name, value in attrs:
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name, value)
    assert "alert(1)" not in "".join(parser.script_text)
    assert "&lt;script&gt;" in html


def test_r24_chronology_markdown_table_stays_a_table(xss_archive: Path) -> None:
    md = _chronik(xss_archive, "md")
    rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(rows) >= 3, md

    def cells(line: str) -> int:
        return len(line.replace("\\|", "").split("|"))

    assert {cells(r) for r in rows} == {cells(rows[0])}, md
    assert "[x](javascript:" not in md
    assert not re.search(r"(?<!\\)<(script|img)", md), md  # only escaped: \<img is text


def test_r24_search_json_round_trips_hostile_snippets(xss_archive: Path) -> None:
    hits = search_json(xss_archive, "Spalte")
    assert len(hits) == 1
    shown = json.loads(expect(run("show", hits[0]["document_id"], "--index", xss_archive,
                                  "--json"), ExitCode.OK).stdout)
    assert "<script>alert(1)</script>" in shown["page_texts"][0]["text"]
    assert "\x02" not in json.dumps(hits) and "\x03" not in json.dumps(hits)


# --- R25: a damaged index ------------------------------------------------------------------------


def _whoosh(index: Path) -> Path:
    return index / "whoosh"


def _delete_segment(index: Path) -> None:
    segments = sorted(p for p in _whoosh(index).iterdir() if p.suffix == ".seg")
    assert segments, sorted(p.name for p in _whoosh(index).iterdir())
    segments[0].unlink()


def _tocs(index: Path) -> list[Path]:
    tocs = sorted(_whoosh(index).glob("*.toc"))
    assert tocs
    return tocs


def _truncate_toc(index: Path) -> None:
    toc = _tocs(index)[-1]
    toc.write_bytes(toc.read_bytes()[: toc.stat().st_size // 2])


def _zero_toc(index: Path) -> None:
    toc = _tocs(index)[-1]
    toc.write_bytes(b"\0" * toc.stat().st_size)


def _delete_tocs(index: Path) -> None:
    for toc in _tocs(index):
        toc.unlink()


def _delete_dir(index: Path) -> None:
    shutil.rmtree(_whoosh(index))


@pytest.mark.parametrize("damage", [
    pytest.param(_delete_segment, id="delete-seg"),
    pytest.param(_truncate_toc, id="truncate-toc"),
    pytest.param(_zero_toc, id="zero-toc"),
    pytest.param(_delete_tocs, id="delete-all-tocs"),
    pytest.param(_delete_dir, id="delete-index-dir"),
])
def test_r25_damaged_index(archive: Path, damage: object) -> None:
    expected = {q: hit_names(archive, q) for q in FIXED_QUERIES}
    assert all(expected.values())
    store_before = store_rows(archive, "SELECT id, state, pages FROM documents ORDER BY id")
    damage(archive)  # type: ignore[operator]
    result = expect(run("search", "Grundsteuerreform", "--index", archive), ExitCode.INDEX_DAMAGED)
    assert "archiv reindex" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr
    assert store_rows(archive, "SELECT id, state, pages FROM documents ORDER BY id") == store_before
    check = run("check", "--index", archive)
    no_traceback(check)
    assert check.exit_code in (ExitCode.DRIFT, ExitCode.INDEX_DAMAGED)
    assert "reindex" in check.stderr
    # Ingest refuses to write into a damaged index rather than wiping it:
    no_traceback(run("ingest", archive / "nothing-here", "--index", archive, "--quiet"))
    expect(run("reindex", "--index", archive), ExitCode.OK)
    assert {q: hit_names(archive, q) for q in FIXED_QUERIES} == expected
    assert store_rows(archive, "SELECT id, state, pages FROM documents ORDER BY id") == store_before
    check_clean(archive)


# --- R28: queries that would take minutes or crash the parser -----------------------------------

DOS_QUERIES = [
    pytest.param("*", id="star"),
    pytest.param("a*", id="short-prefix"),
    pytest.param("*e*", id="infix"),
    pytest.param("body:[a TO z]", id="range"),
    pytest.param("text:[a TO z]", id="range-text"),
    pytest.param("x~3", id="fuzzy-3"),
    pytest.param("(" * 10_000, id="nested-parens"),
    pytest.param("(" * 10_000 + "a" + ")" * 10_000, id="balanced-parens"),
    pytest.param("Verwaltung " * 10_000, id="100k-query"),
    pytest.param("Verwal\x00tung", id="nul"),
    pytest.param("\x1b[31mVerwaltung", id="escape"),
    pytest.param("path:/etc/passwd", id="path-field"),
    pytest.param('"' * 5001, id="quotes"),
    pytest.param("a OR " * 3000 + "b", id="wide-or"),
]


@pytest.mark.parametrize("query", DOS_QUERIES)
def test_r28_query_is_bounded(baseline: Path, query: str) -> None:
    started = time.monotonic()
    result = run("search", query, "--index", baseline, "--json")
    elapsed = time.monotonic() - started
    no_traceback(result)
    assert elapsed < 2.0, elapsed
    assert result.exit_code in (ExitCode.OK, ExitCode.USAGE), result.stderr
    assert "\x1b" not in result.stderr
    if result.exit_code == ExitCode.USAGE:
        assert result.stderr.startswith("Error:") and len(result.stderr.splitlines()) <= 2
    else:
        json.loads(result.stdout)


def test_r28_non_public_fields_are_not_searchable(baseline: Path) -> None:
    """A field query may only reach the documented fields, never the stored raw path or ids."""
    digest = store_rows(baseline, "SELECT id FROM documents LIMIT 1")[0][0]
    for query in (f"document_id:{digest}", f"id:{digest}", f"sha256:{digest}", "path:haushalt*"):
        result = run("search", query, "--index", baseline, "--json")
        no_traceback(result)
        if result.exit_code == ExitCode.OK:
            assert [h["document_id"] for h in json.loads(result.stdout)] != [digest], query
        else:
            assert result.exit_code == ExitCode.USAGE, (query, result.stderr)


# --- dependency guard ---------------------------------------------------------------------------


def _versions(**installed: str):  # noqa: ANN202
    from importlib import metadata

    def version_of(name: str) -> str:
        if name not in installed:
            raise metadata.PackageNotFoundError(name)
        return installed[name]

    return version_of


@pytest.mark.parametrize(("installed", "message"), [
    pytest.param({"pdfminer.six": "20231228", "whoosh-reloaded": "2.7.5"}, "CVE-2025-64512", id="old-pdfminer"),
    pytest.param({"pdfminer.six": "20251107", "whoosh-reloaded": "2.7.5"}, "too old", id="pdfminer-just-before"),
    pytest.param({"pdfminer.six": "20260107", "whoosh-reloaded": "2.7.4"}, "exactly 2.7.5", id="old-whoosh"),
    pytest.param({"pdfminer.six": "20260107", "whoosh-reloaded": "2.8.0"}, "exactly 2.7.5", id="new-whoosh"),
    pytest.param({"whoosh-reloaded": "2.7.5"}, "not installed", id="no-pdfminer"),
])
def test_dependency_guard_refuses(installed: dict[str, str], message: str) -> None:
    from archiv.deps import DependencyError, check_dependencies

    with pytest.raises(DependencyError, match=message) as caught:
        check_dependencies(_versions(**installed))
    assert "pip install '" in str(caught.value)


@pytest.mark.parametrize("installed", [
    pytest.param({"pdfminer.six": "20251230", "whoosh-reloaded": "2.7.5"}, id="minimum"),
    pytest.param({"pdfminer.six": "20260107", "whoosh-reloaded": "2.7.5"}, id="newer-pdfminer"),
])
def test_dependency_guard_accepts(installed: dict[str, str]) -> None:
    from archiv.deps import check_dependencies

    check_dependencies(_versions(**installed))


def test_dependency_guard_passes_in_this_environment_and_blocks_the_cli(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import archiv.deps as deps

    deps.check_dependencies()  # the installed versions are the verified ones
    impossible = deps.Requirement("pdfminer.six", minimum="99990101", why="test")
    monkeypatch.setattr(deps, "REQUIREMENTS", (impossible,))
    result = run("stats", "--index", tmp_path / "x")
    no_traceback(result)
    assert result.exit_code == ExitCode.INTERNAL
    assert "pdfminer.six" in result.stderr and "too old" in result.stderr
