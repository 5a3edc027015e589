"""Reading spreadsheets: sheets, header rows, values as people type them, CSV dialects."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from egov_cli.core.errors import FileError, InputRejected
from egov_cli.domain.scale import Scale, default_preset_name, presets
from egov_cli.imports.reading import ReadOptions, read_file
from egov_cli.imports.reading.csv_reader import sniff_delimiter
from egov_cli.imports.reading.header_names import parse_mapping

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def scale() -> Scale:
    return presets()[default_preset_name()]


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def test_the_header_is_found_below_title_rows_and_values_are_parsed(
    tmp_path: Path, scale: Scale
) -> None:
    path = workbook(
        tmp_path / "amt32.xlsx",
        {
            "Hinweise": [["Bitte ausfüllen"], ["bis 31.12."]],
            "Daten": [
                ["Leistungen des Ordnungsamts"],
                [],
                ["Leistungsschluessel", "Bezeichnung", "Reifegrad", "Online seit", "SDG", "Foo"],
                ["99 050 012 104 000", "  Gewerbeanmeldung ", "3 - Online-Leistung", date(2026, 12, 31), "ja", "x"],
                [],
                [9.9050012104e13 + 1000, "Gewerbeabmeldung", 2, "2026-01-02", "nein", None],
            ],
        },
    )  # fmt: skip
    data = read_file(path, scale, ReadOptions())
    assert (data.sheet, data.header_row) == ("Daten", 3)
    assert data.unknown_headers == ["Foo"]
    assert data.problems == []
    assert [(r.row, r.values) for r in data.rows] == [
        (4, {"leika_key": "99050012104000", "name": "Gewerbeanmeldung", "level": 3,
             "go_live": date(2026, 12, 31), "sdg_annex2": True}),
        (6, {"leika_key": "99050012105000", "name": "Gewerbeabmeldung", "level": 2,
             "go_live": date(2026, 1, 2), "sdg_annex2": False}),
    ]  # fmt: skip


def test_every_bad_cell_is_a_problem_naming_file_sheet_row_column_and_value(
    tmp_path: Path, scale: Scale
) -> None:
    path = workbook(
        tmp_path / "bad.xlsx",
        {"S": [["LeiKa-Schlüssel", "Leistung", "Reifegrad"], ["123", "A", "9"], ["", "B", "2"]]},
    )
    data = read_file(path, scale, ReadOptions())
    assert [r.row for r in data.rows] == [3]
    assert [str(p) for p in data.problems] == [
        "bad.xlsx, sheet 'S', row 2, column 'LeiKa-Schlüssel': LeiKa key '123' is not 14 digits "
        "(it has 3 digits). (value '123') - Write the 14-digit key, e.g. 99050012104000 "
        "(spaces are fine), or 'nicht im LeiKa'.",
        "bad.xlsx, sheet 'S', row 2, column 'Reifegrad': Reifegrad 9 is not on the maturity "
        f"scale {scale.name!r}. (value '9') - Use one of "
        + ", ".join(f"{lv.level} ({lv.label})" for lv in scale.levels)
        + ".",
    ]
    assert data.rejected_raw[2] == ["123", "A", "9"]


def test_a_formula_without_a_saved_result_is_an_error_naming_the_cell(
    tmp_path: Path, scale: Scale
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Daten"
    sheet.append([None, "Leistung", "Fallzahl"])
    sheet.append([None, "Hundesteuer", "=10*20"])
    sheet.append([None, "Wohnsitz", 5])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    data = read_file(path, scale, ReadOptions())
    assert [r.values for r in data.rows] == [{"name": "Wohnsitz", "cases_per_year": 5}]
    assert [str(p) for p in data.problems] == [
        "formulas.xlsx, sheet 'Daten', row 2, column 'Fallzahl': cell C2 holds a formula without "
        "a saved result (value '=10*20') - Open the file in Excel, let it calculate and save it "
        "again, or replace the formula by its value."
    ]


def test_a_formula_with_a_cached_value_imports_the_value(tmp_path: Path, scale: Scale) -> None:
    path = tmp_path / "cached.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    sheet.write_row(0, 0, ["Leistung", "Fallzahl"])
    sheet.write(1, 0, "Hundesteuer")
    sheet.write_formula(1, 1, "=10*20", None, 200)
    book.close()
    data = read_file(path, scale, ReadOptions())
    assert data.problems == []
    assert data.rows[0].values == {"name": "Hundesteuer", "cases_per_year": 200}


def test_mapped_and_ignored_headers(tmp_path: Path, scale: Scale) -> None:
    path = workbook(
        tmp_path / "m.xlsx", {"S": [["Nummer", "Titel", "Intern"], ["99050012104000", "A", "z"]]}
    )
    options = ReadOptions(mapping=parse_mapping(["Nummer=leika_key", "Titel=Leistung", "Intern=-"]))
    data = read_file(path, scale, options)
    assert data.rows[0].values == {"leika_key": "99050012104000", "name": "A"}
    assert data.unknown_headers == []


def test_a_sheet_without_a_header_is_a_clear_error(tmp_path: Path, scale: Scale) -> None:
    path = workbook(tmp_path / "none.xlsx", {"S": [["a", "b"], [1, 2]]})
    with pytest.raises(FileError) as caught:
        read_file(path, scale, ReadOptions())
    assert caught.value.message == (
        "none.xlsx: no header row found in the first 30 rows (sheets searched: 'S')."
    )


def test_an_unknown_sheet_names_the_sheets_there_are(tmp_path: Path, scale: Scale) -> None:
    path = workbook(tmp_path / "s.xlsx", {"Eins": [["Leistung"]], "Zwei": [["Leistung"]]})
    with pytest.raises(FileError) as caught:
        read_file(path, scale, ReadOptions(sheet="Drei"))
    assert caught.value.message == "s.xlsx has no sheet 'Drei'."
    assert caught.value.hint == "Sheets: 'Eins', 'Zwei'. Choose one with --sheet NAME."


def test_two_columns_for_one_field_are_rejected(tmp_path: Path, scale: Scale) -> None:
    path = workbook(tmp_path / "d.xlsx", {"S": [["Leistung", "Bezeichnung"], ["a", "b"]]})
    with pytest.raises(InputRejected) as caught:
        read_file(path, scale, ReadOptions())
    assert caught.value.details == [
        "d.xlsx, sheet 'S', row 1, column 'Bezeichnung': columns 'Leistung' and 'Bezeichnung' "
        "both name the field 'name' - Ignore one of them with --map \"Bezeichnung=-\", or rename it."
    ]


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")]
)
def test_csv_in_the_encodings_excel_writes(
    tmp_path: Path, scale: Scale, encoding: str, bom: bytes
) -> None:
    text = "LeiKa-Schlüssel;Leistung;Amt\r\n99050012104000;Gewerbeanmeldung für Bürger;32\r\n"
    path = tmp_path / "a.csv"
    path.write_bytes(bom + text.encode(encoding))
    data = read_file(path, scale, ReadOptions())
    assert data.sheet is None
    assert data.rows[0].values == {
        "leika_key": "99050012104000",
        "name": "Gewerbeanmeldung für Bürger",
        "department": "32",
    }


def test_csv_delimiter_and_encoding_can_be_given(tmp_path: Path, scale: Scale) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Leistung|Amt\nStraße|32\n".encode("latin-1"))
    data = read_file(path, scale, ReadOptions(encoding="latin-1", delimiter="|"))
    assert data.rows[0].values == {"name": "Straße", "department": "32"}


def test_the_delimiter_is_sniffed() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"


def test_an_unmapped_target_is_a_clear_error() -> None:
    from egov_cli.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_mapping(["Nummer=Telefon"])
    assert (
        caught.value.message
        == "--map 'Nummer=Telefon': 'Telefon' is not a column of the catalogue."
    )


def test_the_apostrophe_the_csv_export_puts_before_formula_text_is_removed(
    tmp_path: Path, scale: Scale
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Leistung;Bemerkungen\n'=HYPERLINK(1);'-Test\n''@x;'plain\n", encoding="utf-8")
    data = read_file(path, scale, ReadOptions())
    assert [r.values for r in data.rows] == [
        {"name": "=HYPERLINK(1)", "notes": "-Test"},
        {"name": "'@x", "notes": "'plain"},
    ]


def test_an_unsafe_file_is_refused_before_its_cells_are_read(tmp_path: Path) -> None:
    from egov_cli.imports.reading import check_input

    disguised = tmp_path / "amt32.xlsx"
    disguised.write_text("LeiKa-Schlüssel;Leistung\n", encoding="utf-8")
    with pytest.raises(FileError, match=r"amt32\.xlsx"):
        check_input(disguised)
    with pytest.raises(FileError, match="No file"):
        check_input(tmp_path / "missing.xlsx")


def test_reading_in_steps_gives_what_reading_in_one_go_gives(tmp_path: Path, scale: Scale) -> None:
    from egov_cli.imports.reading import check_input, open_file

    path = workbook(
        tmp_path / "amt32.xlsx",
        {"Daten": [["Titel"], ["LeiKa-Schlüssel", "Leistung", "Reifegrad"],
                   ["99050012104000", "Gewerbeanmeldung", "3"], ["x", "", "9"]]},
    )  # fmt: skip
    opened = open_file(check_input(path), ReadOptions())
    assert (opened.sheet.name, opened.header[0]) == ("Daten", 2)
    stepwise = opened.parse(scale)
    whole = read_file(path, scale, ReadOptions())
    assert (stepwise.values, stepwise.problems) == (whole.values, whole.problems)
    assert stepwise.problems  # the bad row is reported either way


@pytest.mark.parametrize("keyless", [False, True], ids=["every row keyed", "a row without key"])
def test_a_single_bare_leistungsobjekt_key_is_named_in_the_singular(
    tmp_path: Path, scale: Scale, keyless: bool
) -> None:
    rows = [["LeiKa-Schlüssel", "Leistung"], ["99050012000000", "Gewerbe"],
            ["99050012104000", "Gewerbeanmeldung"]] + ([["", "Ohne Schlüssel"]] if keyless else [])  # fmt: skip
    path = workbook(tmp_path / "amt32.xlsx", {"Daten": rows})
    (warning,) = read_file(path, scale, ReadOptions()).warnings
    assert warning.startswith(
        "1 row has a LeiKa key of a bare Leistungsobjekt (no Verrichtung; row 2)"
    )
