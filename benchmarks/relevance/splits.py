"""Compound-split quality on benchmarks/relevance/compounds.tsv: precision, recall, errors.

Run: ``.venv/bin/python benchmarks/relevance/splits.py``. A split counts as correct when the
stems of its parts equal the stems of the expected parts (``bundes`` ≙ ``bund``).
"""

from __future__ import annotations

from pathlib import Path

from archiv.analysis import compound_parts, leaf_parts, normalize, stem

GOLD = Path(__file__).with_name("compounds.tsv")


def load() -> list[tuple[str, tuple[str, ...]]]:
    rows = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, parts = line.partition("\t")
        rows.append((word, tuple(parts.split())))
    return rows


def main() -> None:
    rows = load()
    tp = fp = fn = 0
    found = split = valid = 0  # lenient: every expected part is found at some level
    wrong: list[str] = []
    for word, expected in rows:
        got = leaf_parts(normalize(word))
        want = tuple(stem(p) for p in expected)
        have = tuple(stem(p) for p in got)
        levels = {stem(p) for p in compound_parts(normalize(word))}
        if got:
            split += 1
            valid += bool(expected) and set(want) <= levels
        found += bool(expected) and set(want) <= levels
        if have == want:
            tp += bool(expected)
        else:
            if got:
                fp += 1
            if expected:
                fn += 1
            wrong.append(f"  {word}: got {got or '-'}, want {expected or '-'}")
    compounds = sum(1 for _, e in rows if e)
    print(f"{compounds} compounds, {len(rows) - compounds} non-compounds")
    print(
        f"exact leaves:  precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, compounds):.3f}"
    )
    print(
        f"search (every expected part indexed): precision {valid / max(1, split):.3f}  "
        f"recall {found / max(1, compounds):.3f}"
    )
    print("\n".join(wrong))


if __name__ == "__main__":
    main()
