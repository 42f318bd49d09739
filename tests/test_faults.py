"""Fault injection (docs/reliability.md R05–R08, R20–R23, R26–R28): slow, run by ``make test``.

The real CLI runs as a subprocess (``python -m archiv``) so that it can be killed, starved of
disk space or memory, and raced against itself. Every test ends the same way: the archive is
consistent (``PRAGMA integrity_check``, ``archiv check`` exit 0) and equal to what an
uninterrupted run produces.

Knobs (environment): ``ARCHIV_FAULT_ROUNDS`` random ``kill -9`` rounds of R20 (default 8; the
full design value is 30), ``ARCHIV_COMMIT_TRIALS`` kills inside the index commit of R21
(default 6; design value 20). Tests that need ``mount`` (R22, R23) are marked ``fault`` and
skip when mounting is not permitted.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiv.errors import ExitCode
from tests.conftest import ROOT, make_pdf, run
from tests.fixtures.build import rawpdf, stream, text_page_objs

pytestmark = pytest.mark.slow

ROUNDS = int(os.environ.get("ARCHIV_FAULT_ROUNDS", "8"))
COMMIT_TRIALS = int(os.environ.get("ARCHIV_COMMIT_TRIALS", "6"))
QUERIES = ("Beschluss", "Haushalt", "KennungAB", "KennungDA", "Verwaltung")


# --- helpers ---------------------------------------------------------------------------------


def archiv_cmd(*args: str | Path, verbose: bool = False) -> list[str]:
    return [sys.executable, "-m", "archiv", *(["-v"] if verbose else []), *map(str, args)]


def cli(
    *args: str | Path,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    verbose: bool = False,
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess: a crash, ``os._exit`` or signal ends it, not the tests."""
    return subprocess.run(
        archiv_cmd(*args, verbose=verbose),
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def popen(
    *args: str | Path, verbose: bool = False, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        archiv_cmd(*args, verbose=verbose),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "Internal error" not in proc.stderr, proc.stderr[-3000:]


def expect(proc: subprocess.CompletedProcess[str], code: int) -> subprocess.CompletedProcess[str]:
    no_traceback(proc)
    assert proc.returncode == code, (proc.returncode, proc.stderr[-3000:])
    return proc


def rows(index: Path, sql: str, args: tuple = ()) -> list[tuple]:
    db = sqlite3.connect(f"file:{index / 'archiv.sqlite3'}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def snapshot(index: Path) -> dict[str, object]:
    """What must not depend on how often a run was killed: store content and search hits."""
    hits = {}
    for query in QUERIES:
        result = run("search", query, "--index", index, "--json", "-n", "1000")
        assert result.exit_code == 0, result.stderr
        hits[query] = sorted(
            (h["document_id"], tuple(p["page"] for p in h["pages"]))
            for h in json.loads(result.stdout)
        )
    return {
        "documents": rows(index, "SELECT id, state, pages, title FROM documents ORDER BY id"),
        "paths": rows(index, "SELECT path, document_id FROM paths ORDER BY path"),
        "pages": rows(index, "SELECT document_id, number, text FROM pages ORDER BY 1, 2"),
        "hits": hits,
    }


def consistent(index: Path) -> None:
    assert rows(index, "PRAGMA integrity_check") == [("ok",)]
    result = run("check", "--index", index, "--json")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert not json.loads(result.stdout)["duplicates"]
    assert not list(index.glob("*.new")) and not list(index.glob("whoosh.old"))
    assert not list(index.rglob("*.tmp")), sorted(index.rglob("*.tmp"))  # temp files cleaned


def session_gone(proc: subprocess.Popen[str], within: float = 10.0) -> bool:
    """True when no process of the killed ingest's session (fork server, workers) is left."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    return False


def write_corpus(folder: Path, count: int, start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(start, start + count):
        tag = f"Kennung{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}"
        make_pdf(
            folder / f"doc{i:03d}.pdf",
            [
                f"Niederschrift Nummer {i}\nDer Rat der Stadt Lemgo beschließt am 12.03.2021 "
                f"einstimmig\nden Antrag {tag} zum Haushalt.",
                "Seite zwei\nBeschluss der Verwaltung",
            ],
        )
    return folder


@pytest.fixture(scope="module")
def corpus30(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("c30") / "in", 30)


@pytest.fixture(scope="module")
def reference30(corpus30: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, float]:
    """The uninterrupted run every crash test must end up equal to, and its duration."""
    index = tmp_path_factory.mktemp("ref30") / "index"
    started = time.monotonic()
    expect(cli("ingest", corpus30, "--index", index, "-q"), 0)
    seconds = time.monotonic() - started
    consistent(index)
    snap = snapshot(index)
    assert len(snap["documents"]) == 30 and all(len(v) for v in snap["hits"].values())
    return snap, seconds


# --- R20: kill -9 during ingest ---------------------------------------------------------------


@pytest.mark.parametrize(
    "phase",
    ["after_parse", "after_parse:17", "before_index_commit", "after_index_commit_before_db"],
)
def test_r20_crash_at_named_phase_then_rerun(
    phase: str, corpus30: Path, reference30: tuple, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    crashed = cli("ingest", corpus30, "--index", index, "-q", env={"ARCHIV_CRASH_AT": phase})
    assert crashed.returncode == 137, crashed.stderr[-2000:]
    unfinished = rows(index, "SELECT COUNT(*) FROM documents WHERE state != 'indexed'")[0][0]
    assert unfinished > 0  # the crash really left work behind
    checked = cli("check", "--index", index, "--no-files")  # reports it, does not crash
    no_traceback(checked)
    # DRIFT: documents left unfinished; NO_ARCHIVE: the crash came before the first index commit
    assert checked.returncode in (ExitCode.DRIFT, ExitCode.NO_ARCHIVE), checked.stderr
    expect(cli("ingest", corpus30, "--index", index, "-q"), 0)
    consistent(index)
    assert snapshot(index) == reference30[0]


def test_r20_random_kill9_rounds(corpus30: Path, reference30: tuple, tmp_path: Path) -> None:
    reference, seconds = reference30
    rng = random.Random(42)
    outcomes = []
    for round_no in range(ROUNDS):
        index = tmp_path / f"index{round_no}"
        delay = rng.uniform(0.2, seconds)
        proc = popen("ingest", corpus30, "--index", index, "-q")
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)  # the writer only: workers must notice and leave
            proc.wait()
            killed = True
        proc.communicate()
        assert session_gone(proc), f"round {round_no}: a worker outlived the killed ingest"
        if index.exists():
            assert rows(index, "PRAGMA integrity_check") == [("ok",)]
        expect(cli("ingest", corpus30, "--index", index, "-q"), 0)
        consistent(index)
        assert snapshot(index) == reference, f"round {round_no} (kill after {delay:.2f} s)"
        outcomes.append((round(delay, 2), killed))
    print(
        f"R20: {ROUNDS} rounds, killed in {sum(k for _, k in outcomes)}, all identical: {outcomes}"
    )


# --- R21: kill -9 inside the index commit -----------------------------------------------------


@pytest.fixture(scope="module")
def unindexed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    """300 documents parsed and tagged, the first batch (200) never indexed; plus the reference."""
    root = tmp_path_factory.mktemp("r21")
    seed = write_corpus(root / "seed", 3, start=300)
    corpus = write_corpus(root / "in", 300)
    reference = root / "reference"
    template = root / "template"
    for index in (reference, template):  # the old index state is not empty
        expect(cli("ingest", seed, "--index", index, "-q"), 0)
    expect(cli("ingest", corpus, "--index", reference, "-q"), 0)
    crashed = cli(
        "ingest", corpus, "--index", template, "-q", env={"ARCHIV_CRASH_AT": "before_index_commit"}
    )
    assert crashed.returncode == 137
    tagged = rows(template, "SELECT COUNT(*) FROM documents WHERE state = 'tagged'")[0][0]
    assert tagged >= 200
    return corpus, template, snapshot(reference)


def test_r21_kill9_inside_index_commit(
    unindexed_template: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    corpus, template, reference = unindexed_template
    rng = random.Random(21)
    seen_counts = set()
    for trial in range(COMMIT_TRIALS):
        index = tmp_path / f"t{trial}"
        shutil.copytree(template, index)
        old_pages = _page_count(index)
        proc = popen("ingest", corpus, "--index", index, "-q", verbose=True)
        assert proc.stderr is not None
        for line in proc.stderr:  # the marker: the resumed batch is about to be indexed
            if "resuming" in line:
                break
        time.sleep(rng.uniform(0, 2.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.communicate()
        session_gone(proc)
        pages = _page_count(index)  # the index opens: old or new state, never broken
        assert pages in (old_pages, old_pages + 2 * 200, old_pages + 2 * 300), pages
        seen_counts.add(pages)
        checked = cli("check", "--index", index, "--no-files")
        no_traceback(checked)
        if checked.returncode != 0:
            assert checked.returncode == ExitCode.DRIFT
            assert "reindex" in checked.stderr or "unfinished" in checked.stdout
        expect(cli("ingest", corpus, "--index", index, "-q"), 0)
        consistent(index)
        assert snapshot(index) == reference, f"trial {trial}"
    print(
        f"R21: {COMMIT_TRIALS} trials, index page counts seen after the kill: {sorted(seen_counts)}"
    )


def _page_count(index: Path) -> int:
    result = run("stats", "--index", index, "--json")
    assert result.exit_code == 0, result.stderr
    return int(json.loads(result.stdout)["index_pages"])


# --- R22: disk full ---------------------------------------------------------------------------


@contextlib.contextmanager
def mounted(*args: str, target: Path) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount not permitted here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _big_corpus(folder: Path, count: int) -> Path:
    """Documents with many distinct words, so store and index need real space."""
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyzäöü"
    folder.mkdir(parents=True)
    for i in range(count):
        pages = []
        for _ in range(3):
            words = [
                "".join(rng.choice(alphabet) for _ in range(rng.randint(5, 12))) for _ in range(400)
            ]
            pages.append("\n".join(" ".join(words[j : j + 10]) for j in range(0, 400, 10)))
        make_pdf(folder / f"big{i:03d}.pdf", pages)
    return folder


@pytest.mark.fault
def test_r22_disk_full(tmp_path: Path) -> None:
    from archiv.lock import write_lock

    good = write_corpus(tmp_path / "good", 3)
    big = _big_corpus(tmp_path / "big", 40)
    with mounted("-t", "tmpfs", "-o", "size=2m", "tmpfs", target=tmp_path / "mnt") as mnt:
        index = mnt / "index"
        expect(cli("ingest", good, "--index", index, "-q"), 0)
        before = snapshot(index)
        started = time.monotonic()
        full = cli("ingest", big, "--index", index, "-q")
        no_traceback(full)
        assert full.returncode == ExitCode.NO_SPACE, (full.returncode, full.stderr[-2000:])
        assert "no space left on device" in full.stderr
        assert time.monotonic() - started < 120
        with write_lock(index, wait=0):  # no stale lock: the process released it on exit
            pass
        assert rows(index, "PRAGMA integrity_check") == [("ok",)]
        after = snapshot(index)  # the index is readable and still has the old documents
        assert after["hits"] == before["hits"]
        old_ids = {r[0] for r in before["documents"]}
        assert {r[0] for r in after["documents"] if r[1] == "indexed"} == old_ids
        grown = subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], capture_output=True)
        assert grown.returncode == 0, grown.stderr
        expect(cli("ingest", good, big, "--index", index, "-q"), 0)
        consistent(index)
        assert len(rows(index, "SELECT id FROM documents WHERE state = 'indexed'")) == 43


# --- R23: read-only archive -------------------------------------------------------------------


@pytest.mark.fault
def test_r23_read_only_archive(corpus30: Path, reference30: tuple, tmp_path: Path) -> None:
    source = tmp_path / "rw"
    expect(cli("ingest", corpus30, "--index", source, "-q"), 0)
    target = tmp_path / "ro"
    with mounted("--bind", str(source), target=target):
        remount = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(target)], capture_output=True, text=True
        )
        if remount.returncode != 0:
            pytest.skip(f"read-only remount not permitted: {remount.stderr.strip()}")
        with pytest.raises(OSError):
            (target / "probe").write_text("x")
        found = expect(cli("search", "KennungAB", "--index", target, "--json"), 0)
        assert json.loads(found.stdout)[0]["path"].endswith("doc026.pdf")
        expect(cli("chronik", "--index", target, "--json"), 0)
        expect(cli("check", "--index", target, "--no-files"), 0)
        started = time.monotonic()
        refused = cli("ingest", corpus30, "--index", target, "-q")
        no_traceback(refused)
        assert refused.returncode == ExitCode.READ_ONLY, refused.stderr
        assert "the archive is read-only" in refused.stderr
        assert time.monotonic() - started < 10
    assert snapshot(source) == reference30[0]


# --- R26: concurrent ingests ------------------------------------------------------------------


def test_r26_concurrent_ingests_wait_for_each_other(tmp_path: Path) -> None:
    a = write_corpus(tmp_path / "a", 10, start=0)
    b = write_corpus(tmp_path / "b", 10, start=10)
    shared = write_corpus(tmp_path / "shared", 5, start=20)
    index = tmp_path / "index"
    first = popen("ingest", a, shared, "--index", index, "-q")
    second = popen("ingest", b, shared, "--index", index, "-q", "--wait", "300")
    out = [p.communicate(timeout=600) for p in (first, second)]
    for proc, (_stdout, stderr) in zip((first, second), out, strict=True):
        assert "Traceback" not in stderr
        assert proc.returncode == 0, stderr
    consistent(index)
    assert len(rows(index, "SELECT id FROM documents WHERE state = 'indexed'")) == 25
    assert rows(index, "SELECT COUNT(*) FROM paths")[0][0] == 25


def test_r26_no_wait_fails_fast_with_busy(tmp_path: Path) -> None:
    a = write_corpus(tmp_path / "a", 20)
    index = tmp_path / "index"
    first = popen("ingest", a, "--index", index, "-q")
    lock = index / ".lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.05)
    started = time.monotonic()
    busy = cli("ingest", a, "--index", index, "-q", "--no-wait")
    elapsed = time.monotonic() - started
    first.communicate(timeout=600)
    assert first.returncode == 0
    no_traceback(busy)
    assert busy.returncode == ExitCode.BUSY, busy.stderr
    assert "is busy" in busy.stderr
    assert str(first.pid) in busy.stderr
    assert elapsed < 10
    consistent(index)


# --- R27: search during ingest ----------------------------------------------------------------


def test_r27_search_while_ingesting(tmp_path: Path) -> None:
    from archiv.archive import Archive
    from archiv.engine import SearchRequest

    index = tmp_path / "index"
    expect(cli("ingest", write_corpus(tmp_path / "seed", 1), "--index", index, "-q"), 0)
    batches = [write_corpus(tmp_path / f"b{n}", 50, start=1 + 50 * n) for n in range(4)]
    results: list[int] = []
    failures: list[str] = []

    def ingest_batches() -> None:
        for folder in batches:  # one index commit per run: readers see four generations
            done = cli("ingest", folder, "--index", index, "-q")
            if done.returncode != 0:
                failures.append(f"ingest: {done.stderr[-500:]}")

    writer = threading.Thread(target=ingest_batches)
    writer.start()
    started = time.monotonic()
    while writer.is_alive() or time.monotonic() - started < 10:
        try:
            with Archive.for_reading(index) as archive:
                outcome = archive.search(SearchRequest(query="beschluss", limit=1000))
            results.append(len(outcome.documents))
        except Exception as error:  # noqa: BLE001 - every failed search is a finding
            failures.append(f"{type(error).__name__}: {error}")
    writer.join()
    assert failures == []
    assert len(results) > 20
    assert results == sorted(results), "a search saw fewer documents than an earlier one"
    assert results[-1] == 201
    print(
        f"R27: {len(results)} searches during ingest, 0 failed, counts {results[0]}→{results[-1]}"
    )


# --- R28: query DoS on a large index ----------------------------------------------------------


@pytest.fixture(scope="module")
def big_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 pages with ~250k distinct terms, written straight through the engine."""
    from archiv.engine import IndexPage
    from archiv.index import WhooshEngine
    from archiv.store import Store

    root = tmp_path_factory.mktemp("big") / "index"
    root.mkdir()
    Store(root / "archiv.sqlite3").close()
    rng = random.Random(28)
    letters = "abcdefghijklmnopqrstuvwxyz"
    engine = WhooshEngine.create(root / "whoosh")
    for start in range(0, 5000, 1000):
        with engine.writer() as writer:
            for n in range(start, start + 1000):
                words = [
                    "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))
                    for _ in range(60)
                ]
                writer.replace(
                    f"{n:064x}",
                    [
                        IndexPage(
                            document_id=f"{n:064x}",
                            page=1,
                            path=f"/x/{n}.pdf",
                            title=f"Doc {n}",
                            text="Beschluss Verwaltung " + " ".join(words),
                            municipality="Lemgo",
                            doc_type="mitteilung",
                            date="2021-03-12",
                        )
                    ],
                )
    engine.close()  # type: ignore[attr-defined]
    return root


@pytest.mark.parametrize(
    "query",
    [
        "*",
        "a*",
        "*e*",
        "body:[a TO z]",
        "text:[a TO z]",
        "datum:[0000 TO 9999]",
        "x~3",
        "abcdefgh~2",
        "(" * 10_000,
        "Verwaltung " * 10_000,
        "Verwal\x00tung",
        "\x1b[31mBeschluss",
        "a* OR b* OR c* OR d*",
        "?????",
        "beschluss",
    ],
)
def test_r28_query_dos_on_5k_index(big_index: Path, query: str) -> None:
    started = time.monotonic()
    result = run("search", query, "--index", big_index, "--json", "-n", "20")
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr
    assert elapsed < 2.0, (query[:40], elapsed)
    assert result.exit_code in (0, ExitCode.USAGE), result.stderr
    if result.exit_code == 0:
        json.loads(result.stdout)


# --- R05–R08: hostile PDFs that need the worker limits ----------------------------------------

RSS_PROBE = (  # VmHWM, not ru_maxrss: Linux carries ru_maxrss of the forking pytest over exec
    "import runpy, sys\n"
    "sys.argv = ['archiv', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('archiv', run_name='__main__')\n"
    "finally:\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
    "    sys.stderr.write(f'\\nMAXRSS_KB={status}\\n')\n"
)


def ingest_measured(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], int, float]:
    """Run ingest and report the writer's own peak RSS (KiB): the bombs must go off elsewhere."""
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    marker = [line for line in proc.stderr.splitlines() if line.startswith("MAXRSS_KB=")]
    assert marker, proc.stderr[-2000:]
    return proc, int(marker[-1].split("=")[1]), elapsed


def _flate_bomb(rounds: int) -> bytes:
    """Text, then 1 GiB of spaces, deflated (once: 1 MB; twice: a few KB)."""
    comp = zlib.compressobj(9)
    parts = [comp.compress(b"BT /F1 24 Tf 72 720 Td (Beschluss Bombe) Tj ET\n")]
    block = b" " * (1 << 20)
    parts.extend(comp.compress(block) for _ in range(1024))
    parts.append(comp.flush())
    data = b"".join(parts)
    filters = ["FlateDecode"]
    for _ in range(rounds - 1):
        data = zlib.compress(data, 9)
        filters.append("FlateDecode")
    objs = text_page_objs()
    filter_entry = (
        b"/FlateDecode"
        if rounds == 1
        else b"[" + b" ".join(b"/" + f.encode() for f in filters) + b"]"
    )
    objs[4] = (
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filter_entry) + data + b"\nendstream"
    )
    return rawpdf(objs)


def _slow_page() -> bytes:
    ops = (
        b"BT /F1 1 Tf "
        + b"".join(b"1 0 0 1 %d %d Tm (x) Tj " % (i % 600, i % 800) for i in range(150_000))
        + b"ET"
    )
    return rawpdf(text_page_objs(content=b"") | {4: stream(ops, ("FlateDecode",))})


def _many_pages(count: int) -> bytes:
    kids = b" ".join(b"%d 0 R" % (n + 10) for n in range(count))
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        4: stream(b"BT /F1 12 Tf 72 720 Td (Seitenflut) Tj ET"),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    }
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>"
    )
    for n in range(count):
        objs[n + 10] = page
    return rawpdf(objs)


