"""The Whoosh engine: indexing pages, searching them, and surviving damage and hostile queries."""

from __future__ import annotations

import errno
import json
import time
from pathlib import Path

import pytest

from archiv import index as index_module
from archiv.analysis import ANALYSIS_VERSION
from archiv.engine import HIGHLIGHT_END, HIGHLIGHT_START, IndexPage, SearchFilters, SearchRequest
from archiv.errors import (
    ArchiveBusyError,
    IndexDamagedError,
    NoArchiveError,
    NoSpaceError,
    QueryError,
)
from archiv.index import SCHEMA_VERSION, WhooshEngine

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

MITTEILUNG = (
    "Mitteilung für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss am 25.10.2023. "
    "Thema: Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks. Der Rat der Stadt "
    "Bielefeld stimmte in seiner Sitzung am 12.03.2015 dem Beitritt der Stadt Bielefeld zum "
    "Städtenetzwerk „Regiopolregionen für Deutschland“ zu (siehe DS-Nr. 1045/2014-2020). Die "
    "Bürgermeister unterzeichneten eine zwischen den damaligen Gründungsmitgleidern vereinbarte "
    "Interkommunale Vereinbarung. Neben den beigetretenen Städten Koblenz und Würzburg zeigen "
    "weitere Regiopolen Interesse."
)
VORLAGE_P1 = (
    "Beschlussvorlage 0174/20 der Stadt Paderborn. Beteiligung am Modellvorhaben der "
    "Raumordnung. Der Rat hat im Februar 2015 den Beitritt zum RegioPole-Netzwerk beschlossen "
    "(Vorlage 0002/15)."
)
VORLAGE_P2 = (
    "Die Netzwerkpartner erarbeiten eine Untersuchungsmatrix. Paderborn war Gründungsmitglied. "
    "Die Geschäftsstelle liegt an der Hauptstraße."
)
VORLAGE_P3 = "Finanzierung: Zuwendungsbescheid vom 09.03.2020, Haushaltsjahr 2021."
PROTOKOLL = (
    "Niederschrift der Sitzung des Lenkungsausschusses am 19.09.2023 in Berlin. Die aktualisierte "
    "Fassung der Vereinbarung wurde einstimmig beschlossen. Die Hauptstrasse wird saniert."
)


def _pages() -> dict[str, list[IndexPage]]:
    return {
        "doc-mitteilung": [
            IndexPage(
                "doc-mitteilung",
                1,
                MITTEILUNG,
                "bielefeld/mitteilung.pdf",
                title="Interkommunale Vereinbarung",
                date="2023-10-25",
                municipality="Bielefeld",
                doc_type="mitteilung",
                references=("1045/2014-2020",),
                bodies=("Rat", "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss"),
                places=("Bielefeld", "Berlin", "Würzburg"),
                dates=("2015-03-12", "2023-10-25"),
            )
        ],
        "doc-vorlage": [
            IndexPage(
                "doc-vorlage",
                number,
                text,
                "paderborn/vorlage.pdf",
                title="Beteiligung am Modellvorhaben",
                date="2020-06",
                municipality="Paderborn",
                doc_type="beschlussvorlage",
                references=("0174/20", "0002/15") if number == 1 else (),
                bodies=("Rat",),
                dates=("2015-02",) if number == 1 else (),
            )
            for number, text in enumerate((VORLAGE_P1, VORLAGE_P2, VORLAGE_P3), start=1)
        ],
        "doc-protokoll": [
            IndexPage(
                "doc-protokoll",
                1,
                PROTOKOLL,
                "netzwerk/protokoll.pdf",
                date="2023-09-19",
                municipality="Würzburg",
                doc_type="niederschrift",
                bodies=("Lenkungsausschuss",),
                dates=("2023-09-19",),
            )
        ],
    }


@pytest.fixture
def engine(tmp_path: Path) -> WhooshEngine:
    engine = WhooshEngine.create(tmp_path / "index")
    with engine.writer() as writer:
        for document_id, pages in _pages().items():
            writer.replace(document_id, pages)
    return engine


