"""A large sheet read in two halves at once gives exactly the rows of the sheet read whole.

The halves are made for sheets from 16 MB of XML; here ``split_min_bytes=0`` makes them for
small sheets, each shaped so that the place of the cut matters.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from egov_cli.core.errors import FileError
from egov_cli.domain.scale import default_preset_name, presets
from egov_cli.imports.reading import CheckedFile, ReadOptions, check_input, open_file
from egov_cli.imports.reading.types import ImportFile
from tests.hostile.corpus import hand_written_rows

HEADER = ["LeiKa-Schlüssel", "Leistung", "Reifegrad", "Online seit", "SDG Anhang II"]
ROWS = 300


def _row(n: int) -> list[Any]:
    return [f"99{n:012d}", f"Leistung {n}", n % 5, date(2024, 1, 1 + n % 28), n % 2 == 0]


def openpyxl_book(path: Path, rows: dict[int, list[Any]]) -> Path:
    """A workbook as openpyxl writes it (shared strings); ``rows``: row number -> cells from A."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Leistungen"
    for number, cells in rows.items():
        for col, value in enumerate(cells, start=1):
            if value is not None:
                sheet.cell(number, col, value)
    book.save(path)
    return path


def blank_rows_between(path: Path) -> Path:
    """Every other row blank: wherever the cut falls, rows are missing at it."""
    return openpyxl_book(path, {1: HEADER} | {2 * n + 1: _row(n) for n in range(1, ROWS)})


def second_half_wider(path: Path) -> Path:
    rows = {1: HEADER} | {n + 1: _row(n) for n in range(1, ROWS)}
    rows[ROWS + 1] = [*_row(ROWS), None, None, "Bemerkung ganz rechts"]
    return openpyxl_book(path, rows)


def first_half_wider(path: Path) -> Path:
    rows = {1: [*HEADER, None, None, None, "Stand: 31.12.2026"]}
    return openpyxl_book(path, rows | {n + 1: _row(n) for n in range(1, ROWS)})


def second_half_from_column_b(path: Path) -> Path:
    """Column A is filled only in the first rows: the second half starts in column B."""
    rows: dict[int, list[Any]] = {1: HEADER}
    for n in range(1, ROWS):
        rows[n + 1] = _row(n) if n < ROWS // 5 else [None, *_row(n)[1:]]
    return openpyxl_book(path, rows)


