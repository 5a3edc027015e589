"""Checks on a file before a reader touches it: refuse what would crash, hang or exhaust memory.

Spreadsheets arrive by e-mail from many hands. Before calamine or openpyxl opens a workbook,
:func:`check_file` makes sure that

* the file is not empty and is what its name says: an ``.xlsx``/``.xlsm`` is a zip archive; an
  OLE container in its place is a password-protected workbook (Excel encrypts into one) or an
  old ``.xls`` renamed; a workbook or an OLE file named ``.csv`` is refused too;
* the archive is whole (its directory readable) and no member unpacks to more than a sane size
  or compresses suspiciously well (a "zip bomb"); actual sizes are checked while unpacking the
  sheets, so a member whose header understates its size is caught as well;
* no XML part declares a document type or entities (an "entity bomb", external entities);
* no sheet places a cell so far out (``XFD1048576``) that the reader would build a grid of
  billions of empty cells: by its reference, however it is written (lower case, spaced,
  single-quoted, with a namespace prefix, a row number of any length), or, without one, by its
  place in its row. Not looked for: a cell tag with two reference attributes (not well-formed
  XML, and no spreadsheet program writes one; the reader takes the last).

Each refusal is a :class:`~egov_cli.core.errors.FileError` naming the file and the reason.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from egov_cli.core.errors import SHOWN_CHARS, FileError, InputRejected, Problem, shown_value
from egov_cli.core.files import shown_name
from egov_cli.i18n import _
from egov_cli.imports.reading.xlsx import column_letters
from egov_cli.values import display as formats

ZIP_SIGNATURE = b"PK\x03\x04"
EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

#: Largest unpacked size of one archive member, and of all of them together.
MAX_MEMBER_BYTES = 512 << 20
MAX_TOTAL_BYTES = 1 << 30
#: Members larger than this may not compress better than MAX_RATIO (Excel's sheets: about 10).
RATIO_FLOOR_BYTES = 1 << 20
MAX_RATIO = 100
MAX_MEMBERS = 10_000
#: Largest grid of cells (rows x columns from A1) a sheet may span: the reader holds all of it.
MAX_GRID_CELLS = 5_000_000
#: Excel's limits: columns of a sheet, characters of a cell.
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
#: Largest CSV/text file (it is read into memory whole).
MAX_TEXT_BYTES = 256 << 20

_HEAD_BYTES = 64 << 10
_CHUNK = 1 << 20
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
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
#: Longest stretch of a sheet without the end of a tag (a tag this long is not a spreadsheet's).
_MAX_TAG_BYTES = 4 << 20
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_CFB_SCAN_BYTES = 32 << 20


class PieceSink(Protocol):
    """Takes a sheet part's XML piece by piece while the guard reads it."""

    def write(self, piece: bytes, safe: bool) -> None:
        """``piece``: the next stretch of XML, checked; ``safe``: the cells of every piece so
        far are known to stay within the allowed grid (what the sink does with that is its
        own affair)."""


#: Called with each sheet part before it is read; what it returns gets the part's XML.
SheetTee = Callable[[zipfile.ZipFile, zipfile.ZipInfo], PieceSink | None]


