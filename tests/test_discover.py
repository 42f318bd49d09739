"""Only regular files under the given roots: symlinks, FIFOs and devices are skipped (R14, R15)."""

from __future__ import annotations

import os
from pathlib import Path

from archiv.discover import discover
from archiv.output import escape_path


def _names(found) -> list[str]:  # noqa: ANN001
    return [c.path.name for c in found if c.problem is None]


def test_walk_is_sorted_recursive_and_filters_types(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("a.pdf", "b/c.PDF", "b/d.txt", "e.png", ".hidden.pdf", "f.docx", "g.odt"):
        (tmp_path / name).write_bytes(b"x")
    assert _names(discover([tmp_path])) == ["a.pdf", "c.PDF", "d.txt", "f.docx", "g.odt"]


def test_symlinks_fifos_and_loops_are_skipped(tmp_path: Path) -> None:
    inside = tmp_path / "in"
    outside = tmp_path / "outside"
    (inside / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    (inside / "ok.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(outside / "secret.pdf", inside / "s.pdf")
    os.symlink(tmp_path, inside / "sub" / "loop")
    os.symlink(outside, inside / "out")
    os.mkfifo(inside / "fifo.pdf")
    os.symlink("/dev/zero", inside / "zero.pdf")
    found = list(discover([inside]))
    assert [c.path.name for c in found] == ["ok.pdf"]


def test_explicit_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.xyz").write_text("x")
    found = list(discover([tmp_path / "missing.pdf", tmp_path / "notes.xyz"]))
    assert [c.problem for c in found] == ["not_found", "unsupported"]
    assert "missing.pdf" in (found[0].message or "")


def test_hostile_names_are_escaped_on_one_line(tmp_path: Path) -> None:
    name = "evil\nname\x1b[31m.pdf"
    assert escape_path(tmp_path / name).endswith("evil\\nname\\x1b[31m.pdf")
    assert escape_path(os.fsdecode(b"/tmp/\xff.pdf")) == "/tmp/\\xff.pdf"
