#!/usr/bin/env python3
"""A scale corpus for the benchmarks: N German council PDFs, deterministic from a seed.

Why synthetic: the seed corpus has two documents; throughput, re-ingest and search latency only
mean something at 1k–10k documents (10k–100k pages). The documents imitate what a
Ratsinformationssystem publishes (Mitteilungen, Beschlussvorlagen, Niederschriften with TOPs and
votes, slide decks with tables), with dates in every form, reference numbers in every municipal
style, bodies, real city names and long compounds, so that extraction, tagging and the German
analyzer do the same work per page they do on real files.

Document ``i`` depends only on ``(seed, i)``: the first 1,000 documents of the 10k corpus are
the 1k corpus, which lets a larger build hard-link a smaller cached one instead of redrawing it.

Usage::

    .venv/bin/python benchmarks/gen_corpus.py --docs 1000 [--seed 7] [--jobs 2] [--force]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

GENERATOR_FILE = Path(__file__).resolve()
MARKER = ".complete.json"
MANIFEST = "manifest.json"
DEFAULT_SEED = 7
WORDS_PER_PAGE = 350  # the corpus average; portrait pages carry more, slides less
PORTRAIT_WORDS = 400

# --- vocabulary -----------------------------------------------------------------------------

CITIES = [
    "Bielefeld",
    "Paderborn",
    "Erfurt",
    "Rostock",
    "Siegen",
    "Trier",
    "Koblenz",
    "Würzburg",
    "Münster",
    "Osnabrück",
    "Göttingen",
    "Kassel",
    "Jena",
    "Regensburg",
    "Ingolstadt",
    "Ulm",
    "Heilbronn",
    "Oldenburg",
    "Bamberg",
    "Lüneburg",
    "Gütersloh",
    "Detmold",
    "Hamm",
    "Herford",
    "Minden",
    "Lippstadt",
    "Soest",
    "Marburg",
    "Gießen",
    "Fulda",
    "Konstanz",
    "Augsburg",
    "Passau",
    "Landshut",
    "Schwerin",
    "Cottbus",
    "Greifswald",
    "Stralsund",
    "Wismar",
    "Flensburg",
    "Kiel",
    "Lübeck",
    "Bremerhaven",
    "Hildesheim",
    "Wolfsburg",
    "Salzgitter",
    "Bayreuth",
    "Coburg",
    "Zwickau",
    "Plauen",
    "Görlitz",
    "Magdeburg",
    "Potsdam",
    "Neubrandenburg",
    "Kaiserslautern",
    "Saarbrücken",
    "Mönchengladbach",
    "Wuppertal",
    "Solingen",
    "Remscheid",
    "Bottrop",
    "Gelsenkirchen",
    "Recklinghausen",
    "Iserlohn",
]
# How each municipality writes its Drucksachen numbers (see docs/domain.md).
REF_STYLES = ["ds_period", "vorlage_yy", "drucksache_nr", "allris_bv", "allris_v", "vorlagen_nr"]
MONTHS = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
]
COMMITTEES = [
    "Haupt- und Finanzausschuss",
    "Haupt-, Wirtschaftsförderungs- und Beteiligungsausschuss",
    "Ausschuss für Umwelt und Klimaschutz",
    "Ausschuss für Stadtentwicklung, Bauen und Wohnen",
    "Ausschuss für Schule und Sport",
    "Ausschuss für Mobilität und Verkehr",
    "Ausschuss für Kultur und Tourismus",
    "Ausschuss für Soziales, Gesundheit und Integration",
    "Jugendhilfeausschuss",
    "Betriebsausschuss Stadtentwässerung",
    "Rechnungsprüfungsausschuss",
    "Lenkungsausschuss",
    "Verwaltungsvorstand",
    "Wahlprüfungsausschuss",
]
DISTRICTS = [
    "Mitte",
    "Nord",
    "Süd",
    "Ost",
    "West",
    "Altstadt",
    "Neustadt",
    "Heepen",
    "Sennestadt",
    "Schloß Neuhaus",
    "Elsen",
    "Brackwede",
    "Gadderbaum",
    "Jöllenbeck",
    "Stieghorst",
]
SURNAMES = [
    "Clausen",
    "Dreier",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
]
FACTIONS = [
    "CDU",
    "SPD",
    "Bündnis 90/Die Grünen",
    "FDP",
    "Die Linke",
    "Freie Wähler",
    "Volt",
    "Bürgergemeinschaft",
]
# Compound parts: heads and modifiers combine into the long nouns German search must split.
MODIFIERS = [
    "Stadt",
    "Städte",
    "Verkehrs",
    "Rad",
    "Schul",
    "Bau",
    "Wohn",
    "Klima",
    "Energie",
    "Haushalts",
    "Finanz",
    "Gewerbe",
    "Kultur",
    "Sport",
    "Jugend",
    "Sozial",
    "Gesundheits",
    "Feuerwehr",
    "Abwasser",
    "Abfall",
    "Friedhofs",
    "Grünflächen",
    "Spielplatz",
    "Straßen",
    "Brücken",
    "Netzwerk",
    "Regional",
    "Landes",
    "Bundes",
    "Förder",
    "Investitions",
    "Sanierungs",
    "Entwicklungs",
    "Planungs",
    "Verwaltungs",
    "Digitalisierungs",
    "Breitband",
    "Wärme",
    "Mobilitäts",
    "Nahverkehrs",
    "Personal",
    "Integrations",
    "Wirtschafts",
    "Tourismus",
    "Denkmal",
    "Hochwasser",
    "Umwelt",
    "Quartiers",
    "Innenstadt",
    "Beteiligungs",
    "Kindertages",
    "Grundschul",
    "Park",
]
HEADS = [
    "konzept",
    "plan",
    "planung",
    "netzwerk",
    "vereinbarung",
    "satzung",
    "ordnung",
    "ausschuss",
    "verwaltung",
    "maßnahme",
    "programm",
    "mittel",
    "bericht",
    "förderung",
    "strategie",
    "projekt",
    "gebühren",
    "verfahren",
    "anlage",
    "zentrum",
    "gebiet",
    "beirat",
    "kommission",
    "vertrag",
    "haushalt",
    "entwicklung",
    "sanierung",
    "partner",
    "initiative",
    "gutachten",
    "analyse",
    "bedarf",
    "fonds",
    "prüfung",
    "beschluss",
]
STREET_PARTS = [
    "Bahnhof",
    "Markt",
    "Kirch",
    "Schiller",
    "Goethe",
    "Linden",
    "Eichen",
    "Berliner",
    "Hauptbahnhof",
    "Ring",
    "Wall",
    "Mühlen",
    "Garten",
    "Schul",
    "Rathaus",
    "Hafen",
    "Wiesen",
    "Kastanien",
    "Feld",
    "Burg",
]
STREET_HEADS = ["straße", "weg", "platz", "allee", "ring", "gasse"]
TOPICS = [
    "Beitritt zum Städtenetzwerk „Regiopolregionen für Deutschland“",
    "Interkommunale Vereinbarung des Deutschen RegioPole-Netzwerks",
    "Beteiligung am Modellvorhaben „Region gestalten“",
    "Fortschreibung des Radverkehrskonzepts",
    "Aufstellung des Bebauungsplans Nr. {n} „{street}“",
    "Neubau der Kindertagesstätte {street}",
    "Schulentwicklungsplanung {year} bis {year5}",
    "Klimaschutzkonzept und kommunale Wärmeplanung",
    "Haushaltssatzung für das Haushaltsjahr {year}",
    "Hebesätze der Gewerbesteuer und der Grundsteuer",
    "Fortschreibung des Feuerwehrbedarfsplans",
    "Sanierung des Hallenbades {street}",
    "Digitalisierungsstrategie der Stadtverwaltung",
    "Wohnraumversorgungskonzept",
    "Nahverkehrsplan und Ausbau des ÖPNV-Angebots",
    "Breitbandausbau in den Gewerbegebieten",
    "Städtepartnerschaft mit {partner}",
    "Photovoltaikanlagen auf städtischen Dächern",
    "Friedhofsgebührensatzung",
    "Abfallwirtschaftskonzept {year}",
    "Integriertes Stadtentwicklungskonzept (ISEK) {district}",
    "Einrichtung eines Jugendzentrums in {district}",
    "Hochwasserschutzkonzept für das Einzugsgebiet der {river}",
    "Bürgerhaushalt und Beteiligungsverfahren",
    "Jahresabschluss {year} der Stadtwerke {city} GmbH",
]
RIVERS = ["Lutter", "Pader", "Lippe", "Weser", "Main", "Mosel", "Warnow", "Gera", "Sieg", "Ems"]
PARTNERS = [
    "Rochdale (Großbritannien)",
    "Concarneau (Frankreich)",
    "Nahariya (Israel)",
    "Veliky Novgorod (Russland)",
    "Enniskillen (Nordirland)",
    "Rzeszów (Polen)",
    "Le Mans (Frankreich)",
    "Bolton (Großbritannien)",
    "Przemyśl (Polen)",
]
FILLER = [
    "Die Verwaltung wird beauftragt, die erforderlichen Schritte einzuleiten und dem {body} bis zum {date} zu berichten.",
    "Mit Beschluss vom {date} hat der {body} die Verwaltung gebeten, ein {compound} zu erarbeiten.",
    "Die Kosten in Höhe von {amount} Euro werden aus dem {compound} finanziert; Mittel stehen im Teilergebnisplan {n} zur Verfügung.",
    "Im {month} {year} fand ein erstes Gespräch mit Vertreterinnen und Vertretern der Stadt {place} statt.",
    "Die Stadt {city} beteiligt sich seit {year} am {compound} und hat damit gute Erfahrungen gemacht.",
    "Nach Auskunft des Fachbereichs {compound} ist eine Umsetzung frühestens ab dem {date} möglich.",
    "Hierzu wird auf die {ref} verwiesen, in der die Einzelheiten des {compound}s dargestellt sind.",
    "Der Zuwendungsbescheid vom {date} sieht eine Förderung von {percent} % der zuwendungsfähigen Ausgaben vor.",
    "Die Laufzeit des Projekts erstreckt sich vom {date} bis zum {date}, längstens jedoch bis zum {date}.",
    "Die Anregungen aus der Bürgerbeteiligung im {month} {year} wurden geprüft und, soweit möglich, berücksichtigt.",
    "Frau {name} von der Fraktion {faction} fragt nach dem Stand der {compound} und der Beteiligung der Bezirksvertretung {district}.",
    "Herr {name} ({faction}) regt an, die Ergebnisse im {committee} erneut zu beraten.",
    "Die Gesamtkosten werden auf rund {amount} Euro geschätzt, davon entfallen {amount2} Euro auf den {compound}.",
    "Die Stadt {place} hat ein vergleichbares {compound} bereits im Jahr {year} eingeführt.",
    "Ein entsprechender Antrag der Fraktion {faction} vom {date} liegt dem {body} vor.",
    "Das Gutachten des Büros {name} & Partner empfiehlt, die {compound} in zwei Bauabschnitten umzusetzen.",
    "Die Öffentlichkeit wurde gemäß § 3 Abs. 2 BauGB in der Zeit vom {date} bis {date} beteiligt.",
    "Die Untersuchungsmatrix umfasst insgesamt {n} Kriterien, darunter Erreichbarkeit, Kosten und Klimawirkung.",
    "Auf Nachfrage erläutert die Verwaltung, dass die {compound} mit der Stadt {place} abgestimmt wird.",
    "Die Maßnahme trägt zur Umsetzung der Ziele des {compound}s bei und ist mit dem Regionalplan vereinbar.",
    "Eine Stellungnahme des Personalrats liegt vor; Bedenken wurden nicht erhoben.",
    "Die Zahl der Plätze soll von {n} auf {n2} erhöht werden; der Bedarf ist im {compound} nachgewiesen.",
    "Zwischenzeitlich sind die Städte {place} und {place2} dem Netzwerk beigetreten.",
    "Die Oberbürgermeisterin unterzeichnete am {date} in {place} die Vereinbarung als Zeichen der Zusammenarbeit.",
    "Bis Ende {year} sollen sämtliche Gebäude der Stadt {city} an das {compound} angeschlossen werden.",
    "Die Sitzung des {committee} am {date} wurde auf Wunsch der Fraktionen verschoben.",
    "Die Finanzierung ist im Haushaltsplan {year} unter der Investitionsnummer {inv} veranschlagt.",
    "Es wird empfohlen, die {compound} gemeinsam mit den Nachbarkommunen {place} und {place2} auszuschreiben.",
]
DECISIONS = [
    "Der {body} hat in seiner Sitzung am {date} {topic} beschlossen ({ref}).",
    "Ratsbeschluss {month} {year}: {topic} ({ref})",
    "Der {body} stimmte in seiner Sitzung am {date} dem Vorschlag der Verwaltung zu ({ref}).",
    "In der Sitzung des {committee} am {date} wurde die aktualisierte Fassung einstimmig beschlossen.",
    "Der {body} beschließt die {topic} in der vorgelegten Fassung.",
]
VOTES = [
    "einstimmig beschlossen",
    "einstimmig bei {abst} Enthaltungen beschlossen",
    "mit {yes} Ja-Stimmen, {no} Nein-Stimmen bei {abst} Enthaltungen beschlossen",
    "mehrheitlich beschlossen ({yes} Ja-Stimmen, {no} Nein-Stimmen, {abst} Enthaltungen)",
    "mit {yes} Ja-Stimmen gegen {no} Nein-Stimmen abgelehnt",
    "zur Kenntnis genommen",
    "in die Fraktionen verwiesen",
]
DOC_TYPES = [
    ("mitteilung", 0.28),
    ("beschlussvorlage", 0.30),
    ("niederschrift", 0.27),
    ("praesentation", 0.15),
]


@dataclass(slots=True)
class DocSpec:
    """What the generator wrote into one file, for the benchmark's query mix and checks."""

    index: int
    file: str
    type: str
    city: str
    date: str
    pages: int = 0
    words: int = 0
    references: list[str] = field(default_factory=list)


