"""Build ``demo-katalog.xlsx``: the demo catalogue of ``egov demo`` (a mid-sized Bavarian city).

Run from the repository root: ``python catalogue/demo/build_demo_workbook.py [REFERENCE.csv]``
(default: the shipped ``catalogue/reference/ozg_umsetzungskatalog_leika.csv``). The result is
committed; ``egov demo`` reads only the workbook. Deterministic: the same input gives the same
file.

Sheets:
- ``Leistungen``: the catalogue as it stood a year before the reference day (``Stichtag``), in
  the import format (German headers of the column schema), imported through ``egov import``'s
  code path;
- ``Verlauf``: dated changes over the year (level, status, go-live, target level and date), one
  row per change; ``egov demo`` shifts all dates by (today - Stichtag);
- ``Info``: the reference day and the year-end target.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
STICHTAG = date(2026, 11, 25)
START = STICHTAG - timedelta(days=365)
TARGET_GOAL = 60  # services online (level >= 3) by 31.12.

DEPARTMENTS = {
    "10": "Hauptamt",
    "20": "Kämmerei",
    "32": "Ordnungsamt",
    "33": "Bürgeramt",
    "34": "Standesamt",
    "36": "Straßenverkehrsamt",
    "40": "Schul- und Kulturamt",
    "50": "Sozialamt",
    "51": "Jugendamt",
    "63": "Bauordnungsamt",
    "70": "Umweltamt",
}

# Department -> name prefixes of LeiKa services it provides (most specific first), and how many.
CHOICES: dict[str, list[tuple[str, int]]] = {
    "10": [
        ("Urkunden Beglaubigung", 2),
        ("Öffentlicher Auftrag Vergabe", 2),
        ("Öffentlicher Auftrag Informationserteilung", 1),
        ("Wahlhelfer", 2),
    ],
    "20": [
        ("Hundesteuer", 2),
        ("Grundsteuer Festsetzung", 1),
        ("Gewerbesteuer Festsetzung", 1),
        ("Zweitwohnungssteuer", 1),
        ("Vergnügungsteuer", 1),
        ("Abfallgebühr Festsetzung", 1),
        ("Abwasserabgabe", 1),
    ],
    "32": [
        ("Gewerbe Anmeldung", 1),
        ("Gewerbe Ummeldung", 1),
        ("Gewerbe Abmeldung", 1),
        ("Gaststättengewerbe", 3),
        ("Sondernutzung von Straßen Erlaubnis", 2),
        ("Fundsachen", 2),
        ("Veranstaltung", 2),
        ("Spielhallen Erlaubnis", 1),
        ("Reisegewerbe", 3),
        ("Waffenbesitzkarte", 2),
        ("Jagdschein Erteilung", 1),
        ("Fischereischein", 1),
        ("Einbürgerung", 2),
        ("Aufenthaltserlaubnis Erteilung", 2),
    ],
    "33": [
        ("Wohnsitz Anmeldung", 1),
        ("Wohnsitz Abmeldung", 1),
        ("Wohnsitz Änderung", 1),
        ("amtliche Meldebestätigung", 1),
        ("Personalausweis Ausstellung", 2),
        ("Personalausweis Änderung", 1),
        ("Reisepass Ausstellung", 2),
        ("Kinderreisepass", 2),
        ("Auskunfts- und Übermittlungssperren", 1),
        ("Melderegisterauskunft", 2),
        ("Führungszeugnis", 1),
        ("Parkausweis für Schwerbehinderte", 2),
        ("Bewohnerparkausweis", 2),
        ("Ausweispflicht Befreiung", 1),
    ],
    "34": [
        ("Geburtsurkunde Ausstellung", 2),
        ("Eheschließung", 4),
        ("Sterbeurkunde Ausstellung", 1),
        ("Kirchenaustritt", 1),
        ("Lebenspartnerschaftsurkunde", 1),
        ("Sorgeerklärung", 1),
        ("Geburtszeit", 1),
        ("Nutzungsrecht für eine Grabstelle", 2),
        ("Bestattung Durchführung", 1),
    ],
    "36": [
        ("Kraftfahrzeug Zulassung", 5),
        ("Kraftfahrzeug Stilllegung", 1),
        ("Führerschein Ausstellung", 2),
        ("Führerschein Änderung", 1),
        ("Fahrerlaubnis Verlängerung", 1),
        ("Ausnahmegenehmigung Parken", 2),
        ("Ausnahmegenehmigungen für den Verkehr", 1),
    ],
    "40": [("Bibliotheksausweis", 2), ("Schülerbeförderung", 2), ("Nutzung von Sporthallen", 1)],
    "50": [
        ("Wohngeld Bewilligung", 2),
        ("Wohngeld Änderung", 1),
        ("Grundsicherung", 1),
        ("Hilfe zum Lebensunterhalt", 1),
        ("Schwerbehindertenausweis", 2),
    ],
    "51": [
        ("Kindertagesstätte Aufnahme", 1),
        ("Erlaubnis zur Kindertagespflege", 1),
        ("Unterhaltsvorschuss", 1),
        ("Elternbeitrag", 2),
        ("Erlaubnis für den Betrieb einer Kindertageseinrichtung", 1),
    ],
    "63": [
        ("Baugenehmigung Erteilung", 2),
        ("Bauvorbescheid", 1),
        ("Abbruchgenehmigung", 1),
        ("Denkmalrechtliche Genehmigung", 1),
        ("Denkmalförderung", 1),
    ],
    "70": [
        ("Sperrmüll Entsorgung", 2),
        ("Baumfällgenehmigung", 2),
        ("Abwasseranlagen", 2),
        ("Straßenreinigung", 1),
    ],
}

PROCEDURES = [
    # name, url, provision, bayernportal, authentication, bayernid, epayment, submits
    (
        "Gewerbe-Service-Portal.de",
        "https://www.gewerbe-service-portal.de",
        "Landesdienst",
        "ja",
        "eID substanziell",
        "ja",
        "ja",
        "ja",
    ),
    (
        "BayernPortal Online-Antrag",
        "https://www.freistaat.bayern/dokumente",
        "Landesdienst",
        "ja",
        "eID substanziell",
        "ja",
        "nein",
        "ja",
    ),
    ("i-Kfz", "https://www.kba.de/ikfz", "EfA-Nachnutzung", "ja", "eID hoch", "nein", "ja", "ja"),
    (
        "Wohngeld-Digital",
        "https://www.wohngeld.bayern.de",
        "EfA-Nachnutzung",
        "ja",
        "eID substanziell",
        "ja",
        "nein",
        "ja",
    ),
    (
        "Bürgerservice-Portal",
        "https://www.buergerservice-portal.de/bayern/musterstadt",
        "Drittanbieter",
        "ja",
        "eID substanziell",
        "ja",
        "ja",
        "ja",
    ),
    (
        "Kita-Anmeldung Musterstadt",
        "https://kita.musterstadt.example",
        "Eigenentwicklung",
        "nein",
        "Benutzername/Passwort",
        "nein",
        "nein",
        "ja",
    ),
    (
        "Digitaler Bauantrag Bayern",
        "https://www.bauantrag.bayern.de",
        "Landesdienst",
        "ja",
        "eID substanziell",
        "ja",
        "ja",
        "ja",
    ),
    (
        "Formularserver Musterstadt",
        "https://formulare.musterstadt.example",
        "Eigenentwicklung",
        "ja",
        "keine",
        "nein",
        "nein",
        "nein",
    ),
    (
        "ELSTER Unternehmenskonto",
        "https://www.elster.de",
        "zentraler Landesdienst",
        "ja",
        "ELSTER-Zertifikat",
        "nein",
        "nein",
        "ja",
    ),
]
PROCEDURE_OF = {
    "32": ["Gewerbe-Service-Portal.de", "BayernPortal Online-Antrag", "Formularserver Musterstadt"],
    "33": ["Bürgerservice-Portal", "BayernPortal Online-Antrag"],
    "34": ["Bürgerservice-Portal", "Formularserver Musterstadt"],
    "36": ["i-Kfz", "Bürgerservice-Portal"],
    "50": ["Wohngeld-Digital", "BayernPortal Online-Antrag", "Formularserver Musterstadt"],
    "51": ["Kita-Anmeldung Musterstadt", "BayernPortal Online-Antrag"],
    "63": ["Digitaler Bauantrag Bayern", "Formularserver Musterstadt"],
    "20": ["ELSTER Unternehmenskonto", "Formularserver Musterstadt"],
    "40": ["Formularserver Musterstadt", "Bürgerservice-Portal"],
    "70": ["Bürgerservice-Portal", "Formularserver Musterstadt"],
    "10": ["Formularserver Musterstadt"],
}
SERVICE_HEADERS = [
    "LeiKa-Schlüssel",
    "Leistung",
    "Amt",
    "Amtsbezeichnung",
    "Reifegrad",
    "Umsetzungsstatus",
    "Online-Dienst",
    "Dienst-URL",
    "Bereitstellung",
    "Im BayernPortal verlinkt",
    "Authentifizierung",
    "BayernID",
    "E-Payment",
    "Elektronische Einreichung",
    "Fallzahl pro Jahr",
]
HISTORY_HEADERS = [
    "Datum",
    "LeiKa-Schlüssel",
    "Leistung",
    "Reifegrad",
    "Umsetzungsstatus",
    "Online seit",
    "Ziel-Reifegrad",
    "Zieldatum",
]
STATUS_OF_LEVEL = {0: "geplant", 1: "geplant", 2: "in Umsetzung", 3: "live", 4: "live"}


def read_reference(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (row["leika_schluessel"], row["leika_bezeichnung"])
            for row in csv.DictReader(handle)
            if row["leika_schluessel"].isdigit() and len(row["leika_bezeichnung"]) <= 70
        ]


def choose(reference: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(department, key, name) of the demo services, each key once."""
    taken: set[str] = set()
    chosen = []
    for dept, wanted in CHOICES.items():
        for prefix, count in wanted:
            hits = [(k, n) for k, n in reference if n.startswith(prefix) and k not in taken]
            # a concrete service (with a Verrichtung) rather than a bare Leistungsobjekt
            hits.sort(key=lambda hit: (hit[0].endswith("000000"), hit[0]))
            for key, name in hits[:count]:
                taken.add(key)
                chosen.append((dept, key, name))
    return chosen


