"""Export, edit, import: what egov writes imports back exactly, and only real edits change.

The catalogue uses every column of the schema, umlauts, empty values and text that looks like a
formula (``=HYPERLINK(...)``, ``-Test``, ``@SUMME``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from egov_cli.core.history import ChangeContext
from egov_cli.core.models import ChangeRecord
from egov_cli.core.schema import COLUMNS
from egov_cli.domain.catalogue import list_services
from egov_cli.domain.scale import load_scale
from egov_cli.exports.columns import select_columns
from egov_cli.exports.services_export import ExportOptions, export_services
from egov_cli.imports import ImportOptions, ImportResult, run_import
from egov_cli.storage.db import Catalogue, transaction
from tests.exports.services_sample import AT_NOTES, FORMULA_NAME, MINUS_NAME, fill

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
def full(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    fill(catalogue, ctx)
    return catalogue


def _export(cat: Catalogue, path: Path, fmt: str, columns: str | None = None) -> None:
    with transaction(cat, write=False) as s:
        export_services(
            s,
            str(path),
            fmt,
            ExportOptions(select_columns(columns)),
            scale=load_scale(s),
            catalogue="catalogue.db",
        )


def _import(cat: Catalogue, path: Path, *, dry_run: bool = False) -> ImportResult:
    return run_import(cat, path, ImportOptions(dry_run=dry_run, actor="tester", at=AT))


def _snapshot(cat: Catalogue) -> list[dict[str, Any]]:
    with transaction(cat, write=False) as s:
        rows = list_services(s).rows
    return [{k: v for k, v in r.as_dict().items() if k != "updated_at"} for r in rows]


def _history_count(cat: Catalogue) -> int:
    with transaction(cat, write=False) as s:
        return int(s.execute(select(func.count()).select_from(ChangeRecord)).scalar_one())


def test_importing_an_unchanged_export_changes_nothing(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    before, records = _snapshot(full), _history_count(full)
    result = _import(full, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (0, 0, 4, 0)
    assert result.new_departments == []
    assert result.new_procedures == []
    assert result.changed_procedures == []
    assert result.unknown_headers == []
    assert _snapshot(full) == before
    assert _history_count(full) == records


def test_a_services_own_online_details_come_back_unchanged_from_the_workbook(
    full: Catalogue, tmp_path: Path
) -> None:
    # A city list gave e-payment and BayernID for a service that names no online procedure.
    given = tmp_path / "liste.csv"
    given.write_text(
        f"Leistung;E-Payment;BayernID;Authentifizierung\n{MINUS_NAME};ja;nein;eID hoch\n",
        encoding="utf-8",
    )
    assert _import(full, given).changed == 1
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if MINUS_NAME in r)
    shown = {h: row[headers.index(h)] for h in ("E-Payment", "BayernID", "Authentifizierung")}
    assert shown == {"E-Payment": "ja", "BayernID": "nein", "Authentifizierung": "eID hoch"}
    before, records = _snapshot(full), _history_count(full)
    result = _import(full, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (0, 0, 4, 0)
    assert result.new_procedures == []
    assert _snapshot(full) == before
    assert _history_count(full) == records


def test_text_that_looks_like_a_formula_comes_back_unchanged_from_the_workbook(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    _import(full, path)
    names = {r["name"] for r in _snapshot(full)}
    assert {FORMULA_NAME, MINUS_NAME} <= names
    assert AT_NOTES in {r["notes"] for r in _snapshot(full)}


def _edit(path: Path, edits: dict[tuple[str, str], Any]) -> None:
    """Set cells addressed by (service name, column header) the way a person would in Excel."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    name_col = headers.index("Leistung")
    for row in sheet.iter_rows(min_row=2):
        for (name, header), value in edits.items():
            if row[name_col].value == name:
                row[headers.index(header)].value = value
    book.save(path)


