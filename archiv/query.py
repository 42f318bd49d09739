"""archiv's query language, parsed into a small engine-independent syntax tree.

Owning the parser (rather than handing user text to Whoosh's) keeps three promises: every
mistake becomes a one-line :class:`~archiv.errors.QueryError` saying what to fix, nothing
unbounded (a bare ``*``, open ranges, ten thousand parentheses) ever reaches the engine, and
internal fields such as ``document_id`` or ``path`` stay unqueryable.

Syntax: words are ANDed; ``OR``; ``-word`` / ``NOT word``; ``"a phrase"``; ``prefix*`` (at least
3 letters); ``word~`` / ``word~2`` (typos); ``( … )``; fields ``stadt:`` ``gremium:`` ``typ:``
``ds:`` ``ort:`` ``datum:2015`` / ``datum:2015-03`` / ``datum:[2015-01 TO 2016-06]``; a bare
reference number (``0002/15``, ``DS-Nr. 1045/2014-2020``) searches reference numbers and text.

A field is an attribute of the leaf nodes (``stadt:(A OR B)`` puts ``field="city"`` on both
terms) so that the engine translates leaves one at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from archiv.errors import QueryError
from archiv.tag.references import looks_like_reference
from archiv.tag.references import reference_key as normalize_reference

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 50
MAX_DEPTH = 20
MIN_PREFIX = 3
MAX_FUZZY = 2

# Query field name → internal field; internal names (document_id, path …) are not in here.
FIELDS: dict[str, str] = {
    "stadt": "city",
    "gremium": "body",
    "typ": "type",
    "ds": "ref",
    "ort": "place",
    "datum": "date",
}
_ALLOWED = ", ".join(f"{name}:" for name in FIELDS)
_OPERATORS = {"AND": "AND", "UND": "AND", "OR": "OR", "ODER": "OR", "NOT": "NOT", "NICHT": "NOT"}


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    field: str | None = None  # None: the page text


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # the words as typed; the engine analyses them like page text
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Prefix:
    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Fuzzy:
    text: str
    distance: int


@dataclass(frozen=True, slots=True)
class Range:
    field: str
    start: str
    end: str


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Node: TypeAlias = Term | Phrase | Prefix | Fuzzy | Range | And | Or | Not
Leaf: TypeAlias = Term | Phrase | Prefix | Fuzzy | Range

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FIELD = re.compile(r"([A-Za-zÄÖÜäöü_]+):")
_ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_GERMAN_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_GERMAN_MONTH = re.compile(r"(\d{1,2})[./](\d{4})")
_FUZZY = re.compile(r"(.+?)~(\d*)")
# Labels that may stand before a reference number typed into a query.
_REFERENCE_LABELS = {
    "ds-nr",
    "ds",
    "drs",
    "drucksache",
    "vorlage",
    "vorlagen-nr",
    "nr",
    "beschluss-nr",
}


def clean(text: str) -> str:
    """Strip terminal escape sequences and control characters (they are never search text)."""
    return _CONTROL.sub(" ", _ANSI.sub(" ", text))


def parse(text: str) -> Node:
    """Parse a user query; raises QueryError with a one-line hint on anything malformed."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"query too long ({len(text)} characters): shorten it to at most {MAX_QUERY_LENGTH}"
        )
    tokens = _lex(clean(text))
    if not tokens:
        raise QueryError("empty query: give at least one word to search for")
    parser = _Parser(tokens)
    node = parser.parse()
    count = sum(1 for _ in leaves(node))
    if count > MAX_TERMS:
        raise QueryError(f"too many search terms ({count}): use at most {MAX_TERMS}")
    return node


def leaves(node: Node, *, negated: bool = False) -> list[tuple[Leaf, bool]]:
    """Every leaf with whether it sits under a NOT (excluded words are not highlighted)."""
    if isinstance(node, And | Or):
        out: list[tuple[Leaf, bool]] = []
        for child in node.children:
            out.extend(leaves(child, negated=negated))
        return out
    if isinstance(node, Not):
        return leaves(node.child, negated=not negated)
    return [(node, negated)]


def has_positive(node: Node) -> bool:
    """Whether the query asks for something rather than only excluding things."""
    if isinstance(node, And):
        return any(has_positive(child) for child in node.children)
    if isinstance(node, Or):
        return all(has_positive(child) for child in node.children)
    return not isinstance(node, Not)


