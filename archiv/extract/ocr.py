"""Tesseract through its command line: the binary is a Debian package, not a Python wheel.

Pages are rendered by the caller (pdfium is not thread-safe) and handed over as greyscale PGM
files; only the ``tesseract`` subprocesses run in parallel. ``OMP_THREAD_LIMIT=1`` because
Tesseract's OpenMP threads fight each other when several pages run at once on two cores.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
from pathlib import Path

logger = logging.getLogger(__name__)

LANGUAGE = "deu"
DPI = 300
INSTALL_HINT = "install the Debian packages tesseract-ocr and tesseract-ocr-deu"


@functools.cache
def tesseract_status() -> str | None:
    """``None`` when OCR can run, else why not (checked once per process)."""
    binary = shutil.which("tesseract")
    if binary is None:
        return f"tesseract not found; {INSTALL_HINT}"
    try:
        result = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"tesseract does not run ({error}); {INSTALL_HINT}"
    languages = set(result.stdout.split()) | set(result.stderr.split())
    if LANGUAGE not in languages:
        return f"tesseract has no '{LANGUAGE}' language data; {INSTALL_HINT}"
    return None


@functools.cache
def _die_with_parent() -> list[str]:
    """``setpriv --pdeathsig KILL``: Tesseract dies with the worker that started it.

    A worker killed for a timeout would otherwise leave Tesseract running as an orphan;
    ``preexec_fn`` could do the same but is unsafe in a threaded process.
    """
    if shutil.which("setpriv") is None:
        return []
    probe = subprocess.run(
        ["setpriv", "--pdeathsig", "KILL", "--", "true"], capture_output=True, check=False
    )
    return ["setpriv", "--pdeathsig", "KILL", "--"] if probe.returncode == 0 else []


def write_pgm(path: Path, width: int, height: int, stride: int, buffer: bytes) -> None:
    """A binary PGM needs no imaging library; Leptonica (inside Tesseract) reads it."""
    with path.open("wb") as handle:
        handle.write(b"P5\n%d %d\n255\n" % (width, height))
        if stride == width:
            handle.write(buffer[: width * height])
        else:
            for row in range(height):
                handle.write(buffer[row * stride : row * stride + width])


def recognize(image: Path, timeout: float) -> str:
    """Plain text of one page image; raises ``OSError``/``subprocess`` errors to the caller."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    command = ["tesseract", str(image), "stdout", "-l", LANGUAGE, "--dpi", str(DPI), "--psm", "3"]
    result = subprocess.run(
        _die_with_parent() + command,
        capture_output=True,
        env=env,
        timeout=timeout,
        check=True,
    )
    return result.stdout.decode("utf-8", errors="replace")
