"""The services commands through the CLI: output forms, exit codes, confirmation."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.helpers import egov


def test_add_edit_and_list_through_the_cli(db_url: str) -> None:
    assert egov("departments", "add", "32", "Ordnungsamt").exit_code == 0
    added = egov(
        "services",
        "add",
        "Gewerbe Anmeldung",
        "--leika",
        "99 050 012 104 000",
        "-d",
        "32",
        "--level",
        "3 - Online-Leistung",
        "--json",
    )
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["service"]["leika_key"] == "99050012104000"
    edited = egov(
        "services",
        "edit",
        "99050012104000",
        "--level",
        "Online-Transaktion",
        "--go-live",
        "01.10.2026",
    )
    assert edited.exit_code == 0, edited.stderr
    listed = json.loads(egov("services", "list", "--json").stdout)["services"]
    assert [(s["level"], s["go_live"]) for s in listed] == [(4, "2026-10-01")]


def test_a_bad_key_is_a_clear_error_with_exit_code_3_and_no_traceback(db_url: str) -> None:
    result = egov("services", "add", "X", "--leika", "9905001210400")
    assert result.exit_code == 3
    assert (
        "LeiKa-Schlüssel '9905001210400' hat nicht 14 Ziffern (er hat 13 Ziffern)" in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_errors_come_as_json_on_stderr_with_json(db_url: str) -> None:
    result = egov("services", "show", "12345678901234", "--json")
    assert result.exit_code == 4
    error = json.loads(result.stderr)
    assert error["error"] == "NotFound"
    assert error["exit_code"] == 4


def test_remove_needs_yes_when_not_on_a_terminal(db_url: str) -> None:
    egov("services", "add", "Hundesteuer", "--leika", "99102013002000")
    refused = egov("services", "remove", "99102013002000")
    assert refused.exit_code == 9
    assert "--yes" in refused.stderr
    assert egov("services", "remove", "99102013002000", "--yes").exit_code == 0
    history = json.loads(egov("services", "history", "99102013002000", "--json").stdout)["history"]
    assert [h["action"] for h in history] == ["create", "delete"]


def test_a_missing_catalogue_says_how_to_create_one(tmp_path: object) -> None:
    result = egov("--db", f"{tmp_path}/nowhere.db", "services", "list")
    assert result.exit_code == 7
    assert "egov init" in result.stderr


def test_every_command_has_help_with_an_example() -> None:
    import typer
    from typer.main import get_command

    from egov_cli.cli.app import app

    root = get_command(app)
    missing = []
    seen = []

    def walk(cmd: typer.core.TyperCommand | typer.core.TyperGroup, path: list[str]) -> None:
        seen.append(" ".join(path))
        if isinstance(cmd, typer.core.TyperGroup):
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                walk(cmd.get_command(ctx, name), [*path, name])  # type: ignore[arg-type]
        elif "Example:" not in (cmd.help or ""):
            missing.append(" ".join(path))

    walk(root, [])  # type: ignore[arg-type]
    assert {"report targets", "services list", "import"} <= set(seen)
    assert missing == []


def test_add_with_only_a_known_key_takes_the_name_from_the_reference(db_url: str) -> None:
    added = egov("services", "add", "--leika", "99050012104000", "--json")
    assert added.exit_code == 0, added.stderr
    service = json.loads(added.stdout)["service"]
    assert (service["name"], service["ozg_id"]) == ("Gewerbe Anmeldung", "10294")


def test_show_gives_the_times_a_service_was_added_and_changed_in_local_time(db_url: str) -> None:
    assert egov("services", "add", "--leika", "99050012104000").exit_code == 0
    stored = json.loads(egov("services", "show", "99050012104000", "--json").stdout)
    added = datetime.fromisoformat(stored["created_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    shown = egov("services", "show", "99050012104000").stdout
    assert added.strftime("%d.%m.%Y %H:%M") in shown


def test_the_list_says_its_filter_in_the_runs_language(db_url: str) -> None:
    assert egov("services", "add", "--leika", "99050012104000").exit_code == 0
    german = egov("services", "list", "--min-level", "0", "--status", "geplant")
    assert "1 Leistung (Reifegrad ab 0, Status geplant)" in german.stderr + german.stdout
    english = egov("--lang", "en", "services", "list", "--status", "planned")
    assert "1 service (status planned)" in english.stderr + english.stdout


def test_add_without_a_name_and_with_an_unknown_key_says_a_name_is_needed(db_url: str) -> None:
    refused = egov("services", "add", "--leika", "99050012104999")
    assert refused.exit_code == 3
    assert (
        "Eine Leistung braucht einen Namen; der Referenzkatalog kennt den LeiKa-Schlüssel "
        "99050012104999 nicht." in refused.stderr
    )
    nothing = egov("services", "add")
    assert nothing.exit_code == 3
    assert "Eine Leistung braucht einen Namen." in nothing.stderr
    assert json.loads(egov("services", "list", "--json").stdout)["services"] == []


def test_a_service_without_an_online_service_keeps_online_details_set_on_the_command_line(
    db_url: str,
) -> None:
    added = egov("services", "add", "Hundesteuer", "--epayment", "ja", "--auth", "eID hoch")
    assert added.exit_code == 0, added.stderr
    edited = egov("services", "edit", "1", "--bayernportal", "ja", "--submits", "ja", "--json")
    assert edited.exit_code == 0, edited.stderr
    done = json.loads(edited.stdout)
    assert done["changes"] == {
        "procedure_bayernportal": [None, True],
        "procedure_submits": [None, True],
    }
    assert done["service"]["online_details"] == {
        "url": None, "provision": None, "bayernportal": True, "authentication": "eid_high",
        "bayernid": None, "bundid": None, "epayment": True, "submits_electronically": True,
    }  # fmt: skip
    history = json.loads(egov("services", "history", "1", "--json").stdout)["history"]
    assert {r["field"] for r in history if r["action"] == "update"} == {
        "procedure_bayernportal",
        "procedure_submits",
    }


def test_online_details_of_a_service_with_an_online_service_are_refused_with_the_way_to_change_them(
    db_url: str,
) -> None:
    assert egov("procedures", "add", "Hund online").exit_code == 0
    assert egov("services", "add", "Hundesteuer", "--procedure", "Hund online").exit_code == 0
    refused = egov("services", "edit", "1", "--epayment", "ja", "--level", "3")
    assert refused.exit_code == 3
    assert refused.stderr.splitlines() == [
        "Fehler: Die Leistung hat den Online-Dienst 'Hund online': ihre Online-Angaben sind die "
        "des Online-Dienstes.",
        'Hinweis: Ändern Sie sie mit: egov procedures edit "Hund online"',
    ]
    shown = json.loads(egov("services", "show", "1", "--json").stdout)
    assert (shown["level"], shown["online_details"]) == (0, None)  # nothing written
    # Naming no online service any more, the service takes them.
    moved = egov("services", "edit", "1", "--procedure", "", "--epayment", "ja")
    assert moved.exit_code == 0, moved.stderr