def _search(engine: WhooshEngine, text: str, **kwargs: object) -> list[str]:
    outcome = engine.search(SearchRequest(text, **kwargs))  # type: ignore[arg-type]
    return [doc.document_id for doc in outcome.documents]


def _highlighted(snippet: str) -> list[str]:
    out = []
    rest = snippet
    while HIGHLIGHT_START in rest:
        rest = rest.split(HIGHLIGHT_START, 1)[1]
        word, rest = rest.split(HIGHLIGHT_END, 1)
        out.append(word)
    return out


# --- indexing ----------------------------------------------------------------------------------


def test_pages_are_counted_and_listed(engine: WhooshEngine) -> None:
    assert engine.page_count() == 5
    assert sorted(engine.document_ids()) == [
        ("doc-mitteilung", 1),
        ("doc-protokoll", 1),
        ("doc-vorlage", 1),
        ("doc-vorlage", 2),
        ("doc-vorlage", 3),
    ]


def test_replace_is_idempotent_across_batches(engine: WhooshEngine) -> None:
    for _ in range(2):
        with engine.writer() as writer:
            writer.replace("doc-vorlage", _pages()["doc-vorlage"])
    assert engine.page_count() == 5
    assert _search(engine, "Untersuchungsmatrix") == ["doc-vorlage"]


def test_second_replace_in_one_batch_wins(engine: WhooshEngine) -> None:
    shorter = [IndexPage("doc-vorlage", 1, "Nur noch eine Seite über Radwege.", "p.pdf")]
    with engine.writer() as writer:
        writer.replace("doc-vorlage", _pages()["doc-vorlage"])
        writer.replace("doc-vorlage", shorter)
    assert sorted(p for d, p in engine.document_ids() if d == "doc-vorlage") == [1]
    assert _search(engine, "Radwege") == ["doc-vorlage"]
    assert _search(engine, "Untersuchungsmatrix") == []


def test_delete_removes_every_page_and_is_idempotent(engine: WhooshEngine) -> None:
    for _ in range(2):
        with engine.writer() as writer:
            writer.delete("doc-vorlage")
    assert engine.page_count() == 2
    assert "doc-vorlage" not in _search(engine, "Netzwerk")


def test_exception_in_batch_discards_it(engine: WhooshEngine) -> None:
    with pytest.raises(RuntimeError), engine.writer() as writer:
        writer.delete("doc-vorlage")
        raise RuntimeError("boom")
    assert engine.page_count() == 5


def test_reopened_index_keeps_pages(engine: WhooshEngine, tmp_path: Path) -> None:
    engine.close()
    reopened = WhooshEngine.open(tmp_path / "index", readonly=True)
    assert reopened.page_count() == 5
    assert _search(reopened, "Lenkungsausschuss") == ["doc-protokoll"]


# --- searching ---------------------------------------------------------------------------------


