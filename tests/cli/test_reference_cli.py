"""The reference commands, services enrich and report coverage through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import egov

HEADER = (
    "leika_schluessel,leika_bezeichnung,leika_typ,ozg_id,ozg_leistung,lebenslage,themenfeld,"
    "sdg1,sdg2,gesetzeskuerzel\n"
)


def test_search_needs_no_catalogue_and_answers_in_json() -> None:
    result = egov("reference", "search", "Straße", "--limit", "2", "--json")
    assert result.exit_code == 0, result.stderr
    assert [e["name"] for e in json.loads(result.stdout)["entries"]] == [
        "Straßenschaden",
        "Straßenreinigung",
    ]


def test_search_as_text_names_the_number_of_hits() -> None:
    result = egov("reference", "search", "hundesteuer", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("99102013000000\tHundesteuer\t")
    assert "Treffer im Referenzkatalog (die ersten 1; mehr mit --limit)" in result.stderr


def test_show_explains_the_key() -> None:
    result = egov("reference", "show", "99 115 005 104 000")
    assert result.exit_code == 0, result.stderr
    assert "Verrichtung (Stellen 9-11)\t104 - Anmeldung" in result.stdout
    assert "Leistungsobjekt-ID (Stellen 1-8)\t99115005 - Wohnsitz" in result.stdout
    shown = json.loads(egov("reference", "show", "99115005104000", "--json").stdout)
    assert (shown["topic"], shown["ozg_name"], shown["sdg_annex2"]) == (
        "Bauen & Wohnen",
        "Wohnsitzmeldungen",
        True,
    )
    assert shown["municipal_execution"] == "possible"


def test_show_of_an_unknown_key_exits_with_not_found() -> None:
    result = egov("reference", "show", "99050012104999")
    assert result.exit_code == 4
    assert "LeiKa-Schlüssel 99050012104999 steht nicht im Referenzkatalog." in result.stderr


def test_add_with_a_key_fills_the_rest_and_warns_for_unknown_keys(db_url: str) -> None:
    added = json.loads(
        egov("services", "add", "Gewerbeanzeige", "--leika", "99050012104000", "--json").stdout
    )
    assert added["service"]["ozg_id"] == "10294"
    assert added["service"]["sdg_annex2"] is True
    unknown = egov("services", "add", "Lokal", "--leika", "99050012104999")
    assert unknown.exit_code == 0
    assert "steht nicht im Referenzkatalog" in unknown.stderr


def test_enrich_reports_what_it_changed_and_dry_run_changes_nothing(db_url: str) -> None:
    egov("services", "add", "Gewerbe", "--leika", "99050012104000", "--topic", "Wirtschaft")
    egov("services", "edit", "99050012104000", "--ozg-name", "")
    dry = json.loads(egov("services", "enrich", "--dry-run", "--json").stdout)
    assert dry["services"][0]["changes"] == {
        "ozg_name": [None, "Unternehmensanmeldung und -genehmigung"]
    }
    assert (
        egov("services", "show", "99050012104000", "--json").stdout.count('"ozg_name": null') == 1
    )
    done = egov("services", "enrich")
    assert done.exit_code == 0, done.stderr
    assert "1 von 1 Leistungen mit LeiKa-Schlüssel ergänzt (1 Felder)" in done.stderr
    history = json.loads(egov("services", "history", "99050012104000", "--json").stdout)["history"]
    assert history[-1]["source"] == "services enrich"


def test_update_loads_a_file_and_reports_problems_by_row(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "123,Kaputt,5,,,,,0,0,\n", encoding="utf-8")
    refused = egov("reference", "update", str(bad))
    assert refused.exit_code == 3
    assert "bad.csv, Zeile 2, Spalte 'leika_schluessel'" in refused.stderr
    good = tmp_path / "neu.csv"
    good.write_text(HEADER + "99050012104000,Gewerbe neu,2b,10294,,,,0,1,\n", encoding="utf-8")
    loaded = egov("reference", "update", str(good), "--json")
    assert loaded.exit_code == 0, loaded.stderr
    assert json.loads(loaded.stdout)["rows"] == 1
    info = json.loads(egov("reference", "info", "--json").stdout)
    assert (info["source"], info["rows"]) == ("updated", 1)


def test_report_coverage_renders_in_the_report_formats(db_url: str) -> None:
    egov("services", "add", "Hund", "--leika", "99102013002000", "--level", "1")
    result = egov("report", "coverage", "--topic", "Engagement & Hobby", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "Hund" in json.dumps(json.loads(result.stdout), ensure_ascii=False)
    md = egov("report", "coverage", "--leika-type", "5", "--format", "md")
    assert md.exit_code == 0, md.stderr
    assert "Fehlende LeiKa-Leistungen" in md.stdout


def test_report_coverage_refuses_an_unknown_leika_type(db_url: str) -> None:
    result = egov("report", "coverage", "--leika-type", "99")
    assert result.exit_code == 3
    assert "LeiKa-Typ '99' ist unbekannt." in result.stderr


def test_update_takes_the_fim_export_and_merges_it_with_the_reference(
    db_url: str, tmp_path: Path
) -> None:
    export = tmp_path / "leika_leistungen_de.csv"
    export.write_bytes(
        (
            "Schluessel;Bezeichnung;Bezeichnung2;Portalverbund Lagen;Portalverbund Lagen Codes\r\n"
            "99050012104000;Gewerbe anmelden (FIM);;;\r\n"
            "99999001104000;Ganz neue Größe;;;\r\n"
        ).encode("cp1252")
    )
    loaded = egov("reference", "update", str(export))
    assert loaded.exit_code == 0, loaded.stderr
    assert "1 Bezeichnungen erneuert" in loaded.stderr
    shown = json.loads(egov("reference", "show", "99050012104000", "--json").stdout)
    assert (shown["name"], shown["ozg_id"]) == ("Gewerbe anmelden (FIM)", "10294")
    info = json.loads(egov("reference", "info", "--json").stdout)
    assert info["keys"] > 4000