# --- text --------------------------------------------------------------------------------------


class Writer:
    """Draws sentences for one document; every choice comes from the document's own Random."""

    def __init__(self, rng: random.Random, city: str, city_index: int) -> None:
        self.rng = rng
        self.city = city
        self.style = REF_STYLES[city_index % len(REF_STYLES)]
        self.year = rng.randint(2012, 2025)
        self.references: list[str] = []

    # slots
    def day(self, year: int | None = None) -> tuple[int, int, int]:
        rng = self.rng
        return (
            rng.randint(1, 28),
            rng.randint(1, 12),
            year if year is not None else self.year + rng.randint(-3, 2),
        )

    def date(self) -> str:
        d, m, y = self.day()
        form = self.rng.random()
        if form < 0.45:
            return f"{d:02d}.{m:02d}.{y}"
        if form < 0.75:
            return f"{d}. {MONTHS[m - 1]} {y}"
        if form < 0.85:
            return f"{d:02d}.{m:02d}.{y % 100:02d}"
        if form < 0.95:
            return f"{MONTHS[m - 1]} {y}"
        return f"{d}.{m}.{y}"

    def reference(self, style: str | None = None) -> str:
        rng = self.rng
        style = style or (self.style if rng.random() < 0.85 else rng.choice(REF_STYLES))
        y = self.year + rng.randint(-4, 0)
        n = rng.randint(1, 2400)
        if style == "ds_period":
            period = "2014-2020" if y < 2020 else "2020-2025"
            text = f"DS-Nr. {n:04d}/{period}"
        elif style == "vorlage_yy":
            text = f"Vorlage {n:04d}/{y % 100:02d}"
        elif style == "drucksache_nr":
            text = f"Drucksache Nr. {n}/{y}"
        elif style == "allris_bv":
            text = f"BV/{n:04d}/{y}"
        elif style == "allris_v":
            text = f"{rng.choice(['V', 'VO', 'MV'])}/{y}/{n:04d}"
        else:
            text = f"Vorlagen-Nr. {y}/{n:04d}"
        self.references.append(text)
        return text

    def compound(self) -> str:
        rng = self.rng
        head = rng.choice(HEADS)
        word = rng.choice(MODIFIERS) + head
        if rng.random() < 0.25:
            word = rng.choice(MODIFIERS) + rng.choice(MODIFIERS).lower() + head
        return word

    def street(self) -> str:
        return self.rng.choice(STREET_PARTS) + self.rng.choice(STREET_HEADS)

    def place(self) -> str:
        return self.rng.choice(CITIES)

    def body(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.35:
            return f"Rat der Stadt {self.city}"
        if r < 0.45:
            return "Rat"
        if r < 0.55:
            return f"Bezirksvertretung {rng.choice(DISTRICTS)}"
        return rng.choice(COMMITTEES)

    def topic(self) -> str:
        rng = self.rng
        year = self.year + rng.randint(-2, 1)
        return rng.choice(TOPICS).format(
            n=rng.randint(1, 320),
            street=self.street(),
            year=year,
            year5=year + 5,
            partner=rng.choice(PARTNERS),
            district=rng.choice(DISTRICTS),
            river=rng.choice(RIVERS),
            city=self.city,
        )

    def amount(self) -> str:
        value = self.rng.randint(5, 9_000) * 1000 + self.rng.choice([0, 500, 250])
        return f"{value:,}".replace(",", ".")

    def fill(self, template: str) -> str:
        rng = self.rng
        values = {
            "body": self.body(),
            "committee": rng.choice(COMMITTEES),
            "city": self.city,
            "place": self.place(),
            "place2": self.place(),
            "compound": self.compound(),
            "amount": self.amount(),
            "amount2": self.amount(),
            "percent": rng.choice([50, 60, 75, 80, 90]),
            "month": MONTHS[rng.randint(0, 11)],
            "year": self.year + rng.randint(-3, 1),
            "n": rng.randint(2, 90),
            "n2": rng.randint(91, 400),
            "name": rng.choice(SURNAMES),
            "faction": rng.choice(FACTIONS),
            "district": rng.choice(DISTRICTS),
            "inv": f"{rng.randint(1, 9)}.{rng.randint(100000, 999999)}",
            "topic": self.topic(),
            "yes": rng.randint(20, 60),
            "no": rng.randint(0, 15),
            "abst": rng.randint(0, 6),
        }
        text = template
        # Fill each slot separately so that two {date} slots get two dates.
        while "{date}" in text:
            text = text.replace("{date}", self.date(), 1)
        while "{ref}" in text:
            text = text.replace("{ref}", self.reference(), 1)
        return text.format(**values)

    def sentence(self) -> str:
        return self.fill(self.rng.choice(FILLER))

    def paragraph(self, sentences: tuple[int, int] = (3, 7)) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(*sentences)))

    def decision(self) -> str:
        return self.fill(self.rng.choice(DECISIONS))

    def vote(self) -> str:
        return self.fill(self.rng.choice(VOTES))