def test_edited_cells_are_imported_and_nothing_else(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    before = {r["name"]: r for r in _snapshot(full)}
    _edit(
        path,
        {
            ("Gewerbeanmeldung", "Reifegrad"): "4 - Online-Transaktion",
            ("Gewerbeanmeldung", "Bemerkungen"): "Neu: Überprüfung 2027",
            ("Gewerbeanmeldung", "Fallzahl pro Jahr"): 1500,
            (FORMULA_NAME, "Umsetzungsstatus"): "in Umsetzung",
            (FORMULA_NAME, "Zieldatum"): datetime(2027, 6, 30),
            (MINUS_NAME, "Bürgerfreundliche Bezeichnung"): "Übergang für Bürgerinnen",
            (MINUS_NAME, "SDG-Anhang II"): "ja",
        },
    )
    result = _import(full, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (0, 3, 1, 0)
    changes = {d.name: d.changes for d in result.changes}
    assert changes == {
        "Gewerbeanmeldung": {
            "level": (3, 4),
            "notes": (before["Gewerbeanmeldung"]["notes"], "Neu: Überprüfung 2027"),
            "cases_per_year": (1200, 1500),
        },
        FORMULA_NAME: {
            "status": ("planned", "in_progress"),
            "target_date": (None, date(2027, 6, 30)),
        },
        MINUS_NAME: {
            "citizen_name": (None, "Übergang für Bürgerinnen"),
            "sdg_annex2": (False, True),
        },
    }
    after = {r["name"]: r for r in _snapshot(full)}
    assert after["Gewerbeanmeldung"]["level"] == 4
    assert after[FORMULA_NAME]["target_date"] == date(2027, 6, 30)
    assert after[MINUS_NAME]["citizen_name"] == "Übergang für Bürgerinnen"
    untouched = "Ohne Amt: Sondernutzung öffentlicher Straßen"
    assert after[untouched] == before[untouched]


def test_emptying_a_cell_clears_the_field(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    _edit(path, {("Gewerbeanmeldung", "Bemerkungen"): None, (MINUS_NAME, "Amt"): "50"})
    result = _import(full, path)
    assert {d.name: set(d.changes) for d in result.changes} == {
        "Gewerbeanmeldung": {"notes"},
        MINUS_NAME: {"department"},
    }
    after = {r["name"]: r for r in _snapshot(full)}
    assert after["Gewerbeanmeldung"]["notes"] is None
    assert after[MINUS_NAME]["department"] == "50"


def test_an_edited_csv_export_imports_exactly_the_edits(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.csv"
    _export(full, path, "csv")
    text = path.read_text("utf-8-sig").replace("1 - Information", "2 - Formular-Assistent")
    path.write_text(text, "utf-8-sig")
    result = _import(full, path)
    assert {d.name: d.changes for d in result.changes} == {MINUS_NAME: {"level": (1, 2)}}


def test_a_second_import_of_the_edited_file_changes_nothing(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    _edit(path, {("Gewerbeanmeldung", "Umsetzungsstatus"): "Pilot"})
    assert _import(full, path).changed == 1
    assert _import(full, path).changed == 0


def test_a_workbook_with_some_columns_round_trips_too(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "teil.xlsx"
    _export(full, path, "xlsx", columns="id,leika_key,name,level,status,go_live,department")
    result = _import(full, path)
    assert (result.changed, result.unchanged) == (0, 4)


def test_every_schema_column_is_exported(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    headers = [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]]
    assert headers == [c.de for c in COLUMNS]


def _export_filtered(cat: Catalogue, path: Path, fmt: str, department: str) -> None:
    from egov_cli.domain.catalogue import ServiceFilter

    with transaction(cat, write=False) as s:
        export_services(
            s,
            str(path),
            fmt,
            ExportOptions(select_columns(None)),
            scale=load_scale(s),
            flt=ServiceFilter(department=department),
        )


def test_an_unchanged_csv_export_of_plain_text_imports_without_changes(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "amt32.csv"
    _export_filtered(full, path, "csv", "32")  # every field filled, umlauts, ; and newlines
    before = _snapshot(full)
    result = _import(full, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (0, 0, 1, 0)
    assert result.changed_procedures == []
    assert _snapshot(full) == before


def test_importing_an_unchanged_csv_export_changes_nothing(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.csv"
    _export(full, path, "csv")
    before = _snapshot(full)
    result = _import(full, path)
    assert (result.created, result.changed, result.unchanged, result.rejected) == (0, 0, 4, 0)
    assert _snapshot(full) == before
