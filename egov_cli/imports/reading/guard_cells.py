"""The file guard's limits on a workbook's cells and rows.

No sheet may place a cell so far out (``XFD1048576``) that the reader would build a grid of
billions of empty cells (:func:`check_sheet`): by its reference, however it is written (lower
case, spaced, single-quoted, with a namespace prefix, a row number of any length), or, without
one, by its place in its row. Not looked for: a cell tag with two reference attributes (not
well-formed XML, and no spreadsheet program writes one; the reader takes the last). No text of
the workbook may be longer than a cell holds (:func:`check_strings`).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Protocol

from egov_cli.core.errors import SHOWN_CHARS, FileError, InputRejected, Problem, shown_value
from egov_cli.core.files import shown_name
from egov_cli.i18n import _
from egov_cli.imports.reading.guard_archive import CHUNK, pieces
from egov_cli.imports.reading.xlsx import column_letters
from egov_cli.values import display as formats

#: Largest grid of cells (rows x columns from A1) a sheet may span: the reader holds all of it.
MAX_GRID_CELLS = 5_000_000
#: Excel's limits: columns of a sheet, characters of a cell.
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767

#: A cell whose reference is not of the usual short form (``<c r="B12"``: one capital letter,
#: at most five digits): a column beyond Z, a row beyond 99,999, lower case, other spacing or
#: quotes, no reference at all, or a namespace prefix (``<x:c``). Usual sheets have few or none;
#: each is looked at. A reference of the usual form but for its length (``<c r="AB12"``) is
#: taken as it is found; any other is read from the tag's attributes. (The pattern starts at
#: the "c": one pass for "<c" and "<x:c" is quicker than two.)
_UNUSUAL_CELL = re.compile(
    rb"""c(?<=[<:]c)(?=[\s/>])(?! r="[A-Z]\d{1,5}")(?: r="([A-Z]{1,3})(\d{1,7})"(?=[\s/>]))?([^>]*)>"""
)
#: A usual cell reference (its row).
_USUAL_ROW = re.compile(rb'c(?<=[<:]c) r="[A-Z](\d{1,5})"')
#: Every cell and row tag, for the exact count where the quick look is not enough.
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(c|row)(?=[\s/>])([^>]*)>""")
#: The reference attribute (``r``) in a tag's attributes, and its value.
_REF_ATTR = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?r\s*=\s*(["'])(.*?)\1""", re.S)
_CELL_REF = re.compile(rb"""([A-Za-z]*)(\d*)""")
#: Rows and columns a sheet may have without a look at every cell: the rows of usual cell
#: references have at most five digits, their columns one letter.
_USUAL_ROWS = 99_999
_USUAL_COLUMNS = 26


class PieceSink(Protocol):
    """Takes a sheet part's XML piece by piece while the guard reads it."""

    def write(self, piece: bytes, safe: bool) -> None:
        """``piece``: the next stretch of XML, checked; ``safe``: the cells of every piece so
        far are known to stay within the allowed grid (what the sink does with that is its
        own affair)."""


def check_sheet(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, sink: PieceSink | None = None
) -> None:
    """Unpack the sheet once (zipfile checks the size and CRC the header states) and make sure
    the reader will not build a grid of more than MAX_GRID_CELLS cells: it spans from A1 to the
    farthest row and column any cell is placed at, by its reference or, without one, by its
    place in its row (and its row's place in the sheet).

    Quick look: only cells whose reference is not of the usual short form are read (usual ones
    lie within Z99999; a cell with a reference is placed there whatever its row tag says).
    Where the columns are so many that the usual cells' rows matter, those are looked up
    (:func:`_largest_usual_row`); where a cell has no reference, every cell and row is counted
    (:func:`_exact_extent`).
    """
    max_row = max_col = 0
    exact = False
    for piece in pieces(path, archive, info):
        found = _UNUSUAL_CELL.findall(piece)
        if found:
            max_row, max_col, exact = _farthest(found, max_row, max_col, exact)
        if sink is not None:
            # Safe so far: the quick look alone shows that these cells stay within the grid.
            within = max(max_row, _USUAL_ROWS) * max(max_col, _USUAL_COLUMNS) <= MAX_GRID_CELLS
            sink.write(piece, not exact and within)
    max_col = max(max_col, _USUAL_COLUMNS)
    if not exact and max(max_row, _USUAL_ROWS) * max_col > MAX_GRID_CELLS >= max_row * max_col:
        # Many columns: the rows of the usual cells (columns A to Z) matter; looked up.
        max_row = max(max_row, _largest_usual_row(path, archive, info))
    if exact:
        max_row, max_col = _exact_extent(path, archive, info)
    if max_row * max_col <= MAX_GRID_CELLS and max_col > MAX_COLUMNS:
        raise InputRejected(
            [
                Problem(
                    _(
                        "the sheet part {part!r} places cells as far as column {letters} (column "
                        "{column}); a sheet has at most {limit} columns (XFD, Excel's limit)"
                    ).format(
                        part=info.filename,
                        letters=column_letters(max_col - 1),
                        column=formats.number(max_col),
                        limit=formats.number(MAX_COLUMNS),
                    ),
                    file=shown_name(path),
                    hint=_("Open it in Excel, save it as .xlsx and import that copy."),
                )
            ]
        )
    if max_row * max_col > MAX_GRID_CELLS:
        letters = column_letters(max_col - 1) if max_col > _USUAL_COLUMNS else "Z"
        raise FileError(
            _(
                "{file} is refused: the sheet part {part!r} places cells as far as row {row} "
                "and column {column}: a grid of up to {cells} cells (at most {limit} allowed)."
            ).format(
                file=path.name,
                part=info.filename,
                row=formats.number(max_row),
                column=letters,
                cells=formats.number(max_row * max_col),
                limit=formats.number(MAX_GRID_CELLS),
            ),
            _(
                "Delete the rows and columns below and right of the data in Excel (select them, "
                "Delete), save and import again; or split the file."
            ),
        )


class _LongText(Exception):
    """A shared string longer than MAX_CELL_CHARS: its number, its length so far, its start."""

    def __init__(self, number: int, length: int, start: str) -> None:
        super().__init__(number)
        self.number, self.length, self.start = number, length, start


def check_strings(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refuse (early, as soon as it is seen) a text of the workbook's shared strings longer
    than a cell holds (MAX_CELL_CHARS): a reader would hold all of it, and each copy made of
    it, for nothing. Read with expat in pieces; phonetic guides (``rPh``) are not the text.
    Malformed XML is left to the reader (it refuses the file itself)."""
    import xml.parsers.expat

    number = -1
    length = 0
    start: list[str] = []
    depth = {"si": 0, "t": 0, "rPh": 0}

    def opened(name: str, _attributes: object) -> None:
        nonlocal number, length
        local = name.rpartition(":")[2]
        if local in depth:
            depth[local] += 1
        if local == "si":
            number += 1
            length = 0
            start.clear()

    def closed(name: str) -> None:
        local = name.rpartition(":")[2]
        if local in depth:
            depth[local] -= 1

    def text(data: str) -> None:
        nonlocal length
        if depth["si"] and depth["t"] and not depth["rPh"]:
            if length < SHOWN_CHARS:
                start.append(data[: SHOWN_CHARS - length])
            length += len(data)
            if length > MAX_CELL_CHARS:
                raise _LongText(number, length, "".join(start))

    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = opened
    parser.EndElementHandler = closed
    parser.CharacterDataHandler = text
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError:
        return
    except _LongText as long:
        raise InputRejected(
            [
                Problem(
                    _(
                        "text no. {number} of the workbook (in {part!r}) has more than {limit} "
                        "characters (Excel's limit for a cell); it begins {start}"
                    ).format(
                        number=formats.number(long.number + 1),
                        part=info.filename,
                        limit=formats.number(MAX_CELL_CHARS),
                        start=shown_value(long.start),
                    ),
                    file=shown_name(path),
                    hint=_(
                        "Find the cell with this text in Excel, shorten it, save and import again."
                    ),
                )
            ]
        ) from None


def _farthest(
    found: list[tuple[bytes, bytes, bytes]], max_row: int, max_col: int, exact: bool
) -> tuple[int, int, bool]:
    """The farthest row and column so far, with the unusual cells ``found`` in a piece, and
    whether a cell without a reference makes the exact count necessary."""
    # Wide sheets have many such cells: each column and row is counted once.
    columns = {letters for letters, _digits, _rest in found if letters}
    if columns:
        max_col = max(max_col, *map(_column_number, columns))
        max_row = max(max_row, *map(int, {d for letters, d, _rest in found if letters}))
    for letters, _digits, attributes in found:
        if letters:
            continue
        row, col = _reference(attributes)
        if row is None or col is None:
            exact = True
        else:
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col, exact


#: Numbers longer than this are not a sheet's rows or columns (they count as too far).
_MAX_DIGITS = 9
_TOO_FAR = 10**_MAX_DIGITS


def _reference(attributes: bytes) -> tuple[int | None, int | None]:
    """(row, column) of a cell or row tag's reference attribute, 1-based; (None, None) without
    one (or with one that is no reference). A row tag's column is None; so is the row of a
    reference without digits."""
    found = _REF_ATTR.search(attributes)
    if found is None:
        return None, None
    ref = _CELL_REF.fullmatch(found.group(2).strip())
    if ref is None:
        return None, None  # not a reference the reader takes (it refuses the file itself)
    letters, digits = ref.groups()
    row = (int(digits) if len(digits) <= _MAX_DIGITS else _TOO_FAR) if digits else None
    col = (
        (_column_number(letters.upper()) if len(letters) <= _MAX_DIGITS else _TOO_FAR)
        if letters
        else None
    )
    return row, col


def _largest_usual_row(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The largest row of a cell with a usual reference (0 if none)."""
    largest = 0
    for piece in pieces(path, archive, info):
        rows = _USUAL_ROW.findall(piece)
        if rows:
            largest = max(largest, *map(int, rows))
    return largest


def _exact_extent(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The farthest (row, column) of any cell, counted as a reader places them: by reference,
    else after the previous cell of the row (rows after the previous row)."""
    max_row = max_col = 0
    row = 0
    col = 0
    for piece in pieces(path, archive, info):
        for name, attributes in _TAG.findall(piece):
            ref_row, ref_col = _reference(attributes)
            if name == b"row":
                row = ref_row if ref_row is not None else row + 1
                col = 0
                max_row = max(max_row, row)
                continue
            if ref_col is not None:
                col = ref_col
                row = ref_row if ref_row is not None else row
            else:
                col += 1
            max_row, max_col = max(max_row, row), max(max_col, col)
    return max_row, max_col


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
