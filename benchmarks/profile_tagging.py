"""Time what an ingest worker does per page (extract, then tag) and dump the exact output.

Why this exists: the workers' tagging cost is the bulk of ingest's CPU time (BENCHMARKS.md),
and speeding it up must not change a single mention. So this script extracts the files once,
times tagging per page with a per-component split, and writes every mention, the document
facts and a hash of every page text to JSON; ``--compare`` checks a later run against an
earlier dump byte for byte.

Usage (a synthetic corpus from ``ARCHIV_BENCH_CACHE=/tmp/bench gen_corpus.py --docs 60``)::

    python benchmarks/profile_tagging.py corpus/ /tmp/bench/60-7/pdf --out /tmp/after.json \\
        --compare /tmp/before.json [--repeat 3] [--cprofile /tmp/tag.prof]

To time an older version beside this one, run this script from a copy of that tree: it
imports ``archiv`` from the tree it lives in.

Times are CPU seconds of this process (``time.process_time``), not wall time: the machine is
shared, and a busy neighbour stretches wall time but not the CPU time a worker needs. The
split wraps the pipeline's components and the document-level steps of ``tag_pages`` with
timers (about a microsecond a call, a few calls a page). Bounded ``lru_cache`` functions in
``archiv.tag`` are cleared before every repeat, so each repeat is a worker that meets these
documents for the first time instead of one that has seen every date already; spaCy's
tokenizer cache is not, which is why the first pass is reported on its own.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import functools
import hashlib
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archiv.extract import SUPPORTED_SUFFIXES, extract_file  # noqa: E402
from archiv.models import ExtractedFile, ExtractOptions  # noqa: E402

TIMERS: dict[str, float] = defaultdict(float)


def files_under(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES)
        else:
            out.append(path)
    return out


def _timed(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            TIMERS[name] += time.process_time() - started

    return wrapper


def instrument() -> None:
    """Wrap the pipeline's components and ``tag_pages``' document steps with timers."""
    import archiv.tag as tag
    from archiv.tag import facts
    from archiv.tag.nlp import build_nlp

    nlp = build_nlp()
    for name, component in nlp.pipeline:
        cls = type(component)
        if not getattr(cls.__call__, "_archiv_timed", False):
            cls.__call__ = _timed(name.removeprefix("archiv_"), cls.__call__)
            cls.__call__._archiv_timed = True  # type: ignore[attr-defined]
    tag._make_doc = _timed("tokenizer", tag._make_doc)
    tag._bare_references_across_pages = _timed(
        "bare_refs_across_pages", tag._bare_references_across_pages
    )
    facts.infer_facts = _timed("facts", facts.infer_facts)
    facts.own_date_mention = _timed("facts", facts.own_date_mention)
    from archiv.tag import base, dates

    base.spans_to_mentions = _timed("spans_to_mentions", base.spans_to_mentions)
    dates.find_relative_dates = _timed("relative_dates", dates.find_relative_dates)


def clear_input_caches() -> None:
    """Forget per-input caches (bounded lru_caches); build-time ``@cache``s stay."""
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("archiv.tag"):
            continue
        for value in vars(module).values():
            info = getattr(value, "cache_info", None)
            if info is not None and info().maxsize is not None:
                value.cache_clear()


def dump(extracted: dict[str, ExtractedFile], tagged: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, ex in extracted.items():
        result = tagged[key]
        out[key] = {
            "pages": [
                hashlib.sha256(p.text.encode("utf-8")).hexdigest()[:16] + f" {p.number} {p.ocr}"
                for p in ex.pages
            ],
            "title": ex.title,
            "warnings": list(ex.warnings),
            "facts": dataclasses.asdict(result.facts),
            "mentions": [dataclasses.asdict(m) for m in result.mentions],
        }
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in sorted(set(before) | set(after)):
        if key not in before or key not in after:
            problems.append(f"{key}: only in {'after' if key in after else 'before'}")
            continue
        b, a = before[key], after[key]
        for field in ("pages", "title", "warnings", "facts"):
            if b[field] != a[field]:
                problems.append(f"{key}: {field} differ: {b[field]!r} != {a[field]!r}")
        bm = [json.dumps(m, sort_keys=True) for m in b["mentions"]]
        am = [json.dumps(m, sort_keys=True) for m in a["mentions"]]
        if bm != am:
            gone = sorted(set(bm) - set(am))[:5]
            new = sorted(set(am) - set(bm))[:5]
            problems.append(f"{key}: mentions differ ({len(bm)} → {len(am)}): -{gone} +{new}")
    return problems


def _words(extracted: dict[str, ExtractedFile]) -> int:
    return sum(len(p.text.split()) for ex in extracted.values() for p in ex.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="files or folders (PDF, TXT, DOCX, ODT)")
    parser.add_argument("--out", help="write all mentions and facts here (JSON)")
    parser.add_argument("--compare", help="an earlier --out file that this run must equal")
    parser.add_argument("--repeat", type=int, default=3, help="tagging passes; the best counts")
    parser.add_argument("--extract-repeat", type=int, default=1, help="extraction passes")
    parser.add_argument("--cprofile", help="write a cProfile of one tagging pass here")
    args = parser.parse_args(argv)

    from archiv.tag import tag_pages
    from archiv.tag.nlp import build_nlp

    files = files_under(args.paths)
    options = ExtractOptions()
    extracted: dict[str, ExtractedFile] = {}
    extract_runs: list[float] = []
    for _ in range(max(1, args.extract_repeat)):
        started = time.process_time()
        for path in files:
            extracted[str(path)] = extract_file(path, options)
        extract_runs.append(time.process_time() - started)
    pages = sum(len(ex.pages) for ex in extracted.values())
    words = _words(extracted)

    started = time.process_time()
    build_nlp()
    build_seconds = time.process_time() - started
    instrument()

    runs: list[tuple[float, dict[str, float]]] = []
    tagged: dict[str, Any] = {}
    for _ in range(max(1, args.repeat)):
        clear_input_caches()
        TIMERS.clear()
        started = time.process_time()
        for key, ex in extracted.items():
            tagged[key] = tag_pages(ex.pages, title=ex.title)
        runs.append((time.process_time() - started, dict(TIMERS)))
    total, split = min(runs, key=lambda r: r[0])

    if args.cprofile:
        clear_input_caches()
        profiler = cProfile.Profile()
        profiler.enable()
        for ex in extracted.values():
            tag_pages(ex.pages, title=ex.title)
        profiler.disable()
        profiler.dump_stats(args.cprofile)

    def per_page(seconds: float) -> float:
        return round(seconds / pages * 1000, 3)

    report: dict[str, Any] = {
        "files": len(files),
        "pages": pages,
        "words": words,
        "nlp_build_s": round(build_seconds, 3),
        "extract_ms_per_page": per_page(min(extract_runs)),
        "tag_ms_per_page": per_page(total),
        "tag_ms_per_page_runs": [per_page(t) for t, _ in runs],
        "tag_ms_per_page_median": per_page(statistics.median(t for t, _ in runs)),
        "tag_words_per_s": round(words / total),
        "split_ms_per_page": {k: per_page(v) for k, v in sorted(split.items())},
        # The first pass meets every word and date for the first time (spaCy's tokenizer
        # caches what it has split): what a fresh worker pays.
        "first_pass_split_ms_per_page": {k: per_page(v) for k, v in sorted(runs[0][1].items())},
    }
    print(json.dumps(report, indent=1))

    result = dump(extracted, tagged)
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=0), "utf-8")
    if args.compare:
        problems = compare(json.loads(Path(args.compare).read_text("utf-8")), result)
        for line in problems[:40]:
            print(line, file=sys.stderr)
        mentions = sum(len(d["mentions"]) for d in result.values())
        verdict = "IDENTICAL" if not problems else f"{len(problems)} DIFFERENCES"
        print(f"compare: {verdict} ({len(result)} files, {mentions} mentions)", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