@pytest.fixture(scope="module")
def hostile_limits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits")
    (folder / "flate_bomb.pdf").write_bytes(_flate_bomb(1))
    (folder / "nested_bomb.pdf").write_bytes(_flate_bomb(2))
    (folder / "slow_page.pdf").write_bytes(_slow_page())
    (folder / "many_pages.pdf").write_bytes(_many_pages(50_000))
    make_pdf(folder / "next.pdf", ["Die nächste Datei nach der Bombe: Nachfolgeprobe"])
    return folder


@pytest.mark.parametrize(
    ("rid", "name", "reason", "limit_s", "extra"),
    [
        pytest.param("R05", "flate_bomb.pdf", "resource_limit", 10, (), id="R05-flate-bomb"),
        pytest.param("R06", "nested_bomb.pdf", "resource_limit", 10, (), id="R06-nested-bomb"),
        pytest.param("R07", "slow_page.pdf", "timeout", 10, ("--timeout", "1"), id="R07-slow-page"),
        pytest.param("R08", "many_pages.pdf", "too_many_pages", 20, (), id="R08-50k-pages"),
    ],
)
def test_worker_limits(
    hostile_limits: Path,
    tmp_path: Path,
    rid: str,
    name: str,
    reason: str,
    limit_s: float,
    extra: tuple[str, ...],
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(hostile_limits / name, folder / name)
    shutil.copy(hostile_limits / "next.pdf", folder / "next.pdf")
    index = tmp_path / "index"
    seed = expect(cli("ingest", write_corpus(tmp_path / "seed", 2), "--index", index, "-q",
                      "--json"), 0)
    startup = json.loads(seed.stdout)["seconds"]  # mostly the fork server importing spaCy
    proc, rss_kb, _wall = ingest_measured(
        "ingest", folder, "--index", index, "-q", "--json", "-j", "1", *extra
    )
    no_traceback(proc)  # type: ignore[arg-type]
    assert proc.returncode == ExitCode.FILES_FAILED, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert [(Path(f["path"]).name, f["reason"]) for f in summary["failures"]] == [(name, reason)]
    assert summary["added"] == 1  # the next file is fine
    assert rss_kb < 200 * 1024, f"{rid}: writer peak RSS {rss_kb // 1024} MB"
    elapsed = summary["seconds"] - startup  # the hostile file (and one small one)
    assert elapsed < limit_s, (summary["seconds"], startup)
    state = rows(index, "SELECT state, reason FROM documents WHERE path LIKE ?", (f"%/{name}",))
    assert state == [("failed", reason)]
    assert "Nachfolgeprobe" in json.dumps(
        json.loads(cli("search", "Nachfolgeprobe", "--index", index, "--json").stdout)
    )
    consistent(index)
    print(f"{rid}: {name} → {summary['failures']}, {elapsed:.1f} s, writer RSS {rss_kb // 1024} MB")
