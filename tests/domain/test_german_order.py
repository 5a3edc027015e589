"""Every list sorts names in German order (DIN 5007, variant 1: Ä as A, Ö as O, Ü as U, ß as
ss, case aside), on SQLite and PostgreSQL alike: ``egov services list`` as the reports do."""

from __future__ import annotations

import json

from egov_cli.storage.db import Catalogue
from egov_cli.values.fold import german_key
from tests.helpers import egov

NAMES = ["Öffentlicher Auftrag", "Ordnungsamt", "Wohnsitz", "Abfall", "Ärztliche Bescheinigung"]
IN_GERMAN_ORDER = [
    "Abfall",
    "Ärztliche Bescheinigung",
    "Öffentlicher Auftrag",
    "Ordnungsamt",
    "Wohnsitz",
]


def listed(*args: str) -> list[str]:
    result = egov("services", "list", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return [s["name"] for s in json.loads(result.stdout)["services"]]


def test_services_list_sorts_umlauts_as_their_base_letter(catalogue: Catalogue) -> None:
    for name in NAMES:
        assert egov("services", "add", name, "--level", "1").exit_code == 0
    assert listed() == IN_GERMAN_ORDER
    assert sorted(NAMES, key=german_key) == IN_GERMAN_ORDER  # as the reports sort


def test_within_a_department_and_across_pages_the_order_holds(catalogue: Catalogue) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    for name in [*NAMES, "straße", "Strasse", "Strand", "ärztlicher Dienst"]:
        assert egov("services", "add", name, "--department", "32", "--level", "1").exit_code == 0
    expected = [
        "Abfall",
        "Ärztliche Bescheinigung",
        "ärztlicher Dienst",
        "Öffentlicher Auftrag",
        "Ordnungsamt",
        "Strand",
        "Strasse",
        "straße",
        "Wohnsitz",
    ]
    assert sorted(expected, key=german_key) == expected
    assert listed("--department", "32") == expected