def inline_strings_and_dates(path: Path) -> Path:
    """As xlsxwriter writes it (inline strings in constant-memory mode), dates formatted."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Leistungen")
    day = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, HEADER)
    for n in range(1, ROWS):
        key, name, level, online, sdg = _row(n)
        sheet.write_string(n, 0, key)
        sheet.write_string(n, 1, name)
        sheet.write_number(n, 2, level)
        sheet.write_datetime(n, 3, datetime(online.year, online.month, online.day), day)
        sheet.write_boolean(n, 4, sdg)
    book.close()
    return path


def _cells(row: int, *texts: str) -> str:
    return "".join(
        f'<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>'
        for col, text in zip("AB", texts, strict=False)
    )


def formatted_empty_rows_below(path: Path) -> Path:
    """A few rows of data and many formatted empty rows below (as Excel keeps them): the second
    half holds no cell at all."""
    data = "".join(f'<row r="{n}">{_cells(n, f"99{n:012d}", f"L {n}")}</row>' for n in range(2, 8))
    empty = "".join(f'<row r="{n}" ht="20" customHeight="1"/>' for n in range(8, 400))
    return hand_written_rows(path.parent, path.name, data + empty)


def rows_numbered_now_and_then(path: Path) -> Path:
    """Only every tenth row tag has its number; the rows between follow on from it."""
    rows = []
    for n in range(2, 400):
        number = f' r="{n}"' if n % 10 == 0 else ""
        cells = f"<c><v>{n}</v></c><c><v>{n * 2}</v></c>"
        rows.append(f"<row{number}>{cells}</row>")
    return hand_written_rows(path.parent, path.name, "".join(rows))


SHAPES = [
    blank_rows_between,
    second_half_wider,
    first_half_wider,
    second_half_from_column_b,
    inline_strings_and_dates,
    formatted_empty_rows_below,
    rows_numbered_now_and_then,
]


def placed(rows: Iterable[tuple[int, list[Any]]]) -> dict[tuple[int, int], Any]:
    """Each filled cell by its place (row number, 0-based column)."""
    return {(n, col): v for n, cells in rows for col, v in enumerate(cells) if v != ""}


def read_cells(path: Path, split_min_bytes: int) -> dict[tuple[int, int], Any]:
    opened = open_file(check_input(path, split_min_bytes=split_min_bytes), ReadOptions())
    try:
        return placed([*opened.head, *opened.sheet.all_rows()])
    finally:
        opened.close()


def parse(path: Path, split_min_bytes: int) -> ImportFile:
    checked = check_input(path, split_min_bytes=split_min_bytes)
    return open_file(checked, ReadOptions()).parse(presets()[default_preset_name()])


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_a_sheet_read_in_halves_has_the_rows_of_the_sheet_read_whole(
    tmp_path: Path, shape: Any
) -> None:
    path = shape(tmp_path / "amt32.xlsx")
    checked = check_input(path, split_min_bytes=0)
    assert list(checked.halves) == ["xl/worksheets/sheet1.xml"]  # the halves are made
    halves = read_cells(path, split_min_bytes=0)
    whole = read_cells(path, split_min_bytes=1 << 40)
    assert halves == whole
    assert len({row for row, _col in whole}) >= 7


@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: shape.__name__)
def test_rows_parsed_from_halves_are_the_rows_parsed_from_the_whole_sheet(
    tmp_path: Path, shape: Any
) -> None:
    path = shape(tmp_path / "amt32.xlsx")
    halves, whole = parse(path, split_min_bytes=0), parse(path, split_min_bytes=1 << 40)
    assert halves.values == whole.values
    assert halves.numbers == whole.numbers
    assert halves.problems == whole.problems
    assert halves.rejected_raw == whole.rejected_raw
    assert halves.data_rows == whole.data_rows
    assert [halves.raw_row(n) for n in whole.numbers] == [whole.raw_row(n) for n in whole.numbers]


def test_the_first_half_is_parsed_before_the_second_is_used(tmp_path: Path) -> None:
    path = blank_rows_between(tmp_path / "amt32.xlsx")
    opened = open_file(check_input(path, split_min_bytes=0), ReadOptions())
    assert opened.sheet.rest is not None  # the second half: still to come when the file opens
    parsed = opened.parse(presets()[default_preset_name()])
    assert parsed.numbers == [2 * n + 1 for n in range(1, ROWS)]  # both halves' rows


def test_a_sheet_without_a_numbered_row_to_cut_at_is_read_whole(tmp_path: Path) -> None:
    rows = "".join(f"<row><c><v>{n}</v></c><c><v>{n}</v></c></row>" for n in range(300))
    path = hand_written_rows(tmp_path, "amt32.xlsx", rows)
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves == {}
    cells = read_cells(path, split_min_bytes=0)
    assert max(cells) == (301, 1)
    assert cells[(301, 0)] == cells[(301, 1)] == 299


def test_small_sheets_are_read_whole(tmp_path: Path) -> None:
    path = blank_rows_between(tmp_path / "amt32.xlsx")
    assert check_input(path).halves == {}


def checked_in_halves(tmp_path: Path) -> tuple[CheckedFile, Path]:
    """A sheet checked and written in halves, and the folder of its halves."""
    checked = check_input(blank_rows_between(tmp_path / "amt32.xlsx"), split_min_bytes=0)
    return checked, checked.halves["xl/worksheets/sheet1.xml"].folder


def test_the_halves_are_removed_once_read_and_another_reading_reads_the_file(
    tmp_path: Path,
) -> None:
    checked, folder = checked_in_halves(tmp_path)
    assert folder.is_dir()
    first = open_file(checked, ReadOptions())
    first_rows = [*first.head, *first.sheet.all_rows()]
    assert not folder.exists()
    again = open_file(checked, ReadOptions())  # as after a concurrent writer: read anew
    assert placed(first_rows) == placed([*again.head, *again.sheet.all_rows()])
    first.close()
    again.close()


def test_the_halves_are_removed_when_the_file_is_closed_before_the_second_is_used(
    tmp_path: Path,
) -> None:
    checked, folder = checked_in_halves(tmp_path)
    opened = open_file(checked, ReadOptions())
    assert folder.is_dir()
    opened.close()
    assert not folder.exists()


@pytest.mark.usefixtures("english")
def test_nothing_is_left_behind_when_the_guard_refuses_the_file_after_the_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "temp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    rows = "".join(f'<row r="{n}">{_cells(n, "x", "y")}</row>' for n in range(2, 300))
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = hand_written_rows(tmp_path, "amt32.xlsx", rows + far)
    with pytest.raises(FileError, match="refused"):
        check_input(path, split_min_bytes=0)
    assert list(temporary.iterdir()) == []


def test_the_first_half_is_read_while_the_guard_checks_the_second(tmp_path: Path) -> None:
    path = inline_strings_and_dates(tmp_path / "amt32.xlsx")
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves["xl/worksheets/sheet1.xml"].first is not None


def test_a_first_half_the_quick_look_cannot_clear_is_read_only_after_the_whole_check(
    tmp_path: Path,
) -> None:
    path = rows_numbered_now_and_then(tmp_path / "amt32.xlsx")  # cells without a reference
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves["xl/worksheets/sheet1.xml"].first is None


def two_sheets(path: Path) -> Path:
    """A notes sheet first, the services second (the one cut in halves)."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Hinweise"
    notes["A1"] = "Bitte nur die Spalten in Blatt 2 ausfüllen."
    sheet = book.create_sheet("Leistungen")
    sheet.append(HEADER)
    for n in range(1, ROWS):
        sheet.append(_row(n))
    book.save(path)
    return path


