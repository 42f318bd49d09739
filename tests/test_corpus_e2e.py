"""The "done when" of issues 2–4 on the real corpus, through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archiv import render
from archiv.errors import ExitCode
from tests.conftest import run

BIELEFELD = "bielefeld-mitteilung-hwb-2023-10-25.pdf"
PADERBORN = "paderborn-regiopole-praesentation.pdf"


def _hits(index: Path, *args: str) -> list[dict]:
    result = run("search", *args, "--index", index, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_beitritt_finds_both_seeds_with_pages_and_highlight(corpus_index: Path) -> None:
    hits = {Path(h["path"]).name: h for h in _hits(corpus_index, "Beitritt")}
    assert hits[BIELEFELD]["page"] == 1
    assert hits[PADERBORN]["page"] == 1
    assert "**Beitritt**" in hits[BIELEFELD]["snippet"]
    assert "**Beitritt**" in hits[PADERBORN]["snippet"]
    assert hits[BIELEFELD]["date"] == "2023-10-25"


def test_word_broken_across_lines_is_found(corpus_index: Path) -> None:
    hits = _hits(corpus_index, "Untersuchungsmatrix")
    assert [(Path(h["path"]).name, h["page"]) for h in hits] == [(PADERBORN, 7)]


def test_second_ingest_reports_every_file_unchanged(corpus_copy: Path) -> None:
    from tests.conftest import CORPUS

    again = run("ingest", CORPUS, "--index", corpus_copy, "--json", "-q")
    summary = json.loads(again.stdout)
    files = [p for p in CORPUS.iterdir() if p.suffix in (".pdf", ".txt")]
    assert summary["unchanged"] == len(files)
    assert summary["added"] == summary["updated"] == summary["failed"] == 0


def test_documents_know_type_date_municipality(corpus_index: Path) -> None:
    docs = {Path(d["path"]).name: d for d in json.loads(run("documents", "--index", corpus_index, "--json").stdout)}
    assert (docs[BIELEFELD]["type"], docs[BIELEFELD]["municipality"], docs[BIELEFELD]["date"]) == (
        "mitteilung", "Bielefeld", "2023-10-25")
    assert docs[PADERBORN]["municipality"] == "Paderborn"
    assert all(d["status"] == "ok" for d in docs.values())


def _seed_only(entries: list[dict]) -> list[dict]:
    return [e for e in entries if any(Path(s["path"]).name in (BIELEFELD, PADERBORN) for s in e["sources"])]


def test_seed_chronology(corpus_index: Path) -> None:
    result = run("chronik", "--index", corpus_index, "--json")
    assert result.exit_code == 0, result.stderr
    seed = _seed_only(json.loads(result.stdout))
    got = [(e["date"], e["precision"], e["city"], e["references"]) for e in seed]
    assert got == [
        ("2015-02", "month", "Paderborn", ["0002/15"]),
        ("2015-03-12", "day", "Bielefeld", ["1045/2014-2020"]),
        ("2020-06", "month", "Paderborn", ["0174/20"]),
        ("2023-09-19", "day", "Berlin", []),
    ]
    assert all(e["kind"] == "resolution" and e["status"] == "decided" for e in seed)
    assert seed[3]["outcome"] == "einstimmig"
    assert [(Path(s["path"]).name, s["page"]) for s in seed[0]["sources"]] == [(PADERBORN, 1)]


def test_seed_events_with_all(corpus_index: Path) -> None:
    entries = _seed_only(json.loads(run("chronik", "--all", "--index", corpus_index, "--json").stdout))
    berlin = [e for e in entries if e["date"] in ("2016-03-16", "2016-03")]
    assert len(berlin) == 1 and berlin[0]["kind"] == "event"
    assert sorted(Path(s["path"]).name for s in berlin[0]["sources"]) == [BIELEFELD, PADERBORN]
    dates = {e["date"] for e in entries if e["kind"] == "event"}
    assert {"2020-03-09", "2021-01-01", "2023-10-25"} <= dates


NIEDERSCHRIFT = "beispiel-lemgo-niederschrift-rat-2021-09-30.pdf"


def test_chronik_all_lists_precise_events_and_each_page_once(corpus_index: Path) -> None:
    entries = json.loads(run("chronik", "--all", "--index", corpus_index, "--json").stdout)
    for e in entries:  # one source per document page
        pages = [(Path(s["path"]).name, s["page"]) for s in e["sources"]]
        assert len(pages) == len(set(pages)), e
    events = [(e["date"], e["subject"], Path(e["sources"][0]["path"]).name)
              for e in entries if e["kind"] == "event"]
    minutes = [(date, subject) for date, subject, name in events if name == NIEDERSCHRIFT]
    assert ("2021-09-30", "12. Sitzung des Rates der Stadt Lemgo") in minutes  # the meeting, once
    assert [d for d, _ in minutes].count("2021-09-30") == 1  # no "Sitzungstag: Donnerstag"
    assert "2021-09-17" not in [d for d, _ in minutes]  # the opening formula's invitation
    assert ("2015-02", "Einrichtung der Stabsstelle Klimaschutz") in minutes
    assert ("2016-03", "erstes Monitoring vorgelegt") in minutes
    deck = {(d, s) for d, s, name in events if name == PADERBORN}
    assert {("2021-01-01", "Zeitplan: 01.01.2021 – 31.12.2022"),
            ("2023-08-31", "Zeitplan: längstens jedoch bis zum 31.08.2023")} <= deck
    assert not [e for e in entries if e["kind"] == "event" and "(Entscheidung)" in e["subject"]]


def test_chronik_subjects_read_as_headings(corpus_index: Path) -> None:
    entries = json.loads(run("chronik", "--index", corpus_index, "--json").stdout)
    subjects = {e["subject"] for e in entries}
    assert {"Integriertes Klimaschutzkonzept",
            "überplanmäßige Aufwendung in Höhe von 180.000 Euro",
            "Satzung zur Änderung der Friedhofssatzung der Stadt Detmold",
            "Übersicht der Sitzungstermine für das Jahr 2025"} <= subjects
    bielefeld = next(e for e in entries if e["references"] == ["1045/2014-2020"])
    assert bielefeld["subject"].endswith("und Unterzeichnung der Interkommunalen Vereinbarung")


def test_chronik_query_and_filters(corpus_index: Path) -> None:
    entries = json.loads(run("chronik", "--index", corpus_index, "--json", "--query", "Beitritt",
                             "--city", "Paderborn").stdout)
    assert [(e["date"], e["references"]) for e in entries] == [("2015-02", ["0002/15"])]
    ranged = json.loads(run("chronik", "--index", corpus_index, "--json", "--from", "2015",
                            "--to", "2016", "--ref", "DS-Nr. 1045/2014-2020").stdout)
    assert [e["date"] for e in ranged] == ["2015-03-12"]


def test_chronik_html_is_valid_and_self_contained(corpus_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.html"
    result = run("chronik", "--index", corpus_index, "--html", "-o", out)
    assert result.exit_code == 0
    tags: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ANN401
            tags.append(tag)
            for name, value in attrs:
                assert not name.startswith("on")
                if name in ("src", "href") and value and value.startswith("http"):
                    raise AssertionError(f"external resource {value}")

    Collect().feed(out.read_text(encoding="utf-8"))
    assert "script" not in tags and "html" in tags


def test_reference_typed_as_query_finds_citing_documents_first(corpus_index: Path) -> None:
    hits = _hits(corpus_index, "0002/15")
    assert Path(hits[0]["path"]).name == PADERBORN
    hits = _hits(corpus_index, "DS-Nr. 1045/2014-2020")
    assert Path(hits[0]["path"]).name == BIELEFELD


def test_filters_from_the_cli(corpus_index: Path) -> None:
    # --from/--to match the document's date or a date printed on the matching page: the
    # undated Paderborn deck speaks of February 2015 on the page that matches.
    hits = _hits(corpus_index, "Beitritt", "--city", "Paderborn", "--from", "2015", "--to", "2016",
                 "--ref", "0002/15", "--type", "praesentation")
    assert [(Path(h["path"]).name, h["page"]) for h in hits] == [(PADERBORN, 1)]
    assert _hits(corpus_index, "Beitritt", "--city", "Paderborn", "--type", "mitteilung") == []
    assert [Path(h["path"]).name for h in _hits(corpus_index, "Beitritt", "--city", "Bielefeld")] == [BIELEFELD]
    assert _hits(corpus_index, "Beitritt", "--from", "2030") == []


def test_refs_and_entities(corpus_index: Path) -> None:
    refs = json.loads(run("refs", "--index", corpus_index, "--json").stdout)
    by_value = {r["reference"]: r for r in refs}
    assert {"0002/15", "0174/20", "1045/2014-2020"} <= set(by_value)
    assert by_value["0002/15"]["documents"][0]["path"].endswith(PADERBORN)
    one = run("refs", "Vorlage 0002/15", "--index", corpus_index, "--json")
    assert [r["reference"] for r in json.loads(one.stdout)] == ["0002/15"]
    ents = json.loads(run("entities", "--label", "date", "--doc", f"corpus/{BIELEFELD}",
                          "--index", corpus_index, "--json").stdout)
    values = {(e["value"], e["precision"]) for e in ents}
    assert {("2015-03-12", "day"), ("2016-03-16", "day"), ("2023-09-19", "day"),
            ("2023-10-25", "day")} <= values
    for e in ents:
        assert set(e) >= {"label", "text", "value", "precision", "end_value", "role", "document_id",
                          "path", "page", "start", "end"}


def test_typo_of_the_original_is_found_and_suggested(corpus_index: Path) -> None:
    result = run("search", "Gründungsmitgliedern", "--index", corpus_index, "--json")
    assert BIELEFELD in [Path(h["path"]).name for h in json.loads(result.stdout)]
    assert "Did you mean: Gründungsmitgleidern" in result.stderr
    printed = run("search", "Gründungsmitgleidern", "--index", corpus_index, "--json")
    assert [Path(h["path"]).name for h in json.loads(printed.stdout)][0] == BIELEFELD


def test_umlaut_spellings_give_the_same_hits(corpus_index: Path) -> None:
    assert _hits(corpus_index, "Wuerzburg") == _hits(corpus_index, "Würzburg") != []


def test_netzwerk_finds_both_seeds_through_compounds(corpus_index: Path) -> None:
    hits = {Path(h["path"]).name: h for h in _hits(corpus_index, "Netzwerk")}
    assert {BIELEFELD, PADERBORN} <= set(hits)
    assert "**Städtenetzwerk**" in hits[BIELEFELD]["snippet"]  # a compound part, highlighted
    assert "RegioPole-**Netzwerks**" in hits[BIELEFELD]["snippet"]


def test_chronik_output_file_equals_stdout_and_a_failed_render_keeps_the_old_file(
    corpus_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "chronik.json"
    for fmt in ("--json", "--csv", "--md", "--html"):
        printed = run("chronik", "--all", "--index", corpus_index, fmt)
        written = run("chronik", "--all", "--index", corpus_index, fmt, "-o", out)
        assert printed.exit_code == written.exit_code == 0, fmt
        assert out.read_text(encoding="utf-8") == printed.stdout, fmt
        assert "wrote" in written.stderr and written.stdout == ""
    before = out.read_bytes()

    def broken(entries: object) -> Iterator[str]:
        yield "[\n  "
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(render.FORMATS, "json", broken)
    failed = run("chronik", "--index", corpus_index, "--json", "-o", out)
    assert failed.exit_code == ExitCode.NO_SPACE
    assert failed.stderr.startswith("Error: cannot write") and len(failed.stderr.splitlines()) == 1
    assert out.read_bytes() == before  # the old report stays whole
    assert not list(tmp_path.glob(".*.tmp"))  # and no half-written one is left behind
    missing = run("chronik", "--index", corpus_index, "-o", tmp_path / "no" / "such" / "dir.txt")
    assert missing.exit_code == ExitCode.USAGE and "cannot write" in missing.stderr


def test_chronik_into_a_closed_pipe_ends_quietly(corpus_index: Path) -> None:
    """`archiv chronik | head -1` or `| true`: the reader is gone before the report is; no
    traceback, exit 0. (The read end is closed before the child has started Python, so its
    first write meets it.)"""
    import os
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    command = [sys.executable, "-m", "archiv", "chronik", "--all", "--index", str(corpus_index)]
    with subprocess.Popen(command, stdout=write_end, stderr=subprocess.PIPE) as process:
        os.close(read_end)
        os.close(write_end)
        stderr = process.stderr.read().decode() if process.stderr else ""
    assert process.returncode == 0, stderr
    assert "Error" not in stderr and "Traceback" not in stderr
