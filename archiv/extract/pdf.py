"""PDF pages to text: pypdfium2 for every page, pdfplumber only where tables need it.

pypdfium2 reads plain text about 80 times faster than pdfplumber, so it is the default. Its
weak spot is ruled tables (cells come out in drawing order and wrapped cell text is split), so
pages with enough ruling lines are handed to pdfplumber's table finder; everything outside the
tables is still read by pdfium. Multi-column pages are read column by column from pdfium's
text rectangles. Pages with no or garbled text go to Tesseract (see ``ocr.py``).
"""

from __future__ import annotations

import itertools
import logging
import re
import subprocess
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from ctypes import c_double
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from archiv.errors import ExtractError
from archiv.extract import clean, ocr
from archiv.models import ExtractedFile, ExtractOptions, PageText

logger = logging.getLogger(__name__)

OCR_WORKERS = 2
EDGE_BAND = 0.075  # share of the page height read first/last as header/footer band
MAX_OCR_PIXELS = 35_000_000
_JUNK_TITLE = re.compile(
    r"^(?:microsoft (?:word|powerpoint|excel) - .*|untitled|unbenannt|dokument\d*|"
    r".*\.(?:docx?|pptx?|xlsx?|odt|pdf|rtf|tmp)|\s*)$",
    re.IGNORECASE,
)

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF points


@dataclass(frozen=True, slots=True)
class _RawPage:
    """One page's text before cleaning, and whether it still needs OCR."""

    number: int
    text: str
    needs_ocr: bool
    method: str  # pdfium, columns, tables
    garbled: bool = False


def open_document(path: Path, options: ExtractOptions) -> pdfium.PdfDocument:
    """Open with pdfium and turn its error codes into our reasons."""
    try:
        return pdfium.PdfDocument(str(path), password=options.password)
    except pdfium.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            if options.password:
                raise ExtractError(
                    "encrypted", f"{path}: the password given with --password is wrong"
                ) from None
            raise ExtractError(
                "encrypted", f"{path}: encrypted, needs a password; pass it with --password"
            ) from None
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise ExtractError(
                "encrypted", f"{path}: unsupported security handler, cannot decrypt"
            ) from None
        raise ExtractError("unreadable", f"{path}: damaged PDF ({error})") from None


def metadata_title(document: pdfium.PdfDocument) -> str | None:
    """The Title entry unless it is a file name or a word-processor default."""
    try:
        title = (document.get_metadata_value("Title") or "").strip()
    except Exception:  # noqa: BLE001 - metadata is optional; a broken Info dict is no error
        return None
    title = clean.normalize_whitespace(clean.normalize_unicode(title)).replace("\n", " ")
    if len(title) < 3 or _JUNK_TITLE.match(title):
        return None
    return title


