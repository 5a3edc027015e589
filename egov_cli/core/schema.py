"""The one column schema of the catalogue's spreadsheets.

It drives the import (header matching, value parsing), the export and the template (headers,
dropdowns, help sheet) and ``egov import --describe-format``. A column names its canonical field,
German and English headers, further header aliases, its kind of value and whether it is required.
"""

from __future__ import annotations

from dataclasses import dataclass

from egov_cli.values.fold import fold
from egov_cli.values.vocab import ADDRESSEES, AUTHENTICATIONS, PROVISIONS, STATUSES, Term

#: The service's own fields an import sets and compares (department and procedure, given by code
#: and name, are links).
SERVICE_FIELDS = (
    "leika_key", "name", "citizen_name", "leika_type", "ozg_id", "ozg_name", "topic",
    "life_event", "addressee", "level", "status", "online_url", "bayernportal_url", "go_live",
    "target_level", "target_date", "sdg_annex2", "cases_per_year", "notes",
)  # fmt: skip

# Kinds of value; the importer parses each with the matching egov_cli.values.parse parser.
KEY, TEXT, INT, DATE, FLAG, LEVEL, TERM, ID = (
    "key",
    "text",
    "int",
    "date",
    "flag",
    "level",
    "term",
    "id",
)


#: The field of the OZG ID: text, but only digits (parsed as a number of the OZG catalogue).
OZG_ID = "ozg_id"


@dataclass(frozen=True)
class Column:
    field: str
    de: str
    en: str
    kind: str
    help_de: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    terms: tuple[Term, ...] | None = None  # for kind TERM: the allowed values
    entity: str = "service"  # service, department or procedure: what the column describes
    width: int = 18  # a sensible spreadsheet column width
    #: Headers people write for the column, recognised by meaning: the import takes them as
    #: this column where the values fit (see ``egov_cli.imports.reading.headers``).
    synonyms: tuple[str, ...] = ()

    def header(self, lang: str = "de") -> str:
        return self.de if lang == "de" else self.en

    def match_keys(self) -> set[str]:
        return {fold(h) for h in (self.field, self.de, self.en, *self.aliases)}

    def synonym_keys(self) -> set[str]:
        return {fold(h) for h in self.synonyms} - self.match_keys()


