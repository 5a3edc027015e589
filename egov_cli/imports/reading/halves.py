"""Reading a large sheet in two halves at once, on two cores.

calamine parses a sheet's XML on one core (about a second for 100,000 rows), outside the
interpreter. The file guard unpacks every sheet once anyway; while it does, a
:class:`HalvesWriter` writes a large sheet's XML into two small workbooks in a temporary
folder (the sheet cut between two rows, the parts stored uncompressed). Where the guard has
cleared the first half by then, that half is read on a thread at once, while the guard checks
the second. :func:`read_halves` reads the second (and, if not yet begun, the first) at the same
time, each on a thread, and gives the first half's rows as soon as they are read, the second's
when asked for: the same values at the same places (row numbers, columns from A) as the whole
sheet. So the first half's rows are parsed while the second is still being read.

The cut is made only where both halves place every cell as the whole sheet does: before a row
tag with its own row number, inside ``<sheetData>``. The first half ends before that row (its
closing tags added), the second starts with the sheet's own opening up to ``<sheetData>``.
Where no such place is found (a sheet written unusually), no halves are made and the sheet is
read whole; so it is where the temporary folder has no room for the halves (about the size of
the unpacked sheet, removed as soon as both are read). The folder is named for the process that
made it (``egov-sheet-PID-...``): the halves of a process that was killed meanwhile are removed
by the next import (:func:`remove_stale_folders`).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import threading
import time
import weakref
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
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


#: Temporary folders of halves are named ``egov-sheet-PID-RANDOM``.
FOLDER_PREFIX = "egov-sheet-"
#: A folder of an older egov (``egov-sheet-RANDOM``, no process number) is removed once this old.
_UNNAMED_MAX_AGE = 24 * 3600


def remove_stale_folders(folder: Path | None = None) -> None:
    """Remove the halves' folders in the temporary ``folder`` that no running process owns: the
    process named in the folder's name has ended (killed during an import), or, for a folder
    without a process number, it is a day old. Only this user's own folders are touched, never
    a link; a folder that cannot be removed is left."""
    root = Path(folder or tempfile.gettempdir())
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(FOLDER_PREFIX):
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or not _own(
                entry.stat(follow_symlinks=False)
            ):
                continue
            pid, _, rest = entry.name[len(FOLDER_PREFIX) :].partition("-")
            if rest and pid.isascii() and pid.isdigit():
                stale = not _running(int(pid))
            else:
                stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > _UNNAMED_MAX_AGE
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry.path, ignore_errors=True)


def _own(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()


def _running(pid: int) -> bool:
    """Whether the process ``pid`` is running (where that cannot be told: assumed it is)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it runs, as another user
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, but belongs to another user
    return True


def worth_splitting(size: int, min_bytes: int = SPLIT_MIN_BYTES) -> bool:
    """Whether a sheet part of ``size`` unpacked bytes is read in halves (on two cores)."""
    return size >= min_bytes and _cores() >= 2


def _cores() -> int:
    """The cores this process may run on (where the system tells, else all of them)."""
    usable = getattr(os, "sched_getaffinity", None)
    return len(usable(0)) if usable is not None else os.cpu_count() or 1


class _Reading:
    """calamine reading one half's sheet (by name or number) on a thread of its own, and its
    rows (taken into Python there, while the other half is parsed): from A1 (``from_a1``, as
    the whole sheet's), else from the half's first cell, whose place they come with."""

    def __init__(self, file: Path, sheet: int | str, from_a1: bool = True) -> None:
        self._sheet: _Rows | None = None
        self._error: BaseException | None = None
        self._from_a1 = from_a1
        self._thread = threading.Thread(target=self._run, args=(file, sheet), name="egov-read-half")
        self._thread.start()

    def _run(self, file: Path, sheet: int | str) -> None:
        try:
            found = _load(file, sheet)
            if self._from_a1:
                self._sheet = _Rows(found.name, found.to_python(skip_empty_area=False))
            elif found.start is None:  # no cell in this half
                self._sheet = _Rows(found.name, [])
            else:
                first_row, first_col = found.start
                rows = found.to_python(skip_empty_area=True)
                self._sheet = _Rows(found.name, rows, first_row, first_col)
        except BaseException as exc:  # raised again by result()
            self._error = exc

    def wait(self) -> None:
        """Wait until the reading is done (its file is open until then)."""
        self._thread.join()

    def result(self) -> _Rows:
        """The sheet's rows, handed over (not kept here: they are large), or the error of the
        reading."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        sheet, self._sheet = self._sheet, None
        if sheet is None:
            raise LookupError("the half was handed over already")
        return sheet


@dataclass
class _Rows:
    """A half's sheet name and rows; the rows start at (``first_row``, ``first_col``), 0-based."""

    name: str
    rows: list[list[Any]]
    first_row: int = 0
    first_col: int = 0


