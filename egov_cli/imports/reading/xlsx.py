"""Reading workbooks (.xlsx, .xlsm, also .xls and .ods) with python-calamine.

calamine is fast but does not tell formulas from values: a formula cell whose result was never
saved (files written by scripts rather than by Excel) reads as blank. The sheet's XML is scanned
for such cells; the scan skips every stretch of XML without a formula, so a workbook without
formulas costs one pass over the compressed sheet. openpyxl (read-only, with defusedxml) is
used only where calamine cannot open a file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from itertools import chain
from pathlib import Path
from typing import Any

from egov_cli.core.errors import FileError
from egov_cli.i18n import _
from egov_cli.imports.reading.halves import Halves, read_halves

_CHUNK = 1 << 20
_QUICK_CHUNK = 4 << 20
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)


@dataclass
class SheetData:
    """One sheet: its name, its rows (1-based row number, cells) and cells needing a word."""

    name: str
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None
    #: (row, 0-based column) -> formula text, for formula cells without a saved result
    formulas_without_value: dict[tuple[int, int], str] = field(default_factory=dict)
    column_offset: int = 0  # the sheet's first used column (cells start there)
    #: fills ``formulas_without_value`` (a pass over the sheet's XML): a formula without a saved
    #: result reads as a blank cell, so it is called only where a recognised column has one
    scan_formulas: Callable[[], None] | None = None
    #: the rows after ``rows`` that are still being read (a sheet read in halves: the second
    #: half's), called once ``rows`` are used up
    rest: Callable[[], Iterator[tuple[int, list[Any]]]] | None = None

    def all_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """``rows``, then the ``rest`` (waited for when reached); the rest is taken over."""
        rest, self.rest = self.rest, None

        def later() -> Iterator[tuple[int, list[Any]]]:
            if rest is not None:
                yield from rest()

        return chain(self.rows, later())


def column_index(letters: str) -> int:
    """0-based column number of ``A``, ``Z``, ``AA`` ..."""
    number = 0
    for ch in letters:
        number = number * 26 + (ord(ch) - 64)
    return number - 1


def column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Workbook:
    """An open workbook; ``sheet(name)`` reads one sheet (from its halves where the guard wrote
    them, see ``halves``)."""

    def __init__(self, path: Path, halves: dict[str, Halves] | None = None):
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        self.path = path
        self._halves = halves or {}
        self._used: list[Halves] = []  # removed on close (once read, at the latest)
        self._openpyxl: Any = None
        try:
            self._book: Any = CalamineWorkbook.from_path(str(path))
            self.sheet_names: list[str] = list(self._book.sheet_names)
        except PasswordError as exc:
            raise FileError(
                _("{file}: the workbook is password-protected.").format(file=path.name),
                _("Save a copy without a password and import that."),
            ) from exc
        except (CalamineError, OSError, ValueError) as exc:
            self._book = None
            self.sheet_names = self._open_with_openpyxl(exc)

    def _open_with_openpyxl(self, cause: Exception) -> list[str]:
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise FileError(
                _("{file} cannot be read as a spreadsheet: {reason}").format(
                    file=self.path.name, reason=cause
                ),
                _("Save it from Excel as .xlsx (or as CSV) and import that."),
            ) from cause
        import defusedxml  # noqa: F401  (openpyxl uses it when installed)
        from openpyxl import load_workbook

        try:
            self._openpyxl = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileError(
                _("{file} cannot be read as a workbook: {reason}").format(
                    file=self.path.name, reason=exc
                ),
                _("Open it in Excel, save it as .xlsx and import that copy."),
            ) from exc
        return list(self._openpyxl.sheetnames)

    def sheet(self, name: str) -> SheetData:
        """A sheet's rows (read lazily from calamine's parsed sheet)."""
        if self._book is None:
            return self._openpyxl_sheet(name)
        number = self.sheet_names.index(name)
        halves = next((h for h in self._halves.values() if h.number == number), None)
        if halves is not None:
            del self._halves[halves.part]  # removed by this workbook: read on when returned
            self._used.append(halves)
            top, rest = read_halves(halves, name)
            return SheetData(name, iter(enumerate(top, start=1)), None, rest=rest)
        # One call into calamine for all cells (from A1, so positions are columns).
        cells = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return SheetData(name, iter(enumerate(cells, start=1)), len(cells))

    def scan_formulas(self, data: SheetData) -> None:
        """Note the sheet's formula cells without a saved result (xlsx/xlsm only)."""
        if self._book is None or self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return
        found = formulas_without_value(self.path, self.sheet_names.index(data.name))
        data.formulas_without_value = {
            (row, col - data.column_offset): text for (row, col), text in found.items()
        }

    def _openpyxl_sheet(self, name: str) -> SheetData:
        ws = self._openpyxl[name]

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, ["" if v is None else v for v in values]

        return SheetData(name, rows(), ws.max_row)

    def close(self) -> None:
        for halves in self._used:
            halves.remove()
        if self._book is not None:
            self._book.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The zip member holding the ``index``-th sheet (workbook order)."""
    parts = sheet_parts(archive)
    return parts[index] if index < len(parts) else None


def sheet_parts(archive: zipfile.ZipFile) -> list[str | None]:
    """The zip members holding the sheets, in workbook order (None: not found)."""
    from defusedxml import ElementTree

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets: dict[str | None, str] = {}
    for rel in rels:
        targets.setdefault(rel.get("Id"), rel.get("Target") or "")
    parts: list[str | None] = []
    for sheet in book.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"))
        if target is None:
            parts.append(None)
        elif target.startswith("/"):
            parts.append(target.lstrip("/"))
        else:
            parts.append(posixpath.normpath(posixpath.join("xl", target)))
    return parts


def _may_hold_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """False where the sheet's XML holds no formula element at all (one quick pass)."""
    previous = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_QUICK_CHUNK):
            if b"<f" in chunk or b":f" in chunk:
                return True
            if previous + chunk[:1] in (b"<f", b":f"):  # across the two chunks
                return True
            previous = chunk[-1:]
    return False


