"""Import profiles: a department's monthly workbook comes in with one short command
(``--save-profile``, ``--profile``, ``egov import profiles list|show|remove``)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import egov
from tests.imports.messy import write_csv

ROWS = [["Nr", "Was", "Wer", "Stand"], ["99102013000000", "Hundesteuer", "20", "fertig"]]


def _save(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "oktober.csv", ROWS)
    done = egov(
        "import", str(path), "--map", "Nr=leika_key", "--map", "Was=name", "--map",
        "Wer=department", "--value-map", "status:fertig=live", "--save-profile", "amt20",
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr


def test_a_saved_profile_reads_next_months_workbook_with_one_short_command(
    db_url: str, tmp_path: Path
) -> None:
    _save(tmp_path)
    rows = [ROWS[0], ["99102013000000", "Hundesteuer", "20", "fertig"],
            ["99107023000000", "Wohngeld", "20", "fertig"]]  # fmt: skip
    path = write_csv(tmp_path / "november.csv", rows)
    done = egov("import", str(path), "--profile", "amt20", "--json")
    assert done.exit_code == 0, done.stderr
    services = json.loads(egov("services", "list", "--json").stdout)["services"]
    wohngeld = next(s for s in services if s["name"] == "Wohngeld")
    assert (wohngeld["department"], wohngeld["status"]) == ("20", "live")


def test_a_profile_that_no_longer_fits_the_file_says_which_column_is_gone(
    db_url: str, tmp_path: Path
) -> None:
    _save(tmp_path)
    path = write_csv(tmp_path / "dezember.csv", [["Nr", "Was"], ["99102013000000", "Hundesteuer"]])
    done = egov("import", str(path), "--profile", "amt20", "--json")
    warnings = "\n".join(json.loads(done.stdout)["warnings"])
    assert "Das Importprofil 'amt20' passt nicht mehr zur Datei: sie hat keine Spalte 'Wer'" in (
        warnings
    )


def test_profiles_are_listed_shown_and_removed(db_url: str, tmp_path: Path) -> None:
    _save(tmp_path)
    shown = json.loads(egov("import", "profiles", "show", "amt20", "--json").stdout)
    assert shown["mapping"] == {"Nr": "leika_key", "Was": "name", "Wer": "department"}
    assert shown["value_maps"] == {"status": {"fertig": "live"}}
    assert egov("import", "profiles", "remove", "amt20").exit_code == 0
    listed = json.loads(egov("import", "profiles", "list", "--json").stdout)
    assert listed == {"profiles": []}
    gone = egov("import", "profiles", "show", "amt20")
    assert gone.exit_code == 4
    assert "Es gibt kein Importprofil 'amt20'" in gone.stderr


def test_a_dry_run_saves_no_profile(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "oktober.csv", ROWS)
    egov("import", str(path), "--map", "Was=name", "--dry-run", "--save-profile", "amt20")
    assert json.loads(egov("import", "profiles", "list", "--json").stdout) == {"profiles": []}
