"""The tagger against hand-annotated gold mentions of every corpus document (issue 3, point 8).

The gold files (``tests/golden/mentions/*.json``) were written from ``corpus/EXPECTED.md``,
``shared/docs/domain.md`` and the extracted page text, not from the tagger's output; the
comparison core and its matching rule live in ``benchmarks/tagging_eval.py`` (loaded by path:
benchmarks/ is no package, and test-only code does not belong in archiv/).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from archiv.models import DocumentFacts, Mention
from archiv.tag import TagResult, tag_pages

ROOT = Path(__file__).resolve().parent.parent
THRESHOLD = 0.95
BIELEFELD = "bielefeld-mitteilung-hwb-2023-10-25.pdf"
PADERBORN = "paderborn-regiopole-praesentation.pdf"


def _load_eval() -> ModuleType:
    name = "tagging_eval"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "tagging_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


te = _load_eval()


@pytest.fixture(scope="module")
def documents() -> dict[str, Any]:
    return {doc.path.name: doc for doc in te.corpus_documents(te.CORPUS)}


@pytest.fixture(scope="module")
def tagged(documents: dict[str, Any]) -> dict[str, TagResult]:
    return {name: tag_pages(doc.pages, title=doc.title) for name, doc in documents.items()}


@pytest.fixture(scope="module")
def golds(documents: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for path in sorted(te.GOLD.glob("*.json")):
        doc = next((d for d in documents.values() if d.path.stem == path.stem), None)
        assert doc is not None, f"{path.name} has no corpus document"
        out[doc.path.name] = te.load_gold(path, doc.pages)
    return out


@pytest.fixture(scope="module")
def results(golds: dict[str, Any], tagged: dict[str, TagResult]) -> dict[str, Any]:
    return {
        name: te.compare(gold, tagged[name].mentions, tagged[name].facts)
        for name, gold in golds.items()
    }


def test_every_corpus_document_has_a_gold_file(
    documents: dict[str, Any], golds: dict[str, Any]
) -> None:
    assert sorted(golds) == sorted(documents)


def test_every_gold_mention_is_on_its_page(golds: dict[str, Any]) -> None:
    """A gold text missing from its page means extraction changed: the gold must follow."""
    missing = {name: gold.unlocated for name, gold in golds.items() if gold.unlocated}
    assert missing == {}


# --- (a) the seeds: what domain.md says they contain -----------------------------------------

SEED_DATES = {
    BIELEFELD: [
        ("2023-10-25", "day", None),  # the committee meeting the Mitteilung is for
        ("2015-03-12", "day", None),  # Rat der Stadt Bielefeld: Beitritt
        ("2016-03-16", "day", None),  # signing in Berlin
        ("2023-09-19", "day", None),  # "19.09.23": Lenkungsausschuss, two-digit year
    ],
    PADERBORN: [
        ("2016-03", "month", None),  # founding "im März 2016"
        ("2015-02", "month", None),  # Ratsbeschluss Februar 2015
        ("2020-03-09", "day", None),  # Zuwendungsbescheid
        ("2020-06", "month", None),  # Ratsbeschluss Juni 2020
        ("2021-01-01", "day", "2022-12-31"),  # project period
        ("2023-08-31", "day", None),  # "längstens jedoch bis zum"
    ],
}
SEED_REFERENCES = {BIELEFELD: ["1045/2014-2020"], PADERBORN: ["0002/15", "0174/20"]}
SEED_PLACES = {
    BIELEFELD: ["Bielefeld", "Berlin", "Würzburg", "Paderborn"],
    PADERBORN: ["Paderborn", "Berlin", "Würzburg", "Bielefeld"],
}
SEED_BODIES = {
    BIELEFELD: [
        "Rat der Stadt Bielefeld",
        "Lenkungsausschuss",
        "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
    ],
    PADERBORN: ["Rat"],
}
# Printed numbers that must never become dates.
SEED_NOT_DATES = {
    BIELEFELD: ["1045/2014-2020"],
    PADERBORN: ["0002/15", "0174/20", "05251 -88 16158", "719.000", "1,5 Mio"],
}


def _short(name: str) -> str:
    return name.split("-")[0]


def _values(mentions: tuple[Mention, ...], label: str) -> set[str]:
    return {m.value for m in mentions if m.label == label}


@pytest.mark.parametrize("document", [BIELEFELD, PADERBORN], ids=_short)
def test_seed_dates_are_exactly_the_domain_dates(
    document: str, tagged: dict[str, TagResult]
) -> None:
    found = [
        (m.value, m.precision, m.end_value) for m in tagged[document].mentions if m.label == "date"
    ]
    assert sorted(found, key=str) == sorted(SEED_DATES[document], key=str)


@pytest.mark.parametrize("document", [BIELEFELD, PADERBORN], ids=_short)
def test_seed_references_are_exactly_the_domain_references(
    document: str, tagged: dict[str, TagResult]
) -> None:
    refs = [m for m in tagged[document].mentions if m.label == "reference"]
    assert sorted({m.value for m in refs}) == sorted(SEED_REFERENCES[document])
    assert {m.kind for m in refs} == {"drucksache"}


@pytest.mark.parametrize(
    ("document", "label", "value"),
    [
        pytest.param(d, "place", v, id=f"{_short(d)}-place-{v}")
        for d, vs in SEED_PLACES.items()
        for v in vs
    ]
    + [
        pytest.param(d, "body", v, id=f"{_short(d)}-body-{v[:20]}")
        for d, vs in SEED_BODIES.items()
        for v in vs
    ],
)
def test_seed_names_domain_places_and_bodies(
    document: str, label: str, value: str, tagged: dict[str, TagResult]
) -> None:
    assert value in _values(tagged[document].mentions, label)


@pytest.mark.parametrize(
    ("document", "printed"),
    [pytest.param(d, p, id=f"{_short(d)}-{p}") for d, ps in SEED_NOT_DATES.items() for p in ps],
)
def test_seed_numbers_are_no_dates(
    document: str, printed: str, documents: dict[str, Any], tagged: dict[str, TagResult]
) -> None:
    spans = [
        (page.number, page.text.index(printed), page.text.index(printed) + len(printed))
        for page in documents[document].pages
        if printed in page.text
    ]
    assert spans, f"{printed!r} is no longer in the extracted text"
    dates = [m for m in tagged[document].mentions if m.label == "date"]
    clashes = [m for m in dates for n, s, e in spans if m.page == n and m.start < e and m.end > s]
    assert clashes == []


# --- (b) the fictional documents: precision and recall per label -----------------------------


@pytest.mark.parametrize("label", te.LABELS)
def test_fictional_precision_and_recall(label: str, results: dict[str, Any]) -> None:
    fictional = [r for r in results.values() if r.group == "fictional"]
    counts = te.totals(fictional)[label]
    fps = [(m.document[:30], m.page, m.text, m.value, m.why) for r in fictional
           for m in r.false_positives if m.label == label]  # fmt: skip
    fns = [(m.document[:30], m.page, m.text, m.value, m.why) for r in fictional
           for m in r.false_negatives if m.label == label]  # fmt: skip
    assert counts.precision >= THRESHOLD, (
        f"precision {counts.precision:.3f}; false positives: {fps}"
    )
    assert counts.recall >= THRESHOLD, f"recall {counts.recall:.3f}; false negatives: {fns}"


def test_fictional_attributes_of_matched_mentions(results: dict[str, Any]) -> None:
    """Date precision, range end and reference kind; roles are reported, not asserted."""
    errors = [
        e
        for r in results.values()
        if r.group == "fictional"
        for e in r.attribute_errors
        if f"{e.label}.{e.attribute}" in te.SCORED_ATTRIBUTES
    ]
    assert errors == []


# --- (c) document facts ----------------------------------------------------------------------


def _fact_cases() -> list[Any]:
    cases = []
    for path in sorted(te.GOLD.glob("*.json")):
        facts = json.loads(path.read_text(encoding="utf-8"))["facts"]
        for name in ("type", "municipality", "date", "reference"):
            if name in facts and not (name == "date" and facts[name] is None):
                cases.append(pytest.param(path.stem, name, id=f"{path.stem[:28]}-{name}"))
    return cases


@pytest.mark.parametrize(("stem", "fact"), _fact_cases())
def test_document_facts(stem: str, fact: str, results: dict[str, Any]) -> None:
    result = next(r for r in results.values() if Path(r.document).stem == stem)
    assert result.facts[fact]["ok"], result.facts[fact]


# --- the matching rule itself ----------------------------------------------------------------


def test_compare_counts_wrong_values_overlaps_and_optionals(documents: dict[str, Any]) -> None:
    """The evaluator is what makes the tests above able to fail: check its rule on a real page."""
    doc = documents[BIELEFELD]
    text = doc.pages[0].text
    entries = [
        ({"label": "date", "text": "12.03.2015", "value": "2015-03-12", "page": 1,
          "precision": "day"}, False),
        ({"label": "date", "text": "16.03.2016", "value": "2016-03-16", "page": 1,
          "precision": "day"}, False),
        ({"label": "place", "text": "Berlin", "value": "Berlin", "page": 1}, False),
        ({"label": "place", "text": "Deutschland", "value": "Deutschland", "page": 1}, True),
    ]  # fmt: skip
    mentions, unlocated = te.locate(entries, doc.pages)
    gold = te.Gold(BIELEFELD, "seed", {"type": "mitteilung"}, tuple(mentions), tuple(unlocated))

    def at(label: str, printed: str, value: str, context: int = 0, **kw: Any) -> Mention:
        start = text.index(printed) - context
        return Mention(
            label,
            text[start : start + len(printed) + context],
            value,
            1,
            start,
            start + len(printed) + context,
            **kw,
        )  # type: ignore[arg-type]

    predicted = (
        at("date", "12.03.2015", "2015-03-12", context=3, precision="month"),  # wider span
        at("date", "16.03.2016", "2016-03-15", precision="day"),  # wrong value
        at("place", "Deutschland", "Deutschland"),  # optional: ignored
        at("place", "Koblenz", "Koblenz"),  # not in this gold: a false positive
    )
    result = te.compare(gold, predicted, DocumentFacts(doc_type="beschlussvorlage"))
    assert (result.counts["date"].tp, result.counts["date"].fp, result.counts["date"].fn) == (
        1,
        1,
        1,
    )
    assert (result.counts["place"].tp, result.counts["place"].fp, result.counts["place"].fn) == (
        0,
        1,
        1,
    )
    assert [(e.attribute, e.expected, e.got) for e in result.attribute_errors] == [
        ("precision", "day", "month")
    ]
    assert "wrong value" in result.false_positives[0].why
    assert result.facts["type"] == {
        "expected": "mitteilung",
        "got": "beschlussvorlage",
        "ok": False,
    }
