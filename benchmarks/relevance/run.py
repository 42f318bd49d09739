"""Relevance benchmark: archiv's engine against a plain Whoosh baseline on the corpus pages.

Both indexes hold the same pages (extracted from corpus/ with archiv.extract, one entry per
page) and answer the same queries from queries.json. Results are grouped per document (best
page first) the same way for both, then flattened to a page ranking, because relevance is
judged per page: ``file#page → grade`` (2 = about the query, 1 = mentions it, e.g. only inside
a compound). The baseline is what Whoosh gives out of the box for German: a
``StemmingAnalyzer`` with Whoosh's German Snowball stemmer and Whoosh's ``QueryParser`` over the
page text (so it cannot do our fields, typos or compound parts; see "without fields" row).

Latency is measured in the same run, each query asked of both systems in turn (which goes
first alternates), ``REPEAT`` times; the median counts, and the first run is reported apart so
that no cache hides a cost. archiv must stay within ``LATENCY_LIMIT`` times the baseline on
the mean and on p95: the script prints PASS or MISS and exits 1 on a miss.

Run: ``.venv/bin/python benchmarks/relevance/run.py [--corpus corpus] [--verbose]``.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.lang import stemmer_for_language
from whoosh.qparser import QueryParser

from archiv.engine import IndexPage, SearchRequest
from archiv.extract import extract_file
from archiv.index import WhooshEngine
from archiv.models import ExtractOptions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
K = 10
REPEAT = 5  # latency: each query this many times; its median counts (the machine is shared)
LATENCY_LIMIT = 2.0  # issue 5: archiv at most twice the baseline's latency (mean and p95)


def load_pages(corpus: Path) -> list[IndexPage]:
    meta = json.loads((HERE / "documents.json").read_text(encoding="utf-8"))
    pages: list[IndexPage] = []
    for name, info in meta.items():
        if name.startswith("_"):
            continue
        extracted = extract_file(corpus / name, ExtractOptions(ocr="never"))
        for page in extracted.pages:
            refs = tuple(r for r in info["references"] if r in page.text)
            if info["own_reference"] and info["own_reference"] not in refs:
                refs += (info["own_reference"],)
            pages.append(
                IndexPage(
                    document_id=name,
                    page=page.number,
                    text=page.text,
                    path=name,
                    title=extracted.title,
                    date=info["date"],
                    municipality=info["municipality"],
                    doc_type=info["doc_type"],
                    references=refs,
                    bodies=tuple(info["bodies"]),
                    dates=tuple(re.findall(r"\d{4}-\d{2}-\d{2}", page.text)),
                )
            )
    return pages


class Ours:
    name = "archiv"

    def __init__(self, pages: list[IndexPage], directory: Path) -> None:
        self.engine = WhooshEngine.create(directory)
        by_doc: dict[str, list[IndexPage]] = defaultdict(list)
        for page in pages:
            by_doc[page.document_id].append(page)
        with self.engine.writer() as writer:
            for document_id, doc_pages in by_doc.items():
                writer.replace(document_id, doc_pages)

    def ranking(self, query: str) -> list[str]:
        outcome = self.engine.search(SearchRequest(query, limit=K))
        self.last_fuzzy = outcome.fuzzy
        return [f"{d.document_id}#{p.page}" for d in outcome.documents for p in d.pages]


class Baseline:
    name = "whoosh baseline"

    def __init__(self, pages: list[IndexPage], directory: Path) -> None:
        analyzer = StemmingAnalyzer(stemfn=stemmer_for_language("de"))
        schema = Schema(
            document_id=ID(stored=True),
            page=NUMERIC(stored=True),
            content=TEXT(analyzer=analyzer, stored=True),
        )
        directory.mkdir(parents=True, exist_ok=True)
        self.ix = whoosh_index.create_in(str(directory), schema)
        writer = self.ix.writer()
        for page in pages:
            writer.add_document(document_id=page.document_id, page=page.page, content=page.text)
        writer.commit()
        self.parser = QueryParser("content", schema)
        self.searcher = self.ix.searcher()  # kept open between queries, as archiv does

    def ranking(self, query: str) -> list[str]:
        hits = self.searcher.search(self.parser.parse(query), limit=None)
        hits.fragmenter = ContextFragmenter(maxchars=200, surround=40)
        hits.formatter = HtmlFormatter()
        grouped: dict[str, list[str]] = {}
        for hit in hits:
            key = f"{hit['document_id']}#{hit['page']}"
            first = hit["document_id"] not in grouped
            grouped.setdefault(hit["document_id"], []).append(key)
            if first and len(grouped) <= K:
                hit.highlights("content")  # a snippet per document, as archiv makes
        return [key for keys in list(grouped.values())[:K] for key in keys]


def ndcg(ranking: list[str], relevant: dict[str, int]) -> float:
    gains = [(2 ** relevant.get(key, 0) - 1) for key in ranking[:K]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2**g - 1 for g in relevant.values()), reverse=True)[:K]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranking: list[str], relevant: dict[str, int]) -> float:
    return len(set(ranking[:K]) & set(relevant)) / len(relevant)


def reciprocal_rank(ranking: list[str], relevant: dict[str, int]) -> float:
    for i, key in enumerate(ranking, start=1):
        if key in relevant:
            return 1.0 / i
    return 0.0


def evaluate(
    systems: list[object], queries: list[dict[str, object]], verbose: bool
) -> dict[str, dict[str, object]]:
    """Run every query on every system, interleaved (so machine load hits both alike)."""
    results: dict[str, dict[str, object]] = {
        s.name: {"rows": [], "latency": []}  # type: ignore[attr-defined]
        for s in systems
    }
    ours = next(s for s in systems if isinstance(s, Ours))
    for q in queries:
        text, relevant = q["query"], q["relevant"]
        rankings: dict[str, list[str]] = {}
        times: dict[str, list[float]] = defaultdict(list)
        for repeat in range(REPEAT):
            # Alternate which system goes first: neither always meets a cache the other warmed.
            for system in systems if repeat % 2 == 0 else systems[::-1]:
                started = time.perf_counter()
                try:
                    rankings[system.name] = system.ranking(text)  # type: ignore[attr-defined]
                except Exception as exc:  # the baseline's parser refuses some of our syntax
                    if verbose:
                        print(f"  {system.name}: {text!r} failed: {type(exc).__name__}")  # type: ignore[attr-defined]
                    rankings[system.name] = []  # type: ignore[attr-defined]
                times[system.name].append(time.perf_counter() - started)  # type: ignore[attr-defined]
        fuzzy = bool(ours.last_fuzzy)
        for name, ranking in rankings.items():
            row = {
                "id": q["id"],
                "kind": q["kind"],
                "fuzzy": fuzzy,
                "ndcg": ndcg(ranking, relevant),  # type: ignore[arg-type]
                "recall": recall(ranking, relevant),  # type: ignore[arg-type]
                "mrr": reciprocal_rank(ranking, relevant),  # type: ignore[arg-type]
                "ms": statistics.median(times[name]) * 1000,
                "first_ms": times[name][0] * 1000,  # its first run: nothing of it cached yet
            }
            results[name]["rows"].append(row)  # type: ignore[union-attr]
            if verbose and row["ndcg"] < 0.9:
                print(f"  {name}: #{q['id']} {text!r} nDCG {row['ndcg']:.2f}: {ranking[:6]}")
    return results


def summary(rows: list[dict[str, float]]) -> tuple[float, float, float]:
    return (
        statistics.mean(r["ndcg"] for r in rows),
        statistics.mean(r["recall"] for r in rows),
        statistics.mean(r["mrr"] for r in rows),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    queries = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    pages = load_pages(args.corpus)
    print(f"{len(pages)} pages, {len(queries)} queries, metrics @{K} over pages")
    with tempfile.TemporaryDirectory() as tmp:
        systems = [cls(pages, Path(tmp) / cls.__name__) for cls in (Baseline, Ours)]
        for system in systems:
            system.ranking("Netzwerk")  # warm caches (lexicon load) before timing
        results = evaluate(systems, queries, args.verbose)
    kinds = sorted({q["kind"] for q in queries})
    header = f"{'':24}" + "".join(f"{name:>34}" for name in results)
    print(header)
    print(f"{'':24}" + "".join(f"{'nDCG@10   R@10    MRR':>34}" for _ in results))

    def line(label: str, select: object) -> None:
        cells = []
        for result in results.values():
            rows = [r for r in result["rows"] if select(r)]  # type: ignore[operator]
            n, r, m = summary(rows)
            cells.append(f"{n:7.3f} {r:6.3f} {m:6.3f}")
        print(f"{label:24}" + "".join(f"{c:>34}" for c in cells))

    line("all", lambda r: True)
    line("without fields", lambda r: r["kind"] != "field")
    for kind in kinds:
        line(f"  {kind}", lambda r, kind=kind: r["kind"] == kind)
    return latency_report(results)


def percentile(values: list[float], p: float) -> float:
    """Nearest rank on the sorted sample, as benchmarks/steps.py computes it."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def latency_report(results: dict[str, dict[str, object]]) -> int:
    """Latency per engine (mean, p50, p95 of the per-query medians) and archiv's ratio to the
    baseline, judged against LATENCY_LIMIT on the mean and on p95; 1 when it misses."""
    names = list(results)
    print(f"\nlatency, ms (median of {REPEAT} interleaved runs per query; first runs apart)")
    print(f"{'':30}" + "".join(f"{n:>26}" for n in names) + f"{'archiv / baseline':>22}")
    print(
        f"{'':30}" + "".join(f"{'mean    p50    p95':>26}" for _ in names) + f"{'mean    p95':>22}"
    )
    verdicts = []
    for label, select in (
        ("all queries", lambda r: True),
        ("archiv answered directly", lambda r: not r["fuzzy"]),
        ("archiv used typo fallback", lambda r: r["fuzzy"]),
        ("all queries, first run", None),
    ):
        key = "first_ms" if select is None else "ms"
        chosen = select or (lambda r: True)
        stats: dict[str, tuple[float, float, float]] = {}
        for name, result in results.items():
            times = [r[key] for r in result["rows"] if chosen(r)]  # type: ignore[union-attr,index,operator]
            if times:
                stats[name] = (statistics.mean(times), percentile(times, 50), percentile(times, 95))
        if len(stats) < len(names):
            continue
        count = sum(1 for r in results["archiv"]["rows"] if chosen(r))  # type: ignore[union-attr,operator]
        cells = "".join(
            f"{m:8.2f} {p50:6.2f} {p95:6.2f}".rjust(26) for m, p50, p95 in stats.values()
        )
        mean_ratio = stats["archiv"][0] / stats[names[0]][0]
        p95_ratio = stats["archiv"][2] / stats[names[0]][2]
        print(f"{f'{label} ({count})':30}{cells}{f'{mean_ratio:5.2f}× {p95_ratio:5.2f}×':>22}")
        if label == "all queries":
            verdicts = [("mean", mean_ratio), ("p95", p95_ratio)]
    missed = False
    for what, ratio in verdicts:
        verdict = "PASS" if ratio <= LATENCY_LIMIT else "MISS"
        missed = missed or verdict == "MISS"
        print(
            f"{verdict}: archiv {what} latency {ratio:.2f}× the baseline's "
            f"(limit {LATENCY_LIMIT:g}×, {ratio / LATENCY_LIMIT:.2f} of it)"
        )
    return 1 if missed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
