"""``egov export`` and ``egov template`` through the CLI: files, stdout, filters, errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from egov_cli.core.history import ChangeContext
from egov_cli.storage.db import Catalogue
from tests.exports.services_sample import FORMULA_NAME, MINUS_NAME, fill
from tests.helpers import egov


@pytest.fixture
def full(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    fill(catalogue, ctx)
    return catalogue


def test_export_writes_a_workbook_with_the_filters_of_services_list(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "amt32.xlsx"
    result = egov("export", str(path), "--department", "32", "--min-level", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"1 Leistung exportiert nach {path}")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Gewerbeanmeldung"]


def test_export_with_json_reports_the_file_and_row_count(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.xlsx"
    result = egov("export", str(path), "--json", "--status", "geplant")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "schema": 1,
        "format": "xlsx",
        "files": [{"path": str(path), "rows": 2, "department": None}],
        "rows": 2,
    }


def test_csv_to_stdout_has_no_bom_and_chosen_columns_in_order(full: Catalogue) -> None:
    result = egov("export", "-", "--format", "csv", "--columns", "Reifegrad,name", "-l", "0")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.decode("utf-8").splitlines() == [
        "Reifegrad;Leistung",
        f'0 - Offline;"\'{FORMULA_NAME.replace(chr(34), chr(34) * 2)}"',
    ]


def test_json_to_stdout_is_the_documented_document(full: Catalogue) -> None:
    result = egov("export", "-", "-f", "json", "--columns", "name,level", "--search", "test")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["rows"] == [{"name": MINUS_NAME, "level": 1}]
    assert doc["metadata"]["filter"] == {"search": "test"}
    assert doc["metadata"]["row_count"] == 1


def test_english_csv_with_another_delimiter(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "en.csv"
    result = egov(
        "export", str(path), "--lang", "en", "--delimiter", ",", "--columns", "name,status,go_live"
    )
    assert result.exit_code == 0, result.stderr
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Service", "Status", "Live since"]
    assert ["Gewerbeanmeldung", "live", "2026-10-01"] in rows


def test_per_department_writes_one_workbook_per_department(full: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "versand"
    result = egov("export", "--per-department", str(folder))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "32.xlsx",
        "3_1.xlsx",
        "50.xlsx",
        "ohne-Amt.xlsx",
    ]
    assert "4 Dateien in" in result.stderr


def test_file_and_per_department_together_are_refused(full: Catalogue, tmp_path: Path) -> None:
    result = egov("export", str(tmp_path / "a.xlsx"), "--per-department", str(tmp_path))
    assert result.exit_code == 3
    assert "Fehler: Geben Sie entweder eine DATEI oder --per-department ORDNER an." in result.stderr


def test_a_workbook_cannot_go_to_stdout(full: Catalogue) -> None:
    result = egov("export", "-", "--format", "xlsx")
    assert result.exit_code == 3
    assert (
        "Fehler: Eine Arbeitsmappe lässt sich nicht auf die Standardausgabe schreiben."
        in result.stderr
    )


def test_an_unknown_extension_is_a_usage_error_with_a_hint(full: Catalogue) -> None:
    result = egov("export", "liste.ods")
    assert result.exit_code == 3
    assert "Das Format von 'liste.ods' lässt sich an der Endung nicht erkennen." in result.stderr
    assert (
        "Benennen Sie die Datei .xlsx, .csv oder .json oder geben Sie --format an." in result.stderr
    )


def test_an_unknown_encoding_is_an_error(full: Catalogue, tmp_path: Path) -> None:
    result = egov("export", str(tmp_path / "a.csv"), "--encoding", "klingonisch")
    assert result.exit_code == 3
    assert "Fehler: Unbekannte Kodierung 'klingonisch'." in result.stderr


def test_a_missing_folder_is_a_file_error_with_exit_code_8(full: Catalogue, tmp_path: Path) -> None:
    target = tmp_path / "gibtsnicht" / "a.xlsx"
    result = egov("export", str(target))
    assert result.exit_code == 8
    assert (
        f"Fehler: {target} lässt sich nicht schreiben: den Ordner {target.parent} gibt es nicht."
        in (result.stderr)
    )


def test_template_writes_the_empty_import_workbook(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "vorlage.xlsx"
    result = egov("template", str(path))
    assert result.exit_code == 0, result.stderr
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Leistungen", "Info", "Spalten", "Listen"]
    assert book["Leistungen"].max_row == 1
    departments = [c.value for c in book["Listen"]["A"][1:] if c.value is not None]
    assert sorted(departments) == ["3/1", "32", "50"]


def test_template_refuses_a_file_that_is_not_a_workbook(full: Catalogue, tmp_path: Path) -> None:
    result = egov("template", str(tmp_path / "vorlage.csv"))
    assert result.exit_code == 3
    assert "endet nicht auf .xlsx" in result.stderr


@pytest.mark.parametrize("command", ["export", "template"])
def test_help_shows_an_example(command: str) -> None:
    result = egov(command, "--help")
    assert result.exit_code == 0
    assert f"Beispiel: egov {command} " in result.stdout
    result = egov("--lang", "en", command, "--help")
    assert f"Example: egov {command} " in result.stdout


def test_per_department_can_write_csv_files(full: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    result = egov("export", "--per-department", str(folder), "--format", "csv", "-d", "3/1")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in folder.iterdir()] == ["3_1.csv"]
    assert (folder / "3_1.csv").read_text("utf-8-sig").splitlines()[1].split(";")[2] == (
        "'" + MINUS_NAME
    )