# --- layout ------------------------------------------------------------------------------------

Line = tuple[str, str]  # (style, text): style picks font and indent


def wrap(text: str, width: int, rng: random.Random, hyphenate: float = 0.15) -> list[str]:
    """Greedy wrap by characters; sometimes hyphenates a long word as PDFs of Word files do."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            room = width - len(current) - 1
            if len(word) >= 12 and room >= 6 and rng.random() < hyphenate:
                cut = rng.randint(5, min(room - 1, len(word) - 4))
                lines.append(f"{current} {word[:cut]}-")
                current = word[cut:]
            else:
                lines.append(current)
                current = word
    if current:
        lines.append(current)
    return lines


def _words(lines: list[Line]) -> int:
    return sum(len(text.split()) for _, text in lines)


def portrait_blocks(w: Writer, doc_type: str, pages: int) -> Iterator[list[Line]]:
    """An endless stream of blocks (heading + paragraph …) in the order the document reads."""
    rng = w.rng
    width = 92

    def para(text: str, style: str = "p") -> list[Line]:
        return [(style, line) for line in wrap(text, width, rng)] + [("gap", "")]

    meeting = w.date()
    body = w.body()
    own_ref = w.reference(w.style)
    if doc_type == "mitteilung":
        yield para(f"Mitteilung für den {body} am {meeting}", "h1")
        yield para(f"Drucksachen-Nr.: {own_ref}", "b")
        yield para(f"Thema: {w.topic()}", "h2")
        yield [("h2", "Mitteilung:")]
        yield para(w.decision() + " " + w.paragraph())
    elif doc_type == "beschlussvorlage":
        yield para(f"Beschlussvorlage {own_ref}", "h1")
        yield [("b", "Beratungsfolge            Sitzungstermin      Zuständigkeit")]
        for _ in range(rng.randint(2, 4)):
            yield [
                (
                    "b",
                    f"{rng.choice(COMMITTEES)[:26]:<26}{w.date():<20}"
                    f"{rng.choice(['Vorberatung', 'Entscheidung', 'Kenntnisnahme'])}",
                )
            ]
        yield [("gap", "")]
        yield para(f"Betreff: {w.topic()}", "h2")
        yield [("h2", "Beschlussvorschlag:")]
        yield para(f"Der {body} beschließt die {w.topic()} auf der Grundlage der {own_ref}.")
        yield [("h2", "Begründung:")]
    else:  # niederschrift
        yield para(
            f"Niederschrift über die {rng.randint(1, 60)}. Sitzung des {body} "
            f"am {meeting} im Rathaus {w.city}",
            "h1",
        )
        yield para(
            "Anwesend: "
            + ", ".join(
                f"{rng.choice(['Frau', 'Herr'])} {rng.choice(SURNAMES)} ({rng.choice(FACTIONS)})"
                for _ in range(rng.randint(8, 20))
            )
        )
        yield para(
            f"Beginn: {rng.randint(14, 18)}:00 Uhr, Ende: {rng.randint(19, 22)}:{rng.choice(['00', '15', '30', '45'])} Uhr"
        )
    top = 0
    while True:
        if doc_type == "niederschrift":
            top += 1
            ref = w.reference()
            yield para(f"TOP {top} {w.topic()}", "h2")
            yield para(f"Vorlage: {ref}", "b")
            yield para(w.paragraph((3, 8)))
            if rng.random() < 0.8:
                yield [("h2", "Beschluss:")]
                yield para(w.decision())
                yield para(f"Abstimmungsergebnis: {w.vote()}")
        else:
            if rng.random() < 0.25:
                yield para(
                    rng.choice(
                        [
                            "Sachstand",
                            "Finanzielle Auswirkungen",
                            "Ausblick",
                            "Rechtliche Grundlagen",
                            "Alternativen",
                            "Klimawirkung",
                        ]
                    )
                    + ":",
                    "h2",
                )
            yield para(w.paragraph())
            if rng.random() < 0.15:
                yield para(w.decision())


def slide_pages(w: Writer, pages: int) -> Iterator[list[Line]]:
    rng = w.rng
    yield [
        ("t", w.topic()[:60]),
        ("s", f"{rng.choice(COMMITTEES)} am {w.date()}"),
        (
            "s",
            f"Stadt {w.city} · {rng.choice(['Dezernat', 'Amt', 'Fachbereich'])} {rng.randint(1, 6)}",
        ),
        ("gap", ""),
    ] + [("p", line) for line in wrap(w.paragraph((4, 6)), 100, rng, 0)]
    for _ in range(pages - 1):
        lines: list[Line] = [
            (
                "t",
                rng.choice(
                    [
                        "Ziele",
                        "Sachstand",
                        "Zeitplan",
                        "Finanzierung",
                        "Modellprojekt",
                        "Infrastrukturbereiche",
                        "Ausblick",
                        "Ergebnisse",
                        w.compound(),
                    ]
                ),
            )
        ]
        for _ in range(rng.randint(7, 11)):
            lines += [("bullet", line) for line in wrap("- " + w.sentence(), 110, rng, 0)]
        if rng.random() < 0.5:
            lines.append(("gap", ""))
            lines.append(("table", f"{'Nr.':<5}{'Maßnahme':<44}{'Stadt':<18}{'Betrag (Euro)':>14}"))
            for k in range(rng.randint(3, 7)):
                lines.append(
                    (
                        "table",
                        f"{k + 1:<5}{w.compound()[:42]:<44}{w.place()[:16]:<18}{w.amount():>14}",
                    )
                )
        else:
            lines.append(("bullet", "- " + w.decision()))
        yield lines


FONTS = {
    "h1": ("Helvetica-Bold", 13, 18),
    "h2": ("Helvetica-Bold", 11, 15),
    "b": ("Helvetica", 10, 13),
    "p": ("Helvetica", 10, 13),
    "gap": ("Helvetica", 10, 7),
    "t": ("Helvetica-Bold", 22, 30),
    "s": ("Helvetica", 14, 20),
    "bullet": ("Helvetica", 12, 15),
    "table": ("Courier", 11, 15),
}


def page_count(rng: random.Random, doc_type: str) -> int:
    if doc_type == "mitteilung":
        n = 1 + int(rng.expovariate(1 / 1.4))
        return min(n, 6)
    if doc_type == "beschlussvorlage":
        return min(2 + int(rng.expovariate(1 / 7)), 30)
    if doc_type == "niederschrift":
        return min(8 + int(rng.expovariate(1 / 13)), 40)
    return min(5 + int(rng.expovariate(1 / 9)), 32)


def spec_for(seed: int, index: int) -> tuple[random.Random, DocSpec, Writer]:
    rng = random.Random(f"archiv-bench:{seed}:{index}")
    roll = rng.random()
    doc_type = DOC_TYPES[-1][0]
    for name, weight in DOC_TYPES:
        if roll < weight:
            doc_type = name
            break
        roll -= weight
    city_index = rng.randrange(len(CITIES))
    city = CITIES[city_index]
    writer = Writer(rng, city, city_index)
    d, m, y = writer.day(writer.year)
    slug = city.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss")
    name = f"pdf/{index // 1000:03d}/{slug}-{doc_type}-{y}-{m:02d}-{d:02d}-{index:05d}.pdf"
    return (
        rng,
        DocSpec(index=index, file=name, type=doc_type, city=city, date=f"{y}-{m:02d}-{d:02d}"),
        writer,
    )


def build_document(seed: int, index: int, out_dir: Path) -> DocSpec:
    """Draw and write document ``index``; canvas + drawString per line is the fast path."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    rng, spec, writer = spec_for(seed, index)
    pages = page_count(rng, spec.type)
    path = out_dir / spec.file
    path.parent.mkdir(parents=True, exist_ok=True)
    slides = spec.type == "praesentation"
    size = landscape(A4) if slides else A4
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1, pageCompression=1)
    pdf.setTitle(f"{spec.type.capitalize()} {spec.city} {spec.date}")
    pdf.setAuthor(f"Stadt {spec.city}")
    width, height = size
    words = 0
    if slides:
        for number, lines in enumerate(slide_pages(writer, pages), 1):
            words += _draw(pdf, lines, 50, height - 60, 45)
            pdf.setFont("Helvetica", 9)
            pdf.drawString(50, 25, f"Stadt {spec.city}    {number}")
            pdf.showPage()
    else:
        blocks = portrait_blocks(writer, spec.type, pages)
        carry: list[Line] = []
        for number in range(1, pages + 1):
            budget = max(120, int(rng.gauss(PORTRAIT_WORDS, 50)))
            pdf.setFont("Helvetica", 8)
            pdf.drawString(
                60,
                height - 40,
                f"Stadt {spec.city} – {spec.type.capitalize()} – Seite {number} von {pages}",
            )
            y = height - 70
            page_words = 0
            while True:
                block = carry or next(blocks)
                carry = []
                need = sum(FONTS[style][2] for style, _ in block)
                if y - need < 80 or page_words >= budget:
                    if y - need < 80 and y > 200 and len(block) > 3:
                        # Split a long paragraph across pages, as a word processor does.
                        room = int((y - 80) / 13)
                        page_words += _draw(pdf, block[:room], 60, y, 0)
                        carry = block[room:]
                    else:
                        carry = block
                    break
                page_words += _draw(pdf, block, 60, y, 0)
                y -= need
            if spec.type == "mitteilung" and number == pages:
                pdf.setFont("Helvetica", 10)
                pdf.drawString(60, 110, "gez.")
                pdf.drawString(60, 96, rng.choice(SURNAMES))
                pdf.drawString(
                    60,
                    82,
                    rng.choice(
                        [
                            "Oberbürgermeister",
                            "Oberbürgermeisterin",
                            "Beigeordneter",
                            "Stadtkämmerin",
                        ]
                    ),
                )
                page_words += 3
            words += page_words
            pdf.showPage()
    pdf.save()
    spec.pages = pages
    spec.words = words
    spec.references = sorted(set(writer.references))
    return spec


