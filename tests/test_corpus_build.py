"""The sample corpus: rebuilt byte for byte, shaped as promised, faithful to the seeds.

The committed PDFs are what every other test and the demo ingest, so a silent change in them
(a reportlab upgrade, an edited sentence) must show up here first.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEEDS = ROOT.parent / "shared" / "seeds"

PDFS = (
    "bielefeld-mitteilung-hwb-2023-10-25.pdf",
    "paderborn-regiopole-praesentation.pdf",
    "beispiel-lemgo-beschlussvorlage-2021-114.pdf",
    "beispiel-lemgo-niederschrift-rat-2021-09-30.pdf",
    "beispiel-detmold-amtsblatt-zweispaltig.pdf",
)
FICTIONAL = tuple(name for name in PDFS if name.startswith("beispiel-"))
ANTRAG = "beispiel-lemgo-antrag-fraktion.txt"


def _load_builder() -> ModuleType:
    """corpus/ is no package; the module is registered first because dataclasses look it up."""
    spec = importlib.util.spec_from_file_location("archiv_corpus_build", CORPUS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    return _load_builder()


@pytest.fixture(scope="module")
def rebuilt(builder: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    builder.build(out)
    return out


def _pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def test_build_writes_exactly_the_documented_files(builder: ModuleType, rebuilt: Path) -> None:
    assert sorted(p.name for p in rebuilt.iterdir()) == sorted((*PDFS, ANTRAG))
    assert list(builder.DOCUMENTS) == [*PDFS[:2], *FICTIONAL, ANTRAG]
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    for name in (*PDFS, ANTRAG):
        assert name in readme, f"{name} is not described in corpus/README.md"


@pytest.mark.parametrize("name", [*PDFS, ANTRAG])
def test_rebuild_matches_committed_file(name: str, builder: ModuleType, rebuilt: Path) -> None:
    """Byte-identical with the same reportlab; with another one, same pages and same text."""
    committed, fresh = CORPUS / name, rebuilt / name
    if name.endswith(".txt"):
        assert fresh.read_bytes() == committed.read_bytes()
        return
    committed_creator = PdfReader(committed).metadata.creator
    if committed_creator == builder.CREATOR:
        assert fresh.read_bytes() == committed.read_bytes(), (
            f"{name} differs from a fresh build: run .venv/bin/python corpus/build.py")
    else:
        assert _pages(fresh) == _pages(committed), (
            f"{name}: committed with {committed_creator!r}, text differs from {builder.CREATOR!r}")


@pytest.mark.parametrize(
    ("name", "pages", "landscape"),
    [
        pytest.param(PDFS[0], 1, False, id="bielefeld-mitteilung"),
        pytest.param(PDFS[1], 13, True, id="paderborn-slides"),
        pytest.param(PDFS[2], 2, False, id="lemgo-vorlage"),
        pytest.param(PDFS[3], 3, False, id="lemgo-niederschrift"),
        pytest.param(PDFS[4], 1, False, id="detmold-amtsblatt"),
    ],
)
def test_page_count_and_orientation(name: str, pages: int, landscape: bool) -> None:
    reader = PdfReader(CORPUS / name)
    assert len(reader.pages) == pages
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width > height) is landscape


@pytest.mark.parametrize("name", FICTIONAL)
def test_fictional_documents_say_so(name: str) -> None:
    reader = PdfReader(CORPUS / name)
    assert "Fiktives Beispiel" in reader.metadata.title
    assert "Fiktives Beispiel" in reader.metadata.subject
    assert "Fiktives Beispieldokument" in reader.pages[0].extract_text()


def test_fictional_text_document_says_so() -> None:
    text = (CORPUS / ANTRAG).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "Fiktives Beispieldokument"


def test_real_documents_are_not_marked_fictional() -> None:
    for name in PDFS[:2]:
        reader = PdfReader(CORPUS / name)
        text = "\n".join(_pages(CORPUS / name))
        assert "Fiktiv" not in (reader.metadata.title or "") + (reader.metadata.subject or "")
        assert "Fiktiv" not in text


@pytest.mark.parametrize(
    ("name", "page", "pattern"),
    [
        pytest.param(PDFS[0], 1, r"DS-Nr\. 1045/2014-2020", id="bielefeld-ds-nr"),
        pytest.param(PDFS[0], 1, r"im Berliner Jakob-\nKaiser-Haus", id="bielefeld-jakob-line-end"),
        pytest.param(PDFS[0], 1, r"vereinbarten Interkom-\nmunalen Vereinbarung", id="bielefeld-interkom"),
        pytest.param(PDFS[0], 1, r"die die Netz-\nwerkpartner auch", id="bielefeld-netz"),
        pytest.param(PDFS[0], 1, r"Gründungsmitgleidern", id="bielefeld-typo"),
        pytest.param(PDFS[0], 1, r"Sitzung des Lenkungausschusses des Netzwerks am 19\.09\.23",
                     id="bielefeld-two-digit-year"),
        pytest.param(PDFS[0], 1, r"Beteiligungsausschuss am 25\.10\.2023", id="bielefeld-meeting"),
        pytest.param(PDFS[0], 1, r"gez\.\nClausen\nOberbürgermeister", id="bielefeld-signature"),
        pytest.param(PDFS[1], 1, r"Ratsbeschluss Februar 2015: Beitritt zum Netzwerk \(Vorlage 0002/15\)",
                     id="paderborn-beitritt"),
        pytest.param(PDFS[1], 1, r"\(BBSR\) im März 2016\.", id="paderborn-gruendung"),
        pytest.param(PDFS[1], 3, r"Zuwendungsbescheid vom 09\.03\.2020", id="paderborn-bescheid"),
        pytest.param(PDFS[1], 3, r"Ratsbeschluss Juni 2020: Beteiligung am Modellvorhaben "
                                 r"\(Vorlage 0174/20\)", id="paderborn-modellvorhaben"),
        pytest.param(PDFS[1], 4, r"Wirtschafts-, Gründungs- und\nDienstleistungsinfrastruktur",
                     id="paderborn-table-cell"),
        pytest.param(PDFS[1], 5, r"01\.01\.2021 – 31\.12\.2022, längstens jedoch bis zum 31\.08\.2023",
                     id="paderborn-zeitplan"),
        pytest.param(PDFS[1], 7, r"Untersuchungs-\n\s*matrix", id="paderborn-untersuchungsmatrix"),
        pytest.param(PDFS[1], 7, r"Experten-\nInterviews und", id="paderborn-experten"),
        pytest.param(PDFS[1], 10, r"Digitalisierungs-\n\s*beauftragten", id="paderborn-zielbaum"),
        pytest.param(PDFS[1], 13, r"05251 -88 16158\nb\.siebel@paderborn\.de", id="paderborn-contact"),
        pytest.param(PDFS[2], 1, r"Drucksache Nr\. 114/2021", id="vorlage-number"),
        pytest.param(PDFS[2], 1, r"Beschlussvorschlag:\nDer Rat der Stadt Lemgo beschließt, der "
                                 r"Kooperationsvereinbarung", id="vorlage-proposal"),
        pytest.param(PDFS[2], 1, r"Haushaltsjahre 2024/2025", id="vorlage-year-pair"),
        pytest.param(PDFS[3], 1, r"am 12\. März\n2015 mit dem Integrierten Klimaschutzkonzept",
                     id="niederschrift-date-across-lines"),
        pytest.param(PDFS[3], 1, r"mit 25 Ja-Stimmen, 3 Nein-Stimmen bei 2 Enthaltungen",
                     id="niederschrift-votes"),
        pytest.param(PDFS[3], 2, r"Schreiben vom 02\.09\.21", id="niederschrift-two-digit-year"),
        pytest.param(PDFS[3], 2, r"in den Ausschuss für Stadtentwicklung verwiesen",
                     id="niederschrift-referred"),
        pytest.param(PDFS[4], 1, r"DS.24-1095", id="amtsblatt-ds"),
        pytest.param(PDFS[4], 1, r"Ah.34/21-26", id="amtsblatt-ah"),
    ],
)
def test_extracted_text_contains(name: str, page: int, pattern: str) -> None:
    text = _pages(CORPUS / name)[page - 1]
    assert re.search(pattern, text), f"{pattern!r} not on page {page} of {name}"


@pytest.mark.parametrize(
    ("name", "head"),
    [
        pytest.param(PDFS[2], "Beschlussvorlage DS 114/2021", id="vorlage"),
        pytest.param(PDFS[3], "Niederschrift Rat 30.09.2021", id="niederschrift"),
    ],
)
def test_running_head_and_page_of_pages_on_every_page(name: str, head: str) -> None:
    pages = _pages(CORPUS / name)
    for number, text in enumerate(pages, start=1):
        assert head in text
        assert f"Seite {number} von {len(pages)}" in text


def test_niederschrift_records_every_kind_of_outcome() -> None:
    text = re.sub(r"\s+", " ", " ".join(_pages(CORPUS / PDFS[3])))
    for phrase in ("einstimmig beschlossen", "wird vertagt", "abgelehnt", "zur Kenntnis genommen",
                   "in den Ausschuss für Stadtentwicklung verwiesen",
                   "Der Haupt- und Finanzausschuss empfiehlt dem Rat"):
        assert phrase in text
    numbers = re.findall(r"Beschluss-Nr\.\s(VII/2021/\d{4})", text)
    assert numbers == [f"VII/2021/{n:04d}" for n in range(123, 129)]


def test_amtsblatt_reads_left_column_before_right_column() -> None:
    text = _pages(CORPUS / PDFS[4])[0]
    order = ["Bekanntmachung der Beschlüsse des", "1. Fortschreibung", "4. Sitzungstermine 2025",
             "§ 1 Änderung", "§ 3 Inkrafttreten", "Bekanntmachungsanordnung",
             "Hinweis zur Einsichtnahme"]
    positions = [re.search(re.escape(p).replace(r"\ ", r"\s+"), text) for p in order]
    assert all(positions), order
    starts = [m.start() for m in positions if m]
    assert starts == sorted(starts)
    # Both columns are full: the right one ends near the foot of the page.
    layout = PdfReader(CORPUS / PDFS[4]).pages[0]
    bottoms: list[float] = []

    def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
        if text.strip() and tm[4] > 280:
            bottoms.append(tm[5])

    layout.extract_text(visitor_text=visit)
    assert min(bottoms) < 90


def test_antrag_is_a_proposal_with_both_spellings_of_koeln() -> None:
    text = (CORPUS / ANTRAG).read_text(encoding="utf-8")
    assert "zur Sitzung des Rates am 16.12.2021" in text
    assert "Der Rat möge beschließen:" in text
    assert "Köln" in text and "koeln" in text


def _seed_body(seed: str) -> str:
    body = seed.split("Mitteilung:", 1)[1].split("gez.", 1)[0]
    return " ".join(body.split())


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed texts are not checked out")
def test_bielefeld_body_is_the_seed_word_for_word() -> None:
    seed = (SEEDS / "000_ae2a2a8725a018bf.txt").read_text(encoding="utf-8")
    text = _pages(CORPUS / PDFS[0])[0]
    body = text.split("Mitteilung:\n", 1)[1].split("gez.", 1)[0]
    body = body.replace("Interkom-\nmunalen", "Interkommunalen").replace(
        "Netz-\nwerkpartner", "Netzwerkpartner")
    assert " ".join(body.split()) == _seed_body(seed)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed texts are not checked out")
def test_paderborn_deck_holds_every_word_of_the_seed() -> None:
    seed = (SEEDS / "002_01726d0f562be5ea.txt").read_text(encoding="utf-8")
    deck = "\n".join(_pages(CORPUS / PDFS[1]))

    def words(text: str) -> set[str]:
        return set(re.sub(r"[\ue000-\uf8ff]", " ", text).split())

    # "ableitenZiele" is two overlapping text boxes of the original glued by its extractor.
    assert words(seed) - words(deck) == {"ableitenZiele"}