class _Chars:
    """A page's characters in pdfium's order, with the centre of each (None: generated).

    Regions are cut by character centres rather than ``get_text_bounded``, which returns
    every character merely touching a rectangle and so duplicates text at region borders.
    """

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        count = textpage.count_chars()
        self.text = textpage.get_text_range(0, count) if count > 0 else ""
        self.centers: list[tuple[float, float] | None] | None = None
        self.heights: list[float] = []
        if len(self.text) != count:  # surrogate pairs: indices no longer line up
            return
        centers: list[tuple[float, float] | None] = []
        left, right, bottom, top = c_double(), c_double(), c_double(), c_double()
        charbox = pdfium_c.FPDFText_GetCharBox
        raw = textpage.raw
        text = self.text
        for index in range(count):
            # the raw call with reused doubles is 3x faster than get_charbox(); order is lrbt
            if text[index] in "\r\n" or not charbox(raw, index, left, right, bottom, top):
                centers.append(None)
                continue
            l_, r_, b_, t_ = left.value, right.value, bottom.value, top.value
            if r_ <= l_ and t_ <= b_:
                centers.append(None)
            else:
                centers.append(((l_ + r_) / 2, (b_ + t_) / 2))
                self.heights.append(t_ - b_)
        self.centers = centers

    def render(self, layout: list[Box | str]) -> str:
        """Text of each box (chars whose centre lies in it) and each ready string, in order."""
        if self.centers is None:
            return self.text
        boxes = [(i, item) for i, item in enumerate(layout) if not isinstance(item, str)]
        centers = self.centers
        region: list[int | None] = [None] * len(centers)
        for index, center in enumerate(centers):
            if center is None:
                continue
            x, y = center
            for i, (left, bottom, right, top) in boxes:
                if left <= x <= right and bottom <= y <= top:
                    region[index] = i
                    break
        # a generated space or line break belongs to a region only inside a run of that region
        previous: int | None = None
        pending: list[int] = []
        for index, center in enumerate(centers):
            if center is None:
                pending.append(index)
                continue
            if pending and previous is not None and previous == region[index]:
                for j in pending:
                    region[j] = previous
            pending = []
            previous = region[index]
        line_gap = (sorted(self.heights)[len(self.heights) // 2] if self.heights else 10) / 2
        parts: dict[int, list[str]] = {i: [] for i, _ in boxes}
        last_y: dict[int, float] = {}
        position = 0
        for key, run in itertools.groupby(region):
            length = sum(1 for _ in run)
            start, position = position, position + length
            if key is None:
                continue
            first, last = centers[start], centers[start + length - 1]
            if parts[key] and first is not None:  # text of this region resumes elsewhere
                parts[key].append("\n" if abs(last_y[key] - first[1]) > line_gap else " ")
            parts[key].append(self.text[start : start + length])
            if last is not None:
                last_y[key] = last[1]
        blocks = [
            item if isinstance(item, str) else "".join(parts[i]) for i, item in enumerate(layout)
        ]
        return "\n".join(b.strip("\r\n") for b in blocks if b.strip())


def _find_gutter(rects: list[Box], width: float) -> float | None:
    """The x of a column gutter, if the text rectangles form two filled columns.

    Two side-by-side lists (a label column and a value column, as on slides) are not columns:
    real text columns are filled, their lines run up to the gutter.
    """
    if len(rects) < 8:
        return None
    best: tuple[int, float] | None = None
    x = width * 0.3
    while x <= width * 0.7:
        crossing = sum(1 for left, _, right, _ in rects if left < x - 1 and right > x + 1)
        if best is None or crossing < best[0]:
            best = (crossing, x)
        x += 2.0
    assert best is not None
    crossing, gutter = best
    left_rects = [r for r in rects if r[2] <= gutter + 1]
    right_rects = [r for r in rects if r[0] >= gutter - 1]
    if len(left_rects) < 4 or len(right_rects) < 4 or crossing > 0.1 * len(rects):
        return None
    left_start = min(r[0] for r in left_rects)
    right_end = max(r[2] for r in right_rects)
    left_fill = sorted(r[2] - left_start for r in left_rects)[len(left_rects) // 2]
    right_fill = sorted(right_end - r[0] for r in right_rects)[len(right_rects) // 2]
    if left_fill < 0.6 * (gutter - left_start) or right_fill < 0.6 * (right_end - gutter):
        return None
    overlap = min(max(r[3] for r in left_rects), max(r[3] for r in right_rects)) - max(
        min(r[1] for r in left_rects), min(r[1] for r in right_rects)
    )
    return gutter if overlap > 0 else None


def _text_rects(textpage: pdfium.PdfTextPage, box: Box) -> list[Box]:
    left, bottom, right, top = box
    rects: list[Box] = []
    for index in range(textpage.count_rects()):
        r = textpage.get_rect(index)
        center = (r[1] + r[3]) / 2
        if bottom <= center <= top and r[2] - r[0] > 0.5:
            rects.append((r[0], r[1], r[2], r[3]))
    return rects


def _body_layout(textpage: pdfium.PdfTextPage, box: Box) -> tuple[list[Box | str], str]:
    """The region boxes of a body area: one box, or full-width parts around two columns."""
    left, bottom, right, top = box
    rects = _text_rects(textpage, box)
    gutter = _find_gutter([(r[0] - left, r[1], r[2] - left, r[3]) for r in rects], right - left)
    if gutter is None:
        return [box], "pdfium"
    gutter += left
    column_rects = [r for r in rects if r[2] <= gutter + 1 or r[0] >= gutter - 1]
    col_top = max(r[3] for r in column_rects) + 0.5
    col_bottom = min(r[1] for r in column_rects) - 0.5
    return [
        (left, col_top, right, top),
        (left, col_bottom, gutter, col_top),
        (gutter, col_bottom, right, col_top),
        (left, bottom, right, col_bottom),
    ], "columns"


def _bands(box: Box) -> tuple[Box, Box, Box]:
    """Header band, body, footer band: running lines end up first and last in the text."""
    left, bottom, right, top = box
    band = (top - bottom) * EDGE_BAND
    return (
        (left, top - band, right, top + 1),
        (left, bottom + band, right, top - band),
        (left, bottom - 1, right, bottom + band),
    )


def _looks_ruled(page: pdfium.PdfPage) -> bool:
    """Cheap pre-check before asking pdfplumber for tables (which costs ~50 ms a page).

    Ruled tables draw thin horizontal and vertical lines or small rectangles (cell borders,
    shading); one rule under a letterhead or a logo made of curves is not enough.
    """
    horizontal = vertical = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        width, height = right - left, top - bottom
        if height < 3 and width > 15:
            horizontal += 1
        elif width < 3 and height > 8:
            vertical += 1
        elif width > 15 and height > 8 and pdfium_c.FPDFPath_CountSegments(obj.raw) <= 6:
            horizontal += 2
            vertical += 2
        if horizontal >= 2 and vertical >= 2:
            return True
    return False


def _table_rows(table: Any) -> str:
    rows = []
    for row in table.extract():
        cells = [clean.join_cell(cell or "") for cell in row]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _table_layout(plumber_page: Any, box: Box, page_top: float) -> list[Box | str] | None:
    """Tables row by row from pdfplumber; the bands around them stay with pdfium."""
    tables = [t for t in plumber_page.find_tables() if len(t.rows) >= 2 or len(t.columns) >= 2]
    if not tables:
        return None
    left, bottom, right, top = box
    layout: list[Box | str] = []
    cursor = top
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        _, t_top, _, t_bottom = table.bbox
        pdf_top, pdf_bottom = page_top - t_top, page_top - t_bottom
        if cursor - pdf_top > 1:
            layout.append((left, pdf_top, right, cursor))
        layout.append(_table_rows(table))
        cursor = min(cursor, pdf_bottom)
    if cursor > bottom:
        layout.append((left, bottom, right, cursor))
    return layout


class _Plumber:
    """pdfplumber opened lazily: most documents never need it."""

    def __init__(self, path: Path, password: str | None) -> None:
        self._path = path
        self._password = password
        self._pdf: Any = None

    def page(self, index: int) -> Any:
        if self._pdf is None:
            self._pdf = pdfplumber.open(self._path, password=self._password or "")
        return self._pdf.pages[index]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _overlaps(rect: Box, box: Box, slack: float = 0.5) -> bool:
    return not (
        rect[2] < box[0] - slack
        or rect[0] > box[2] + slack
        or rect[3] < box[1] - slack
        or rect[1] > box[3] + slack
    )


def _render_layout(textpage: pdfium.PdfTextPage, layout: list[Box | str]) -> str:
    """The layout's text. Fast path: when no text segment touches two boxes, pdfium's own
    ``get_text_bounded`` per box is exact; otherwise cut per character (``_Chars``)."""
    boxes = [item for item in layout if not isinstance(item, str)]
    rects = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    if all(sum(1 for box in boxes if _overlaps(rect, box)) <= 1 for rect in rects):
        blocks = [
            item
            if isinstance(item, str)
            else textpage.get_text_bounded(left=item[0], bottom=item[1], right=item[2], top=item[3])
            for item in layout
        ]
        return "\n".join(b.strip("\r\n") for b in blocks if b.strip())
    return _Chars(textpage).render(layout)


def _page_text(page: pdfium.PdfPage, index: int, plumber: _Plumber) -> tuple[str, str]:
    textpage = page.get_textpage()
    try:
        if page.get_rotation() != 0:  # char boxes are unrotated: keep pdfium's own order
            return textpage.get_text_range(), "pdfium"
        left, bottom, right, top = page.get_cropbox()
        head, body, foot = _bands((left, bottom, right, top))
        layout: list[Box | str] | None = None
        method = "pdfium"
        if _looks_ruled(page):
            try:
                layout = _table_layout(plumber.page(index), body, top)
                method = "tables"
            except Exception as error:  # noqa: BLE001 - fall back to plain pdfium text
                logger.debug("pdfplumber failed on page %d: %s", index + 1, error)
        if layout is None:
            layout, method = _body_layout(textpage, body)
        text = _render_layout(textpage, [head, *layout, foot])
        if not text.strip():  # e.g. text outside a broken crop box: better than nothing
            text = textpage.get_text_range()
        return text, method
    finally:
        textpage.close()


def _read_page(
    document: pdfium.PdfDocument,
    index: int,
    plumber: _Plumber,
    options: ExtractOptions,
    warnings: list[str],
) -> _RawPage:
    try:
        page = document[index]
    except pdfium.PdfiumError as error:  # e.g. a /Kids cycle: keep the other pages
        warnings.append(f"page {index + 1} cannot be loaded ({error}); left empty")
        return _RawPage(index + 1, "", False, "failed")
    try:
        text, method = _page_text(page, index, plumber)
    finally:
        page.close()
    bare = clean.normalize_unicode(text)
    garbled = clean.looks_garbled(bare)
    needs_ocr = options.ocr == "always" or (options.ocr == "auto" and (garbled or not bare.strip()))
    return _RawPage(index + 1, text, needs_ocr, method, garbled)


def _render(document: pdfium.PdfDocument, index: int, target: Path) -> None:
    page = document[index]
    try:
        width, height = page.get_size()
        # 300 dpi, but a plan in A0 would need 140 MB: cap the bitmap at ~35 megapixels
        scale = min(ocr.DPI / 72, (MAX_OCR_PIXELS / max(1.0, width * height)) ** 0.5)
        bitmap = page.render(
            scale=scale,
            grayscale=True,
            force_bitmap_format=pdfium_c.FPDFBitmap_Gray,
        )
        ocr.write_pgm(target, bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer))
        bitmap.close()
    finally:
        page.close()


def _run_ocr(
    document: pdfium.PdfDocument,
    pages: list[_RawPage],
    options: ExtractOptions,
    warnings: list[str],
    path: Path,
) -> dict[int, str]:
    """Render the pages that need OCR one by one and recognise them two at a time."""
    wanted = [p for p in pages if p.needs_ocr]
    if not wanted:
        return {}
    problem = ocr.tesseract_status()
    if problem is not None:
        numbers = ", ".join(str(p.number) for p in wanted)
        warnings.append(f"{path}: pages {numbers} need OCR but {problem}")
        return {}
    results: dict[int, str] = {}
    with (
        tempfile.TemporaryDirectory(prefix="archiv-ocr-") as tmp,
        ThreadPoolExecutor(max_workers=OCR_WORKERS) as pool,
    ):
        futures: dict[int, Future[str]] = {}
        for raw in wanted:
            image = Path(tmp) / f"page-{raw.number}.pgm"
            _render(document, raw.number - 1, image)
            futures[raw.number] = pool.submit(ocr.recognize, image, options.timeout)
        for number, future in futures.items():
            try:
                results[number] = future.result()
            except (OSError, subprocess.SubprocessError) as error:
                warnings.append(f"{path}: OCR failed on page {number} ({error})")
    return results


def read_pdf(path: Path, options: ExtractOptions) -> ExtractedFile:
    """Every page's cleaned text; OCR where the text layer is missing or garbled."""
    document = open_document(path, options)
    plumber = _Plumber(path, options.password)
    warnings: list[str] = []
    try:
        count = len(document)
        if count > options.max_pages:
            raise ExtractError(
                "too_many_pages",
                f"{path}: {count} pages, more than the limit of {options.max_pages}",
            )
        if count == 0:
            raise ExtractError("unreadable", f"{path}: the PDF has no pages")
        title = metadata_title(document)
        raw_pages = [_read_page(document, i, plumber, options, warnings) for i in range(count)]
        recognised = _run_ocr(document, raw_pages, options, warnings, path)
    finally:
        plumber.close()
        document.close()
    texts: list[str] = []
    flags: list[bool] = []
    for raw in raw_pages:
        if raw.number in recognised:
            texts.append(clean.clean_page(recognised[raw.number]))
            flags.append(True)
        elif raw.garbled:
            warnings.append(f"{path}: page {raw.number} has an unreadable text layer; left empty")
            texts.append("")  # better nothing than junk in the index
            flags.append(False)
        else:
            texts.append(clean.clean_page(raw.text))
            flags.append(False)
    texts = clean.remove_running_lines(texts)
    pages = tuple(PageText(n + 1, text, flags[n]) for n, text in enumerate(texts))
    return ExtractedFile(pages=pages, title=title, file_type="pdf", warnings=tuple(warnings))
