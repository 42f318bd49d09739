"""Precision, recall and speed of the tagger against hand-annotated gold mentions.

Usage: python benchmarks/tagging_eval.py [--corpus DIR] [--gold DIR] [--json]
                                         [--speed-words N | --no-speed]

Every corpus document (``corpus/*.pdf``, ``*.txt``) is extracted with ``extract_file`` and
tagged with ``tag_pages``; its mentions are compared with ``tests/golden/mentions/<stem>.json``,
written by reading the page text and ``corpus/EXPECTED.md`` / ``shared/docs/domain.md``, never
from the tagger's output (otherwise the numbers would measure nothing).

Gold file: ``{"document", "group": seed|fictional, "facts": {...}, "mentions": [...],
"optional": [...]}``. A mention has ``label``, ``text`` (exactly as in the extracted page text),
``value`` (normalised), ``page`` and, where they apply, ``precision``/``end_value`` (dates),
``kind`` (references), ``alt_values`` (other acceptable normalisations) and ``occurrence``.
Gold mentions carry no offsets, because offsets break whenever extraction changes a character;
instead each one is *located*: entries are placed longest text first, each taking the next
occurrence of its text on its page (in text order, as a whole word) that no other entry of the
same label has taken, or the ``occurrence``-th one (1-based) when given. So listing a text
three times means its first three free occurrences.

Matching rule: a predicted mention matches a gold mention when label, page and value are
equal (the value or one of ``alt_values``) and their character spans overlap; the printed
text may differ by a word of context ("Donnerstag, 30. September 2021" matches
"30. September 2021"). Matching is one-to-one, largest overlap first. Precision, end value and
kind are compared on matched pairs only and counted as attribute errors, separately from
precision/recall. An unmatched prediction overlapping an ``optional`` gold mention of its label
(value not compared) is ignored: optional mentions are neither required nor false positives.
Every other unmatched prediction is a false positive, every unmatched gold mention a false
negative; a prediction with the wrong value on a gold span is both, and says so.

Document facts (type, date, municipality, own reference) are compared with the gold's
``facts``; ``type_alternatives``/``date_alternatives`` list acceptable other answers, and a
gold date of ``null`` is not scored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from archiv.extract import extract_file
from archiv.models import DocumentFacts, ExtractOptions, Mention, PageText
from archiv.tag import tag_pages

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "golden" / "mentions"
LABELS = ("date", "reference", "place", "body")
GROUPS = ("seed", "fictional")
SUFFIXES = (".pdf", ".txt", ".docx", ".odt")
SPEED_WORDS = 50_000
FACT_FIELDS = ("type", "date", "municipality", "reference")
ENTRY_KEYS = frozenset(
    [
        "label",
        "text",
        "value",
        "page",
        "precision",
        "end_value",
        "kind",
        "role",
        "alt_values",
        "occurrence",
        "note",
    ]
)
# Compared on matched pairs and counted as attribute errors.
SCORED_ATTRIBUTES = ("date.precision", "date.end_value", "reference.kind")
# Reported only: roles are a judgement call (is "am 30.09.2021 (Entscheidung)" a meeting or a
# decision?), so they inform the tagger's authors without failing a test.
INFO_ATTRIBUTES = ("date.role", "reference.role")


class GoldError(ValueError):
    """A gold file that does not fit its document (a text not on its page, a bad field)."""


@dataclass(frozen=True, slots=True)
class GoldMention:
    label: str
    text: str
    values: tuple[str, ...]  # the value first, then acceptable alternatives
    page: int
    start: int
    end: int
    precision: str | None = None
    end_value: str | None = None
    kind: str | None = None
    role: str | None = None
    optional: bool = False
    note: str | None = None

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass(frozen=True, slots=True)
class Gold:
    document: str
    group: str
    facts: dict[str, Any]
    mentions: tuple[GoldMention, ...]  # required and optional, located
    unlocated: tuple[tuple[int, str, str], ...]  # (page, label, text) of required entries not found


@dataclass(frozen=True, slots=True)
class Miss:
    """One false positive or false negative, as the report lists it."""

    document: str
    page: int
    label: str
    text: str
    value: str
    why: str = ""


@dataclass(frozen=True, slots=True)
class AttributeMismatch:
    document: str
    page: int
    label: str
    attribute: str
    text: str
    expected: str | None
    got: str | None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }  # fmt: skip


@dataclass
class DocResult:
    document: str
    group: str
    words: int
    counts: dict[str, Counts]
    false_positives: list[Miss]
    false_negatives: list[Miss]
    attributes: dict[str, Counts]  # tp = correct, fn = wrong (fp unused)
    attribute_errors: list[AttributeMismatch]
    facts: dict[str, dict[str, Any]]  # field -> {"expected", "got", "ok"}
    ignored: list[Miss] = field(default_factory=list)  # predictions on optional gold mentions
    unlocated: list[tuple[int, str, str]] = field(default_factory=list)


# --- gold ----------------------------------------------------------------------------------


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    """Whole-word occurrences: "Lemgo" is not inside "Lemgoer", "Lippe" not in "Ostwestfalen-Lippe"."""
    head = r"(?<![\w-])" if needle[:1].isalnum() else ""
    tail = r"(?!\w)" if needle[-1:].isalnum() else ""
    return [(m.start(), m.end()) for m in re.finditer(head + re.escape(needle) + tail, text)]


def _entry_values(entry: dict[str, Any]) -> tuple[str, ...]:
    return (str(entry["value"]), *(str(v) for v in entry.get("alt_values", ())))


def locate(
    entries: Sequence[tuple[dict[str, Any], bool]], pages: Sequence[PageText], document: str = ""
) -> tuple[list[GoldMention], list[tuple[int, str, str]]]:
    """Give every gold entry its span; returns the located mentions and the unlocated required ones.

    Longest text first, so that "Kreis Lippe" takes its span before "Lippe" looks for a free
    one; required entries before optional ones of the same text.
    """
    by_number = {p.number: p.text for p in pages}
    order = sorted(
        range(len(entries)), key=lambda i: (-len(entries[i][0]["text"]), entries[i][1], i)
    )
    taken: dict[tuple[str, int], list[tuple[int, int]]] = {}
    located: dict[int, GoldMention] = {}
    unlocated: list[tuple[int, str, str]] = []
    for i in order:
        entry, optional = entries[i]
        for key in ("label", "text", "value", "page"):
            if key not in entry:
                raise GoldError(f"{document}: gold entry without {key!r}: {entry}")
        unknown = set(entry) - ENTRY_KEYS
        if unknown:  # a typo ("precison") would silently drop an attribute from the comparison
            raise GoldError(f"{document}: unknown keys {sorted(unknown)} in {entry}")
        if entry["label"] not in LABELS:
            raise GoldError(f"{document}: unknown label {entry['label']!r}")
        page, label = int(entry["page"]), entry["label"]
        spans = _occurrences(by_number.get(page, ""), entry["text"])
        claimed = taken.setdefault((label, page), [])
        free = [s for s in spans if not any(s[0] < e and s[1] > b for b, e in claimed)]
        if "occurrence" in entry:
            n = int(entry["occurrence"])
            span = spans[n - 1] if 0 < n <= len(spans) and spans[n - 1] in free else None
        else:
            span = free[0] if free else None
        if span is None:
            if not optional:
                unlocated.append((page, label, entry["text"]))
            continue
        claimed.append(span)
        located[i] = GoldMention(
            label=label, text=entry["text"], values=_entry_values(entry), page=page,
            start=span[0], end=span[1], precision=entry.get("precision"),
            end_value=entry.get("end_value"), kind=entry.get("kind"), role=entry.get("role"),
            optional=optional,
            note=entry.get("note"),
        )  # fmt: skip
    return [located[i] for i in sorted(located)], unlocated


def load_gold(path: Path, pages: Sequence[PageText]) -> Gold:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("group") not in GROUPS:
        raise GoldError(f"{path.name}: group must be one of {GROUPS}")
    entries = [(e, False) for e in data.get("mentions", [])]
    entries += [(e, True) for e in data.get("optional", [])]
    mentions, unlocated = locate(entries, pages, data["document"])
    return Gold(data["document"], data["group"], data.get("facts", {}), tuple(mentions),
                tuple(unlocated))  # fmt: skip


# --- comparison ----------------------------------------------------------------------------


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def _miss(document: str, m: Mention | GoldMention, why: str = "") -> Miss:
    return Miss(document, m.page, m.label, m.text, m.value, why)


def compare(
    gold: Gold, mentions: Sequence[Mention], facts: DocumentFacts, words: int = 0
) -> DocResult:
    """Score one document's predicted mentions and facts against its gold."""
    doc = gold.document
    counts = {label: Counts() for label in LABELS}
    fps: list[Miss] = []
    fns: list[Miss] = []
    attrs = {name: Counts() for name in (*SCORED_ATTRIBUTES, *INFO_ATTRIBUTES)}
    attr_errors: list[AttributeMismatch] = []
    ignored: list[Miss] = []
    for label in LABELS:
        required = [g for g in gold.mentions if g.label == label and not g.optional]
        optional = [g for g in gold.mentions if g.label == label and g.optional]
        predicted = [m for m in mentions if m.label == label]
        pairs = sorted(
            (
                (-_overlap(p.start, p.end, g.start, g.end), pi, gi)
                for pi, p in enumerate(predicted)
                for gi, g in enumerate(required)
                if p.page == g.page and p.value in g.values
                and _overlap(p.start, p.end, g.start, g.end) > 0
            ),
        )  # fmt: skip
        p_used: dict[int, int] = {}
        g_used: set[int] = set()
        for _, pi, gi in pairs:
            if pi in p_used or gi in g_used:
                continue
            p_used[pi] = gi
            g_used.add(gi)
        counts[label].tp = len(p_used)
        for pi, gi in p_used.items():
            p, g = predicted[pi], required[gi]
            checks: list[tuple[str, str | None, str | None]] = []
            if label == "date":
                checks = [("precision", g.precision, p.precision),
                          ("end_value", g.end_value, p.end_value)]  # fmt: skip
            elif label == "reference":
                checks = [("kind", g.kind, p.kind)]
            if g.role is not None and label in ("date", "reference"):
                checks.append(("role", g.role, p.role))
            for name, expected, got in checks:
                bucket = attrs[f"{label}.{name}"]
                if expected == got:
                    bucket.tp += 1
                else:
                    bucket.fn += 1
                    attr_errors.append(
                        AttributeMismatch(doc, g.page, label, name, g.text, expected, got)
                    )
        for pi, p in enumerate(predicted):
            if pi in p_used:
                continue
            if any(o.page == p.page and _overlap(p.start, p.end, o.start, o.end) for o in optional):
                ignored.append(_miss(doc, p, "optional in the gold"))
                continue
            on_gold = [g for g in required
                       if g.page == p.page and _overlap(p.start, p.end, g.start, g.end)]  # fmt: skip
            if not on_gold:
                why = ""
            elif any(p.value in g.values for g in on_gold):
                why = "duplicate of a matched gold mention"
            else:
                why = "wrong value; gold: " + ", ".join(repr(g.value) for g in on_gold)
            counts[label].fp += 1
            fps.append(_miss(doc, p, why))
        for gi, g in enumerate(required):
            if gi in g_used:
                continue
            near = [p for p in predicted
                    if p.page == g.page and _overlap(p.start, p.end, g.start, g.end)]  # fmt: skip
            why = (
                ("predicted " + ", ".join(f"{p.text!r}→{p.value!r}" for p in near)) if near else ""
            )
            counts[label].fn += 1
            fns.append(_miss(doc, g, why))
    for page, label, text in gold.unlocated:
        counts[label].fn += 1
        fns.append(Miss(doc, page, label, text, "", "gold text not on page"))
    return DocResult(
        document=doc, group=gold.group, words=words, counts=counts, false_positives=fps,
        false_negatives=fns, attributes=attrs, attribute_errors=attr_errors,
        facts=compare_facts(gold.facts, facts), unlocated=list(gold.unlocated), ignored=ignored,
    )  # fmt: skip


