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


_VERSION_3 = """
    DROP TRIGGER resolutions_inserted; DROP TRIGGER resolutions_deleted;
    DROP TRIGGER resolutions_updated; DROP TRIGGER resolution_documents_changed;
    DROP TRIGGER resolution_documents_deleted;
    DROP TABLE resolution_features; DROP TABLE resolution_texts; DROP TABLE chronology_cities;
    DROP TABLE chronology_cache;
    DELETE FROM meta WHERE key IN ('resolutions_generation', 'merge_features');
    UPDATE meta SET value = '2' WHERE key = 'schema_version';
"""


def _as_version_2(path: Path) -> None:
    """Turn a store into what archiv wrote before schema version 3."""
    db = sqlite3.connect(path)
    db.executescript(_VERSION_3)
    db.close()


def _as_version_1(path: Path) -> None:
    """Turn a store into what archiv wrote before schema version 2."""
    _as_version_2(path)
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
    assert writer.meta("schema_version") == str(SCHEMA_VERSION) == "3"
    assert [tuple(r) for r in writer.db.execute(
        "SELECT document_id, number, no_text FROM pages ORDER BY 1, 2")] == [
        (DOC, 1, None), (DOC, 2, None), (OTHER, 1, None), (OTHER, 2, "empty")]
    assert {r.document_id: r.pages_without_text for r in writer.documents()} == {DOC: 0, OTHER: 1}
    assert [tuple(r) for r in writer.db.execute(
        "SELECT name FROM sqlite_master WHERE name = 'pages_without_text'")] == [("pages_without_text",)]
    writer.close()
    again = Store(path)  # migrating twice changes nothing
    assert again.meta("schema_version") == "3"
    assert again.document(OTHER).pages_without_text == 1
    assert again.integrity_ok()


# --- what the chronology reads: merge features, cities, generation, cache (version 3) -------

from archiv.chronology import ROW_FIELDS, features_version, merge_features  # noqa: E402
from archiv.models import FeaturedResolutions  # noqa: E402


def _said(document_id: str, text: str, *, city: str | None = "Paderborn",
          kind: str = "resolution", refs: tuple[str, ...] = ()) -> Resolution:
    return Resolution(kind=kind, status="decided" if kind == "resolution" else None,  # type: ignore[arg-type]
                      date="2015-03-12", precision="day", end_date=None, body="Rat", city=city,
                      subject="Beitritt zum Netzwerk", references=refs, outcome=None,
                      source=Source(document_id, f"/x/{document_id[:4]}.pdf", 1, text))


def _store(store: Store, document_id: str, resolutions: object, *, index: bool = True) -> None:
    store.stage(document_id, f"/x/{document_id[:4]}.pdf", 10, 1)
    store.save_parsed(document_id, [PageText(1, "Text")], file_type="pdf", title=None)
    store.save_tagged(document_id, DocumentFacts(), [], resolutions,  # type: ignore[arg-type]
                      pipeline_version="1", fallback_title=None)
    if index:
        store.mark_indexed([document_id])


def _features(store: Store) -> list[tuple]:
    return [tuple(r) for r in store.db.execute(
        "SELECT r.sentence, f.refs, f.body, f.city, f.stems, f.subject_stems, f.mentions, f.dup "
        "FROM resolutions r JOIN resolution_features f ON f.id = r.id ORDER BY r.id")]


