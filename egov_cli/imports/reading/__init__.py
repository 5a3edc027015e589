"""Reading spreadsheets for ``egov import``: pure functions, the catalogue is never touched.

:func:`read_file` finds the sheet and its header row, matches the headers to the column schema
(``egov_cli.core.schema``), parses every cell and returns an :class:`ImportFile` with the valid rows
and every problem, located by file, sheet, row, column and value. It runs in three steps:
:func:`check_input` refuses files that are missing or unsafe to read, :func:`open_file` reads
the cells and finds the header (no catalogue needed, so the import can run it while it opens
the catalogue), :meth:`OpenedFile.parse` parses the rows against the catalogue's maturity
scale.

The steps live in modules of their own: ``guard`` (refusing unsafe files), ``header_row`` and
``headers`` (the header row and its columns), ``parse`` and ``parts`` (the data rows, column by
column), with the cells' parsing in ``rows`` and ``senders``.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core.errors import FileError
from egov_cli.core.files import shown_name
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.imports.reading.guard import check_file
from egov_cli.imports.reading.halves import (
    SPLIT_MIN_BYTES,
    Halves,
    HalvesWriter,
    remove_stale_folders,
    worth_splitting,
)
from egov_cli.imports.reading.header_row import locate_header, no_header
from egov_cli.imports.reading.headers import HEADER_SEARCH_ROWS, HeaderMatch
from egov_cli.imports.reading.parse import read_rows
from egov_cli.imports.reading.types import (
    ImportColumn,
    ImportFile,
    ParsedRow,
    ReadOptions,
)
from egov_cli.imports.reading.xlsx import SheetData, sheet_parts

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

__all__ = [
    "CheckedFile",
    "ImportColumn",
    "ImportFile",
    "OpenedFile",
    "ParsedRow",
    "ReadOptions",
    "check_input",
    "open_file",
    "read_file",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class OpenedFile:
    """A checked file whose sheet and header row are found: what is left is parsing its rows,
    which needs the catalogue's maturity scale (:meth:`parse`)."""

    file_name: str
    sha256: str
    sheet: SheetData
    head: list[tuple[int, list[Any]]]
    header: tuple[int, HeaderMatch]
    close: Callable[[], None]
    options: ReadOptions = field(default_factory=ReadOptions)

    def parse(self, scale: Scale, progress: Callable[[int], None] | None = None) -> ImportFile:
        """Parse and check every data row (row problems are in ``problems``)."""
        try:
            return read_rows(
                self.file_name,
                self.sha256,
                self.sheet,
                self.head,
                self.header,
                scale,
                progress,
                self.options,
            )
        finally:
            self.close()


