"""Imported by the fork server only: workers fork from a process with spaCy already built."""

from __future__ import annotations

import contextlib

from archiv.worker_tasks import warm_up

# A failure here is not fatal: each worker then builds the pipeline itself and reports errors.
with contextlib.suppress(Exception):
    warm_up()
