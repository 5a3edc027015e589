"""``egov targets``: add, list, show, edit, remove through the CLI."""

from __future__ import annotations

import json

from tests.helpers import egov


def _setup() -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    for key, level in (("99001001001001", "3"), ("99001001001002", "1")):
        r = egov("services", "add", f"S{key[-1]}", "--leika", key, "-d", "32", "--level", level)
        assert r.exit_code == 0, r.stderr


def test_add_list_show_edit_and_remove_a_target(db_url: str) -> None:
    _setup()
    added = egov("targets", "add", "Online 2026", "--min-level", "3", "--count", "2",
                 "--due", "31.12.2099", "--json")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    data = json.loads(added.stdout)
    assert (data["threshold_level"], data["goal_count"]) == (3, 2)
    assert (data["start_date"], data["due_date"]) == ("2099-01-01", "2099-12-31")

    listed = json.loads(egov("targets", "list", "--json").stdout)["targets"]
    assert [(t["name"], t["current_count"], t["goal"]) for t in listed] == [("Online 2026", 1, 2)]

    shown = egov("targets", "show", "online 2026")
    assert shown.exit_code == 0
    assert "Stand heute\t1" in shown.stdout
    assert "verfehlt = Fälligkeitsdatum vorbei" in shown.stderr

    edited = egov("targets", "edit", "Online 2026", "--share", "50%", "--json")
    assert json.loads(edited.stdout)["changes"] == {
        "goal_count": [2, None],
        "goal_share": [None, 0.5],
    }

    dry = egov("targets", "remove", "Online 2026", "--dry-run")
    assert dry.stderr.strip() == "Würde entfernen: Ziel Online 2026 (--dry-run: nichts geändert)"
    refused = egov("targets", "remove", "Online 2026")
    assert refused.exit_code == 9
    assert "Ziel Online 2026 wird ohne Bestätigung nicht entfernt." in refused.stderr
    removed = egov("targets", "remove", "Online 2026", "--yes")
    assert removed.exit_code == 0
    assert json.loads(egov("targets", "list", "--json").stdout)["targets"] == []


def test_a_digitales_amt_target_for_a_bezirk_has_goal_30(db_url: str) -> None:
    _setup()
    r = egov("targets", "add", "DA", "--kind", "digitales-amt", "--bezirk", "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["goal_count"] == 30


def test_errors_are_german_and_named_in_json(db_url: str) -> None:
    _setup()
    r = egov("targets", "add", "X", "--min-level", "3")
    assert r.exit_code == 3
    assert "Fehler: Ziel 'X' hat keine Zielgröße." in r.stderr
    r = egov("targets", "show", "Nope", "--json")
    assert r.exit_code == 4
    assert json.loads(r.stderr)["message"] == "Kein Ziel 'Nope'."
    r = egov("targets", "add", "X", "--min-level", "9", "--count", "3")
    assert r.exit_code == 3


def test_every_targets_command_has_an_example() -> None:
    for command in ("add", "list", "show", "edit", "remove"):
        r = egov("targets", command, "--help")
        assert "Beispiel: egov targets" in r.stdout
        r = egov("--lang", "en", "targets", command, "--help")
        assert "Example: egov targets" in r.stdout
