"""Turn raw text layers into the text that tagging and search see.

Pure functions, string in and string out, so each rule is tested on its own. The order in
``clean_page`` matters: control characters and soft hyphens first (they decide whether a
line-end hyphen is real), then hyphenation, then glued tokens, then whitespace.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

# pdfium reports a hyphen that ends a line as U+0002 (older builds) or U+FFFE (newer builds,
# which also drop the line break); U+00AD is the Unicode soft hyphen, invisible mid-line.
_LINE_END_HYPHENS = re.compile(r"[\x02\ufffe][ \t]*(?:\r?\n)?")
_LETTER = "A-Za-zÄÖÜäöüßà-ÿÀ-Þ"
_LOWER = "a-zäöüßà-ÿ"
_UPPER = "A-ZÄÖÜÀ-Þ"

# A hyphen at a line end followed by one of these words is a suspended compound
# ("Wirtschaftsförderungs- und Beteiligungsausschuss"), never a split word.
_CONJUNCTIONS = frozenset({"und", "oder", "bzw", "sowie", "als", "bis", "noch", "wie", "u", "o"})

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# the continuation word moves up to the end of the hyphenated line; the rest of its line stays
_AFTER_WORD = r"(?P<gap>[ \t]*)(?P<end>\n|$)?"
# The lookbehind changes no match: a left part can only start where its run of letters starts
# (from inside the run the same hyphen follows, so the run's start matches too, and a match
# never ends inside a run). Without it ``re`` reads every word to its end from each of its
# letters before failing: quadratic in the word length, a third of the cleaning time.
_HYPHEN_BREAK = re.compile(
    rf"(?<![{_LETTER}])(?P<left>[{_LETTER}]{{2,}})-[ \t]*\n[ \t]*(?P<right>[{_LETTER}0-9]\S*)"
    rf"{_AFTER_WORD}"
)
_ANY_HYPHEN_BREAK = re.compile(r"-[ \t]*\n")
_DIGIT_HYPHEN_BREAK = re.compile(rf"(?P<left>\d)-[ \t]*\n[ \t]*(?P<right>\d\S*){_AFTER_WORD}")
_TRAILING_PUNCTUATION = re.compile(r"\W+$")
# Both start with a digit, not with an assertion, so ``re`` jumps from digit to digit instead of
# trying every character: "\d(?<!\w\d)\d?" is "\b\d{1,2}", and the glued digit is matched
# and put back rather than looked behind at (a digit before a capital is never the next one).
_GLUED_DATE = re.compile(rf"(\d(?<!\w\d)\d?\.\d{{1,2}}\.(?:\d{{4}}|\d{{2}}))(?=[{_LETTER}])")
_GLUED_NUMBER_WORD = re.compile(rf"(\d)(?=[{_UPPER}][{_LOWER}]{{2,}})")
_GLUED_CAMEL = re.compile(rf"(?<![{_LETTER}])([{_LOWER}]{{4,}})(?=[{_UPPER}][{_LOWER}]{{2,}})")
# C1 controls in a text layer are almost always cp1252 bytes read as Latin-1 (0x96 is "–")
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") or None for code in range(0x80, 0xA0)
}
_C1 = re.compile("[\x80-\x9f]")  # str.translate with a dict costs ~0.2 ms a page: only if needed
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")
_DIGITS = re.compile(r"\d+")

_PAGE_NUMBER = re.compile(
    r"^(?:(?:seite|page|s\.)\s*\d{1,4}(?:\s*(?:von|/|of)\s*\d{1,4})?"
    r"|[-–—]\s*\d{1,4}\s*[-–—]"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|\d{1,3})$",
    re.IGNORECASE,
)
_EDGE_LINES = 4  # lines at the top and at the bottom of a page where running heads are found
_REMOVE_LINES = 6  # … and where a running head, once found, is removed (letterheads push it down)


def normalize_unicode(text: str) -> str:
    """NFKC folds ligatures (ﬁ → fi) and compatibility forms; line ends become ``\\n``.

    pdfium's line-end hyphen markers become a plain hyphen and line break, so that
    ``dehyphenate`` decides with one rule whether the hyphen belongs to the word.
    """
    text = _LINE_END_HYPHENS.sub("-\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xad", "")
    if _C1.search(text):
        text = text.translate(_C1_AS_CP1252)
    text = unicodedata.normalize("NFKC", text)
    return _CONTROL.sub("", text)


def _line_end(match: re.Match[str]) -> str:
    """Keep the break after the moved word, or make one; never leave a new ``-`` + break."""
    end = match.group("end")
    if end is not None:
        return end
    return (match.group("gap") or " ") if match.group("right").endswith("-") else "\n"


def _join_hyphenated(match: re.Match[str]) -> str:
    left, right = match.group("left"), match.group("right")
    if _TRAILING_PUNCTUATION.sub("", right).lower() in _CONJUNCTIONS:
        joined = f"{left}- {right}"  # "Bau- und", "Wirtschaftsförderungs- und"
    elif right[0].islower():
        joined = f"{left}{right}"  # Untersuchungs-matrix → Untersuchungsmatrix
    else:
        joined = f"{left}-{right}"  # Jakob-Kaiser-Haus, Experten-Interviews
    return joined + _line_end(match)


def _join_digits(match: re.Match[str]) -> str:
    return f"{match.group('left')}-{match.group('right')}" + _line_end(match)


def dehyphenate(text: str) -> str:
    """Join words split at line ends; the word moves up, the rest of its line stays.

    A lower-case continuation was split by the layout ("Untersuchungs-␤matrix"); an upper-case
    continuation is a real compound hyphen ("Jakob-␤Kaiser-Haus"), and a digit continues a
    number range ("Ah 36/21-␤26"). Both of those keep the hyphen but lose the line break.
    """
    # a word split twice ("Ober-␤bürgermeister-␤wahl") needs a second pass; each pass removes
    # hyphen-breaks and adds none, so this ends. Both patterns need a hyphen before a line
    # break: without one a pass would change nothing.
    while _ANY_HYPHEN_BREAK.search(text):
        joined = _DIGIT_HYPHEN_BREAK.sub(_join_digits, _HYPHEN_BREAK.sub(_join_hyphenated, text))
        if joined == text:
            return text
        text = joined
    return text


def split_glued(text: str) -> str:
    """Separate tokens the PDF glued together because it had no space glyph between them.

    Only unambiguous seams are split: a date followed by a word ("27.11.2024Arbeitskreis"),
    digits followed by a capitalised word ("2015Beitritt"), and a lower-case word of four or
    more letters followed by a capitalised one ("ableitenZiele"). Names like "RegioPole",
    "eGovernment" or "2020er" stay whole.
    """
    text = _GLUED_DATE.sub(r"\1 ", text)
    text = _GLUED_NUMBER_WORD.sub(r"\1 ", text)
    return _GLUED_CAMEL.sub(r"\1 ", text)


def normalize_whitespace(text: str) -> str:
    """One space between words, no trailing spaces, at most one blank line between paragraphs."""
    # ``_SPACES`` never matches a line break, so one pass over the text is the per-line pass.
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    text = "\n".join(lines)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip("\n")


def join_cell(text: str) -> str:
    """A table cell's wrapped lines as one line ("Ah 36/21-␤26" → "Ah 36/21-26")."""
    text = dehyphenate(normalize_unicode(text))
    return _SPACES.sub(" ", text.replace("\n", " ")).strip()


