"""Settings read once, handed down as a frozen value: no stage reads the environment itself."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from archiv.models import ExtractOptions

ENV_INDEX = "ARCHIV_INDEX"
DEFAULT_INDEX = Path("index")
DEFAULT_CORPUS = Path("corpus")

STORE_FILE = "archiv.sqlite3"
ENGINE_DIR = "whoosh"
LOCK_FILE = ".lock"

# Bumped whenever extraction, cleaning or tagging changes what is stored for the same bytes:
# documents ingested by an older pipeline are redone by the next `archiv ingest`.
PIPELINE_VERSION = "1"


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class IngestSettings:
    force: bool = False  # redo every file, changed or not
    retry_failed: bool = False  # only the files that failed before
    retry_no_text: bool = False  # only the files with pages OCR could still read
    jobs: int = field(default_factory=default_jobs)
    extract: ExtractOptions = field(default_factory=ExtractOptions)
    wait: float = 60.0  # seconds to wait for another writer's lock; 0 = fail at once
    batch_size: int = 200  # documents per index commit …
    batch_pages: int = 1000  # … or pages, whichever comes first: bounds the writer's memory
    read_ahead: int = 32  # files received from workers while the writer commits the index
    worker_tasks: int = 500  # files a worker reads before a fresh one replaces it (bounds RSS)
    profile: bool = False
