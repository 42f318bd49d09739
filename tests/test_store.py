"""The SQLite store: states, idempotent content, paths, failures, read-only opening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archiv.errors import NoArchiveError, NotFoundError
from archiv.models import DocumentFacts, Mention, PageText, Resolution, Source
from archiv.store import Store

DOC = "a" * 64
OTHER = "b" * 64


def _fill(store: Store, document_id: str = DOC, path: str = "/x/a.pdf") -> None:
    store.stage(document_id, path, 10, 1)
    store.save_parsed(document_id, [PageText(1, "Der Rat beschließt."), PageText(2, "Seite zwei")],
                      file_type="pdf", title="Titel")
    store.save_tagged(
        document_id,
        DocumentFacts(doc_type="mitteilung", date="2023-10-25", date_precision="day",
                      municipality="Bielefeld", reference="1045/2014-2020"),
        [Mention("date", "25.10.2023", "2023-10-25", 1, 0, 10, precision="day")],
        [Resolution(kind="resolution", status="decided", date="2015-03-12", precision="day",
                    end_date=None, body="Rat", city="Bielefeld", subject="Beitritt",
                    references=("1045/2014-2020",), outcome=None,
                    source=Source(document_id, path, 1, "Der Rat beschließt."))],
        pipeline_version="1", fallback_title="a",
    )


def test_state_machine_and_reading(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    assert store.documents() == []  # tagged, not yet indexed: not listed as ingested
    assert store.ids_in_state("tagged") == [DOC]
    store.mark_indexed([DOC])
    [record] = store.documents()
    assert (record.status, record.type, record.municipality, record.pages) == ("ok", "mitteilung", "Bielefeld", 2)
    assert record.title == "Titel"
    assert [p.text for p in store.pages(DOC)] == ["Der Rat beschließt.", "Seite zwei"]
    [(mention, doc_id, path)] = store.mentions(label="date")
    assert (mention.value, doc_id, path) == ("2023-10-25", DOC, "/x/a.pdf")
    [resolution] = list(store.resolutions())
    assert resolution.references == ("1045/2014-2020",) and resolution.source.page == 1
    assert store.counts()["documents"] == 1


def test_restaging_replaces_content_not_duplicates(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    _fill(store)
    store.mark_indexed([DOC])
    assert len(store.pages(DOC)) == 2
    assert len(store.mentions()) == 1
    assert len(list(store.resolutions())) == 1


def test_changed_file_at_same_path_reports_previous_document(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    store.mark_indexed([DOC])
    assert store.stage(OTHER, "/x/a.pdf", 11, 2) == DOC
    assert store.drop_if_orphaned(DOC)
    assert store.document_state(DOC) is None


def test_failure_recorded_and_listed(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.mark_failed(OTHER, "/x/bad.pdf", "encrypted", "/x/bad.pdf: needs a password")
    [record] = store.documents(status="failed")
    assert (record.status, record.reason, record.error) == ("failed", "encrypted", "/x/bad.pdf: needs a password")
    assert store.failed_paths() == ["/x/bad.pdf"]


def test_document_lookup_by_prefix_and_path(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    _fill(store, OTHER, "/x/b.pdf")
    assert store.document("aaaa").document_id == DOC
    assert store.document("/x/b.pdf").document_id == OTHER
    with pytest.raises(NotFoundError):
        store.document("cccc")


def test_rollback_keeps_previous_state(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    store.mark_indexed([DOC])
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("DELETE FROM pages")
        raise RuntimeError("crash in the middle")
    assert len(store.pages(DOC)) == 2


def test_readonly_open(tmp_path: Path) -> None:
    with pytest.raises(NoArchiveError):
        Store.open_existing(tmp_path / "none.sqlite3")
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    store.mark_indexed([DOC])
    store.close()
    reader = Store.open_existing(tmp_path / "s.sqlite3")
    assert len(reader.documents()) == 1
    with pytest.raises(sqlite3.OperationalError):
        reader.db.execute("DELETE FROM pages")


def test_resolutions_filtered_by_kind_in_sql(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    store.mark_indexed([DOC])
    assert [r.kind for r in store.resolutions(kinds=("resolution",))] == ["resolution"]
    assert list(store.resolutions(kinds=("event",))) == []