def compare_facts(expected: dict[str, Any], got: DocumentFacts) -> dict[str, dict[str, Any]]:
    """Per field: the expected answer(s), the tagger's, and whether it is acceptable."""
    predicted = {"type": got.doc_type, "date": got.date, "municipality": got.municipality,
                 "reference": got.reference}  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for name in FACT_FIELDS:
        if name not in expected:
            continue
        want = expected[name]
        if name == "date" and want is None:
            continue  # the document states no date of its own: nothing to score
        accepted = [want, *expected.get(f"{name}_alternatives", [])]
        ok = predicted[name] in accepted
        if ok and name == "date" and expected.get("date_precision"):
            ok = got.date_precision == expected["date_precision"]
        out[name] = {"expected": accepted if len(accepted) > 1 else want,
                     "got": predicted[name], "ok": ok}  # fmt: skip
    return out


# --- running -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    path: Path
    pages: tuple[PageText, ...]
    title: str | None


def corpus_documents(corpus: Path = CORPUS) -> list[Document]:
    docs = []
    for path in sorted(corpus.iterdir()):
        if path.suffix.lower() in SUFFIXES:
            extracted = extract_file(path, ExtractOptions())
            docs.append(Document(path, extracted.pages, extracted.title))
    return docs


def evaluate(documents: Iterable[Document], gold_dir: Path = GOLD) -> list[DocResult]:
    """Tag and score every document that has a gold file; a gold file without document fails."""
    results = []
    seen = set()
    for doc in documents:
        gold_path = gold_dir / f"{doc.path.stem}.json"
        if not gold_path.exists():
            continue
        seen.add(gold_path.name)
        gold = load_gold(gold_path, doc.pages)
        tagged = tag_pages(doc.pages, title=doc.title)
        words = sum(len(p.text.split()) for p in doc.pages)
        results.append(compare(gold, tagged.mentions, tagged.facts, words))
    orphans = sorted(p.name for p in gold_dir.glob("*.json") if p.name not in seen)
    if orphans:
        raise GoldError(f"gold files without a corpus document: {', '.join(orphans)}")
    return results


