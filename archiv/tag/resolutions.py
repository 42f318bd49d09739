"""Resolutions, proposals and dated events, read sentence by sentence from tagged pages.

The taggers (dates, references, places, bodies) say *what* is mentioned; this module decides
what a sentence *reports*: a decision actually taken (``resolution`` with a status), a proposal
that nobody has decided yet (``proposal``: a *Beschlussvorschlag*, "Der Rat möge beschließen",
an Antrag), or a dated happening that is not a decision (``event``: a signing, a Bescheid, a
project period, the meeting a Mitteilung is written for).

Why heuristics over a trained model: there is no German model here, and the cues that matter are
few and lexical ("stimmte … zu", "einstimmig beschlossen", "Beschlussvorschlag:"). Each rule
is small and has a test with a real sentence.

PDF text arrives with a line break (often a blank line) after every printed line, so sentences
are rebuilt from lines first (:func:`split_sentences`): a line joins the next one when the
next starts in lower case, or the line ends in a hyphen, comma, article or preposition, or the
line is as long as the page's full lines (running prose). Short lines without such a cue are
headings, slide titles or list items and stand alone.

Dates: the date tagger's ``role`` (decision/meeting/deadline/period/event) is used where it is
set, but a deadline ("bis zum 31.08.2023") is also recognised here from the words before it,
and in minutes (*Niederschrift*) a ``Beschluss:`` block without a date of its own takes the
meeting date of the document (``facts.date``).

Structure: in minutes (and an Amtsblatt's numbered list) every decision belongs to an agenda
item (``TOP 3 …`` or ``3. …``): its Drucksache and title come from the item heading, the
``Abstimmungsergebnis:`` that follows adds votes and the Beschluss-Nr., and the meeting date
comes from the document (or from "hat in seiner Sitzung am … folgende Beschlüsse gefasst:").
A proposal (``Beschlussvorschlag:``, "Der Rat möge beschließen:") is dated by the meeting of its
body in the Beratungsfolge ("Rat der Stadt Lemgo am 30.09.2021 (Entscheidung)") when there is
one, else by the document's date.

City: the municipality whose body decided. "Rat der Stadt Bielefeld" names it; a bare "Rat"
belongs to the document's municipality. A body that is not the municipality's own (the
"Lenkungsausschuss des Netzwerks") gets the meeting place named in the sentence ("am 19.09.23
in Berlin") as ``city``, or ``None`` when no place is named: a network has no municipality, and
recording the document's city would wrongly make it a Bielefeld decision.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from archiv.analysis import fold
from archiv.models import DocumentFacts, Mention, PageText, Resolution, ResolutionStatus, Source

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    """A word list written as running text (easier to read and extend than a list literal)."""
    return frozenset(text.split())


MAX_SUBJECT = 160

# --------------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------------

_FUNCTION_WORDS = _words(
    """
    der die das den dem des ein eine einer eines einem einen und oder sowie bzw in im am an
    auf aus bei beim mit nach von vom zu zum zur für über unter vor durch gegen ohne um bis
    seit zwischen als wie dass daß sich ihre ihr ihren ihrer seine seiner seinen sein nicht
    auch noch wurde wurden wird werden hat haben hatte ist sind war soll sollen kann können
    diese dieser dieses diesem diesen jedoch sowohl weder ob wenn weil damit deren dessen
    welche welcher
    """
)
_ABBREVIATIONS = _words(
    """
    nr abs art ziff bzw ca vgl ggf evtl dr prof hr fr frau str st s u z.b d.h u.a o.ä usw
    etc gem lt mio mrd tsd ca bspw inkl zzgl ca sog jh jhd bd tel ds drs z.t i.v i.a v.a u.u
    o.g a.a.o lfd anl gez h.c nrn ff f
    """
)
_MONTHS = (
    "januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november"
    "|dezember|jan|feb|mär|apr|jun|jul|aug|sep|sept|okt|nov|dez"
)
_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+\S")
_BULLET = re.compile(r"^(?:[-–—•▪◦*·>]|[\ue000-\uf8ff])\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'“”»)\]]*\s+(?=[\"„“»(\[]?[A-ZÄÖÜ0-9])")
_WORD_BEFORE = re.compile(r"(\S+)$")
_ORDINAL_BEFORE_MONTH = re.compile(rf"\b\d{{1,2}}\.\s+(?:{_MONTHS})\b", re.IGNORECASE)
_SECTION = re.compile(
    r"^(?P<label>Beschlussvorschlag|Beschlussentwurf|Beschlussempfehlung|Empfehlung"
    r"|Beschlussfassung|Beschluss|Abstimmungsergebnis|Abstimmung|Beratungsergebnis|Ergebnis"
    r"|Begründung|Sachverhalt|Sachdarstellung|Erläuterungen?|Thema|Betreff|Gegenstand"
    r"|Mitteilung|Antrag|Anfrage|Finanzielle Auswirkungen|Anlagen?|Beratungsfolge)\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_TOP = re.compile(
    r"^(?:TOP|Top|Tagesordnungspunkt|Punkt)\s*(?:Ö\s*|N\s*)?(?P<num>\d+(?:\.\d+)*)\s*[:.)–-]?\s*"
    r"(?P<title>.*)$"
)
_PROPOSAL_SECTIONS = frozenset(
    {"beschlussvorschlag", "beschlussentwurf", "beschlussempfehlung", "empfehlung"}
)
_DECISION_SECTIONS = frozenset({"beschluss", "beschlussfassung", "beratungsergebnis"})
_VOTE_SECTIONS = frozenset({"abstimmungsergebnis", "abstimmung", "ergebnis"})
_TITLE_SECTIONS = frozenset({"thema", "betreff", "gegenstand"})


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one page: raw offsets into the page text and the text for display."""

    page: int
    start: int
    end: int
    text: str  # whitespace-normalised
    positions: tuple[int, ...]  # positions[i] = page offset of text[i]
    section: str | None = None  # lower-cased label of the heading that governs it
    section_index: int = 0  # which occurrence of that heading (blocks never span two)
    top: str | None = None  # the agenda item heading (TOP …) it belongs to
    heading: str | None = None  # the last short stand-alone line before it (a slide title)
    is_heading: bool = False

    def local(self, offset: int) -> int:
        """A page offset as an index into ``text``."""
        return bisect_left(self.positions, offset)


def _normalise(raw: str, base: int) -> tuple[str, tuple[int, ...]]:
    """Collapse whitespace, join words hyphenated across lines, keep a map back to the page."""
    out: list[str] = []
    pos: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch.isspace():
            j = i
            while j < n and raw[j].isspace():
                j += 1
            if out and j < n:
                if out[-1] == "-" and "\n" in raw[i:j] and len(out) > 1 and out[-2].isalpha():
                    nxt = raw[j]
                    word = re.match(r"[^\W\d_]+", raw[j:])
                    if nxt.isupper():  # Jakob-␤Kaiser-Haus keeps its hyphen
                        i = j
                        continue
                    if (
                        nxt.islower()
                        and word
                        and word.group(0) not in {"und", "oder", "bzw", "sowie"}
                    ):
                        out.pop()  # Untersuchungs-␤matrix
                        pos.pop()
                        i = j
                        continue
                out.append(" ")
                pos.append(base + i)
            i = j
            continue
        out.append(ch)
        pos.append(base + i)
        i += 1
    text = "".join(out).strip()
    lead = len("".join(out)) - len("".join(out).lstrip())
    return text, tuple(pos[lead : lead + len(text)])


