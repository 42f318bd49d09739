"""Task functions for tests of archiv.workers; importable by the fork server."""

from __future__ import annotations

import time

from archiv.errors import ExtractError


def echo(x: int) -> int:
    return x * 2


def slow(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def hog(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def broken(reason: str) -> None:
    if reason == "type":
        raise TypeError("unexpected NoneType")
    raise ExtractError(reason, f"sample: {reason}")


def stamp(seconds: float) -> float:
    """Sleep, then say when the task ended: shows whether workers ran while the caller was busy."""
    time.sleep(seconds)
    return time.monotonic()


def pid(x: int) -> tuple[int, int]:
    """(x, the process that ran it)."""
    import os

    return x, os.getpid()
