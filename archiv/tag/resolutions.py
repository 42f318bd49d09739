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
from functools import lru_cache

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
_SENTENCE_END = re.compile(r"[.!?][\"'“”»)\]]*\s+(?=[\"„“»(\[]?[A-ZÄÖÜ0-9]|gez\.)")
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


# Whitespace that is not already one plain space: only these runs change the text.
_SPACE_RUN = re.compile(r"\s{2,}|[^\S ]")
_LETTERS = re.compile(r"[^\W\d_]+")
_KEEP_HYPHEN_BEFORE = frozenset({"und", "oder", "bzw", "sowie"})


def _normalise(raw: str, base: int) -> tuple[str, tuple[int, ...]]:
    """Collapse whitespace, join words hyphenated across lines, keep a map back to the page.

    Works on slices between line breaks and runs of spaces, not character by character: it
    runs for every sentence of every page, and a per-character loop was ~8 % of ingest.
    """
    lo = len(raw) - len(raw.lstrip())
    hi = len(raw.rstrip())
    if lo >= hi:
        return "", ()
    parts: list[str] = []
    pos: list[int] = []
    last = lo
    for m in _SPACE_RUN.finditer(raw, lo, hi):
        i, j = m.span()  # lo < i and j < hi: text on both sides
        parts.append(raw[last:i])
        pos.extend(range(base + last, base + i))
        last = j
        if raw[i - 1] == "-" and i >= 2 and raw[i - 2].isalpha() and "\n" in raw[i:j]:
            nxt = raw[j]
            if nxt.isupper():  # Jakob-␤Kaiser-Haus keeps its hyphen
                continue
            if nxt.islower():
                word = _LETTERS.match(raw, j)
                if word and word.group(0) not in _KEEP_HYPHEN_BEFORE:
                    parts[-1] = parts[-1][:-1]  # Untersuchungs-␤matrix
                    pos.pop()
                    continue
        parts.append(" ")
        pos.append(base + i)
    parts.append(raw[last:hi])
    pos.extend(range(base + last, base + hi))
    return "".join(parts), tuple(pos)


_ENDS_CLAUSE = re.compile(r"[.!?;,]$")
_ENDS_SENTENCE = re.compile(r"[.!?:;]$")
_ENDS_OPEN = re.compile(r"[-,„(/&+]$")
_DIGIT = re.compile(r"\d")


