"""Contract of ``egov import --json``: the documented shape, schema 1 (see
``egov_cli/imports/result.py`` and the README). A change here is a change for every script
that reads the output: raise the schema version where a key changes meaning or goes away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers import egov

HEADER = "LeiKa-Schlüssel;Leistung;Amt;Reifegrad;Online-Dienst;Bemerkung intern\n"
TOP_LEVEL = {
    "schema", "file_name", "sha256", "sheet", "header_row", "mode", "dry_run", "import_id",
    "rows", "created", "changed", "unchanged", "rejected", "history_records", "rejects",
    "rejects_csv",
    "new_departments", "new_procedures", "changed_procedures", "new_services", "changes",
    "rejected_rows", "unknown_headers", "warnings", "column_map",
}  # fmt: skip


def _import(tmp_path: Path, name: str, body: str, *args: str, exit_code: int = 0) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    result = egov("import", str(path), "--json", *args)
    assert result.exit_code == exit_code, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_an_import_prints_schema_1_with_every_documented_key(db_url: str, tmp_path: Path) -> None:
    data = _import(
        tmp_path,
        "amt32.csv",
        "99990012104000;Gewerbeanmeldung;32;3;Gewerbe-Online;x\n"
        "99990012105000;Gewerbeabmeldung;32;sieben;;\n",
        "--on-error",
        "skip",
        exit_code=12,  # PARTIAL_IMPORT: a row was rejected
    )
    assert set(data) == TOP_LEVEL
    assert data["schema"] == 1
    assert {k: data[k] for k in ("file_name", "sheet", "header_row", "mode", "dry_run")} == {
        "file_name": "amt32.csv",
        "sheet": None,
        "header_row": 1,
        "mode": "upsert",
        "dry_run": False,
    }
    assert (data["import_id"], data["rows"], data["history_records"]) == (1, 2, 3)
    assert len(data["sha256"]) == 64
    assert (data["created"], data["changed"], data["unchanged"], data["rejected"]) == (1, 0, 0, 1)
    assert data["new_departments"] == ["32"]
    assert data["new_procedures"] == ["Gewerbe-Online"]
    assert data["new_services"] == [
        {"row": 2, "leika_key": "99990012104000", "name": "Gewerbeanmeldung"}
    ]
    assert data["unknown_headers"] == ["Bemerkung intern"]
    assert isinstance(data["warnings"], list)
    (rejected,) = data["rejected_rows"]
    assert set(rejected) == {"row", "problems", "raw"}
    assert rejected["row"] == 3
    assert rejected["raw"] == ["99990012105000", "Gewerbeabmeldung", "32", "sieben", "", ""]
    (problem,) = rejected["problems"]
    assert set(problem) == {"message", "file", "sheet", "row", "column", "value", "hint"}
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == (
        "amt32.csv",
        3,
        "Reifegrad",
        "sieben",
    )


def test_a_dry_run_prints_each_change_as_old_and_new_value(db_url: str, tmp_path: Path) -> None:
    _import(tmp_path, "amt32.csv", "99990012104000;Gewerbeanmeldung;32;3;Gewerbe-Online;\n")
    data = _import(
        tmp_path, "neu.csv", "99990012104000;Gewerbeanmeldung;33;4;Gewerbe-Online;\n", "--dry-run"
    )
    assert set(data) == TOP_LEVEL
    assert (data["schema"], data["dry_run"], data["import_id"], data["history_records"]) == (
        1,
        True,
        None,
        0,
    )
    assert (data["created"], data["changed"], data["unchanged"]) == (0, 1, 0)
    assert data["changes"] == [
        {
            "row": 2,
            "id": 1,
            "leika_key": "99990012104000",
            "name": "Gewerbeanmeldung",
            "changes": {"department": ["32", "33"], "level": [3, 4]},
        }
    ]
    assert data["changed_procedures"] == []