def _load(file: Path, sheet: int | str) -> Any:
    """A half's sheet as calamine parses it (outside the interpreter)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(file))
    try:
        if isinstance(sheet, int):
            return book.get_sheet_by_index(sheet)
        return book.get_sheet_by_name(sheet)
    finally:
        book.close()


@dataclass
class Halves:
    """A sheet part (the ``number``-th sheet, workbook order) written as two workbooks (in
    ``folder``, removed by :meth:`remove`). ``first``: the first half, already being read
    (where the guard had checked it)."""

    part: str
    number: int
    files: tuple[Path, Path]
    folder: Path
    first: _Reading | None = None
    second: _Reading | None = None

    def __post_init__(self) -> None:
        # Removed too where nobody reads them: once no longer referenced, or at exit.
        self._removal = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def remove(self) -> None:
        for reading in (self.first, self.second):
            if reading is not None:
                reading.wait()  # its file is open until it is read
        self._removal()


class HalvesWriter:
    """Takes a sheet part's XML piece by piece (each piece ends after a whole tag) and writes
    the two halves; :meth:`finish` returns them, or None where no place for the cut was found.
    Where the guard has found the first half safe by the time of the cut, that half is read at
    once (the sheet found by its ``number``, workbook order), while the guard checks the second.
    """

    def __init__(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo, number: int) -> None:
        self.part = part.filename
        self._number = number
        self._first: _Reading | None = None
        self._half = part.file_size // 2
        self._folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        self._files = (self._folder / "first.xlsx", self._folder / "second.xlsx")
        self._books: list[zipfile.ZipFile] = []
        self._streams: list[IO[bytes]] = []
        self._opening = b""  # the sheet's XML up to and including <sheetData>
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

    def write(self, piece: bytes, safe: bool) -> None:
        if self._failed:
            return
        try:
            self._write(piece, safe)
        except OSError:  # a full disk, say: the sheet is read whole
            self._failed = True

    def _write(self, piece: bytes, safe: bool) -> None:
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
                self._streams[0].close()
                self._books[0].close()
                if safe:
                    self._first = _Reading(self._files[0], self._number)
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
        return Halves(self.part, self._number, self._files, self._folder, self._first)

    def abandon(self) -> None:
        """Close and remove what was written."""
        try:
            self._close()
        finally:
            Halves(self.part, self._number, self._files, self._folder, self._first).remove()

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


def read_halves(
    halves: Halves, sheet: str
) -> tuple[list[list[Any]], Callable[[], Iterator[tuple[int, list[Any]]]]]:
    """The first half's rows from A1, as calamine reads the whole sheet (``to_python`` without
    skipping the empty area), and a function that gives the second half's rows (row number,
    cells from column A) once they are read. The halves are read at the same time, each on a
    thread (the first begun already where the guard had cleared it): the first half's rows
    can be used while the second's are still being read. The function removes the halves once
    the second is read; :meth:`Halves.remove` waits for both readings."""
    first = halves.first = halves.first or _Reading(halves.files[0], sheet)
    second = halves.second = _Reading(halves.files[1], sheet, from_a1=False)
    try:
        top = first.result()
        if top.name != sheet:
            raise LookupError(top.name)
        rows = top.rows
    except Exception:  # read early by its number, as another sheet or none: read by name
        rows = _load(halves.files[0], sheet).to_python(skip_empty_area=False)
    return rows, partial(_second_half, halves, second)


def _second_half(halves: Halves, second: _Reading) -> Iterator[tuple[int, list[Any]]]:
    """The second half's rows, numbered as in the sheet, their cells from column A."""
    try:
        bottom = second.result()
    finally:
        halves.remove()
    left = [""] * bottom.first_col
    rows = [left + row for row in bottom.rows] if left else bottom.rows
    return enumerate(rows, start=bottom.first_row + 1)
