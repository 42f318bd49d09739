"""``benchmarks/run``: archiv against its references, on the same files, in one run.

What it measures (each step in a process of its own, see steps.py):

* raw text extraction pages/s: poppler ``pdftotext`` and pypdfium2, both over ``--jobs``
  processes, like ``archiv ingest --jobs 2``;
* ``archiv ingest`` pages/s with ``--jobs 1`` and ``--jobs N`` into fresh archives, and where
  its time went (``--profile``); then a re-ingest where nothing changed;
* search latency p50/p95/p99 of a fixed 200-query mix through the library, against bare Whoosh,
  SQLite FTS5 and tantivy over the same page texts (build times and sizes too);
* chronology generation, store and index size per page, peak RSS of every step;
* the targets, PASS/MISS with the margin.

Results go to stdout and, between markers, into ``--out`` (BENCHMARKS.md); the raw numbers of
real runs are kept in benchmarks/results/ so a 10k run can be compared with a 1k run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_corpus  # noqa: E402
import queries as query_mix  # noqa: E402

RESULTS = HERE / "results"
GIB = 1 << 30
SMOKE_DOCS = 10
BIG = 10_000

# Targets of issue 7.
INGEST_VS_PDFTOTEXT = 0.5
REINGEST_SECONDS = 5.0
SEARCH_VS_WHOOSH = 1.25
CHRONOLOGY_SECONDS = 1.0
RSS_LIMIT = GIB
RSS_GROWTH = 1.25  # peak RSS at the larger / the smaller size: "not growing with N"
CHRONOLOGY_LIMIT = 900.0  # seconds for the chronology of the archive itself
CHRONOLOGY_SCALED_LIMIT = 120.0  # seconds; past it the scaled chronology is reported as "> limit"


# --- processes ----------------------------------------------------------------------------------


def _ppid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return int(data[data.rindex(b")") + 2 :].split()[1])


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants right now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _ppid(entry)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except OSError:
            pass
    return total


def measured(
    cmd: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, exit code, stdout, the largest process's max RSS (wait4) and
    the sampled peak RSS of its whole process tree (workers included)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    killer = None
    if timeout is not None:
        # A step over its time limit is killed with its whole process group (it started one).
        killer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9))
        killer.start()
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda k=k, s=s: out.__setitem__(k, s.read()), daemon=True)
        for k, s in (("stdout", proc.stdout), ("stderr", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    if killer is not None:
        killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    for thread in (*readers, sampler):
        thread.join()
    max_rss = usage.ru_maxrss * 1024  # KiB on Linux
    return {
        "rc": proc.returncode,
        "seconds": seconds,
        "stdout": out.get("stdout", b"").decode(),
        "stderr": out.get("stderr", b"").decode(errors="replace"),
        "max_rss": max_rss,
        "peak_tree_rss": max(peak, max_rss),
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


class StepFailed(RuntimeError):
    pass


def step(name: str, args: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    run = measured(
        [sys.executable, str(HERE / "steps.py"), name, json.dumps(args)], timeout=timeout
    )
    if timeout is not None and run["rc"] == -9:
        return {
            "timed_out": True,
            "wall_seconds": run["seconds"],
            "max_rss": run["max_rss"],
            "peak_tree_rss": run["peak_tree_rss"],
        }
    if run["rc"] != 0:
        raise StepFailed(f"step {name} exited {run['rc']}: {run['stderr'][-2000:]}")
    result = json.loads(run["stdout"].strip().splitlines()[-1])
    result.update(
        wall_seconds=run["seconds"], max_rss=run["max_rss"], peak_tree_rss=run["peak_tree_rss"]
    )
    return result


def archiv_cli() -> list[str]:
    """``python -m archiv`` from the repository: the checkout's code, whatever is installed."""
    return [sys.executable, "-m", "archiv"]


