"""How often does treating ae/oe/ue as umlauts merge words that have nothing to do with each other?

Snowball German (as used by archiv.analysis) reads ``ue`` as ``ü`` (not after ``q``) and strips
umlauts from stems, so ``Würzburg``/``Wuerzburg`` meet. The risk is a word whose ``ue`` is two
letters (``Feuer``, ``aktuell``, ``Michael``, ``Israel``) meeting an unrelated word. Because the
same folding runs at index and query time, such a word still finds itself; a *collision* is a
stem shared by a word with a literal ae/oe/ue and a word without that letter pair. Every such
stem group of the lexicon (tools/build_wordlist.py) is counted and a sample printed for review.

Run: ``.venv/bin/python benchmarks/relevance/folding.py``
"""

from __future__ import annotations

import re
from collections import defaultdict

from archiv.analysis import _lexicon, stem

PAIR = re.compile(r"(?<!q)ue|ae|oe")
UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def main() -> None:
    lexicon = _lexicon()
    groups: dict[str, set[str]] = defaultdict(set)
    for word in lexicon:
        groups[stem(word)].add(word)
    literal = [w for w in lexicon if PAIR.search(w) and not any(c in w for c in "äöü")]
    # A literal pair is an umlaut spelling when the umlaut word exists: "gruendung" ≙ "gründung".
    transliterated = {w.translate(UMLAUT) for w in lexicon if any(c in w for c in "äöü")}
    two_letters = [w for w in literal if w not in transliterated]
    # Only words whose stem was actually folded (the stem is no prefix of the word): "feuer" →
    # "feu" lost an ending, not a letter of its "ue"; "blues" → "blus" was folded.
    folded = [w for w in two_letters if not w.startswith(stem(w))]
    collisions = []
    for word in folded:
        members = groups[stem(word)]
        others = sorted(m for m in members if not PAIR.search(m.translate(UMLAUT)))
        if others:
            collisions.append((word, stem(word), others[:4]))
    print(f"{len(lexicon)} words; {len(literal)} spell ae/oe/ue, {len(two_letters)} as two letters")
    print(
        f"{len(folded)} of those get a folded stem; {len(collisions)} share it with a word "
        f"without the pair ({len(collisions) / len(lexicon):.2%} of the lexicon):"
    )
    for word, shared, others in collisions[:40]:
        print(f"  {word} → {shared}: {', '.join(others)}")


if __name__ == "__main__":
    main()
