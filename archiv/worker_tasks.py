"""The per-file work done inside a worker process: extract → tag → find resolutions.

Parsing and tagging both run in the workers, so they use every core, and a PDF that hangs or
explodes takes down a worker, never the writer. So does deriving each resolution's merge
features (folded names, stems, reference keys), which the store keeps for the chronology:
the single writer only stores them. The result travels back pickled.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from archiv.errors import ExtractError
from archiv.models import (
    DocumentFacts,
    ExtractedFile,
    ExtractOptions,
    FeaturedResolutions,
    Mention,
)


@dataclass(frozen=True, slots=True)
class FileTask:
    path: str
    document_id: str
    size: int | None
    mtime_ns: int | None
    options: ExtractOptions


@dataclass(frozen=True, slots=True)
class Processed:
    extracted: ExtractedFile
    facts: DocumentFacts
    mentions: tuple[Mention, ...]
    resolutions: FeaturedResolutions  # iterates like a tuple of Resolution
    timings: dict[str, float] = field(default_factory=dict)


def process_file(task: FileTask) -> Processed:
    from archiv.chronology import merge_features
    from archiv.extract import extract_file
    from archiv.tag import tag_pages
    from archiv.tag.resolutions import find_resolutions

    t0 = time.perf_counter()
    extracted = extract_file(Path(task.path), task.options)
    t1 = time.perf_counter()
    tagged = tag_pages(extracted.pages, title=extracted.title)
    t2 = time.perf_counter()
    found = tuple(find_resolutions(
        extracted.pages, tagged.mentions, tagged.facts, document_id=task.document_id, path=task.path
    ))
    resolutions = FeaturedResolutions(found, tuple(merge_features(r) for r in found))
    t3 = time.perf_counter()
    _check_unchanged(task)
    return Processed(
        extracted=extracted,
        facts=tagged.facts,
        mentions=tuple(tagged.mentions),
        resolutions=resolutions,
        timings={"extract": t1 - t0, "tag": t2 - t1, "resolutions": t3 - t2},
    )


def _check_unchanged(task: FileTask) -> None:
    """The hash was taken before parsing; text of version B must never be stored under hash A."""
    try:
        st = os.stat(task.path)
    except OSError as error:
        raise ExtractError("changed_during_read", f"{task.path}: vanished while it was read") from error
    if task.size is not None and (st.st_size != task.size or st.st_mtime_ns != task.mtime_ns):
        raise ExtractError(
            "changed_during_read", f"{task.path}: the file changed while it was read; ingest again"
        )


def warm_up() -> None:
    """Import and build the heavy parts once in the fork server, before workers fork from it."""
    import archiv.chronology  # noqa: F401
    import archiv.extract  # noqa: F401
    from archiv.tag.nlp import build_nlp

    build_nlp()
