"""Checks on a file before a reader touches it: refuse what would crash, hang or exhaust memory.


Spreadsheets arrive by e-mail from many hands. Before calamine or openpyxl opens a workbook,
:func:`check_file` makes sure that

* the file is not empty and is what its name says: an ``.xlsx``/``.xlsm`` is a zip archive; an
  OLE container in its place is a password-protected workbook (Excel encrypts into one) or an
  old ``.xls`` renamed; a workbook or an OLE file named ``.csv`` is refused too (here);
* the archive is whole (its directory readable), holds no zip bomb and no XML part declares
  a document type or entities (``guard_archive``);
* no sheet places a cell so far out that the reader would build a grid of billions of empty
  cells, and no text is longer than a cell holds (``guard_cells``).

Each refusal is a :class:`~egov_cli.core.errors.FileError` naming the file and the reason.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from egov_cli.core.errors import FileError
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.imports.reading.guard_archive import check_declarations, check_sizes
from egov_cli.imports.reading.guard_cells import (
    PieceSink,
    check_sheet,
    check_strings,
)
from egov_cli.values import display as formats

__all__ = ["SheetTee", "check_file"]

ZIP_SIGNATURE = b"PK\x03\x04"
EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

#: Largest CSV/text file (it is read into memory whole).
MAX_TEXT_BYTES = 256 << 20

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
_CFB_SCAN_BYTES = 32 << 20


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
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=os_reason(exc))
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
            check_sizes(path, members)
            for info in members:
                name = info.filename.lower()
                if name.endswith((".xml", ".rels", ".vml")):
                    check_declarations(path, archive, info)
            for info in members:
                name = info.filename.lower()
                if name.endswith("sharedstrings.xml"):
                    check_strings(path, archive, info)
            for info in members:
                name = info.filename.lower()
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    check_sheet(path, archive, info, tee(archive, info) if tee else None)
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
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=os_reason(exc))
        ) from exc
