"""Hostile and broken input files: each is refused with a message naming the file and the
reason (or, where it is merely unusual, imported correctly), quickly, in bounded memory, with
nothing written to the catalogue."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from egov_cli.core.errors import FileError, InputRejected
from egov_cli.domain.scale import Scale, default_preset_name, presets
from egov_cli.imports.reading import read_file
from egov_cli.storage.db import open_catalogue
from egov_cli.storage.records import content_checksum
from tests.helpers import egov
from tests.hostile import corpus

DAMAGED = "The file was cut off or altered (e.g. an incomplete download or attachment); ask for it again or save it anew from Excel."
RESAVE = "Open it in Excel, save it as .xlsx and import that copy."
BOMB_HINT = (
    "This is not what Excel writes (a damaged file or a so-called zip bomb). "
    "Open it in Excel, save it as .xlsx and import that copy."
)

#: builder -> (message, hint) of the FileError
REFUSED: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "not a zip": (
        corpus.not_a_zip,
        "kein-zip.xlsx is not a workbook: an .xlsx file is a zip archive, this one is not.",
        "Open it in Excel and save it as .xlsx (or as CSV) and import that copy.",
    ),
    "empty file": (
        corpus.empty_file,
        "leer.xlsx is empty (0 bytes).",
        "The file was not saved completely or the e-mail attachment is damaged; ask for it again.",
    ),
    "truncated zip": (
        corpus.truncated_zip,
        "abgeschnitten.xlsx is a damaged or incomplete workbook (File is not a zip file).",
        DAMAGED,
    ),
    "zip bomb": (
        corpus.zip_bomb,
        "bombe.xlsx is refused: its part 'xl/worksheets/sheet1.xml' unpacks 1,021 times larger "
        "than it is packed (at most 100 allowed).",
        BOMB_HINT,
    ),
    "huge declared size": (
        corpus.huge_declared_size,
        "riesig.xlsx is refused: its part 'xl/worksheets/sheet1.xml' unpacks to 4,294,967,280 "
        "bytes (at most 536,870,912 allowed).",
        BOMB_HINT,
    ),
    "entity bomb": (
        corpus.entity_bomb,
        "entitaeten.xlsx is refused: its part 'xl/sharedStrings.xml' declares a document type "
        "or XML entities, which Excel never writes (an entity bomb or an attempt to read other "
        "files).",
        RESAVE,
    ),
    "password-protected workbook": (
        corpus.encrypted_workbook,
        "passwort.xlsx: the workbook is password-protected (encrypted).",
        "Open it in Excel, remove the password (File > Info > Protect Workbook), save a copy "
        "and import that.",
    ),
    "old xls renamed": (
        corpus.renamed_xls,
        "alt.xlsx is an old Excel 97-2003 workbook (.xls) named .xlsx.",
        "Open it in Excel and save it as .xlsx (or rename it to .xls) and import that.",
    ),
    "other OLE file": (
        corpus.unknown_ole,
        "ole.xlsx is not an .xlsx workbook but an OLE file: a password-protected workbook or an "
        "old .xls file.",
        "Open it in Excel, remove any password, save it as .xlsx and import that copy.",
    ),
    "a cell in the last row and column": (
        corpus.far_cell,
        "ferne-zelle.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 1,048,576 and column XFD: a grid of up to 17,179,869,184 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a row number of eight digits": (
        corpus.row_of_eight_digits,
        "achtstellig.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 99,999,999 and column Z: a grid of up to 2,599,999,974 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a cell reference in lower case": (
        lambda folder: corpus.far_cell_written_oddly(folder, '<c r="xfd1048576"><v>1</v></c>'),
        "seltsam.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 1,048,576 and column XFD: a grid of up to 17,179,869,184 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "spaces around the reference's equals sign": (
        lambda folder: corpus.far_cell_written_oddly(folder, '<c r = "XFD1048576"><v>1</v></c>'),
        "seltsam.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 1,048,576 and column XFD: a grid of up to 17,179,869,184 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a reference in single quotes after another attribute": (
        lambda folder: corpus.far_cell_written_oddly(
            folder, "<c s='0' r='XFD1048576'><v>1</v></c>"
        ),
        "seltsam.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 1,048,576 and column XFD: a grid of up to 17,179,869,184 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a cell with a namespace prefix": (
        lambda folder: corpus.far_cell_written_oddly(
            folder, '<x:c r="XFD1048576"><x:v>1</x:v></x:c>'
        ),
        "seltsam.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 1,048,576 and column XFD: a grid of up to 17,179,869,184 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "cells without a reference far down": (
        lambda folder: corpus.cells_without_reference(folder, 99_999, 60),
        "ohne-bezug.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 99,999 and column BH: a grid of up to 5,999,940 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a stray cell far down in a sheet of sixty columns": (
        lambda folder: corpus.hand_written_rows(
            folder,
            "breit.xlsx",
            '<row r="2"><c r="BH2"><v>1</v></c></row><row r="99999"><c r="A99999"><v>1</v></c></row>',
        ),
        "breit.xlsx is refused: the sheet part 'xl/worksheets/sheet1.xml' places cells as "
        "far as row 99,999 and column BH: a grid of up to 5,999,940 cells (at most "
        "5,000,000 allowed).",
        "Delete the rows and columns below and right of the data in Excel (select them, "
        "Delete), save and import again; or split the file.",
    ),
    "a stretch of five megabytes without the end of a tag": (
        lambda folder: corpus.hand_written_rows(
            folder,
            "lang.xlsx",
            '<row r="2"><c r="A2" t="inlineStr"><is><t>'
            + random.Random(7).randbytes(5 << 20).hex()[: 5 << 20]
            + "</t></is></c></row>",
        ),
        "lang.xlsx is refused: its part 'xl/worksheets/sheet1.xml' holds more than 4 MB without the end of a tag.",
        BOMB_HINT,
    ),
    "empty workbook": (
        corpus.empty_workbook,
        "leere-mappe.xlsx: no header row found in the first 30 rows (sheets searched: 'Tabelle1').",
        "The header row must name at least two columns (e.g. LeiKa-Schlüssel, Leistung). "
        'Map other headers with --map "Header=field", name the row with --header-row N or the '
        "sheet with --sheet NAME; egov import --describe-format lists the columns.",
    ),
    "a workbook named .csv": (
        lambda folder: corpus.csv_file(
            folder, "mappe.csv", corpus.valid_workbook(folder / "m.xlsx").read_bytes()
        ),
        "mappe.csv is a workbook (a zip archive), not a CSV text file.",
        "Rename it to .xlsx, or save it from Excel as CSV.",
    ),
}

#: These tests read the messages in English, their message ids.
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def scale() -> Scale:
    return presets()[default_preset_name()]


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_hostile_file_is_refused_naming_the_file_and_the_reason(
    case: str, tmp_path: Path, scale: Scale
) -> None:
    build, message, hint = REFUSED[case]
    path = build(tmp_path)
    started = time.perf_counter()
    with pytest.raises(FileError) as caught:
        read_file(path, scale)
    assert time.perf_counter() - started < 10
    assert caught.value.message == message
    assert caught.value.hint == hint


def test_openpyxl_reads_only_with_defusedxml() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


def _state(db_url: str) -> tuple[dict[str, int], str]:
    catalogue = open_catalogue(db_url)
    try:
        return content_checksum(catalogue.engine)
    finally:
        catalogue.engine.dispose()


#: Run ``egov ARGS`` in a child process, print its exit code, stderr and peak memory as JSON.
MEASURED = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "egov_cli", *sys.argv[1:]], capture_output=True,
                      text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "stderr": done.stderr, "peak_mb": usage.ru_maxrss / 1024,
                  "cpu_s": usage.ru_utime + usage.ru_stime}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REFUSED))
def test_egov_import_of_a_hostile_file_exits_non_zero_writes_nothing_in_bounded_time_and_memory(
    case: str, db_url: str, tmp_path: Path
) -> None:
    build, message, _hint = REFUSED[case]
    path = build(tmp_path)
    before = _state(db_url)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, "import", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=60,
        check=True,
    )
    elapsed = time.perf_counter() - started
    result = json.loads(done.stdout)
    assert result["rc"] == 8, result["stderr"]
    assert message in " ".join(result["stderr"].split())
    assert elapsed < 10
    assert result["peak_mb"] < 500
    assert _state(db_url) == before


def _import(path: Path, *extra: str) -> tuple[int, str]:
    result = egov("import", str(path), *extra)
    return result.exit_code, result.stderr


def _names(db_url: str) -> list[str]:
    from sqlmodel import select

    from egov_cli.core.models import Service
    from egov_cli.storage.db import transaction

    catalogue = open_catalogue(db_url)
    try:
        with transaction(catalogue, write=False) as session:
            return sorted(s.name for s in session.exec(select(Service)).all())
    finally:
        catalogue.engine.dispose()


EMOJI = "Hundesteuer 🐕‍🦺 anmelden 👩🏽‍💻"
ARABIC = "تسجيل الكلب"
HEBREW = "רישום כלב \u200f(עברית)"


def test_emoji_and_right_to_left_text_import_unchanged(db_url: str, tmp_path: Path) -> None:
    path = corpus.valid_workbook(
        tmp_path / "unicode.xlsx",
        [[corpus.KEY, EMOJI], ["99115005011000", ARABIC], ["99102013002000", HEBREW]],
    )
    code, stderr = _import(path)
    assert code == 0, stderr
    assert _names(db_url) == sorted([EMOJI, ARABIC, HEBREW])


def test_a_declared_dimension_of_a_million_rows_imports_the_rows_there_are(
    db_url: str, tmp_path: Path
) -> None:
    started = time.perf_counter()
    code, stderr = _import(corpus.declared_dimension(tmp_path))
    assert code == 0, stderr
    assert time.perf_counter() - started < 10
    assert _names(db_url) == ["Gewerbe"]


def test_cells_without_a_reference_import_in_the_columns_their_order_gives(
    tmp_path: Path, scale: Scale
) -> None:
    """A generator may leave out the cells' references: each cell then takes the next column
    (the guard counts them so; a near row with many of them is no danger)."""
    path = corpus.hand_written_rows(
        tmp_path,
        "ohne-bezug.xlsx",
        '<row r="2"><c t="inlineStr"><is><t>99050012104000</t></is></c>'
        '<c t="inlineStr"><is><t>Gewerbe</t></is></c></row>',
    )
    data = read_file(path, scale)
    assert data.problems == []
    assert (data.values["leika_key"], data.values["name"]) == (["99050012104000"], ["Gewerbe"])


@pytest.mark.parametrize("columns", [60, 600], ids=["sixty columns", "six hundred columns"])
def test_a_wide_sheet_within_the_grid_limit_is_read(
    tmp_path: Path, scale: Scale, columns: int
) -> None:
    """Beyond fifty columns the rows of every cell count (the guard looks them up)."""
    import xlsxwriter

    path = tmp_path / "breit.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(
        0, 0, ["LeiKa-Schlüssel", "Leistung", *(f"Extra {n}" for n in range(columns - 2))]
    )
    for row in range(1, 1001):
        sheet.write_row(row, 0, [f"9905{row:07d}000", f"Leistung {row}", *range(columns - 2)])
    book.close()
    data = read_file(path, scale)
    assert len(data.values["leika_key"]) == 1000


def test_a_cell_of_32767_characters_imports_and_one_more_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    longest = "Ä" + "x" * 32_766
    path = corpus.valid_workbook(tmp_path / "lang.xlsx", [[corpus.KEY, longest]])
    code, stderr = _import(path)
    assert code == 0, stderr
    assert _names(db_url) == [longest]

    before = _state(db_url)
    too_long = corpus.csv_file(
        tmp_path,
        "zu-lang.csv",
        f"LeiKa-Schlüssel;Leistung\n99115005011000;{'y' * 32_768}\n".encode(),
    )
    code, stderr = _import(too_long)
    assert code == 3
    assert "zu-lang.csv, row 2, column 'Leistung':" in stderr
    assert "32,768 characters long; at most 32,767 are allowed." in stderr
    assert _state(db_url) == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("nul.csv", b"LeiKa-Schl\xc3\xbcssel;Leistung\n99050012104000;Gewer\x00be\n"),
        ("escape.csv", b"LeiKa-Schl\xc3\xbcssel;Leistung\n99050012104000;\x1b[31mrot\n"),
    ],
)
def test_control_characters_and_nul_bytes_in_a_csv_are_refused_naming_the_cell(
    db_url: str, tmp_path: Path, name: str, data: bytes
) -> None:
    before = _state(db_url)
    path = corpus.csv_file(tmp_path, name, data)
    with pytest.raises(InputRejected) as caught:
        read_file_rows(path)
    assert caught.value.problems[0].file == name
    code, stderr = _import(path)
    assert code == 3
    assert f"{name}, row 2, column 'Leistung': Leistung contains the control character U+" in stderr
    assert _state(db_url) == before


def read_file_rows(path: Path) -> None:
    """Read ``path``; raise InputRejected where it has bad rows (as the import does)."""
    data = read_file(path, presets()[default_preset_name()])
    if data.problems:
        raise InputRejected(data.problems)


def test_control_characters_in_a_workbook_are_refused_naming_the_cell(
    db_url: str, tmp_path: Path
) -> None:
    before = _state(db_url)
    path = corpus.valid_workbook(tmp_path / "steuer.xlsx", [[corpus.KEY, "rot\x1b[31m\x07"]])
    code, stderr = _import(path)
    assert code == 3
    assert (
        "steuer.xlsx, sheet 'Leistungen', row 2, column 'Leistung': Leistung contains the control character U+001B."
        in stderr
    )
    assert _state(db_url) == before


def test_a_csv_with_mixed_line_endings_imports_every_row(db_url: str, tmp_path: Path) -> None:
    data = (
        "LeiKa-Schlüssel;Leistung\r\n99050012104000;Gewerbe\n"
        "99115005011000;Hund\r99102013002000;Baum\r\n"
    ).encode()
    code, stderr = _import(corpus.csv_file(tmp_path, "zeilen.csv", data))
    assert code == 0, stderr
    assert _names(db_url) == ["Baum", "Gewerbe", "Hund"]


def test_a_csv_in_another_encoding_than_given_is_refused_naming_the_byte(
    db_url: str, tmp_path: Path
) -> None:
    before = _state(db_url)
    path = corpus.csv_file(
        tmp_path,
        "ansi.csv",
        "LeiKa-Schlüssel;Leistung\n99050012104000;Bürgeramt\n".encode("cp1252"),
    )
    code, stderr = _import(path, "--encoding", "utf-8")
    assert code == 8
    assert "ansi.csv is not valid utf-8: byte 0xfc at position 10." in stderr
    assert _state(db_url) == before


#: builder -> the problem (exit 3) a file too large for a spreadsheet's limits is refused with
TOO_LARGE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a shared string of 60 million characters": (
        corpus.long_shared_string,
        "lange-zelle.xlsx: text no. 4 of the workbook (in 'xl/sharedStrings.xml') has more than "
        "32,767 characters (Excel's limit for a cell); it begins ",
    ),
    "a cell right of column XFD": (
        corpus.column_beyond_xfd,
        "zu-breit.xlsx: the sheet part 'xl/worksheets/sheet1.xml' places cells as far as column "
        "XFE (column 16,385); a sheet has at most 16,384 columns (XFD, Excel's limit)",
    ),
    "a CSV line of five million fields": (
        corpus.wide_csv,
        "breit.csv, row 2: the row has 5,000,002 cells; a sheet has at most 16,384 columns "
        "(Excel's limit)",
    ),
    "a CSV header of twenty thousand columns": (
        corpus.wide_csv_header,
        "breiter-kopf.csv, row 1: the row has 20,002 cells; a sheet has at most 16,384 columns "
        "(Excel's limit)",
    ),
    "a CSV cell of 60 million characters": (
        corpus.long_csv_cell,
        "lange-zelle.csv, row 2: a cell holds more than 131,072 characters; at most 32,767 are "
        "allowed (Excel's limit)",
    ),
}


@pytest.mark.parametrize("case", list(TOO_LARGE))
def test_a_file_beyond_a_spreadsheets_limits_is_refused_early_naming_where(
    case: str, tmp_path: Path, scale: Scale
) -> None:
    build, message = TOO_LARGE[case]
    path = build(tmp_path)
    started = time.perf_counter()
    with pytest.raises(InputRejected) as caught:
        data = read_file(path, scale)
        if data.problems:
            raise InputRejected(data.problems)
    assert time.perf_counter() - started < 10
    assert str(caught.value.problems[0]).startswith(message)
    assert len(caught.value.details[0]) < 600


@pytest.mark.slow
@pytest.mark.parametrize("case", list(TOO_LARGE))
def test_egov_import_beyond_a_spreadsheets_limits_exits_3_in_bounded_time_and_memory(
    case: str, db_url: str, tmp_path: Path
) -> None:
    build, message = TOO_LARGE[case]
    path = build(tmp_path)
    before = _state(db_url)
    for extra in ((), ("--json",)):
        done = subprocess.run(
            [sys.executable, "-c", MEASURED, "import", str(path), *extra],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        result = json.loads(done.stdout)
        assert result["rc"] == 3, result["stderr"][:2000]
        assert message in result["stderr"]
        assert len(result["stderr"]) < 2000
        # Processor time, not time on the clock: the answer's cost, however busy the machine.
        assert result["cpu_s"] < 10
        assert result["peak_mb"] < 500
    assert _state(db_url) == before


def test_a_long_value_in_a_message_is_cut_with_its_length(db_url: str, tmp_path: Path) -> None:
    path = corpus.csv_file(
        tmp_path,
        "lang.csv",
        f"LeiKa-Schlüssel;Leistung;Online seit\n{corpus.KEY};Gewerbe;{'9' * 100_000}\n".encode(),
    )
    code, stderr = _import(path)
    assert code == 3
    assert f"(value {'9' * 80!r}… (100,000 characters))" in stderr
    assert len(stderr) < 1000
    result = egov("import", str(path), "--json")
    assert result.exit_code == 3
    assert len(result.stderr) < 2000  # the value cut; the column map beside it