def check_file(path: Path, tee: SheetTee | None = None) -> None:
    """Refuse ``path`` (a FileError naming it and the reason) where reading it is unsafe.
    ``tee`` gets each sheet part's XML as it is read (so it is unpacked only once)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=exc.strerror or exc)
        ) from exc
    if size == 0:
        raise FileError(
            _("{file} is empty (0 bytes).").format(file=path.name),
            _(
                "The file was not saved completely or the e-mail attachment is damaged; "
                "ask for it again."
            ),
        )
    if suffix in (".csv", ".txt", ".tsv"):
        _check_text(path, head, size)
    elif suffix in (".xlsx", ".xlsm"):
        if head.startswith(CFB_SIGNATURE):
            raise _ole_error(path)
        _check_zip(path, head, tee)
    elif suffix == ".ods":
        _check_zip(path, head)


def _check_text(path: Path, head: bytes, size: int) -> None:
    if head.startswith((ZIP_SIGNATURE, EMPTY_ZIP_SIGNATURE)):
        raise FileError(
            _("{file} is a workbook (a zip archive), not a CSV text file.").format(file=path.name),
            _("Rename it to .xlsx, or save it from Excel as CSV."),
        )
    if head.startswith(CFB_SIGNATURE):
        raise FileError(
            _("{file} is an Excel or Office file, not a CSV text file.").format(file=path.name),
            _("Open it in Excel and save it as CSV (or as .xlsx) and import that."),
        )
    if size > MAX_TEXT_BYTES:
        raise FileError(
            _("{file} is {size} MB; egov imports text files up to {limit} MB.").format(
                file=path.name, size=formats.number(size >> 20), limit=MAX_TEXT_BYTES >> 20
            ),
            _("Split the file (e.g. by department) and import the parts one by one."),
        )


def _ole_error(path: Path) -> FileError:
    """An OLE container named .xlsx: an encrypted workbook, or an old .xls renamed."""
    kind = _ole_kind(path)
    if kind == "encrypted":
        return FileError(
            _("{file}: the workbook is password-protected (encrypted).").format(file=path.name),
            _(
                "Open it in Excel, remove the password (File > Info > Protect Workbook), "
                "save a copy and import that."
            ),
        )
    if kind == "xls":
        return FileError(
            _("{file} is an old Excel 97-2003 workbook (.xls) named .xlsx.").format(file=path.name),
            _("Open it in Excel and save it as .xlsx (or rename it to .xls) and import that."),
        )
    return FileError(
        _(
            "{file} is not an .xlsx workbook but an OLE file: a password-protected workbook "
            "or an old .xls file."
        ).format(file=path.name),
        _("Open it in Excel, remove any password, save it as .xlsx and import that copy."),
    )


def _ole_kind(path: Path) -> str | None:
    """'encrypted', 'xls' or None, from the stream names in the container's directory."""
    try:
        with path.open("rb") as stream:
            data = stream.read(_CFB_SCAN_BYTES)
    except OSError:
        return None
    if _ENCRYPTED in data:
        return "encrypted"
    if any(name in data for name in _XLS_STREAMS):
        return "xls"
    return None


def _check_zip(path: Path, head: bytes, tee: SheetTee | None = None) -> None:
    if not head.startswith((ZIP_SIGNATURE, EMPTY_ZIP_SIGNATURE)):
        raise FileError(
            _("{file} is not a workbook: an .xlsx file is a zip archive, this one is not.").format(
                file=path.name
            ),
            _("Open it in Excel and save it as .xlsx (or as CSV) and import that copy."),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_sizes(path, members)
            for info in members:
                name = info.filename.lower()
                if name.endswith((".xml", ".rels", ".vml")):
                    _check_declarations(path, archive, info)
            for info in members:
                name = info.filename.lower()
                if name.endswith("sharedstrings.xml"):
                    _check_strings(path, archive, info)
            for info in members:
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet(path, archive, info, tee(archive, info) if tee else None)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise FileError(
            _("{file} is a damaged or incomplete workbook ({reason}).").format(
                file=path.name, reason=exc
            ),
            _(
                "The file was cut off or altered (e.g. an incomplete download or attachment); "
                "ask for it again or save it anew from Excel."
            ),
        ) from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise FileError(
            _("{file} uses a zip compression egov cannot read ({reason}).").format(
                file=path.name, reason=exc
            ),
            _("Open it in Excel, save it as .xlsx and import that copy."),
        ) from exc
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=exc.strerror or exc)
        ) from exc


def _bomb(path: Path, member: str, why: str) -> FileError:
    return FileError(
        _("{file} is refused: its part {part!r} {why}.").format(
            file=path.name, part=member, why=why
        ),
        _(
            "This is not what Excel writes (a damaged file or a so-called zip bomb). "
            "Open it in Excel, save it as .xlsx and import that copy."
        ),
    )


