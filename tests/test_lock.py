"""One writer per archive."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from archiv.errors import ArchiveBusyError
from archiv.lock import write_lock


def test_second_writer_waits_then_fails_naming_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys,time; from pathlib import Path; from archiv.lock import write_lock\n"
         f"with write_lock(Path({str(tmp_path)!r})):\n print('LOCKED', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        started = time.monotonic()
        with pytest.raises(ArchiveBusyError, match=f"PID {holder.pid}"), write_lock(tmp_path, wait=0.5):
            pass
        assert 0.4 < time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()
    with write_lock(tmp_path, wait=5):  # a killed holder frees the lock
        pass


def test_lock_is_reentrant_across_sequential_uses(tmp_path: Path) -> None:
    for _ in range(3):
        with write_lock(tmp_path, wait=0):
            pass
