#!/usr/bin/env python3
"""How long ``Archive.chronology()`` (what ``archiv chronik`` calls) takes on a large archive,
and whether a faster version gives exactly the same chronology.

Why this exists: issue 7 asks for the chronology of 10,000 documents in under a second, and a
faster chronology must not change a single entry, source or order. Ingesting 10,000 PDFs takes
an hour, so the large archive is built from the records of a small real ingest: every document
of a small archive is stored ``--copies`` times through the store's own API (another document
id, path and city per copy, the sentence marked with the copy number), which gives the same
shapes of records as a real ingest in the same proportions.

Usage::

    ARCHIV_BENCH_CACHE=/tmp/benchF .venv/bin/python benchmarks/gen_corpus.py --docs 100
    .venv/bin/archiv ingest /tmp/benchF/100-7 --index /tmp/benchF/index100
    python benchmarks/chronology_speed.py build --source /tmp/benchF/index100 \\
        --copies 100 --out /tmp/benchF/x100
    python benchmarks/chronology_speed.py time --index /tmp/benchF/x100 --out after.json \\
        [--compare before.json] [--runs 3] [--timeout 1200] [--no-all]

``time`` runs every measurement in a fresh process (what a user's ``archiv chronik`` is):

- ``cold``: the first chronology after the resolutions changed (a derived cache, if the
  archive keeps one, is dropped first), so the whole chronology is built from the store;
- ``warm``: the next ``archiv chronik`` (whatever the first one or the ingest left behind);
- ``again``: a second call in the same process (a long-lived web UI);

each for the default chronology and ``--all``, plus filtered calls. Every call's result is
rendered as the JSON contract and hashed; ``--compare`` fails when any hash differs from an
earlier run's (for instance the code before a change, run as ``PYTHONPATH=/old/tree``): the
script imports ``archiv`` from ``PYTHONPATH`` first, so one script times both versions.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

# Filtered calls timed and compared besides the plain ones (the CLI's options).
FILTERS: dict[str, dict[str, Any]] = {
    "city": {"city": "paderborn"},
    "body+from": {"body": "rat", "date_from": "2019"},
    "from-to": {"date_from": "2016-03", "date_to": "2018-06-30"},
    "ref": {"ref": "DS-Nr. 1045/2014-2020"},
}


def build(source: Path, out: Path, copies: int) -> dict[str, Any]:
    """A ``copies`` times larger archive from ``source``'s documents and records."""
    from archiv.config import STORE_FILE
    from archiv.models import DocumentFacts
    from archiv.store import Store

    started = time.perf_counter()
    src = Store.open_existing(source / STORE_FILE)
    records = src.documents(status="ok")
    by_document: dict[str, list[Any]] = {}
    for r in src.resolutions():
        by_document.setdefault(r.source.document_id, []).append(r)
    src.close()
    out.mkdir(parents=True, exist_ok=True)
    target = out / STORE_FILE
    if target.exists():
        raise SystemExit(f"{target} exists: remove it first")
    store = Store(target)
    rows = 0
    for k in range(copies):
        for record in records:
            document_id = record.document_id
            path = record.path
            if k:
                document_id = hashlib.sha256(f"{document_id}/{k}".encode()).hexdigest()
                parent, _, name = path.rpartition("/")
                path = f"{parent}/copy-{k:03d}/{name}"
            store.stage(document_id, path, record.pages, k)
            store.save_parsed(document_id, [], file_type=record.file_type or "pdf",
                              title=record.title)
            copied = [_copy(r, k, document_id, path) for r in by_document.get(record.document_id, [])]
            rows += len(copied)
            facts = DocumentFacts(doc_type=record.type, date=record.date,
                                  date_precision=record.date_precision,
                                  municipality=_city(record.municipality, k),
                                  reference=record.reference, title=record.title)
            store.save_tagged(document_id, facts, [], copied, pipeline_version="bench",
                              fallback_title=None)
            store.mark_indexed([document_id])
    store.close()
    return {"documents": len(records) * copies, "resolutions": rows,
            "seconds": round(time.perf_counter() - started, 2)}


def _city(city: str | None, k: int) -> str | None:
    return f"{city} {k}" if city and k else city


def _copy(r: Any, k: int, document_id: str, path: str) -> Any:
    if not k:
        return r
    source = dataclasses.replace(r.source, document_id=document_id, path=path,
                                 text=f"{r.source.text} [{k}]")
    return dataclasses.replace(r, city=_city(r.city, k), source=source)


