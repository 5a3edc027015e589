"""Reading CSV and text files as German Excel and other programs write them.

Encoding: UTF-8 with or without BOM, else cp1252 (what Excel on Windows writes), else latin-1;
``--encoding`` overrides. Delimiter: ``;`` (German Excel), ``,`` or tab, detected from the first
lines (``--delimiter`` overrides).

Text the CSV export neutralised against formula injection (``'=SUMME(...)``, ``'-Test``) comes
back without that one apostrophe (:func:`egov_cli.values.cellsafety.restore`), so an exported CSV
imports back unchanged.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from egov_cli.core.errors import FileError, InputRejected, Problem
from egov_cli.core.files import shown_name
from egov_cli.core.os_reason import os_reason
from egov_cli.i18n import _
from egov_cli.imports.reading.guard_cells import MAX_CELL_CHARS, MAX_COLUMNS
from egov_cli.imports.reading.xlsx import SheetData
from egov_cli.values import display
from egov_cli.values.cellsafety import PREFIX, restore

DELIMITERS = (";", ",", "\t")

_NAMED = {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ",", "pipe": "|"}


def decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """(text, encoding used)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise FileError(
                _("Unknown encoding {encoding!r}.").format(encoding=encoding),
                _("Use e.g. utf-8, cp1252 or latin-1."),
            ) from exc
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise FileError(
                _("{file} is not valid {encoding}: byte {byte} at position {position}.").format(
                    file=name, encoding=encoding, byte=f"{data[exc.start]:#04x}", position=exc.start
                ),
                _("Leave out --encoding to let egov detect it, or save the file as UTF-8."),
            ) from exc
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for candidate in ("utf-8", "cp1252"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most even, columns."""
    lines = [line for line in text.splitlines()[:50] if line.strip()][:20]
    best, best_score = ";", -1.0
    for delimiter in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        widths = [len(r) for r in rows if len(r) > 1]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = widths.count(common) * 1000 + common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _too_wide(name: str, row: int, cells: int) -> InputRejected:
    return InputRejected(
        [
            Problem(
                _(
                    "the row has {cells} cells; a sheet has at most {limit} columns (Excel's limit)"
                ).format(cells=display.number(cells), limit=display.number(MAX_COLUMNS)),
                file=name,
                row=row,
                hint=_(
                    "Check the delimiter (--delimiter) and remove the empty cells at the end "
                    "of the row."
                ),
            )
        ]
    )


def read_csv(path: Path, encoding: str | None, delimiter: str | None) -> SheetData:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FileError(
            _("{file} cannot be read: {reason}.").format(file=path.name, reason=os_reason(exc))
        ) from exc
    text, _used = decode(data, encoding, path.name)
    if delimiter:
        delimiter = _NAMED.get(delimiter.lower(), delimiter)
        if len(delimiter) != 1:
            raise FileError(
                _("--delimiter {value!r} is not a single character.").format(value=delimiter),
                _("Use ; or , or tab."),
            )
    else:
        delimiter = sniff_delimiter(text[:65536])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    prefixed = PREFIX in text
    name = shown_name(path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(reader, start=1):
                if len(cells) > MAX_COLUMNS:  # refused as it is read, before it is looked at
                    raise _too_wide(name, number, len(cells))
                if prefixed:
                    cells = [restore(c) if c[:1] == PREFIX else c for c in cells]
                yield number, cells
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InputRejected(
                    [
                        Problem(
                            _(
                                "a cell holds more than {count} characters; at most {limit} "
                                "are allowed (Excel's limit)"
                            ).format(
                                count=display.number(csv.field_size_limit()),
                                limit=display.number(MAX_CELL_CHARS),
                            ),
                            file=name,
                            row=reader.line_num,
                            hint=_(
                                "Shorten the text in that line, or check the quoting (a quote "
                                "that is never closed makes the rest of the file one cell)."
                            ),
                        )
                    ]
                ) from None
            raise FileError(
                _("{file}, line {line}: {reason}.").format(
                    file=path.name, line=reader.line_num, reason=exc
                ),
                _("Check the quoting in that line (a quote that is never closed?)."),
            ) from exc

    return SheetData("", rows(), text.count("\n") + 1)