def _is_heading_line(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 4 and not re.search(r"[.!?;,]$", line) and not re.search(r"\d", line)


def _joins(prev: str, nxt: str, long_line: int) -> bool:
    """Does the printed line ``nxt`` continue the sentence of ``prev``?"""
    if _BULLET.match(nxt) or _SECTION.match(nxt) or _TOP.match(nxt):
        return False
    if _NUMBERED.match(nxt) and not _ORDINAL_BEFORE_MONTH.match(nxt):
        return False  # "1. Fortschreibung des …": a numbered item starts here
    if re.search(r"[.!?:;]$", prev):
        return True  # the punctuation splitter decides (abbreviations, "Nr." + number)
    if nxt[:1].islower():
        return True
    if re.search(r"[-,„(/&+]$", prev):
        return True
    last = prev.split()[-1].lower() if prev.split() else ""
    if last in _FUNCTION_WORDS:
        return True
    # Running prose fills the line; a short title-like line after it starts something new.
    return len(prev) >= long_line and prev[-1:].isalnum() and not _is_heading_line(nxt)


def _split_segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one run of joined lines at sentence punctuation, minding abbreviations."""
    pieces: list[tuple[int, int]] = []
    cut = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.start() + 1
        before = _WORD_BEFORE.search(text, cut, stop)
        word = before.group(1).lower().rstrip(".") if before else ""
        word = word.lstrip("(„\"'")
        if word in _ABBREVIATIONS or word.split("-")[-1] in _ABBREVIATIONS:
            continue
        if re.fullmatch(r"[a-zäöü]", word) or re.fullmatch(r"[a-zäöü](?:\.[a-zäöü])+", word):
            continue  # initials, "z.B", "d.h"
        if re.fullmatch(r"\d{1,2}", word) and _ORDINAL_BEFORE_MONTH.match(
            text, stop - len(word) - 1
        ):
            continue  # "12. März 2015"
        if re.fullmatch(r"\d{1,3}", word) and re.match(r"\s+\d", text[stop:]):
            continue  # "Nr. 5. 3" style enumerations, "1. 2." lists
        if re.fullmatch(r"\d{1,2}", word) and not text[cut : stop - len(word) - 1].strip():
            continue  # "1. Fortschreibung …": the number of a list item, not a sentence
        pieces.append((cut, stop))
        cut = m.end()
    pieces.append((cut, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def split_sentences(
    page: PageText, *, after: Sentence | None = None, numbered_items: bool = False
) -> list[Sentence]:
    """Rebuild sentences from the printed lines of one page (see the module docstring).

    ``after`` is the last sentence of the previous page: a ``Beschluss:`` block or an agenda
    item (TOP) that runs over a page break continues on this page. With ``numbered_items``
    (minutes, an Amtsblatt), a short numbered line ("1. Fortschreibung … (DS 24-1095)") is an
    agenda item like a TOP.
    """
    text = page.text
    lines = [(m.start(), m.end(), m.group(0).strip()) for m in re.finditer(r"[^\n]+", text)]
    lines = [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e, t) for s, e, t in lines if t]
    if not lines:
        return []
    lengths = sorted(len(t) for _, _, t in lines)
    widest = lengths[int(0.9 * (len(lengths) - 1))] if len(lengths) > 1 else lengths[0]
    long_line = max(40, int(0.7 * widest))

    segments: list[tuple[int, int, bool]] = []  # (start, end, is a heading line)
    seg_start, seg_end = lines[0][0], lines[0][1]
    prev = lines[0][2]
    prev_heading = _is_section_only(prev) or bool(_TOP.match(prev))
    for s, e, t in lines[1:]:
        continues_top = bool(_TOP.match(prev)) and t[:1].islower()  # "… Verzicht auf X␤für die Y"
        if continues_top or (not prev_heading and _joins(prev, t, long_line)):
            seg_end = e
        else:
            segments.append((seg_start, seg_end, prev_heading))
            seg_start, seg_end = s, e
        prev = t if not continues_top else f"{prev} {t}"
        prev_heading = _is_section_only(prev) or bool(_TOP.match(prev))
    segments.append((seg_start, seg_end, prev_heading))

    out: list[Sentence] = []
    section = after.section if after else None
    section_index = after.section_index if after else 0
    top = after.top if after else None
    heading: str | None = None
    for seg_start, seg_end, _ in segments:
        seg_text = text[seg_start:seg_end]
        first_line = seg_text.split("\n", 1)[0].strip()
        seg_norm = _normalise(seg_text, seg_start)[0]
        if (m := _TOP.match(first_line)) is not None or (
            numbered_items and _is_agenda_item(seg_norm)
        ):
            top, section = seg_norm, None
            section_index += 1

        elif (m := _SECTION.match(first_line)) is not None:
            section = m.group("label").lower()
            section_index += 1
        for a, b in _split_segment(text, seg_start, seg_end):
            norm, positions = _normalise(text[a:b], a)
            if not norm:
                continue
            bare = _BULLET.sub("", norm)
            if (
                top is not None
                and _NUMBERED.match(top)
                and not _NUMBERED.match(norm)
                and len(norm.split()) <= 10
                and norm[:1].isupper()
                and not re.search(r"[.!?:;,]$", norm)
                and not _VERB_LIKE.search(norm)
                and not _SECTION.match(norm)
                and out
                and out[-1].text.endswith(".")
            ):
                top = None  # "Satzung zur Änderung der …": a new part after the numbered list
            is_heading = "\n" not in text[a:b].strip() and bare == norm and _is_heading_line(bare)
            out.append(
                Sentence(
                    page.number,
                    a,
                    b,
                    norm,
                    positions,
                    section,
                    section_index,
                    top,
                    heading,
                    is_heading,
                )
            )
            if is_heading and not _SECTION.match(bare):
                heading = bare
            if _PROPOSAL_OPENER.search(norm):  # "Der Rat möge beschließen:" + numbered items
                section, section_index = "beschlussvorschlag", section_index + 1
                out[-1] = replace(out[-1], section=section, section_index=section_index)
    return out


_PROPOSAL_OPENER = re.compile(
    r"\b(?:möge|mögen|wolle|wollen)\s+(?:\S+\s+){0,3}?beschlie(?:ß|ss)en\s*:$", re.IGNORECASE
)


def _is_agenda_item(text: str) -> bool:
    """ "3. Satzung zur Änderung der Friedhofssatzung (DS 24-1102)": a title, not a sentence."""
    m = _NUMBERED.match(text)
    return bool(
        m
        and len(text) <= 160
        and re.match(r"^\d{1,2}[.)]\s+[A-ZÄÖÜ]", text)
        and not re.search(r"[.!?:;]$", text)
        and not _ORDINAL_BEFORE_MONTH.match(text)
    )


def _is_section_only(line: str) -> bool:
    m = _SECTION.match(line)
    return bool(m and not m.group("rest").strip())


# --------------------------------------------------------------------------------------------
# Cues
# --------------------------------------------------------------------------------------------

_I = re.IGNORECASE
_RECOMMEND = re.compile(r"\b(?:empfiehlt|empfehlen|empfahl|empfahlen|empfohlen)\b", _I)
_REFER = re.compile(r"\b(?:verwiesen|überwiesen|verweist|überweist|verwies|überwies)\b", _I)
_POSTPONE = re.compile(r"\b(?:vertagt|vertagte|vertagten|zurückgestellt|zurückstellt)\b", _I)
_REJECT = re.compile(r"\babgelehnt\b|\blehnt(?:e|en)?\b.{0,200}?\bab\b", _I)
_NOTE = re.compile(
    r"\bzur\s+Kenntnis\b.{0,40}?\b(?:genommen|nimmt|nahm|nahmen|nehmen)\b"
    r"|\b(?:nimmt|nahm|nahmen|nehmen)\b.{0,200}?\bzur\s+Kenntnis\b",
    _I,
)
_DECIDE = re.compile(
    r"\b(?:beschließt|beschliesst|beschloss|beschlossen|beschlossene|beschlossenen|fasste"
    r"|zugestimmt|genehmigt|genehmigte|verabschiedet|verabschiedete|angenommen)\b"
    r"|\bstimmt(?:e|en)?\b.{0,400}?\bzu\b"
    r"|\b\w*beschlu(?:ss|ß)(?:es)?\b(?=\s*(?:vom|aus|von|-?Nr|:|\(|\d|\w+\s+\d{4}))",
    _I,
)
_PRESENT_DECISION = re.compile(
    r"\b(?:beschließt|beschliesst|stimmt|nimmt|lehnt|vertagt|verweist)\b", _I
)
_PAST = re.compile(
    r"\b(?:hat|haben|hatte|hatten|wurde|wurden|war|waren)\b.{0,300}?"
    r"\b(?:beschlossen|zugestimmt|abgelehnt|angenommen|genehmigt|verabschiedet|vertagt|verwiesen"
    r"|überwiesen|genommen|empfohlen)\b"
    r"|\b(?:beschloss|stimmte|stimmten|lehnte|lehnten|nahm|nahmen|vertagte|verwies"
    r"|empfahl|fasste)\b"
    r"|\b\w+beschlu(?:ss|ß)(?:es)?\b",  # "Ratsbeschluss Februar 2015": reported, hence past
    _I,
)
_PROPOSAL = re.compile(
    r"\bmöge\b|\bmögen\b|\b(?:wird|werden)\s+gebeten\b|\bbeschlossen\s+werden\b"
    r"|\bbeantragt\b|\bbeantragen\b|\bschlägt\b.{0,200}?\bvor\b|\bBeschlussvorschlag\b"
    r"|\bBeschlussentwurf\b|\bzu\s+beschließen\b|\bzu\s+beschliessen\b",
    _I,
)
_EVENT_CUE = re.compile(
    r"unterzeichn|gegründet|gründung|zuwendungsbescheid|bescheid|bewillig|in\s+kraft|inkraft"
    r"|sitzung|tagung|zeitplan|laufzeit|zeitraum|frist|längstens|spätestens|veranstaltung"
    r"|konferenz|eröffn|beigetreten|beitritt|startet|begonnen|beginn|abgeschlossen|workshop"
    r"|\bfür\s+(?:den|die|das)\b",
    _I,
)
_DEADLINE_BEFORE = re.compile(r"\b(?:bis|spätestens|längstens|frist)\b[\w\s]{0,30}$", _I)
_VOTE_COUNT = {
    "ja": re.compile(r"(\d+|\b[a-zäöü]+\b)\s*(?:Ja\b|Ja-|Für-?Stimmen|Stimmen\s+dafür)", _I),
    "nein": re.compile(r"(\d+|\b[a-zäöü]+\b)\s*(?:Nein\b|Nein-|Gegenstimmen?|Gegen-?stimmen?)", _I),
    "enth": re.compile(r"(\d+|\b[a-zäöü]+\b)\s*(?:Stimm)?[Ee]nthaltung(?:en)?\b", _I),
}
_NUMBER_WORDS = {
    "eine": 1,
    "einer": 1,
    "ein": 1,
    "einem": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
    "elf": 11,
    "zwölf": 12,
    "keine": 0,
    "keiner": 0,
    "ohne": 0,
}
_UNANIMOUS = re.compile(r"\beinstimmig\b", _I)
_MAJORITY = re.compile(r"\b(?:mehrheitlich|mit\s+Mehrheit|mit\s+großer\s+Mehrheit)\b", _I)
_NO_AGAINST = re.compile(r"\bohne\s+Gegenstimmen?\b", _I)


def _count(word: str | None) -> int | None:
    if word is None:
        return None
    if word.isdigit():
        return int(word)
    return _NUMBER_WORDS.get(word.lower())


def parse_outcome(text: str) -> str | None:
    """Votes as one readable line: ``25 Ja, 3 Nein, 2 Enthaltungen``, ``einstimmig`` …"""
    counts: dict[str, int] = {}
    for key, pattern in _VOTE_COUNT.items():
        for m in pattern.finditer(text):
            value = _count(next((g for g in m.groups() if g), None))
            if value is not None:
                counts[key] = value
                break
    if _NO_AGAINST.search(text) and "nein" not in counts:
        counts["nein"] = 0
    parts: list[str] = []
    if _UNANIMOUS.search(text):
        parts.append("einstimmig")
    elif _MAJORITY.search(text):
        parts.append("mehrheitlich")
    if "ja" in counts:
        parts.append(f"{counts['ja']} Ja")
    if "nein" in counts and (counts["nein"] or "ja" in counts or not parts):
        parts.append(f"{counts['nein']} Nein")
    if "enth" in counts:
        n = counts["enth"]
        parts.append(f"{n} Enthaltung" if n == 1 else f"{n} Enthaltungen")
    return ", ".join(parts) or None


def _status(text: str) -> ResolutionStatus | None:
    if _RECOMMEND.search(text):
        return "recommended"
    if _REFER.search(text):
        return "referred"
    if _POSTPONE.search(text):
        return "postponed"
    if _REJECT.search(text):
        return "rejected"
    if _NOTE.search(text):
        return "noted"
    if _DECIDE.search(text):
        return "decided"
    return None


# --------------------------------------------------------------------------------------------
# Bodies, cities, subjects
# --------------------------------------------------------------------------------------------

_BODY_FALLBACK = re.compile(
    r"\b(?P<body>(?:Rat(?:es|s)?|Stadtrat(?:es|s)?|Gemeinderat(?:es|s)?|Kreistag(?:es|s)?"
    r"|Bezirksvertretung|Verwaltungsvorstand(?:es|s)?|[\wäöüÄÖÜß]*[Aa]usschuss(?:es)?"
    r"(?:\s+für\s+[A-ZÄÖÜ][\w-]+(?:\s+und\s+[A-ZÄÖÜ][\w-]+)?)?)"
    r"(?:\s+(?:der|des)\s+(?:Stadt\s+[A-ZÄÖÜ][\w-]+|Gemeinde\s+[A-ZÄÖÜ][\w-]+|Kreises\s+[A-ZÄÖÜ][\w-]+"
    r"|Netzwerk(?:e?s)?|[\wäöüß]*[Vv]erband(?:e?s)|Verein(?:e?s)|Rates))?)"
)
_BODY_FROM_COMPOUND = re.compile(r"\b(Rats|Stadtrats|Gemeinderats|Kreistags)beschlu(?:ss|ß)", _I)
_GENITIVE_TAIL = re.compile(
    r"^\s+(?:der|des)\s+(?:Stadt\s+[A-ZÄÖÜ][\w-]+|Gemeinde\s+[A-ZÄÖÜ][\w-]+|Kreises\s+[A-ZÄÖÜ][\w-]+"
    r"|Netzwerk(?:e?s)?|[\wäöüß]*[Vv]erband(?:e?s)|Verein(?:e?s))"
)
_MUNICIPAL_OWNER = re.compile(r"\b(?:der\s+Stadt|der\s+Gemeinde|des\s+Kreises)\s+([A-ZÄÖÜ][\w-]+)")
_FOREIGN_OWNER = re.compile(
    r"\b(?:des|der)\s+(?:Netzwerk|\w*[Vv]erband|Verein|Arbeitsgemeinschaft|Landes|Bundes)"
)


def _body_base(body: str) -> str:
    """Fold the inflection of a body name for display ("Rates" → "Rat")."""
    words = body.split()
    if not words:
        return body
    head = words[0]
    if head in {"Rates", "Rats"}:
        head = "Rat"
    elif re.fullmatch(r"(?:Stadt|Gemeinde)rat(?:e?s)", head):
        head = re.sub(r"e?s$", "", head)
    elif head.endswith("ausschusses"):
        head = head[: -len("es")]
    elif re.fullmatch(r"Kreistag(?:e?s)", head):
        head = "Kreistag"
    return " ".join([head, *words[1:]])


@dataclass(frozen=True, slots=True)
class _Found:
    """A mention inside one sentence, with its position in the sentence's text."""

    mention: Mention
    start: int
    end: int


def _in_sentence(sent: Sentence, mentions: Sequence[Mention]) -> list[_Found]:
    found = []
    for m in mentions:
        if m.page == sent.page and m.start >= sent.start and m.start < sent.end:
            found.append(_Found(m, sent.local(m.start), sent.local(min(m.end, sent.end))))
    return found


_TARGET_BEFORE = re.compile(r"(?:\b(?:in|an)\s+(?:den|die|das)|\bdem)\s+$", _I)


def _is_target(sent: Sentence, start: int) -> bool:
    """Is the body at ``start`` addressed ("in den Ausschuss", "dem Rat") rather than acting?"""
    return bool(_TARGET_BEFORE.search(sent.text[max(0, start - 12) : start]))


_NOT_A_GREMIUM = re.compile(
    r"bürgermeister|buergermeister|fraktion|verwaltung\b|beigeordnet|ministerium|bezirksregierung",
    _I,
)


def _is_gremium(m: Mention) -> bool:
    """The Bürgermeister signs and a Fraktion moves; neither decides as a council body."""
    return not _NOT_A_GREMIUM.search(f"{m.kind or ''} {m.value or m.text}")


def _body(sent: Sentence, found: list[_Found]) -> tuple[str | None, int]:
    """The acting body: the first body mention, widened by a genitive the tagger left out."""
    bodies = [f for f in found if f.mention.label == "body" and _is_gremium(f.mention)]
    actors = [f for f in bodies if not _is_target(sent, f.start)]
    if bodies and not actors:
        return None, -1
    bodies = actors
    if bodies:
        first = bodies[0]
        value = first.mention.value or first.mention.text
        tail = _GENITIVE_TAIL.match(sent.text[first.end :])
        if tail and tail.group(0).split()[-1].rstrip("s") not in value:
            owner = tail.group(0).strip()
            value = f"{value} {owner.replace('Netzwerkes', 'Netzwerks')}"
        return value, first.start
    m = _BODY_FROM_COMPOUND.search(sent.text)
    fallback = next(
        (f for f in _BODY_FALLBACK.finditer(sent.text) if not _is_target(sent, f.start())), None
    )
    if m and (fallback is None or m.start() < fallback.start()):
        return {
            "rats": "Rat",
            "stadtrats": "Stadtrat",
            "gemeinderats": "Gemeinderat",
            "kreistags": "Kreistag",
        }[m.group(1).lower()], m.start()
    if fallback:
        return _body_base(fallback.group("body")), fallback.start()
    return None, -1


def _meeting_place(sent: Sentence, found: list[_Found], known_places: Sequence[str]) -> str | None:
    """A place named in the sentence: "in Berlin", "im Berliner Jakob-Kaiser-Haus"."""
    for f in found:
        if f.mention.label == "place":
            before = sent.text[max(0, f.start - 6) : f.start]
            if re.search(r"\b(?:in|im|nach|aus)\s+$", before):
                return f.mention.value
    for place in known_places:  # the adjective "Berliner" names Berlin
        if re.search(rf"\b{re.escape(place)}er\b", sent.text):
            return place
    for f in found:
        if f.mention.label == "place":
            return f.mention.value
    # "Sitzung … am 19.09.23 in Berlin": the meeting place right after the meeting date.
    for f in found:
        if f.mention.label == "date":
            m = re.match(
                r"\s+in\s+([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\b", sent.text[f.end :]
            )
            if m:
                return m.group(1)
    return None


_REF_PAREN = re.compile(
    r"\s*\((?:siehe|vgl\.?|s\.)?\s*(?:DS|Drs|Drucksache|Vorlage|Vorlagen|Beschlussvorlage|BV|TOP)"
    r"[^()]*\)",
    _I,
)
_LEADING_ARTICLE = re.compile(r"^(?:dem|den|der|die|das|des|eine[mnrs]?|ein)\s+", _I)
_PARTICIPIAL = re.compile(
    r"\b(der|die|das|den|dem|des|eine[mnrs]?)\s+(?:zwischen|von|mit|durch|unter|seit|bei|aus|im|am)"
    r"\s+[^.;()]{3,140}?\s+[a-zäöüß]+(?:ten|te|tes|ter|tem|ene|enen|ener|enes)\s+(?=[A-ZÄÖÜ])"
)
_FRAMING = [
    re.compile(
        r"^(?:in|auf)\s+(?:seiner|ihrer|der)\s+(?:\S+\s+){0,6}?Sitzung\b(?:\s+(?:des|der)\s+\S+(?:\s+\S+){0,3}?)?"
        r"(?:\s+(?:am|vom)\s+\S+(?:\s+\S+){0,2}?)?(?=\s|$)",
        _I,
    ),
    re.compile(r"^(?:am|vom|im|seit)\s+(?:\x01|\S+(?:\s+\d{4})?)", _I),
    re.compile(r"^\x01"),
    re.compile(
        r"^(?:einstimmig|mehrheitlich|daraufhin|deshalb|ferner|außerdem|nunmehr|zudem|heute|damals"
        r"|bereits|schon)\b",
        _I,
    ),
    re.compile(r"^mit\s+[^.;]{0,80}?(?:Stimmen|Enthaltung(?:en)?|Mehrheit)\b", _I),
    re.compile(r"^bei\s+\S+\s+(?:Enthaltung(?:en)?|Gegenstimmen?)\b", _I),
    re.compile(r"^(?:in|im)\s+[A-ZÄÖÜ]\w+\b", 0),
]
_TRAILING = re.compile(
    r"(?:\s+(?:einstimmig|mehrheitlich|zu|ab|zur\s+Kenntnis|folgendes|Folgendes|wie\s+folgt))+\s*$"
    r"|\s*[:.;,]\s*$",
    _I,
)
_GENERIC_HEADS = _words(
    """
    fassung neufassung änderung änderungen entwurf version vorlage beschlussvorlage antrag
    verwaltungsvorlage vorschlag beschlussvorschlag empfehlung beschlussempfehlung
    angelegenheit sache punkt tagesordnungspunkt bericht niederschrift tagesordnung verwaltung
    """
)
_FEMININE = re.compile(r"(?:ung|heit|keit|ion|tät|schaft|ik|ur|ordnung|satzung|vereinbarung)$")


def _shorten(text: str) -> str:
    """At most ``MAX_SUBJECT`` characters; drop participial inserts first, then cut at a word."""
    text = _REF_PAREN.sub("", text.replace("\x00", " ").replace("\x01", " ")).strip()
    text = _TOP_REF_TEXT.sub("", text) if re.search(r"\(\S{0,12}\s*\d+[/-]\d", text) else text
    text = re.sub(r"\s*\(\s*\)|\s*\[\s*\]", "", text)
    text = re.sub(r"\s+", " ", text).strip(" ,;:-–")
    if len(text) > 120:
        text = _PARTICIPIAL.sub(r"\1 … ", text)
    text = text.replace("  ", " ")
    if len(text) > MAX_SUBJECT:
        cut = text[: MAX_SUBJECT - 2].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-–") + " …"
    return text


def _unmask(text: str) -> str:
    """Masked mentions become one placeholder token, so "am <date>" stays two words."""
    return re.sub(r"\x00+", " \x01 ", text)


_FRAMING_ANYWHERE = [
    re.compile(
        r"\s\b(?:in|auf)\s+(?:seiner|ihrer|der)\s+(?:\S+\s+){0,3}?Sitzung\b"
        r"(?:\s+(?:vom|am)\s+\x01)?(?=\s|$)",
        re.IGNORECASE,
    ),
    re.compile(r"\s\b(?:am|vom)\s+\x01(?=\s|$)", re.IGNORECASE),
    re.compile(r"\s\b(?:bereits|einstimmig|mehrheitlich)\b(?=\s|$)", re.IGNORECASE),
]


def _strip_framing(text: str) -> str:
    """Drop what frames a decision (when, where, how voted) from the front of a phrase."""
    text = re.sub(r"\s+", " ", text).strip(" ,")
    changed = True
    while changed and text:
        changed = False
        for pattern in _FRAMING:
            m = pattern.match(text)
            if m and m.end() > 0:
                text = text[m.end() :].strip(" ,")
                changed = True
    for pattern in _FRAMING_ANYWHERE:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s*\x01\s*", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" ,")
    prev = None
    while prev != text:
        prev = text
        text = _TRAILING.sub("", text).strip()
    return text


def _genitive(np: str) -> str | None:
    """Genitive of a feminine phrase: "Interkommunale Vereinbarung" → "der Interkommunalen …"."""
    words = np.split()
    for i, w in enumerate(words):
        if w in {"des", "der", "von", "für", "zum", "zur", "im", "am"}:
            return None
        if w[:1].isupper() and _FEMININE.search(w.lower()):
            if any(
                not re.fullmatch(r"[^\W\d_][\w-]*[^\W\d_]e", a) or a.lower() in _FUNCTION_WORDS
                for a in words[:i]
            ):
                return None  # only "Interkommunale Vereinbarung"-style adjective phrases
            adjectives = [re.sub(r"e$", "en", a) for a in words[:i]]
            return " ".join(["der", *adjectives, w, *words[i + 1 :]])
    return None


def _complete(subject: str, context: str | None) -> str:
    """A bare "aktualisierte Fassung" gets its object from the document's title."""
    words = subject.split()
    if not context or not words or len(words) > 3:
        return subject
    if words[-1].lower() not in _GENERIC_HEADS:
        return subject
    if fold(context) in fold(subject):
        return subject
    genitive = _genitive(context)
    return f"{subject} {genitive}" if genitive else f"{subject} ({context})"


def _mask(text: str, found: list[_Found], labels: set[str]) -> str:
    """Blank out mentions (dates, references) so subject patterns do not trip over them."""
    chars = list(text)
    for f in found:
        if f.mention.label in labels:
            for i in range(f.start, min(f.end, len(chars))):
                chars[i] = "\x00"
    return "".join(chars)


def _decision_subject(sent: Sentence, found: list[_Found], body_at: int) -> str:
    text = sent.text
    masked = _mask(text, found, {"date", "reference"})

    def clean(start: int, end: int) -> str:
        piece = masked[start:end]
        piece = _unmask(piece)
        return _LEADING_ARTICLE.sub("", _strip_framing(piece)).strip()

    # "Ratsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)"
    m = re.match(r"^[^:]{0,80}?\w*beschlu(?:ss|ß)\b[^:]{0,60}:\s*(?=\S)", text, _I)
    if m and not re.match(r"^\s*Beschlu(?:ss|ß)\w*\s*:", text, _I):
        return clean(m.end(), len(text))
    m = re.search(r"^(?:Beschluss\s*:\s*|\d{1,2}[.)]\s+)", text, _I)
    offset = m.end() if m else 0
    # "empfiehlt dem Rat, X zu beschließen"
    m = _RECOMMEND.search(masked, offset)
    if m:
        rest = masked[m.end() :]
        rest = re.sub(r"^\s*(?:dem|der|den)\s+\S+(?:\s+der\s+Stadt\s+\S+)?\s*,?", "", rest)
        rest = re.sub(r"\s*(?:zu\s+beschlie(?:ß|ss)en|zuzustimmen|abzulehnen)\W*$", "", rest)
        return _LEADING_ARTICLE.sub("", _strip_framing(_unmask(rest)))
    # "stimmte … dem Beitritt … zu"
    m = re.search(r"\bstimmt(?:e|en)?\b(?P<mid>.*)\bzu\b", masked, _I)
    if m:
        return clean(m.start("mid"), m.end("mid"))
    # "Die Verwaltung wird beauftragt, X zu tun"
    m = re.search(r"\b(?:wird|werden)\s+beauftragt\s*,?\s*", masked[offset:], _I)
    if m:
        return _LEADING_ARTICLE.sub("", _strip_framing(_unmask(masked[offset + m.end() :])))
    # verb-final clause: "…, dass der Rat bereits am 12. März 2015 … den Ausbau … beschlossen hat"
    m = re.search(
        r"\b(?:dass|daß|nachdem|weil|da|wie|als)\s+(?P<clause>.*?)\s+(?:beschlossen|zugestimmt"
        r"|abgelehnt|angenommen|genehmigt|verabschiedet|vertagt|verwiesen)\s+"
        r"(?:hat|haben|hatte|hatten|wurde|wurden|worden\s+ist|worden\s+sind)\b",
        masked[offset:],
        _I,
    )
    if m:
        clause = re.sub(
            r"^(?:der|die|das)\s+(?:Rat|Stadtrat|Gemeinderat|Kreistag|\S*[Aa]usschuss)\b"
            r"(?:\s+der\s+Stadt\s+\S+)?",
            "",
            m.group("clause"),
        )
        return _LEADING_ARTICLE.sub("", _strip_framing(_unmask(clause))).strip()
    # perfect / passive: "hat … beschlossen", "wurde … einstimmig beschlossen"
    m = re.search(
        r"\b(?:hat|haben|hatte|hatten|wurde|wurden|wird|werden|ist|sind|war|waren|soll|sollen"
        r"|muss|müssen|kann|können)\b(?P<mid>.*?)\b"
        r"(?:beschlossen|zugestimmt|abgelehnt|angenommen|genehmigt|verabschiedet|vertagt"
        r"|verwiesen|überwiesen|zur\s+Kenntnis\s+genommen|empfohlen)\b",
        masked[offset:],
        _I,
    )
    if m:
        front = _unmask(masked[offset : offset + m.start()]).strip(" ,")
        passive = re.match(
            r"(?:wurde|wurden|wird|werden|ist|sind|war|waren|soll|sollen|muss|müssen|kann|können)\b",
            m.group(0),
            _I,
        )
        if (
            passive
            and re.match(r"^(?:Der|Die|Das)\s", front)
            and not re.match(
                r"^\S+\s+(?:Rat|Stadtrat|Gemeinderat|Kreistag|\S*[Aa]usschuss)\b", front
            )
        ):
            return _LEADING_ARTICLE.sub("", _strip_framing(front)).strip()
        mid = m.group("mid")
        mid = re.sub(
            r"^\s*(?:der|die|das)\s+(?:Rat|Ausschuss|Kreistag)\b(?:\s+der\s+Stadt\s+\S+)?", "", mid
        )
        mid = re.sub(r"\s+(?:in|an)\s+den\s+\S*[Aa]usschuss.*$", "", mid)
        return _LEADING_ARTICLE.sub("", _strip_framing(_unmask(mid))).strip()
    # active verb second: "Der Rat beschließt den Beitritt …", "lehnt … ab", "nimmt … zur Kenntnis"
    m = re.search(
        r"\b(?:beschließt|beschliesst|beschloss|beantragt|lehnt(?:e|en)?|nimmt|nahm|nahmen|vertagt(?:e)?"
        r"|verweist|verwies|genehmigt(?:e)?|verabschiedet(?:e)?)\b\s*[,:]?",
        masked[offset:],
        _I,
    )
    if m:
        rest = masked[offset + m.end() :]
        rest = re.sub(r"^\s*(?:dass|daß)\s+", "", rest)
        rest = re.sub(
            r"^\s*(?:der|die|das)\s+(?:Rat|Ausschuss|Kreistag)\b(?:\s+der\s+Stadt\s+\S+)?", "", rest
        )
        rest = re.sub(r"\s+(?:in|an)\s+den\s+\S*[Aa]usschuss.*$", "", rest)
        rest = re.sub(r"\s+zur\s+Kenntnis\W*$", "", rest)
        return _LEADING_ARTICLE.sub("", _strip_framing(_unmask(rest))).strip()
    start = max(body_at, offset)
    return _strip_framing(_unmask(masked[start:]))


_NOMINAL_EVENT = re.compile(
    r"\b(?:Gründung|Unterzeichnung|Zuwendungsbescheid|Förderbescheid|Bewilligungsbescheid|Bescheid"
    r"|Inkrafttreten|Eröffnung|Beitritt|Projektlaufzeit|Laufzeit|Förderzeitraum|Veranstaltung"
    r"|Konferenz|Workshop|Auftaktveranstaltung|Tagung)\b"
)
_VERB_EVENT = [
    (re.compile(r"\bunterzeichn\w*", _I), "Unterzeichnung"),
    (re.compile(r"\b(?:gegründet|gründeten|gründete)\b", _I), "Gründung"),
    (re.compile(r"\bbeigetreten\b", _I), "Beitritt"),
    (re.compile(r"\btrat(?:en)?\b.{0,80}\bin\s+Kraft\b", _I), "Inkrafttreten"),
]
_EVENT_STOP = re.compile(
    r"\s(?:unter|im|am|vom|mit|bei|als|zur|zum|seit|wurde|wurden|hat|haben|ist|sind|war|soll"
    r"|sollen|wird|werden|daraufhin|erfolgte|fand|statt)\b|[,;:(\x00]"
)


def _event_subject(sent: Sentence, found: list[_Found], date: _Found) -> str:
    masked = _mask(sent.text, found, {"date", "reference"})
    m = _NOMINAL_EVENT.search(masked)
    if m:
        rest = masked[m.start() :]
        stop = _EVENT_STOP.search(rest, len(m.group(0)))
        return rest[: stop.start()] if stop else rest
    for pattern, noun in _VERB_EVENT:
        m = pattern.search(masked)
        if not m:
            continue
        after = masked[max(m.end(), date.end) :] if date.end > m.start() else masked[m.end() :]
        obj = re.search(r"\b(?:eine|einen|ein|die|den|das)\s+(?P<np>[^,;.()\x00]+)", after)
        if obj:
            np = re.split(r"\s+(?:als|zur|zum|mit|am|im|vom)\b", obj.group("np"))[0]
            np = _PARTICIPIAL.sub("", f"die {np} ").replace("die ", "", 1).strip()
            np = (
                re.sub(
                    r"^[^A-ZÄÖÜ]*?\b[a-zäöüß]+(?:te|ten|tes|ter|ene|enen)\s+(?=[A-ZÄÖÜ])", "", np
                )
                if re.match(r"^(?:zwischen|von|mit|durch)\b", np)
                else np
            )
            genitive = _genitive(np)
            return f"{noun} {genitive}" if genitive else f"{noun}: {np}"
        return noun
    # Data under a heading ("Zeitplan / 01.01.2021 – 31.12.2022, längstens … 31.08.2023"):
    clause_start = max(sent.text.rfind(",", 0, date.start), sent.text.rfind(";", 0, date.start)) + 1
    clause_end_m = re.search(r"[,;]", sent.text[date.end :])
    clause_end = date.end + clause_end_m.start() if clause_end_m else len(sent.text)
    clause = sent.text[clause_start:clause_end].strip()
    nouns = re.findall(r"\b[A-ZÄÖÜ][a-zäöüß]{2,}", _unmask(masked))
    if sent.heading and len(nouns) < 2:
        return f"{sent.heading}: {clause}"
    text = re.sub(
        r"\b(?:am|vom|im|seit|ab|bis(?:\s+(?:zum|spätestens|längstens|einschließlich))*|spätestens"
        r"|längstens)\s*(?:jedoch\s+)?\x00+(?:\s+bis\s+(?:zum\s+)?\x00+)?",
        " ",
        masked,
    )
    text = _BULLET.sub("", re.sub(r"\s+", " ", re.sub(r"\x00+", " ", text))).strip()
    text = re.sub(r"^(?:TOP|Tagesordnungspunkt)\s*\d+(?:\.\d+)*\s*[:.)–-]?\s*", "", text)
    happened = re.match(
        r"^(?P<np>(?:Die|Der|Das|Eine?)\s.+?)\s+(?:fand|findet|finden|fanden|erfolgte|erfolgt"
        r"|beginnt|begann|endet|endete|läuft|lief|startet|startete)\b",
        text,
    )
    if happened:
        text = _LEADING_ARTICLE.sub("", happened.group("np"))
    text = text.rstrip(" .")
    if _role(sent, date) == "deadline" and not re.search(r"frist|längstens|spätestens", text, _I):
        text = f"Frist: {text}"
    return text


# --------------------------------------------------------------------------------------------
# The finder
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    document_id: str
    path: str
    facts: DocumentFacts
    municipality: str | None
    document_body: str | None
    title: str | None
    places: tuple[str, ...]
    minutes: bool
    proposal_doc: bool
    agenda_doc: bool = False  # minutes or an Amtsblatt: decisions listed per agenda item
    # Where the Beratungsfolge says a body meets: the date a proposal to that body is for.
    meetings: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    # "Der Rat hat in seiner Sitzung am 27.11.2024 folgende Beschlüsse gefasst:" dates the
    # undated decisions listed after it.
    context_date: tuple[str, str | None] | None = None
    context_body: str | None = None


def _municipality(
    facts: DocumentFacts, mentions: Sequence[Mention], pages: Sequence[PageText]
) -> str | None:
    if facts.municipality:
        return facts.municipality
    counts: Counter[str] = Counter()
    texts = {p.number: p.text for p in pages}
    for m in mentions:
        if m.label == "place":
            before = texts.get(m.page, "")[max(0, m.start - 10) : m.start]
            if re.search(r"\b(?:Stadt|Gemeinde|Kreis)\s+$", before):
                counts[m.value] += 1
    if not counts:  # no place tagger output: "Stadt Paderborn" as printed
        for page in pages:
            counts.update(
                re.findall(
                    r"\b(?:Stadt|Gemeinde)\s+([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\b",
                    page.text,
                )
            )
    return counts.most_common(1)[0][0] if counts else None


def _dates(sent: Sentence, found: list[_Found]) -> list[_Found]:
    """Date mentions of a sentence that are not part of a reference number."""
    refs = [f for f in found if f.mention.label == "reference"]
    out = []
    for f in found:
        if f.mention.label != "date":
            continue
        if any(r.start <= f.start < r.end for r in refs):
            continue
        out.append(f)
    return out


def _role(sent: Sentence, f: _Found) -> str | None:
    before = sent.text[max(0, f.start - 40) : f.start]
    if f.mention.end_value:
        return "period"
    if _DEADLINE_BEFORE.search(before):
        return "deadline"
    return f.mention.role


def _references(
    found: list[_Found], *, skip_kinds: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for f in found:
        if f.mention.label == "reference" and f.mention.value and f.mention.kind not in skip_kinds:
            seen.setdefault(f.mention.value, None)
    return tuple(seen)


def _body_key(body: str | None) -> str:
    return fold(body.split()[0]).rstrip("s") if body and body.split() else ""


def _fallback_date(
    ctx: _Context, body: str | None, proposal: bool
) -> tuple[str | None, str | None]:
    """The date of an undated record: the proposal's meeting, the listed meeting, the minutes'."""
    if proposal and _body_key(body) in ctx.meetings:
        return ctx.meetings[_body_key(body)]
    if ctx.context_date:
        return ctx.context_date
    if ctx.minutes or proposal:
        return ctx.facts.date, ctx.facts.date_precision
    return None, None


def _city_for(body: str | None, sent: Sentence, found: list[_Found], ctx: _Context) -> str | None:
    if body:
        owner = _MUNICIPAL_OWNER.search(body)
        if owner:
            return f"Kreis {owner.group(1)}" if "Kreises" in owner.group(0) else owner.group(1)
        if _FOREIGN_OWNER.search(body):
            return _meeting_place(sent, found, ctx.places)
    return ctx.municipality


def _source(sent: Sentence, ctx: _Context, text: str | None = None) -> Source:
    return Source(ctx.document_id, ctx.path, sent.page, text if text is not None else sent.text)


def _sentence_resolution(
    sent: Sentence,
    found: list[_Found],
    ctx: _Context,
    top_refs: tuple[str, ...] = (),
    previous: Resolution | None = None,
    before: Sentence | None = None,
) -> Resolution | None:
    text = sent.text
    if _TOP.match(text):
        return None  # an agenda heading ("… – Satzungsbeschluss") names a topic, decides nothing
    status = _status(text)
    cue = _PROPOSAL.search(text)
    proposal = bool(cue) and not _RECOMMEND.search(text)
    if cue and ctx.agenda_doc and re.match(r"(?:wird|werden)\s+gebeten", cue.group(0), _I):
        proposal = False  # minutes: "Die Verwaltung wird gebeten, …" is part of the decision
    if proposal and _AGENDA_REQUEST.search(text):
        proposal = False  # "… auf die Tagesordnung der Sitzung … zu setzen": a request, no motion
    past = bool(_PAST.search(text))
    if status is None and not proposal:
        return None
    kind = "resolution"
    if (proposal and not past) or (
        status is not None and not past and ctx.proposal_doc and _PRESENT_DECISION.search(text)
    ):
        kind, status = "proposal", None
    elif status is None:
        return None
    body, body_at = _body(sent, found)
    refs = _references(found)
    dates = [
        f for f in _dates(sent, found) if _role(sent, f) not in {"deadline", "period", "document"}
    ]
    if not refs and sent.top:
        refs = top_refs  # minutes: the Drucksache is printed under the TOP heading
    if (
        not dates
        and not body
        and not refs
        and not (ctx.minutes and sent.top)
        and not (ctx.context_date and sent.top)
    ):
        return None  # "ein Beschluss" with nothing to anchor it: prose, not a record
    if ctx.minutes:
        # Minutes date their decisions by the meeting; a printed date is another day's
        # ("vertagt … in der Sitzung am 16.12.2021 erneut beraten") unless it dates a decision.
        decision_dates = [f for f in dates if f.mention.role in {"decision", "event", None}]
    else:
        decision_dates = [f for f in dates if f.mention.role in {"decision", "meeting"}] or dates
    chosen = decision_dates[0] if decision_dates else None
    date = chosen.mention.value if chosen else None
    precision = chosen.mention.precision if chosen else None
    if chosen is None:
        date, precision = _fallback_date(ctx, body, kind == "proposal")
    subject = _shorten(_decision_subject(sent, found, body_at))
    if re.match(r"folgende[nrs]?\b", subject, _I) and before is not None and _is_title(before):
        # "Satzung zur Änderung der …" / "… folgende Satzung beschlossen:"
        subject = re.sub(r"^(?:Betreff|Thema|Gegenstand)\s*:\s*", "", before.text, flags=_I)
    if (
        subject in {"Antrag", "Vorschlag"}
        and previous is not None
        and previous.kind == "proposal"
        and previous.source.page == sent.page
    ):
        subject = f"{subject}: {previous.subject}"  # "Der Antrag wird … abgelehnt."
    elif not subject or subject.split()[-1].lower() in _GENERIC_HEADS:
        fallback = _complete(subject, ctx.title) if subject else (ctx.title or "")
        subject = _top_title(sent.top) or fallback
    else:
        subject = _complete(subject, ctx.title)
    if body is None and ctx.minutes:
        body = ctx.document_body  # minutes record the decisions of the body that met
    elif body is None and sent.top and ctx.context_body:
        body = ctx.context_body  # "Der Rat … hat folgende Beschlüsse gefasst: 1. …"
    return Resolution(
        kind=kind,  # type: ignore[arg-type]
        status=status,
        date=date,
        precision=precision,
        end_date=None,
        body=body,
        city=_city_for(body, sent, found, ctx),
        subject=_shorten(subject),
        references=refs,
        outcome=parse_outcome(text),
        source=_source(sent, ctx),
    )


def _events(sent: Sentence, found: list[_Found], ctx: _Context) -> list[Resolution]:
    out: list[Resolution] = []
    seen: set[tuple[str, str | None]] = set()
    body, _ = _body(sent, found)
    if (
        body
        and _BODY_FROM_COMPOUND.search(sent.text) is None
        and not any(f.mention.label == "body" for f in found)
    ):
        body = None  # the fallback body pattern is for decisions; an event must name it
    for f in _dates(sent, found):
        role = _role(sent, f)
        if role == "document":
            continue
        if role not in {
            "event",
            "period",
            "deadline",
            "meeting",
            "decision",
        } and not _EVENT_CUE.search(sent.text):
            continue
        key = (f.mention.value, f.mention.end_value)
        if key in seen:
            continue
        seen.add(key)
        subject = _shorten(_event_subject(sent, found, f))
        if not subject:
            continue
        place = _meeting_place(sent, found, ctx.places)
        out.append(
            Resolution(
                kind="event",
                status=None,
                date=f.mention.value,
                precision=f.mention.precision,
                end_date=f.mention.end_value,
                body=body,
                city=place or ctx.municipality,
                subject=subject,
                references=_references(found),
                outcome=None,
                source=_source(sent, ctx),
            )
        )
    return out


_AGENDA_REQUEST = re.compile(
    r"\bTagesordnung\b.{0,120}?\b(?:zu\s+setzen|aufzunehmen)\b", re.IGNORECASE
)
_PREAMBLE = re.compile(
    r"\bfolgende[n]?\s+(?:Beschlüsse|Beschluss|Satzung|Beschlussfassung)\b"
    r"|\bBeschlüsse\s+(?:gefasst|des\s+\w+\s+vom)\b",
    _I,
)
_VERB_LIKE = re.compile(
    r"\b(?:ist|sind|war|wird|werden|wurde|hat|haben|beschließt|beschloss|stimmt|nimmt)\b", _I
)


def _is_title(sent: Sentence) -> bool:
    """A short line without a finite verb: a heading such as "Satzung zur Änderung der …"."""
    return (
        len(sent.text) <= 120 and not _VERB_LIKE.search(sent.text) and not sent.text.endswith(".")
    )


def _printed_outcome(text: str) -> str | None:
    """ "Abstimmungsergebnis: zur Kenntnis genommen" — the result as printed, when not votes."""
    m = _SECTION.match(text)
    rest = m.group("rest") if m else ""
    rest = re.sub(r"\(?\s*Beschluss-Nr\.?[^)]*\)?", "", rest)
    rest = re.sub(r"\bbeschlossen\b", "", rest).strip(" .,;")
    return rest if 0 < len(rest) <= 60 else None


def _top_title(top: str | None) -> str:
    """The title of an agenda item heading, without "TOP 2" and its Drucksache number."""
    if not top:
        return ""
    m = _TOP.match(top)
    title = m.group("title") if m else re.sub(r"^\d{1,2}[.)]\s+", "", top)
    return _TOP_REF_TEXT.sub("", title).strip(" ,:-–")


def _block_resolution(
    block: list[tuple[Sentence, list[_Found]]],
    ctx: _Context,
    proposal: bool,
    top_refs: tuple[str, ...] = (),
) -> Resolution | None:
    """One ``Beschluss:`` / ``Beschlussvorschlag:`` block → one record."""
    first, first_found = block[0]
    all_found = [f for _, fs in block for f in fs]
    text = " ".join(s.text for s, _ in block)
    body, body_at = _body(first, first_found)
    if body is None:
        body = ctx.document_body
    refs = _references(all_found)
    top = first.top
    if top:
        refs = tuple(dict.fromkeys([*(top_refs or _TOP_REFS.findall(top)), *refs]))
    if not refs and ctx.facts.reference and (proposal or ctx.proposal_doc):
        refs = (ctx.facts.reference,)
    body_text = re.sub(r"^(?:Beschluss\w*|Empfehlung)\s*:\s*", "", first.text, flags=_I)
    if (not body_text.strip() or _PROPOSAL_OPENER.search(first.text)) and len(block) > 1:
        first, first_found = block[1]  # the first numbered item says what is to be decided
        body_text = first.text
    rest = [s for s, _ in block if s is not first and s is not block[0][0]]
    if rest and not re.search(r"[.!?:]$", first.text) and first.page != rest[0].page:
        # The sentence breaks at the page end: read it whole (mention offsets stay valid, they
        # all lie in the first part).
        first = replace(first, text=f"{first.text} {rest[0].text}")
    subject = _decision_subject(first, first_found, body_at) if body_text.strip() else ""
    if top and (ctx.agenda_doc or not subject or subject.split()[-1].lower() in _GENERIC_HEADS):
        subject = _top_title(top) or subject  # minutes: the agenda item names the matter
    if not subject:
        subject = ctx.title or ""
    roles = {"decision"} if ctx.minutes or proposal else {"decision", "meeting"}
    dates = [f for f in _dates(first, first_found) if f.mention.role in roles]
    date, precision = (
        (dates[0].mention.value, dates[0].mention.precision)
        if dates
        else _fallback_date(ctx, body, proposal)
    )
    if date is None and not proposal:
        date, precision = ctx.facts.date, ctx.facts.date_precision
    status = (
        None
        if proposal
        else (_status(re.sub(r"^Beschluss\w*\s*:", "", text, flags=_I)) or "decided")
    )
    return Resolution(
        kind="proposal" if proposal else "resolution",
        status=status,
        date=date,
        precision=precision,
        end_date=None,
        body=body,
        city=_city_for(body, first, first_found, ctx),
        subject=_shorten(subject),
        references=refs,
        outcome=None if proposal else parse_outcome(text),
        source=_source(block[0][0], ctx, text=_shorten_source(text)),
    )


_TOP_REFS = re.compile(
    r"(?:(?<=DS-Nr\. )|(?<=Vorlage )|(?<=Drucksache )|(?<=Vorlage: )|(?<=Nr\. ))"
    r"([A-Z]{0,4}/?\d{1,5}/\d{2,4}(?:-\d{4})?)"
)
_TOP_REF_TEXT = re.compile(
    r"\s*\(?(?:DS-Nr\.|Drucksache|Vorlage:?|Drs\.)\s*[\w/-]+\)?"
    r"|\s*\((?:[A-Za-zÄÖÜäöü.-]{1,12}\s*)?(?:Nr\.?\s*)?\d+[/-]\d[\w/-]*\)",
    _I,
)


def _shorten_source(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def find_resolutions(
    pages: Sequence[PageText],
    mentions: Sequence[Mention],
    facts: DocumentFacts,
    *,
    document_id: str,
    path: str,
) -> list[Resolution]:
    """Every resolution, proposal and dated event the document reports, in reading order.

    Args:
        pages: the document's pages; mention offsets refer to these texts.
        mentions: the taggers' mentions (dates, references, places, bodies) for these pages.
        facts: document-level facts; ``municipality`` is the city of a bare "Rat",
            ``date`` the meeting date of minutes, ``title`` completes a bare "Fassung".
        document_id: the document's id, copied into every :class:`Source`.
        path: the document's path, copied into every :class:`Source`.
    """
    doc_type = (facts.doc_type or "").lower()
    numbered = doc_type in {"niederschrift", "protokoll", "amtsblatt", "bekanntmachung"}
    sentences: list[Sentence] = []
    for page in pages:
        after = sentences[-1] if sentences else None
        sentences.extend(split_sentences(page, after=after, numbered_items=numbered))
    places = tuple(dict.fromkeys(m.value for m in mentions if m.label == "place" and m.value))
    first_body = next(
        (m.value for m in mentions if m.label == "body" and m.value and _is_gremium(m)), None
    )
    if first_body is None and pages:  # "Niederschrift über die Sitzung des Rates der Stadt X"
        head = _BODY_FALLBACK.search(pages[0].text[:600])
        first_body = _body_base(head.group("body")) if head else None
    title = facts.title or _title_from_sections(sentences)
    ctx = _Context(
        document_id=document_id,
        path=path,
        facts=facts,
        municipality=_municipality(facts, mentions, pages),
        document_body=first_body,
        title=title,
        places=places,
        minutes=doc_type in {"niederschrift", "protokoll", "minutes"},
        agenda_doc=numbered,
        proposal_doc=doc_type in {"beschlussvorlage", "vorlage", "drucksache", "antrag", "anfrage"},
    )
    by_page: dict[int, list[Mention]] = {}
    for m in mentions:
        by_page.setdefault(m.page, []).append(m)
    founds = [_in_sentence(s, by_page.get(s.page, ())) for s in sentences]
    for sent, found in zip(sentences, founds, strict=True):  # the Beratungsfolge
        meeting = [
            f
            for f in _dates(sent, found)
            if f.mention.role == "meeting" or sent.section == "beratungsfolge"
        ]
        body, _ = _body(sent, found)
        if meeting and body and _body_key(body):
            ctx.meetings[_body_key(body)] = (meeting[0].mention.value, meeting[0].mention.precision)

    out: list[Resolution] = []
    i = 0
    last_in_top: dict[str | None, int] = {}
    refs_in_top: dict[str, tuple[str, ...]] = {}
    last_sentence = -2
    while i < len(sentences):
        sent = sentences[i]
        found = founds[i]
        if sent.top is not None:  # the agenda item's papers; a cited old Beschluss is not one
            seen = refs_in_top.get(sent.top, ())
            own = _references(found, skip_kinds=frozenset({"beschluss"}))
            refs_in_top[sent.top] = tuple(dict.fromkeys([*seen, *own]))
        top_refs = refs_in_top.get(sent.top, ()) if sent.top is not None else ()
        if sent.section in _DECISION_SECTIONS or sent.section in _PROPOSAL_SECTIONS:
            block = [(sent, found)]
            j = i + 1
            while (
                j < len(sentences)
                and sentences[j].section == sent.section
                and sentences[j].section_index == sent.section_index
            ):
                block.append((sentences[j], founds[j]))
                j += 1
            block = [(s, f) for s, f in block if not (_is_section_only(s.text))] or block
            for cited, cited_found in block[1:]:
                # "…, dem die Stadt mit Beschluss-Nr. VII/2021/0123 beigetreten ist"
                if sent.section in _PROPOSAL_SECTIONS and any(
                    f.mention.label == "reference" and f.mention.kind == "beschluss"
                    for f in cited_found
                ):
                    reported = _sentence_resolution(cited, cited_found, ctx)
                    if reported is not None and reported.kind == "resolution":
                        out.append(reported)
            if any(s.text.strip() and not _is_section_only(s.text) for s, _ in block):
                record = _block_resolution(
                    block, ctx, proposal=sent.section in _PROPOSAL_SECTIONS, top_refs=top_refs
                )
                if record is not None:
                    if record.kind == "resolution":
                        last_in_top[sent.top] = len(out)
                    out.append(record)
            i = j
            continue
        if sent.section in _VOTE_SECTIONS and sent.top in last_in_top:
            k = last_in_top[sent.top]
            outcome = parse_outcome(sent.text) or _printed_outcome(sent.text)
            refs = tuple(dict.fromkeys([*out[k].references, *_references(found)]))
            out[k] = replace(out[k], outcome=out[k].outcome or outcome, references=refs)
            i += 1
            continue
        if _PREAMBLE.search(sent.text):
            dated = [f for f in _dates(sent, found) if _role(sent, f) in {"decision", "meeting"}]
            if dated:
                ctx.context_date = (dated[0].mention.value, dated[0].mention.precision)
                ctx.context_body = _body(sent, found)[0] or ctx.context_body
                if not _DECIDE.search(sent.text):
                    i += 1  # "Bekanntmachung der Beschlüsse des Rates vom …": a list header
                    continue
        previous = out[-1] if out and last_sentence == i - 1 else None
        record = _sentence_resolution(
            sent, found, ctx, top_refs, previous, sentences[i - 1] if i else None
        )
        last_sentence = i if record is not None else last_sentence
        if record is not None:
            out.append(record)
            if record.kind == "resolution":
                last_in_top[sent.top] = len(out) - 1
        else:
            outcome = parse_outcome(sent.text)
            if outcome and sent.top in last_in_top and not _dates(sent, found):
                k = last_in_top[sent.top]
                if out[k].outcome is None and out[k].source.page == sent.page:
                    out[k] = replace(out[k], outcome=outcome)
            out.extend(_events(sent, found, ctx))
        i += 1
    log.debug("%s: %d resolutions/events", path, len(out))
    return out


def _title_from_sections(sentences: Sequence[Sentence]) -> str | None:
    """The "Thema:" / "Betreff:" of a Mitteilung, when the tagger gave no title."""
    for k, s in enumerate(sentences):
        if s.section in _TITLE_SECTIONS:
            m = _SECTION.match(s.text)
            rest = m.group("rest").strip() if m else s.text
            if rest:
                return rest
            if k + 1 < len(sentences) and sentences[k + 1].section == s.section:
                return sentences[k + 1].text
    return None