def ingest(corpus: Path, index: Path, jobs: int) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "ARCHIV_INDEX"}
    run = measured(
        [
            *archiv_cli(),
            "ingest",
            str(corpus / "pdf"),
            "--index",
            str(index),
            "--jobs",
            str(jobs),
            "--quiet",
            "--json",
            "--profile",
        ],
        env=env,
    )
    if run["rc"] not in (0, 1):  # 1: some files failed, reported below
        raise StepFailed(f"archiv ingest exited {run['rc']}: {run['stderr'][-2000:]}")
    summary = json.loads(run["stdout"])
    return {
        "rc": run["rc"],
        "wall_seconds": run["seconds"],
        "seconds": summary["seconds"],
        "pages": summary["pages"],
        "added": summary["added"],
        "unchanged": summary["unchanged"],
        "failed": summary["failed"],
        "stages": summary.get("stages", {}),
        "failures": summary["failures"][:5],
        "max_rss": run["max_rss"],
        "peak_tree_rss": run["peak_tree_rss"],
        "cpu_seconds": run["cpu_seconds"],
    }


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- one size ----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_size(docs: int, seed: int, jobs: int, work: Path, with_jobs1: bool) -> dict[str, Any]:
    log(f"corpus: {docs} documents (seed {seed})")
    corpus, marker = gen_corpus.ensure_corpus(docs, seed, jobs=jobs)
    manifest = gen_corpus.load_manifest(corpus)
    r: dict[str, Any] = {
        "docs": docs,
        "seed": seed,
        "jobs": jobs,
        "corpus": marker,
        "corpus_dir": str(corpus),
        "load_before": os.getloadavg()[0],
    }
    log("pdftotext")
    r["pdftotext"] = step("pdftotext", {"corpus": str(corpus), "jobs": jobs})
    log("pypdfium2")
    r["pdfium"] = step("pdfium", {"corpus": str(corpus), "jobs": jobs})
    if with_jobs1:
        log("archiv ingest --jobs 1")
        r["ingest_1"] = ingest(corpus, work / "index-j1", 1)
        shutil.rmtree(work / "index-j1", ignore_errors=True)
    index = work / "index"
    log(f"archiv ingest --jobs {jobs}")
    r["ingest"] = ingest(corpus, index, jobs)
    log("archiv ingest (nothing changed)")
    r["reingest"] = ingest(corpus, index, jobs)
    r["store_bytes"] = sum(du(p) for p in index.glob("archiv.sqlite3*"))
    r["index_bytes"] = du(index / "whoosh")
    pages_file = work / "pages.jsonl"
    r["export"] = step("export", {"index": str(index), "out": str(pages_file)})
    queries_file = work / "queries.json"
    queries_file.write_text(json.dumps(query_mix.query_sets(manifest, seed), ensure_ascii=False))
    common = {"queries": str(queries_file), "pages": str(pages_file), "work": str(work)}
    log("search: archiv")
    r["search"] = step("archiv_search", {**common, "index": str(index)})
    for engine in ("whoosh", "fts5", "tantivy"):
        log(f"search: {engine}")
        r[engine] = step(engine, common)
    scale = max(1, BIG // docs) if docs < BIG and docs >= 100 else 1
    log("chronology")
    r["chronology"] = step("chronology", {"index": str(index)}, timeout=CHRONOLOGY_LIMIT)
    if r["chronology"].get("timed_out"):  # a lower bound; the counts are unknown
        r["chronology"].update(seconds=r["chronology"]["wall_seconds"], resolutions=0, entries=0)
    r["chronology"]["scale"] = scale
    log("archiv chronik --json -o FILE, the first call after a change, then the next")
    r["chronik_first"] = chronik_command(index, work, first=True)
    r["chronik_cli"] = chronik_command(index, work, first=False)
    if scale > 1:
        if r["chronology"]["seconds"] > CHRONOLOGY_SCALED_LIMIT or r["chronology"].get("timed_out"):
            # ×scale the input cannot be faster than ×1: the ×1 time is a lower bound.
            scaled = {"timed_out": True, "wall_seconds": r["chronology"]["seconds"]}
        else:
            log(f"chronology of the resolutions ×{scale} (limit {CHRONOLOGY_SCALED_LIMIT:g} s)")
            scaled = step(
                "chronology",
                {"index": str(index), "scale": scale},
                timeout=CHRONOLOGY_SCALED_LIMIT,
            )
        if scaled.get("timed_out"):
            r["chronology"].update(
                scaled_seconds=scaled["wall_seconds"],
                scaled_timed_out=True,
                scaled_resolutions=r["chronology"]["resolutions"] * scale,
            )
        else:
            r["chronology"].update({k: v for k, v in scaled.items() if k.startswith("scaled")})
        log(f"re-ingest of {docs * scale:,} unchanged paths ({scale}× the files, hard-linked)")
        r["reingest_scaled"] = reingest_many_paths(corpus, index, jobs, scale)
    r["load_after"] = os.getloadavg()[0]
    return r


def chronik_command(index: Path, work: Path, *, first: bool) -> dict[str, Any]:
    """What a user waits for, and the memory it takes: ``archiv chronik --json -o FILE``,
    start-up and writing every entry included; ``first``: after the store's cached chronology
    is dropped (the first call after an ingest builds and caches it), else from the cache."""
    import chronology_speed

    if first:
        chronology_speed.drop_cache(index, False)
    out = work / "chronik.json"
    run = measured(
        [*archiv_cli(), "chronik", "--json", "-o", str(out), "--index", str(index)],
        timeout=CHRONOLOGY_LIMIT,
    )
    if run["rc"] != 0:
        raise StepFailed(f"archiv chronik exited {run['rc']}: {run['stderr'][-2000:]}")
    size = out.stat().st_size
    out.unlink()
    return {"seconds": run["seconds"], "bytes": size, "max_rss": run["max_rss"],
            "peak_tree_rss": run["peak_tree_rss"]}


def reingest_many_paths(corpus: Path, index: Path, jobs: int, scale: int) -> dict[str, Any]:
    """A no-change re-ingest of ``scale`` × as many files, without extracting them again.

    The copies are hard links (or copies) of the corpus: same bytes, so ingest only hashes them
    and links the new paths to the documents it has; the second run is then a no-change
    re-ingest over ``scale`` × the paths, the part of re-ingest that grows with the archive.
    """
    links = corpus.with_name(corpus.name + f"-x{scale}-links")
    files = sorted((corpus / "pdf").rglob("*.pdf"))
    if not (links / ".complete").exists():
        shutil.rmtree(links, ignore_errors=True)
        for k in range(1, scale):
            for f in files:
                dest = links / f"copy-{k:02d}" / f.relative_to(corpus / "pdf")
                dest.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(f, dest)
                except OSError:
                    shutil.copy2(f, dest)
        (links / ".complete").touch()
    env = {k: v for k, v in os.environ.items() if k != "ARCHIV_INDEX"}
    cmd = [
        *archiv_cli(),
        "ingest",
        str(corpus / "pdf"),
        *sorted(str(p) for p in links.iterdir() if p.is_dir()),
        "--index",
        str(index),
        "--jobs",
        str(jobs),
        "--quiet",
        "--json",
    ]
    first = measured(cmd, env=env)
    second = measured(cmd, env=env)
    if second["rc"] != 0:
        raise StepFailed(
            f"re-ingest over {scale}× paths exited {second['rc']}: {second['stderr'][-2000:]}"
        )
    summary = json.loads(second["stdout"])
    return {
        "paths": len(files) * scale,
        "link_seconds": first["seconds"],
        "wall_seconds": second["seconds"],
        "unchanged": summary["unchanged"],
        "added": summary["added"],
        "peak_tree_rss": second["peak_tree_rss"],
    }


# --- report ----------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = (
            int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) * 1024
        )
    except (OSError, AttributeError):
        mem = 0
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem / GIB, 1),
        "commit": commit,
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _mb(n: float) -> str:
    return f"{n / (1 << 20):,.0f} MiB"