def formulas_without_value(path: Path, index: int) -> dict[tuple[int, int], str]:
    """(1-based row, 0-based column) -> formula, for formula cells with no saved result.

    A formula whose result is the empty text (``t="str"`` with an empty value) has a result.
    """
    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, index)
            if part is None or not _may_hold_formulas(archive, part):
                return found
            with archive.open(part) as stream:
                rest = b""
                while True:
                    chunk = stream.read(_CHUNK)
                    buffer = rest + chunk
                    if not chunk:
                        _scan(buffer, found)
                        break
                    cut = buffer.rfind(b"</row>")
                    if cut < 0:
                        rest = buffer
                        continue
                    cut += len(b"</row>")
                    _scan(buffer[:cut], found)
                    rest = buffer[cut:]
    except (zipfile.BadZipFile, KeyError, OSError):
        return found
    return found


def _scan(piece: bytes, found: dict[tuple[int, int], str]) -> None:
    if b"<f" not in piece and b":f" not in piece:  # quick: most stretches hold no formula
        return
    if not _FORMULA.search(piece):
        return
    for match in _CELL.finditer(piece):
        inner = match.group(2)
        if not inner or not _FORMULA.search(inner):
            continue
        value = _VALUE.search(inner)
        if value is not None and value.group(1):
            continue
        attrs = match.group(1)
        kind = _TYPE.search(attrs)
        if value is not None and kind is not None and kind.group(1) == b"str":
            continue  # a formula whose saved result is empty text
        ref = _REF.search(attrs)
        if ref is None:
            continue
        formula = _FORMULA_TEXT.search(inner)
        text = (formula.group(1) or b"").decode("utf-8", "replace") if formula else ""
        found[(int(ref.group(2)), column_index(ref.group(1).decode()))] = "=" + unescape(text)
