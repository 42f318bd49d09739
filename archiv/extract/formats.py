"""Plain text, Word and OpenDocument files: councils attach these next to their PDFs.

Each becomes pages of raw text; the same cleaning as for PDFs runs afterwards. Word files
have no stored page layout, so only explicit page breaks split pages.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.oxml.ns import qn
from odf import teletype
from odf.element import Element
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odf

from archiv.errors import ExtractError


def read_txt(path: Path) -> list[str]:
    """UTF-8 (with or without BOM), else cp1252; a form feed separates pages."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.split("\f")


def read_docx(path: Path) -> list[str]:
    """Paragraphs and table rows in body order; ``w:br w:type="page"`` starts a new page."""
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractError("unreadable", f"{path}: damaged Word file ({error})") from None
    pages: list[list[str]] = [[]]
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            parts: list[str] = []
            for node in block.iter():
                if node.tag == qn("w:t") and node.text:
                    parts.append(node.text)
                elif node.tag == qn("w:tab"):
                    parts.append("\t")
                elif node.tag == qn("w:br") and node.get(qn("w:type")) == "page":
                    pages[-1].append("".join(parts))
                    parts = []
                    pages.append([])
                elif node.tag in (qn("w:br"), qn("w:cr")):
                    parts.append("\n")
            pages[-1].append("".join(parts))
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = []
                for cell in row.iter(qn("w:tc")):
                    text = " ".join(
                        "".join(t.text or "" for t in p.iter(qn("w:t")))
                        for p in cell.iter(qn("w:p"))
                    )
                    cells.append(" ".join(text.split()))
                pages[-1].append(" | ".join(cells))
    return ["\n".join(lines) for lines in pages]


def read_odt(path: Path) -> list[str]:
    """Headings and paragraphs (also inside lists and tables) in order, as one page.

    ODF stores no explicit page breaks in the text, only style hints, so there is one page.
    """
    try:
        document = load_odf(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractError("unreadable", f"{path}: damaged OpenDocument file ({error})") from None
    lines: list[str] = []
    wanted = {(TEXTNS, "p"), (TEXTNS, "h")}

    def walk(node: Element) -> None:
        for child in node.childNodes:
            if getattr(child, "qname", None) in wanted:
                lines.append(teletype.extractText(child))
            elif getattr(child, "childNodes", None):
                walk(child)

    walk(document.text)
    return ["\n".join(lines)]
