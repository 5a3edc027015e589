"""Reading a large sheet in two halves at once, on two cores.

calamine parses a sheet's XML on one core (about a second for 100,000 rows), outside the
interpreter. The file guard unpacks every sheet once anyway; while it does, a
:class:`HalvesWriter` writes a large sheet's XML into two small workbooks in a temporary
folder (the sheet cut between two rows, the parts stored uncompressed).
:func:`read_halves` reads them on two threads at the same time and puts their rows together:
the rows of the whole sheet, the same values at the same places.

The cut is made only where both halves place every cell as the whole sheet does: before a row
tag with its own row number, inside ``<sheetData>``. The first half
ends after that row (its closing tags added), the second starts with the sheet's own opening
up to ``<sheetData>``. Where no such place is found (a sheet written unusually), no halves are
made and the sheet is read whole.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: Sheets whose XML is smaller than this are read whole (the halves would not pay off).
SPLIT_MIN_BYTES = 16 << 20

_SHEET_DATA = re.compile(rb"<sheetData>")
_ROOT = re.compile(rb"<worksheet[\s>]")
#: A row tag with its own number: the cut is made before it (such a tag stands only between
#: rows; in a cell's text ``<`` is written ``&lt;``).
_CUT = re.compile(rb'<row r="\d')
_FIRST_HALF_END = b"</sheetData></worksheet>"
#: Longest opening of a sheet before ``<sheetData>`` (views, columns, formats) looked through.
_MAX_OPENING_BYTES = 4 << 20


def worth_splitting(size: int, min_bytes: int = SPLIT_MIN_BYTES) -> bool:
    """Whether a sheet part of ``size`` unpacked bytes is read in halves (on two cores)."""
    return size >= min_bytes and (os.cpu_count() or 1) >= 2


@dataclass
class Halves:
    """A sheet part written as two workbooks (in ``folder``, removed by :meth:`remove`)."""

    part: str
    files: tuple[Path, Path]
    folder: Path

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class HalvesWriter:
    """Takes a sheet part's XML piece by piece (each piece ends after a whole tag) and writes
    the two halves; :meth:`finish` returns them, or None where no place for the cut was found.
    """

    def __init__(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        self.part = part.filename
        self._half = part.file_size // 2
        self._folder = Path(tempfile.mkdtemp(prefix="egov-sheet-"))
        self._files = (self._folder / "first.xlsx", self._folder / "second.xlsx")
        self._books: list[zipfile.ZipFile] = []
        self._streams: list[IO[bytes]] = []
        self._opening = b""  # the sheet up to <sheetData> (None: not found in time)
        self._opening_found = False
        self._written = 0
        self._second = False
        self._failed = False
        try:
            for file in self._files:
                book = zipfile.ZipFile(file, "w", zipfile.ZIP_STORED)
                self._books.append(book)
                _copy_other_parts(archive, book, part.filename)
                self._streams.append(book.open(part.filename, "w", force_zip64=True))
        except BaseException:
            self.abandon()
            raise

    def write(self, piece: bytes) -> None:
        if self._failed:
            return
        try:
            self._write(piece)
        except OSError:  # a full disk, say: the sheet is read whole
            self._failed = True

    def _write(self, piece: bytes) -> None:
        if self._second:
            self._streams[1].write(piece)
            return
        if not self._opening_found:
            self._find_opening(piece)
            if self._failed:
                return
        if self._opening_found and self._written + len(piece) >= self._half:
            cut = _CUT.search(piece, max(0, self._half - self._written))
            if cut is not None:
                self._streams[0].write(piece[: cut.start()])
                self._streams[0].write(_FIRST_HALF_END)
                self._streams[1].write(self._opening)
                self._streams[1].write(piece[cut.start() :])
                self._second = True
                return
        self._streams[0].write(piece)
        self._written += len(piece)

    def _find_opening(self, piece: bytes) -> None:
        found = _SHEET_DATA.search(piece)
        if found is None:
            self._opening += piece
            self._failed = len(self._opening) > _MAX_OPENING_BYTES
            return
        opening = self._opening + piece[: found.end()]
        if _ROOT.search(opening) is None:  # a prefixed root element: not cut
            self._failed = True
            return
        self._opening = opening
        self._opening_found = True

    def finish(self) -> Halves | None:
        """The two halves, or None (and nothing left behind) where the sheet was not cut."""
        if self._failed or not self._second:
            self.abandon()
            return None
        self._close()
        return Halves(self.part, self._files, self._folder)

    def abandon(self) -> None:
        """Close and remove what was written."""
        try:
            self._close()
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _close(self) -> None:
        for stream in self._streams:
            stream.close()
        for book in self._books:
            book.close()
        self._streams, self._books = [], []


def _copy_other_parts(archive: zipfile.ZipFile, book: zipfile.ZipFile, part: str) -> None:
    """The workbook's XML parts a reader needs besides the sheet (workbook, relations, styles,
    shared strings ...); other sheets and binary parts (pictures, macros) are left out."""
    for info in archive.infolist():
        name = info.filename
        if name == part or not name.lower().endswith((".xml", ".rels")):
            continue
        if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml"):
            continue
        book.writestr(name, archive.read(info))


def read_halves(halves: Halves, sheet: str) -> list[list[Any]]:
    """The sheet's rows from A1, as calamine reads the whole sheet (``to_python`` without
    skipping the empty area): the halves are read at the same time, the second on a thread."""
    sheets: list[Any] = [None, None]
    errors: list[BaseException] = []

    def load(index: int) -> None:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(halves.files[index]))
            try:
                sheets[index] = book.get_sheet_by_name(sheet)
            finally:
                book.close()
        except BaseException as exc:  # raised again on the calling thread
            errors.append(exc)

    second = threading.Thread(target=load, args=(1,), name="egov-read-second-half")
    second.start()
    load(0)
    second.join()
    if errors:
        raise errors[0]
    top = sheets[0].to_python(skip_empty_area=False)
    sheets[0] = None
    bottom = sheets[1]
    return _joined(top, (bottom.start, bottom.end, bottom.to_python(skip_empty_area=True)))


def _joined(top: list[list[Any]], bottom: tuple[Any, Any, list[list[Any]]]) -> list[list[Any]]:
    """The first half's rows (from A1) and the second's (from its first cell) as one grid."""
    start, end, rows = bottom
    if start is None or end is None:  # no cell in the second half
        return top
    first_row, first_col = start
    width = max(len(top[0]) if top else 0, end[1] + 1)
    if top and len(top[0]) < width:
        more = [""] * (width - len(top[0]))
        for row in top:
            row.extend(more)
    top.extend([""] * width for _ in range(first_row - len(top)))
    left, right = [""] * first_col, [""] * (width - end[1] - 1)
    if left or right:
        rows = [left + row + right for row in rows]
    top.extend(rows)
    return top
