"""A catalogue that uses every column of the schema, umlauts, empty values and hostile text."""

from __future__ import annotations

from datetime import date

from egov_cli.core.history import ChangeContext
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.departments import add_department
from egov_cli.domain.procedures import add_procedure
from egov_cli.storage.db import Catalogue, transaction

FORMULA_NAME = '=HYPERLINK("http://example.invalid","Klick")'
MINUS_NAME = "-Test Übergangslösung"
AT_NOTES = "@SUMME(A1:A3) prüfen"


def fill(catalogue: Catalogue, ctx: ChangeContext) -> None:
    """Three departments (one with a code Windows forbids in file names), one procedure with
    every attribute, and services from fully filled to almost empty."""
    with transaction(catalogue) as s:
        add_department(s, ctx, "32", "Ordnungsamt")
        add_department(s, ctx, "50", "Amt für Soziales und Wohnen")
        add_department(s, ctx, "3/1", "Bürgerbüro")
        add_procedure(
            s,
            ctx,
            {
                "name": "Gewerbe-Service-Portal",
                "url": "https://gsp.bayern.example/gewerbe",
                "provision": "state",
                "bayernportal": True,
                "authentication": "eid_substantial",
                "bayernid": True,
                "bundid": False,
                "epayment": True,
                "submits_electronically": True,
            },
        )
        add_service(
            s,
            ctx,
            {
                "leika_key": "99050012104000",
                "name": "Gewerbeanmeldung",
                "citizen_name": "Gewerbe anmelden (Bürgerbüro Straße 1)",
                "leika_type": "2/3",
                "ozg_id": "10294",
                "ozg_name": "Unternehmensanmeldung und -genehmigung",
                "topic": "Unternehmensführung & -entwicklung",
                "life_event": "Unternehmensstart & Gewerbezulassung",
                "addressee": "businesses",
                "department": "32",
                "level": 3,
                "status": "live",
                "procedure": "Gewerbe-Service-Portal",
                "online_url": "https://stadt.example/gewerbe?x=1&y=ä",
                "bayernportal_url": "https://www.freistaat.bayern/dokumente/leistung/123",
                "go_live": date(2026, 10, 1),
                "target_level": 4,
                "target_date": date(2027, 12, 31),
                "sdg_annex2": True,
                "cases_per_year": 1200,
                "notes": 'Zeile 1\nZeile 2; mit Semikolon, "Anführungszeichen" und ß',
            },
        )
        add_service(
            s,
            ctx,
            {
                "leika_key": "99102013002000",
                "name": FORMULA_NAME,
                "department": "50",
                "level": 0,
                "status": "planned",
                "notes": AT_NOTES,
                "cases_per_year": 0,
            },
        )
        add_service(
            s,
            ctx,
            {"name": MINUS_NAME, "department": "3/1", "level": 1, "status": "deferred"},
        )
        add_service(s, ctx, {"name": "Ohne Amt: Sondernutzung öffentlicher Straßen", "level": 2})
