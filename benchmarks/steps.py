"""The measured steps of ``benchmarks/run``, each run in a process of its own.

Why a process per step: peak RSS is read per step (``wait4`` of the child and a sampler over
its process tree), and a step's imports or caches never help the next one. Every step prints
one JSON object on stdout; ``run.py`` does the bookkeeping.

Usage (by run.py)::

    python benchmarks/steps.py STEP '{"json": "arguments"}'

By hand, archiv's engine against bare Whoosh on the pages of a synthetic corpus, no ingest
(``gen_corpus.py --docs N`` first; indexes and page texts stay in ``work``)::

    python benchmarks/steps.py engines_on_pages '{"corpus": "~/.cache/archiv-bench/1000-7",
        "work": "/tmp/eop", "docs": 1000, "reuse": false}'

Whoosh, pypdfium2 and tantivy are imported here, outside the archiv package, on purpose: the
baselines must not go through archiv's own code.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

Query = dict[str, Any]  # {"kind", "text", "terms", "city"}: see queries.py


def pdf_files(corpus: str) -> list[Path]:
    return sorted((Path(corpus) / "pdf").rglob("*.pdf"))


def percentiles(values: list[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds (nearest-rank on the sorted sample)."""
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return {
        "p50_ms": round(rank(50) * 1000, 3),
        "p95_ms": round(rank(95) * 1000, 3),
        "p99_ms": round(rank(99) * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
        "queries": len(ordered),
    }


# --- raw extraction baselines ------------------------------------------------------------------


def step_pdftotext(args: dict) -> dict:
    """poppler's pdftotext, one subprocess per file, ``jobs`` files at a time."""
    files = pdf_files(args["corpus"])

    def one(path: Path) -> tuple[int, int]:
        done = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False
        )
        text = done.stdout.decode("utf-8", "replace")
        return text.count("\f"), len(text)

    started = time.perf_counter()
    with ThreadPoolExecutor(args["jobs"]) as pool:
        results = list(pool.map(one, files))
    seconds = time.perf_counter() - started
    pages = sum(p for p, _ in results)
    return {
        "files": len(files),
        "pages": pages,
        "chars": sum(c for _, c in results),
        "seconds": seconds,
        "pages_per_second": pages / seconds,
    }


def _pdfium_file(path: str) -> tuple[int, int]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    chars = 0
    try:
        for page in pdf:
            textpage = page.get_textpage()
            chars += len(textpage.get_text_range())
            textpage.close()
            page.close()
        return len(pdf), chars
    finally:
        pdf.close()


def step_pdfium(args: dict) -> dict:
    """pypdfium2, plain text per page, ``jobs`` worker processes (pdfium is not thread-safe)."""
    import multiprocessing

    files = [str(p) for p in pdf_files(args["corpus"])]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args["jobs"]) as pool:
        results = pool.map(_pdfium_file, files, chunksize=4)
    seconds = time.perf_counter() - started
    pages = sum(p for p, _ in results)
    return {
        "files": len(files),
        "pages": pages,
        "chars": sum(c for _, c in results),
        "seconds": seconds,
        "pages_per_second": pages / seconds,
    }


# --- archiv ---------------------------------------------------------------------------------------


