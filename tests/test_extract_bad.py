"""Bad and hostile input: every failure is an ExtractError with a stable reason (R01–R09)."""

from __future__ import annotations

import functools
import os
import resource
import time
import zipfile
from pathlib import Path

import pytest

from archiv.errors import ExtractError
from archiv.extract import extract_file, extract_isolated, sniff_type
from archiv.models import ExtractedFile, ExtractOptions
from archiv.workers import Failure, WorkerPool
from tests.fixtures.build import (
    encrypt_pdf,
    flate_bomb_pdf,
    rawpdf,
    slow_pdf,
    text_page_objs,
    text_pdf,
)

AUTO = ExtractOptions()
TOPICS = ["Haushalt", "Schulen", "Verkehr", "Kultur", "Sport"]
FIVE_PAGES = text_pdf(
    [[f"Beschluss zum Thema {topic}", f"Der Rat stimmt {topic} zu."] for topic in TOPICS],
    header="Stadt Paderborn – Haushalt 2024",
    footer="Seite {page} von {pages}",
)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def reason_of(path: Path, options: ExtractOptions = AUTO) -> ExtractError:
    with pytest.raises(ExtractError) as caught:
        extract_file(path, options)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    return caught.value


def kids_cycle() -> bytes:
    objs = text_page_objs()
    objs[2] = b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    return rawpdf(objs)


