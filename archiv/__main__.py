from __future__ import annotations

from archiv.cli import main

if __name__ == "__main__":
    main()