def _draw(pdf: object, lines: list[Line], x: float, y: float, bottom: float) -> int:
    words = 0
    current = None
    for style, text in lines:
        font, size, leading = FONTS[style]
        if text:
            if current != (font, size):
                pdf.setFont(font, size)  # type: ignore[attr-defined]
                current = (font, size)
            indent = 18 if style == "bullet" else 0
            pdf.drawString(x + indent, y, text)  # type: ignore[attr-defined]
            words += len(text.split())
        y -= leading
        if y < bottom:
            break
    return words


# --- cache -------------------------------------------------------------------------------------


def generator_version() -> str:
    """A hash of this file's syntax tree: a changed generator invalidates every cached corpus,
    reformatting it (``ruff format``) or editing a comment does not."""
    tree = ast.dump(ast.parse(GENERATOR_FILE.read_text(encoding="utf-8")))
    return hashlib.sha256(tree.encode()).hexdigest()[:16]


def cache_root() -> Path:
    env = os.environ.get("ARCHIV_BENCH_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "archiv-bench"


def corpus_dir(docs: int, seed: int = DEFAULT_SEED) -> Path:
    return cache_root() / f"{docs}-{seed}"


def read_marker(directory: Path) -> dict | None:
    try:
        marker = json.loads((directory / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return marker if marker.get("generator") == generator_version() else None


def _work(args: tuple[int, int, str]) -> dict:
    seed, index, out = args
    return asdict(build_document(seed, index, Path(out)))


def _reusable(docs: int, seed: int) -> tuple[Path, dict] | None:
    """The largest complete cached corpus of the same seed with fewer documents."""
    best = None
    root = cache_root()
    if not root.is_dir():
        return None
    for candidate in root.iterdir():
        name = candidate.name.split("-")
        if len(name) != 2 or not name[0].isdigit() or name[1] != str(seed):
            continue
        smaller = int(name[0])
        if (
            smaller < docs
            and (marker := read_marker(candidate))
            and (best is None or smaller > best[1]["docs"])
        ):
            best = (candidate, marker)
    return best


def ensure_corpus(
    docs: int, seed: int = DEFAULT_SEED, jobs: int = 2, force: bool = False, log: bool = True
) -> tuple[Path, dict]:
    """The corpus directory and its marker (build seconds, pages, words); builds it once."""
    target = corpus_dir(docs, seed)
    marker = read_marker(target)
    if marker and not force:
        return target, marker
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    started = time.perf_counter()
    specs: list[dict] = []
    start_index = 0
    reused = _reusable(docs, seed) if not force else None
    if reused:
        source, _ = reused
        manifest = json.loads((source / MANIFEST).read_text())
        for spec in manifest["documents"]:
            dest = partial / spec["file"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(source / spec["file"], dest)
            specs.append(spec)
        start_index = len(specs)
        if log:
            print(f"gen_corpus: reused {start_index} documents from {source}", file=sys.stderr)
    work = [(seed, i, str(partial)) for i in range(start_index, docs)]
    draw_started = time.perf_counter()
    if jobs > 1 and len(work) > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for n, spec in enumerate(pool.imap(_work, work, chunksize=8), 1):
                specs.append(spec)
                if log and n % 500 == 0:
                    print(f"gen_corpus: {n}/{len(work)} documents", file=sys.stderr)
    else:
        specs.extend(_work(item) for item in work)
    draw_seconds = time.perf_counter() - draw_started
    pages = sum(s["pages"] for s in specs)
    words = sum(s["words"] for s in specs)
    drawn_pages = sum(s["pages"] for s in specs[start_index:])
    (partial / MANIFEST).write_text(
        json.dumps({"seed": seed, "docs": docs, "documents": specs}, ensure_ascii=False)
    )
    marker = {
        "generator": generator_version(),
        "seed": seed,
        "docs": docs,
        "pages": pages,
        "words": words,
        "words_per_page": round(words / max(1, pages), 1),
        "bytes": sum((partial / s["file"]).stat().st_size for s in specs),
        "seconds": round(time.perf_counter() - started, 2),
        "drawn_docs": len(work),
        "drawn_pages": drawn_pages,
        "draw_seconds": round(draw_seconds, 2),
        "jobs": jobs,
        "pages_per_second": round(drawn_pages / draw_seconds, 1) if draw_seconds and work else None,
    }
    (partial / MARKER).write_text(json.dumps(marker, indent=1))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target, marker


def load_manifest(directory: Path) -> list[dict]:
    return json.loads((directory / MANIFEST).read_text())["documents"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--force", action="store_true", help="Rebuild even if cached.")
    args = parser.parse_args(argv)
    directory, marker = ensure_corpus(args.docs, args.seed, args.jobs, args.force)
    print(json.dumps({"directory": str(directory), **marker}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