def totals(results: Iterable[DocResult], group: str | None = None) -> dict[str, Counts]:
    """Micro-averaged counts per label (and ``all``) over the documents of ``group``."""
    out = {label: Counts() for label in (*LABELS, "all")}
    for r in results:
        if group is not None and r.group != group:
            continue
        for label, c in r.counts.items():
            out[label].add(c)
            out["all"].add(c)
    return out


def measure_speed(documents: Sequence[Document], min_words: int = SPEED_WORDS) -> dict[str, Any]:
    """words/s of ``tag_pages`` alone, over the corpus repeated to at least ``min_words`` words."""
    batch = [(d.pages, d.title) for d in documents]
    batch_words = sum(len(p.text.split()) for pages, _ in batch for p in pages)
    if not batch_words:
        return {"words": 0, "seconds": 0.0, "words_per_second": 0.0, "repeats": 0}
    tag_pages(batch[0][0], title=batch[0][1])  # builds the pipeline: not part of the speed
    repeats = -(-min_words // batch_words)
    started = time.perf_counter()
    for _ in range(repeats):
        for pages, title in batch:
            tag_pages(pages, title=title)
    seconds = time.perf_counter() - started
    words = repeats * batch_words
    return {"words": words, "seconds": round(seconds, 3),
            "words_per_second": round(words / seconds, 1), "repeats": repeats}  # fmt: skip


# --- reporting -----------------------------------------------------------------------------


def report_dict(results: Sequence[DocResult], speed: dict[str, Any] | None) -> dict[str, Any]:
    attrs: dict[str, Counts] = {}
    for r in results:
        for name, c in r.attributes.items():
            attrs.setdefault(name, Counts()).add(c)
    facts_ok = sum(f["ok"] for r in results for f in r.facts.values())
    facts_n = sum(len(r.facts) for r in results)
    return {
        "totals": {
            group or "all": {label: c.to_dict() for label, c in totals(results, group).items()}
            for group in (None, *GROUPS)
        },
        "documents": {
            r.document: {
                "group": r.group,
                "words": r.words,
                "labels": {label: c.to_dict() for label, c in r.counts.items()},
                "facts": r.facts,
            }
            for r in results
        },
        "attributes": {
            name: {
                "correct": c.tp,
                "wrong": c.fn,
                "accuracy": round(c.tp / (c.tp + c.fn), 4) if c.tp + c.fn else 1.0,
            }
            for name, c in attrs.items()
        },  # fmt: skip
        "facts_accuracy": round(facts_ok / facts_n, 4) if facts_n else 1.0,
        "false_positives": [asdict(m) for r in results for m in r.false_positives],
        "false_negatives": [asdict(m) for r in results for m in r.false_negatives],
        "attribute_errors": [asdict(e) for r in results for e in r.attribute_errors],
        "ignored_optional": [asdict(m) for r in results for m in r.ignored],
        "gold_unlocated": {r.document: r.unlocated for r in results if r.unlocated},
        "speed": speed,
    }


def _row(name: str, c: dict[str, Any]) -> str:
    return (f"| {name} | {c['tp']} | {c['fp']} | {c['fn']} | {c['precision']:.3f} "
            f"| {c['recall']:.3f} | {c['f1']:.3f} |")  # fmt: skip


def render(report: dict[str, Any]) -> str:
    out = ["## Tagging: precision / recall / F1 (micro, per label)", ""]
    head = [
        "| group · label | TP | FP | FN | P | R | F1 |",
        "| --- | --: | --: | --: | --: | --: | --: |",
    ]
    out += head
    for group, labels in report["totals"].items():
        for label, c in labels.items():
            out.append(_row(f"{group} · {label}", c))
    out += ["", "## Per document", ""] + head
    for name, doc in report["documents"].items():
        for label, c in doc["labels"].items():
            out.append(_row(f"{name} · {label}", c))
    out += ["", "## Attributes of matched mentions (roles: informational)", "",
            "| attribute | correct | wrong | accuracy |", "| --- | --: | --: | --: |"]  # fmt: skip
    for name, a in report["attributes"].items():
        out.append(f"| {name} | {a['correct']} | {a['wrong']} | {a['accuracy']:.3f} |")
    out += ["", f"## Document facts (accuracy {report['facts_accuracy']:.3f})", "",
            "| document | field | expected | got | ok |", "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for name, doc in report["documents"].items():
        for fname, f in doc["facts"].items():
            out.append(
                f"| {name} | {fname} | {f['expected']} | {f['got']} | {'yes' if f['ok'] else 'NO'} |"
            )
    for title, key in (
        ("False positives", "false_positives"),
        ("False negatives", "false_negatives"),
    ):
        out += ["", f"## {title} ({len(report[key])})", "",
                "| document | page | label | text | value | note |", "| --- | --: | --- | --- | --- | --- |"]  # fmt: skip
        for m in report[key]:
            text = m["text"].replace("\n", "⏎").replace("|", "\\|")
            out.append(
                f"| {m['document']} | {m['page']} | {m['label']} | {text} | {m['value']} | {m['why']} |"
            )
    out += ["", f"## Attribute errors ({len(report['attribute_errors'])})", "",
            "| document | page | attribute | text | expected | got |", "| --- | --: | --- | --- | --- | --- |"]  # fmt: skip
    for e in report["attribute_errors"]:
        name = f"{e['label']}.{e['attribute']}"
        if name in INFO_ATTRIBUTES:
            name += " (info)"
        text = e["text"].replace("\n", "⏎")
        out.append(f"| {e['document']} | {e['page']} | {name} | {text} "
                   f"| {e['expected']} | {e['got']} |")  # fmt: skip
    ignored = report["ignored_optional"]
    out += ["", f"## Predictions on optional gold mentions, not scored ({len(ignored)})", ""]
    out += [f"- {m['document']} p.{m['page']} {m['label']} {m['text']!r} → {m['value']!r}"
            for m in ignored]  # fmt: skip
    if report["gold_unlocated"]:
        out += ["", "## Gold entries whose text is not on their page (fix the gold)", ""]
        for doc, items in report["gold_unlocated"].items():
            out += [f"- {doc}: p.{page} {label} {text!r}" for page, label, text in items]
    if report["speed"]:
        s = report["speed"]
        out += ["", "## Speed (tag_pages only)", "",
                f"{s['words_per_second']:.0f} words/s ({s['words']} words, corpus × {s['repeats']}, "
                f"{s['seconds']:.2f} s)"]  # fmt: skip
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--speed-words", type=int, default=SPEED_WORDS)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    documents = corpus_documents(args.corpus)
    for doc in documents:
        if not (args.gold / f"{doc.path.stem}.json").exists():
            print(f"warning: {doc.path.name} has no gold file; not scored", file=sys.stderr)
    results = evaluate(documents, args.gold)
    speed = None if args.no_speed else measure_speed(documents, args.speed_words)
    report = report_dict(results, speed)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
