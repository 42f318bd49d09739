"""The fixed query mix of the search benchmark, drawn deterministically from the corpus vocabulary.

Each query is written once per engine so that all engines answer the same question:

======== =================== ================= ================== =====================
kind     archiv              bare Whoosh       SQLite FTS5        tantivy
======== =================== ================= ================== =====================
single   ``Haushalt``        same              ``"Haushalt"``     same (AND)
compound ``Netzwerk``        same              same               same
phrase   ``"a b"``           same              ``"a b"``          same
ref      ``0002/15``         ``"0002/15"``     ``"0002 15"``      ``"0002/15"``
city     word + ``--city``   filter=Term(city) ``AND city = ?``   Must(term city)
fuzzy    ``wort~``           ``wort~`` (+plugin) exact term (!)   FuzzyTermQuery(d=1)
prefix   ``verwal*``         same              ``verwal*``        ``verwal*``
======== =================== ================= ================== =====================

Not equivalent, by design of the engines: FTS5 has no fuzzy search (the term is matched
exactly, so its fuzzy row is cheaper than it should be) and no German stemming; archiv splits
compounds (``Netzwerk`` finds ``Städtenetzwerk``), the bare engines do not; archiv also searches
its reference field for a bare reference number. The mix has 200 queries:
45 single, 30 compound, 30 phrase, 25 reference, 25 city-filtered, 25 fuzzy, 20 prefix.
"""

from __future__ import annotations

import random
import re
from typing import Any

import gen_corpus as g

MIX = (
    ("single", 45),
    ("compound", 30),
    ("phrase", 30),
    ("ref", 25),
    ("city", 25),
    ("fuzzy", 25),
    ("prefix", 20),
)
PHRASES = [
    "einstimmig beschlossen",
    "Haupt- und Finanzausschuss",
    "Interkommunale Vereinbarung",
    "zur Kenntnis genommen",
    "in die Fraktionen verwiesen",
    "Vorschlag der Verwaltung",
    "Bürgerbeteiligung",
    "kommunale Wärmeplanung",
    "Ausbau des ÖPNV-Angebots",
    "in zwei Bauabschnitten",
    "Bedenken wurden nicht erhoben",
    "Zeichen der Zusammenarbeit",
    "Teilergebnisplan",
    "zuwendungsfähigen Ausgaben",
    "mit dem Regionalplan vereinbar",
    "Beteiligung der Bezirksvertretung",
    "Sitzung des Rates",
    "Abstimmungsergebnis",
]


def _words() -> list[str]:
    """Content words of the generator's sentences (≥ 5 letters, no slots)."""
    text = " ".join(g.FILLER + g.DECISIONS + g.TOPICS + g.COMMITTEES)
    text = re.sub(r"\{[a-z0-9]+\}", " ", text)
    words = {w.strip(".,:;()„“") for w in text.split()}
    return sorted(w for w in words if len(w) >= 5 and w.isalpha())


def _typo(rng: random.Random, word: str) -> str:
    """One Levenshtein edit (a substitution or a deletion), never at the first letter."""
    i = rng.randrange(1, len(word))
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    letters = "aeinrst" if word[i] not in "aeinrst" else "lmo"
    return word[:i] + rng.choice(letters) + word[i + 1 :]


def _quote_ref(value: str) -> str:
    return '"' + value + '"'


def make_queries(manifest: list[dict], seed: int, count_scale: int = 1) -> list[dict[str, Any]]:
    """The query mix; ``seed`` distinguishes the measured set from the warm-up set."""
    rng = random.Random(f"archiv-bench-queries:{seed}")
    words = _words()
    compounds = sorted({m + h for m in g.MODIFIERS for h in g.HEADS})
    heads = sorted({h.capitalize() for h in g.HEADS})
    cities = sorted({d["city"] for d in manifest})
    refs = sorted({r for d in manifest for r in d["references"]})
    queries: list[dict[str, Any]] = []
    for kind, count in MIX:
        for _ in range(count * count_scale):
            q: dict[str, Any] = {"kind": kind}
            if kind == "single":
                word = rng.choice(words + g.SURNAMES + cities)
                q.update(text=word, terms=[word])
            elif kind == "compound":
                word = rng.choice(compounds) if rng.random() < 0.5 else rng.choice(heads)
                q.update(text=word, terms=[word])
            elif kind == "phrase":
                phrase = rng.choice(PHRASES + [f"Rat der Stadt {c}" for c in cities[:10]])
                q.update(text=f'"{phrase}"', terms=phrase.split())
            elif kind == "ref":
                full = rng.choice(refs) if refs else "Vorlage 0002/15"
                number = full.split()[-1]  # "Vorlage 0002/15" → "0002/15"; "BV/0123/2021" stays
                q.update(text=number, terms=[number])
            elif kind == "city":
                word = rng.choice(words)
                q.update(text=word, terms=[word], city=rng.choice(cities))
            elif kind == "fuzzy":
                word = rng.choice([w for w in words + compounds if len(w) >= 7])
                typo = _typo(rng, word)
                q.update(text=f"{typo}~", terms=[typo])
            else:  # prefix
                word = rng.choice(words + compounds)
                stem = word[: rng.randint(4, min(7, len(word) - 1))].lower()
                q.update(text=f"{stem}*", terms=[stem])
            queries.append(_per_engine(q))
    return queries


def _per_engine(q: dict[str, Any]) -> dict[str, Any]:
    kind, text = q["kind"], q["text"]
    q["archiv"] = text
    if kind == "ref":
        q["whoosh"] = q["tantivy"] = _quote_ref(text)
        q["fts5"] = '"' + " ".join(re.findall(r"\w+", text)) + '"'
    elif kind == "prefix":
        q["whoosh"] = q["tantivy"] = q["fts5"] = text
    elif kind == "fuzzy":
        q["whoosh"] = text.lower()
        q["tantivy"] = text  # built as a FuzzyTermQuery in steps.py
        q["fts5"] = '"' + q["terms"][0] + '"'  # FTS5 has no fuzzy search: exact term
    elif kind == "phrase":
        words = re.findall(r"\w+", text)
        q["whoosh"] = q["tantivy"] = text
        q["fts5"] = '"' + " ".join(words) + '"'
    else:
        q["whoosh"] = q["tantivy"] = text
        q["fts5"] = '"' + text + '"'
    return q


def query_sets(manifest: list[dict], seed: int) -> dict[str, list[dict[str, Any]]]:
    return {
        "measured": make_queries(manifest, seed),
        "warmup": make_queries(manifest, seed + 1_000_003)[::10],
    }