def _verdict(ok: bool, margin: str) -> str:
    return f"**PASS** ({margin})" if ok else f"**MISS** ({margin})"


def targets(r: dict[str, Any], other: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows; the 10k-only targets say when measured at fewer docs."""
    rows: list[tuple[str, str, str]] = []
    pdf = r["pdftotext"]["pages_per_second"]
    ours = r["ingest"]["pages"] / r["ingest"]["wall_seconds"]
    need = INGEST_VS_PDFTOTEXT * pdf
    rows.append(
        (
            f"ingest --jobs {r['jobs']} ≥ {INGEST_VS_PDFTOTEXT}× pdftotext pages/s",
            f"{ours:,.1f} vs {need:,.1f} pages/s ({ours / pdf:.3f}×)",
            _verdict(ours >= need, f"{ours / need:.2f}× the target"),
        )
    )
    scale = "" if r["docs"] >= BIG else f" (target is for 10k; measured at {r['docs']:,})"
    re_s = r["reingest"]["wall_seconds"]
    label = f"no-change re-ingest < {REINGEST_SECONDS:g} s{scale}"
    if r.get("reingest_scaled"):
        re_s = r["reingest_scaled"]["wall_seconds"]
        label = (
            f"no-change re-ingest < {REINGEST_SECONDS:g} s (over {r['reingest_scaled']['paths']:,} "
            f"paths: the corpus hard-linked ×{r['chronology']['scale']})"
        )
    rows.append(
        (
            label,
            f"{re_s:.2f} s",
            _verdict(re_s < REINGEST_SECONDS, f"{re_s / REINGEST_SECONDS:.2f}× the limit"),
        )
    )
    for p in ("p50_ms", "p95_ms"):
        ours_ms, bare = r["search"][p], r["whoosh"][p]
        rows.append(
            (
                f"search {p[:3]} ≤ {SEARCH_VS_WHOOSH}× bare Whoosh",
                f"{ours_ms:.1f} ms vs {bare:.1f} ms ({ours_ms / bare:.2f}×)",
                _verdict(
                    ours_ms <= SEARCH_VS_WHOOSH * bare,
                    f"{ours_ms / (SEARCH_VS_WHOOSH * bare):.2f}× the limit",
                ),
            )
        )
    ch = r["chronology"]["seconds"]
    label = f"chronology < {CHRONOLOGY_SECONDS:g} s{scale}"
    if r["chronology"].get("scale", 1) > 1:
        ch = r["chronology"]["scaled_seconds"]
        label = (
            f"chronology < {CHRONOLOGY_SECONDS:g} s (of the resolutions ×{r['chronology']['scale']}: "
            f"{r['chronology']['scaled_resolutions']:,})"
        )
    rows.append(
        (
            label,
            f"{ch:.3f} s (the first call after a change: built, then cached)",
            _verdict(ch < CHRONOLOGY_SECONDS, f"{ch / CHRONOLOGY_SECONDS:.2f}× the limit"),
        )
    )
    if r["chronology"].get("scale", 1) == 1 and "warm_seconds" in r["chronology"]:
        warm = r["chronology"]["warm_seconds"]
        rows.append(
            (
                f"chronology < {CHRONOLOGY_SECONDS:g} s, every later call (the store's cache)",
                f"{warm:.3f} s",
                _verdict(warm < CHRONOLOGY_SECONDS, f"{warm / CHRONOLOGY_SECONDS:.2f}× the limit"),
            )
        )
    peak = max(peak_rss(r).values())
    rows.append(
        (
            "peak RSS < 1 GiB (any archiv step, whole process tree)",
            _mb(peak),
            _verdict(peak < RSS_LIMIT, f"{peak / RSS_LIMIT:.2f}× the limit"),
        )
    )
    if other is not None:
        small, big = sorted([r, other], key=lambda x: x["docs"])
        a, b = max(peak_rss(small).values()), max(peak_rss(big).values())
        rows.append(
            (
                f"peak RSS not growing with N ({small['docs']:,} → {big['docs']:,} docs, "
                f"≤ {RSS_GROWTH}×)",
                f"{_mb(a)} → {_mb(b)} ({b / a:.2f}×)",
                _verdict(b / a <= RSS_GROWTH, f"{b / a:.2f}× growth"),
            )
        )
    return rows


def peak_rss(r: dict[str, Any]) -> dict[str, int]:
    steps = {
        "ingest --jobs 1": r.get("ingest_1"),
        f"ingest --jobs {r['jobs']}": r["ingest"],
        "re-ingest": r["reingest"],
        "search (archiv)": r["search"],
        # The library step holds two chronologies and a second merge at once (it times the
        # parts): the memory a user's call takes is the command's, measured on its own.
        "archiv chronik, first call after a change": r.get("chronik_first"),
        "archiv chronik, cached": r.get("chronik_cli"),
    }
    if not r.get("chronik_first"):  # results of runs before the command was measured
        steps["chronology"] = r["chronology"]
    return {k: v["peak_tree_rss"] for k, v in steps.items() if v}


def _load(r: dict[str, Any], key: str) -> str:
    return f"{r[key]:.1f}" if key in r else "n/a"


def render(r: dict[str, Any], m: dict[str, Any], other: dict[str, Any] | None) -> str:
    c = r["corpus"]
    pages = r["ingest"]["pages"] or 1
    jobs = r["jobs"]
    pdf = r["pdftotext"]["pages_per_second"]
    built = ""
    if c.get("pages_per_second"):
        built = (
            f", built at {c['pages_per_second']:,.0f} pages/s on {c['jobs']} processes "
            f"({c['draw_seconds']:.0f} s)"
        )
    lines = [
        f"### {r['docs']:,} documents, {c['pages']:,} pages",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM · Python {m['python']} · "
        f"{m['date']} · commit `{m['commit']}` · corpus seed {r['seed']}, "
        f"{c['words_per_page']} words/page, {c['bytes'] / (1 << 20):,.0f} MiB of PDF{built} · "
        f"load average {_load(r, 'load_before')} before, {_load(r, 'load_after')} after "
        f"(the machine is shared: figures are noisy)",
        "",
        "| measure | archiv | reference | archiv / reference |",
        "| --- | ---: | ---: | ---: |",
    ]

    def row(name: str, ours: str, ref: str, ratio: str) -> None:
        lines.append(f"| {name} | {ours} | {ref} | {ratio} |")

    row(
        f"raw extraction, pypdfium2 pages/s ({jobs} processes)",
        f"{r['pdfium']['pages_per_second']:,.0f}",
        f"{pdf:,.0f} (pdftotext, {jobs} processes)",
        f"{r['pdfium']['pages_per_second'] / pdf:.2f}×",
    )
    if r.get("ingest_1"):
        i1 = r["ingest_1"]
        row(
            "ingest --jobs 1, pages/s (wall, incl. start-up)",
            f"{i1['pages'] / i1['wall_seconds']:,.1f}",
            f"{pdf:,.0f} (pdftotext, {jobs} processes)",
            f"{i1['pages'] / i1['wall_seconds'] / pdf:.3f}×",
        )
    ig = r["ingest"]
    ours = ig["pages"] / ig["wall_seconds"]
    row(
        f"ingest --jobs {jobs}, pages/s (wall, incl. start-up)",
        f"{ours:,.1f}",
        f"{pdf:,.0f} (pdftotext, {jobs} processes)",
        f"{ours / pdf:.3f}×",
    )
    row(
        f"ingest --jobs {jobs}, seconds",
        f"{ig['wall_seconds']:,.1f}",
        f"{r['pdftotext']['seconds']:,.1f} (pdftotext)",
        f"{ig['wall_seconds'] / r['pdftotext']['seconds']:.1f}×",
    )
    if r.get("ingest_1"):
        speedup = r["ingest_1"]["wall_seconds"] / ig["wall_seconds"]
        row(
            f"ingest speed-up --jobs {jobs} over --jobs 1",
            f"{speedup:.2f}×",
            f"{jobs}× (ideal)",
            f"{speedup / jobs:.2f}",
        )
    row(
        "re-ingest, nothing changed, seconds",
        f"{r['reingest']['wall_seconds']:.2f}",
        f"{REINGEST_SECONDS:g} (target at 10k docs)",
        f"{r['reingest']['wall_seconds'] / REINGEST_SECONDS:.2f}×",
    )
    row("files failed in ingest", f"{ig['failed']}", "0", "–" if ig["failed"] == 0 else "**!**")
    stage_sum = ig["stages"].get("index", 0.0)
    for engine, label in (
        ("whoosh", "bare Whoosh"),
        ("fts5", "SQLite FTS5"),
        ("tantivy", "tantivy"),
    ):
        row(
            f"index build seconds (archiv: ingest's index stage) vs {label}",
            f"{stage_sum:,.1f}",
            f"{r[engine]['build_seconds']:,.1f}",
            f"{stage_sum / max(1e-9, r[engine]['build_seconds']):.2f}×",
        )
    for p in ("p50_ms", "p95_ms", "p99_ms"):
        for engine, label in (
            ("whoosh", "bare Whoosh"),
            ("fts5", "SQLite FTS5"),
            ("tantivy", "tantivy"),
        ):
            row(
                f"search {p[:3]} ms vs {label}",
                f"{r['search'][p]:,.2f}",
                f"{r[engine][p]:,.2f}",
                f"{r['search'][p] / max(1e-9, r[engine][p]):.2f}×",
            )
    row(
        "queries with ≥ 1 hit (of 200) vs bare Whoosh",
        f"{r['search']['with_hits']}",
        f"{r['whoosh']['with_hits']}",
        f"{r['search']['with_hits'] / max(1, r['whoosh']['with_hits']):.2f}×",
    )
    row(
        "queries failed (of 200) vs bare Whoosh",
        f"{r['search']['errors']}",
        f"{r['whoosh']['errors']}",
        "–",
    )
    row(
        "chronology seconds (store → entries)"
        + ("; killed at the limit" if r["chronology"].get("timed_out") else ""),
        ("> " if r["chronology"].get("timed_out") else "") + f"{r['chronology']['seconds']:.3f}",
        f"{CHRONOLOGY_SECONDS:g} (target at 10k docs)",
        f"{r['chronology']['seconds'] / CHRONOLOGY_SECONDS:.3f}×",
    )
    ch = r["chronology"]
    if "warm_seconds" in ch:
        row(
            "chronology seconds, the next call (from the store's cache)",
            f"{ch['warm_seconds']:.3f}",
            f"{CHRONOLOGY_SECONDS:g} (target at 10k docs)",
            f"{ch['warm_seconds'] / CHRONOLOGY_SECONDS:.3f}×",
        )
    for key, when in (("chronik_first", "first call after a change"), ("chronik_cli", "cached")):
        if r.get(key):
            cli = r[key]
            row(
                f"`archiv chronik --json -o FILE`, {when}, whole command, seconds "
                f"({cli['bytes'] / 2**20:,.1f} MiB written)",
                f"{cli['seconds']:.2f}",
                f"{CHRONOLOGY_SECONDS:g} (target at 10k docs)",
                f"{cli['seconds'] / CHRONOLOGY_SECONDS:.2f}×",
            )
    if ch.get("scale", 1) > 1:
        over = "> " if ch.get("scaled_timed_out") else ""
        row(
            f"chronology seconds, resolutions ×{ch['scale']} "
            f"(stands in for {r['docs'] * ch['scale']:,} docs{'; killed at the limit' if over else ''})",
            f"{over}{ch['scaled_seconds']:.1f}",
            f"{CHRONOLOGY_SECONDS:g} (target at 10k docs)",
            f"{over}{ch['scaled_seconds'] / CHRONOLOGY_SECONDS:.1f}×",
        )
    if r.get("reingest_scaled"):
        rs = r["reingest_scaled"]
        row(
            f"re-ingest, nothing changed, {rs['paths']:,} paths (the corpus hard-linked "
            f"×{ch['scale']}), seconds",
            f"{rs['wall_seconds']:.2f}",
            f"{REINGEST_SECONDS:g} (target at 10k docs)",
            f"{rs['wall_seconds'] / REINGEST_SECONDS:.2f}×",
        )
    row(
        "resolutions → chronology entries",
        f"{r['chronology']['resolutions']:,} → {r['chronology']['entries']:,}",
        "–",
        "–",
    )
    row(
        "store bytes/page (SQLite) vs FTS5 bytes/page",
        f"{r['store_bytes'] / pages:,.0f}",
        f"{r['fts5']['bytes'] / pages:,.0f}",
        f"{r['store_bytes'] / max(1, r['fts5']['bytes']):.2f}×",
    )
    for engine, label in (("whoosh", "bare Whoosh"), ("tantivy", "tantivy")):
        row(
            f"index bytes/page vs {label}",
            f"{r['index_bytes'] / pages:,.0f}",
            f"{r[engine]['bytes'] / pages:,.0f}",
            f"{r['index_bytes'] / max(1, r[engine]['bytes']):.2f}×",
        )
    for name, value in peak_rss(r).items():
        row(
            f"peak RSS, {name} (process tree)",
            _mb(value),
            _mb(RSS_LIMIT) + " (limit)",
            f"{value / RSS_LIMIT:.2f}×",
        )
    for engine, label in (
        ("whoosh", "bare Whoosh"),
        ("fts5", "SQLite FTS5"),
        ("tantivy", "tantivy"),
    ):
        row(f"peak RSS, build + search, {label}", "–", _mb(r[engine]["peak_tree_rss"]), "–")
    lines += [
        "",
        f"Where ingest's time went (`--profile`, --jobs {jobs}; worker stages are CPU seconds "
        "summed over workers, the others wall seconds of the main process):",
        "",
        "| stage | seconds | share | ms/page |",
        "| --- | ---: | ---: | ---: |",
    ]
    total = sum(ig["stages"].values()) or 1.0
    for stage, seconds in sorted(ig["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(
            f"| {stage} | {seconds:,.2f} | {100 * seconds / total:.1f} % | "
            f"{1000 * seconds / pages:.2f} |"
        )
    lines += [
        "",
        "Search p50 by query kind (ms):",
        "",
        "| kind | archiv | bare Whoosh | FTS5 | tantivy |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind in r["search"]["p50_ms_by_kind"]:
        lines.append(
            f"| {kind} | "
            + " | ".join(
                f"{r[e]['p50_ms_by_kind'].get(kind, float('nan')):,.2f}"
                for e in ("search", "whoosh", "fts5", "tantivy")
            )
            + " |"
        )
    lines += ["", "Targets:", "", "| target | measured | result |", "| --- | --- | --- |"]
    lines += [f"| {t} | {v} | {s} |" for t, v, s in targets(r, other)]
    if r["search"]["errors"] or ig["failed"]:
        lines += [
            "",
            "Errors: "
            + "; ".join(
                r["search"]["error_samples"] + [f["message"] or f["path"] for f in ig["failures"]]
            ),
        ]
    return "\n".join(lines) + "\n"


HEADER = """# Benchmarks

Produced by `benchmarks/run` (see `benchmarks/run --help`); every number beside the reference it
is compared with. The corpus is synthetic and deterministic (`benchmarks/gen_corpus.py`).
"""


def update(out: Path, key: str, block: str) -> None:
    """Replace the block between this size's markers, or append it; the rest stays as written."""
    start, end = f"<!-- bench:{key} start -->", f"<!-- bench:{key} end -->"
    text = out.read_text(encoding="utf-8") if out.exists() else HEADER
    new = f"{start}\n{block}{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: new, text)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000, help="Corpus size (default 1000).")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=f"Tiny corpus ({SMOKE_DOCS} docs), no 10k run: checks the harness.",
    )
    parser.add_argument("--skip-10k", action="store_true", help="Do not also run 10,000 documents.")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "BENCHMARKS.md",
        help="Markdown file whose table is updated in place.",
    )
    parser.add_argument("--jobs", type=int, default=2, help="Processes for ingest and baselines.")
    parser.add_argument("--seed", type=int, default=gen_corpus.DEFAULT_SEED)
    parser.add_argument(
        "--jobs1-max-docs",
        type=int,
        default=2000,
        help="Measure --jobs 1 only up to this many docs (it doubles the run).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the work directory.")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="Measure nothing: rewrite --out from benchmarks/results/<docs>-<seed>.json.",
    )
    args = parser.parse_args(argv)

    sizes = [SMOKE_DOCS] if args.smoke else [args.docs]
    if not args.smoke and not args.skip_10k and args.docs != BIG:
        sizes.append(BIG)
    m = machine()
    for docs in sizes:
        saved = RESULTS / f"{docs}-{args.seed}.json"
        if args.render_only:
            if not saved.exists():
                continue
            r = json.loads(saved.read_text())
            m = r["machine"]
        else:
            work = Path(tempfile.mkdtemp(prefix=f"archiv-bench-{docs}-"))
            try:
                r = run_size(
                    docs, args.seed, args.jobs, work, with_jobs1=docs <= args.jobs1_max_docs
                )
            finally:
                if not args.keep:
                    shutil.rmtree(work, ignore_errors=True)
                else:
                    log(f"kept {work}")
            r["machine"] = m
        other = None
        if not args.smoke:
            if not args.render_only:
                RESULTS.mkdir(exist_ok=True)
                saved.write_text(json.dumps(r, indent=1))
            # The largest other size measured (10k when there is one) shows growth with N.
            others = [
                json.loads(p.read_text())
                for p in RESULTS.glob(f"*-{args.seed}.json")
                if p != saved and p.name.split("-")[0].isdigit()
            ]
            if others:
                other = max(others, key=lambda o: o["docs"])
        block = render(r, m, other)
        print(block)
        update(args.out, "smoke" if args.smoke else f"{docs}-docs", block)
        log(f"updated {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