def main(argv: list[str]) -> None:
    source = (
        Path(argv[1])
        if len(argv) > 1
        else HERE.parent / "reference" / "ozg_umsetzungskatalog_leika.csv"
    )
    rng = random.Random(2026)
    services = choose(read_reference(source))
    procedures = {p[0]: p for p in PROCEDURES}
    book = xlsxwriter.Workbook(str(HERE / "demo-katalog.xlsx"))
    book.set_properties(
        {
            "title": "egov-cli Demo-Katalog Musterstadt",
            "author": "egov-cli",
            "created": datetime(2026, 11, 25),
        }
    )
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7"})
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet = book.add_worksheet("Leistungen")
    for col, text in enumerate(SERVICE_HEADERS):
        sheet.write_string(0, col, text, head)
    levels: dict[str, int] = {}
    for row, (dept, key, name) in enumerate(services, start=1):
        level = rng.choices([0, 1, 2, 3, 4], weights=[14, 38, 24, 18, 6])[0]
        levels[key] = level
        procedure = rng.choice(PROCEDURE_OF[dept]) if level >= 2 else None
        values = [key, name, dept, DEPARTMENTS[dept], str(level), STATUS_OF_LEVEL[level]]
        if procedure:
            _n, url, provision, portal, auth, _bid, pay, submits = procedures[procedure]
            values += [procedure, url, provision, portal, auth, _bid, pay, submits]
        else:
            values += [""] * 8
        values.append(str(rng.choice([40, 120, 300, 800, 1500, 4000, 12000])))
        for col, value in enumerate(values):
            if value:
                sheet.write_string(row, col, value)
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 50)
    sheet.set_column(2, len(SERVICE_HEADERS), 16)
    sheet.freeze_panes(1, 0)

    # A year of changes: most services move up one step at some point, some go online.
    events: list[tuple[date, str, str, int, str | None, int | None, date | None]] = []
    year_end = date(STICHTAG.year, 12, 31)
    for _dept, key, name in services:
        level = levels[key]
        if level < 3 and rng.random() < 0.35:
            # agreed at the start of the year: online by 31.12., or by 30.09. (then overdue)
            due = year_end if rng.random() < 0.85 else date(STICHTAG.year, 9, 30)
            events.append((date(STICHTAG.year, 1, 15), key, name, level, None, 3, due))
        steps = rng.choices([0, 1, 2], weights=[40, 45, 15])[0]
        when = START + timedelta(days=rng.randint(10, 120))
        for _ in range(steps):
            if level >= 4 or when >= STICHTAG:
                break
            level += 1
            live = when if level == 3 else None
            events.append((when, key, name, level, live.isoformat() if live else None, None, None))
            when += timedelta(days=rng.randint(40, 160))
        if level >= 1 and rng.random() < 0.03:  # a rare step back (a procedure switched off)
            when = STICHTAG - timedelta(days=rng.randint(5, 60))
            events.append((when, key, name, level - 1, None, None, None))
    events.sort(key=lambda e: (e[0], e[1]))
    hist = book.add_worksheet("Verlauf")
    for col, text in enumerate(HISTORY_HEADERS):
        hist.write_string(0, col, text, head)
    for row, (when, key, name, level, live, target_level, due) in enumerate(events, start=1):
        hist.write_datetime(row, 0, datetime.combine(when, datetime.min.time()), day)
        hist.write_string(row, 1, key)
        hist.write_string(row, 2, name)
        if target_level is None:
            hist.write_string(row, 3, str(level))
            hist.write_string(row, 4, STATUS_OF_LEVEL[level])
        if live:
            hist.write_datetime(row, 5, datetime.fromisoformat(live), day)
        if target_level is not None:
            hist.write_string(row, 6, str(target_level))
            hist.write_datetime(row, 7, datetime.combine(due, datetime.min.time()), day)  # type: ignore[arg-type]
    hist.set_column(0, 0, 12)
    hist.set_column(1, 1, 18)
    hist.set_column(2, 2, 50)
    hist.set_column(3, 7, 14)
    info = book.add_worksheet("Info")
    rows = [
        ("Stichtag", STICHTAG.isoformat()),
        ("Stadt", "Musterstadt (kreisfreie Stadt in Bayern, rund 80.000 Einwohner)"),
        ("Ziel", "Online-Ziel {jahr}"),
        ("Zielwert", str(TARGET_GOAL)),
        (
            "Quelle",
            "LeiKa-Schlüssel und Bezeichnungen: OZG-Umsetzungskatalog (BMI/IT-Planungsrat, FITKO)",
        ),
    ]
    for row, (k, v) in enumerate(rows):
        info.write_string(row, 0, k, head)
        info.write_string(row, 1, v)
    info.set_column(0, 0, 12)
    info.set_column(1, 1, 80)
    book.close()
    online_now = sum(1 for _d, k, _n in services if _final(levels[k], k, events) >= 3)
    print(
        f"{len(services)} services, {len(events)} changes, online now {online_now}, "
        f"online a year ago {sum(1 for v in levels.values() if v >= 3)}"
    )


def _final(
    level: int,
    key: str,
    events: list[tuple[date, str, str, int, str | None, int | None, date | None]],
) -> int:
    for _when, k, _n, lv, _live, target_level, _due in events:
        if k == key and target_level is None:
            level = lv
    return level


if __name__ == "__main__":
    main(sys.argv)