COLUMNS: tuple[Column, ...] = (
    Column(
        "id",
        "ID",
        "ID",
        ID,
        "Interne Nummer der Leistung in egov (leer bei neuen Leistungen).",
        ("Leistungs-ID", "service id", "egov id"),
        width=8,
    ),
    Column(
        "leika_key",
        "LeiKa-Schlüssel",
        "LeiKa key",
        KEY,
        "14-stelliger Schlüssel aus dem Leistungskatalog (LeiKa), z. B. 99050012104000; "
        "'nicht im LeiKa' wenn es keinen gibt.",
        (
            "Leistungsschlüssel",
            "LeiKa-Key",
            "LeiKa",
            "leika_schluessel",
            "Schlüssel",
            "LeiKa-ID",
            "LeiKa-Nummer",
        ),
        width=18,
        synonyms=(
            "LeiKa-Nr",
            "Schlüssel (LeiKa)",
            "LeiKa-Kennung",
            "Leistungskennung",
            "LeiKa-Schlüssel-Nr",
        ),
    ),
    Column(
        "name",
        "Leistung",
        "Service",
        TEXT,
        "Bezeichnung der Verwaltungsleistung.",
        (
            "Leistungsbezeichnung",
            "Bezeichnung",
            "Name",
            "leika_bezeichnung",
            "Verwaltungsleistung",
            "Leistungsname",
            "service name",
        ),
        required=True,
        width=45,
        synonyms=(
            "Name der Leistung",
            "Bezeichnung der Leistung",
            "Leistungstitel",
            "Titel",
            "Dienstleistung",
            "Leistungen",
        ),
    ),
    Column(
        "citizen_name",
        "Bürgerfreundliche Bezeichnung",
        "Citizen-facing name",
        TEXT,
        "Bezeichnung, wie Bürgerinnen und Bürger sie verstehen.",
        ("Bezeichnung für Bürger", "Anzeigename", "Kurzbezeichnung"),
        width=35,
        synonyms=("Bürgerbezeichnung", "Bezeichnung für Bürgerinnen und Bürger"),
    ),
    Column(
        "leika_type",
        "LeiKa-Typ",
        "LeiKa type",
        TEXT,
        "Typisierung im LeiKa (1, 2, 2/3, 3, 4, 5 ...), mehrere durch Komma.",
        ("leika_typ", "Typ", "Typisierung"),
        width=10,
    ),
    Column(
        "ozg_id",
        "OZG-ID",
        "OZG ID",
        TEXT,
        "Nummer der OZG-Leistung (5-stellig).",
        ("OZG-Nr", "OZG-Nummer"),
        width=10,
    ),
    Column(
        "ozg_name",
        "OZG-Leistung",
        "OZG service",
        TEXT,
        "Name der OZG-Leistung (Bündel).",
        ("ozg_leistung", "OZG-Leistungsbündel", "OZG-Bezeichnung"),
        width=30,
        synonyms=("OZG-Leistungsname", "Name der OZG-Leistung"),
    ),
    Column(
        "topic",
        "Themenfeld",
        "Topic",
        TEXT,
        "OZG-Themenfeld, z. B. Bauen & Wohnen.",
        ("OZG-Themenfeld",),
        width=36,  # the longest Themenfeld: Unternehmensführung & -entwicklung,
    ),
    Column(
        "life_event",
        "Lebenslage",
        "Life event",
        TEXT,
        "OZG-Lebens- oder Unternehmenslage.",
        ("Lebens-/Unternehmenslage", "Unternehmenslage"),
        width=22,
        synonyms=("Lebenslagen",),
    ),
    Column(
        "addressee",
        "Adressat",
        "Addressee",
        TERM,
        "Für wen: Bürger, Unternehmen, Verwaltung.",
        ("Zielgruppe", "Adressaten"),
        terms=ADDRESSEES,
        width=14,
    ),
    Column(
        "department",
        "Amt",
        "Department",
        TEXT,
        "Kürzel des zuständigen Amts (z. B. 32); unbekannte Ämter werden angelegt.",
        (
            "Fachbereich",
            "Dienststelle",
            "Organisationseinheit",
            "Abteilung",
            "Referat",
            "Amt-Kürzel",
            "department code",
        ),
        entity="department",
        width=10,
        synonyms=(
            "Zuständiges Amt",
            "Zuständige Stelle",
            "Stelle",
            "Behörde",
            "Zuständige Behörde",
            "Zuständigkeit",
            "Fachamt",
            "Federführendes Amt",
            "Federführung",
            "Zuständige Organisationseinheit",
            "OE",
        ),
    ),
    Column(
        "department_name",
        "Amtsbezeichnung",
        "Department name",
        TEXT,
        "Name des Amts (nur für neu angelegte Ämter nötig).",
        ("Name des Amts", "Fachbereichsname"),
        entity="department",
        width=28,
        synonyms=("Amtsname", "Bezeichnung des Amts", "Name der Dienststelle"),
    ),
    Column(
        "level",
        "Reifegrad",
        "Maturity level",
        LEVEL,
        "Aktueller Reifegrad nach dem Reifegradmodell des Katalogs, als Zahl oder Bezeichnung.",
        ("Reifegradstufe", "OZG-Reifegrad", "Stufe", "Reifegrad aktuell", "Ist-Reifegrad"),
        width=20,
        synonyms=("Digitalisierungsgrad", "OZG-Reifegradstufe"),
    ),
    Column(
        "status",
        "Umsetzungsstatus",
        "Status",
        TERM,
        "geplant, in Umsetzung, Pilot, live, zurückgestellt oder eingestellt.",
        ("Status", "Stand", "Umsetzungsstand"),
        terms=STATUSES,
        width=16,
        synonyms=(
            "Stand der Umsetzung",
            "Status der Umsetzung",
            "Bearbeitungsstand",
            "Live",
            "Ist live",
            "Online verfügbar",
        ),
    ),
    Column(
        "procedure",
        "Online-Dienst",
        "Online procedure",
        TEXT,
        "Name des Online-Dienstes; mehrere Leistungen können denselben Dienst nutzen.",
        ("Onlinedienst", "Online-Verfahren", "Onlineverfahren", "Verfahren"),
        entity="procedure",
        width=28,
        synonyms=(
            "Onlinedienst (übergeordnet)",
            "Name des Onlinedienstes",
            "Onlinedienst Name",
            "Online-Lösung",
            "Digitaler Dienst",
        ),
    ),
    Column(
        "online_url",
        "Online-URL",
        "Online URL",
        TEXT,
        "Adresse, unter der die Leistung online ist.",
        ("URL", "Link", "Online-Link"),
        width=35,
        synonyms=(
            "Link zum Onlinedienst",
            "Online-Antrag",
            "Antragslink",
            "Link zum Antrag",
            "Link zum Online-Antrag",
            "URL Onlinedienst",
            "Link Onlinedienst",
            "Internetadresse",
            "Webadresse",
            "Zugang Onlinedienst",
        ),
    ),
    Column(
        "bayernportal_url",
        "BayernPortal-Link",
        "BayernPortal link",
        TEXT,
        "Link auf die Leistungsbeschreibung im BayernPortal.",
        ("BayernPortal", "Link BayernPortal", "BayernPortal-URL"),
        width=35,
        synonyms=("Link zum BayernPortal", "BayernPortal Link"),
    ),
    Column(
        "go_live",
        "Online seit",
        "Live since",
        DATE,
        "Datum des Go-Live, z. B. 31.12.2026.",
        ("Go-Live", "Livegang", "Inbetriebnahme", "Online-Start"),
        width=12,
        synonyms=("Go-Live-Datum", "Datum Go-Live", "Freischaltung"),
    ),
    Column(
        "target_level",
        "Ziel-Reifegrad",
        "Target level",
        LEVEL,
        "Reifegrad, der erreicht werden soll.",
        ("Zielreifegrad", "Soll-Reifegrad"),
        width=14,
    ),
    Column(
        "target_date",
        "Zieldatum",
        "Target date",
        DATE,
        "Bis wann der Ziel-Reifegrad erreicht sein soll.",
        ("Zieltermin", "Umsetzung bis", "geplant bis", "Frist"),
        width=12,
        synonyms=("Umsetzungsfrist", "Geplante Umsetzung"),
    ),
    Column(
        "sdg_annex2",
        "SDG Anhang II",
        "SDG Annex II",
        FLAG,
        "ja, wenn die Leistung unter Anhang II der SDG-Verordnung (EU) 2018/1724 fällt.",
        ("SDG", "SDG-relevant", "sdg2", "SDG Annex II"),
        width=10,
    ),
    Column(
        "cases_per_year",
        "Fallzahl pro Jahr",
        "Cases per year",
        INT,
        "Anzahl der Fälle im Jahr.",
        ("Fallzahl", "Fallzahlen", "Fälle pro Jahr", "Fälle/Jahr"),
        width=12,
        synonyms=("Anzahl Fälle", "Fälle jährlich", "Anträge pro Jahr", "Antragszahl"),
    ),
    Column(
        "notes",
        "Bemerkungen",
        "Notes",
        TEXT,
        "Freitext.",
        ("Bemerkung", "Anmerkungen", "Notizen", "Kommentar", "Hinweise"),
        width=40,
        synonyms=("Rechtsnorm", "Rechtsgrundlage", "Erläuterung", "Anmerkung", "Kommentare"),
    ),
    Column(
        "procedure_url",
        "Dienst-URL",
        "Procedure URL",
        TEXT,
        "Adresse des Online-Dienstes.",
        ("Online-Dienst URL", "Verfahrens-URL"),
        entity="procedure",
        width=35,
    ),
    Column(
        "procedure_provision",
        "Bereitstellung",
        "Provision",
        TERM,
        "Eigenentwicklung, zentraler Landesdienst, EfA-Nachnutzung oder Drittanbieter.",
        ("Bereitstellungsart", "Betriebsmodell"),
        terms=PROVISIONS,
        entity="procedure",
        width=20,
        synonyms=("Bereitstellungsmodell",),
    ),
    Column(
        "procedure_bayernportal",
        "Im BayernPortal verlinkt",
        "Linked on BayernPortal",
        FLAG,
        "ja, wenn der Online-Dienst im BayernPortal verlinkt ist.",
        ("BayernPortal verlinkt",),
        entity="procedure",
        width=12,
    ),
    Column(
        "procedure_authentication",
        "Authentifizierung",
        "Authentication",
        TERM,
        "keine, Benutzername/Passwort, ELSTER-Zertifikat, eID substanziell oder eID hoch.",
        ("Authentisierung", "Vertrauensniveau"),
        terms=AUTHENTICATIONS,
        entity="procedure",
        width=20,
    ),
    Column(
        "procedure_bayernid",
        "BayernID",
        "BayernID",
        FLAG,
        "ja, wenn der Dienst an die BayernID angebunden ist.",
        ("BayernID-Anbindung",),
        entity="procedure",
        width=10,
        synonyms=("BayernID angebunden",),
    ),
    Column(
        "procedure_bundid",
        "BundID",
        "BundID",
        FLAG,
        "ja, wenn der Dienst an die BundID angebunden ist.",
        ("BundID-Anbindung",),
        entity="procedure",
        width=10,
        synonyms=("BundID angebunden",),
    ),
    Column(
        "procedure_epayment",
        "E-Payment",
        "e-payment",
        FLAG,
        "ja, wenn online bezahlt werden kann.",
        ("ePayment", "Online-Bezahlung", "Bezahlfunktion"),
        entity="procedure",
        width=10,
        synonyms=("Bezahlung online", "Online bezahlen", "ePayment-Anbindung"),
    ),
    Column(
        "procedure_submits",
        "Elektronische Einreichung",
        "Submits electronically",
        FLAG,
        "ja, wenn der Antrag elektronisch abgeschickt wird (nicht nur ein Formular zum Ausdrucken).",
        ("Elektronisch einreichbar", "Einreichung online", "Versand online"),
        entity="procedure",
        width=12,
        synonyms=("Elektronische Antragstellung", "Online einreichbar", "Online-Einreichung"),
    ),
)

BY_FIELD: dict[str, Column] = {c.field: c for c in COLUMNS}

#: Procedure columns and the Procedure attribute each fills.
PROCEDURE_ATTRIBUTES: dict[str, str] = {
    "procedure_url": "url",
    "procedure_provision": "provision",
    "procedure_bayernportal": "bayernportal",
    "procedure_authentication": "authentication",
    "procedure_bayernid": "bayernid",
    "procedure_bundid": "bundid",
    "procedure_epayment": "epayment",
    "procedure_submits": "submits_electronically",
}


def match_header(header: str, extra: dict[str, str] | None = None) -> Column | None:
    """The column a spreadsheet header names (ignoring case, spaces, umlaut spelling, punctuation).

    ``extra`` maps further headers to fields (``--map "Nummer=leika_key"``).
    """
    key = fold(header)
    if not key:
        return None
    if extra:
        for other, field in extra.items():
            if fold(other) == key:
                return BY_FIELD[field]
    for column in COLUMNS:
        if key in column.match_keys():
            return column
    return None