def self_calling_xobject() -> bytes:
    objs = text_page_objs(content=b"BT /F1 24 Tf 72 720 Td (Beschluss Haushalt) Tj ET /X1 Do")
    objs[3] = objs[3].replace(
        b"/Font << /F1 5 0 R >>", b"/Font << /F1 5 0 R >> /XObject << /X1 6 0 R >>"
    )
    objs[6] = (
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Length 6"
        b" /Resources << /XObject << /X1 6 0 R >> >> >>\nstream\n/X1 Do\nendstream"
    )
    return rawpdf(objs)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        pytest.param("half.pdf", FIVE_PAGES[: len(FIVE_PAGES) // 2], "unreadable", id="truncated"),
        pytest.param("tail.pdf", FIVE_PAGES[:-30], "unreadable", id="truncated-tail"),
        pytest.param("zero.pdf", b"", "empty", id="zero-bytes"),
        pytest.param("page.pdf", b"<!DOCTYPE html><html>404</html>", "not_pdf", id="html"),
        pytest.param(
            "noise.pdf", os.urandom(20000).replace(b"%PDF-", b"xxxxx"), "not_pdf", id="random"
        ),
        pytest.param("header.pdf", b"%PDF-1.7\n", "unreadable", id="header-only"),
        pytest.param("notes.xyz", b"some text", "unsupported", id="unknown-suffix"),
        pytest.param("image.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "unsupported", id="png"),
        pytest.param("fake.docx", b"not a zip", "unreadable", id="fake-docx"),
        pytest.param("binary.txt", b"\x00\x01\x02binary", "unreadable", id="binary-txt"),
    ],
)
def test_bad_input_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    assert reason_of(write(tmp_path / name, data), ExtractOptions(ocr="never")).reason == reason


def test_vector_only_page_is_kept_with_its_reason(tmp_path: Path) -> None:
    """No text is not an error (R12): the page comes back empty, saying why."""
    pdf = write(tmp_path / "vector.pdf", rawpdf(text_page_objs(content=b"0 0 m 100 100 l S")))
    [page] = extract_file(pdf, ExtractOptions(ocr="never")).pages
    assert (page.text, page.ocr, page.no_text) == ("", False, "ocr_off")


def test_not_found(tmp_path: Path) -> None:
    error = reason_of(tmp_path / "missing.pdf")
    assert error.reason == "not_found"
    with pytest.raises(ExtractError, match="not found"):
        sniff_type(tmp_path / "missing.pdf")


def test_broken_docx_zip(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    assert reason_of(path).reason == "unreadable"


def test_encrypted_with_user_password(tmp_path: Path) -> None:
    pdf = write(tmp_path / "geheim.pdf", encrypt_pdf(FIVE_PAGES, user_password="geheim"))
    error = reason_of(pdf)
    assert error.reason == "encrypted" and "--password" in str(error)
    assert reason_of(pdf, ExtractOptions(password="falsch")).reason == "encrypted"
    result = extract_file(pdf, ExtractOptions(password="geheim"))
    assert result.pages[2].text == "Beschluss zum Thema Verkehr\nDer Rat stimmt Verkehr zu."


def test_owner_password_only_opens(tmp_path: Path) -> None:
    pdf = write(tmp_path / "owner.pdf", encrypt_pdf(FIVE_PAGES, user_password=""))
    text = extract_file(pdf, AUTO).pages[0].text
    assert text == "Beschluss zum Thema Haushalt\nDer Rat stimmt Haushalt zu."


def test_too_many_pages(tmp_path: Path) -> None:
    pdf = write(tmp_path / "lang.pdf", FIVE_PAGES)
    assert reason_of(pdf, ExtractOptions(max_pages=4)).reason == "too_many_pages"
    assert len(extract_file(pdf, ExtractOptions(max_pages=5)).pages) == 5


def test_xref_prev_loop_still_reads(tmp_path: Path) -> None:
    """pdfium ignores a /Prev that points at its own xref; the page is readable."""
    pdf = write(
        tmp_path / "prev.pdf", rawpdf(text_page_objs(), trailer_extra=b"/Prev %(startxref)d")
    )
    assert [p.text for p in extract_file(pdf, AUTO).pages] == ["Beschluss Haushalt"]


def test_kids_cycle_keeps_readable_page(tmp_path: Path) -> None:
    result = extract_file(write(tmp_path / "kids.pdf", kids_cycle()), AUTO)
    assert result.pages[0].text == "Beschluss Haushalt"
    assert all(p.text == "" for p in result.pages[1:])
    assert len(result.pages) == 2  # the looping page is kept, empty, with a warning
    assert result.warnings[0].startswith(f"{tmp_path / 'kids.pdf'}: page 2")


def test_self_calling_xobject(tmp_path: Path) -> None:
    result = extract_file(write(tmp_path / "xobj.pdf", self_calling_xobject()), AUTO)
    assert "Beschluss Haushalt" in result.pages[0].text


def test_deep_nesting(tmp_path: Path) -> None:
    objs = text_page_objs()
    objs[6] = b"[" * 200_000 + b"]" * 200_000
    pdf = write(tmp_path / "deep.pdf", rawpdf(objs))
    assert extract_file(pdf, AUTO).pages[0].text == "Beschluss Haushalt"


def test_library_exception_becomes_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pdfplumber/pdfminer raise raw TypeErrors on some corrupt files (3 % in fuzzing)."""
    import archiv.extract.pdf as pdf_module

    def explode(*args: object, **kwargs: object) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(pdf_module, "_page_text", explode)
    error = reason_of(write(tmp_path / "x.pdf", FIVE_PAGES))
    assert error.reason == "unreadable" and "TypeError" in str(error)


# -- isolation: worker processes with time and memory limits --------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1 GiB of spaces behind 1 MB of flate (built once: ~3 s)."""
    return write(tmp_path_factory.mktemp("bomb") / "bomb.pdf", flate_bomb_pdf(1.0))


def _alive_children() -> set[int]:
    own = str(os.getpid())
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if stat[1] == own:
                children.add(int(entry.name))
    return children


def test_isolated_reads_normal_file(tmp_path: Path) -> None:
    pdf = write(tmp_path / "ok.pdf", FIVE_PAGES)
    assert isinstance(extract_isolated(pdf, AUTO), ExtractedFile)
    with pytest.raises(ExtractError) as caught:
        extract_isolated(tmp_path / "missing.pdf", AUTO)
    assert caught.value.reason == "not_found"


def test_slow_pdf_times_out_and_leaves_no_process(tmp_path: Path) -> None:
    before = _alive_children()
    pdf = write(tmp_path / "slow.pdf", slow_pdf())
    started = time.monotonic()
    with pytest.raises(ExtractError) as caught:
        extract_isolated(pdf, ExtractOptions(timeout=1.0))
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 8
    assert _alive_children() <= before  # killed and reaped: no zombie


def test_flate_bomb_hits_memory_limit(bomb: Path) -> None:
    started = time.monotonic()
    with pytest.raises(ExtractError) as caught:
        extract_isolated(bomb, ExtractOptions(memory_mb=512, timeout=60))
    assert caught.value.reason == "resource_limit"
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 400 * 1024  # parent stayed small


def test_pool_survives_bad_files_and_replaces_workers(tmp_path: Path, bomb: Path) -> None:
    good = [write(tmp_path / f"ok{n}.pdf", FIVE_PAGES) for n in range(4)]
    slow = write(tmp_path / "slow.pdf", slow_pdf())
    empty = write(tmp_path / "empty.pdf", b"")
    options = ExtractOptions(timeout=3, memory_mb=512)
    batch = [good[0], bomb, good[1], empty, good[2], good[3]]
    with WorkerPool(functools.partial(extract_file, options=options), jobs=2,
                    timeout=options.timeout, memory_mb=options.memory_mb) as pool:
        results = dict(pool.imap(batch))
        after = dict(pool.imap([good[0]]))  # the pool still works after a killed worker
    with WorkerPool(functools.partial(extract_file, options=options), jobs=1,
                    timeout=0.3, memory_mb=options.memory_mb) as pool:
        results.update(pool.imap([slow]))
    reasons = {
        path.name: (r.reason if isinstance(r, Failure) else len(r.pages))
        for path, r in results.items()
    }
    assert reasons == {
        "ok0.pdf": 5,
        "ok1.pdf": 5,
        "ok2.pdf": 5,
        "ok3.pdf": 5,
        "bomb.pdf": "resource_limit",
        "empty.pdf": "empty",
        "slow.pdf": "timeout",
    }
    assert len(after[good[0]].pages) == 5


def test_pool_terminates_on_caller_error(tmp_path: Path) -> None:
    import signal

    slow = write(tmp_path / "slow.pdf", slow_pdf())
    before = _alive_children()
    started = time.monotonic()
    options = ExtractOptions(timeout=60)

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)  # Ctrl-C while the worker is busy
    try:
        with pytest.raises(KeyboardInterrupt), WorkerPool(
            functools.partial(extract_file, options=options), jobs=1, timeout=60, memory_mb=2048
        ) as pool:
            list(pool.imap([slow]))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < 10
    assert _alive_children() <= before
