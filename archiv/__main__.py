from __future__ import annotations

from archiv.cli import main

main()