def scaled_rows(rows: list[tuple], scale: int) -> tuple[list[tuple], frozenset[str]]:
    """``scale`` copies of stored records (``Store.merge_rows``), as ``build`` makes them
    (another document, path and city, the sentence marked), with the merge features the
    store would keep for them, and the cities their mentions are complete for.

    For when building the larger store is too slow (``benchmarks/run``'s chronology step):
    the merge then runs on these rows in memory, exactly as on rows read from that store.
    """
    from archiv.analysis import fold
    from archiv.chronology import ROW_FIELDS, CityFinder, city_key

    at = {name: i for i, name in enumerate(ROW_FIELDS)}
    copies: list[list[Any]] = []
    for k in range(scale):
        for row in rows:
            copy = list(row)
            if k:
                copy[at["document_id"]] = f"{row[at['document_id']]}-{k}"
                copy[at["path"]] = f"{row[at['path']]}#{k}"
                copy[at["city"]] = _city(row[at["city"]], k)
                copy[at["feature_city"]] = city_key(copy[at["city"]])
                copy[at["sentence"]] = f"{row[at['sentence']]} [{k}]"
            copies.append(copy)
    cities = {c[at["feature_city"]] for c in copies
              if c[at["kind"]] != "event" and c[at["feature_city"]] is not None}
    find = CityFinder(cities)
    for c in copies:  # every sentence searched for every city, the new ones included
        if c[at["kind"]] != "event":
            named = find(fold(c[at["sentence"]]))
            c[at["mentions"]] = json.dumps(sorted(named)) if named else "[]"
    return [tuple(c) for c in copies], frozenset(cities)


def drop_cache(index: Path, include_all: bool) -> None:
    """Forget the derived chronology the archive keeps (if it keeps one), so the next call
    builds it from the records as the first ``archiv chronik`` after an ingest does."""
    from archiv.config import STORE_FILE

    db = sqlite3.connect(index / STORE_FILE)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "chronology_cache" in tables:
            db.execute("DELETE FROM chronology_cache WHERE name = ?",
                       ("all" if include_all else "resolutions",))
            db.commit()
    finally:
        db.close()


