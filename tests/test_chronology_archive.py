"""The chronology as the CLI gets it, ``Archive.chronology()``: built from the store's records
and their stored merge features, cached in the store, filtered: always the entries that
``build_chronology`` makes of the same records."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiv.archive import Archive
from archiv.chronology import build_chronology, code_version, filter_chronology
from archiv.config import STORE_FILE
from archiv.models import DocumentFacts, PageText, Resolution, Source
from archiv.store import Store

_SUBJECTS = [
    "Beitritt zum Netzwerk der Regiopolen",
    "Haushaltssatzung 2016 beschlossen",
    "Gründung des Netzwerks der Regiopolen in Berlin",
    "Radverkehrskonzept Fahrradstraßen",
]
_record = st.tuples(
    st.sampled_from([None, "2015", "2015-02", "2015-02-10", "2016-03", "2016-03-16"]),
    st.sampled_from(["resolution", "resolution", "event", "proposal"]),
    st.sampled_from([None, "Rat", "Rat der Stadt Bielefeld", "Ausschuss für Umwelt"]),
    st.sampled_from([None, "Bielefeld", "Paderborn", "Würzburg", "Berlin"]),
    st.sampled_from(_SUBJECTS),
    st.sampled_from(["", " im Berliner Rathaus", " in Paderborn", " (Wuerzburg)"]),
    st.sampled_from([(), ("0002/15",), ("DS-Nr. 1045/2014-2020",), ("Vorlage 0002/15",)]),
    st.integers(1, 3),
)
# documents → their records (a record drawn twice in one document is a sentence read twice)
_archive = st.lists(st.lists(_record, min_size=1, max_size=8), min_size=1, max_size=6)

FILTERS = [
    {},
    {"city": "bielefeld"},
    {"city": "WÜRZ", "date_from": "2015"},
    {"body": "rat", "date_to": "2015-02-20"},
    {"date_from": "2016-03-16"},
    {"ref": "Vorlage 0002/15"},
    {"ref": "1045/2014-2020", "body": "RAT"},
]


def _resolution(document_id: str, record: tuple) -> Resolution:
    date, kind, body, city, subject, tail, refs, page = record
    precision = {4: "year", 7: "month", 10: "day"}[len(date)] if date else None
    return Resolution(
        kind=kind, status="decided" if kind == "resolution" else None, date=date,
        precision=precision, end_date=None, body=body, city=city, subject=subject,
        references=refs, outcome=None,
        source=Source(document_id, "", page, f"{subject}{tail}."),
    )


def _ingest(store: Store, documents: list[list[tuple]], start: int = 0) -> None:
    """What ingest stores per document: staged, parsed, tagged, indexed."""
    for n, records in enumerate(documents, start):
        document_id = f"{n:064x}"
        path = f"/archiv/doc{n}.pdf"
        store.stage(document_id, path, 10, 1)
        store.save_parsed(document_id, [PageText(1, "Text")], file_type="pdf", title=None)
        store.save_tagged(document_id, DocumentFacts(), [],
                          [_resolution(document_id, r) for r in records],
                          pipeline_version="1", fallback_title=None)
        store.mark_indexed([document_id])


@pytest.fixture
def root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


def _expected(root: Path, include_all: bool) -> list:
    """``build_chronology`` of the store's records, as the chronology was made before."""
    store = Store.open_existing(root / STORE_FILE)
    try:
        return build_chronology(
            list(store.resolutions(kinds=None if include_all else ("resolution",))),
            include_all=include_all)
    finally:
        store.close()


def _cached(root: Path) -> set[str]:
    db = sqlite3.connect(root / STORE_FILE)
    try:
        return {name for (name,) in db.execute("SELECT DISTINCT name FROM chronology_cache")}
    finally:
        db.close()


@settings(max_examples=40, deadline=None)
@given(documents=_archive, more=_archive)
def test_archive_chronology_is_build_chronology_of_the_store(documents: list, more: list) -> None:
    """Cold (built from stored features, cached by the reader), warm (from the cache) and
    after a change (never the stale cache): the entries of ``build_chronology``, and every
    filter keeps what ``filter_chronology`` keeps."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        store = Store(root / STORE_FILE)
        _ingest(store, documents)
        for step in ("cold", "warm", "changed"):
            if step == "changed":
                _ingest(store, more, start=len(documents))
                assert _cached(root) == set()
            for include_all in (False, True):
                expected = _expected(root, include_all)
                with Archive.for_reading(root) as archive:
                    assert archive.chronology(include_all=include_all) == expected, step
                    for filters in FILTERS:
                        got = archive.chronology(include_all=include_all, **filters)
                        assert got == filter_chronology(expected, **filters), (step, filters)
            assert _cached(root) == {"resolutions", "all"}
        store.close()


def test_cache_of_other_code_or_unreadable_is_not_used(
    root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(root / STORE_FILE)
    _ingest(store, [[("2015-02", "resolution", "Rat", "Paderborn", _SUBJECTS[0], "", (), 1)]])
    expected = _expected(root, False)
    generation = store.resolutions_generation()
    assert generation is not None
    store.save_chronology_cache("resolutions", generation, "another version", b"\x00")
    with Archive.for_reading(root) as archive:
        assert archive.chronology() == expected
    assert store.chronology_cache("resolutions", generation, code_version()) is not None
    store.save_chronology_cache("resolutions", generation, code_version(), b"\x00garbage")
    with caplog.at_level(logging.WARNING), Archive.for_reading(root) as archive:
        assert archive.chronology() == expected
    assert "cached chronology unreadable" in caplog.text
    store.close()


def test_archive_of_schema_version_2_is_read_without_features_or_cache(root: Path) -> None:
    store = Store(root / STORE_FILE)
    _ingest(store, [
        [("2015-03-12", "resolution", "Rat", "Paderborn", _SUBJECTS[0], " im Berliner Rathaus",
          (), 1)] * 2,
        [("2015-03", "resolution", "Rat", "Berlin", _SUBJECTS[0], "", (), 2)],
        [("2016-03-16", "event", None, "Berlin", _SUBJECTS[2], "", (), 1)],
    ])
    store.close()
    expected = {flag: _expected(root, flag) for flag in (False, True)}
    assert len(expected[False]) == 1 and len(expected[False][0].sources) == 2
    db = sqlite3.connect(root / STORE_FILE)
    db.executescript("""
        DROP TRIGGER resolutions_inserted; DROP TRIGGER resolutions_deleted;
        DROP TRIGGER resolutions_updated; DROP TRIGGER resolution_documents_changed;
        DROP TRIGGER resolution_documents_deleted;
        DROP TABLE resolution_features; DROP TABLE resolution_texts;
        DROP TABLE chronology_cities; DROP TABLE chronology_cache;
        DELETE FROM meta WHERE key IN ('resolutions_generation', 'merge_features');
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
    """)
    db.close()
    with Archive.for_reading(root) as archive:
        for flag in (False, True):
            assert archive.chronology(include_all=flag) == expected[flag]
            assert archive.chronology(include_all=flag) == expected[flag]
    with Archive.for_writing(root) as archive:  # migrates; then cached like any other
        assert archive.chronology() == expected[False]
    assert _cached(root) == {"resolutions"}
