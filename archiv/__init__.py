"""archiv: a searchable archive and a chronology of resolutions for German council documents.

The data flow, one module per stage::

    discover → (workers) extract → tag → resolutions → store → index → search / chronology

``archiv.archive.Archive`` is the library entry point the CLI (and a later web UI) call.
"""

from __future__ import annotations

__version__ = "0.1.0"
