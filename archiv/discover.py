"""Which files an ingest reads: regular files under the given roots, nothing else.

Python's directory walk follows symlinks out of the folder and lists FIFOs (opening one blocks
forever), so every entry is ``lstat``-ed: symlinks are skipped (with a note), as are FIFOs,
sockets and devices. A file given explicitly by the user is taken as given when it is a regular
file, symlink or not.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archiv.output import escape_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file to ingest, or a path that cannot be (``problem`` is a reason word)."""

    path: Path
    size: int | None = None
    mtime_ns: int | None = None
    problem: str | None = None  # not_found, unreadable, unsupported, symlink, special
    message: str | None = None


def sha256_file(path: Path | str) -> str:
    """The document id: sha256 of the file's bytes, streamed.

    Only a regular file is read (``O_NONBLOCK``, no symlink followed): a FIFO would block
    forever and ``/dev/zero`` never ends. Anything else raises ``OSError``.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    finally:
        os.close(fd)


def _candidate(path: Path, st: os.stat_result) -> Candidate:
    return Candidate(path=path, size=st.st_size, mtime_ns=st.st_mtime_ns)


def discover(roots: Iterable[Path]) -> Iterator[Candidate]:
    """Yield every ingestible file under ``roots`` in a stable (sorted) order."""
    from archiv.extract import SUPPORTED_SUFFIXES

    seen: set[Path] = set()
    for root in roots:
        try:
            st = root.stat()  # an explicit root may be a symlink: the user named it
        except FileNotFoundError:
            yield Candidate(root, problem="not_found", message=f"{escape_path(root)}: no such file or folder")
            continue
        except OSError as error:
            yield Candidate(root, problem="unreadable", message=f"{escape_path(root)}: {error.strerror}")
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(root, seen, SUPPORTED_SUFFIXES)
        elif stat.S_ISREG(st.st_mode):
            resolved = root.resolve()
            if resolved not in seen:
                seen.add(resolved)
                if root.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield _candidate(root.absolute(), st)
                else:
                    yield Candidate(root.absolute(), size=st.st_size, problem="unsupported",
                                    message=f"{escape_path(root)}: unsupported file type "
                                    f"{root.suffix or '(none)'!r}; supported: "
                                    + ", ".join(sorted(SUPPORTED_SUFFIXES)))
        else:
            yield Candidate(root, problem="special", message=f"{escape_path(root)}: not a regular file")


def _walk(root: Path, seen: set[Path], suffixes: frozenset[str]) -> Iterator[Candidate]:
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as error:
        yield Candidate(root, problem="unreadable", message=f"{escape_path(root)}: {error.strerror}")
        return
    for entry in entries:
        path = Path(entry.path).absolute()
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as error:
            yield Candidate(path, problem="unreadable", message=f"{escape_path(path)}: {error.strerror}")
            continue
        if stat.S_ISLNK(st.st_mode):
            log.warning("%s: symlink ignored", escape_path(path))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, seen, suffixes)
        elif stat.S_ISREG(st.st_mode):
            if path.suffix.lower() not in suffixes or path.name.startswith("."):
                log.debug("%s: not a supported document type, skipped", escape_path(path))
                continue
            if path not in seen:
                seen.add(path)
                if not os.access(path, os.R_OK):
                    yield Candidate(path, size=st.st_size, problem="unreadable",
                                    message=f"{escape_path(path)}: permission denied")
                    continue
                yield _candidate(path, st)
        else:
            log.warning("%s: not a regular file (FIFO, socket or device), skipped", escape_path(path))