def step_export(args: dict) -> dict:
    """The page texts of the archive's store, so every engine indexes the very same text."""
    from archiv.archive import Archive

    count = 0
    with (
        Archive.for_reading(Path(args["index"])) as archive,
        open(args["out"], "w", encoding="utf-8") as out,
    ):
        for record in archive.documents("ok"):
            for page in archive.store.pages(record.document_id):
                out.write(
                    json.dumps(
                        {
                            "doc": record.document_id,
                            "page": page.number,
                            "city": record.municipality or "",
                            "text": page.text,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                count += 1
    return {"pages": count}


def step_archiv_search(args: dict) -> dict:
    from archiv.archive import Archive
    from archiv.engine import SearchFilters, SearchRequest

    def request(q: Query) -> SearchRequest:
        return SearchRequest(query=q["archiv"], filters=SearchFilters(city=q.get("city")), limit=10)

    with Archive.for_reading(Path(args["index"])) as archive:
        return _timed_queries(args, lambda q: len(archive.search(request(q)).documents))


def step_chronology(args: dict) -> dict:
    """``Archive.chronology()``, the call ``archiv chronik`` makes: the first one after the
    ingest (``seconds``: the chronology built from the store's records, then cached) and the
    next one (``warm_seconds``: from the store's cache). ``load_seconds`` and
    ``build_seconds`` split the first: reading the records, merging them.

    With ``scale`` > 1 also the chronology of ``scale`` copies of the records (another
    document id, city and sentence each, with the merge features the store would keep),
    which stands in for an archive ``scale`` times as large where ingesting one is too slow
    for the run: merged in memory by the same code, reading the store counted ``scale``
    times; ``scaled_warm_seconds`` is the cached chronology read back. The exact measure on
    a real large store is ``benchmarks/chronology_speed.py``.
    """
    import chronology_speed

    from archiv.archive import Archive
    from archiv.chronology import ChronologyTable

    index = Path(args["index"])
    chronology_speed.drop_cache(index, False)  # what the first `archiv chronik` finds
    with Archive.for_reading(index) as archive:
        started = time.perf_counter()
        entries = archive.chronology()
        cold = time.perf_counter() - started
    with Archive.for_reading(index) as archive:
        started = time.perf_counter()
        warm_entries = archive.chronology()
        warm = time.perf_counter() - started
        store = archive.store
        started = time.perf_counter()
        with store.snapshot():
            rows = list(store.merge_rows(("resolution",)))
            cities = store.merge_cities()
        loaded = time.perf_counter()
        ChronologyTable.from_rows(rows, cities)
        built = time.perf_counter()
    result = {
        "seconds": cold,
        "warm_seconds": warm,
        "load_seconds": loaded - started,
        "build_seconds": built - loaded,
        "resolutions": len(rows),
        "entries": len(entries),
        "warm_identical": warm_entries == entries,
    }
    scale = int(args.get("scale", 1))
    if scale > 1:
        copies, known = chronology_speed.scaled_rows(rows, scale)
        started = time.perf_counter()
        table = ChronologyTable.from_rows(copies, known)
        data = table.to_bytes()
        scaled = table.entries(table.select())
        build = time.perf_counter() - started
        started = time.perf_counter()
        cached = ChronologyTable.from_bytes(data)
        cached.entries(cached.select())
        warm = time.perf_counter() - started
        result.update(
            scale=scale,
            scaled_resolutions=len(copies),
            scaled_entries=len(scaled),
            scaled_build_seconds=build,
            scaled_seconds=result["load_seconds"] * scale + build,
            scaled_warm_seconds=warm,
        )
    return result


# --- search baselines ---------------------------------------------------------------------------


def _pages(path: str) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def _timed_queries(args: dict, run: Callable[[Query], int]) -> dict:
    """Warm up on a separate query set (no answer cache can help), then time each query."""
    queries = json.loads(Path(args["queries"]).read_text())
    errors: list[str] = []
    for q in queries["warmup"]:
        with contextlib.suppress(Exception):  # a query an engine cannot parse is counted below
            run(q)
    latencies: list[float] = []
    hits = 0
    by_kind: dict[str, list[float]] = {}
    for q in queries["measured"]:
        started = time.perf_counter()
        try:
            found = run(q)
        except Exception as error:  # noqa: BLE001
            errors.append(f"{q['kind']}: {q['text']!r}: {type(error).__name__}: {error}"[:200])
            found = 0
        elapsed = time.perf_counter() - started
        latencies.append(elapsed)
        by_kind.setdefault(q["kind"], []).append(elapsed)
        hits += found > 0
    return {
        **percentiles(latencies),
        "with_hits": hits,
        "errors": len(errors),
        "error_samples": errors[:5],
        "p50_ms_by_kind": {k: percentiles(v)["p50_ms"] for k, v in sorted(by_kind.items())},
    }


def step_fts5(args: dict) -> dict:
    """SQLite FTS5 (unicode61, diacritics kept, no stemmer: SQLite has none for German)."""
    db_path = Path(args["work"]) / "fts5.sqlite3"
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    started = time.perf_counter()
    db.execute(
        "CREATE VIRTUAL TABLE pages USING fts5(text, city UNINDEXED, doc UNINDEXED, "
        "page UNINDEXED, tokenize='unicode61 remove_diacritics 0')"
    )
    with db:
        db.executemany(
            "INSERT INTO pages(text, city, doc, page) VALUES (?, ?, ?, ?)",
            ((p["text"], p["city"], p["doc"], p["page"]) for p in _pages(args["pages"])),
        )
    db.execute("INSERT INTO pages(pages) VALUES ('optimize')")
    db.commit()
    build = time.perf_counter() - started

    def run(q: Query) -> int:
        sql = (
            "SELECT doc, page, snippet(pages, 0, '[', ']', '…', 12) FROM pages WHERE pages MATCH ?"
        )
        params: list[Any] = [q["fts5"]]
        if q.get("city"):
            sql += " AND city = ?"
            params.append(q["city"])
        return len(db.execute(sql + " ORDER BY rank LIMIT 10", params).fetchall())

    result = _timed_queries(args, run)
    db.close()
    return {**result, "build_seconds": build, "bytes": db_path.stat().st_size}


def bare_whoosh_schema() -> Any:
    """The baseline's schema: Whoosh as it comes, one document per page, content stored."""
    from whoosh import analysis, fields

    return fields.Schema(
        doc=fields.ID(stored=True),
        page=fields.NUMERIC(stored=True),
        city=fields.ID(stored=True),
        content=fields.TEXT(analyzer=analysis.StemmingAnalyzer(), stored=True),
    )


def bare_whoosh_runner(searcher: Any, parser: Any) -> Callable[[Query], int]:
    """The baseline's query: top 10 pages, city as a filter, a snippet for every hit."""
    from whoosh.query import Term

    def run(q: Query) -> int:
        query = parser.parse(q["whoosh"])
        city = Term("city", q["city"]) if q.get("city") else None
        results = searcher.search(query, limit=10, filter=city)
        for hit in results:
            hit.highlights("content")
        return len(results)

    return run


def step_whoosh(args: dict) -> dict:
    """Whoosh as it comes: StemmingAnalyzer, one document per page, content stored."""
    from whoosh import index, qparser

    directory = Path(args["work"]) / "whoosh-bare"
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    ix = index.create_in(str(directory), bare_whoosh_schema())
    writer = ix.writer(limitmb=256)
    for p in _pages(args["pages"]):
        writer.add_document(doc=p["doc"], page=p["page"], city=p["city"], content=p["text"])
    writer.commit()
    build = time.perf_counter() - started
    parser = qparser.QueryParser("content", ix.schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    with ix.searcher() as searcher:

        result = _timed_queries(args, bare_whoosh_runner(searcher, parser))
    size = sum(f.stat().st_size for f in directory.iterdir())
    return {**result, "build_seconds": build, "bytes": size}


def step_tantivy(args: dict) -> dict:
    """tantivy with a German stemmer, one document per page, content stored, snippets."""
    import tantivy

    directory = Path(args["work"]) / "tantivy"
    directory.mkdir(parents=True, exist_ok=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc", stored=True, tokenizer_name="raw")
    builder.add_integer_field("page", stored=True)
    builder.add_text_field("city", stored=True, tokenizer_name="raw")
    builder.add_text_field("content", stored=True, tokenizer_name="de_stem")
    schema = builder.build()
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("german"))
        .build()
    )
    started = time.perf_counter()
    ix = tantivy.Index(schema, path=str(directory))
    ix.register_tokenizer("de_stem", analyzer)
    writer = ix.writer(heap_size=256_000_000, num_threads=1)
    for p in _pages(args["pages"]):
        writer.add_document(
            tantivy.Document(doc=p["doc"], page=p["page"], city=p["city"], content=p["text"])
        )
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    build = time.perf_counter() - started
    searcher = ix.searcher()

    def run(q: Query) -> int:
        if q["kind"] == "fuzzy":
            query = tantivy.Query.fuzzy_term_query(
                schema, "content", q["terms"][0].lower(), distance=1
            )
        else:
            query = ix.parse_query(q["tantivy"], ["content"], conjunction_by_default=True)
        if q.get("city"):
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.term_query(schema, "city", q["city"])),
                ]
            )
        hits = searcher.search(query, limit=10).hits
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "content")
        for _score, address in hits:
            snippets.snippet_from_doc(searcher.doc(address)).to_html()
        return len(hits)

    result = _timed_queries(args, run)
    size = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    return {**result, "build_seconds": build, "bytes": size}