def test_pages_are_grouped_per_document_best_page_first(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Paderborn"))
    [document] = outcome.documents
    assert document.document_id == "doc-vorlage"
    assert sorted(p.page for p in document.pages) == [1, 2]
    scores = [p.score for p in document.pages]
    assert scores == sorted(scores, reverse=True)
    assert outcome.total_pages == 2
    assert document.municipality == "Paderborn"
    assert document.path == "paderborn/vorlage.pdf"


def test_limit_counts_documents_not_pages(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Vereinbarung OR Netzwerk", limit=2))
    assert len(outcome.documents) == 2
    assert outcome.total_pages >= 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("Beitritts", {"doc-mitteilung", "doc-vorlage"}, id="inflection"),
        pytest.param("Vereinbarungen", {"doc-mitteilung", "doc-protokoll"}, id="plural"),
        pytest.param("Wuerzburg", {"doc-mitteilung"}, id="ue-for-umlaut"),
        pytest.param("Hauptstraße", {"doc-vorlage", "doc-protokoll"}, id="eszett-both-ways"),
        pytest.param("Hauptstrasse", {"doc-vorlage", "doc-protokoll"}, id="ss-both-ways"),
        pytest.param('"Interkommunale Vereinbarung"', {"doc-mitteilung"}, id="phrase"),
        pytest.param("Vereinbar*", {"doc-mitteilung", "doc-protokoll"}, id="prefix"),
        pytest.param("Netzwerk -Bielefeld", {"doc-vorlage"}, id="exclude"),
        pytest.param("Netzwerk NOT Paderborn", {"doc-mitteilung"}, id="not"),
        pytest.param(
            "Lenkungsausschusses OR Untersuchungsmatrix", {"doc-protokoll", "doc-vorlage"}, id="or"
        ),
        pytest.param("1045/2014-2020", {"doc-mitteilung"}, id="bare-reference"),
        pytest.param("DS-Nr. 1045/2014-2020", {"doc-mitteilung"}, id="labelled-reference"),
        pytest.param("ds:0002/15", {"doc-vorlage"}, id="reference-field"),
        pytest.param("stadt:paderborn Beitritt", {"doc-vorlage"}, id="city-field"),
        pytest.param("stadt:Wuerzburg", {"doc-protokoll"}, id="city-field-folded"),
        pytest.param("typ:niederschrift Vereinbarung", {"doc-protokoll"}, id="type-field"),
        pytest.param("gremium:Lenkungsausschuss", {"doc-protokoll"}, id="body-field"),
        pytest.param(
            "datum:2015 Beitritt", {"doc-mitteilung", "doc-vorlage"}, id="year-in-page-dates"
        ),
        pytest.param("datum:2023-09 Vereinbarung", {"doc-protokoll"}, id="month"),
        pytest.param("datum:[2020-01 TO 2020-12] Netzwerk", {"doc-vorlage"}, id="date-range"),
        pytest.param("Raumordnung~", {"doc-vorlage"}, id="explicit-fuzzy"),
    ],
)
def test_query_features(engine: WhooshEngine, query: str, expected: set[str]) -> None:
    assert set(_search(engine, query)) == expected


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(SearchFilters(city="Würzburg"), {"doc-protokoll"}, id="city-umlaut"),
        pytest.param(SearchFilters(city="wuerzburg"), {"doc-protokoll"}, id="city-folded"),
        pytest.param(SearchFilters(doc_type="mitteilung"), {"doc-mitteilung"}, id="type"),
        pytest.param(SearchFilters(body="Rat"), {"doc-mitteilung", "doc-vorlage"}, id="body"),
        pytest.param(SearchFilters(ref="1045/2014-2020"), {"doc-mitteilung"}, id="ref"),
        pytest.param(
            SearchFilters(date_from="2023"), {"doc-mitteilung", "doc-protokoll"}, id="from"
        ),
        pytest.param(SearchFilters(date_to="2020-06"), {"doc-vorlage"}, id="to-month-inclusive"),
        pytest.param(
            SearchFilters(date_from="2023-09-19", date_to="2023-09-19"), {"doc-protokoll"}, id="day"
        ),
    ],
)
def test_filters(engine: WhooshEngine, filters: SearchFilters, expected: set[str]) -> None:
    assert set(_search(engine, "Vereinbarung OR Netzwerk OR Beitritt", filters=filters)) == expected


def test_filters_alone_list_documents(engine: WhooshEngine) -> None:
    assert set(_search(engine, "", filters=SearchFilters(city="Paderborn"))) == {"doc-vorlage"}


def test_sort_by_date_newest_first(engine: WhooshEngine) -> None:
    found = _search(engine, "Vereinbarung OR Netzwerk", sort="date")
    assert found == ["doc-mitteilung", "doc-protokoll", "doc-vorlage"]


