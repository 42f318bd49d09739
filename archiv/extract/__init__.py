"""Read council files (PDF, text, Word, OpenDocument) into cleaned per-page text.

``extract_file`` reads in this process; ingest runs it inside the isolated workers of
``archiv.workers`` (time and memory limits), and ``extract_isolated`` does the same for one
file. Every failure is an ``ExtractError`` with a stable ``reason``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import zipfile
from pathlib import Path

from archiv.errors import ExtractError
from archiv.extract import clean
from archiv.models import ExtractedFile, ExtractOptions, PageText

__all__ = [
    "SUPPORTED_SUFFIXES",
    "extract_file",
    "extract_isolated",
    "sniff_type",
]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".pdf", ".txt", ".docx", ".odt"})
_MAGIC_WINDOW = 1024
_ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIME:
                return "odt"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


def sniff_type(path: Path) -> str:
    """The file's real type from its first bytes; the suffix only decides between text kinds.

    A ``.pdf`` that does not start like a PDF is ``not_pdf`` (HTML error pages saved by a
    crawler are the usual case); an unknown suffix is ``unsupported``.
    """
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ExtractError("unsupported", f"{path}: not a regular file")
        with path.open("rb") as handle:
            head = handle.read(_MAGIC_WINDOW)
    except FileNotFoundError:
        raise ExtractError("not_found", f"{path}: file not found") from None
    except PermissionError:
        raise ExtractError("unreadable", f"{path}: permission denied") from None
    except OSError as error:
        raise ExtractError("unreadable", f"{path}: cannot read ({error.strerror})") from None
    suffix = path.suffix.lower()
    if size == 0:
        raise ExtractError("empty", f"{path}: empty file (0 bytes)")
    if head.startswith(b"%PDF-") or (b"%PDF-" in head and suffix != ".txt"):
        return "pdf"  # junk before the header is tolerated, as PDF readers do
    if suffix == ".pdf":
        raise ExtractError("not_pdf", f"{path}: not a PDF (no %PDF- header), maybe an HTML page")
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
        if kind is not None:
            return kind
        if suffix in {".docx", ".odt"}:
            raise ExtractError("unreadable", f"{path}: damaged {suffix[1:]} file")
    if suffix == ".txt" and b"\x00" not in head:
        return "txt"
    if suffix in {".docx", ".odt", ".txt"}:
        raise ExtractError("unreadable", f"{path}: content does not match its {suffix} suffix")
    raise ExtractError(
        "unsupported",
        f"{path}: unsupported file type {suffix or '(no suffix)'}; "
        f"supported: {', '.join(sorted(SUPPORTED_SUFFIXES))}",
    )


def _read_other(path: Path, kind: str) -> ExtractedFile:
    from archiv.extract import formats  # python-docx/odfpy load only when such a file comes

    reader = {"txt": formats.read_txt, "docx": formats.read_docx, "odt": formats.read_odt}[kind]
    texts = [clean.clean_page(text) for text in reader(path)]
    if len(texts) > 1:
        texts = clean.remove_running_lines(texts)
    pages = tuple(PageText(n + 1, text) for n, text in enumerate(texts))
    return ExtractedFile(pages=pages, title=None, file_type=kind)


def _read(path: Path, options: ExtractOptions) -> ExtractedFile:
    kind = sniff_type(path)
    if kind == "pdf":
        from archiv.extract.pdf import read_pdf  # pdfium loads only when a PDF comes

        return read_pdf(path, options)
    return _read_other(path, kind)


def extract_file(path: Path, options: ExtractOptions) -> ExtractedFile:
    """Read one file in this process; any library failure becomes an ``ExtractError``.

    PDF libraries raise raw ``TypeError``/``KeyError``/``RecursionError`` on corrupt files;
    those mean the file is unreadable, not that archiv has a bug.
    """
    path = Path(path)
    try:
        result = _read(path, options)
    except ExtractError:
        raise
    except MemoryError:
        raise ExtractError("resource_limit", f"{path}: out of memory while reading") from None
    except RecursionError:
        raise ExtractError("unreadable", f"{path}: structure nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - third-party parsers fail in arbitrary ways
        logger.debug("reading %s failed", path, exc_info=True)
        raise ExtractError(
            "unreadable", f"{path}: damaged file ({type(error).__name__}: {error})"
        ) from None
    return _mark_pages_without_text(result, options)


_OCR_FAILED = re.compile(r"OCR failed on page (\d+) \(")


def _mark_pages_without_text(result: ExtractedFile, options: ExtractOptions) -> ExtractedFile:
    """Give every page without text the reason why, instead of failing the file.

    A scan read with ``--ocr never``, or while Tesseract is missing, is a document the archive
    keeps (``ok:no_text``): its path, hash and facts are known, and the stored reason tells a
    later run with OCR which pages it can fix. The PDF reader reports OCR trouble as warnings
    only, so the reasons are read back from them here.
    """
    pages = result.pages or (PageText(1, ""),)  # a file with no page at all: one empty page
    if all(page.text.strip() for page in pages):
        return result
    failed = {int(m.group(1)) for w in result.warnings for m in _OCR_FAILED.finditer(w)}
    unavailable = any("need OCR but" in warning for warning in result.warnings)
    marked = []
    for page in pages:
        if page.text.strip():
            marked.append(page)
            continue
        if page.ocr:
            reason = "ocr_empty"
        elif result.file_type != "pdf":
            reason = "empty"
        elif page.number in failed:
            reason = "ocr_failed"
        elif options.ocr == "never":
            reason = "ocr_off"
        elif unavailable:
            reason = "ocr_unavailable"
        else:  # e.g. only a running head or page number, removed by cleaning
            reason = "empty"
        marked.append(dataclasses.replace(page, text="", no_text=reason))
    return dataclasses.replace(result, pages=tuple(marked))


def extract_isolated(path: Path, options: ExtractOptions) -> ExtractedFile:
    """``extract_file`` in a worker process under ``options``' time and memory limits."""
    from archiv.workers import Failure, WorkerPool

    with WorkerPool(
        functools.partial(extract_file, options=options),
        jobs=1,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
    ) as pool:
        [(_, result)] = list(pool.imap([path]))
    if isinstance(result, Failure):
        raise ExtractError(result.reason, result.message)
    return result
