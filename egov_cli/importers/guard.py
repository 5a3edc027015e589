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
  billions of empty cells.

Each refusal is a :class:`~egov_cli.errors.FileError` naming the file and the reason.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from egov_cli.errors import FileError

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
#: Largest CSV/text file (it is read into memory whole).
MAX_TEXT_BYTES = 256 << 20

_HEAD_BYTES = 64 << 10
_CHUNK = 1 << 20
_OVERLAP = 32
_DECLARATIONS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
#: Cell references with a column of two or three letters (their row too).
_WIDE_REF = re.compile(rb"""r=["']([A-Z]{2,3})(\d{1,7})["']""")
#: Any reference (cell or row) with a row number of six or seven digits.
_FAR_REF = re.compile(rb"""r=["'][A-Z]*(\d{6,7})["']""")
_ROW_TAG = b'<row r="'
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_CFB_SCAN_BYTES = 32 << 20


def check_file(path: Path) -> None:
    """Refuse ``path`` (a FileError naming it and the reason) where reading it is unsafe."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError as exc:
        raise FileError(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    if size == 0:
        raise FileError(
            f"{path.name} is empty (0 bytes).",
            "The file was not saved completely or the e-mail attachment is damaged; "
            "ask for it again.",
        )
    if suffix in (".csv", ".txt", ".tsv"):
        _check_text(path, head, size)
    elif suffix in (".xlsx", ".xlsm"):
        if head.startswith(CFB_SIGNATURE):
            raise _ole_error(path)
        _check_zip(path, head)
    elif suffix == ".ods":
        _check_zip(path, head)


def _check_text(path: Path, head: bytes, size: int) -> None:
    if head.startswith((ZIP_SIGNATURE, EMPTY_ZIP_SIGNATURE)):
        raise FileError(
            f"{path.name} is a workbook (a zip archive), not a CSV text file.",
            "Rename it to .xlsx, or save it from Excel as CSV.",
        )
    if head.startswith(CFB_SIGNATURE):
        raise FileError(
            f"{path.name} is an Excel or Office file, not a CSV text file.",
            "Open it in Excel and save it as CSV (or as .xlsx) and import that.",
        )
    if size > MAX_TEXT_BYTES:
        raise FileError(
            f"{path.name} is {size >> 20:,} MB; egov imports text files up to "
            f"{MAX_TEXT_BYTES >> 20} MB.",
            "Split the file (e.g. by department) and import the parts one by one.",
        )


def _ole_error(path: Path) -> FileError:
    """An OLE container named .xlsx: an encrypted workbook, or an old .xls renamed."""
    kind = _ole_kind(path)
    if kind == "encrypted":
        return FileError(
            f"{path.name}: the workbook is password-protected (encrypted).",
            "Open it in Excel, remove the password (File > Info > Protect Workbook), "
            "save a copy and import that.",
        )
    if kind == "xls":
        return FileError(
            f"{path.name} is an old Excel 97-2003 workbook (.xls) named .xlsx.",
            "Open it in Excel and save it as .xlsx (or rename it to .xls) and import that.",
        )
    return FileError(
        f"{path.name} is not an .xlsx workbook but an OLE file: a password-protected workbook "
        "or an old .xls file.",
        "Open it in Excel, remove any password, save it as .xlsx and import that copy.",
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


def _check_zip(path: Path, head: bytes) -> None:
    if not head.startswith((ZIP_SIGNATURE, EMPTY_ZIP_SIGNATURE)):
        raise FileError(
            f"{path.name} is not a workbook: an .xlsx file is a zip archive, this one is not.",
            "Open it in Excel and save it as .xlsx (or as CSV) and import that copy.",
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
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_sheet(path, archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise FileError(
            f"{path.name} is a damaged or incomplete workbook ({exc}).",
            "The file was cut off or altered (e.g. an incomplete download or attachment); "
            "ask for it again or save it anew from Excel.",
        ) from exc
    except NotImplementedError as exc:  # a compression method zipfile does not know
        raise FileError(
            f"{path.name} uses a zip compression egov cannot read ({exc}).",
            "Open it in Excel, save it as .xlsx and import that copy.",
        ) from exc
    except OSError as exc:
        raise FileError(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc


def _bomb(path: Path, member: str, why: str) -> FileError:
    return FileError(
        f"{path.name} is refused: its part {member!r} {why}.",
        "This is not what Excel writes (a damaged file or a so-called zip bomb). "
        "Open it in Excel, save it as .xlsx and import that copy.",
    )


def _check_sizes(path: Path, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise FileError(
            f"{path.name} is refused: it holds {len(members):,} parts (at most "
            f"{MAX_MEMBERS:,} allowed).",
            "Open it in Excel, save it as .xlsx and import that copy.",
        )
    total = 0
    for info in members:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise _bomb(
                path,
                info.filename,
                f"unpacks to {size:,} bytes (at most {MAX_MEMBER_BYTES:,} allowed)",
            )
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(
                path,
                info.filename,
                f"unpacks {size // max(info.compress_size, 1):,} times larger than it is "
                f"packed (at most {MAX_RATIO} allowed)",
            )
    if total > MAX_TOTAL_BYTES:
        raise FileError(
            f"{path.name} is refused: it unpacks to {total:,} bytes (at most "
            f"{MAX_TOTAL_BYTES:,} allowed).",
            "Split the data into smaller files and import them one by one.",
        )


def _check_declarations(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DOCTYPE or ENTITY declaration stands before the root element: the head suffices."""
    with archive.open(info) as stream:
        head = stream.read(_HEAD_BYTES)
    if any(marker in head for marker in _DECLARATIONS):
        raise FileError(
            f"{path.name} is refused: its part {info.filename!r} declares a document type or "
            "XML entities, which Excel never writes (an entity bomb or an attempt to read "
            "other files).",
            "Open it in Excel, save it as .xlsx and import that copy.",
        )


def _check_sheet(path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Unpack the sheet once (zipfile checks the size and CRC the header states) and find the
    farthest row and column any cell is placed at."""
    max_row = 0
    max_col = 26  # single-letter columns are not tracked: at most Z
    letters = b""
    seen = 0
    rest = b""
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            seen += len(chunk)
            if seen > MAX_MEMBER_BYTES:
                raise _bomb(path, info.filename, f"unpacks to more than {MAX_MEMBER_BYTES:,} bytes")
            piece = rest + chunk
            for col, row in _WIDE_REF.findall(piece):
                max_row = max(max_row, int(row))
                if (len(col), col) > (len(letters), letters):
                    letters = col
            far = _FAR_REF.findall(piece)
            if far:
                max_row = max(max_row, *(int(n) for n in far))
            at = piece.rfind(_ROW_TAG)
            if at >= 0:
                digits = re.match(rb"\d{1,7}", piece[at + len(_ROW_TAG) : at + len(_ROW_TAG) + 8])
                if digits:
                    max_row = max(max_row, int(digits.group()))
            rest = piece[-_OVERLAP:]
    if letters:
        max_col = max(max_col, _column_number(letters))
    if max_row * max_col > MAX_GRID_CELLS:
        raise FileError(
            f"{path.name} is refused: the sheet part {info.filename!r} places cells as far as "
            f"row {max_row:,} and column {letters.decode() or 'Z'}: a grid of up to "
            f"{max_row * max_col:,} cells (at most {MAX_GRID_CELLS:,} allowed).",
            "Delete the rows and columns below and right of the data in Excel (select them, "
            "Delete), save and import again; or split the file.",
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + (ch - 64)
    return number