def test_facets_count_documents(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Vereinbarung OR Netzwerk OR Beitritt", facets=True))
    assert outcome.facets is not None
    assert outcome.facets["municipality"] == {"Bielefeld": 1, "Paderborn": 1, "Würzburg": 1}
    assert outcome.facets["year"] == {"2023": 2, "2020": 1}
    assert outcome.facets["body"]["Rat"] == 2
    assert outcome.facets["type"]["niederschrift"] == 1
    assert engine.search(SearchRequest("Netzwerk")).facets is None


def test_snippet_marks_every_matched_form(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Vereinbarung"))
    mitteilung = next(d for d in outcome.documents if d.document_id == "doc-mitteilung")
    snippet = mitteilung.pages[0].snippet
    assert _highlighted(snippet)
    assert {w.lower() for w in _highlighted(snippet)} <= {"vereinbarung", "vereinbarte"}
    assert len(snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")) <= 210


def test_snippet_of_umlaut_spelling_marks_the_printed_word(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Wuerzburg"))
    assert _highlighted(outcome.documents[0].pages[0].snippet) == ["Würzburg"]


def test_typo_fallback_and_suggestion(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Untersuchungsmatrx"))
    assert outcome.fuzzy
    assert [d.document_id for d in outcome.documents] == ["doc-vorlage"]
    assert outcome.suggestion == "untersuchungsmatrix"


def test_typo_of_the_original_is_found_both_ways(engine: WhooshEngine) -> None:
    # The Mitteilung misprints "Gründungsmitgleidern"; the Vorlage prints it correctly.
    outcome = engine.search(SearchRequest("Gründungsmitgliedern"))
    assert {d.document_id for d in outcome.documents} == {"doc-mitteilung", "doc-vorlage"}
    assert outcome.documents[0].document_id == "doc-vorlage"  # the exact stem ranks first
    misprinted = engine.search(SearchRequest("Gründungsmitgleidern"))
    assert misprinted.documents[0].document_id == "doc-mitteilung"


def test_exact_match_does_not_trigger_fuzzy(engine: WhooshEngine) -> None:
    outcome = engine.search(SearchRequest("Netzwerk OR Vereinbarung"))
    assert not outcome.fuzzy
    assert outcome.suggestion is None


def test_time_limit_marks_truncated(engine: WhooshEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    class Expiring(index_module.TimeLimitCollector):  # type: ignore[misc]
        def collect_matches(self) -> None:
            raise index_module.TimeLimit

    monkeypatch.setattr(index_module, "TimeLimitCollector", Expiring)
    outcome = engine.search(SearchRequest("Netzwerk"))
    assert outcome.truncated


# --- hostile queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("*", id="star"),
        pytest.param("a*", id="short-prefix"),
        pytest.param("*e*", id="infix"),
        pytest.param("datum:[a TO z]", id="not-a-date"),
        pytest.param("datum:[2015 TO *]", id="open-range"),
        pytest.param("(" * 10_000, id="deep-parens"),
        pytest.param("Netzwerk " * 12_000, id="100kb"),
        pytest.param("\x00", id="nul"),
        pytest.param("document_id:abc", id="internal-field"),
        pytest.param("path:/etc", id="internal-path"),
        pytest.param("-Netzwerk", id="only-excluded"),
    ],
)
def test_hostile_queries_fail_fast_with_query_error(engine: WhooshEngine, text: str) -> None:
    started = time.monotonic()
    with pytest.raises(QueryError) as info:
        engine.search(SearchRequest(text))
    assert time.monotonic() - started < 1.0
    assert "\n" not in str(info.value)


def test_terminal_escapes_are_stripped(engine: WhooshEngine) -> None:
    assert _search(engine, "\x1b[31mLenkungsausschuss\x1b[0m") == ["doc-protokoll"]


# --- damage ------------------------------------------------------------------------------------


def _files(path: Path, pattern: str) -> list[Path]:
    found = sorted(path.glob(pattern))
    assert found, f"no {pattern} in {path}"
    return found


def test_open_missing_index_is_no_archive(tmp_path: Path) -> None:
    with pytest.raises(NoArchiveError):
        WhooshEngine.open(tmp_path / "nothing")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: [p.unlink() for p in _files(d, "*.seg")], id="segment-deleted"),
        pytest.param(lambda d: [p.write_bytes(b"") for p in _files(d, "*.toc")], id="toc-zeroed"),
        pytest.param(
            lambda d: [p.write_bytes(p.read_bytes()[:40]) for p in _files(d, "*.toc")],
            id="toc-truncated",
        ),
        pytest.param(lambda d: [p.unlink() for p in _files(d, "*.toc")], id="toc-deleted"),
        pytest.param(
            lambda d: [p.write_bytes(p.read_bytes()[:100]) for p in _files(d, "*.seg")],
            id="segment-truncated",
        ),
        pytest.param(
            lambda d: (d / "archiv-index.json").write_text('{"schema_version": 0}'),
            id="old-schema",
        ),
        pytest.param(
            lambda d: (d / "archiv-index.json").write_text(
                f'{{"schema_version": {SCHEMA_VERSION}, "analysis_version": -1}}'
            ),
            id="old-analysis",
        ),
        pytest.param(lambda d: (d / "archiv-index.json").write_text("{"), id="marker-garbage"),
    ],
)
def test_damage_is_one_clear_error_and_nothing_is_wiped(
    engine: WhooshEngine, tmp_path: Path, damage: object
) -> None:
    engine.close()
    directory = tmp_path / "index"
    damage(directory)  # type: ignore[operator]
    before = sorted(p.name for p in directory.iterdir())
    with pytest.raises(IndexDamagedError) as info:
        reopened = WhooshEngine.open(directory)
        reopened.search(SearchRequest("Netzwerk"))
    message = str(info.value)
    assert "archiv reindex" in message
    assert "\n" not in message
    assert sorted(p.name for p in directory.iterdir()) == before


def test_versions_are_recorded(engine: WhooshEngine, tmp_path: Path) -> None:
    marker = json.loads((tmp_path / "index" / "archiv-index.json").read_text())
    assert marker == {"schema_version": SCHEMA_VERSION, "analysis_version": ANALYSIS_VERSION}


# --- writing under pressure --------------------------------------------------------------------


def test_held_lock_is_archive_busy(
    engine: WhooshEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "WRITE_LOCK_TIMEOUT", 0.1)
    other = WhooshEngine.open(tmp_path / "index")
    holder = other._ix.writer()
    try:
        with pytest.raises(ArchiveBusyError), engine.writer() as writer:
            writer.delete("doc-vorlage")
    finally:
        holder.cancel()
    assert engine.page_count() == 5


def test_disk_full_is_no_space_and_releases_the_lock(
    engine: WhooshEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whoosh.writing import SegmentWriter

    def full(self: object, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(SegmentWriter, "commit", full)
        with pytest.raises(NoSpaceError), engine.writer() as writer:
            writer.delete("doc-vorlage")
    assert engine.page_count() == 5
    with engine.writer() as writer:  # the lock was released
        writer.delete("doc-vorlage")
    assert engine.page_count() == 2


# --- compounds and ranking ---------------------------------------------------------------------


@pytest.fixture
def ranked(tmp_path: Path) -> WhooshEngine:
    engine = WhooshEngine.create(tmp_path / "ranked")
    texts = {
        "exact": "Das Netzwerk der Städte tagt. Die Vereinbarung gilt.",
        "compound": "Das Städtenetzwerk tagt. Die Kooperationsvereinbarung gilt.",
        "typo": "Das Netzwrek der Regionen tagt.",
        "other": "Der Haushaltsplan für das Haushaltsjahr 2021 liegt vor.",
    }
    with engine.writer() as writer:
        for name, text in texts.items():
            writer.replace(name, [IndexPage(name, 1, text, f"{name}.pdf")])
    return engine


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("Netzwerk", ["exact", "compound", "typo"], id="part-below-exact-above-typo"),
        pytest.param("Vereinbarung", ["exact", "compound"], id="fugen-s-part"),
        pytest.param("Jahr", ["other"], id="haushaltsjahr"),
        pytest.param("Haushalt", ["other"], id="haushalt-part"),
    ],
)
def test_compound_parts_rank_below_the_word(
    ranked: WhooshEngine, query: str, expected: list[str]
) -> None:
    assert _search(ranked, query) == expected


def test_compound_part_is_highlighted_in_the_snippet(ranked: WhooshEngine) -> None:
    outcome = ranked.search(SearchRequest("Netzwerk"))
    compound = next(d for d in outcome.documents if d.document_id == "compound")
    assert _highlighted(compound.pages[0].snippet) == ["Städtenetzwerk"]


def test_typo_tolerance_only_when_few_results(ranked: WhooshEngine) -> None:
    assert not ranked.search(SearchRequest("tagt")).fuzzy  # three documents: enough
    outcome = ranked.search(SearchRequest("Netzwerk"))  # two documents: widened by typos
    assert outcome.fuzzy
    assert [d.document_id for d in outcome.documents] == ["exact", "compound", "typo"]