def clean_page(text: str) -> str:
    """The full per-page cleaning chain, for one page's raw text layer."""
    return clean_normalized(normalize_unicode(text))


def clean_normalized(text: str) -> str:
    """:func:`clean_page` for a text that went through :func:`normalize_unicode` already.

    PDF extraction normalises each page once to judge it (:func:`looks_garbled`) and cleans
    that same text, instead of normalising it a second time.
    """
    text = dehyphenate(text)
    text = split_glued(text)
    return normalize_whitespace(text)


def _line_key(line: str) -> str:
    """Running heads differ only by the page number: fold digits and case."""
    return _DIGITS.sub("#", _SPACES.sub(" ", line).strip().lower())


def _edge_positions(lines: list[str], depth: int = _EDGE_LINES) -> dict[int, str]:
    """Line index → position tag ("t0", "b1" …) for the non-empty lines at the page edges."""
    # The first and the last ``depth`` non-empty lines, without stripping every line between.
    top = list(itertools.islice((i for i, line in enumerate(lines) if line.strip()), depth))
    bottom = list(
        itertools.islice((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), depth)
    )
    positions: dict[int, str] = {}
    for rank, index in enumerate(bottom):
        positions[index] = f"b{rank}"
    for rank, index in enumerate(top):
        positions[index] = f"t{rank}"
    return positions


