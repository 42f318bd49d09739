"""The benchmark harness runs end to end on a tiny corpus and reports a number in every row.

No timing is asserted (the machine is shared); what is checked is that every measured step ran:
a row with a missing number means a step silently measured nothing.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"\d")


def _table(block: str, header: str) -> list[list[str]]:
    """The body rows of the markdown table whose header row starts with ``header``."""
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def smoke_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], str]:
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nText written by hand stays.\n", encoding="utf-8")
    env = {**os.environ, "ARCHIV_BENCH_CACHE": str(tmp / "cache")}
    env.pop("ARCHIV_INDEX", None)
    done = subprocess.run(
        [str(ROOT / "benchmarks" / "run"), "--smoke", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done, out.read_text(encoding="utf-8") if out.exists() else ""


# The smoke run ingests twice and builds four indexes: 15-90 s on a shared 2-core machine.
smoke = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc for peak RSS")


@pytest.mark.slow
@smoke
def test_smoke_run_exits_cleanly(
    smoke_report: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    done, _ = smoke_report
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
@smoke
def test_out_file_keeps_its_text_and_gains_one_marked_block(
    smoke_report: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = smoke_report
    assert text.startswith("# Benchmarks\n\nText written by hand stays.\n")
    assert text.count("<!-- bench:smoke start -->") == 1
    assert text.count("<!-- bench:smoke end -->") == 1
    assert re.search(r"Machine: .+, \d+ cores, [\d.]+ GiB RAM .* commit `\w+`", text)


@pytest.mark.slow
@smoke
def test_every_measure_has_a_number_for_archiv_and_its_reference(
    smoke_report: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = smoke_report
    rows = _table(text, "| measure |")
    names = [row[0] for row in rows]
    for expected in (
        "raw extraction, pypdfium2",
        "ingest --jobs 1",
        "ingest --jobs 2, pages/s",
        "re-ingest, nothing changed",
        "search p50 ms vs bare Whoosh",
        "search p95 ms vs SQLite FTS5",
        "search p99 ms vs tantivy",
        "chronology seconds",
        "index bytes/page vs bare Whoosh",
        "peak RSS, ingest --jobs 2",
    ):
        assert any(name.startswith(expected) for name in names), (expected, names)
    for name, ours, reference, _ratio in rows:
        assert NUMBER.search(ours) or NUMBER.search(reference), name
        if not name.startswith("peak RSS, build + search"):  # baseline-only rows
            assert NUMBER.search(ours), f"no archiv figure for {name!r}: {ours!r}"
    failed = dict((row[0], row[1]) for row in rows)["files failed in ingest"]
    assert failed == "0"


@pytest.mark.slow
@smoke
def test_stage_split_and_targets_are_reported(
    smoke_report: tuple[subprocess.CompletedProcess[str], str],
) -> None:
    _, text = smoke_report
    stages = {row[0]: row[1] for row in _table(text, "| stage |")}
    assert {"hash", "extract", "tag", "store", "index"} <= stages.keys()
    assert all(NUMBER.search(v) for v in stages.values())
    kinds = {row[0] for row in _table(text, "| kind |")}
    assert kinds == {"single", "compound", "phrase", "ref", "city", "fuzzy", "prefix"}
    targets = _table(text, "| target |")
    assert len(targets) >= 6
    for target, measured, result in targets:
        assert NUMBER.search(measured), target
        assert re.match(r"\*\*(PASS|MISS)\*\* \([\d.]+×", result), (target, result)


def test_corpus_generator_is_deterministic_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import gen_corpus
    finally:
        sys.path.pop(0)
    monkeypatch.setenv("ARCHIV_BENCH_CACHE", str(tmp_path / "a"))
    first, marker = gen_corpus.ensure_corpus(4, seed=3, jobs=1, log=False)
    again, cached = gen_corpus.ensure_corpus(4, seed=3, jobs=1, log=False)
    assert (again, cached) == (first, marker)  # built once: the marker is reused as is
    monkeypatch.setenv("ARCHIV_BENCH_CACHE", str(tmp_path / "b"))
    second, _ = gen_corpus.ensure_corpus(4, seed=3, jobs=1, log=False)
    files = sorted(p.relative_to(first) for p in (first / "pdf").rglob("*.pdf"))
    assert len(files) == 4
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    manifest = gen_corpus.load_manifest(first)
    assert sum(d["pages"] for d in manifest) == marker["pages"]
    assert all(1 <= d["pages"] <= 40 for d in manifest)
    other, _ = gen_corpus.ensure_corpus(4, seed=4, jobs=1, log=False)
    assert sorted(p.name for p in (other / "pdf").rglob("*.pdf")) != sorted(f.name for f in files)
