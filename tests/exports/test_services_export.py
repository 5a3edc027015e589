"""Exporting services: workbooks for people, CSV for German Excel, JSON for tools, safe files."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

from egov_cli.core.errors import FileError, ValidationError
from egov_cli.core.files import atomic_path, safe_file_stem, unique_names
from egov_cli.core.history import ChangeContext
from egov_cli.core.schema import COLUMNS
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.scale import Scale, load_scale
from egov_cli.exports import csv_writer
from egov_cli.exports.columns import fetch_rows, select_columns
from egov_cli.exports.services_export import (
    ExportOptions,
    export_per_department,
    export_services,
    format_of,
)
from egov_cli.exports.template import write_template
from egov_cli.storage.db import Catalogue, transaction
from tests.exports.services_sample import AT_NOTES, FORMULA_NAME, MINUS_NAME, fill

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def full(catalogue: Catalogue, ctx: ChangeContext) -> Catalogue:
    fill(catalogue, ctx)
    return catalogue


def _export(
    cat: Catalogue,
    path: Path | str,
    fmt: str,
    *,
    columns: str | None = None,
    flt: ServiceFilter | None = None,
    lang: str = "de",
    encoding: str | None = None,
    delimiter: str = ";",
) -> int:
    with transaction(cat, write=False) as s:
        written = export_services(
            s,
            str(path),
            fmt,
            ExportOptions(select_columns(columns), lang, delimiter, encoding),
            scale=load_scale(s),
            flt=flt,
            catalogue="catalogue.db",
            generated_at=AT,
        )
    return written.rows


def _by_header(path: Path) -> tuple[list[str], list[dict[str, openpyxl.cell.Cell]]]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows())
    headers = [str(c.value) for c in rows[0]]
    return headers, [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def test_the_workbook_has_schema_headers_text_keys_real_dates_and_labels(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    assert _export(full, path, "xlsx") == 4
    headers, rows = _by_header(path)
    assert headers == [c.de for c in COLUMNS]
    gewerbe = next(r for r in rows if r["Leistung"].value == "Gewerbeanmeldung")
    key = gewerbe["LeiKa-Schlüssel"]
    assert (key.value, key.data_type, key.number_format) == ("99050012104000", "s", "@")
    go_live = gewerbe["Online seit"]
    assert go_live.value == datetime(2026, 10, 1)
    assert go_live.number_format == "DD.MM.YYYY"
    assert gewerbe["Reifegrad"].value == "3 - Online-Leistung"
    assert gewerbe["Ziel-Reifegrad"].value == "4 - Online-Transaktion"
    assert gewerbe["Umsetzungsstatus"].value == "live"
    assert gewerbe["Adressat"].value == "Unternehmen"
    assert gewerbe["SDG-Anhang II"].value == "ja"
    assert gewerbe["Fallzahl pro Jahr"].value == 1200
    assert gewerbe["Bereitstellung"].value == "zentraler Landesdienst"
    assert gewerbe["Authentifizierung"].value == "eID substanziell"
    assert gewerbe["BundID"].value == "nein"
    assert gewerbe["Amtsbezeichnung"].value == "Ordnungsamt"
    without = next(r for r in rows if r["Amt"].value is None)
    assert without["Online-Dienst"].value is None
    assert without["BayernID"].value is None  # no procedure: no procedure flags


def test_text_that_looks_like_a_formula_is_a_text_cell_in_the_workbook(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    _headers, rows = _by_header(path)
    names = {r["Leistung"].value: r["Leistung"].data_type for r in rows}
    assert names[FORMULA_NAME] == "s"
    assert names[MINUS_NAME] == "s"
    notes = [r["Bemerkungen"] for r in rows if r["Bemerkungen"].value == AT_NOTES]
    assert [n.data_type for n in notes] == ["s"]


def test_the_workbook_freezes_and_filters_the_header_and_offers_dropdowns(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert sheet.title == "Leistungen"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:AE5"
    assert sheet.column_dimensions["C"].width == pytest.approx(45, abs=1)
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    letter = {c.field: openpyxl.utils.get_column_letter(i + 1) for i, c in enumerate(COLUMNS)}
    lists = book["Listen"]
    assert lists.sheet_state == "hidden"

    def options(field: str) -> list[str]:
        formula = validations[f"{letter[field]}2"].formula1
        ref = formula.split("!")[1].replace("$", "")
        return [c.value for row in lists[ref] for c in row]

    assert sorted(options("department")) == ["3/1", "32", "50"]
    assert options("level") == [
        "0 - Offline",
        "1 - Information",
        "2 - Formular-Assistent",
        "3 - Online-Leistung",
        "4 - Online-Transaktion",
    ]
    assert options("status")[:2] == ["geplant", "in Umsetzung"]
    assert options("sdg_annex2") == ["ja", "nein"]
    assert options("procedure_bundid") == ["ja", "nein"]
    assert validations[f"{letter['department']}2"].errorStyle == "warning"
    shading = {
        str(rng.sqref): [r.formula[0] for r in rules]
        for rng, rules in sheet.conditional_formatting._cf_rules.items()
    }
    assert shading[f"{letter['level']}2:{letter['level']}1048576"] == [
        '"0 - Offline"',
        '"1 - Information"',
        '"2 - Formular-Assistent"',
        '"3 - Online-Leistung"',
        '"4 - Online-Transaktion"',
    ]


def test_the_info_sheet_holds_the_scale_and_what_the_export_contains(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "amt32.xlsx"
    _export(full, path, "xlsx", flt=ServiceFilter(department="32"))
    info = list(openpyxl.load_workbook(path)["Info"].iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in info if row[0]}
    assert facts["Erstellt am"] == "25.11.2026 10:00"
    assert facts["Katalog"] == "catalogue.db"
    assert facts["Filter"] == "department=32"
    assert facts["Anzahl Leistungen"] == 1
    assert ("3 - Online-Leistung", "Online-Leistung") in [(r[0], r[1]) for r in info]


def test_english_headers_and_labels_with_lang_en(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    _export(full, path, "xlsx", lang="en", columns="leika_key,name,status,sdg_annex2,go_live")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Services"
    headers, rows = _by_header(path)
    assert headers == ["LeiKa key", "Service", "Status", "SDG Annex II", "Live since"]
    gewerbe = next(r for r in rows if r["Service"].value == "Gewerbeanmeldung")
    assert gewerbe["SDG Annex II"].value == "yes"
    assert gewerbe["Live since"].number_format == "YYYY-MM-DD"


def test_columns_are_chosen_and_ordered_by_field_or_header() -> None:
    chosen = select_columns("Reifegrad, leika_key ,LeiKa-Typ,amt")
    assert [c.field for c in chosen] == ["level", "leika_key", "leika_type", "department"]
    assert len(select_columns(None)) == len(COLUMNS)


@pytest.mark.usefixtures("english")
def test_an_unknown_column_is_a_clear_error() -> None:
    with pytest.raises(ValidationError) as info:
        select_columns("name,Farbe")
    assert info.value.message == "--columns: unknown column 'Farbe'."


@pytest.mark.usefixtures("english")
def test_a_column_named_twice_is_an_error() -> None:
    with pytest.raises(ValidationError) as info:
        select_columns("name,Leistung")
    assert info.value.message == "--columns names 'name' twice ('Leistung')."


def test_csv_is_utf8_with_bom_semicolons_and_neutralised_formulas(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.csv"
    assert _export(full, path, "csv") == 4
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfID;LeiKa-Schl\xc3\xbcssel;Leistung;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    names = [r["Leistung"] for r in rows]
    assert "'" + FORMULA_NAME in names
    assert "'" + MINUS_NAME in names
    gewerbe = next(r for r in rows if r["Leistung"] == "Gewerbeanmeldung")
    assert gewerbe["Online seit"] == "01.10.2026"
    assert gewerbe["Reifegrad"] == "3 - Online-Leistung"
    assert gewerbe["LeiKa-Schlüssel"] == "99050012104000"
    assert gewerbe["Bemerkungen"].startswith("Zeile 1\nZeile 2; mit Semikolon")
    assert "'" + AT_NOTES in [r["Bemerkungen"] for r in rows]


def test_negative_numbers_stay_numbers_in_csv(full: Catalogue) -> None:
    columns = select_columns("name,cases_per_year")
    with transaction(full, write=False) as s:
        scale = load_scale(s)
    stream = io.StringIO()
    csv_writer.write_csv_stream(stream, columns, [("-x", -5, None)], scale=scale)
    assert stream.getvalue().splitlines()[1] == "'-x;-5"


def test_csv_delimiter_and_encoding_can_be_changed(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    _export(
        full,
        path,
        "csv",
        columns="name,department_name",
        encoding="cp1252",
        delimiter=",",
        flt=ServiceFilter(department="50"),
    )
    assert path.read_bytes().decode("cp1252").splitlines() == [
        "Leistung,Amtsbezeichnung",
        f'"\'{FORMULA_NAME.replace(chr(34), chr(34) * 2)}",Amt für Soziales und Wohnen',
    ]


def test_a_character_cp1252_cannot_hold_is_an_error_naming_row_and_column(
    catalogue: Catalogue, ctx: ChangeContext, tmp_path: Path
) -> None:
    from egov_cli.domain.catalogue import add_service

    with transaction(catalogue) as s:
        add_service(s, ctx, {"name": "Aaa Antrag", "level": 0})
        add_service(s, ctx, {"name": "Bbb Antrag", "level": 0, "notes": "Łódź ✓"})
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "out.csv"
    with pytest.raises(FileError) as info:
        _export(catalogue, path, "csv", columns="name,notes", encoding="cp1252")
    assert info.value.message == (
        f"{path}: Zeile 3, Spalte 'Bemerkungen': das Zeichen 'Ł' (U+0141) lässt sich nicht in "
        "cp1252 schreiben (Wert 'Łódź ✓'). Nichts wurde geschrieben."
    )
    assert list(path.parent.iterdir()) == []


def test_json_has_metadata_and_rows_with_stored_values(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "alle.json"
    _export(full, path, "json", columns="leika_key,name,level,status,go_live,sdg_annex2,department")
    doc = json.loads(path.read_text("utf-8"))
    assert doc["metadata"]["format"] == "egov-services"
    assert doc["metadata"]["version"] == 1
    assert doc["metadata"]["generated_at"] == "2026-11-25T09:00:00+00:00"
    assert doc["metadata"]["row_count"] == 4
    assert doc["metadata"]["filter"] == {}
    assert [c["field"] for c in doc["metadata"]["columns"]] == [
        "leika_key",
        "name",
        "level",
        "status",
        "go_live",
        "sdg_annex2",
        "department",
    ]
    assert [lv["level"] for lv in doc["metadata"]["scale"]["levels"]] == [0, 1, 2, 3, 4]
    gewerbe = next(r for r in doc["rows"] if r["name"] == "Gewerbeanmeldung")
    assert gewerbe == {
        "leika_key": "99050012104000",
        "name": "Gewerbeanmeldung",
        "level": 3,
        "status": "live",
        "go_live": "2026-10-01",
        "sdg_annex2": True,
        "department": "32",
    }
    assert FORMULA_NAME in [r["name"] for r in doc["rows"]]


def test_json_of_an_empty_selection_is_valid(full: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "leer.json"
    assert _export(full, path, "json", flt=ServiceFilter(department="99")) == 0
    doc = json.loads(path.read_text("utf-8"))
    assert doc["rows"] == []
    assert doc["metadata"]["filter"] == {"department": "99"}


def test_a_failed_export_leaves_the_old_file_and_no_temporary_file(
    full: Catalogue, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "alle.xlsx"
    path.write_bytes(b"old contents")

    def broken_rows() -> object:
        yield (1,)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_bytes(b"half")
        list(broken_rows())  # type: ignore[call-overload]
    assert path.read_bytes() == b"old contents"
    assert [p.name for p in path.parent.iterdir()] == ["alle.xlsx"]


@pytest.mark.usefixtures("english")
def test_writing_into_a_missing_folder_is_a_file_error(full: Catalogue, tmp_path: Path) -> None:
    target = tmp_path / "fehlt" / "alle.xlsx"
    with pytest.raises(FileError) as info:
        _export(full, target, "xlsx")
    assert info.value.message == (
        f"Cannot write {target}: the folder {target.parent} does not exist."
    )


@pytest.mark.usefixtures("english")
def test_writing_onto_a_folder_is_a_file_error(full: Catalogue, tmp_path: Path) -> None:
    with pytest.raises(FileError) as info:
        _export(full, tmp_path, "csv")
    assert info.value.message == f"Cannot write {tmp_path}: it is a folder."


def test_one_workbook_per_department_named_by_a_safe_code(full: Catalogue, tmp_path: Path) -> None:
    with transaction(full, write=False) as s:
        written = export_per_department(
            s,
            str(tmp_path / "mails"),
            "xlsx",
            ExportOptions(select_columns(None)),
            scale=load_scale(s),
            catalogue="catalogue.db",
            generated_at=AT,
        )
    assert sorted((Path(w.path).name, w.rows) for w in written) == [
        ("32.xlsx", 1),
        ("3_1.xlsx", 1),
        ("50.xlsx", 1),
        ("ohne-Amt.xlsx", 1),
    ]
    _headers, rows = _by_header(tmp_path / "mails" / "3_1.xlsx")
    assert [r["Leistung"].value for r in rows] == [MINUS_NAME]
    info = openpyxl.load_workbook(tmp_path / "mails" / "3_1.xlsx")["Info"]
    assert ("Filter", "department=3/1") in [(r[0], r[1]) for r in info.iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("code", "stem"),
    [
        ("32", "32"),
        ("3/1", "3_1"),
        ('A:B*C?"D"<E>|F\\G', "A_B_C__D__E__F_G"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("Amt. ", "Amt"),
        ("...", "_"),
    ],
)
def test_department_codes_become_file_names_windows_accepts(code: str, stem: str) -> None:
    assert safe_file_stem(code) == stem


def test_file_names_that_clash_after_cleaning_are_numbered() -> None:
    assert unique_names(["3_1", "3_1", "A", "a"]) == ["3_1", "3_1-2", "A", "a-2"]


@pytest.mark.parametrize(
    ("path", "given", "fmt"),
    [
        ("a.xlsx", None, "xlsx"),
        ("a.CSV", None, "csv"),
        ("a.json", None, "json"),
        ("-", "csv", "csv"),
    ],
)
def test_the_format_follows_the_extension_or_the_option(
    path: str, given: str | None, fmt: str
) -> None:
    assert format_of(path, given) == fmt


@pytest.mark.usefixtures("english")
def test_an_unknown_extension_is_an_error() -> None:
    with pytest.raises(ValidationError) as info:
        format_of("liste.ods", None)
    assert info.value.message == "Cannot tell the format of 'liste.ods' from its extension."


def test_rows_end_with_name_id_and_department_code_and_are_sorted_alike_everywhere(
    full: Catalogue,
) -> None:
    with transaction(full, write=False) as s:
        rows = [tuple(r) for r in fetch_rows(s, select_columns("leika_key"))]
    assert [(r[1], r[3]) for r in rows] == [
        (MINUS_NAME, "3/1"),
        ("Gewerbeanmeldung", "32"),
        (FORMULA_NAME, "50"),
        ("Ohne Amt: Sondernutzung öffentlicher Straßen", None),
    ]
    assert rows[1][0] == "99050012104000"


def _scale(catalogue: Catalogue) -> Scale:
    with transaction(catalogue, write=False) as s:
        return load_scale(s)


def test_the_template_is_an_empty_workbook_with_dropdowns_and_a_column_guide(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "vorlage.xlsx"
    write_template(path, scale=_scale(full), departments=["32", "50"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Leistungen", "Info", "Spalten", "Listen"]
    sheet = book["Leistungen"]
    assert [c.value for c in sheet[1]] == [c.de for c in COLUMNS]
    assert sheet.max_row == 1
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].number_format == "@"  # LeiKa key typed in stays text
    validated = {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation}
    assert {"K2", "M2", "N2", "U2"} <= validated  # department, level, status, SDG yes/no
    guide = list(book["Spalten"].iter_rows(values_only=True))
    assert guide[0] == (
        "Spalte",
        "Feldname",
        "Art",
        "Pflicht",
        "Zulässige Werte",
        "Bedeutung",
    )
    name = next(r for r in guide if r[1] == "name")
    assert name[3] == "ja"
    level = next(r for r in guide if r[1] == "level")
    assert level[4] == (
        "0 - Offline, 1 - Information, 2 - Formular-Assistent, 3 - Online-Leistung, "
        "4 - Online-Transaktion"
    )
    assert len(guide) == len(COLUMNS) + 1
    assert date.today()  # the template carries no export date: it describes itself
    info_text = [r[0] for r in book["Info"].iter_rows(values_only=True) if r[0]]
    assert info_text[1].startswith("Leere Importvorlage")


@pytest.mark.usefixtures("english")
def test_a_file_open_in_another_program_is_a_clear_error_and_stays_as_it_was(
    full: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import egov_cli.core.files as files

    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "alle.xlsx"
    path.write_bytes(b"open in Excel")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file", str(dst))

    monkeypatch.setattr(files.os, "replace", locked)
    with pytest.raises(FileError) as info:
        _export(full, path, "xlsx")
    assert info.value.message == (f"Cannot write {path}: permission denied or the file is in use.")
    assert info.value.hint == (
        "Close the file if it is open (e.g. in Excel), check that the folder is writable, "
        "or choose another file name."
    )
    assert path.read_bytes() == b"open in Excel"
    assert [p.name for p in path.parent.iterdir()] == ["alle.xlsx"]


def test_the_exported_workbook_prints_on_a4_landscape_fit_to_width_with_its_header_row(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Leistungen"]
    setup = sheet.page_setup
    assert setup.paperSize == 9  # A4
    assert setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.print_area == "'Leistungen'!$A$1:$AE$5"
    assert "Seite &P von &N" in sheet.oddFooter.right.text
    assert book["Spalten"].page_setup.orientation == "landscape"


def test_the_topic_column_of_the_export_is_wide_enough_for_every_themenfeld(
    full: Catalogue, tmp_path: Path
) -> None:
    path = tmp_path / "alle.xlsx"
    _export(full, path, "xlsx")
    sheet = openpyxl.load_workbook(path)["Leistungen"]
    letter = next(c.column_letter for c in sheet[1] if c.value == "Themenfeld")
    longest = "Unternehmensführung & -entwicklung"
    assert sheet.column_dimensions[letter].width >= len(longest)
