"""PDF pages to text: pypdfium2 for every page, pdfplumber only where tables need it.

Measured on the corpus (benchmarks/extract_quality.py, 20 pages, shared 2-core machine):
pypdfium2 raw 0.7 ms/page, pdfplumber 38 ms/page, pdftotext 4 ms/page. So pdfium reads every
page. Its weak spot is ruled tables: cells come out in drawing order and a wrapped cell is
split over lines (CER 25 % against the reviewed text on the table slide; pdfplumber's
``extract_text`` 34 %). Pages that look ruled (cheap check on pdfium's path objects) go to
pdfplumber's table finder, which gives rows and cells (CER 0 %); the text around the tables
is still read by pdfium. Columns are found from pdfium's text rectangles and read column by
column: pdfplumber's ``extract_text`` interleaves the two columns line by line (CER 83 % on
the two-column Amtsblatt) and is not used for them. Pages with no or garbled text go to
Tesseract (see ``ocr.py``).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from ctypes import c_double, c_float
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
EDGE_BAND = 0.075  # share of the page height searched for a header/footer band
MIN_BAND_GAP = 6.0  # points of white space that set a running head/foot apart from the body
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
    text: str  # already through ``clean.normalize_unicode``: judged and cleaned as it is
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
    # crossing counts on a 2-point grid from 30 % to 70 % of the width, by a difference array
    start, steps = width * 0.3, int(width * 0.4 / 2.0) + 1
    delta = [0] * (steps + 1)
    for left, _, right, _ in rects:
        first = max(0, math.floor((left + 1 - start) / 2.0) + 1)  # x - 1 > left
        last = min(steps - 1, math.ceil((right - 1 - start) / 2.0) - 1)  # x + 1 < right
        if first <= last:
            delta[first] += 1
            delta[last + 1] -= 1
    best: tuple[int, float] | None = None
    running = 0
    for step in range(steps):
        running += delta[step]
        if best is None or running < best[0]:
            best = (running, start + 2.0 * step)
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


def _text_rects(textpage: pdfium.PdfTextPage) -> list[Box]:
    """``textpage.get_rect`` for every rectangle, through the raw call with reused doubles."""
    rects: list[Box] = []
    left, top, right, bottom = c_double(), c_double(), c_double(), c_double()
    get_rect, raw = pdfium_c.FPDFText_GetRect, textpage.raw
    for index in range(textpage.count_rects()):
        if not get_rect(raw, index, left, top, right, bottom):  # the order is ltrb
            raise pdfium.PdfiumError("Failed to get rectangle.")
        l_, b_, r_, t_ = left.value, bottom.value, right.value, top.value
        if r_ - l_ > 0.5 and t_ - b_ > 0.5:
            rects.append((l_, b_, r_, t_))
    return rects


def _union(intervals: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _edge_cuts(rects: list[Box], box: Box) -> tuple[float, float]:
    """Where the header band ends and the footer band begins (y values).

    A band is cut at the widest vertical gap between text lines inside the top or bottom
    7.5 % of the page, and only if that gap is at least ``MIN_BAND_GAP``: a running head
    stands apart, body text running into the margin does not.
    """
    _, bottom, _, top = box
    band = (top - bottom) * EDGE_BAND
    lines = _union([(r[1], r[3]) for r in rects])
    if not lines:
        return top - band, bottom + band
    gaps = [(lines[i][1], lines[i + 1][0]) for i in range(len(lines) - 1)]  # between lines
    foot_cut = bottom + band
    if lines[0][0] < bottom + band:
        foot = [g for g in gaps if g[0] < bottom + band and g[1] - g[0] >= MIN_BAND_GAP]
        widest = max(foot, key=lambda g: (g[1] - g[0], g[0]), default=None)
        foot_cut = (widest[0] + widest[1]) / 2 if widest else bottom
    head_cut = top - band
    if lines[-1][1] > top - band:
        head = [g for g in gaps if g[1] > top - band and g[1] - g[0] >= MIN_BAND_GAP]
        widest = max(head, key=lambda g: (g[1] - g[0], -g[0]), default=None)
        head_cut = (widest[0] + widest[1]) / 2 if widest else top
    if head_cut <= foot_cut:
        return top, bottom
    return head_cut, foot_cut


def _column_layout(rects: list[Box], box: Box) -> list[Box] | None:
    """Boxes in reading order for a two-column body.

    Full-width parts (titles, any line crossing the gutter) stay whole; between them the
    left column is read before the right one.
    """
    left, bottom, right, top = box
    inside = [r for r in rects if bottom <= (r[1] + r[3]) / 2 <= top]
    gutter = _find_gutter([(r[0] - left, r[1], r[2] - left, r[3]) for r in inside], right - left)
    if gutter is None:
        return None
    gutter += left
    spans = [(r[1] - 0.5, r[3] + 0.5) for r in inside if r[0] < gutter - 1 and r[2] > gutter + 1]
    layout: list[Box] = []
    cursor = top
    for low, high in reversed(_union(spans)):
        high = min(high, cursor)
        if high < cursor:
            layout += [(left, high, gutter, cursor), (gutter, high, right, cursor)]
        if low < high:
            layout.append((left, low, right, high))
        cursor = min(cursor, low)
    if cursor > bottom:
        layout += [(left, bottom, gutter, cursor), (gutter, bottom, right, cursor)]
    return layout


def _tiled(boxes: list[Box]) -> int:
    """Pairs of boxes sharing an edge, as shaded table cells do (diagram boxes keep gaps)."""
    pairs = 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            x_overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1
            y_overlap = min(a[3], b[3]) - max(a[1], b[1]) > 1
            if (x_overlap and (abs(a[3] - b[1]) < 1.5 or abs(a[1] - b[3]) < 1.5)) or (
                y_overlap and (abs(a[2] - b[0]) < 1.5 or abs(a[0] - b[2]) < 1.5)
            ):
                pairs += 1
    return pairs


def _path_bounds(page: pdfium.PdfPage) -> Iterator[tuple[Box, Any]]:
    """(bounds, raw object) of each path object, as ``page.get_objects(filter=[PATH],
    max_depth=2)`` finds them: the page's own, then, after each form XObject, the form's own.

    Through the raw calls: pypdfium2 wraps every object of the page (text runs included) in a
    Python object before filtering, which cost more than the check itself.
    """
    low, bottom, high, top = c_float(), c_float(), c_float(), c_float()

    def walk(count: Any, get: Any, parent: Any, level: int) -> Iterator[tuple[Box, Any]]:
        total = count(parent)
        if total < 0:
            raise pdfium.PdfiumError("Failed to get number of pageobjects.")
        for index in range(total):
            obj = get(parent, index)
            if not obj:
                raise pdfium.PdfiumError("Failed to get pageobject.")
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_UNKNOWN:
                raise pdfium.PdfiumError("Failed to determine pageobject type.")
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                if not pdfium_c.FPDFPageObj_GetBounds(obj, low, bottom, high, top):
                    raise pdfium.PdfiumError("Failed to locate pageobject.")
                yield (low.value, bottom.value, high.value, top.value), obj
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and level < 1:
                yield from walk(
                    pdfium_c.FPDFFormObj_CountObjects,
                    pdfium_c.FPDFFormObj_GetObject,
                    obj,
                    level + 1,
                )

    yield from walk(pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, page.raw, 0)


def _looks_ruled(page: pdfium.PdfPage) -> bool:
    """Cheap pre-check before asking pdfplumber for tables (~40 ms a page).

    Ruled tables draw several thin horizontal and vertical lines, or cell rectangles that
    touch each other. A rule under a letterhead, a column rule or a box diagram is not enough.
    """
    horizontal = vertical = 0
    boxes: list[Box] = []
    for (left, bottom, right, top), obj in _path_bounds(page):
        width, height = right - left, top - bottom
        if height < 3 and width > 15:
            horizontal += 1
        elif width < 3 and height > 8:
            vertical += 1
        elif (
            width > 15
            and height > 8
            and len(boxes) < 200
            and pdfium_c.FPDFPath_CountSegments(obj) <= 6
        ):
            boxes.append((left, bottom, right, top))
        if horizontal >= 3 and vertical >= 2:
            return True
    return _tiled(boxes) >= 2


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
        t_left, t_top, t_right, t_bottom = table.bbox
        pdf_top, pdf_bottom = page_top - t_top, page_top - t_bottom
        if cursor - pdf_top > 1:
            layout.append((left, pdf_top, right, cursor))
        band_top = min(cursor, pdf_top)
        layout.append((left, pdf_bottom, t_left, band_top))  # text beside the table
        layout.append(_table_rows(table))
        layout.append((t_right, pdf_bottom, right, band_top))
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


def _render_layout(textpage: pdfium.PdfTextPage, rects: list[Box], layout: list[Box | str]) -> str:
    """The layout's text. Fast path: when no text segment touches two boxes, pdfium's own
    ``get_text_bounded`` per box is exact; otherwise cut per character (``_Chars``)."""
    boxes = [item for item in layout if not isinstance(item, str)]
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
        rects = _text_rects(textpage)
        head_cut, foot_cut = _edge_cuts(rects, (left, bottom, right, top))
        head = (left, head_cut, right, top + 1)
        body = (left, foot_cut, right, head_cut)
        foot = (left, bottom - 1, right, foot_cut)
        layout: list[Box | str] | None = None
        method = "pdfium"
        if _looks_ruled(page):
            try:
                layout = _table_layout(plumber.page(index), body, top)
                method = "tables"
            except Exception as error:  # noqa: BLE001 - fall back to plain pdfium text
                logger.debug("pdfplumber failed on page %d: %s", index + 1, error)
        if layout is None:
            columns = _column_layout(rects, body)
            layout = [body] if columns is None else list(columns)
            method = "pdfium" if columns is None else "columns"
        text = _render_layout(textpage, rects, [head, *layout, foot])
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
    return _RawPage(index + 1, bare, needs_ocr, method, garbled)


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
            texts.append(clean.clean_normalized(raw.text))
            flags.append(False)
    texts = clean.remove_running_lines(texts)
    warnings = [w if w.startswith(f"{path}: ") else f"{path}: {w}" for w in warnings]
    pages = tuple(PageText(n + 1, text, flags[n]) for n, text in enumerate(texts))
    return ExtractedFile(pages=pages, title=title, file_type="pdf", warnings=tuple(warnings))