def _is_heading_line(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 4 and not _ENDS_CLAUSE.search(line) and not _DIGIT.search(line)


def _joins(prev: str, nxt: str, long_line: int) -> bool:
    """Does the printed line ``nxt`` continue the sentence of ``prev``?"""
    if _BULLET.match(nxt) or _SECTION.match(nxt) or _TOP.match(nxt):
        return False
    if _NUMBERED.match(nxt) and not _ORDINAL_BEFORE_MONTH.match(nxt):
        return False  # "1. Fortschreibung des …": a numbered item starts here
    if _ENDS_SENTENCE.search(prev):
        return True  # the punctuation splitter decides (abbreviations, "Nr." + number)
    if nxt[:1].islower():
        return True
    if _ENDS_OPEN.search(prev):
        return True
    last = prev.split()[-1].lower() if prev.split() else ""
    if last in _FUNCTION_WORDS:
        return True
    # Running prose fills the line; a short title-like line after it starts something new.
    return len(prev) >= long_line and prev[-1:].isalnum() and not _is_heading_line(nxt)


_BEFORE_ORDINAL = _words("der die das den dem des zur zum am im vom seiner ihrer unserer")
_INITIALS = re.compile(r"[a-zäöü]|[a-zäöü](?:\.[a-zäöü])+")
_DAY_NUMBER = re.compile(r"\d{1,2}")
_ITEM_NUMBER = re.compile(r"\d{1,3}")
_SPACE_DIGIT = re.compile(r"\s+\d")
_LINE = re.compile(r"[^\n]+")


def _split_segment(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split one run of joined lines at sentence punctuation, minding abbreviations."""
    pieces: list[tuple[int, int]] = []
    cut = start
    for m in _SENTENCE_END.finditer(text, start, end):
        stop = m.start() + 1
        k = stop - 1  # the word before the mark (text[stop - 1] is the mark itself)
        while k > cut and not text[k - 1].isspace():
            k -= 1
        word = text[k:stop].lower().rstrip(".")
        word = word.lstrip("(„\"'")
        if word in _ABBREVIATIONS or word.split("-")[-1] in _ABBREVIATIONS:
            continue
        if _INITIALS.fullmatch(word):
            continue  # initials, "z.B", "d.h"
        if _DAY_NUMBER.fullmatch(word) and _ORDINAL_BEFORE_MONTH.match(text, stop - len(word) - 1):
            continue  # "12. März 2015"
        if _ITEM_NUMBER.fullmatch(word) and _SPACE_DIGIT.match(text, stop):
            continue  # "Nr. 5. 3" style enumerations, "1. 2." lists
        if _DAY_NUMBER.fullmatch(word) and (
            text[cut:k].split()[-1:] and text[cut:k].split()[-1].lower() in _BEFORE_ORDINAL
        ):
            continue  # "die 12. Sitzung", "zur 3. Änderung": an ordinal, not a sentence end
        if _DAY_NUMBER.fullmatch(word) and not text[cut : stop - len(word) - 1].strip():
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
    lines = [(m.start(), m.end(), m.group(0).strip()) for m in _LINE.finditer(text)]
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
        if (m := _TOP.match(first_line)) is not None or (
            numbered_items and _is_agenda_item(_normalise(seg_text, seg_start)[0])
        ):
            top, section = _normalise(seg_text, seg_start)[0], None
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
                and not _ENDS_PUNCT.search(norm)
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


_ENDS_PUNCT = re.compile(r"[.!?:;,]$")
_AGENDA_ITEM = re.compile(r"^\d{1,2}[.)]\s+[A-ZÄÖÜ]")
_PROPOSAL_OPENER = re.compile(
    r"\b(?:möge|mögen|wolle|wollen)\s+(?:\S+\s+){0,3}?beschlie(?:ß|ss)en\s*:$", re.IGNORECASE
)


def _is_agenda_item(text: str) -> bool:
    """ "3. Satzung zur Änderung der Friedhofssatzung (DS 24-1102)": a title, not a sentence."""
    m = _NUMBERED.match(text)
    return bool(
        m
        and len(text) <= 160
        and _AGENDA_ITEM.match(text)
        and not _ENDS_SENTENCE.search(text)
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
# "Hierzu wird auf die Vorlage 0677/17 verwiesen": a pointer to a paper, not a referral.
_POINTS_TO = re.compile(
    r"\bauf\s+(?:die|den|das|dem|diese[nrs]?)\b[^;]{0,80}?\b(?:verwiesen|verweist|verwies)\b", _I
)
_REFERRED_TO_BODY = re.compile(
    r"\b(?:in|an)\s+(?:den|die|das)\s+(?:\S+\s+)?\S*(?:ausschuss|rat|beirat|gremium|kreistag"
    r"|bezirksvertretung|vertretung)\b",
    _I,
)
# For each status pattern above, a stem every match of it contains (lower case): a sentence
# without the stem cannot match, and a substring test is far cheaper than the pattern.
_STATUS_STEMS: tuple[tuple[tuple[str, ...], re.Pattern[str], ResolutionStatus], ...] = (
    (("empf",), _RECOMMEND, "recommended"),
    (("verw", "überw"), _REFER, "referred"),
    (("vertagt", "zurück"), _POSTPONE, "postponed"),
    (("lehnt",), _REJECT, "rejected"),
    (("kenntnis",), _NOTE, "noted"),
    (
        ("beschl", "fasste", "stimmt", "genehmigt", "verabschiedet", "angenommen"),
        _DECIDE,
        "decided",
    ),
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
# One of these is in every match of _PROPOSAL (lower case).
_PROPOSAL_STEMS = (
    "mög",
    "gebeten",
    "beschlossen",
    "beantrag",
    "schlägt",
    "beschlussvorschlag",
    "beschlussentwurf",
    "beschlie",
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
# Every vote pattern below needs one of these (lower case): most sentences state no outcome.
_OUTCOME_STEMS = ("ja", "nein", "stimm", "enthalt", "mehrheit")
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
    low = text.lower()
    if not any(stem in low for stem in _OUTCOME_STEMS):
        return None
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
    low = text.lower()
    for stems, pattern, status in _STATUS_STEMS:
        if not any(stem in low for stem in stems) or not pattern.search(text):
            continue
        if status == "referred" and _POINTS_TO.search(text) and not _REFERRED_TO_BODY.search(text):
            continue  # "auf die Vorlage … verwiesen" points to a paper; it refers nothing
        return status
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


_COUNCIL_GENITIVE = re.compile(r"(?:Stadt|Gemeinde)rat(?:e?s)")
_GENITIVE_ENDING = re.compile(r"e?s$")
_KREISTAG_GENITIVE = re.compile(r"Kreistag(?:e?s)")


def _body_base(body: str) -> str:
    """Fold the inflection of a body name for display ("Rates" → "Rat")."""
    words = body.split()
    if not words:
        return body
    head = words[0]
    if head in {"Rates", "Rats"}:
        head = "Rat"
    elif _COUNCIL_GENITIVE.fullmatch(head):
        head = _GENITIVE_ENDING.sub("", head)
    elif head.endswith("ausschusses"):
        head = head[: -len("es")]
    elif _KREISTAG_GENITIVE.fullmatch(head):
        head = "Kreistag"
    return " ".join([head, *words[1:]])


@dataclass(frozen=True, slots=True)
class _Found:
    """A mention inside one sentence, with its position in the sentence's text."""

    mention: Mention
    start: int
    end: int


class _PageMentions:
    """One page's mentions, found by start offset in O(log n) instead of a scan per sentence.

    Mentions come back in their input order (the order the taggers gave), because the first
    body or date of a sentence wins in several rules.
    """

    __slots__ = ("_items", "_starts")

    def __init__(self, mentions: Sequence[Mention]) -> None:
        self._items = sorted(enumerate(mentions), key=lambda item: item[1].start)
        self._starts = [m.start for _, m in self._items]

    def between(self, start: int, end: int) -> list[Mention]:
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end, lo)
        return [m for _, m in sorted(self._items[lo:hi], key=lambda item: item[0])]


def _in_sentence(sent: Sentence, mentions: _PageMentions | None) -> list[_Found]:
    if mentions is None:
        return []
    return [
        _Found(m, sent.local(m.start), sent.local(min(m.end, sent.end)))
        for m in mentions.between(sent.start, sent.end)
    ]


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
    text = sent.text
    for f in found:
        if f.mention.label == "place":
            before = text[max(0, f.start - 6) : f.start]
            if _IN_BEFORE.search(before):
                return f.mention.value
    for place in known_places:  # the adjective "Berliner" names Berlin
        # The substring test first: a document names dozens of places, a sentence few.
        if f"{place}er" in text and _adjective_of(place).search(text):
            return place
    for f in found:
        if f.mention.label == "place":
            return f.mention.value
    # "Sitzung … am 19.09.23 in Berlin": the meeting place right after the meeting date.
    for f in found:
        if f.mention.label == "date":
            m = _IN_PLACE_AFTER.match(text, f.end)
            if m:
                return m.group(1)
    return None


@lru_cache(maxsize=4096)
def _adjective_of(place: str) -> re.Pattern[str]:
    """ "Berliner" for Berlin: compiled once per place, not once per sentence."""
    return re.compile(rf"\b{re.escape(place)}er\b")


_IN_BEFORE = re.compile(r"\b(?:in|im|nach|aus)\s+$")
# "am 19.09.23 in Berlin", not "tritt am 01.01.2022 in Kraft"
_IN_PLACE_AFTER = re.compile(r"\s+in\s+(?!Kraft\b)([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\b")


_REF_PAREN = re.compile(
    r"\s*\((?:siehe|vgl\.?|s\.)?\s*(?:DS|Drs|Drucksache|Vorlage|Vorlagen|Beschlussvorlage|BV|TOP)"
    r"[^()]*\)",
    _I,
)
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


_NUMBER_IN_BRACKETS = re.compile(r"\(\S{0,12}\s*\d+[/-]\d")
_EMPTY_BRACKETS = re.compile(r"\s*\(\s*\)|\s*\[\s*\]")
_SPACES = re.compile(r"\s+")
_MASKED = re.compile(r"\x00+")
_PLACEHOLDER = re.compile(r"\s*\x01\s*")


def _shorten(text: str) -> str:
    """At most ``MAX_SUBJECT`` characters; drop participial inserts first, then cut at a word."""
    text = _REF_PAREN.sub("", text.replace("\x00", " ").replace("\x01", " ")).strip()
    text = _TOP_REF_TEXT.sub("", text) if _NUMBER_IN_BRACKETS.search(text) else text
    text = _EMPTY_BRACKETS.sub("", text)
    text = _SPACES.sub(" ", text).strip(" ,;:-–")
    if len(text) > 120:
        text = _PARTICIPIAL.sub(r"\1 ", text)
    text = text.replace("  ", " ")
    if len(text) > MAX_SUBJECT:
        cut = text[: MAX_SUBJECT - 2].rsplit(" ", 1)[0]
        text = cut.rstrip(" ,;:-–") + " …"
    return text


def _unmask(text: str) -> str:
    """Masked mentions become one placeholder token, so "am <date>" stays two words."""
    return _MASKED.sub(" \x01 ", text)


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
    text = _SPACES.sub(" ", text).strip(" ,")
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
    text = _PLACEHOLDER.sub(" ", text)
    text = _SPACES.sub(" ", text).strip(" ,")
    prev = None
    while prev != text:
        prev = text
        text = _TRAILING.sub("", text).strip()
    return text


_ADJECTIVE_E = re.compile(r"[^\W\d_][\w-]*[^\W\d_]e")


def _genitive(np: str) -> str | None:
    """Genitive of a feminine phrase: "Interkommunale Vereinbarung" → "der Interkommunalen …"."""
    words = np.split()
    for i, w in enumerate(words):
        if w in {"des", "der", "von", "für", "zum", "zur", "im", "am"}:
            return None
        if w[:1].isupper() and _FEMININE.search(w.lower()):
            if any(
                not _ADJECTIVE_E.fullmatch(a) or a.lower() in _FUNCTION_WORDS for a in words[:i]
            ):
                return None  # only "Interkommunale Vereinbarung"-style adjective phrases
            adjectives = [f"{a}n" for a in words[:i]]  # all end in "e" (checked above)
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


# ------------------------------------------------------------------------ subjects as headings

_ARTICLE_CASES = {  # article → the articles a coordinated noun phrase in the same case takes
    "der": ("der", "dem"),
    "die": ("die", "das", "den"),
    "das": ("die", "das", "den"),
    "den": ("den", "die", "das"),
    "dem": ("dem", "der"),
    "ein": (),
    "eine": ("eine", "ein", "einen"),
    "einen": ("einen", "eine", "ein"),
    "einem": ("einem", "einer"),
    "einer": ("einer", "einem"),
}
# Capitalised adjectives inside names: "Integrierten Klimaschutzkonzept", "Interkommunale …".
_NAME_ADJECTIVE = re.compile(
    r"[A-ZÄÖÜ][\w-]*(?:isch|lich|ig|al|ell|iv|är|ar|bar|sam|iert|ert|ste|te|eu|ere)(?:e|en|er|es|em)"
)
_LOWER_ADJECTIVE = re.compile(r"[a-zäöüß][\w-]*(?:e|en|er|es|em)")
_NEUTER_NOUN = re.compile(
    r"(?:konzept|programm|projekt|verfahren|gesetz|werk|netz|haus|gebäude|vorhaben|ment|um|chen"
    r"|lein|tum|papier|gutachten|angebot|ergebnis|ziel|system|modell|statut|budget|paket|amt"
    r"|gremium|zentrum|bad|feld|gebiet|recht|protokoll|abkommen|ticket|jahr|land|bündnis"
    r"|verzeichnis|monitoring|leitbild)$"
)
_MASCULINE_NOUN = re.compile(
    r"(?:plan|beschluss|antrag|bericht|entwurf|vertrag|haushalt|ausbau|bau|weg|platz|markt"
    r"|ismus|or|ling|rat|ausschuss|kreistag|beitritt|zuschuss|bescheid|termin|standort)$"
)
_FRONT_PP = re.compile(
    r"^(?P<pp>(?i:mit|durch|im\s+Rahmen|gemäß|entsprechend)\s+(?:dem|der|den|des|einem|einer)\s+"
    r"(?:\S+\s+){0,3}?[A-ZÄÖÜ][^\s(]*)\s+(?P<obj>(?:den|die|das|dem|der|einen|eine|ein)\s+\S.*)$"
)
_LEADING_PARTICIPIAL = re.compile(
    r"^(?P<art>(?i:der|die|das|den|dem|des|eine[mnrs]?)\s+)(?:zwischen|von|vom|mit|durch|unter"
    r"|seit|bei|aus|im|am)\s+[^.;()]{3,140}?\s+[a-zäöüß]+(?:ten|te|tes|ter|tem|ene|enen|ener|enes)"
    r"\s+(?=[A-ZÄÖÜ])"
)
_DEICTIC = re.compile(
    r"^(?P<art>(?i:der|die|das|den|dem)\s+)(?:nachstehende|vorstehende|vorliegende|beigefügte"
    r"|anliegende|vorgelegte)[nr]?\s+(?=[A-ZÄÖÜ])"
)
# What a cut-out reference number leaves behind: "… auf der Grundlage der <DS-Nr.>".
_DANGLING = re.compile(
    r"\s+(?:auf\s+(?:der\s+)?Grundlage|gemäß|laut|entsprechend|siehe|vgl\.|mit|nach|von|vom|zur"
    r"|zum|der|des|dem|den|die|das|und|oder|sowie)$"
)
_AS_PRESENTED = re.compile(
    r"\s+in\s+der\s+(?:vorgelegten|vorliegenden|beigefügten|anliegenden)\s+Fassung$", _I
)


def _noun_gender(noun: str) -> str | None:
    word = noun.lower().strip("„“\"'()")
    if _FEMININE.search(word):
        return "f"
    if _NEUTER_NOUN.search(word):
        return "n"
    if _MASCULINE_NOUN.search(word):
        return "m"
    return None


def _nominative(adjective: str, article: str, noun: str) -> str | None:
    """The adjective as it stands without its article, in the nominative; None when unsure.

    "das Integrierte Klimaschutzkonzept" → "Integriertes", "der überplanmäßigen Aufwendung"
    → "überplanmäßige". Only the ending changes: the word is the document's.
    """
    gender = _noun_gender(noun)
    cut = 2 if adjective[-2:] in {"en", "er", "es", "em"} else 1
    stem, ending = adjective[:-cut], adjective[-cut:]
    if article in {"die", "eine"}:
        return stem + "e" if ending in {"e", "en"} else None
    if article == "das":
        return stem + "es" if ending == "e" else None
    if article in {"der", "einer"}:
        if gender == "f" and ending == "en":
            return stem + "e"  # dative/genitive feminine
        if article == "der" and gender != "f" and ending == "e":
            return stem + "er"  # nominative masculine
        return None
    if article in {"den", "einen"}:
        if ending != "en":
            return None
        plural = noun.endswith(("en", "ern")) and gender != "m"
        return stem + ("e" if plural else "er")
    if article in {"dem", "einem"}:
        if ending != "en" or gender not in {"m", "n"}:
            return None
        return stem + ("er" if gender == "m" else "es")
    if article == "ein":
        return adjective
    return None


def _is_adjective(word: str, following: str | None) -> bool:
    """An inflected adjective before a noun (or before another adjective)."""
    if following is None or not (following[:1].isupper() or following.startswith("„")):
        return False
    if word.lower() in _FUNCTION_WORDS:
        return False
    return bool(_LOWER_ADJECTIVE.fullmatch(word) or _NAME_ADJECTIVE.fullmatch(word))


def _drop_article(words: list[str]) -> list[str] | None:
    """``words`` without the leading article, adjectives re-inflected; None if unsafe."""
    article = words[0].lower()
    if article not in _ARTICLE_CASES:
        return None
    i = 1
    while i < len(words) and _is_adjective(words[i], words[i + 1] if i + 1 < len(words) else None):
        i += 1
    if i >= len(words) or not (words[i][:1].isupper() or words[i][:1] == "„"):
        return words[1:] if i == 1 else None  # "die von …": no noun phrase to re-inflect
    adjectives = []
    for adjective in words[1:i]:
        inflected = _nominative(adjective, article, words[i])
        if inflected is None:
            if adjective.endswith(("en", "em")):
                return None  # "dem neuen …" of unknown gender: keep the article
            inflected = adjective  # already a nominative form ("die Integriertes …" as printed)
        adjectives.append(inflected)
    return [*adjectives, *words[i:]]


def _headline(phrase: str) -> str:
    """A noun phrase from a sentence, as a heading: nominative, object first, no article.

    "mit dem Integrierten Klimaschutzkonzept den Ausbau des Alltagsradverkehrs" → "Ausbau des
    Alltagsradverkehrs mit dem Integrierten Klimaschutzkonzept"; "der überplanmäßigen
    Aufwendung …" → "überplanmäßige Aufwendung …"; "dem Beitritt … und der Unterzeichnung der
    Vereinbarung" → "Beitritt … und Unterzeichnung der Vereinbarung". The object keeps its words;
    an article is only dropped where the adjectives after it can follow (else it stays).
    """
    text = _SPACES.sub(" ", _EMPTY_BRACKETS.sub("", phrase)).strip(" ,")
    m = _FRONT_PP.match(text)
    if m:
        text = f"{m.group('obj')} {m.group('pp')}"
    text = _LEADING_PARTICIPIAL.sub(r"\g<art>", text)
    text = _DEICTIC.sub(r"\g<art>", text)
    text = _AS_PRESENTED.sub("", text)
    while (cut := _DANGLING.sub("", text)) != text:
        text = cut
    words = text.split()
    if not words:
        return ""
    article = words[0].lower()
    head = _drop_article(words)
    if head is None:
        return text
    if article in _ARTICLE_CASES:
        # "… und der Unterzeichnung der …": a coordinated object in the same case loses its
        # article too (outside quotes and brackets, where "und der" belongs to a name)
        same_case = _ARTICLE_CASES[article]
        depth = 0
        k = 0
        while k < len(head) - 2:
            w = head[k]
            depth += w.count("(") + w.count("„") - w.count(")") - w.count("“")
            if w == "und" and depth == 0 and head[k + 1] in same_case:
                rest = _drop_article(head[k + 1 :])
                if rest is not None:
                    head = [*head[: k + 1], *rest]
            k += 1
    return " ".join(head)


def _mask(text: str, found: list[_Found], labels: set[str], only: Sequence[_Found] = ()) -> str:
    """Blank out mentions (dates, references) so subject patterns do not trip over them.

    With ``only``, just those mentions of ``labels`` are blanked: the decision's own date is
    shown in the date column, while another date belongs to the matter ("für das Jahr 2025").
    """
    chars = list(text)
    for f in found:
        if f.mention.label in labels or any(f is o for o in only):
            for i in range(f.start, min(f.end, len(chars))):
                chars[i] = "\x00"
    return "".join(chars)


_SUBJECT_AFTER_BESCHLUSS = re.compile(r"^[^:]{0,80}?\w*beschlu(?:ss|ß)\b[^:]{0,60}:\s*(?=\S)", _I)
_BESCHLUSS_LABEL = re.compile(r"^\s*Beschlu(?:ss|ß)\w*\s*:", _I)
_ITEM_LABEL = re.compile(r"^(?:Beschluss\s*:\s*|\d{1,2}[.)]\s+)", _I)
_ADDRESSEE = re.compile(r"^\s*(?:dem|der|den)\s+\S+(?:\s+der\s+Stadt\s+\S+)?\s*,?")
_TO_DECIDE = re.compile(r"\s*(?:zu\s+beschlie(?:ß|ss)en|zuzustimmen|abzulehnen)\W*$")
_AGREES = re.compile(r"\bstimmt(?:e|en)?\b(?P<mid>.*)\bzu\b", _I)
_INSTRUCTED = re.compile(r"\b(?:wird|werden)\s+beauftragt\s*,?\s*", _I)
_VERB_FINAL = re.compile(
    r"\b(?:dass|daß|nachdem|weil|da|wie|als)\s+(?P<clause>.*?)\s+(?:beschlossen|zugestimmt"
    r"|abgelehnt|angenommen|genehmigt|verabschiedet|vertagt|verwiesen)\s+"
    r"(?:hat|haben|hatte|hatten|wurde|wurden|worden\s+ist|worden\s+sind)\b",
    _I,
)
_CLAUSE_BODY = re.compile(
    r"^(?:der|die|das)\s+(?:Rat|Stadtrat|Gemeinderat|Kreistag|\S*[Aa]usschuss)\b"
    r"(?:\s+der\s+Stadt\s+\S+)?"
)
_PERFECT = re.compile(
    r"\b(?:hat|haben|hatte|hatten|wurde|wurden|wird|werden|ist|sind|war|waren|soll|sollen"
    r"|muss|müssen|kann|können)\b(?P<mid>.*?)\b"
    r"(?:beschlossen|zugestimmt|abgelehnt|angenommen|genehmigt|verabschiedet|vertagt"
    r"|verwiesen|überwiesen|zur\s+Kenntnis\s+genommen|empfohlen)\b",
    _I,
)
_PASSIVE_AUX = re.compile(
    r"(?:wurde|wurden|wird|werden|ist|sind|war|waren|soll|sollen|muss|müssen|kann|können)\b", _I
)
_STARTS_WITH_ARTICLE = re.compile(r"^(?:Der|Die|Das)\s")
_STARTS_WITH_BODY = re.compile(r"^\S+\s+(?:Rat|Stadtrat|Gemeinderat|Kreistag|\S*[Aa]usschuss)\b")
_LEADING_BODY = re.compile(
    r"^\s*(?:der|die|das)\s+(?:Rat|Ausschuss|Kreistag)\b(?:\s+der\s+Stadt\s+\S+)?"
)
_TO_COMMITTEE = re.compile(r"\s+(?:in|an)\s+den\s+\S*[Aa]usschuss.*$")
_ACTIVE_VERB = re.compile(
    r"\b(?:beschließt|beschliesst|beschloss|beantragt|lehnt(?:e|en)?|nimmt|nahm|nahmen|vertagt(?:e)?"
    r"|verweist|verwies|genehmigt(?:e)?|verabschiedet(?:e)?)\b\s*[,:]?",
    _I,
)
_LEADING_DASS = re.compile(r"^\s*(?:dass|daß)\s+")
_TRAILING_KENNTNIS = re.compile(r"\s+zur\s+Kenntnis\W*$")


def _decision_subject(
    sent: Sentence, found: list[_Found], body_at: int, date: _Found | None = None
) -> str:
    """What was decided, as a heading in the sentence's words (see :func:`_headline`).

    Only the decision's own ``date`` is cut out (with its "am"/"in seiner Sitzung"); another
    date is part of the matter and stays ("Übersicht der Sitzungstermine für das Jahr 2025").
    """
    text = sent.text
    masked = _mask(text, found, {"reference"}, only=(date,) if date is not None else ())

    def clean(start: int, end: int) -> str:
        return _headline(_strip_framing(_unmask(masked[start:end])))

    # "Ratsbeschluss Februar 2015: Beitritt zum Netzwerk (Vorlage 0002/15)"
    m = _SUBJECT_AFTER_BESCHLUSS.match(text)
    if m and not _BESCHLUSS_LABEL.match(text):
        return clean(m.end(), len(text))
    m = _ITEM_LABEL.search(text)
    offset = m.end() if m else 0
    # "empfiehlt dem Rat, X zu beschließen"
    m = _RECOMMEND.search(masked, offset)
    if m:
        rest = _ADDRESSEE.sub("", masked[m.end() :])
        return _headline(_strip_framing(_unmask(_TO_DECIDE.sub("", rest))))
    # "stimmte … dem Beitritt … zu"
    m = _AGREES.search(masked)
    if m:
        return clean(m.start("mid"), m.end("mid"))
    # "Die Verwaltung wird beauftragt, X zu tun"
    m = _INSTRUCTED.search(masked, offset)
    if m:
        return clean(m.end(), len(masked))
    # verb-final clause: "…, dass der Rat bereits am 12. März 2015 … den Ausbau … beschlossen hat"
    m = _VERB_FINAL.search(masked, offset)
    if m:
        clause = _CLAUSE_BODY.sub("", m.group("clause"))
        return _headline(_strip_framing(_unmask(clause))).strip()
    # perfect / passive: "hat … beschlossen", "wurde … einstimmig beschlossen"
    m = _PERFECT.search(masked, offset)
    if m:
        front = _unmask(masked[offset : m.start()]).strip(" ,")
        if (
            _PASSIVE_AUX.match(m.group(0))
            and _STARTS_WITH_ARTICLE.match(front)
            and not _STARTS_WITH_BODY.match(front)
        ):
            return _headline(_strip_framing(front)).strip()
        mid = _TO_COMMITTEE.sub("", _LEADING_BODY.sub("", m.group("mid")))
        return _headline(_strip_framing(_unmask(mid))).strip()
    # active verb second: "Der Rat beschließt den Beitritt …", "lehnt … ab", "nimmt … zur Kenntnis"
    m = _ACTIVE_VERB.search(masked, offset)
    if m:
        rest = _LEADING_BODY.sub("", _LEADING_DASS.sub("", masked[m.end() :]))
        rest = _TRAILING_KENNTNIS.sub("", _TO_COMMITTEE.sub("", rest))
        return _headline(_strip_framing(_unmask(rest))).strip()
    rest = masked[max(body_at, offset) :]
    if body_at >= offset:  # "… hat der Ausschuss für Umwelt die Verwaltung gebeten, …"
        tagged = [
            f.end - body_at for f in found if f.mention.label == "body" and f.start == body_at
        ]
        actor = _BODY_FALLBACK.match(rest)
        end = tagged[0] if tagged else actor.end() if actor else 0
        if end:
            tail = _GENITIVE_TAIL.match(rest, end)
            return _headline(_strip_framing(_unmask(rest[tail.end() if tail else end :])))
    return _strip_framing(_unmask(rest))


_NOMINAL_EVENT = re.compile(
    r"\b(?:Gründung|Unterzeichnung|Zuwendungsbescheid|Förderbescheid|Bewilligungsbescheid|Bescheid"
    r"|Inkrafttreten|Eröffnung|Beitritt|Projektlaufzeit|Laufzeit|Förderzeitraum|Veranstaltung"
    r"|Konferenz|Workshop|Auftaktveranstaltung|Tagung)\b"
)
_VERB_EVENT = [
    (re.compile(r"\bunterzeichn\w*", _I), "Unterzeichnung"),
    (re.compile(r"\b(?:gegründet|gründeten|gründete)\b", _I), "Gründung"),
    (re.compile(r"\bbeigetreten\b", _I), "Beitritt"),
    (re.compile(r"\b(?:tritt|treten|trat|traten)\b.{0,80}\bin\s+Kraft\b", _I), "Inkrafttreten"),
]
_EVENT_STOP = re.compile(
    r"\s(?:unter|im|am|vom|mit|bei|als|zur|zum|seit|wurde|wurden|hat|haben|ist|sind|war|soll"
    r"|sollen|wird|werden|daraufhin|erfolgte|fand|statt|erstreckt|erstreckte|beträgt|betrug|sieht"
    r"|sah|liegt|lag|läuft|lief|endet|endete|beginnt|begann)\b|[,;:(\x00]"
)
_ACTOR = re.compile(r"^(?i:die|der|das|diese[rs]?)\s+(?P<np>[A-ZÄÖÜ][^,;\x00]*?)\s*$")
_EVENT_OBJECT = re.compile(r"\b(?:eine|einen|ein|die|den|das)\s+(?P<np>[^,;.()\x00]+)")
_OBJECT_END = re.compile(r"\s+(?:als|zur|zum|mit|am|im|vom)\b")
_PP_START = re.compile(r"^(?:zwischen|von|mit|durch)\b")
_PP_PARTICIPLE = re.compile(r"^[^A-ZÄÖÜ]*?\b[a-zäöüß]+(?:te|ten|tes|ter|ene|enen)\s+(?=[A-ZÄÖÜ])")
_WEEKDAYS = "Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag"
_FIELD = re.compile(r"^[A-ZÄÖÜ][\w.-]*(?:\s+[\w.-]+){0,2}\s*:\s*")
_FIELD_FILLER = re.compile(
    rf"\b(?:{_WEEKDAYS}|den|am|vom|ab|um|Uhr)\b|\d{{1,2}}[:.]\d{{2}}|[\W_]+", _I
)
# The formulas that open and close minutes: no reader asks when a quorum was stated.
_PROCEDURAL = re.compile(
    r"beschlussfähig|ordnungsgemäß\s+(?:eingeladen|geladen)|eröffnet\s+die\s+(?:\S+\s+)?Sitzung"
    r"|schließt\s+die\s+(?:\S+\s+)?Sitzung|schließt\s+den\s+(?:\S+\s+)?Teil"
    r"|Einwände\s+gegen\s+die\s+Tagesordnung",
    _I,
)
_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|,\s+(?=(?:und|oder|aber|sondern|dass|daß|weil|wobei|sodass|nachdem|während|bevor"
    r"|wenn|falls|sofern|längstens|spätestens|jedoch|zuletzt|zuvor|seitdem)\b)"
)
# A date with the words that only place it in time: "längstens jedoch bis zum", "in der Zeit vom
# … bis …", "Ende". Cutting the date alone would leave "in der Zeit" or "Bis Ende" behind.
_DATE_PHRASE = re.compile(
    r"(?:\b(?:in\s+der\s+Zeit|im\s+Zeitraum|für\s+den\s+Zeitraum)\s+)?"
    r"(?:\b(?:am|vom|von|im|seit|ab|zum|zur|bis|spätestens|längstens|jedoch|den)\s+)*"
    r"(?:\b(?:Ende|Anfang|Mitte)\s+)?\x00+(?:\s*(?:bis(?:\s+(?:zum|zur))?|–|-|und)\s*\x00+)*",
    _I,
)
_TIME_WORDS_AT_END = re.compile(
    r"(?:\s+(?:am|vom|von|im|seit|ab|zum|zur|bis|spätestens|längstens|jedoch))*"
    r"(?:\s+(?:Ende|Anfang|Mitte))?$",
    _I,
)
_DATED_BY_VOM = re.compile(r"\s(?:vom|von)$", _I)
_FINITE = re.compile(
    r"\b(?:ist|sind|war|waren|wird|werden|wurde|wurden|hat|haben|hatte|hatten|soll|sollen|kann"
    r"|können|muss|müssen|liegt|lag)\b",
    _I,
)
_PP_NOUN_PHRASE = re.compile(
    r"^(?i:seit|nach|mit|bei|vor|durch|wegen|infolge|trotz)\s+"
    r"(?P<np>(?i:der|dem|den|des|einer|einem|eines)\s+[^,;\x00]+)$"
)
_NOUN_PHRASE = re.compile(r"^(?P<np>(?i:der|die|das|ein|eine|einen)\s+[^,;\x00]+)$")
_TAKES_PLACE_AT_END = re.compile(
    r"^(?:(?i:dass|daß)\s+)?(?P<np>.+?)\s+(?:stattfindet|stattfinden|stattfand|stattfanden"
    r"|stattgefunden\s+hat)$"
)
_TAKES_PLACE_V1 = re.compile(r"^(?:fand|findet|fanden|finden)\s+(?P<np>.+?)\s+statt$")
# "Bis Ende 2020 sollen sämtliche Gebäude … angeschlossen werden" once the date is cut out
_MODAL_V1 = re.compile(
    r"^(?:soll|sollen|muss|müssen|wird|werden|kann|können)\s+(?P<rest>.+?)(?:\s+(?:werden|sein))?$"
)
_HAPPENED = re.compile(
    r"^(?P<np>(?i:die|der|das|eine?)\s.+?)\s+(?:fand|findet|finden|fanden|erfolgte|erfolgt"
    r"|beginnt|begann|endet|endete|läuft|lief|startet|startete)\b"
)
_PASSIVE = re.compile(
    r"^(?P<np>(?i:die|der|das|eine?)\s.+?)\s+(?:wurde|wurden|ist|sind|war|waren)\s+"
    r"(?P<rest>.*?\b[a-zäöüß]+(?:t|en))(?:\s+worden)?$"
)
_MINUTES_TITLE = re.compile(
    r"^(?:Niederschrift|Protokoll|Ergebnisniederschrift|Einladung|Tagesordnung)\s+"
    r"(?:über|der|zur|für)\s+(?:die\s+|der\s+)?",
    _I,
)
_TOP_PREFIX = re.compile(r"^(?:TOP|Tagesordnungspunkt)\s*\d+(?:\.\d+)*\s*[:.)–-]?\s*")
_SUBORDINATOR = re.compile(r"^(?:dass|daß|und|oder|jedoch|aber|sondern)\s+", _I)
_NOUN = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]{2,}")
_DEADLINE_WORD = re.compile(r"frist|längstens|spätestens", _I)
_TIME_NOUNS = _words(
    "ende anfang mitte beginn frühjahr sommer herbst winter frühling jahr jahre jahres jahreswechsel"
    " quartal halbjahr"
)
_TIME_PREPOSITIONS = _words("im in seit ab bis vom von zum zur am um ende anfang mitte")


def _names_a_thing(sent: Sentence, date: _Found) -> bool:
    """A year that is part of a name, not a time: "Haushaltsplan 2012", "für das Jahr 2025".

    "Ende 2016", "im Jahr 2015" and "2015 wurde …" are times.
    """
    if date.mention.precision != "year":
        return False
    before = sent.text[: date.start].split()
    if not before:
        return False
    word = before[-1].strip("(„\"'")
    if word.lower() in _TIME_NOUNS:
        if not word.lower().startswith("jahr"):
            return False
        return len(before) < 2 or before[-2].lower() not in _TIME_PREPOSITIONS
    return word[:1].isupper()


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``text`` around ``start:end``: between ";" or ", dass/und/längstens …"."""
    lo, hi = 0, len(text)
    for m in _CLAUSE_BREAK.finditer(text):
        if m.end() <= start:
            lo = m.end()
        elif m.start() >= end:
            hi = m.start()
            break
    return lo, hi


def _without_dates(text: str) -> str:
    text = _DATE_PHRASE.sub(" ", text)
    return _SPACES.sub(" ", text.replace("\x00", " ")).strip(" ,;.")


def _event_subject(
    sent: Sentence, found: list[_Found], date: _Found, deadline: bool, page_text: str = ""
) -> str:
    """What happened on ``date``, told by the clause the date stands in (see :func:`_events`).

    A clause that says nothing but the date ("…, längstens jedoch bis zum 31.08.2023") takes
    what the sentence's first clause is about: "Laufzeit des Projekts: längstens jedoch …".
    """
    masked = _mask(sent.text, found, {"date"})
    lo, hi = _clause(sent.text, date.start, date.end)
    if (
        date.end < hi
        and sent.text[date.end + 1 : date.end + 2].isupper()
        and _line_ends(sent, date.end, page_text)
    ):
        hi = date.end  # "… bis zum 31.08.2023␤Analyse Entwicklungstrends …": a slide's next line
    if lo == 0 and (label := _FIELD.match(masked)) and not _SECTION.match(masked):
        lo = label.end()  # "Sachstand: Die Laufzeit …": the label is not the subject
    subject = _clause_subject(sent, masked, lo, hi, date.start - lo, date.end - lo)
    if subject is None:  # no content of its own
        first = _CLAUSE_BREAK.search(sent.text)
        main = _clause_subject(sent, masked, 0, first.start(), -1, -1) if first and lo > 0 else None
        raw = _BULLET.sub("", sent.text[lo:hi]).strip(" ,;.")
        return f"{main}: {raw}" if main else raw
    if deadline and not _DEADLINE_WORD.search(subject):
        subject = f"Frist: {subject}"
    return subject


def _line_ends(sent: Sentence, index: int, page_text: str) -> bool:
    """Does a printed line end at ``index`` of the sentence (a line break in the page text)?"""
    if not page_text or index + 1 >= len(sent.positions):
        return False
    return "\n" in page_text[sent.positions[index - 1] + 1 : sent.positions[index + 1]]


def _clause_subject(
    sent: Sentence, masked: str, lo: int, hi: int, at: int, until: int
) -> str | None:
    """The subject of one clause (``at:until`` is the date in it, -1 for none); None if the
    clause has no words beyond its dates."""
    clause = masked[lo:hi]
    m = _NOMINAL_EVENT.search(clause)
    if m:
        rest = clause[m.start() :]
        stop = _EVENT_STOP.search(rest, len(m.group(0)))
        return rest[: stop.start()] if stop else rest
    for pattern, noun in _VERB_EVENT:
        m = pattern.search(clause)
        if not m:
            continue
        after = clause[max(m.end(), until) :] if until > m.start() else clause[m.end() :]
        obj = _EVENT_OBJECT.search(after)
        if obj:
            np = _OBJECT_END.split(obj.group("np"))[0]
            np = _PARTICIPIAL.sub("", f"die {np} ").replace("die ", "", 1).strip()
            np = _PP_PARTICIPLE.sub("", np) if _PP_START.match(np) else np
            genitive = _genitive(np)
            return f"{noun} {genitive}" if genitive else f"{noun}: {np}"
        actor = _ACTOR.match(clause[: m.start()])
        if actor:  # "Die Satzung tritt am 01.01.2022 in Kraft": what comes into force
            genitive = _genitive(actor.group("np"))
            subject = f"{noun} {genitive}" if genitive else f"{noun}: {actor.group('np')}"
            title = _top_title(sent.top)
            return f"{subject} ({title})" if title and title != subject else subject
        return noun
    if sent.heading and at >= 0 and len(_NOUN.findall(clause.replace("\x00", " "))) < 2:
        # Data under a heading ("Zeitplan / 01.01.2021 – 31.12.2022, längstens … 31.08.2023")
        return f"{sent.heading}: {_BULLET.sub('', sent.text[lo:hi]).strip(' ,;')}"
    before = _BULLET.sub("", clause[:at]).strip() if at >= 0 else ""
    m = _PP_NOUN_PHRASE.match(_TIME_WORDS_AT_END.sub("", before))
    if m:  # "Seit der Einrichtung der Stabsstelle im Februar 2015 …": the date is the noun's
        return _headline(m.group("np"))
    text = _MINUTES_TITLE.sub("", _TOP_PREFIX.sub("", _BULLET.sub("", _without_dates(clause))))
    text = _SUBORDINATOR.sub("", text)
    if not _NOUN.search(text):
        return None
    # "dass die nächste Sitzung … stattfindet", "(Im Mai) fand ein erstes Gespräch … statt"
    m = _TAKES_PLACE_AT_END.match(text) or _TAKES_PLACE_V1.match(text) or _HAPPENED.match(text)
    if m:
        return _headline(m.group("np"))
    m = _PASSIVE.match(text)
    if m:  # "Die Sitzung … wurde auf Wunsch der Fraktionen verschoben"
        return f"{_headline(m.group('np'))} {m.group('rest')}"
    m = _MODAL_V1.match(text)
    if m:
        return m.group("rest")
    m = _NOUN_PHRASE.match(_TIME_WORDS_AT_END.sub("", before))
    if m and _DATED_BY_VOM.search(before) and not _FINITE.search(before):
        # "Ein entsprechender Antrag … vom 19. August 2023 liegt … vor"
        return _headline(m.group("np"))
    return text


def _is_title_line(sent: Sentence) -> bool:
    """ "Betreff: Haushaltssatzung 2013": a date in the paper's title names it, it happened not."""
    m = _SECTION.match(sent.text)
    return bool(m and m.group("label").lower() in _TITLE_SECTIONS)


def _is_agenda_heading(sent: Sentence) -> bool:
    return bool(_TOP.match(sent.text)) or sent.text == sent.top


def _is_field(sent: Sentence, found: list[_Found]) -> bool:
    """ "Sitzungstag: Donnerstag, 30. September 2021": a form field that holds only a date."""
    m = _FIELD.match(sent.text)
    if not m:
        return False
    value = _mask(sent.text, found, {"date"})[m.end() :].replace("\x00", " ")
    return not _FIELD_FILLER.sub("", value)


_RANGE_BETWEEN = re.compile(r"\s*(?:bis(?:\s+(?:zum|zur))?|–|-)\s*")
_RANGE_OPENER = re.compile(r"\b(?:vom|von|ab|zwischen)\s+$", _I)


def _date_spans(sent: Sentence, dates: list[_Found]) -> list[tuple[_Found, str | None]]:
    """Dates with the end of their span: "vom 18. August 2015 bis zum 09.07.2016" is one period.

    The tagger joins most ranges itself; this catches the pairs it printed as two dates. A pair
    whose end lies before its start keeps only its start (the end is a misprint or a mix-up).
    Years that name a thing are left out, with their range ("Schulentwicklungsplanung 2020 bis
    2025").
    """
    out: list[tuple[_Found, str | None]] = []
    skip: set[int] = set()
    for k, f in enumerate(dates):
        if k in skip:
            continue
        end = f.mention.end_value
        nxt = dates[k + 1] if k + 1 < len(dates) else None
        name = _names_a_thing(sent, f)
        if (
            end is None
            and nxt is not None
            and nxt.mention.end_value is None
            and _RANGE_BETWEEN.fullmatch(sent.text, f.end, nxt.start)
            and (name or _RANGE_OPENER.search(sent.text[max(0, f.start - 12) : f.start]))
        ):
            skip.add(k + 1)
            value, last = f.mention.value, nxt.mention.value
            same = f.mention.precision == nxt.mention.precision
            end = last if same and value and last and last > value else None
        if not name:
            out.append((f, end))
    return out


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
    page_texts: dict[int, str] = field(default_factory=dict)  # to see where printed lines end


_OWNER_BEFORE = re.compile(r"\b(?:Stadt|Gemeinde|Kreis)\s+$")
_TOWN = re.compile(r"\b(?:Stadt|Gemeinde)\s+([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\b")


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
            if _OWNER_BEFORE.search(before):
                counts[m.value] += 1
    if not counts:  # no place tagger output: "Stadt Paderborn" as printed
        for page in pages:
            counts.update(_TOWN.findall(page.text))
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


_ASKED = re.compile(r"(?:wird|werden)\s+gebeten", _I)
_FOLLOWING = re.compile(r"folgende[nrs]?\b", _I)
_TITLE_LABEL = re.compile(r"^(?:Betreff|Thema|Gegenstand)\s*:\s*", _I)


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
    low = text.lower()
    cue = _PROPOSAL.search(text) if any(stem in low for stem in _PROPOSAL_STEMS) else None
    proposal = bool(cue) and not _RECOMMEND.search(text)
    if cue and ctx.agenda_doc and _ASKED.match(cue.group(0)):
        proposal = False  # minutes: "Die Verwaltung wird gebeten, …" is part of the decision
    if proposal and _AGENDA_REQUEST.search(text):
        proposal = False  # "… auf die Tagesordnung der Sitzung … zu setzen": a request, no motion
    if status is None and not proposal:
        return None
    past = bool(_PAST.search(text))
    kind = "resolution"
    if (proposal and not past) or (
        status is not None and not past and ctx.proposal_doc and _PRESENT_DECISION.search(text)
    ):
        kind, status = "proposal", None
    elif status is None:
        return None
    body, body_at = _body(sent, found)
    if status == "recommended" and body is None:
        return None  # "Es wird empfohlen", "Das Gutachten empfiehlt": advice, not a Gremium's
    refs = _references(found)
    dates = [  # a year that names a thing ("Haushaltssatzung 2024") does not date a decision
        f
        for f in _dates(sent, found)
        if _role(sent, f) not in {"deadline", "period", "document"} and not _names_a_thing(sent, f)
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
    subject = _shorten(_decision_subject(sent, found, body_at, chosen))
    if _FOLLOWING.match(subject) and before is not None and _is_title(before):
        # "Satzung zur Änderung der …" / "… folgende Satzung beschlossen:"
        subject = _TITLE_LABEL.sub("", before.text)
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
    """Dated happenings of one sentence that is not a decision, one per date and clause.

    Left out: dates that are not times ("Haushaltsplan 2012"), agenda headings (the date of
    "TOP 3 Haushaltssatzung 2024" names the item), form fields ("Sitzungstag: …"), the minutes'
    opening and closing formulas, and the list header "Bekanntmachung der Beschlüsse … vom …"
    (its date is the date of the decisions that follow).
    """
    dates = _dates(sent, found)
    if (
        not dates
        or _is_title_line(sent)
        or _is_agenda_heading(sent)
        or _PROCEDURAL.search(sent.text)
        or _PREAMBLE.search(sent.text)
        or _is_field(sent, found)
    ):
        return []
    out: list[Resolution] = []
    seen: set[tuple[str, str | None]] = set()
    body, _ = _body(sent, found)
    if (
        body
        and _BODY_FROM_COMPOUND.search(sent.text) is None
        and not any(f.mention.label == "body" for f in found)
    ):
        body = None  # the fallback body pattern is for decisions; an event must name it
    for f, end in _date_spans(sent, dates):
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
        key = (f.mention.value, end)
        if key in seen:
            continue
        seen.add(key)
        subject = _shorten(
            _event_subject(sent, found, f, role == "deadline", ctx.page_texts.get(sent.page, ""))
        )
        if not subject:
            continue
        place = _meeting_place(sent, found, ctx.places)
        out.append(
            Resolution(
                kind="event",
                status=None,
                date=f.mention.value,
                precision=f.mention.precision,
                end_date=end,
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


_BESCHLUSS_NR = re.compile(r"\(?\s*Beschluss-Nr\.?[^)]*\)?")
_BESCHLOSSEN = re.compile(r"\bbeschlossen\b")
_ITEM_NUMBER_PREFIX = re.compile(r"^\d{1,2}[.)]\s+")
_BLOCK_LABEL = re.compile(r"^(?:Beschluss\w*|Empfehlung)\s*:\s*", _I)
_BESCHLUSS_PREFIX = re.compile(r"^Beschluss\w*\s*:", _I)
_ENDS_STATEMENT = re.compile(r"[.!?:]$")


def _printed_outcome(text: str) -> str | None:
    """ "Abstimmungsergebnis: zur Kenntnis genommen" — the result as printed, when not votes."""
    m = _SECTION.match(text)
    rest = m.group("rest") if m else ""
    rest = _BESCHLUSS_NR.sub("", rest)
    rest = _BESCHLOSSEN.sub("", rest).strip(" .,;")
    return rest if 0 < len(rest) <= 60 else None


def _top_title(top: str | None) -> str:
    """The title of an agenda item heading, without "TOP 2" and its Drucksache number."""
    if not top:
        return ""
    m = _TOP.match(top)
    title = m.group("title") if m else _ITEM_NUMBER_PREFIX.sub("", top)
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
    body_text = _BLOCK_LABEL.sub("", first.text)
    if (not body_text.strip() or _PROPOSAL_OPENER.search(first.text)) and len(block) > 1:
        first, first_found = block[1]  # the first numbered item says what is to be decided
        body_text = first.text
    rest = [s for s, _ in block if s is not first and s is not block[0][0]]
    if rest and not _ENDS_STATEMENT.search(first.text) and first.page != rest[0].page:
        # The sentence breaks at the page end: read it whole (mention offsets stay valid, they
        # all lie in the first part).
        first = replace(first, text=f"{first.text} {rest[0].text}")
    roles = {"decision"} if ctx.minutes or proposal else {"decision", "meeting"}
    dates = [f for f in _dates(first, first_found) if f.mention.role in roles]
    subject = (
        _decision_subject(first, first_found, body_at, dates[0] if dates else None)
        if body_text.strip()
        else ""
    )
    if top and (ctx.agenda_doc or not subject or subject.split()[-1].lower() in _GENERIC_HEADS):
        subject = _top_title(top) or subject  # minutes: the agenda item names the matter
    if not subject:
        subject = ctx.title or ""
    date, precision = (
        (dates[0].mention.value, dates[0].mention.precision)
        if dates
        else _fallback_date(ctx, body, proposal)
    )
    if date is None and not proposal:
        date, precision = ctx.facts.date, ctx.facts.date_precision
    status = None if proposal else (_status(_BESCHLUSS_PREFIX.sub("", text)) or "decided")
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
        page_texts={p.number: p.text for p in pages},
    )
    on_page: dict[int, list[Mention]] = {}
    for m in mentions:
        on_page.setdefault(m.page, []).append(m)
    by_page = {page: _PageMentions(ms) for page, ms in on_page.items()}
    founds = [_in_sentence(s, by_page.get(s.page)) for s in sentences]
    for sent, found in zip(sentences, founds, strict=True):  # the Beratungsfolge
        meeting = [
            f
            for f in _dates(sent, found)
            if f.mention.role == "meeting" or sent.section == "beratungsfolge"
        ]
        if not meeting:
            continue
        body, _ = _body(sent, found)
        if body and _body_key(body):
            ctx.meetings[_body_key(body)] = (meeting[0].mention.value, meeting[0].mention.precision)

    out: list[Resolution] = []
    i = 0
    last_in_top: dict[str | None, int] = {}
    refs_in_top: dict[str, tuple[str, ...]] = {}
    last_sentence = -2
    scheduled: list[int] = []  # events from Beratungsfolge lines (see _without_scheduled)
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
                if sent.section in _DECISION_SECTIONS:
                    for later, later_found in block[1:]:  # "Die Satzung tritt am … in Kraft."
                        out.extend(_events(later, later_found, ctx))
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
            outcome = parse_outcome(sent.text) if sent.top in last_in_top else None
            if outcome and not _dates(sent, found):
                k = last_in_top[sent.top]
                if out[k].outcome is None and out[k].source.page == sent.page:
                    out[k] = replace(out[k], outcome=outcome)
            events = _events(sent, found, ctx)
            if sent.section == "beratungsfolge":
                scheduled.extend(range(len(out), len(out) + len(events)))
            out.extend(events)
        i += 1
    out = _without_scheduled(out, scheduled)
    log.debug("%s: %d resolutions/events", path, len(out))
    return out


def _without_scheduled(records: list[Resolution], scheduled: list[int]) -> list[Resolution]:
    """Drop Beratungsfolge lines that only say when a proposal of this paper is decided.

    "Rat der Stadt Lemgo am 30.09.2021 (Entscheidung)" already dates the proposal; as an event
    of its own it would list the same meeting twice. The committee's Vorberatung stays.
    """
    if not scheduled:
        return records
    proposals = {(r.date, _body_key(r.body)) for r in records if r.kind == "proposal"}
    drop = {k for k in scheduled if (records[k].date, _body_key(records[k].body)) in proposals}
    return [r for k, r in enumerate(records) if k not in drop]


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