def test_the_second_sheet_is_read_in_halves_too(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "amt32.xlsx")
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves["xl/worksheets/sheet2.xml"].first is not None
    assert read_cells(path, split_min_bytes=0) == read_cells(path, split_min_bytes=1 << 40)


def test_a_first_half_read_early_as_the_wrong_sheet_is_read_again_by_name(
    tmp_path: Path,
) -> None:
    from egov_cli.imports.reading.halves import _Reading

    path = two_sheets(tmp_path / "amt32.xlsx")
    checked = check_input(path, split_min_bytes=0)
    halves = checked.halves["xl/worksheets/sheet2.xml"]
    assert halves.first is not None
    halves.first.result()  # the early reading done
    halves.first = _Reading(halves.files[0], 0)  # the notes sheet's number: not in the half
    opened = open_file(checked, ReadOptions())
    try:
        cells = placed([*opened.head, *opened.sheet.all_rows()])
    finally:
        opened.close()
    assert cells == read_cells(path, split_min_bytes=1 << 40)


def test_a_sheet_of_many_columns_is_read_only_after_the_guard_looked_up_its_rows(
    tmp_path: Path,
) -> None:
    wide = [f"Spalte {c}" for c in range(60)]
    rows = {1: HEADER + wide} | {n + 1: _row(n) + [n] * 60 for n in range(1, 100)}
    path = openpyxl_book(tmp_path / "amt32.xlsx", rows)
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves["xl/worksheets/sheet1.xml"].first is None
    assert read_cells(path, split_min_bytes=0) == read_cells(path, split_min_bytes=1 << 40)


def test_a_sheet_is_read_whole_where_the_halves_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = blank_rows_between(tmp_path / "amt32.xlsx")
    whole = read_cells(path, split_min_bytes=1 << 40)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    checked = check_input(path, split_min_bytes=0)
    assert checked.halves == {}
    assert read_cells(path, split_min_bytes=0) == whole


def test_halves_nobody_reads_are_removed_once_let_go(tmp_path: Path) -> None:
    import gc

    path = blank_rows_between(tmp_path / "amt32.xlsx")
    checked = check_input(path, split_min_bytes=0)
    halves = checked.halves["xl/worksheets/sheet1.xml"]
    folder = halves.folder
    assert halves.first is not None
    halves.first.result()  # the early reading done
    del checked, halves
    gc.collect()
    assert not folder.exists()


def test_a_header_row_in_the_second_half_is_found_there(tmp_path: Path) -> None:
    rows = {1: ["Stand: 31.12.2026"]} | {n: [f"Notiz {n}"] for n in range(2, ROWS)}
    rows |= {ROWS: HEADER} | {ROWS + n: _row(n) for n in range(1, 20)}
    path = openpyxl_book(tmp_path / "amt32.xlsx", rows)
    options = ReadOptions(header_row=ROWS)
    read = [
        open_file(check_input(path, split_min_bytes=size), options).parse(
            presets()[default_preset_name()]
        )
        for size in (0, 1 << 40)
    ]
    assert read[0].header_row == read[1].header_row == ROWS
    assert read[0].values == read[1].values
    assert read[0].numbers == [ROWS + n for n in range(1, 20)]


def test_the_halves_folders_of_a_killed_import_are_removed_by_the_next_import(
    db_url: str, tmp_path: Path
) -> None:
    """A process killed while it read a sheet in halves leaves its folder; the next import
    removes it, and leaves the folders of running processes and of other programs alone."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    killed.kill()
    killed.wait()
    stale = temp / f"egov-sheet-{killed.pid}-k3x9"
    running = temp / f"egov-sheet-{os.getpid()}-a1b2"
    other = temp / "egov-something-else"
    for folder in (stale, running, other):
        folder.mkdir()
        (folder / "first.xlsx").write_bytes(b"x" * 1000)
    book = openpyxl_book(tmp_path / "amt.xlsx", {1: HEADER, 2: _row(1)})
    done = subprocess.run(
        [sys.executable, "-m", "egov_cli", "import", str(book)],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(temp)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not stale.exists()
    assert running.exists()
    assert other.exists()


def test_the_halves_of_a_sheet_are_written_in_a_folder_named_for_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    path = openpyxl_book(tmp_path / "amt.xlsx", {1: HEADER, **{n: _row(n) for n in range(2, ROWS)}})
    checked = check_input(path, split_min_bytes=0)
    try:
        (folder,) = temp.iterdir()
        assert folder.name.startswith(f"egov-sheet-{os.getpid()}-")
    finally:
        open_file(checked, ReadOptions()).close()
