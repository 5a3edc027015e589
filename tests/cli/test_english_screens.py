"""Every screen of the catalogue speaks the run's language: German by default, English with
``--lang en`` (table headers, level names, status words, counts, messages); JSON keys stay
English."""

from __future__ import annotations

import re

import pytest

from tests.helpers import egov
from tests.test_i18n import ENGLISH_WORDS, GERMAN_WORDS, foreign_words

#: A key the reference does not know: the service holds no German data from it.
KEY = "99999001012000"

#: Commands that show the catalogue; each must speak one language.
SCREENS = [
    ("services", "list"),
    ("services", "list", "--below", "4"),
    ("services", "show", KEY),
    ("services", "history", KEY),
    ("targets", "list"),
    ("targets", "show", "Online 2026"),
    ("departments", "list"),
    ("procedures", "list"),
    ("db", "info"),
]


@pytest.fixture
def filled(db_url: str) -> str:
    """A small catalogue whose own names hold no word of either language's word list."""
    for args in (
        ("departments", "add", "32", "Ordnungsamt"),
        ("procedures", "add", "Portal X", "--provision", "efa", "--auth", "eid_high"),
        ("services", "add", "Gewerbeanmeldung", "--leika", KEY, "-d", "32", "--level", "3"),
        ("services", "edit", KEY, "--status", "in Umsetzung", "--procedure", "Portal X"),
        ("targets", "add", "Online 2026", "--min-level", "3", "--count", "2"),
    ):
        result = egov(*args)
        assert result.exit_code == 0, (args, result.stderr)
    return db_url


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_screen_speaks_the_run_language(filled: str, lang: str) -> None:
    other = ENGLISH_WORDS if lang == "de" else GERMAN_WORDS
    mixed = {}
    for args in SCREENS:
        result = egov("--lang", lang, *args)
        assert result.exit_code == 0, (args, result.stderr)
        found = foreign_words(result.stdout + result.stderr, other)
        if found:
            mixed[" ".join(args)] = (found, result.stdout + result.stderr)
    assert not mixed, mixed


def test_an_english_list_shows_english_headers_levels_and_status_words(filled: str) -> None:
    english = egov("--lang", "en", "services", "list")
    assert (
        "LeiKa key\tService\tDepartment\tMaturity level\tStatus\tOnline service" in english.stdout
    )
    assert "3 Online service\tin progress\tPortal X" in english.stdout
    assert "1 service (all services)" in english.stderr


def test_a_german_list_is_as_it_was(filled: str) -> None:
    german = egov("services", "list")
    assert "LeiKa-Schlüssel\tLeistung\tAmt\tReifegrad\tStatus\tOnline-Dienst" in german.stdout
    assert "3 Online-Leistung\tin Umsetzung\tPortal X" in german.stdout
    assert "1 Leistung (alle Leistungen)" in german.stderr


def test_english_targets_departments_and_procedures_have_english_headers(filled: str) -> None:
    targets = egov("--lang", "en", "targets", "list").stdout
    assert targets.startswith("Target\tThreshold\tScope\tGoal\tStart\tToday\t")
    assert "from 3 Online service" in targets
    assert egov("--lang", "en", "departments", "list").stdout.startswith(
        "Code\tName\tContact\tServices\n"
    )
    procedures = egov("--lang", "en", "procedures", "list").stdout
    assert procedures.startswith("Online service\tProvision\tBayernPortal\tAuthentication\t")
    assert "EfA reuse" in procedures
    assert "eID high" in procedures


def test_a_change_is_reported_in_the_run_language(filled: str) -> None:
    english = egov("--lang", "en", "services", "edit", KEY, "--status", "live")
    assert "Changed: 99999001012000 Gewerbeanmeldung" in english.stderr
    assert "Status: in progress -> live" in english.stderr
    german = egov("services", "edit", KEY, "--status", "pilot")
    assert "Geändert: 99999001012000 Gewerbeanmeldung" in german.stderr
    assert "Umsetzungsstatus: live -> Pilot" in german.stderr


def test_json_keys_stay_english_in_a_german_run(filled: str) -> None:
    import json

    german = json.loads(egov("services", "list", "--json").stdout)
    english = json.loads(egov("--lang", "en", "services", "list", "--json").stdout)
    assert german == english
    assert german["services"][0]["status"] == "in_progress"


def _meanings(lang: str) -> str:
    """The meaning column of ``egov import --describe-format`` (the other columns show the
    headers of both languages on purpose)."""
    result = egov("--lang", lang, "import", "--describe-format")
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    # Values a user types as they are ('nicht im LeiKa') are quoted; they are not sentences.
    return re.sub(r"'[^']*'", "", "\n".join(row[-1] for row in rows[1:]))


def test_the_column_schema_description_speaks_english_on_request(db_url: str) -> None:
    assert not foreign_words(_meanings("en"), GERMAN_WORDS)


def test_the_column_schema_description_speaks_german_by_default(db_url: str) -> None:
    assert not foreign_words(_meanings("de"), ENGLISH_WORDS)