def measure(index: Path, include_all: bool, filters: dict[str, Any], repeat: int) -> dict[str, Any]:
    """One process: ``repeat`` calls; the first is what a fresh ``archiv chronik`` costs."""
    from archiv.archive import Archive
    from archiv.render import render_json

    times = []
    cpu = []
    with Archive.for_reading(index) as archive:
        for _ in range(repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            entries = archive.chronology(include_all=include_all, **filters)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before rendering
    digest = hashlib.sha256(render_json(entries).encode()).hexdigest()
    return {
        "seconds": times,
        "cpu_seconds": cpu,
        "entries": len(entries),
        "sources": sum(len(e.sources) for e in entries),
        "sha256": digest,
        "peak_rss_mib": round(peak, 1),
    }


def _child(index: Path, include_all: bool, filters: dict[str, Any], repeat: int,
           timeout: float | None = None) -> dict[str, Any]:
    args = [sys.executable, __file__, "_measure", "--index", str(index), "--repeat", str(repeat),
            "--filters", json.dumps(filters)] + (["--all"] if include_all else [])
    started = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, env=os.environ, check=False,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - started
        return {"timed_out": True, "seconds": [seconds] * repeat, "cpu_seconds": [],
                "entries": 0, "sources": 0, "sha256": None, "peak_rss_mib": None}
    if done.returncode:
        raise SystemExit(f"measurement failed:\n{done.stderr}")
    return json.loads(done.stdout)


def run_times(index: Path, repeat: int, with_all: bool, timeout: float | None,
              runs: int = 1) -> dict[str, Any]:
    """Each measurement ``runs`` times (the machine is shared: the best run is the one the
    neighbours disturbed least, so ``cold``/``warm`` are minima, the lists keep every run)."""
    import archiv

    result: dict[str, Any] = {"archiv": str(Path(archiv.__file__).parent), "index": str(index),
                              "load": os.getloadavg()[0], "runs": runs}
    for name, include_all in [("default", False)] + ([("all", True)] if with_all else []):
        colds, warms = [], []
        for _ in range(runs):
            drop_cache(index, include_all)
            colds.append(_child(index, include_all, {}, repeat, timeout))
            if colds[-1].get("timed_out"):
                break
            warms.append(_child(index, include_all, {}, 1, timeout))
        cold = min(colds, key=lambda m: m["seconds"][0])
        warm = min(warms, key=lambda m: m["seconds"][0]) if warms else cold
        result[name] = {"cold": cold["seconds"][0], "cold_cpu": cold["cpu_seconds"][:1],
                        "cold_runs": [m["seconds"][0] for m in colds],
                        "again": cold["seconds"][1:], "warm": warm["seconds"][0],
                        "warm_cpu": warm["cpu_seconds"][:1],
                        "warm_runs": [m["seconds"][0] for m in warms],
                        "entries": cold["entries"], "sources": cold["sources"],
                        "peak_rss_mib": max(m["peak_rss_mib"] or 0 for m in colds),
                        "sha256": cold["sha256"], "warm_sha256": warm["sha256"],
                        "timed_out": bool(cold.get("timed_out"))}
        if any(m["sha256"] != cold["sha256"] for m in colds + warms):
            result[name]["sha256"] = "runs differ"
        over = "> " if cold.get("timed_out") else ""
        print(f"{name}: cold {over}{cold['seconds'][0]:.3f} s (cpu {sum(cold['cpu_seconds'][:1]):.3f}), "
              f"warm {over}{warm['seconds'][0]:.3f} s (cpu {sum(warm['cpu_seconds'][:1]):.3f}), "
              f"again {', '.join(f'{s:.3f}' for s in cold['seconds'][1:])} s; "
              f"{cold['entries']:,} entries, {cold['sources']:,} sources, "
              f"peak RSS {result[name]['peak_rss_mib']} MiB", file=sys.stderr)
    for name, filters in FILTERS.items():  # after the default chronology: what a user's next
        one = _child(index, False, filters, 1, timeout)  # filtered `archiv chronik` costs
        result[f"filter:{name}"] = {"warm": one["seconds"][0], "entries": one["entries"],
                                    "sha256": one["sha256"]}
        print(f"filter {name}: {one['seconds'][0]:.3f} s, {one['entries']:,} entries",
              file=sys.stderr)
    result["load_after"] = os.getloadavg()[0]
    return result


def compare(now: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """Every output hash of ``now`` that differs from ``before`` (an empty list: identical)."""
    problems = []
    for key, value in now.items():
        if isinstance(value, dict) and key in before and before[key].get("sha256"):
            for field in ("sha256", "warm_sha256"):
                if field in value and value[field] != before[key].get("sha256"):
                    problems.append(f"{key} {field}: {value[field]} != {before[key].get('sha256')}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="a larger archive from a small one's records")
    b.add_argument("--source", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    b.add_argument("--copies", type=int, default=100)
    t = sub.add_parser("time", help="time Archive.chronology() cold and warm, hash its output")
    t.add_argument("--index", type=Path, required=True)
    t.add_argument("--repeat", type=int, default=2, help="calls in the cold process")
    t.add_argument("--no-all", action="store_true", help="skip the --all chronology")
    t.add_argument("--out", type=Path, help="write the results as JSON")
    t.add_argument("--compare", type=Path, help="an earlier --out: fail on any different output")
    t.add_argument("--timeout", type=float, help="seconds per measuring process (a lower bound "
                   "is reported when it is killed)")
    t.add_argument("--runs", type=int, default=1, help="measure cold and warm this many times")
    m = sub.add_parser("_measure")
    m.add_argument("--index", type=Path, required=True)
    m.add_argument("--all", action="store_true")
    m.add_argument("--repeat", type=int, default=1)
    m.add_argument("--filters", default="{}")
    args = parser.parse_args(argv)
    if args.command == "build":
        print(json.dumps(build(args.source, args.out, args.copies)))
        return 0
    if args.command == "_measure":
        print(json.dumps(measure(args.index, args.all, json.loads(args.filters), args.repeat)))
        return 0
    result = run_times(args.index, args.repeat, not args.no_all, args.timeout, args.runs)
    if args.out:
        args.out.write_text(json.dumps(result, indent=1))
    if args.compare:
        problems = compare(result, json.loads(args.compare.read_text()))
        for problem in problems:
            print(f"DIFFERENT OUTPUT: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("output identical to", args.compare, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
