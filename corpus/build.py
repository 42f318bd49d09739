"""Generate the sample corpus: two documents rebuilt from the seeds, four fictional ones.

Why a generator and not downloaded PDFs: the corpus must be redistributable, reproducible and
shaped to exercise archiv on purpose (line-end hyphenation, repeated running heads, a real
table, two text columns, landscape slides, proposals next to decisions). ``invariant=1`` makes
reportlab write fixed dates and document ids, so a rebuild is byte-identical and a diff of the
committed PDFs means the content changed.

Line breaks are chosen, not left to chance: a ``\\n`` inside a paragraph forces a break, so
``"Zusammen-\\narbeit"`` prints a hyphenated word across two lines exactly where the tests and
the gold files expect it.

Run: ``.venv/bin/python corpus/build.py [OUT_DIR]`` (default: the folder of this file).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

HERE = Path(__file__).resolve().parent
CREATOR = f"archiv corpus/build.py (reportlab {reportlab.Version})"
FICTIONAL_MARK = "Fiktives Beispieldokument"
FICTIONAL_SUBJECT = "Fiktives Beispiel"

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
OBLIQUE = "Helvetica-Oblique"
GREY = colors.Color(0.35, 0.35, 0.35)
LIGHT = colors.Color(0.93, 0.95, 0.97)
BLUE = colors.Color(0.05, 0.27, 0.50)
MM = 72 / 25.4
NBSP = "\u00a0"


# --------------------------------------------------------------------------------------------
# Canvas and text helpers
# --------------------------------------------------------------------------------------------


def _canvas(path: Path, size: tuple[float, float], *, title: str, subject: str,
            author: str, keywords: str = "") -> Canvas:
    """A canvas whose bytes depend only on what is drawn (fixed dates, fixed /ID)."""
    pdf = Canvas(str(path), pagesize=size, invariant=1, pageCompression=1)
    pdf.setTitle(title)
    pdf.setSubject(subject)
    pdf.setAuthor(author)
    pdf.setCreator(CREATOR)
    if keywords:
        pdf.setKeywords(keywords)
    return pdf


def nb(text: str) -> str:
    """Tie a label to its number (``Beschluss-Nr.`` + no-break space + ``VII/2021/0125``)."""
    return text.replace(" ", NBSP)


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line filling; a ``\\n`` in ``text`` forces a break at that very place.

    Only plain spaces separate words, so a no-break space (:func:`nb`) never ends a line.
    """
    lines: list[str] = []
    for segment in text.split("\n"):
        line = ""
        for word in (w for w in segment.split(" ") if w):
            candidate = f"{line} {word}" if line else word
            if not line or stringWidth(candidate, font, size) <= width:
                line = candidate
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    return lines


def fit_size(lines: Sequence[str], font: str, size: float, width: float) -> float:
    """The largest size ≤ ``size`` at which every line fits ``width`` (slides keep seed breaks)."""
    widest = max((stringWidth(line, font, 1.0) for line in lines), default=0.0)
    return min(size, width / widest) if widest else size


def draw_lines(pdf: Canvas, x: float, y: float, lines: Sequence[str], font: str, size: float,
               leading: float, *, align: str = "left", color: colors.Color = colors.black) -> float:
    """Draw lines top-down from baseline ``y``; returns the baseline below the last line."""
    pdf.setFillColor(color)
    pdf.setFont(font, size)
    for line in lines:
        if align == "right":
            pdf.drawRightString(x, y, line)
        elif align == "center":
            pdf.drawCentredString(x, y, line)
        else:
            pdf.drawString(x, y, line)
        y -= leading
    pdf.setFillColor(colors.black)
    return y


# --------------------------------------------------------------------------------------------
# A small flow layout for the letter-style documents (one or two columns, many pages)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Style:
    font: str = REGULAR
    size: float = 10.5
    leading: float = 14.5
    before: float = 0.0
    after: float = 5.0
    indent: float = 0.0
    keep: bool = False  # keep with the next block (headings, labels)


BODY = Style()
DECISION = Style(keep=True)
HEAD = Style(font=BOLD, size=11.5, leading=15, before=8, after=3, keep=True)
LABEL = Style(font=BOLD, size=10.5, leading=14.5, before=4, after=1, keep=True)
SMALL = Style(size=9, leading=12, after=3)
RESULT = Style(font=BOLD, size=10.5, leading=14.5, before=2, after=4)


@dataclass(frozen=True, slots=True)
class Block:
    text: str
    style: Style = BODY


@dataclass(frozen=True, slots=True)
class Frame:
    x: float
    top: float
    width: float
    bottom: float


@dataclass(slots=True)
class Placed:
    x: float
    y: float
    text: str
    font: str
    size: float


@dataclass(slots=True)
class _Cursor:
    frames: Callable[[int], list[Frame]]
    pages: list[list[Placed]] = field(default_factory=list)
    page: int = 0
    frame: int = 0
    y: float = 0.0

    def __post_init__(self) -> None:
        self.pages.append([])
        self.y = self.current.top

    @property
    def current(self) -> Frame:
        return self.frames(self.page)[self.frame]

    def advance(self) -> None:
        if self.frame + 1 < len(self.frames(self.page)):
            self.frame += 1
        else:
            self.page += 1
            self.frame = 0
            self.pages.append([])
        self.y = self.current.top

    def at_top(self) -> bool:
        return self.y == self.current.top


def _needed(blocks: Sequence[Block], i: int, width: float) -> float:
    """Height a block needs on this frame: a chain of ``keep`` blocks plus two further lines."""
    total = 0.0
    for j in range(i, len(blocks)):
        st = blocks[j].style
        lines = wrap(blocks[j].text, st.font, st.size, width - st.indent)
        if j > i:
            total += st.before
        if st.keep and j + 1 < len(blocks):
            total += len(lines) * st.leading + st.after
        else:
            return total + min(len(lines), 2) * st.leading
    return total


def flow(blocks: Sequence[Block], frames: Callable[[int], list[Frame]]) -> list[list[Placed]]:
    """Pour blocks into the frames of page 0, 1, …; headings never end a frame."""
    cur = _Cursor(frames)
    for i, block in enumerate(blocks):
        st = block.style
        lines = wrap(block.text, st.font, st.size, cur.current.width - st.indent)
        if not cur.at_top():
            cur.y -= st.before
        need = _needed(blocks, i, cur.current.width)
        if cur.y - need < cur.current.bottom and not cur.at_top():
            cur.advance()
        for line in lines:
            if cur.y - st.leading < cur.current.bottom:
                cur.advance()
            frame = cur.current
            cur.pages[cur.page].append(
                Placed(frame.x + st.indent, cur.y - st.size, line, st.font, st.size))
            cur.y -= st.leading
        cur.y -= st.after
    return cur.pages


def render_pages(pdf: Canvas, pages: list[list[Placed]],
                 decorate: Callable[[Canvas, int, int], None]) -> None:
    """Draw the flowed lines; ``decorate(pdf, page_number, total)`` adds heads and feet."""
    total = len(pages)
    for number, placed in enumerate(pages, start=1):
        decorate(pdf, number, total)
        for item in placed:
            pdf.setFont(item.font, item.size)
            pdf.drawString(item.x, item.y, item.text)
        pdf.showPage()


# --------------------------------------------------------------------------------------------
# 1. Bielefeld: Mitteilung (seed 000)
# --------------------------------------------------------------------------------------------