def read_file(
    path: Path,
    scale: Scale,
    options: ReadOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportFile:
    """Read and check a spreadsheet. Raises FileError/InputRejected for file-level problems
    (unreadable file, no such sheet, no header); row problems are in ``problems``."""
    return open_file(check_input(path), options).parse(scale, progress)


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check_input` (only that function makes one)."""

    path: Path
    suffix: str
    #: large sheets (by part name) written in halves while checked; the first
    #: :func:`open_file` reads the sheet it needs from them and removes them all
    halves: dict[str, Halves] = field(default_factory=dict)


def check_input(path: Path, split_min_bytes: int = SPLIT_MIN_BYTES) -> CheckedFile:
    """Refuse (FileError) a missing file, an unknown kind of file, and one that would be unsafe
    to read: empty, disguised, damaged, bomb-like (see ``guard``). A workbook's sheets of at
    least ``split_min_bytes`` (unpacked) are written in halves on the way (see ``halves``)."""
    path = Path(path)
    remove_stale_folders()  # the halves of an import that was killed
    if not path.is_file():
        raise FileError(
            _("No file {path!r}.").format(path=str(path)),
            _("Check the path (quote it if it contains spaces)."),
        )
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise FileError(
            _("{file}: egov imports .xlsx, .xlsm and .csv files (also .xls, .ods, .txt).").format(
                file=path.name
            ),
            _("Save the file from Excel as .xlsx or as CSV."),
        )
    writers: list[HalvesWriter] = []

    def tee(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> HalvesWriter | None:
        if suffix not in (".xlsx", ".xlsm") or not worth_splitting(info.file_size, split_min_bytes):
            return None
        parts = sheet_parts(archive)
        if info.filename not in parts:
            return None  # a part no sheet of the workbook names: never read
        number = parts.index(info.filename)
        try:
            writers.append(HalvesWriter(archive, info, number))
        except OSError:
            return None  # no room for the halves: the sheet is read whole
        return writers[-1]

    halves: dict[str, Halves] = {}
    try:
        check_file(path, tee)
        for writer in writers:
            done = writer.finish()
            if done is not None:
                halves[done.part] = done
    except BaseException:
        for writer in writers:
            writer.abandon()
        raise
    return CheckedFile(path, suffix, halves)


def open_file(checked: CheckedFile, options: ReadOptions | None = None) -> OpenedFile:
    """Read a checked file's cells and find the sheet and header row: the slow part of reading,
    which needs nothing from the catalogue (the reader works outside the interpreter, so a
    command can run this on a thread). Raises FileError/InputRejected for file-level problems."""
    options = options or ReadOptions()
    path, suffix = checked.path, checked.suffix
    try:
        sha = file_sha256(path)
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=os_reason(exc))
        ) from exc
    if suffix in TEXT_SUFFIXES:
        from egov_cli.imports.reading.csv_reader import read_csv

        data = read_csv(path, options.encoding, options.delimiter)
        head = _take(data, options)
        found = locate_header(path.name, None, head, options)
        if found is None:
            raise no_header(path.name, None, options)
        return OpenedFile(
            shown_name(path), sha, data, head, found, close=lambda: None, options=options
        )

    halves = dict(checked.halves)
    checked.halves.clear()  # read once: another attempt reads the file itself
    try:
        return _open_workbook(path, sha, options, halves)
    finally:
        for unused in halves.values():
            unused.remove()


def _open_workbook(
    path: Path, sha: str, options: ReadOptions, halves: dict[str, Halves]
) -> OpenedFile:
    from egov_cli.imports.reading.xlsx import Workbook

    book = Workbook(path, halves)
    try:
        names = _sheet_candidates(book.sheet_names, options.sheet, path.name)
        for name in names:
            data = book.sheet(name)
            head = _take(data, options)
            found = locate_header(path.name, name, head, options)
            if found is None:
                if options.sheet is not None:
                    raise no_header(path.name, name, options)
                continue
            data.scan_formulas = partial(book.scan_formulas, data)
            # The book stays open until the rows are parsed (openpyxl reads them lazily).
            return OpenedFile(
                shown_name(path), sha, data, head, found, close=book.close, options=options
            )
        raise no_header(path.name, None, options, sheets=book.sheet_names)
    except BaseException:
        book.close()
        raise


def _take(data: SheetData, options: ReadOptions) -> list[tuple[int, list[Any]]]:
    """The first rows of a sheet (consumed from its iterator), for finding the header."""
    wanted = max(HEADER_SEARCH_ROWS, options.header_row or 0)
    head = list(islice(data.rows, wanted))
    if len(head) < wanted and data.rest is not None:  # the rows to search reach the rest
        data.rows = data.all_rows()
        head.extend(islice(data.rows, wanted - len(head)))
    return head


def _sheet_candidates(names: list[str], wanted: str | None, file_name: str) -> list[str]:
    if wanted is None:
        return names
    if wanted in names:
        return [wanted]
    lowered = {n.strip().lower(): n for n in names}
    if wanted.strip().lower() in lowered:
        return [lowered[wanted.strip().lower()]]
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return [names[int(wanted) - 1]]
    raise FileError(
        _("{file} has no sheet {sheet!r}.").format(file=file_name, sheet=wanted),
        _("Sheets: {sheets}. Choose one with --sheet NAME.").format(
            sheets=", ".join(repr(n) for n in names)
        ),
    )
