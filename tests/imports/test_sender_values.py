"""A sender's words in the catalogue's terms: ``--value-map``, ``--base-url``, lists written
out, web addresses (issue "Real workbooks in", point 5)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import egov
from tests.imports.messy import run_import, write_csv


def test_a_value_map_translates_a_senders_word_for_the_status(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "stand.csv", [["Leistung", "Status"], ["Wohngeld", "fertig"]])
    out = run_import(path, "--value-map", "status:Fertig=live")
    assert out.exit_code == 0, out.result
    assert out.service("Wohngeld")["status"] == "live"


def test_a_value_map_to_a_value_the_field_does_not_have_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "stand.csv", [["Leistung", "Status"], ["Wohngeld", "fertig"]])
    out = run_import(path, "--value-map", "status:fertig=done")
    assert out.exit_code == 3
    assert "'done' ist kein Wert von Umsetzungsstatus" in out.result["message"]
    assert "geplant, in Umsetzung, Pilot, live" in out.result["hint"]
    assert out.services == []


def test_a_value_map_takes_the_value_as_the_catalogue_writes_it_in_german(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "stand.csv", [["Leistung", "Status"], ["Wohngeld", "in Arbeit"]])
    out = run_import(path, "--value-map", "status:in Arbeit=in Umsetzung")
    assert out.exit_code == 0, out.result
    assert out.service("Wohngeld")["status"] == "in_progress"


def test_relative_links_are_joined_with_the_base_url(db_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "relativ.csv", [["Leistung", "Online-URL"], ["Wohngeld", "/antrag/wohngeld"]]
    )
    out = run_import(path, "--base-url", "https://www.stadt.example/")
    assert out.exit_code == 0, out.result
    assert out.service("Wohngeld")["online_url"] == "https://www.stadt.example/antrag/wohngeld"


def test_a_url_cell_that_is_no_web_address_rejects_its_row(db_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "kaputt.csv",
        [
            ["Leistung", "Online-URL"],
            ["Wohngeld", "https://a.example/w"],
            ["Elterngeld", "siehe oben"],
        ],
    )
    out = run_import(path)
    assert out.exit_code == 12, out.result
    (rejected,) = out.result["rejected_rows"]
    assert "'siehe oben' ist keine Webadresse" in rejected["problems"][0]["message"]


def test_a_list_in_a_field_of_one_value_rejects_its_row(db_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "listen.csv",
        [["Leistung", "Reifegrad"], ["Wohngeld", 1], ["['Kindergeld', 'Kinderzuschlag']", 1]],
    )
    out = run_import(path)
    assert out.result["rejected"] == 1, out.result
    assert (
        "enthält eine Liste von Werten" in out.result["rejected_rows"][0]["problems"][0]["message"]
    )
    assert [s["name"] for s in out.services] == ["Wohngeld"]


def test_a_list_in_the_notes_is_kept_as_its_items_with_a_warning(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "listen.csv",
        [["Leistung", "Bemerkungen"], ["Kindergeld", "['Familie', 'Steuern']"]],
    )
    out = run_import(path)
    assert out.service("Kindergeld")["notes"] == "Familie; Steuern"
    assert "enthält eine Liste (Zeile 2)" in out.warnings  # German: the default language


def test_a_list_of_one_value_is_that_value_and_a_longer_list_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "listen.csv",
        [
            ["Leistung", "Lebenslage"],
            ["Wohngeld", "['Wohnen']"],
            ["Elterngeld", "['Geburt', 'Familie']"],
        ],
    )
    out = run_import(path)
    assert out.service("Wohngeld")["life_event"] == "Wohnen"
    assert "Spalte 'Lebenslage' enthält eine Liste (Zeile 2)" in out.warnings
    assert [row["row"] for row in out.result["rejected_rows"]] == [3]


def test_a_status_the_catalogue_does_not_know_lists_the_statuses_in_the_runs_language(
    db_url: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "stand.csv", [["Leistung", "Status"], ["Wohngeld", "fertig"]])
    german = run_import(path)
    assert "geplant, in Umsetzung, Pilot, live" in str(german.result["rejected_rows"])
    english = egov("--lang", "en", "import", str(path), "--on-error", "skip", "--json")
    assert "planned, in progress, pilot, live" in english.stdout