BIELEFELD_BODY = (
    "Der Rat der Stadt Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt der Stadt Bielefeld",
    "zum Städtenetzwerk „Regiopolregionen für Deutschland“ und der Unterzeichnung der  zwischen den",
    "Gründer-Regiopolen Bielefeld, Erfurt, Paderborn, Rostock, Siegen und Trier vereinbarten Interkom-",
    "munalen Vereinbarung zu (siehe DS-Nr. 1045/2014-2020). Die (Ober)Bürgermeister der",
    "Gründer-RegioPolen des Netzwerks unterzeichneten daraufhin am 16.03.2016 im Berliner Jakob-",
    "Kaiser-Haus des Deutschen Bundestages eine zwischen den damaligen Gründungsmitgleidern",
    "vereinbarte Interkommunale Vereinbarung als Zeichen der zukünftigen Zusammenarbeit.",
    "Zwischenzeitlich wurde ein gefördetes Modellvorhaben erfolgreich durchgeführte. Neben den",
    "zwischenzeitlch beigetretenen Städten Koblenz und Würzburg zeigen weitere potentielle Regiopolen",
    "konkretes Interesse an der Mitgliedschaft im Deutschen RegioPole-Netzwerk. Die insofern nicht mehr",
    "aktuelle Vereinbarung wurde deshalb überarbeitet und entsprechend angepasst. Die aktualisierte",
    "Fassung soll zum einen den Geist des damaligen Zusammenschlusses noch einmal bekräftigen und",
    "die Grundlage für die weitere Zusammenarbeit des Deutschen RegioPole Netzwerks bilden. In der",
    "Sitzung des Lenkungausschusses des Netzwerks am 19.09.23 in Berlin wurde die aktualisierte Fassung",
    "einstimmig beschlossen. Auf dieser Basis sollen die gemeinsam vereinbarten Ziele, die die Netz-",
    "werkpartner auch in einem Positionspapier formuliert haben, zusammen mit den Ebenen des",
    "Bundes in der Raumordnung und der Länder in der Landesplanung konkretisiert und zur Umsetzung",
    "gebracht werden. Darüber hinaus bezwecken die Netzwerkpartner, ihre Ziele in die öffentliche",
    "Wahrnehmung und fachliche Diskussion zu rücken sowie neue Partner zur Erweiterung des Netzwerks",
    "zu gewinnen.",
)


def build_bielefeld(path: Path) -> None:
    width, height = A4
    left, right = 25 * MM, width - 20 * MM
    pdf = _canvas(
        path, A4,
        title="Mitteilung: Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks",
        subject="Mitteilung für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss "
                "am 25.10.2023",
        author="Stadt Bielefeld – Der Oberbürgermeister",
    )
    # Letterhead
    pdf.setFillColor(BLUE)
    pdf.rect(left, height - 30 * MM, 4, 14 * MM, stroke=0, fill=1)
    draw_lines(pdf, left + 10, height - 22 * MM, ["Stadt Bielefeld"], BOLD, 18, 20, color=BLUE)
    draw_lines(pdf, left + 10, height - 28.5 * MM, ["Der Oberbürgermeister"], REGULAR, 10.5, 12,
               color=GREY)
    pdf.setStrokeColor(GREY)
    pdf.setLineWidth(0.5)
    pdf.line(left, height - 35 * MM, right, height - 35 * MM)

    y = height - 50 * MM
    y = draw_lines(pdf, left, y, ["Mitteilung"], BOLD, 16, 24)
    y = draw_lines(pdf, left, y,
                   ["für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss am 25.10.2023"],
                   BOLD, 11, 30)
    y = draw_lines(pdf, left, y, ["Thema:"], BOLD, 10.5, 15)
    y = draw_lines(pdf, left, y, ["Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks"],
                   REGULAR, 10.5, 30)
    y = draw_lines(pdf, left, y, ["Mitteilung:"], BOLD, 10.5, 17)
    size = fit_size(BIELEFELD_BODY, REGULAR, 10.5, right - left)
    y = draw_lines(pdf, left, y, BIELEFELD_BODY, REGULAR, size, size * 1.45)
    y -= 24
    draw_lines(pdf, left, y, ["gez.", "Clausen", "Oberbürgermeister"], REGULAR, 10.5, 15)
    pdf.showPage()
    pdf.save()


# --------------------------------------------------------------------------------------------
# 2. Paderborn: slide deck (seed 002)
# --------------------------------------------------------------------------------------------

SLIDE = (960.0, 540.0)  # 16:9, the size PowerPoint exports widescreen slides at
SX = 48.0  # slide margin


def _slide_frame(pdf: Canvas, number: int, title: str) -> float:
    """Title bar and footer every slide shares; returns the top baseline for the content."""
    w, h = SLIDE
    pdf.setFillColor(BLUE)
    pdf.rect(0, h - 8, w, 8, stroke=0, fill=1)
    size = fit_size([title], BOLD, 28, w - 2 * SX - 120)
    draw_lines(pdf, SX, h - 62, [title], BOLD, size, 30, color=BLUE)
    draw_lines(pdf, w - SX, h - 40, ["Stadt Paderborn"], BOLD, 11, 12, align="right", color=GREY)
    pdf.setStrokeColor(BLUE)
    pdf.setLineWidth(1.2)
    pdf.line(SX, h - 78, w - SX, h - 78)
    pdf.setStrokeColor(GREY)
    pdf.setLineWidth(0.4)
    pdf.line(SX, 34, w - SX, 34)
    draw_lines(pdf, w - SX, 20, [f"Stadt Paderborn · Seite {number}"], REGULAR, 9, 10,
               align="right", color=GREY)
    draw_lines(pdf, SX, 20, ["Modellvorhaben Regiopolen und Regiopolregionen"], REGULAR, 9, 10,
               color=GREY)
    return h - 112


def _bullets(pdf: Canvas, x: float, y: float, items: Sequence[Sequence[str]], *, size: float,
             width: float, gap: float = 8.0, marker: bool = True) -> float:
    """Bullet items, each given with the seed's own line breaks; a square marker is drawn."""
    flat = [line for item in items for line in item]
    size = fit_size(flat, REGULAR, size, width - 18)
    leading = size * 1.3
    for item in items:
        if marker:
            pdf.setFillColor(BLUE)
            pdf.rect(x, y + size * 0.25, size * 0.35, size * 0.35, stroke=0, fill=1)
        y = draw_lines(pdf, x + 18, y, item, REGULAR, size, leading) - gap
    return y


def _box(pdf: Canvas, x: float, y: float, w: float, h: float, lines: Sequence[str], *,
         size: float = 14, font: str = REGULAR, fill: colors.Color = LIGHT,
         stroke: colors.Color = BLUE, text_color: colors.Color = colors.black) -> None:
    """A rounded box with centred lines; ``y`` is the box's bottom edge."""
    pdf.setFillColor(fill)
    pdf.setStrokeColor(stroke)
    pdf.setLineWidth(1)
    pdf.roundRect(x, y, w, h, 6, stroke=1, fill=1)
    size = fit_size(lines, font, size, w - 12)
    leading = size * 1.2
    top = y + h / 2 + (len(lines) * leading) / 2 - size * 0.85
    draw_lines(pdf, x + w / 2, top, lines, font, size, leading, align="center", color=text_color)