def _check_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise FileError(
            _("{file} is refused: it holds {count} parts (at most {limit} allowed).").format(
                file=path.name,
                count=formats.number(len(members)),
                limit=formats.number(MAX_MEMBERS),
            ),
            _("Open it in Excel, save it as .xlsx and import that copy."),
        )
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise _bomb(
                path,
                info.filename,
                _("unpacks to {size} bytes (at most {limit} allowed)").format(
                    size=formats.number(size), limit=formats.number(MAX_MEMBER_BYTES)
                ),
            )
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(
                path,
                info.filename,
                _(
                    "unpacks {ratio} times larger than it is packed (at most {limit} allowed)"
                ).format(ratio=formats.number(size // max(info.compress_size, 1)), limit=MAX_RATIO),
            )
    if total > MAX_TOTAL_BYTES:
        raise FileError(
            _("{file} is refused: it unpacks to {size} bytes (at most {limit} allowed).").format(
                file=path.name,
                size=formats.number(total),
                limit=formats.number(MAX_TOTAL_BYTES),
            ),
            _("Split the data into smaller files and import them one by one."),
        )


def _check_declarations(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DOCTYPE or ENTITY declaration stands before the root element: the head suffices."""
    with archive.open(info) as stream:
        head = stream.read(_HEAD_BYTES)
    if any(marker in head for marker in _DECLARATIONS):
        raise FileError(
            _(
                "{file} is refused: its part {part!r} declares a document type or XML entities, "
                "which Excel never writes (an entity bomb or an attempt to read other files)."
            ).format(file=path.name, part=info.filename),
            _("Open it in Excel, save it as .xlsx and import that copy."),
        )


def _check_sheet(
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
    for piece in _pieces(path, archive, info):
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
                    f"the sheet part {info.filename!r} places cells as far as column "
                    f"{column_letters(max_col - 1)} (column {max_col:,}); a sheet has at most "
                    f"{MAX_COLUMNS:,} columns (XFD, Excel's limit)",
                    file=shown_name(path),
                    hint="Open it in Excel, save it as .xlsx and import that copy.",
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


def _check_strings(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
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
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError:
        return
    except _LongText as long:
        raise InputRejected(
            [
                Problem(
                    f"text no. {long.number + 1:,} of the workbook (in {info.filename!r}) has "
                    f"more than {MAX_CELL_CHARS:,} characters (Excel's limit for a cell); "
                    f"it begins {shown_value(long.start)}",
                    file=shown_name(path),
                    hint="Find the cell with this text in Excel, shorten it, save and import "
                    "again.",
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
    for piece in _pieces(path, archive, info):
        rows = _USUAL_ROW.findall(piece)
        if rows:
            largest = max(largest, *map(int, rows))
    return largest


def _pieces(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A sheet part's XML a megabyte at a time, each piece ending after a whole tag. Refuses a
    part that unpacks to more than MAX_MEMBER_BYTES (whatever its header says) or holds a long
    stretch without the end of a tag."""
    seen = 0
    rest = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            seen += len(chunk)
            if seen > MAX_MEMBER_BYTES:
                raise _bomb(
                    path,
                    info.filename,
                    _("unpacks to more than {limit} bytes").format(
                        limit=formats.number(MAX_MEMBER_BYTES)
                    ),
                )
            buffer = rest + chunk
            cut = buffer.rfind(b">") + 1  # whole tags only; the rest waits for the next chunk
            rest = buffer[cut:]
            if len(rest) > _MAX_TAG_BYTES:
                raise _bomb(path, info.filename, _("holds more than 4 MB without the end of a tag"))
            yield buffer[:cut]
    yield rest


def _exact_extent(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The farthest (row, column) of any cell, counted as a reader places them: by reference,
    else after the previous cell of the row (rows after the previous row)."""
    max_row = max_col = 0
    row = 0
    col = 0
    for piece in _pieces(path, archive, info):
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