# --- archiv's engine against bare Whoosh on page texts, without an ingest ----------------------


def _extract_pages(corpus: Path, docs: int | None, out: Path) -> int:
    """Page texts of the first ``docs`` documents with pypdfium2 (JSON lines), built once."""
    import multiprocessing

    import gen_corpus

    manifest = gen_corpus.load_manifest(corpus)[:docs]
    if out.exists():
        return sum(1 for _ in out.open(encoding="utf-8"))
    partial = out.with_suffix(".partial")
    count = 0
    with (
        multiprocessing.get_context("fork").Pool(2) as pool,
        partial.open("w", encoding="utf-8") as handle,
    ):
        files = [str(corpus / d["file"]) for d in manifest]
        for spec, texts in zip(manifest, pool.imap(_pdfium_texts, files, chunksize=8), strict=True):
            for number, text in enumerate(texts, 1):
                record = {
                    "doc": spec["file"],
                    "page": number,
                    "city": spec["city"],
                    "type": spec["type"],
                    "date": spec["date"],
                    "references": spec["references"],
                    "text": text,
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    partial.rename(out)
    return count


def _pdfium_texts(path: str) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def _index_pages(records: list[dict]) -> Iterator[tuple[str, list[Any]]]:
    """archiv's IndexPage per page, one document at a time, as the ingest hands them over:
    references printed on the page (and the document's own), city as the municipality."""
    from archiv.engine import IndexPage
    from archiv.query import normalize_reference

    current: list[Any] = []
    for record in records + [{"doc": None}]:
        if current and record["doc"] != current[0].document_id:
            yield current[0].document_id, current
            current = []
        if record["doc"] is None:
            break
        refs = tuple(
            sorted(
                {
                    normalize_reference(r)
                    for r in record["references"]
                    if r.split()[-1] in record["text"]
                }
            )
        )
        current.append(
            IndexPage(
                document_id=record["doc"],
                page=record["page"],
                text=record["text"],
                path=record["doc"],
                title=f"{record['type'].capitalize()} {record['city']} {record['date']}",
                date=record["date"],
                municipality=record["city"],
                doc_type=record["type"],
                references=refs,
            )
        )


def step_engines_on_pages(args: dict) -> dict:
    """archiv's Whoosh engine (``WhooshEngine``: our analysis, fields, grouping, snippets) and
    bare Whoosh over the same page texts, built here from a synthetic corpus without an ingest.

    Both indexes are built (index ms/page, each), then the query mix of queries.py is asked of
    both, *interleaved* query by query (the engine that goes first alternates), so that load on
    the shared machine hits both alike; p50/p95 per engine and per query kind, with ratios.
    ``reuse`` keeps indexes of an earlier run in ``work`` (search-only changes).
    Args: corpus, work, docs (first N documents), seed, reuse, repeat (runs per query, median).
    """
    import shutil

    import gen_corpus
    import queries as query_mix
    from whoosh import index as w_index
    from whoosh import qparser

    from archiv.engine import SearchFilters, SearchRequest
    from archiv.index import WhooshEngine

    corpus = Path(args["corpus"]).expanduser()
    manifest = gen_corpus.load_manifest(corpus)
    docs = int(args.get("docs") or len(manifest))
    work = Path(args["work"]).expanduser()
    work.mkdir(parents=True, exist_ok=True)
    pages_file = work / f"pages-{docs}.jsonl"
    started = time.perf_counter()
    page_count = _extract_pages(corpus, docs, pages_file)
    extract_seconds = time.perf_counter() - started
    records = list(_pages(str(pages_file)))
    reuse = bool(args.get("reuse"))
    result: dict[str, Any] = {"docs": docs, "pages": page_count, "extract_seconds": extract_seconds}

    bare_dir = work / f"whoosh-bare-{docs}"
    if not (reuse and bare_dir.is_dir()):
        shutil.rmtree(bare_dir, ignore_errors=True)
        bare_dir.mkdir(parents=True)
        started = time.perf_counter()
        ix = w_index.create_in(str(bare_dir), bare_whoosh_schema())
        writer = ix.writer(limitmb=256)
        for p in records:
            writer.add_document(doc=p["doc"], page=p["page"], city=p["city"], content=p["text"])
        writer.commit()
        result["whoosh_build_ms_per_page"] = (time.perf_counter() - started) * 1000 / page_count
    archiv_dir = work / f"archiv-{docs}"
    if not (reuse and archiv_dir.is_dir()):
        shutil.rmtree(archiv_dir, ignore_errors=True)
        started = time.perf_counter()
        engine = WhooshEngine.create(archiv_dir)
        batch: list[tuple[str, list[Any]]] = []
        for item in _index_pages(records):  # batches of 100 documents, like an ingest's
            batch.append(item)
            if len(batch) == 100:
                with engine.writer() as writer:
                    for document_id, pages in batch:
                        writer.replace(document_id, pages)
                batch = []
        with engine.writer() as writer:
            for document_id, pages in batch:
                writer.replace(document_id, pages)
        engine.close()
        result["archiv_build_ms_per_page"] = (time.perf_counter() - started) * 1000 / page_count
    del records
    if args.get("search", True) is False:
        return result

    engine = WhooshEngine.open(archiv_dir, readonly=True)
    bare = w_index.open_dir(str(bare_dir))
    parser = qparser.QueryParser("content", bare.schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    searcher = bare.searcher()
    facets = bool(args.get("facets"))

    def run_archiv(q: Query) -> int:
        request = SearchRequest(
            query=q["archiv"], filters=SearchFilters(city=q.get("city")), limit=10, facets=facets
        )
        return len(engine.search(request).documents)

    run_whoosh = bare_whoosh_runner(searcher, parser)

    engines = {"archiv": run_archiv, "whoosh": run_whoosh}
    sets = query_mix.query_sets(manifest[:docs], int(args.get("seed", 7)))
    for q in sets["warmup"]:
        for run in engines.values():
            with contextlib.suppress(Exception):
                run(q)
    repeat = int(args.get("repeat", 1))
    times: dict[str, dict[str, list[float]]] = {name: {} for name in engines}
    hits = dict.fromkeys(engines, 0)
    errors: list[str] = []
    for n, q in enumerate(sets["measured"]):
        order = list(engines) if n % 2 == 0 else list(reversed(engines))
        samples: dict[str, list[float]] = {name: [] for name in engines}
        found = dict.fromkeys(engines, 0)
        for _ in range(repeat):
            for name in order:
                begun = time.perf_counter()
                try:
                    found[name] = engines[name](q)
                except Exception as error:  # noqa: BLE001
                    errors.append(f"{name}: {q['kind']}: {q['text']!r}: {error}"[:200])
                samples[name].append(time.perf_counter() - begun)
        for name in engines:
            times[name].setdefault(q["kind"], []).append(statistics.median(samples[name]))
            hits[name] += found[name] > 0
    searcher.close()
    engine.close()
    for name, by_kind in times.items():
        every = [t for values in by_kind.values() for t in values]
        result[name] = {
            **percentiles(every),
            "by_kind": {k: percentiles(v) for k, v in sorted(by_kind.items())},
        }
    for p in ("p50_ms", "p95_ms", "mean_ms"):
        result[f"ratio_{p}"] = round(result["archiv"][p] / result["whoosh"][p], 3)
    result["with_hits"] = hits
    result["errors"] = errors[:5]
    return result


def print_engines_on_pages(result: dict) -> None:
    """The comparison as a table (for ``python benchmarks/steps.py engines_on_pages …``)."""
    print(f"{result['docs']} documents, {result['pages']} pages", file=sys.stderr)
    for key in ("archiv_build_ms_per_page", "whoosh_build_ms_per_page"):
        if key in result:
            print(f"{key}: {result[key]:.2f}", file=sys.stderr)
    if "archiv" not in result:
        return
    print(f"{'kind':10} {'archiv p50':>11} {'p95':>8} {'whoosh p50':>11} {'p95':>8} "
          f"{'ratio p50':>9} {'p95':>6}", file=sys.stderr)  # fmt: skip
    kinds = [*result["archiv"]["by_kind"], "all"]
    for kind in kinds:
        a = result["archiv"] if kind == "all" else result["archiv"]["by_kind"][kind]
        w = result["whoosh"] if kind == "all" else result["whoosh"]["by_kind"][kind]
        print(
            f"{kind:10} {a['p50_ms']:11.2f} {a['p95_ms']:8.2f} {w['p50_ms']:11.2f} "
            f"{w['p95_ms']:8.2f} {a['p50_ms'] / w['p50_ms']:8.2f}× "
            f"{a['p95_ms'] / w['p95_ms']:5.2f}×",
            file=sys.stderr,
        )


STEPS: dict[str, Callable[[dict], dict]] = {
    "pdftotext": step_pdftotext,
    "pdfium": step_pdfium,
    "export": step_export,
    "archiv_search": step_archiv_search,
    "chronology": step_chronology,
    "fts5": step_fts5,
    "whoosh": step_whoosh,
    "tantivy": step_tantivy,
    "engines_on_pages": step_engines_on_pages,
}


def main() -> int:
    step, raw = sys.argv[1], sys.argv[2]
    result = STEPS[step](json.loads(raw))
    if step == "engines_on_pages":
        print_engines_on_pages(result)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
