"""An export lists the services in the order ``egov services list`` shows them: German order
(DIN 5007 variant 1: Ä as A, Ö as O, Ü as U, ß as ss), not umlauts spelled out (Ä as Ae)."""

from __future__ import annotations

import json

from tests.helpers import egov

NAMES = [
    "Wohnsitz anmelden",
    "Ärztliche Bescheinigung",
    "Anmeldung Hund",
    "Öffentlicher Auftrag",
    "Oeffnungszeiten",
    "Übergangsgeld",
    "Umzug melden",
]
#: Ä as A puts "Anmeldung" before "Ärztliche" (Ae would put it after); Ö as O puts
#: "Öffentlicher" after "Oeffnungszeiten" (Oe would put it before: f < n).
GERMAN_ORDER = [
    "Anmeldung Hund",
    "Ärztliche Bescheinigung",
    "Oeffnungszeiten",
    "Öffentlicher Auftrag",
    "Übergangsgeld",
    "Umzug melden",
    "Wohnsitz anmelden",
]


def test_an_export_and_the_services_list_show_services_in_the_same_german_order(
    db_url: str,
) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    for name in NAMES:
        assert egov("services", "add", name, "--department", "32").exit_code == 0

    listed = egov("services", "list", "--json")
    exported = egov("export", "-", "--format", "json")

    assert listed.exit_code == 0, listed.stderr
    assert exported.exit_code == 0, exported.stderr
    assert [s["name"] for s in json.loads(listed.stdout)["services"]] == GERMAN_ORDER
    assert [s["name"] for s in json.loads(exported.stdout)["rows"]] == GERMAN_ORDER