def is_page_number(line: str) -> bool:
    """``3``, ``- 3 -``, ``Seite 3 von 5``, ``3/5``: lines that carry nothing but a page number."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def remove_running_lines(pages: Sequence[str]) -> list[str]:
    """Drop headers, footers and page numbers repeated across one document's pages.

    A line counts as running when its digit-folded form is among the first or last four
    lines of at least half of the pages (and of at least two pages); its occurrence nearest
    to the top (bottom) among a page's first (last) six lines is removed. Page-number lines at a
    page's edge go on any page. Lines inside the page body are never touched, and a page
    is never emptied this way.
    """
    split = [page.split("\n") for page in pages]
    counts: Counter[str] = Counter()
    for lines in split:
        counts.update({_line_key(lines[i]) for i in _edge_positions(lines)})
    threshold = max(2, (len(pages) + 1) // 2)
    # labels such as "Beschluss:" recur at page tops in minutes but are content
    running = {key for key, n in counts.items() if n >= threshold and key and key[-1] != ":"}
    cleaned: list[str] = []
    for lines in split:
        drop: set[int] = set()
        seen: set[tuple[str, str]] = set()  # (edge, key): only the occurrence nearest the edge
        edges = _edge_positions(lines, _REMOVE_LINES)
        for i, tag in sorted(edges.items(), key=lambda item: (item[1][0], int(item[1][1:]))):
            key = _line_key(lines[i])
            if key in running and (tag[0], key) not in seen:
                seen.add((tag[0], key))
                drop.add(i)
            elif is_page_number(lines[i]) and int(tag[1:]) < _EDGE_LINES:
                drop.add(i)
        kept = [line for i, line in enumerate(lines) if i not in drop]
        if not any(line.strip() for line in kept):
            # a page made only of "running" lines is content that merely looks alike
            kept = [line for line in lines if not is_page_number(line)]
        cleaned.append(normalize_whitespace("\n".join(kept)))
    return cleaned


_COMMON_WORDS_TEXT = """der die das und in zu den von mit des im für auf ist dem nicht ein eine als auch an es
    bei sich werden wird zur zum am aus oder sind nach über vom wurde einer durch dass bis sowie
    seit hat haben sie er wir ihr diese dieser dieses einem einen noch nur so wie vor unter um
    mehr kann soll sollen wurden war waren beim zwischen gegen ohne stadt rat"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
_NOT_PLAIN = re.compile(r"[^\w\s.,;:!?\-–—()\[\]/%&§\"'„“”‚‘’€$+*=|#@<>°·•]")
_UPPER_CHARS = re.compile(r"[^\W\d_a-zäöüßà-ÿ]")
_LETTER_CHARS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_VOWEL = re.compile(r"[aeiouyäöüAEIOUYÄÖÜéèáà]")


def looks_garbled(text: str) -> bool:
    """A text layer from a font without a Unicode map ("POPKMOO …", private-use glyphs).

    Real German has vowels in nearly every word, few upper-case letters and some function
    words; a shifted glyph encoding keeps none of these. Short texts are never judged.
    """
    visible = len("".join(text.split()))  # str.split and ``\s`` agree on what is a space
    if visible < 20:
        return False
    odd = len(_NOT_PLAIN.findall(text))
    if (visible - odd) / visible < 0.85:
        return True
    words = _WORD.findall(text)
    if len(words) < 8:
        return False
    with_vowel = len(list(filter(_VOWEL.search, words))) / len(words)
    if with_vowel < 0.6:
        return True
    common = sum(map(_COMMON_WORDS.__contains__, map(str.lower, words))) / len(words)
    if common >= 0.02 or len(words) < 15:
        return False  # real German: the letter counts below are not needed
    upper = len(_UPPER_CHARS.findall(text)) / max(1, len(_LETTER_CHARS.findall(text)))
    return upper > 0.5
