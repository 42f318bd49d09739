"""Refuse to run with dependency versions that are unsafe or that the index format depends on.

pdfminer.six before 20251230 lets a malicious PDF execute code (CVE-2025-64512), and archiv
reads PDFs from the internet. Whoosh's on-disk format and the behaviour archiv works around
(``update_document`` duplicates, the reader race) were measured on whoosh-reloaded 2.7.5 only,
so another version must be a deliberate upgrade, not an accident of ``pip install``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

from archiv.errors import ArchivError


class DependencyError(ArchivError):
    """An installed library is missing or at a version archiv must not run with."""


@dataclass(frozen=True, slots=True)
class Requirement:
    distribution: str  # the name pip knows
    minimum: str | None = None  # inclusive
    exact: str | None = None
    why: str = ""


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("pdfminer.six", minimum="20251230",
                why="older versions allow code execution from a malicious PDF (CVE-2025-64512)"),
    Requirement("whoosh-reloaded", exact="2.7.5",
                why="the index format and its crash behaviour were verified on this version only"),
)


def _key(version: str) -> tuple[int, ...]:
    """Numeric release parts; a pre-release suffix sorts at its release (good enough here)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+", 1)[0])[:4])


def check_requirement(req: Requirement, version_of: Callable[[str], str] = metadata.version) -> None:
    """Raise :class:`DependencyError` with the fix when ``req`` is not met."""
    try:
        installed = version_of(req.distribution)
    except metadata.PackageNotFoundError:
        raise DependencyError(
            f"{req.distribution} is not installed: pip install '{_spec(req)}'"
        ) from None
    if req.exact is not None and _key(installed) != _key(req.exact):
        raise DependencyError(
            f"{req.distribution} {installed} is installed but archiv needs exactly {req.exact} "
            f"({req.why}): pip install '{_spec(req)}'"
        )
    if req.minimum is not None and _key(installed) < _key(req.minimum):
        raise DependencyError(
            f"{req.distribution} {installed} is too old: {req.why}; pip install '{_spec(req)}'"
        )


def _spec(req: Requirement) -> str:
    return f"{req.distribution}=={req.exact}" if req.exact else f"{req.distribution}>={req.minimum}"


def check_dependencies(version_of: Callable[[str], str] = metadata.version) -> None:
    """Check every requirement; called once before archiv reads a PDF or opens an index."""
    for req in REQUIREMENTS:
        check_requirement(req, version_of)
