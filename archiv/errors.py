"""One exception hierarchy; each error carries the exit code the CLI ends with.

The library raises these and never calls ``sys.exit``; ``cli.py`` maps them to exit codes in
one place. Messages are one line and end with the next step where there is one.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Documented in README.md ("Exit codes"); tests assert every one of them."""

    OK = 0
    FILES_FAILED = 1  # a batch finished, but some input files could not be read
    USAGE = 2  # bad options or a malformed / too broad query
    INDEX_DAMAGED = 3  # index unreadable or out of date: run `archiv reindex`
    BUSY = 4  # another process holds the archive's write lock
    NO_SPACE = 5  # disk full; nothing stored was lost
    NO_ARCHIVE = 6  # nothing ingested yet: run `archiv ingest`
    READ_ONLY = 7  # the archive cannot be written
    DRIFT = 8  # `archiv check` found store and index disagreeing
    NOT_FOUND = 9  # a document / reference asked for does not exist
    INTERNAL = 70  # a bug: please report it
    INTERRUPTED = 130


class ArchivError(Exception):
    """Base for every error archiv raises on purpose."""

    exit_code: ClassVar[ExitCode] = ExitCode.INTERNAL


class UsageError(ArchivError):
    exit_code = ExitCode.USAGE


class QueryError(UsageError):
    """A query that cannot be parsed or would be unbounded; the message says what to fix."""


class IndexDamagedError(ArchivError):
    exit_code = ExitCode.INDEX_DAMAGED


class ArchiveBusyError(ArchivError):
    exit_code = ExitCode.BUSY


class NoSpaceError(ArchivError):
    exit_code = ExitCode.NO_SPACE


class NoArchiveError(ArchivError):
    exit_code = ExitCode.NO_ARCHIVE


class ReadOnlyError(ArchivError):
    exit_code = ExitCode.READ_ONLY


class DriftError(ArchivError):
    exit_code = ExitCode.DRIFT


class NotFoundError(ArchivError):
    exit_code = ExitCode.NOT_FOUND


class ExtractError(ArchivError):
    """One input file could not be read; ``reason`` is a stable machine word for the store.

    Reasons: ``not_found``, ``unreadable``, ``not_pdf``, ``empty``, ``encrypted``, ``timeout``,
    ``resource_limit``, ``too_many_pages``, ``unsupported``, ``changed_during_read``. A file
    without text is no failure (it is stored as ``ok:no_text``); ``no_text`` only appears in
    archives written before, and ``archiv ingest --retry-no-text`` reads those files again.
    """

    exit_code = ExitCode.FILES_FAILED

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
