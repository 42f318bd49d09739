"""Read council files (PDF, text, Word, OpenDocument) into cleaned per-page text.

``extract_file`` reads in this process; ingest runs it inside the isolated workers of
``archiv.workers`` (time and memory limits), and ``extract_isolated`` does the same for one
file. Every failure is an ``ExtractError`` with a stable ``reason``.
"""

from __future__ import annotations

import functools
import logging
import zipfile
from pathlib import Path

from archiv.errors import ExtractError
from archiv.extract import clean, ocr
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
    if not any(page.text.strip() for page in result.pages):
        hint = "no text layer and OCR found nothing"
        if any("need OCR but" in warning for warning in result.warnings):
            hint = f"no text layer and no OCR: {ocr.INSTALL_HINT}"
        elif result.file_type == "pdf" and options.ocr == "never":
            hint = "no text layer (scanned?); run again with OCR enabled"
        raise ExtractError("no_text", f"{path}: {hint}")
    return result


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
