"""R11: 200 randomly corrupted PDFs (seed 42) through the real ingest pipeline.

Every mutant must end ``ok`` or ``failed:<known reason>`` within the per-file timeout + 1 s,
and the archive must be consistent afterwards. PDF libraries raise raw ``TypeError``,
``KeyError`` or ``RecursionError`` on about 3 % of such files; those must surface as
``failed:unreadable``, never as a crash of the batch. ``ARCHIV_FUZZ_COUNT`` changes the count.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from archiv.models import IngestResult
from tests.conftest import make_pdf, run
from tests.fixtures.build import rawpdf, stream, text_page_objs

pytestmark = pytest.mark.slow

SEED = 42
COUNT = int(os.environ.get("ARCHIV_FUZZ_COUNT", "200"))
TIMEOUT = 5.0
KNOWN_REASONS = {
    "unreadable",
    "not_pdf",
    "empty",
    "encrypted",
    "timeout",
    "resource_limit",
    "too_many_pages",
    "no_text",
    "changed_during_read",
}


def seed_pdfs() -> list[bytes]:
    """Small but varied, and byte-for-byte reproducible: reportlab (invariant mode), raw
    objects, a deflated content stream. Encrypted seeds are left out: pypdf salts randomly."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        one = make_pdf(
            Path(tmp) / "a.pdf",
            [
                "Der Rat der Stadt Lemgo beschließt am 12.03.2021 einstimmig\n"
                "den Beitritt zum Netzwerk (Vorlage 0002/15).",
                "Seite zwei: Haushalt und Verwaltung",
            ],
            title="Niederschrift",
        ).read_bytes()
        two = make_pdf(Path(tmp) / "b.pdf", ["Mitteilung\nDS-Nr. 1045/2014-2020"] * 3).read_bytes()
    raw = rawpdf(text_page_objs("Beschluss Haushalt 2021"))
    objs = text_page_objs()
    objs[4] = stream(
        b"BT /F1 18 Tf 72 720 Td (Mitteilung der Verwaltung Radweg) Tj ET", ("FlateDecode",)
    )
    return [one, two, raw, rawpdf(objs)]


def _flip(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(data))
        data[pos] ^= 1 << rng.randrange(8)


def _truncate(data: bytearray, rng: random.Random) -> None:
    del data[rng.randrange(1, len(data)) :]


def _duplicate(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    chunk = data[start : start + rng.randint(1, 2000)]
    at = rng.randrange(len(data))
    data[at:at] = chunk * rng.randint(1, 50)


def _zero(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 256))
    data[start:end] = bytes(end - start)


MUTATIONS: dict[str, Callable[[bytearray, random.Random], None]] = {
    "flip": _flip,
    "trunc": _truncate,
    "dup": _duplicate,
    "zero": _zero,
}


def mutants(count: int, seed: int = SEED) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    seeds = seed_pdfs()
    out = []
    for n in range(count):
        data = bytearray(seeds[n % len(seeds)])
        kind = rng.choice(sorted(MUTATIONS))
        MUTATIONS[kind](data, rng)
        if rng.random() < 0.2:  # sometimes a second, different mutation
            MUTATIONS[rng.choice(sorted(MUTATIONS))](data, rng)
        out.append((f"m{n:03d}-{kind}.pdf", bytes(data)))
    return out


class Timed:
    """Progress that notes when each result arrived; with one worker that bounds each file."""

    def __init__(self) -> None:
        self.results: list[tuple[IngestResult, float]] = []
        self.last = time.monotonic()

    def start(self, total: int) -> None:
        self.last = time.monotonic()

    def advance(self, result: IngestResult) -> None:
        now = time.monotonic()
        self.results.append((result, now - self.last))
        self.last = now


def test_r11_fuzzed_pdfs(tmp_path: Path) -> None:
    from archiv.archive import Archive
    from archiv.config import IngestSettings
    from archiv.models import ExtractOptions
    from archiv.pipeline import ingest

    folder = tmp_path / "fuzz"
    folder.mkdir()
    for name, data in mutants(COUNT):
        (folder / name).write_bytes(data)
    index = tmp_path / "index"
    settings = IngestSettings(jobs=1, extract=ExtractOptions(ocr="never", timeout=TIMEOUT))
    progress = Timed()
    started = time.monotonic()
    with Archive.for_writing(index) as archive:
        report = ingest(archive, [folder], settings, progress=progress)
    total = time.monotonic() - started
    assert len(progress.results) == COUNT
    outcomes: Counter[str] = Counter()
    for result, _seconds in progress.results:
        if result.outcome in ("added", "updated"):
            outcomes["ok"] += 1
        elif result.outcome == "skipped":
            assert result.reason == "duplicate", result
            outcomes["duplicate"] += 1
        else:
            assert result.outcome == "failed", result
            assert result.reason in KNOWN_REASONS, result
            assert "Traceback" not in (result.message or "")
            outcomes[f"failed:{result.reason}"] += 1
    # The first file also waits for the fork server to import spaCy: not parse time.
    first, *rest = [seconds for _, seconds in progress.results]
    assert first <= TIMEOUT + 1.0 + 30, first
    assert max(rest) <= TIMEOUT + 1.0, max(rest)
    assert outcomes["ok"] > 0 and report.failed > 0
    checked = run("check", "--index", index, "--json", "--no-files")
    assert checked.exit_code == 0, checked.stdout
    assert json.loads(checked.stdout)["ok"]
    times = sorted((seconds for _, seconds in progress.results), reverse=True)
    print(f"R11: {COUNT} mutants in {total:.1f} s, slowest {[round(t, 2) for t in times[:3]]} s "
          f"(the first includes the worker start): {dict(sorted(outcomes.items()))}")


def test_mutants_are_deterministic_and_really_mutated() -> None:
    first, again = mutants(40), mutants(40)
    assert first == again  # seed 42 reproduces every mutant
    seeds = seed_pdfs()
    assert all(data not in seeds for _, data in first)
    assert {name.split("-")[1].removesuffix(".pdf") for name, _ in first} == set(MUTATIONS)
