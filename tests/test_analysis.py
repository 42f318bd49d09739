"""German analysis: tokens in, tokens out, for folding, stemming and compound splitting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiv import analysis
from archiv.analysis import compound_parts, fold_key, leaf_parts, normalize, split_compound, stem


def _terms(text: str) -> list[str]:
    return [token.term for token in analysis.tokenize(text)]


def test_tokens_keep_offsets_of_the_printed_text() -> None:
    text = "Der Rat (Bielefeld) stimmte dem RegioPole-Netzwerk zu."
    tokens = list(analysis.tokenize(text))
    assert [text[t.start : t.end] for t in tokens] == [
        "Der", "Rat", "Bielefeld", "stimmte", "dem", "RegioPole", "Netzwerk", "zu",
    ]  # fmt: skip
    assert [t.pos for t in tokens] == list(range(8))
    assert tokens[6].word == "netzwerk"


def test_decomposed_umlauts_are_composed() -> None:
    decomposed = "in Wu\u0308rzburg tagt"
    assert _terms(decomposed) == _terms("in Würzburg tagt")
    token = list(analysis.tokenize(decomposed))[1]
    assert decomposed[token.start : token.end] == "Wu\u0308rzburg"
    assert token.word == "würzburg"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Würzburg", "Wuerzburg", id="ue"),
        pytest.param("Städte", "Staedte", id="ae"),
        pytest.param("Gröninger", "Groeninger", id="oe"),
        pytest.param("Straße", "Strasse", id="eszett"),
        pytest.param("Vereinbarung", "Vereinbarungen", id="plural"),
        pytest.param("Beitritt", "Beitritts", id="genitive"),
        pytest.param("Netzwerk", "Netzwerks", id="genitive-s"),
        pytest.param("Stadt", "Städte", id="umlaut-plural"),
        pytest.param("Gründungsmitglied", "Gründungsmitgliedern", id="dative-plural"),
        pytest.param("neu", "neue", id="eue-is-not-an-umlaut"),
    ],
)
def test_spellings_and_inflections_meet(a: str, b: str) -> None:
    assert _terms(a) == _terms(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("Feuer", "Führer", id="feuer"),
        pytest.param("Rat", "Rad", id="rat-rad"),
        pytest.param("Beitritt", "Beirat", id="different-words"),
        pytest.param("Vorlage", "Verlag", id="vorlage-verlag"),
    ],
)
def test_different_words_stay_apart(a: str, b: str) -> None:
    assert _terms(a) != _terms(b)


def test_stem_is_snowball_german() -> None:
    assert stem("vereinbarungen") == "vereinbar"
    assert stem("städte") == "stadt"


def test_fold_key_for_exact_names() -> None:
    assert fold_key("  Würzburg ") == fold_key("WUERZBURG") == "wuerzburg"
    assert fold_key("Bad  Salzuflen") == "bad salzuflen"


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        pytest.param("städtenetzwerk", ("städte", "netzwerk"), id="plural-modifier"),
        pytest.param("netzwerkpartner", ("netzwerk", "partner"), id="plain"),
        pytest.param("kooperationsvereinbarung", ("kooperation", "vereinbarung"), id="fugen-s"),
        pytest.param("untersuchungsmatrix", ("untersuchung", "matrix"), id="ung-s"),
        pytest.param(
            "digitalisierungsbeauftragten", ("digitalisierung", "beauftragten"), id="inflected-head"
        ),
        pytest.param(
            "infrastrukturentwicklungsplanung",
            ("infrastruktur", "entwicklung", "planung"),
            id="three-parts",
        ),
        pytest.param("gründungsmitgliedern", ("gründung", "mitgliedern"), id="dative-head"),
        pytest.param("haushaltsjahr", ("haushalt", "jahr"), id="haushaltsjahr"),
        pytest.param("regiopolregionen", ("regiopol", "regionen"), id="coined-modifier"),
        pytest.param("bundesinstitut", ("bundes", "institut"), id="fugen-es"),
        pytest.param("flächennutzungsplan", ("fläche", "nutzung", "plan"), id="fugen-n"),
    ],
)
def test_compounds_split_into_known_parts(word: str, parts: tuple[str, ...]) -> None:
    assert tuple(stem(p) for p in leaf_parts(word)) == tuple(stem(p) for p in parts)


@pytest.mark.parametrize(
    "word",
    [
        "verein", "beitritt", "regierung", "erfurt", "paderborn", "verwaltung", "vorlage",
        "bielefeld", "würzburg", "unternehmen", "landschaft", "wirtschaft", "gesellschaft",
        "unterzeichnung", "niederschrift", "mitgliedschaft", "netzwerk", "netzwerks",
        "bürgermeister", "zusammenarbeit", "überarbeitung", "stadtplanungsamt",
    ],
)  # fmt: skip
def test_non_compounds_do_not_split(word: str) -> None:
    assert split_compound(word) == ()


def test_every_level_of_parts_is_indexed() -> None:
    parts = compound_parts("stadtentwicklungskonzept")
    assert {"konzept", "stadt", "entwicklung"} <= set(parts)


def test_parts_only_for_capitalised_words() -> None:
    [noun] = analysis.tokenize("Haushaltsjahr")
    [lower] = analysis.tokenize("haushaltsjahr")
    assert set(noun.parts) == {stem("haushalt"), stem("jahr")}
    assert lower.parts == ()
    [adjective] = analysis.tokenize("interkommunalen")
    assert adjective.parts == ()


def test_overlong_tokens_are_dropped() -> None:
    assert _terms("a" * 200 + " Rat") == ["rat"]


def test_normalize_lowercases() -> None:
    assert normalize("ÄRGER") == "ärger"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aäoöuüßAÄOÖUÜẞ\u0308 -/.İıxyzNetzwrk1"), max_size=80))
def test_token_offsets_point_at_the_printed_word(text: str) -> None:
    for token in analysis.tokenize(text):
        printed = text[token.start : token.end]
        assert token.word in normalize(printed)  # "İ" lower-cases to "i" + a combining dot
        assert token.term == stem(token.word)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Netzwerk", "netzwerk", "Städtenetzwerk", "städtenetzwerk", "Netzwerks", "Rat",
             "Räte", "Wu\u0308rzburg", "Würzburg", "x", "-", " ", "\n", "/", "Haushaltsjahr"]
        ),
        max_size=30,
    ),
    st.sampled_from([{"netzwerk"}, {"rat"}, {"wurzburg"}, {"jahr"}, set()]),
)  # fmt: skip
def test_matching_spans_equals_filtered_tokens(pieces: list[str], wanted: set[str]) -> None:
    text = "".join(pieces)
    expected = [
        (t.start, t.end, t.term)
        for t in analysis.tokenize(text)
        if t.term in wanted or t.word in {"räte"} or wanted & set(t.parts)
    ]
    assert analysis.matching_spans(text, wanted, {"räte"}) == expected
    memo: dict[str, analysis.Verdict] = {}  # shared by the pages of one search
    assert analysis.matching_spans(text, wanted, {"räte"}, memo) == expected
    assert analysis.matching_spans(text, wanted, {"räte"}, memo) == expected