def test_features_sent_by_the_worker_are_stored_as_sent(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s.sqlite3")
    records = (_said(DOC, "Der Rat beschließt den Beitritt (DS 1045/2014-2020).",
                     refs=("DS-Nr. 1045/2014-2020",)),)
    sent = FeaturedResolutions(records, tuple(merge_features(r) for r in records))

    def derive(_: Resolution) -> None:
        raise AssertionError("the writer derived features the worker had sent")

    monkeypatch.setattr("archiv.chronology.merge_features", derive)
    _store(store, DOC, sent)
    monkeypatch.undo()
    _store(store, OTHER, records)  # a plain tuple: derived by the writer, the same
    (feature,) = sent.features
    expected = (records[0].source.text, '["1045/2014-2020"]', feature.body, feature.city,
                feature.stems, feature.subject_stems, "[]", 0)
    assert _features(store) == [expected, expected]
    assert feature.city == "paderborn" and feature.body == "rat" and "beitr" in feature.stems
    with pytest.raises(ValueError):
        FeaturedResolutions(records, ())


def test_cities_named_before_they_were_known_are_found(tmp_path: Path) -> None:
    """A sentence names Berlin before any record of the archive is a Berlin one: when one
    arrives, the stored sentences that print the name get it too (what the chronology's
    "one names the other's city" test reads instead of searching at query time)."""
    store = Store(tmp_path / "s.sqlite3")
    _store(store, DOC, [_said(DOC, "Beschluss über den Beitritt im Berliner Jakob-Kaiser-Haus."),
                        _said(DOC, "Ein Ereignis in Berlin.", kind="event")])
    assert [f[6] for f in _features(store)] == ["[]", "[]"]
    _store(store, OTHER, [_said(OTHER, "Der Lenkungsausschuss in Berlin beschließt.", city="Berlin")])
    assert [f[6] for f in _features(store)] == ['["berlin"]', "[]", '["berlin"]']
    assert store.merge_cities() == {"paderborn", "berlin"}
    with store.snapshot():
        rows = list(store.merge_rows())
    assert len(rows) == 3 and all(len(r) == len(ROW_FIELDS) for r in rows)
    assert [r[ROW_FIELDS.index("mentions")] for r in rows] == ['["berlin"]', "[]", '["berlin"]']


def test_a_sentence_repeated_by_its_document_is_read_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    twice = _said(DOC, "Der Rat beschließt den Beitritt.")
    _store(store, DOC, [twice, _said(DOC, "Noch ein Satz."), twice])
    _store(store, OTHER, [_said(OTHER, "Der Rat beschließt den Beitritt.")])  # another document
    assert [f[7] for f in _features(store)] == [0, 0, 1, 0]
    with store.snapshot():
        assert len(list(store.merge_rows())) == 3
    _store(store, DOC, [twice])  # a changed file: its old records and features go together
    assert [f[0] for f in _features(store)] == [twice.source.text] * 2
    assert store.db.execute("SELECT COUNT(*) FROM resolution_texts").fetchone()[0] == 2


def test_generation_counts_every_change_the_chronology_can_see(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    generation = store.resolutions_generation()
    assert generation == 0

    def changed() -> bool:
        nonlocal generation
        now = store.resolutions_generation()
        before, generation = generation, now
        return now != before

    _store(store, DOC, [_said(DOC, "Der Rat beschließt.")], index=False)
    assert changed()
    store.mark_indexed([DOC])
    assert changed()  # now visible
    store.mark_indexed([DOC])
    store.link_path("/x/copy.pdf", DOC, 10, 1)  # another path of the same document
    store.set_meta("anything", "else")
    assert not changed()
    store.stage(DOC, "/x/moved.pdf", 10, 2)  # a path change, the records leave
    assert changed()
    store.mark_failed(DOC, "/x/moved.pdf", "encrypted", "needs a password")
    assert changed()
    store.db.execute("DELETE FROM paths")
    store.drop_if_orphaned(DOC)
    assert changed()


def test_cache_is_kept_for_one_generation_and_one_code(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s.sqlite3")
    _store(store, DOC, [_said(DOC, "Der Rat beschließt.")])
    generation = store.resolutions_generation()
    assert generation is not None
    monkeypatch.setattr("archiv.store._CACHE_PART", 7)  # several rows of at most 7 bytes
    data = bytes(range(40))
    assert store.save_chronology_cache("resolutions", generation, "code-1", data)
    assert store.db.execute("SELECT COUNT(*) FROM chronology_cache").fetchone()[0] == 6
    assert store.chronology_cache("resolutions", generation, "code-1") == data
    assert store.chronology_cache("resolutions", generation, "code-2") is None
    assert store.chronology_cache("all", generation, "code-1") is None
    assert not store.save_chronology_cache("all", generation + 1, "code-1", data)  # not yet
    reader = Store.open_existing(tmp_path / "s.sqlite3")  # readers cache what they build
    assert reader.save_chronology_cache("all", generation, "code-1", b"all")
    assert store.chronology_cache("all", generation, "code-1") == b"all"
    _store(store, OTHER, [_said(OTHER, "Noch ein Beschluss.")])  # the cache goes with a change
    assert store.db.execute("SELECT COUNT(*) FROM chronology_cache").fetchone()[0] == 0
    assert not reader.save_chronology_cache("all", generation, "code-1", b"stale")
    assert store.chronology_cache("all", generation, "code-1") is None
    reader.close()


def test_version_2_archive_gets_its_features_from_the_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    twice = _said(DOC, "Beschluss im Berliner Rathaus.")
    _store(store, DOC, [twice, twice, _said(DOC, "Ein Ereignis.", kind="event")])
    _store(store, OTHER, [_said(OTHER, "Beschluss in Berlin.", city="Berlin")])
    expected = _features(store)
    store.close()
    _as_version_2(path)

    reader = Store.open_existing(path)  # readers never write, so they never migrate
    assert reader.resolutions_generation() is None and reader.merge_cities() is None
    with reader.snapshot():
        rows = list(reader.merge_rows())
    assert len(rows) == 4 and all(r[len(ROW_FIELDS) - 6:] == (None,) * 6 for r in rows)
    assert not reader.save_chronology_cache("resolutions", 0, "code", b"x")
    reader.close()

    writer = Store(path)
    assert writer.meta("schema_version") == "3"
    assert writer.meta("merge_features") == features_version()
    assert _features(writer) == expected  # the same as a version-3 writer stores at once
    assert writer.resolutions_generation() == 0
    writer.close()


def test_outdated_or_missing_features_are_ignored_then_derived_again(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store(path)
    _store(store, DOC, [_said(DOC, "Beschluss im Berliner Rathaus.")])
    _store(store, OTHER, [_said(OTHER, "Beschluss in Berlin.", city="Berlin")])
    expected = _features(store)
    store.set_meta("merge_features", "0.derived-by-another-version")
    reader = Store.open_existing(path)
    with reader.snapshot():
        assert all(r[-6:] == (None,) * 6 for r in reader.merge_rows())
    assert reader.merge_cities() is None
    Store(path).close()  # a writer derives them again
    assert _features(Store(path)) == expected
    # Records an older archiv stored without features (its writer knows no features table):
    store = Store(path)
    store.db.execute("DELETE FROM resolution_features WHERE id = (SELECT MIN(id) FROM resolutions)")
    with reader.snapshot():
        assert [r[-6] is None for r in reader.merge_rows()] == [True, False]
    Store(path).close()
    assert _features(store) == expected
    reader.close()