# --- lexer -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN OP NEG FIELD RANGE
    value: str = ""
    extra: str = ""


def _lex(text: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    i, n, depth = 0, len(text), 0
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryError(
                    f"too deeply nested: use at most {MAX_DEPTH} levels of parentheses"
                )
            tokens.append(_Tok("LPAREN"))
            i += 1
        elif char == ")":
            depth -= 1
            tokens.append(_Tok("RPAREN"))
            i += 1
        elif char == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError('unbalanced quote: add a closing "')
            tokens.append(_Tok("PHRASE", text[i + 1 : close]))
            i = close + 1
        elif char == "-" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "-":
            tokens.append(_Tok("NEG"))
            i += 1
        elif char == "[":
            raise QueryError("a range needs a field: write datum:[2015-01 TO 2016-06]")
        else:
            i = _lex_word(text, i, tokens)
    return tokens


def _lex_word(text: str, i: int, tokens: list[_Tok]) -> int:
    field = _FIELD.match(text, i)
    if field and field.end() < len(text) and not text[field.end()].isspace():
        name = field.group(1).lower()
        if name not in FIELDS:
            raise QueryError(f"unknown field {field.group(1)!r}: use one of {_ALLOWED}")
        tokens.append(_Tok("FIELD", FIELDS[name], name))
        i = field.end()
        if text[i] == "[":
            close = text.find("]", i)
            if close < 0:
                raise QueryError("unbalanced range: add a closing ]")
            tokens.append(_Tok("RANGE", text[i + 1 : close]))
            return close + 1
        return i
    if field and field.group(1).lower() in FIELDS:  # "stadt:" with nothing after it
        raise QueryError(
            f"{field.group(1)}: needs a value, e.g. {field.group(1).lower()}:Bielefeld"
        )
    end = i
    while end < len(text) and not text[end].isspace() and text[end] not in '()"':
        end += 1
    word = text[i:end]
    operator = _OPERATORS.get(word)
    tokens.append(_Tok("OP", operator) if operator else _Tok("WORD", word))
    return end


# --- parser ------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := unary+; unary := NOT unary."""

    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:  # only a stray ")" stops or_expr early
            raise QueryError("unbalanced parenthesis: remove the extra )")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OP" and tok.value == "OR":
            self.take()
            if self.peek() is None or self.peek().kind == "RPAREN":  # type: ignore[union-attr]
                raise QueryError("OR needs a word on both sides")
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind != "RPAREN":
            if tok.kind == "OP" and tok.value == "OR":
                if not children:
                    raise QueryError("OR needs a word on both sides")
                break
            if tok.kind == "OP" and tok.value == "AND":
                self.take()
                if not children:
                    raise QueryError("AND needs a word on both sides")
                continue
            node = self.unary()
            if node is not None:
                children.append(node)
        if not children:
            if self.peek() is not None and self.peek().kind == "RPAREN":  # type: ignore[union-attr]
                raise QueryError("empty parentheses: put a word between ( and )")
            raise QueryError("empty query: give at least one word to search for")
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok is not None and (tok.kind == "NEG" or (tok.kind == "OP" and tok.value == "NOT")):
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("RPAREN", "OP"):
                raise QueryError("NOT (or -) needs a word after it")
            child = self.unary()
            return Not(child) if child is not None else None
        return self.primary(None)

    def primary(self, field: str | None) -> Node | None:
        tok = self.take()
        if tok.kind == "LPAREN":
            if self.peek() is None:
                raise QueryError("unbalanced parenthesis: add a closing )")
            node = self.or_expr()
            if self.peek() is None:
                raise QueryError("unbalanced parenthesis: add a closing )")
            self.take()
            return _with_field(node, field) if field else node
        if tok.kind == "RPAREN":  # pragma: no cover - and_expr stops before ")"
            raise QueryError("unbalanced parenthesis: remove the extra )")
        if tok.kind == "FIELD":
            if field is not None:
                raise QueryError(f"a field cannot contain another field: remove {tok.extra}:")
            nxt = self.peek()
            if nxt is None or nxt.kind in ("RPAREN", "OP", "NEG"):
                raise QueryError(f"{tok.extra}: needs a value, e.g. {tok.extra}:Bielefeld")
            if nxt.kind == "RANGE":
                self.take()
                return _range(tok.value, tok.extra, nxt.value)
            return self.primary(tok.value)
        if tok.kind == "PHRASE":
            if not tok.value.strip():
                return None
            return (
                _value_leaf(Phrase(tok.value.strip(), field))
                if field
                else Phrase(tok.value.strip())
            )
        if tok.kind == "WORD":
            return self.word(tok.value, field)
        if tok.kind == "OP":
            raise QueryError(f"{tok.value} needs a word on both sides")
        raise QueryError(f"unexpected {tok.kind.lower()} in query")  # pragma: no cover

    def word(self, word: str, field: str | None) -> Node | None:
        if field is None and word.lower().rstrip(".:") in _REFERENCE_LABELS:
            nxt = self.peek()
            if nxt is not None and nxt.kind == "WORD" and looks_like_reference(nxt.value):
                return None  # "DS-Nr. 1045/2014-2020": the label adds nothing to the number
        if field is None and (ref := looks_like_reference(word)):
            return Or((Term(ref, "ref"), Phrase(word.rstrip(".,;"))))
        if "*" in word or "?" in word:
            stem = word[:-1] if word.endswith("*") else None
            if stem is None or "*" in stem or "?" in stem:
                raise QueryError("wildcards work only at the end of a word, e.g. Netz*")
            letters = sum(1 for c in stem if c.isalnum())
            if letters < MIN_PREFIX:
                raise QueryError(f"{word!r}: a prefix needs at least {MIN_PREFIX} letters before *")
            return _value_leaf(Prefix(stem, field)) if field else Prefix(stem)
        fuzzy = _FUZZY.fullmatch(word)
        if fuzzy:
            if field is not None:
                raise QueryError("~ (typo tolerance) works only on words of the text, not fields")
            base, digits = fuzzy.groups()
            distance = int(digits) if digits else (2 if len(base) >= 8 else 1)
            if not 1 <= distance <= MAX_FUZZY:
                raise QueryError(f"{word!r}: a typo distance must be 1 or {MAX_FUZZY}")
            return Fuzzy(base, distance)
        if field is not None:
            return _value_leaf(Term(word, field))
        return Term(word)


def _value_leaf(leaf: Term | Phrase | Prefix) -> Node:
    """Check a fielded value; dates are normalised to ISO so the engine can compare prefixes."""
    field = leaf.field
    if field == "date":
        if isinstance(leaf, Prefix):
            raise QueryError("datum: takes a date or a range, not a prefix: write datum:2015")
        return Prefix(_iso(leaf.text), "date")
    if field == "ref":
        return (
            Term(normalize_reference(leaf.text), "ref") if isinstance(leaf, Term | Phrase) else leaf
        )
    return leaf


def _with_field(node: Node, field: str) -> Node:
    if isinstance(node, And):
        return And(tuple(_with_field(c, field) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_with_field(c, field) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_field(node.child, field))
    if isinstance(node, Term | Phrase | Prefix):
        if node.field is not None:
            raise QueryError("a field cannot contain another field")
        return _value_leaf(type(node)(node.text, field))
    if isinstance(node, Fuzzy):
        raise QueryError("~ (typo tolerance) works only on words of the text, not fields")
    raise QueryError("a range needs its own field: write datum:[2015-01 TO 2016-06]")


def _iso(value: str) -> str:
    value = value.strip()
    if _ISO_DATE.fullmatch(value):
        return value
    if day := _GERMAN_DAY.fullmatch(value):
        return f"{day.group(3)}-{int(day.group(2)):02d}-{int(day.group(1)):02d}"
    if month := _GERMAN_MONTH.fullmatch(value):
        return f"{month.group(2)}-{int(month.group(1)):02d}"
    raise QueryError(
        f"datum:{value} is not a date: write datum:2015, datum:2015-03 or datum:2015-03-12"
    )


def _range(field: str, name: str, body: str) -> Range:
    if field != "date":
        raise QueryError(f"{name}: takes no range; only datum:[2015-01 TO 2016-06] does")
    parts = re.split(r"\s+TO\s+", body.strip(), flags=re.IGNORECASE)
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip() or "*" in body:
        raise QueryError("a date range needs both ends: write datum:[2015-01 TO 2016-06]")
    start, end = _iso(parts[0]), _iso(parts[1])
    if start > end:
        raise QueryError(f"date range {start} TO {end} is backwards: put the earlier date first")
    return Range("date", start, end)
