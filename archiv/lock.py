"""One writer per archive: an advisory ``flock`` on ``<archive>/.lock``.

The kernel frees the lock when its holder dies (even by ``kill -9``), so a crash never leaves a
stale lock behind; the PID written into the file only serves the "busy" message.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archiv.errors import ArchiveBusyError, NoSpaceError, ReadOnlyError


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        return "another process"
    return f"PID {pid}" if pid.isdigit() else "another process"


@contextmanager
def write_lock(archive_dir: Path, *, wait: float = 60.0) -> Iterator[None]:
    """Hold the archive's write lock; wait up to ``wait`` seconds for another writer."""
    path = archive_dir / ".lock"
    try:
        archive_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise ReadOnlyError(
                f"{archive_dir}: the archive is read-only; search and chronology still work"
            ) from error
        if error.errno == errno.ENOSPC:
            raise NoSpaceError(f"{archive_dir}: no space left on device") from error
        raise
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    hint = "" if wait <= 0 else f" (waited {wait:g} s)"
                    raise ArchiveBusyError(
                        f"archive {archive_dir} is busy: {_holder(path)} is writing to it{hint}; "
                        "try again later"
                    ) from None
                time.sleep(0.1)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except OSError:
            pass  # the PID is only for the message; a full disk must not block the lock
        yield
    finally:
        os.close(fd)  # closing releases the flock
