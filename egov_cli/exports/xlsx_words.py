"""The words of a service workbook in German and English: sheet names, the labels of the info
and columns sheets, the dropdowns' messages and the names of the column kinds."""

from __future__ import annotations

from egov_cli.core import schema

SHEETS = {
    "de": {"data": "Leistungen", "info": "Info", "columns": "Spalten", "lists": "Listen"},
    "en": {"data": "Services", "info": "Info", "columns": "Columns", "lists": "Lists"},
}
TEXTS = {
    "de": {
        "scale": "Reifegradmodell",
        "level": "Stufe",
        "label": "Bezeichnung",
        "description": "Beschreibung",
        "online": "gilt als online",
        "about": "Diese Datei",
        "generated": "Erstellt am",
        "catalogue": "Katalog",
        "filter": "Filter",
        "rows": "Anzahl Leistungen",
        "template": "Leere Importvorlage: eine Zeile je Leistung, Import mit 'egov import DATEI'.",
        "column": "Spalte",
        "field": "Feldname",
        "kind": "Art",
        "required": "Pflicht",
        "values": "Zulässige Werte",
        "meaning": "Bedeutung",
        "pick": "Bitte einen Wert aus der Liste wählen.",
        "pick_dept": "Unbekannte Ämter werden beim Import angelegt (dann Amtsbezeichnung angeben).",
    },
    "en": {
        "scale": "Maturity scale",
        "level": "Level",
        "label": "Label",
        "description": "Description",
        "online": "counts as online",
        "about": "This file",
        "generated": "Generated at",
        "catalogue": "Catalogue",
        "filter": "Filter",
        "rows": "Services",
        "template": "Empty import template: one row per service, import with 'egov import FILE'.",
        "column": "Column",
        "field": "Field",
        "kind": "Kind",
        "required": "Required",
        "values": "Allowed values",
        "meaning": "Meaning",
        "pick": "Please choose a value from the list.",
        "pick_dept": "Unknown departments are created on import (give the department name then).",
    },
}
KIND_NAMES = {
    "de": {
        schema.KEY: "Schlüssel (Text)",
        schema.TEXT: "Text",
        schema.INT: "Zahl",
        schema.ID: "Zahl",
        schema.DATE: "Datum",
        schema.FLAG: "ja/nein",
        schema.LEVEL: "Reifegrad",
        schema.TERM: "Auswahl",
    },
    "en": {
        schema.KEY: "key (text)",
        schema.TEXT: "text",
        schema.INT: "number",
        schema.ID: "number",
        schema.DATE: "date",
        schema.FLAG: "yes/no",
        schema.LEVEL: "maturity level",
        schema.TERM: "choice",
    },
}