def _slide_netzwerk(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Regiopole Netzwerk")
    size = 18.0
    y = draw_lines(pdf, SX, y, [
        "Gründung des Deutschen RegioPole-Netzwerks in Berlin unter",
        "Beteiligung der Bundestagsabgeordneten und dem Bundesinstitut für",
        "Bau-, Stadt- und Raumforschung (BBSR) im März 2016.",
    ], BOLD, size, 23) - 10
    y = draw_lines(pdf, SX + 18, y, [
        "- Paderborn war Gründungsmitglied im",
        "RegioPole-Netzwerk",
        "- mittlerweile 8 Mitglieder (siehe Karte)",
        "- Interessensvertretung der Regiopole Städte",
    ], REGULAR, 17, 22) - 12
    y = draw_lines(pdf, SX, y, ["Ziele"], BOLD, 18, 24)
    y = draw_lines(pdf, SX + 18, y, [
        "- Stärkung der Wahrnehmung kleinerer Großstädte auf Bundes- und",
        "Länderebene",
        "- gegenseitiger Erfahrungs- und Informationsaustausch sowie die",
        "Umsetzung gemeinsamer Projekte",
        "- Akquirierung von Fördermitteln",
    ], REGULAR, 17, 22) - 8
    _box(pdf, SX, 48, SLIDE[0] - 2 * SX, 40,
         ["Ratsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)"],
         size=18, font=BOLD, fill=BLUE, stroke=BLUE, text_color=colors.white)


_GERMANY = (
    (7.0, 53.6), (8.6, 53.9), (8.9, 54.9), (9.9, 54.8), (11.0, 54.4), (12.3, 54.4), (13.7, 54.6),
    (14.2, 53.9), (14.4, 53.3), (14.1, 52.8), (14.6, 52.6), (14.7, 51.6), (15.0, 51.1),
    (14.3, 50.9), (13.4, 50.6), (12.2, 50.3), (12.5, 49.9), (13.4, 49.3), (13.8, 48.8),
    (13.0, 48.3), (12.8, 47.6), (11.1, 47.4), (10.0, 47.5), (8.6, 47.6), (7.6, 47.6), (7.5, 48.1),
    (8.2, 49.0), (6.4, 49.2), (6.4, 49.8), (6.1, 50.2), (6.0, 50.8), (5.9, 51.1), (6.2, 51.5),
    (5.9, 51.8), (6.8, 52.1), (7.1, 52.6),
)
# Bielefeld, Paderborn, Erfurt, Rostock, Siegen, Trier, Koblenz, Würzburg (lon, lat)
_MEMBERS = ((8.53, 52.02), (8.75, 51.72), (11.03, 50.98), (12.10, 54.09), (8.02, 50.87),
            (6.64, 49.75), (7.59, 50.36), (9.93, 49.79))


def _slide_karte(pdf: Canvas, n: int) -> None:
    """The original map was an image without text; it is drawn here, unlabelled, likewise."""
    _slide_frame(pdf, n, "Regiopolestädte des aktuellen bundesweiten Netzwerks")
    scale = 52.0
    ox, oy = 330.0, 60.0

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return ox + (lon - 5.8) * scale * math.cos(math.radians(51)), oy + (lat - 47.3) * scale

    path = pdf.beginPath()
    path.moveTo(*xy(*_GERMANY[0]))
    for point in _GERMANY[1:]:
        path.lineTo(*xy(*point))
    path.close()
    pdf.setFillColor(LIGHT)
    pdf.setStrokeColor(GREY)
    pdf.drawPath(path, stroke=1, fill=1)
    pdf.setFillColor(colors.Color(0.75, 0.1, 0.1))
    for lon, lat in _MEMBERS:
        pdf.circle(*xy(lon, lat), 6, stroke=0, fill=1)
    draw_lines(pdf, SX, 60, [
        "Quelle:https://de.wikipedia.org/wiki/Metropolregion#/medi",
        "a/File:Karte_Metropolregionen,",
    ], REGULAR, 8, 10, color=GREY)


def _slide_modellprojekt(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Modellprojekt")
    y = draw_lines(pdf, SX, y, [
        "Bundesprogramm Region gestalten (zuvor: Ländliche Entwicklung (BULE-BMI)",
    ], BOLD, 17, 24)
    y = draw_lines(pdf, SX, y, [
        "Modellprojekt: „Regiopolen und Regiopolregionen für Deutschland:",
        "Ein Beitrag zur nachhaltigen Sicherung gleichwertiger Lebensverhältnisse",
        "in städtischen und ländlichen Räumen Deutschlands“",
    ], OBLIQUE, 17, 22) - 8
    y = draw_lines(pdf, SX, y, [
        "Grundlage Zuwendungsbescheid vom 09.03.2020",
        "Förderung zu 90% vom Bund",
        "Gesamtvolumen 1,5 Mio. Euro (für alle 8 Städte)",
    ], REGULAR, 17, 23) - 4
    _box(pdf, SX, y - 26, SLIDE[0] - 2 * SX, 36,
         ["Ratsbeschluss Juni 2020: Beteiligung am Modellvorhaben (Vorlage 0174/20)"],
         size=17, font=BOLD, fill=BLUE, stroke=BLUE, text_color=colors.white)
    y -= 64
    y = draw_lines(pdf, SX, y, ["Ziele"], BOLD, 17, 23)
    draw_lines(pdf, SX + 18, y, [
        "- nachhaltige Sicherung gleichwertiger Lebensverhältnisse in ländlichen und städtischen Räumen",
        "- Entwicklung von Leit- bzw. Zukunftsprojekten in der Infrastrukturentwicklungsplanung",
        "- engere interkommunale Zusammenarbeit (Synergieeffekte)",
        "- Etablierung der Regiopole als neue Kategorie der Raumordnung (Bundesraumordnung, LEP, RP)",
    ], REGULAR, 16, 22)


INFRASTRUKTUR = (
    ("1", "Gesundheitsinfrastruktur", "Trier"),
    ("2", "Wirtschafts-, Gründungs- und<br/>Dienstleistungsinfrastruktur", "Würzburg"),
    ("3", "Digitale Infrastruktur (im öffentlichen Bereich)", "Paderborn"),
    ("4", "Energie-Infrastruktur", "Rostock"),
    ("5", "Kulturinfrastruktur", "Erfurt"),
    ("6", "Bildungs- und Forschungsinfrastruktur", "Siegen"),
    ("7", "Mobilitätsinfrastruktur", "Bielefeld"),
    ("8", "IT-Infrastruktur (zur Wirtschaftsentwicklung)", "Koblenz"),
)


def _slide_tabelle(pdf: Canvas, n: int) -> None:
    """A real ruled table (grid lines, wrapped cells), the shape table extraction must read."""
    y = _slide_frame(pdf, n, "Infrastrukturbereich je Regiopole")
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=13, leading=15.5)
    head = ParagraphStyle("head", fontName=BOLD, fontSize=13, leading=15.5)
    rows: list[list[Paragraph]] = [[
        Paragraph("Nr.", head),
        Paragraph("Infrastrukturbereiche", head),
        Paragraph("Federführende<br/>Regiopole-Stadt<br/>für einen Infrastrukturbereich", head),
    ]]
    rows += [[Paragraph(a, cell), Paragraph(b, cell), Paragraph(c, cell)] for a, b, c in INFRASTRUKTUR]
    table = Table(rows, colWidths=[50, 420, 250])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.8, BLUE),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    _, th = table.wrapOn(pdf, 720, 400)
    table.drawOn(pdf, (SLIDE[0] - 720) / 2, y + 20 - th)


