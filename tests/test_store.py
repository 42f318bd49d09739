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


# --- pages without text (ok:no_text) and the version-2 schema ------------------------------

THIRD = "c" * 64


def _fill_scan(store: Store, document_id: str, path: str, pages: list[PageText]) -> None:
    store.stage(document_id, path, 20, 1)
    store.save_parsed(document_id, pages, file_type="pdf", title=None)
    store.save_tagged(document_id, DocumentFacts(), [], [], pipeline_version="1",
                      fallback_title=Path(path).stem)


def test_pages_without_text_are_stored_with_their_reason(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _fill(store)
    _fill_scan(store, OTHER, "/x/scan.pdf", [PageText(1, "", no_text="ocr_off")])
    _fill_scan(store, THIRD, "/x/mixed.pdf", [
        PageText(1, "Digital"), PageText(2, "Gescannt", ocr=True),
        PageText(3, " \n", ocr=True, no_text="ocr_empty"), PageText(4, "")])
    store.mark_indexed([DOC, OTHER, THIRD])
    records = {r.document_id: r for r in store.documents()}
    assert {d: (r.status, r.pages, r.pages_without_text) for d, r in records.items()} == {
        DOC: ("ok", 2, 0), OTHER: ("ok:no_text", 1, 1), THIRD: ("ok", 4, 2)}
    assert [r.document_id for r in store.documents(status="ok:no_text")] == [OTHER]
    assert len(store.documents(status="ok")) == 3  # ok:no_text is ingested and indexed too
    assert store.documents(status="failed") == []
    assert [p.no_text for p in store.pages(THIRD)] == [None, None, "ocr_empty", "empty"]
    listed = [(r.document_id, pages) for r, pages in store.pages_without_text()]
    assert listed == [(THIRD, [(3, "ocr_empty"), (4, "empty")]), (OTHER, [(1, "ocr_off")])]
    assert store.no_text_paths() == ["/x/scan.pdf"]  # OCR cannot improve ocr_empty or empty
    assert store.awaits_ocr(OTHER) and not store.awaits_ocr(THIRD)
    assert store.path_state("/x/scan.pdf").awaits_ocr  # type: ignore[union-attr]
    overview = store.overview()
    assert overview["states"] == {"ok": 2, "ok:no_text": 1, "failed": 0, "in_progress": 0}
    assert (overview["pages"], overview["ocr_pages"], overview["pages_without_text"],
            overview["needs_ocr"], overview["ocr_fixable"]) == (7, 1, 3, 2, 1)
    # A later run with OCR replaces the pages: the document is an ordinary one again.
    _fill_scan(store, OTHER, "/x/scan.pdf", [PageText(1, "Jetzt lesbar", ocr=True)])
    store.mark_indexed([OTHER])
    assert store.document(OTHER).status == "ok" and not store.awaits_ocr(OTHER)
    assert store.no_text_paths() == []


def test_failures_counted_by_reason_and_legacy_no_text_retried(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.mark_failed(OTHER, "/x/bad.pdf", "encrypted", "needs a password")
    store.mark_failed(THIRD, "/x/old-scan.pdf", "no_text", "failed by an older archiv")
    overview = store.overview()
    assert overview["failure_reasons"] == {"encrypted": 1, "no_text": 1}
    assert overview["states"]["failed"] == overview["failures"] == 2
    assert store.no_text_paths() == ["/x/old-scan.pdf"]


def _as_version_1(path: Path) -> None:
    """Turn a store into what archiv wrote before schema version 2."""
    db = sqlite3.connect(path)
    db.executescript(
        "DROP INDEX pages_without_text; ALTER TABLE pages DROP COLUMN no_text; "
        "ALTER TABLE documents DROP COLUMN empty_pages; "
        "UPDATE meta SET value = '1' WHERE key = 'schema_version';")
    db.close()


def test_version_1_archive_is_read_as_is_and_migrated_by_a_writer(tmp_path: Path) -> None:
    from archiv.store import SCHEMA_VERSION

    path = tmp_path / "s.sqlite3"
    store = Store(path)
    _fill(store)
    _fill_scan(store, OTHER, "/x/b.pdf", [PageText(1, "Text"), PageText(2, " \n")])
    store.mark_indexed([DOC, OTHER])
    store.close()
    _as_version_1(path)

    reader = Store.open_existing(path)  # readers never write, so they never migrate
    assert reader.meta("schema_version") == "1"
    assert [p.no_text for p in reader.pages(OTHER)] == [None, "empty"]
    assert reader.document(OTHER).pages_without_text == 1
    assert [(r.document_id, pages) for r, pages in reader.pages_without_text()] == [
        (OTHER, [(2, "empty")])]
    assert reader.overview()["pages_without_text"] == 1
    reader.close()

    writer = Store(path)
    assert writer.meta("schema_version") == str(SCHEMA_VERSION) == "2"
    assert [tuple(r) for r in writer.db.execute(
        "SELECT document_id, number, no_text FROM pages ORDER BY 1, 2")] == [
        (DOC, 1, None), (DOC, 2, None), (OTHER, 1, None), (OTHER, 2, "empty")]
    assert {r.document_id: r.pages_without_text for r in writer.documents()} == {DOC: 0, OTHER: 1}
    assert [tuple(r) for r in writer.db.execute(
        "SELECT name FROM sqlite_master WHERE name = 'pages_without_text'")] == [("pages_without_text",)]
    writer.close()
    again = Store(path)  # migrating twice changes nothing
    assert again.meta("schema_version") == "2"
    assert again.document(OTHER).pages_without_text == 1
    assert again.integrity_ok()
