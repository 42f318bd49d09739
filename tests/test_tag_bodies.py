"""Bodies (Gremien): names, inflections, ordinary words that are not bodies, and the seeds."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.language import Language

import archiv.tag.bodies  # noqa: F401  (registers the "archiv_bodies" factory)
import archiv.tag.places  # noqa: F401
from archiv.models import Mention
from archiv.tag.base import spans_to_mentions
from archiv.tag.bodies import body_from_word, body_municipality, find_bodies, rules

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
MITTEILUNG = SEEDS / "000_ae2a2a8725a018bf.txt"
DECK = SEEDS / "002_01726d0f562be5ea.txt"


@pytest.fixture(scope="module")
def nlp() -> Language:
    pipeline = spacy.blank("de")
    pipeline.add_pipe("sentencizer")
    pipeline.add_pipe("archiv_places")
    pipeline.add_pipe("archiv_bodies")
    return pipeline


def bodies(nlp: Language, text: str) -> list[Mention]:
    return [m for m in spans_to_mentions(nlp(text), 1) if m.label == "body"]


@pytest.mark.parametrize(
    ("text", "printed", "value", "kind"),
    [
        pytest.param(
            "Der Rat der Stadt Bielefeld stimmte zu",
            "Rat der Stadt Bielefeld",
            "Rat der Stadt Bielefeld",
            "rat",
            id="rat_der_stadt",
        ),
        pytest.param(
            "Beschluss des Rates der Stadt Lemgo vom",
            "Rates der Stadt Lemgo",
            "Rat der Stadt Lemgo",
            "rat",
            id="rates_genitive",
        ),
        pytest.param(
            "des Rates der Stadt Schloß Holte-Stukenbrock",
            "Rates der Stadt Schloß Holte-Stukenbrock",
            "Rat der Stadt Schloß Holte-Stukenbrock",
            "rat",
            id="two_word_city",
        ),
        pytest.param(
            "Rat der Gemeinde Borchen",
            "Rat der Gemeinde Borchen",
            "Rat der Gemeinde Borchen",
            "rat",
            id="gemeinde",
        ),
        pytest.param("Der Rat hat beschlossen", "Rat", "Rat", "rat", id="der_rat"),
        pytest.param("Beschluss des Rates vom 3. Mai", "Rates", "Rat", "rat", id="des_rates"),
        pytest.param("Vorlage an dem Rat", "Rat", "Rat", "rat", id="dem_rat"),
        pytest.param("im Rat beraten", "Rat", "Rat", "rat", id="im_rat"),
        pytest.param("Der Stadtrat beschließt", "Stadtrat", "Stadtrat", "rat", id="stadtrat"),
        pytest.param("des Gemeinderates", "Gemeinderates", "Gemeinderat", "rat", id="gemeinderat"),
        pytest.param("Der Kreistag hat", "Kreistag", "Kreistag", "kreistag", id="kreistag"),
        pytest.param(
            "Kreistag des Kreises Lippe",
            "Kreistag des Kreises Lippe",
            "Kreistag des Kreises Lippe",
            "kreistag",
            id="kreistag_des_kreises",
        ),
        pytest.param(
            "Die Bezirksvertretung Mitte hat",
            "Bezirksvertretung Mitte",
            "Bezirksvertretung Mitte",
            "bezirksvertretung",
            id="bezirksvertretung",
        ),
        pytest.param(
            "der Bezirksvertretung hat",
            "Bezirksvertretung",
            "Bezirksvertretung",
            "bezirksvertretung",
            id="bezirksvertretung_bare",
        ),
        pytest.param(
            "Haupt- und Finanzausschuss",
            "Haupt- und Finanzausschuss",
            "Haupt- und Finanzausschuss",
            "ausschuss",
            id="hfa",
        ),
        pytest.param(
            "Haupt-und Finanzausschuss",
            "Haupt-und Finanzausschuss",
            "Haupt-und Finanzausschuss",
            "ausschuss",
            id="hfa_no_space",
        ),
        pytest.param(
            "Die Bezirksvertretung Brackwede hat",
            "Bezirksvertretung Brackwede",
            "Bezirksvertretung Brackwede",
            "bezirksvertretung",
            id="district_before_verb",
        ),
        pytest.param(
            "Bezirksvertretung Bielefeld-Mitte",
            "Bezirksvertretung Bielefeld-Mitte",
            "Bezirksvertretung Bielefeld-Mitte",
            "bezirksvertretung",
            id="district_hyphen_city",
        ),
        pytest.param(
            "Bezirksvertretung 3",
            "Bezirksvertretung 3",
            "Bezirksvertretung 3",
            "bezirksvertretung",
            id="district_number",
        ),
        pytest.param(
            "soll die Bezirksvertretung Stellung nehmen",
            "Bezirksvertretung",
            "Bezirksvertretung",
            "bezirksvertretung",
            id="noun_after_is_no_district",
        ),
        pytest.param(
            "für den Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss am 25.10.2023",
            "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
            "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
            "ausschuss",
            id="hwba",
        ),
        pytest.param(
            "des Haupt-, Wirtschaftsförderungs-\nund Beteiligungsausschusses",
            "Haupt-, Wirtschaftsförderungs-\nund Beteiligungsausschusses",
            "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
            "ausschuss",
            id="hwba_genitive_linebreak",
        ),
        pytest.param(
            "Ausschuss für Umwelt, Klima und Mobilität am 3. Mai",
            "Ausschuss für Umwelt, Klima und Mobilität",
            "Ausschuss für Umwelt, Klima und Mobilität",
            "ausschuss",
            id="ausschuss_fuer_list",
        ),
        pytest.param(
            "im Ausschuss für Stadtentwicklung beraten",
            "Ausschuss für Stadtentwicklung",
            "Ausschuss für Stadtentwicklung",
            "ausschuss",
            id="ausschuss_fuer",
        ),
        pytest.param(
            "Ausschuss für öffentliche Ordnung",
            "Ausschuss für öffentliche Ordnung",
            "Ausschuss für öffentliche Ordnung",
            "ausschuss",
            id="ausschuss_fuer_adjective",
        ),
        pytest.param(
            "Der Bauausschuss tagt", "Bauausschuss", "Bauausschuss", "ausschuss", id="compound"
        ),
        pytest.param("im Ausschuss", "Ausschuss", "Ausschuss", "ausschuss", id="im_ausschuss"),
        pytest.param("des Ausschusses", "Ausschusses", "Ausschuss", "ausschuss", id="ausschusses"),
        pytest.param(
            "Sitzung des Lenkungausschusses des Netzwerks",
            "Lenkungausschusses",
            "Lenkungsausschuss",
            "lenkungsausschuss",
            id="seed_misspelling",
        ),
        pytest.param(
            "Der Lenkungsausschuss",
            "Lenkungsausschuss",
            "Lenkungsausschuss",
            "lenkungsausschuss",
            id="lenkungsausschuss",
        ),
        pytest.param(
            "Der Verwaltungsvorstand hat",
            "Verwaltungsvorstand",
            "Verwaltungsvorstand",
            "verwaltungsvorstand",
            id="verwaltungsvorstand",
        ),
        pytest.param(
            "gez.\nClausen\nOberbürgermeister",
            "Oberbürgermeister",
            "Oberbürgermeister",
            "oberbuergermeister",
            id="ob",
        ),
        pytest.param(
            "die Oberbürgermeisterin",
            "Oberbürgermeisterin",
            "Oberbürgermeisterin",
            "oberbuergermeister",
            id="ob_in",
        ),
        pytest.param(
            "Antrag der SPD-Fraktion",
            "SPD-Fraktion",
            "Fraktion SPD",
            "fraktion",
            id="fraktion_prefix",
        ),
        pytest.param(
            "Fraktion Bündnis 90/Die Grünen",
            "Fraktion Bündnis 90/Die Grünen",
            "Fraktion Bündnis 90/Die Grünen",
            "fraktion",
            id="fraktion_after",
        ),
        pytest.param(
            "Ratsbeschluss Februar 2015", "Ratsbeschluss", "Rat", "rat", id="ratsbeschluss_implied"
        ),
        pytest.param(
            "nach der Kreistagssitzung",
            "Kreistagssitzung",
            "Kreistag",
            "kreistag",
            id="kreistagssitzung_implied",
        ),
    ],
)
def test_bodies_found(nlp: Language, text: str, printed: str, value: str, kind: str) -> None:
    found = bodies(nlp, text)
    assert [(m.text, m.value, m.kind) for m in found] == [(printed, value, kind)]
    assert all(text[m.start : m.end] == m.text for m in found)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Ein guter Ratschlag", id="ratschlag"),
        pytest.param("Sie bat um Rat.", id="um_rat"),
        pytest.param("einen Rat geben", id="einen_rat"),
        pytest.param("Wir sollten dem Rat folgen", id="dem_rat_folgen"),
        pytest.param("der Rat der Weisen", id="rat_der_weisen"),
        pytest.param("mit Rat und Tat", id="rat_und_tat"),
        pytest.param("Der Ratgeber", id="ratgeber"),
        pytest.param("Ausschussvorsitzender", id="ausschuss_compound_person"),
        pytest.param("Ausschuss in der Produktion", id="ausschuss_without_article"),
        pytest.param("Die (Ober)Bürgermeister der Gründer-RegioPolen", id="plural_office_holders"),
        pytest.param("Die Fachausschüsse", id="plural_committees"),
        pytest.param("die Ratenzahlung", id="ratenzahlung"),
        pytest.param("Der Bürgermeister lädt ein", id="buergermeister_is_no_body"),
        pytest.param("Büro des Rates, Zimmer 12", id="buero_des_rates"),
    ],
)
def test_no_false_bodies(nlp: Language, text: str) -> None:
    assert bodies(nlp, text) == []


def test_implied_body_is_marked(nlp: Language) -> None:
    (mention,) = bodies(nlp, "Ratsbeschluss Juni 2020: Beteiligung am Modellvorhaben")
    assert mention.role == "implied"
    (direct,) = bodies(nlp, "Der Rat hat beschlossen")
    assert direct.role is None


def test_mitteilung_seed_bodies(nlp: Language) -> None:
    found = bodies(nlp, MITTEILUNG.read_text(encoding="utf-8"))
    assert [m.value for m in found] == [
        "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
        "Rat der Stadt Bielefeld",
        "Lenkungsausschuss",
        "Oberbürgermeister",
    ]
    assert [m.kind for m in found] == [
        "ausschuss",
        "rat",
        "lenkungsausschuss",
        "oberbuergermeister",
    ]


def test_deck_seed_bodies(nlp: Language) -> None:
    found = bodies(nlp, DECK.read_text(encoding="utf-8"))
    assert [(m.text, m.value, m.role) for m in found] == [
        ("Ratsbeschluss", "Rat", "implied"),
        ("Ratsbeschluss", "Rat", "implied"),
    ]


@pytest.mark.parametrize(
    ("value", "municipality"),
    [
        pytest.param("Rat der Stadt Bielefeld", "Bielefeld", id="stadt"),
        pytest.param("Rat der Gemeinde Borchen", "Borchen", id="gemeinde"),
        pytest.param(
            "Rat der Stadt Schloß Holte-Stukenbrock", "Schloß Holte-Stukenbrock", id="two_words"
        ),
        pytest.param("Kreistag des Kreises Lippe", "Kreis Lippe", id="kreis"),
        pytest.param("Kreistag des Kreises Gütersloh", "Kreis Gütersloh", id="kreis_of_city"),
        pytest.param("Rat", None, id="bare_rat"),
        pytest.param("Lenkungsausschuss", None, id="no_place"),
    ],
)
def test_body_municipality(value: str, municipality: str | None) -> None:
    assert body_municipality(value) == municipality


@pytest.mark.parametrize(
    ("word", "body"),
    [
        pytest.param("Ratsbeschluss", "Rat", id="ratsbeschluss"),
        pytest.param("Ratssitzung", "Rat", id="ratssitzung"),
        pytest.param("Stadtratsbeschluss", "Stadtrat", id="stadtrat"),
        pytest.param("Kreistagsbeschlüsse", "Kreistag", id="kreistag"),
        pytest.param("Ratschlag", None, id="ratschlag"),
        pytest.param("Beirat", None, id="beirat"),
        pytest.param("Rat", None, id="not_a_compound"),
    ],
)
def test_body_from_word(word: str, body: str | None) -> None:
    assert body_from_word(word) == body


def test_rules_compile_and_are_data() -> None:
    ids = [r.id for r in rules()]
    assert len(ids) == len(set(ids)) and "rat_der_stadt" in ids
    assert find_bodies("") == []