def _slide_zeitplan(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Zeitplan")
    draw_lines(pdf, SX, y, ["01.01.2021 – 31.12.2022, längstens jedoch bis zum 31.08.2023"],
               BOLD, 20, 24)
    phases = ("Analyse", "Entwicklungstrends", "Ziele ableiten", "Leitprojekte definieren")
    order = (0, 3, 1, 2)  # the seed's text order: the two outer phases were labelled first
    w = (SLIDE[0] - 2 * SX) / 4
    base = 220.0
    for i in range(4):
        x = SX + i * w
        path = pdf.beginPath()
        path.moveTo(x, base)
        path.lineTo(x + w - 18, base)
        path.lineTo(x + w + 6, base + 40)
        path.lineTo(x + w - 18, base + 80)
        path.lineTo(x, base + 80)
        path.lineTo(x + 24, base + 40)
        path.close()
        pdf.setFillColor(colors.Color(0.05 + 0.1 * i, 0.27 + 0.1 * i, 0.5 + 0.08 * i))
        pdf.drawPath(path, stroke=0, fill=1)
    for i in order:
        x = SX + i * w
        draw_lines(pdf, x + w / 2 + 4, base + 34, [phases[i]], BOLD, 15, 18, align="center",
                   color=colors.white)


def _slide_organisation(pdf: Canvas, n: int) -> None:
    _slide_frame(pdf, n, "Projektorganisation Regiopole Paderborn")
    pdf.setStrokeColor(GREY)
    pdf.setLineWidth(1)
    for x1, y1, x2, y2 in ((215, 355, 300, 355), (395, 325, 395, 290), (150, 290, 640, 290),
                           (150, 290, 150, 270), (395, 290, 395, 270), (640, 290, 640, 270)):
        pdf.line(x1, y1, x2, y2)
    _box(pdf, SX, 320, 165, 70, ["Jour Fixe", "Dezernat V", "Stadt Paderborn"], size=13)
    draw_lines(pdf, 300, 400, ["Projektleitung:"], BOLD, 12, 14, color=BLUE)
    _box(pdf, 300, 325, 190, 65, ["Stadtplanungsamt", "Paderborn"], size=15, font=BOLD)
    _box(pdf, 75, 205, 150, 65, ["Stabsstelle", "Digitalisierung", "Stadt Paderborn"], size=13)
    _box(pdf, 320, 205, 150, 65, ["Abteilung", "E-Goverment", "Stadt Paderborn"], size=13)
    _box(pdf, 565, 205, 150, 65, ["regiopolREGION", "PADERBORN e.V."], size=13)
    _box(pdf, 75, 110, 150, 65, ["Kommunen", "Regiopolregion", "Paderborn"], size=13)
    _box(pdf, 320, 110, 150, 65, ["Externe Experten"], size=13)
    draw_lines(pdf, 760, 400, ["Projektunterstützung:"], BOLD, 12, 14, color=BLUE)
    _box(pdf, 760, 345, 150, 45, ["BMI/ BBSR", "Begleitforschung agl"], size=12)
    _box(pdf, 760, 290, 150, 40, ["Projekt Geschäftsstelle"], size=12, fill=colors.white)
    _box(pdf, 760, 240, 150, 40, ["Projektpartner"], size=12, fill=colors.white)
    _box(pdf, 565, 90, 345, 90, ["Regiopolregion Paderborn", "29 Kommunen", "719.000 Einwohner"],
         size=15, font=BOLD, fill=BLUE, stroke=BLUE, text_color=colors.white)


def _slide_vorgehen(pdf: Canvas, n: int) -> None:
    """Four columns of boxes; the seed's in-box hyphenation is kept line for line."""
    _slide_frame(pdf, n, "Vorgehen – Modul 1 und 2")
    columns = (
        (["Recherche der", "digitalen", "Anwendungen der", "Stadt Paderborn", "sowie der Kreise"],
         ["Untersuchungs-", "matrix"]),
        (["Befragung der", "Kommunen der", "Regiopolregion"], ["Onlinebefragung"]),
        (["Herausarbeitung", "der oberzentralen", "Funktion"],
         ["Experten-", "Interviews und", "Online-Recherche"]),
        (["Zwei thematische", "und ein", "übergreifender", "Workshop mit den", "Kommunen"],
         ["Zukunftsworkshops"]),
    )
    w, gap = 190.0, 30.0
    x0 = (SLIDE[0] - 4 * w - 3 * gap) / 2
    for i, (task, method) in enumerate(columns):
        x = x0 + i * (w + gap)
        _box(pdf, x, 270, w, 140, task, size=16)
        pdf.setStrokeColor(BLUE)
        pdf.line(x + w / 2, 270, x + w / 2, 250)
        _box(pdf, x, 170, w, 80, method, size=16, font=BOLD, fill=colors.white)
    _box(pdf, x0, 60, 2 * w + gap, 70, ["Bestandsaufnahme"], size=18, font=BOLD, fill=BLUE,
         text_color=colors.white)
    _box(pdf, x0 + 2 * (w + gap), 60, w, 70, ["Analyse"], size=18, font=BOLD, fill=BLUE,
         text_color=colors.white)
    _box(pdf, x0 + 3 * (w + gap), 60, w, 70,
         ["Reflektion der Zwischenergebnisse", "Möglichkeiten der Zusammenarbeit"], size=14,
         font=BOLD, fill=BLUE, text_color=colors.white)


def _slide_zwischen_1(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Zwischenergebnisse")
    y = draw_lines(pdf, SX, y, ["Was wir bisher aus der Analyse und den Workshops mitnehmen konnten"],
                   BOLD, 17, 30)
    _bullets(pdf, SX, y, [
        ["Teilnehmer der Workshops verdeutlichen die hohe Relevanz des Themas und die große",
         "Herausforderung für die kommunalen Verwaltungen bei der Bereitstellung digitaler Anwendungen im",
         "öffentlichen Bereich"],
        ["(Kleine) Kommunen wünschen sich eine stärkere Unterstützung und Orientierungshilfe"],
        ["bevorzugte Form der Zusammenarbeit ist die Inanspruchnahme von Leistungen (d.h. eine Kommune",
         "stellt die zentrale Infrastruktur bereit) sowie Wissenstransfer (d.h. eine Kommune vermittelt",
         "Kompetenzen)"],
        ["Hürden sind fehlende Projektmanagementstrukturen, geringe personelle Ressourcen und Lücken in",
         "Bezug auf digitale Kompetenzen"],
        ["Chancen sehen die Kommunen in der Zusammenarbeit (interkommunalen Austausch, Bildung von",
         "Wissensplattformen, Bündelung von Aufträgen), Veränderung der Organisationskultur",
         "(Projektmanagement, Flexibilität, Systeme statt Einzellösungen, gemeinsamen Schnittstellen und",
         "Standardisierung, Innovationspartnerschaften (Vergabe)"],
    ], size=15, width=SLIDE[0] - 2 * SX)


def _slide_zwischen_2(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Zwischenergebnisse")
    y = draw_lines(pdf, SX, y, ["Rolle der Stadt Paderborn"], BOLD, 20, 36)
    _bullets(pdf, SX, y, [
        ["Digitalisierung ist kein klassisches oberzentrales Ausstattungsmerkmal"],
        ["Stadt Paderborn als „Zugpferd“ und damit richtungsweisend für die digitale Entwicklung der Region"],
        ["Bündelung von technischen und personellen Ressourcen"],
        ["regionaler Wissenstransfer (Vernetzung von Kompetenzen)"],
        ["Übernahme einer Leuchtturmfunktion"],
    ], size=18, width=SLIDE[0] - 2 * SX, gap=14)


def _slide_modul3(pdf: Canvas, n: int) -> None:
    """Two columns: the steps on the left, the example goal tree on the right."""
    y = _slide_frame(pdf, n, "Nächsten Schritte - Modul 3")
    _bullets(pdf, SX, y, [
        ["Definition von Zielen und Entwicklung konkreter Ansätze als",
         "Grundlage für die spätere Entwicklung von Leitprojekten"],
        ["Durchführung von Interviews zur Erarbeitung eines Zielbaums und",
         "Sammlung von Vorschlägen für potentielle Leitprojekte"],
        ["Abstimmung und Priorisierung der Ziele mit den relevanten",
         "Akteurinnen und Akteuren (Workshops)"],
        ["Abstimmung und Organisation der zukünftigen projektbezogenen", "Zusammenarbeit"],
        ["Willenserklärung (Kurz-, mittel- und langfristige Ziele der",
         "Infrastrukturentwicklung, zeitliche Zielgrößen, Verantwortlichkeiten",
         "für einzelne Ziele oder Maßnahmenbereiche)"],
    ], size=14, width=520, gap=10)
    x = 620.0
    _box(pdf, x + 40, 330, 210, 60, ["Stärkung der digitalen", "Kompetenz"], size=14, font=BOLD,
         fill=BLUE, text_color=colors.white)
    pdf.setStrokeColor(BLUE)
    for x1, y1, x2, y2 in ((x + 145, 330, x + 145, 310), (x + 65, 310, x + 225, 310),
                           (x + 65, 310, x + 65, 290), (x + 225, 310, x + 225, 290)):
        pdf.line(x1, y1, x2, y2)
    _box(pdf, x, 200, 135, 90, ["Entwicklung von", "Schulungsangeboten", "für Kommunen"], size=12)
    _box(pdf, x + 155, 170, 135, 120,
         ["Ausbau von", "Austauschformaten", "zwischen den", "Digitalisierungs-", "beauftragten der",
          "Kommunen"], size=12)
    draw_lines(pdf, x, 145, ["Abbildung: Beispiel Zielbaum"], OBLIQUE, 11, 12, color=GREY)


def _slide_modul4(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Nächsten Schritte - Modul 4")
    y = draw_lines(pdf, SX, y, ["Entwicklung von Leitprojekten auf Basis der Ergebnisse aus Modul 3"],
                   BOLD, 18, 34)
    _bullets(pdf, SX, y, [
        ["Zusammenstellung von potenziellen Leitprojekten", "(mit Kurzinformation zur Priorisierung)"],
        ["Priorisierung und Auswahl der Leitprojekte durch eine Online-Abfrage"],
        ["Durchführung von Projektworkshops zur Konkretisierung der Leitprojekte und Erarbeitung",
         "von Projektskizzen (z.B. Ziele, Trägerstruktur Zeithorizont, Finanzierung)"],
        ["Entscheidung über finale Leitprojekte"],
    ], size=17, width=SLIDE[0] - 2 * SX, gap=14)


def _slide_ausblick(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Ausblick")
    width = SLIDE[0] - 2 * SX
    y = draw_lines(pdf, SX, y, ["Einordnung Gesamtkontext"], BOLD, 16, 24)
    y = _bullets(pdf, SX, y, [
        ["Der Focus liegt auf der Infrastrukturausstattung und -entwicklung von Regiopolen und "
         "Regiopolregionen."],
        ["Der Beitrag der Stadt Paderborn mit dem Thema Digitalisierung ist ein Projektbaustein von "
         "acht im gesamten", "Modellvorhaben."],
        ["Das Gesamtprojekt gibt einen Einblick in die Infrastrukturbereiche aller am Projekt "
         "teilnehmenden", "Regiopolestädte sowie der theoretischen Arbeit aus der Begleitforschung."],
    ], size=13, width=width, gap=6) - 6
    y = draw_lines(pdf, SX, y, ["Perspektive"], BOLD, 16, 24)
    _bullets(pdf, SX, y, [
        ["Beantragung möglicher Anschlussförderung zur Weiterführung des Projektes bzw. Umsetzung der",
         "Leitprojekte"],
        ["Prüfung der Übertragbarkeit der Projektansätze aus den anderen Regiopolen"],
        ["Etablierung des Begriffes und Konzept „Regiopole“ in der Bundesraumordnung"],
        ["Transfer des Begriffes in die Landesraumordnung und Regionalplanung"],
        ["Zuweisung von Fördermitteln"],
    ], size=13, width=width, gap=6)


def _slide_kontakt(pdf: Canvas, n: int) -> None:
    y = _slide_frame(pdf, n, "Vielen Dank für Ihre Aufmerksamkeit!")
    y -= 60
    y = draw_lines(pdf, 300, y, ["Bianca Siebel"], BOLD, 22, 34)
    y = draw_lines(pdf, 300, y, ["Stadtplanungsamt Paderborn", "05251 -88 16158",
                                 "b.siebel@paderborn.de"], REGULAR, 17, 24) - 14
    draw_lines(pdf, 300, y, ["Projektmangerin Regiopole"], OBLIQUE, 17, 24)


PADERBORN_SLIDES: tuple[Callable[[Canvas, int], None], ...] = (
    _slide_netzwerk, _slide_karte, _slide_modellprojekt, _slide_tabelle, _slide_zeitplan,
    _slide_organisation, _slide_vorgehen, _slide_zwischen_1, _slide_zwischen_2, _slide_modul3,
    _slide_modul4, _slide_ausblick, _slide_kontakt,
)


def build_paderborn(path: Path) -> None:
    pdf = _canvas(
        path, SLIDE,
        title="Regiopolen und Regiopolregionen für Deutschland – Präsentation der Stadt Paderborn",
        subject="Modellvorhaben Regiopolen: Regiopole Paderborn, Infrastrukturbereich Digitalisierung",
        author="Stadt Paderborn, Stadtplanungsamt",
    )
    for number, slide in enumerate(PADERBORN_SLIDES, start=1):
        slide(pdf, number)
        pdf.showPage()
    pdf.save()


# --------------------------------------------------------------------------------------------
# 3. Fictional documents (Lemgo, Detmold)
# --------------------------------------------------------------------------------------------

LEMGO_FOOTER = ("Stadt Lemgo · Marktplatz 1 · 32657 Lemgo · Telefon 05261 213-0 · "
                "Sparkasse Lemgo IBAN DE27 4825 0110 0000 0123 45")


def _fictional_mark(pdf: Canvas, x: float, y: float) -> None:
    draw_lines(pdf, x, y, [FICTIONAL_MARK], BOLD, 8.5, 10, color=colors.Color(0.7, 0.1, 0.1))


def _letter_decorator(head: str, *, letterhead: bool) -> Callable[[Canvas, int, int], None]:
    """Running head, 'Seite N von M' and the city footer; the letterhead only on page 1."""
    width, height = A4
    left, right = 25 * MM, width - 20 * MM

    def decorate(pdf: Canvas, number: int, total: int) -> None:
        _fictional_mark(pdf, left, height - 12 * MM)
        if number == 1 and letterhead:
            draw_lines(pdf, right, height - 22 * MM, ["Stadt Lemgo"], BOLD, 18, 20,
                       align="right", color=BLUE)
            draw_lines(pdf, right, height - 27.5 * MM, ["Der Bürgermeister"], REGULAR, 10, 12,
                       align="right", color=GREY)
        draw_lines(pdf, left, height - 18 * MM, [head], REGULAR, 8.5, 10, color=GREY)
        pdf.setStrokeColor(GREY)
        pdf.setLineWidth(0.4)
        pdf.line(left, height - 19.5 * MM, left + 70 * MM, height - 19.5 * MM)
        pdf.line(left, 20 * MM, right, 20 * MM)
        draw_lines(pdf, left, 15 * MM, [LEMGO_FOOTER], REGULAR, 7.5, 9, color=GREY)
        draw_lines(pdf, right, 10 * MM, [f"Seite {number} von {total}"], REGULAR, 8.5, 10,
                   align="right", color=GREY)

    return decorate


def _a4_frames(first_top: float) -> Callable[[int], list[Frame]]:
    width, height = A4
    left, right = 25 * MM, width - 20 * MM

    def frames(page: int) -> list[Frame]:
        top = first_top if page == 0 else height - 28 * MM
        return [Frame(left, top, right - left, 26 * MM)]

    return frames


VORLAGE_BLOCKS: tuple[Block, ...] = (
    Block("Beschlussvorlage", Style(font=BOLD, size=17, leading=22, after=2)),
    Block("Drucksache Nr. 114/2021", Style(font=BOLD, size=12, leading=16, after=6)),
    Block("Federführung: Fachbereich 61 – Stadtentwicklung, Klima und Mobilität · "
          "Az. 61.2-23/2021 · Rückfragen: Herr Brandt, Telefon 05261 213-0", SMALL),
    Block("Beratungsfolge:", LABEL),
    Block("Ausschuss für Umwelt, Klima und Mobilität am 14.09.2021 (Vorberatung)\n"
          "Rat der Stadt Lemgo am 30.09.2021 (Entscheidung)", BODY),
    Block("Betreff:", LABEL),
    Block("Beitritt der Stadt Lemgo zur Kooperationsvereinbarung „Radverkehrsnetz Lippe“",
          Style(font=BOLD, size=10.5, leading=14.5, after=4)),
    Block("Beschlussvorschlag:", HEAD),
    Block("Der Rat der Stadt Lemgo beschließt, der Kooperationsvereinbarung „Radverkehrsnetz "
          "Lippe“ zwischen dem Kreis Lippe und den Städten Bad Salzuflen, Detmold und Lemgo "
          "beizutreten, und beauftragt den Bürgermeister, die Vereinbarung bis zum 31.12.2021 zu "
          "unterzeichnen."),
    Block("Sachverhalt:", HEAD),
    Block("Mit Beschluss Nr. 12/2015 vom 12.03.2015 hat der Rat der Stadt Lemgo das Integrierte "
          "Klimaschutzkonzept beschlossen. Ein Schwerpunkt des Konzeptes ist der Ausbau des "
          "Alltagsradverkehrs zwischen den Ortsteilen und den Nachbarstädten. Die Verwaltung hat "
          "dem Ausschuss für Umwelt, Klima und Mobilität zuletzt mit DS 80/2021 über den Stand "
          "der Umsetzung berichtet; die einzelnen Maßnahmen sind im Radverkehrskonzept "
          "(V/2020/0456) beschrieben."),
    Block("Der Kreistag des Kreises Lippe hat in seiner Sitzung am 21.06.2021 dem Entwurf der "
          "Kooperationsvereinbarung zugestimmt (BV/0123/2021). Ziel des Städtenetzwerks ist ein "
          "durchgängiges, einheitlich beschildertes Radverkehrsnetz, das die Netzwerkpartner "
          "gemeinsam planen, beantragen und unterhalten. Vergleichbare Kooperationen bestehen "
          "bereits in der Region Würzburg, in Köln und im Kreis Gütersloh; deren Erfahrungen "
          "sind in den Entwurf eingeflossen. Der Lenkungskreis des Netzwerks soll im September "
          "dieses Jahres erstmals zusammentreten."),
    Block("Das Land Nordrhein-Westfalen fördert das Vorhaben aus Mitteln der Nahmobilität für den "
          "Förderzeitraum vom 01.03.2021 bis 28.02.2023 zu 90 % der zuwendungsfähigen Ausgaben. "
          "Der Förderantrag ist über die Bezirksregierung Detmold beim Ministerium in Düsseldorf "
          "gestellt. Das Gesamtvolumen für alle Netzwerkpartner beträgt 1.250.000 Euro."),
    Block("Die Zuständigkeit des Rates ergibt sich aus § 41 Abs. 1 GO NRW. Planungsrechtlich "
          "berührt die Trasse entlang der Bega lediglich den Bebauungsplan Nr. 12/3 „Lüttfeld“; "
          "eine Änderung des Planes ist nicht erforderlich."),
    Block("Finanzielle Auswirkungen:", HEAD),
    Block("Der Eigenanteil der Stadt Lemgo beträgt 10 % ihrer Ausgaben und ist im Haushalt "
          "veranschlagt. Folgekosten für die Unterhaltung der Beschilderung werden für die "
          "Haushaltsjahre 2024/2025 in der mittelfristigen Finanzplanung berücksichtigt."),
    Block("Klimarelevanz:", HEAD),
    Block("Das Vorhaben setzt eine Maßnahme des Klimaschutzkonzeptes um und wirkt sich positiv "
          "auf die Klimabilanz der Stadt aus."),
    Block("gez. Ortmann\nBürgermeister", Style(before=18, after=0)),
)


def build_lemgo_vorlage(path: Path) -> None:
    pdf = _canvas(
        path, A4,
        title="Fiktives Beispiel: Beschlussvorlage Drucksache Nr. 114/2021 der Stadt Lemgo",
        subject=f"{FICTIONAL_SUBJECT} – Beschlussvorlage Beitritt Radverkehrsnetz Lippe",
        author="Stadt Lemgo (fiktiv)",
        keywords="Fiktives Beispiel, Beschlussvorlage, Stadt Lemgo",
    )
    pages = flow(VORLAGE_BLOCKS, _a4_frames(A4[1] - 45 * MM))
    render_pages(pdf, pages, _letter_decorator("Beschlussvorlage DS 114/2021", letterhead=True))
    pdf.save()


NIEDERSCHRIFT_BLOCKS: tuple[Block, ...] = (
    Block("Niederschrift", Style(font=BOLD, size=17, leading=22, after=2)),
    Block("über die 12. Sitzung des Rates der Stadt Lemgo am 30.09.2021",
          Style(font=BOLD, size=12, leading=16, after=6)),
    Block("Sitzungstag: Donnerstag, 30. September 2021\nSitzungsort: Ratssaal des Rathauses, "
          "Marktplatz 1, Lemgo\nBeginn: 17:00 Uhr, Ende: 20:45 Uhr", BODY),
    Block("Anwesend: Bürgermeister Ortmann (Vorsitz), 29 weitere stimmberechtigte Ratsmitglieder, "
          "von der Verwaltung die Beigeordnete Dr. Wessel und Fachbereichsleiter Brandt; "
          "Schriftführerin: Frau Kemper", BODY),
    Block("Öffentlicher Teil", HEAD),
    Block("TOP 1  Eröffnung und Feststellung der Beschlussfähigkeit", HEAD),
    Block("Der Bürgermeister eröffnet die Sitzung und stellt fest, dass mit Einladung vom "
          "17.09.2021 ordnungsgemäß eingeladen wurde und der Rat beschlussfähig ist. Einwände "
          "gegen die Tagesordnung werden nicht erhoben."),
    Block("TOP 2  Beitritt zur Kooperationsvereinbarung „Radverkehrsnetz Lippe“\n"
          "Drucksache Nr. 114/2021", HEAD),
    Block("Fachbereichsleiter Brandt erläutert die Vorlage. Er erinnert daran, dass der Rat "
          "bereits am 12. März\n2015 mit dem Integrierten Klimaschutzkonzept (Beschluss Nr. "
          "12/2015) den Ausbau des Alltagsradverkehrs beschlossen hat. Der Ausschuss für Umwelt, "
          "Klima und Mobilität hat die Vorlage in seiner Sitzung am 14.09.2021 vorberaten."),
    Block("Beschluss:", LABEL),
    Block("Der Rat der Stadt Lemgo beschließt, der Kooperationsvereinbarung „Radverkehrsnetz "
          "Lippe“ beizutreten, und beauftragt den Bürgermeister, die Vereinbarung bis zum "
          "31.12.2021 zu unterzeichnen.", DECISION),
    Block("Abstimmungsergebnis: einstimmig beschlossen (" + nb("Beschluss-Nr. VII/2021/0123") + ")", RESULT),
    Block("TOP 3  Neufassung der Satzung über die Erhebung von Parkgebühren\n"
          "Vorlage Nr.: 2021/0840/3", HEAD),
    Block("Die Verwaltung stellt die Neufassung vor. Die Gebühren in der Altstadt werden "
          "vereinheitlicht; Anwohnende erhalten weiterhin Bewohnerparkausweise. Ratsmitglied "
          "Schäfer regt an, die Gebühren an Samstagen zu senken; die Verwaltung sagt eine "
          "Prüfung bis zur Haushaltsberatung zu."),
    Block("Beschluss:", LABEL),
    Block("Der Rat beschließt die Neufassung der Satzung über die Erhebung von Parkgebühren in "
          "der vorgelegten Fassung. Die Satzung tritt am 01.01.2022 in Kraft.", DECISION),
    Block("Abstimmungsergebnis: mit 25 Ja-Stimmen, 3 Nein-Stimmen bei 2 Enthaltungen "
          "beschlossen (" + nb("Beschluss-Nr. VII/2021/0124") + ")", RESULT),
    Block("TOP 4  Konzept für ein Fahrradverleihsystem in der Innenstadt\n"
          "Vorlage Nr.: 2021/0852", HEAD),
    Block("Die Fraktion Bürgerliste Lemgo bittet um Vertagung, weil die Stellungnahme der "
          "Stadtwerke noch nicht vorliegt. Der Bürgermeister lässt über den Antrag abstimmen."),
    Block("Beschluss:", LABEL),
    Block("Der Tagesordnungspunkt wird vertagt und in der Sitzung am 16.12.2021 erneut beraten."),
    Block("TOP 5  Antrag der Fraktion Bürgerliste Lemgo: Verzicht auf Sondernutzungsgebühren "
          "für die Außengastronomie\nAntrag Nr. 17/2021", HEAD),
    Block("Ratsmitglied Schäfer begründet den Antrag mit den Folgen der Pandemie für die "
          "Gastronomie. Die Verwaltung weist auf den bereits gewährten Nachlass hin."),
    Block("Beschluss:", LABEL),
    Block("Der Antrag wird mit 9 Ja-Stimmen, 19 Nein-Stimmen bei 2 Enthaltungen abgelehnt "
          "(" + nb("Beschluss-Nr. VII/2021/0125") + ")."),
    Block("TOP 6  Bericht zur Umsetzung des Klimaschutzkonzeptes\n"
          "Mitteilungsvorlage Nr. 2021/0811", HEAD),
    Block("Die Beigeordnete Dr. Wessel berichtet. Seit der Einrichtung der Stabsstelle "
          "Klimaschutz im Februar 2015 sind 41 von 60 Maßnahmen begonnen worden; das erste "
          "Monitoring wurde im März 2016 vorgelegt. Die Bezirksregierung Detmold hat mit "
          "Schreiben vom 02.09.21 die Förderfähigkeit des Radverkehrsnetzes bestätigt. Auf "
          "Nachfrage erläutert sie, dass die Treibhausgasemissionen der städtischen Gebäude "
          "gegenüber dem Basisjahr um ein Fünftel gesunken sind."),
    Block("Beschluss:", LABEL),
    Block("Der Rat nimmt den Bericht zur Kenntnis (" + nb("Beschluss-Nr. VII/2021/0126") + ").", DECISION),
    Block("Abstimmungsergebnis: zur Kenntnis genommen", RESULT),
    Block("TOP 7  Antrag der Fraktion Grüne Liste: Mehr Stadtgrün in der Altstadt\n"
          "Antrag Nr. 21/2021", HEAD),
    Block("Die Antragstellerin schlägt vor, Baumscheiben und Fassaden in der Mittelstraße zu "
          "begrünen. Der Bürgermeister regt an, den Antrag zunächst im Fachausschuss zu "
          "beraten."),
    Block("Beschluss:", LABEL),
    Block("Der Antrag wird ohne Aussprache in den Ausschuss für Stadtentwicklung verwiesen "
          "(" + nb("Beschluss-Nr. VII/2021/0127") + ")."),
    Block("TOP 8  Überplanmäßige Aufwendung für die Sanierung der Sporthalle Lüttfeld\n"
          "Vorlage Nr.: 2021/0833", HEAD),
    Block("Der Haupt- und Finanzausschuss empfiehlt dem Rat in seiner Sitzung am 16.09.2021 "
          "einstimmig, der überplanmäßigen Aufwendung in Höhe von 180.000 Euro zuzustimmen. "
          "Die Deckung erfolgt aus Minderaufwendungen bei der Gebäudeunterhaltung."),
    Block("Beschluss:", LABEL),
    Block("Der Rat stimmt der überplanmäßigen Aufwendung in Höhe von 180.000 Euro für die "
          "Sanierung der Sporthalle Lüttfeld zu.", DECISION),
    Block("Abstimmungsergebnis: mit 28 Ja-Stimmen bei 2 Enthaltungen beschlossen "
          "(" + nb("Beschluss-Nr. VII/2021/0128") + ")", RESULT),
    Block("TOP 9  Mitteilungen des Bürgermeisters", HEAD),
    Block("Der Bürgermeister teilt mit, dass die nächste Sitzung des Rates am 16.12.2021 "
          "stattfindet. Er schließt den öffentlichen Teil der Sitzung um 20:45 Uhr."),
    Block("gez. Ortmann\nBürgermeister", Style(before=22, after=6)),
    Block("gez. Kemper\nSchriftführerin", BODY),
)


def build_lemgo_niederschrift(path: Path) -> None:
    pdf = _canvas(
        path, A4,
        title="Fiktives Beispiel: Niederschrift über die 12. Sitzung des Rates der Stadt Lemgo",
        subject=f"{FICTIONAL_SUBJECT} – Niederschrift Rat der Stadt Lemgo 30.09.2021",
        author="Stadt Lemgo (fiktiv)",
        keywords="Fiktives Beispiel, Niederschrift, Stadt Lemgo",
    )
    pages = flow(NIEDERSCHRIFT_BLOCKS, _a4_frames(A4[1] - 45 * MM))
    render_pages(pdf, pages, _letter_decorator("Niederschrift Rat 30.09.2021", letterhead=True))
    pdf.save()


AMTSBLATT_BLOCKS: tuple[Block, ...] = (
    Block("Bekanntmachung der Beschlüsse des Rates der Stadt Detmold", HEAD),
    Block("Der Rat der Stadt Detmold hat in seiner Sitzung am 27.11.2024 unter anderem folgende "
          "Beschlüsse gefasst:"),
    Block("1. Fortschreibung des Einzelhandels- und Zentrenkonzeptes (" + nb("DS 24-1095") + ")", LABEL),
    Block("Der Rat beschließt die Fortschreibung des Einzelhandels- und Zentrenkonzeptes der "
          "Stadt Detmold als städtebauliches Entwicklungskonzept im Sinne des § 1 Abs. 6 Nr. 11 "
          "BauGB. Das Konzept ist bei künftigen Bauleitplanverfahren zu berücksichtigen. "
          "Abstimmungsergebnis: einstimmig."),
    Block("2. Antrag auf Einrichtung eines Jugendparlaments (" + nb("Ah 34/21-26") + ")", LABEL),
    Block("Der Antrag wird zur weiteren Beratung in den Jugendhilfeausschuss verwiesen. Die "
          "Verwaltung wird gebeten, bis zur Sitzung des Ausschusses Erfahrungen anderer Städte "
          "in Ostwestfalen-Lippe zusammenzustellen."),
    Block("3. Satzung zur Änderung der Friedhofssatzung (" + nb("DS 24-1102") + ")", LABEL),
    Block("Der Rat beschließt die nachstehende Satzung zur Änderung der Friedhofssatzung der "
          "Stadt Detmold. Abstimmungsergebnis: mit 31 Ja-Stimmen, 12 Nein-Stimmen und "
          "3 Enthaltungen beschlossen."),
    Block("4. Sitzungstermine 2025 (" + nb("DS 24-1110") + ")", LABEL),
    Block("Der Rat nimmt die von der Verwaltung vorgelegte Übersicht der Sitzungstermine für das "
          "Jahr 2025 zur Kenntnis. Die erste Sitzung des Rates findet am "
          + nb("30. Januar 2025") + " statt."),
    Block("Satzung zur Änderung der Friedhofssatzung der Stadt Detmold", HEAD),
    Block("Aufgrund des § 7 der Gemeindeordnung für das Land Nordrhein-Westfalen (GO NRW) und "
          "des § 4 des Bestattungsgesetzes NRW, jeweils in der zurzeit gültigen Fassung, hat der "
          "Rat der Stadt Detmold in seiner Sitzung am 27.11.2024 folgende Satzung beschlossen:"),
    Block("§ 1  Änderung", LABEL),
    Block("Die Friedhofssatzung der Stadt Detmold wird wie folgt geändert: In § 12 Absatz 2 "
          "werden nach dem Wort „Urnengräber“ die Wörter „sowie Urnengemeinschaftsanlagen unter "
          "Bäumen“ eingefügt. § 15 erhält einen neuen Absatz 4: „Auf dem Friedhof Remmighausen "
          "werden Baumgrabstätten für Urnen angeboten. Die Ruhezeit beträgt 20 Jahre; ein "
          "Nutzungsrecht kann einmalig verlängert werden.“"),
    Block("§ 2  Gebühren", LABEL),
    Block("Die Gebühren für Baumgrabstätten richten sich nach der Friedhofsgebührensatzung in "
          "ihrer jeweils gültigen Fassung. Bis zu deren Änderung gelten die Gebühren für "
          "Urnenwahlgräber entsprechend."),
    Block("§ 3  Inkrafttreten", LABEL),
    Block("Diese Satzung tritt am Tage nach ihrer öffentlichen Bekanntmachung in Kraft."),
    Block("Bekanntmachungsanordnung", HEAD),
    Block("Die vorstehende Satzung wird hiermit öffentlich bekannt gemacht. Es wird darauf "
          "hingewiesen, dass eine Verletzung von Verfahrens- oder Formvorschriften der "
          "Gemeindeordnung für das Land Nordrhein-Westfalen beim Zustandekommen dieser Satzung "
          "nach Ablauf eines Jahres seit ihrer Verkündung nicht mehr geltend gemacht werden "
          "kann, es sei denn, eine vorgeschriebene Genehmigung fehlt, die Satzung ist nicht "
          "ordnungsgemäß öffentlich bekannt gemacht worden, der Bürgermeister hat den "
          "Ratsbeschluss vorher beanstandet oder der Form- oder Verfahrensmangel ist gegenüber "
          "der Stadt vorher gerügt und dabei die verletzte Rechtsvorschrift und die Tatsache "
          "bezeichnet worden, die den Mangel ergibt."),
    Block("Detmold, den 28.11.2024\nDer Bürgermeister\ngez. Körner", Style(before=6, after=8)),
    Block("Hinweis zur Einsichtnahme", HEAD),
    Block("Die vollständigen Sitzungsunterlagen, darunter die Vorlagen " + nb("DS 24-1095") + " und "
          + nb("DS 24-1102") + ", "
          "können im Ratsinformationssystem der Stadt Detmold sowie während der Öffnungszeiten "
          "im Rathaus, Marktplatz 5, Zimmer 114, eingesehen werden. Auskunft erteilt das Büro "
          "des Rates, Telefon 05231 977-0."),
)


def build_detmold_amtsblatt(path: Path) -> None:
    """Two columns; the content stream holds the left column before the right one."""
    width, height = A4
    left, right = 18 * MM, width - 18 * MM
    gutter = 9 * MM
    col = (right - left - gutter) / 2
    pdf = _canvas(
        path, A4,
        title="Fiktives Beispiel: Amtsblatt der Stadt Detmold, Bekanntmachung von Ratsbeschlüssen",
        subject=f"{FICTIONAL_SUBJECT} – Amtsblatt der Stadt Detmold, zweispaltig",
        author="Stadt Detmold (fiktiv)",
        keywords="Fiktives Beispiel, Amtsblatt, Bekanntmachung, Stadt Detmold",
    )
    masthead_bottom = height - 62 * MM

    def frames(page: int) -> list[Frame]:
        top = masthead_bottom - 6 if page == 0 else height - 24 * MM
        return [Frame(left, top, col, 18 * MM), Frame(left + col + gutter, top, col, 18 * MM)]

    style = Style(size=9.5, leading=12.6, after=4)
    blocks = [b if b.style is not BODY else Block(b.text, style) for b in AMTSBLATT_BLOCKS]
    pages = flow(blocks, frames)

    def decorate(pdf: Canvas, number: int, total: int) -> None:
        head = "Amtsblatt der Stadt Detmold · Nr. 31 · 29.11.2024"
        draw_lines(pdf, left, height - 12 * MM, [head], REGULAR, 8.5, 10, color=GREY)
        draw_lines(pdf, right, height - 12 * MM, [f"Seite {number}"], REGULAR, 8.5, 10,
                   align="right", color=GREY)
        pdf.setStrokeColor(GREY)
        pdf.setLineWidth(0.4)
        pdf.line(left, height - 14 * MM, right, height - 14 * MM)
        if number == 1:
            draw_lines(pdf, left, height - 28 * MM, ["Amtsblatt der Stadt Detmold"], BOLD, 24, 26,
                       color=BLUE)
            draw_lines(pdf, left, height - 36 * MM, [
                "Amtliches Verkündungsblatt der Stadt Detmold · 52. Jahrgang · Nr. 31",
            ], REGULAR, 10, 12)
            draw_lines(pdf, left, height - 42 * MM, ["Ausgabetag: 29.11.2024"], REGULAR, 10, 12)
            _fictional_mark(pdf, right - 40 * MM, height - 42 * MM)
            pdf.setLineWidth(1.5)
            pdf.setStrokeColor(BLUE)
            pdf.line(left, height - 46 * MM, right, height - 46 * MM)
            draw_lines(pdf, left, height - 54 * MM, [
                "Inhalt: Bekanntmachung der Beschlüsse des Rates vom 27.11.2024 · "
                "Satzung zur Änderung der Friedhofssatzung",
            ], OBLIQUE, 9, 11, color=GREY)
        else:
            _fictional_mark(pdf, left, height - 20 * MM)
        pdf.setStrokeColor(GREY)
        pdf.setLineWidth(0.4)
        x = left + col + gutter / 2
        top = (masthead_bottom if number == 1 else height - 22 * MM)
        pdf.line(x, 18 * MM, x, top)
        draw_lines(pdf, left, 10 * MM, ["Herausgeber: Stadt Detmold, Der Bürgermeister, "
                                        "Marktplatz 5, 32756 Detmold"], REGULAR, 7.5, 9,
                   color=GREY)

    render_pages(pdf, pages, decorate)
    pdf.save()


ANTRAG_TEXT = """\
Fiktives Beispieldokument

Fraktion Grüne Liste im Rat der Stadt Lemgo
Fraktionsvorsitzende Miriam Sander

An den Bürgermeister der Stadt Lemgo
Marktplatz 1
32657 Lemgo

Lemgo, 29.11.2021

Antrag der Fraktion Grüne Liste zur Sitzung des Rates am 16.12.2021

Betreff: Fahrradverleihsystem für die Lemgoer Innenstadt

Sehr geehrter Herr Bürgermeister,

die Fraktion Grüne Liste beantragt, den folgenden Antrag auf die Tagesordnung der Sitzung des
Rates am 16.12.2021 zu setzen.

Der Rat möge beschließen:

1. Die Verwaltung wird beauftragt, auf der Grundlage des Konzeptes für ein
   Fahrradverleihsystem (Vorlage Nr. 2021/0852) eine Ausschreibung für zunächst zehn
   Verleihstationen vorzubereiten und dem Ausschuss für Umwelt, Klima und Mobilität bis zum
   31.03.2022 vorzulegen.
2. Die Stationen werden in das Radverkehrsnetz Lippe eingebunden, dem die Stadt mit
   Beschluss-Nr. VII/2021/0123 beigetreten ist.
3. Für die Haushaltsjahre 2022/2023 werden die erforderlichen Mittel angemeldet.

Begründung:

Der Rat hat die Beratung des Konzeptes in seiner Sitzung am 30.09.2021 vertagt. Seitdem liegt
die Stellungnahme der Stadtwerke vor. Andere Städte zeigen, dass ein Verleihsystem den
Umstieg auf das Rad erleichtert: In Köln wird das Angebot seit Jahren von Pendlerinnen und
Pendlern genutzt (vgl. https://www.stadt-koeln.de/leben-in-koeln/verkehr/radfahren/), und
auch Gütersloh und Detmold planen entsprechende Angebote. Mit dem Beitritt zur
Kooperationsvereinbarung „Radverkehrsnetz Lippe“ hat die Stadt Lemgo die Voraussetzungen
geschaffen, Verleihstationen gemeinsam mit den Netzwerkpartnern zu betreiben und Fördermittel
zu beantragen.

Ein Verleihsystem schließt zudem die Lücke zwischen dem Bahnhof und der Altstadt und
unterstützt die Ziele des Klimaschutzkonzeptes. Wir bitten um Zustimmung.

Mit freundlichen Grüßen

Miriam Sander
Fraktionsvorsitzende
"""


def build_lemgo_antrag(path: Path) -> None:
    path.write_text(ANTRAG_TEXT, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

DOCUMENTS: dict[str, Callable[[Path], None]] = {
    "bielefeld-mitteilung-hwb-2023-10-25.pdf": build_bielefeld,
    "paderborn-regiopole-praesentation.pdf": build_paderborn,
    "beispiel-lemgo-beschlussvorlage-2021-114.pdf": build_lemgo_vorlage,
    "beispiel-lemgo-niederschrift-rat-2021-09-30.pdf": build_lemgo_niederschrift,
    "beispiel-detmold-amtsblatt-zweispaltig.pdf": build_detmold_amtsblatt,
    "beispiel-lemgo-antrag-fraktion.txt": build_lemgo_antrag,
}


def build(out_dir: Path) -> list[Path]:
    """Write every corpus document into ``out_dir``; returns the paths in a fixed order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, builder in DOCUMENTS.items():
        target = out_dir / name
        builder(target)
        written.append(target)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=HERE,
                        help="where to write the documents (default: corpus/)")
    args = parser.parse_args(argv)
    for path in build(args.out_dir):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
