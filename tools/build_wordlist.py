"""Derive archiv/data/de_words.tsv.gz, the lexicon of the compound splitter.

Sources (dev-time only; the runtime reads just the shipped file):
- ``wordfreq`` (German frequencies from Wikipedia, subtitles, news, web text): every word and
  its Zipf frequency; a compound part must be a word with a real frequency.
- ``german-nouns`` (Wiktionary nouns with all their inflected forms): marks which words are noun
  forms, because the head (last part) of a German noun compound is a noun.

Run: ``.venv/bin/pip install wordfreq german-nouns && .venv/bin/python tools/build_wordlist.py``
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import re
import sys
from pathlib import Path

import wordfreq

# wordfreq case-folds, so its words spell ß as ss; archiv.analysis looks words up the same way.
OUT = Path(__file__).resolve().parent.parent / "archiv" / "data" / "de_words.tsv.gz"
MIN_ZIPF = 2.5  # analysis.MIN_PART_ZIPF: rarer words can never be a part, so they add nothing
MIN_LENGTH = 4  # analysis.MIN_PART
WORD = re.compile(r"[a-zäöüß]+")


def noun_forms() -> set[str]:
    spec = importlib.util.find_spec("german_nouns")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("german-nouns is not installed: pip install german-nouns")
    path = Path(next(iter(spec.submodule_search_locations))) / "nouns.csv"
    forms: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        pos_column = header.index("pos")
        for row in reader:
            if "Substantiv" not in row[pos_column] or "Affix" in row[pos_column]:
                continue
            for i, value in enumerate(row):
                if i == pos_column or i == 2 or not value:
                    continue
                lowered = value.strip().lower()
                if WORD.fullmatch(lowered):
                    forms.add(lowered.replace("ß", "ss"))  # wordfreq case-folds ß to ss
    return forms


def main() -> None:
    nouns = noun_forms()
    rows: list[tuple[str, float, bool]] = []
    for word in wordfreq.top_n_list("de", 1_000_000):
        if len(word) < MIN_LENGTH or not WORD.fullmatch(word):
            continue
        zipf = wordfreq.zipf_frequency(word, "de")
        if zipf < MIN_ZIPF:
            break  # the list is sorted by frequency
        rows.append((word, zipf, word in nouns))
    rows.sort()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(
            "# word\tzipf\tnoun  (derived by tools/build_wordlist.py from wordfreq, german-nouns)\n"
        )
        for word, zipf, noun in rows:
            out.write(f"{word}\t{zipf:.2f}\t{'n' if noun else ''}\n")
    nouns_kept = sum(r[2] for r in rows)
    sys.stdout.write(
        f"{len(rows)} words ({nouns_kept} noun forms) → {OUT} ({OUT.stat().st_size} B)\n"
    )


if __name__ == "__main__":
    main()
