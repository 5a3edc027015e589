"""Service lists as CSV for German Excel: UTF-8 with BOM and ``;`` by default.

Headers come from the column schema, values are what people read (``3 - Online-Leistung``,
``in Umsetzung``, ``ja``, ``31.12.2026``), so the file imports back unchanged. Text that a
spreadsheet program would run as a formula is neutralised with a leading apostrophe
(:mod:`egov_cli.values.cellsafety`); numbers, negative ones included, stay numbers.

Control characters (C0 and C1, but tab, line feed and carriage return) are dropped: a terminal
escape sequence in a service name (``ESC[31m``) must not reach the recipient's terminal or
spreadsheet, and the import refuses them anyway.

With an encoding that cannot hold every character (``cp1252``), the first value that cannot be
written is reported with its row and column; nothing is written then.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import FileError, ValidationError, shown_value
from egov_cli.core.files import atomic_path
from egov_cli.exports.columns import row_converter
from egov_cli.i18n import _

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

DEFAULT_DELIMITER = ";"
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8 with BOM: German Excel then reads umlauts right
STDOUT_ENCODING = "utf-8"  # no BOM in a pipe
#: C0 and C1 control characters but tab, line feed and carriage return (text may hold lines).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def drop_controls(text: str) -> str:
    """``text`` without control characters (tab and line breaks kept)."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def without_controls(rows: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """The stored rows with control characters dropped from their text (the rows themselves
    where none has any). Dropped before the values are converted, so that ``ESC=cmd`` is
    neutralised as the ``=cmd`` it becomes."""
    if not any(CONTROL.search(v) for row in rows for v in row if type(v) is str):
        return rows
    return [tuple(drop_controls(v) if type(v) is str else v for v in row) for row in rows]


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; a ValidationError for an unknown encoding."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise ValidationError(
            _("Unknown encoding {encoding!r}.").format(encoding=encoding),
            _("Use utf-8-sig (the default, for Excel), utf-8 or cp1252."),
        ) from exc


def check_delimiter(delimiter: str) -> str:
    text = {"\\t": "\t", "tab": "\t"}.get(delimiter.lower(), delimiter)
    if len(text) != 1 or text in "\"'\r\n":
        raise ValidationError(
            _("Delimiter {value!r} is not a single character.").format(value=delimiter),
            _("Use ; (the default), , or tab."),
        )
    return text


def csv_rows(
    rows: Sequence[Sequence[Any]], columns: Sequence[schema.Column], scale: Scale, lang: str
) -> list[tuple[Any, ...]]:
    """The rows as CSV cells: people's values, control characters dropped, text neutralised,
    dates as text."""
    return list(map(row_converter(columns, scale, lang, csv=True), without_controls(rows)))


def csv_bytes(
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    *,
    scale: Scale,
    lang: str = "de",
    delimiter: str = DEFAULT_DELIMITER,
    encoding: str = DEFAULT_ENCODING,
    file_label: str = "-",
) -> bytes:
    """The whole CSV file, encoded (built in memory and encoded at once: fast)."""
    headers = [c.header(lang) for c in columns]
    text = _csv_text(headers, columns, rows, scale, lang, delimiter)
    # Headers and delimiters hold no control characters: one search over the whole text tells
    # whether any cell has one (rare); then the rows are cleaned and written again.
    if CONTROL.search(text):
        rows = without_controls(rows)
        text = _csv_text(headers, columns, rows, scale, lang, delimiter)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        cells = csv_rows(rows, columns, scale, lang)
        for line, row in enumerate([headers, *cells], start=1):
            _check_row(row, line, headers, encoding, file_label)
        raise


def _csv_text(
    headers: list[str],
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    scale: Scale,
    lang: str,
    delimiter: str,
) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(map(row_converter(columns, scale, lang, csv=True), rows))
    return buffer.getvalue()


def write_csv_stream(
    stream: IO[str],
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    *,
    scale: Scale,
    lang: str = "de",
    delimiter: str = DEFAULT_DELIMITER,
) -> int:
    """Write header and rows to a text stream; returns the number of rows."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([c.header(lang) for c in columns])
    cells = csv_rows(rows, columns, scale, lang)
    writer.writerows(cells)
    return len(cells)


def _check_row(
    cells: Sequence[Any], line: int, headers: Sequence[str], encoding: str, file_label: str
) -> None:
    try:
        "".join(c for c in cells if isinstance(c, str)).encode(encoding)
    except UnicodeEncodeError:
        for header, cell in zip(headers, cells, strict=True):
            if not isinstance(cell, str):
                continue
            try:
                cell.encode(encoding)
            except UnicodeEncodeError as exc:
                char = cell[exc.start]
                raise FileError(
                    _(
                        "{file}: row {row}, column {column!r}: the character {char!r} ({code}) "
                        "cannot be written in {encoding} (value {value}). Nothing was written."
                    ).format(
                        file=file_label,
                        row=line,
                        column=header,
                        char=char,
                        code=f"U+{ord(char):04X}",
                        encoding=encoding,
                        value=shown_value(cell),
                    ),
                    _(
                        "Write UTF-8 instead (--encoding utf-8-sig, which Excel reads), or "
                        "replace the character in the catalogue."
                    ),
                ) from None
        raise


def write_csv(
    path: Path,
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    *,
    scale: Scale,
    lang: str = "de",
    delimiter: str = DEFAULT_DELIMITER,
    encoding: str = DEFAULT_ENCODING,
) -> int:
    """Write a CSV file atomically; returns the number of rows."""
    path = Path(path)
    data = csv_bytes(
        columns,
        rows,
        scale=scale,
        lang=lang,
        delimiter=delimiter,
        encoding=encoding,
        file_label=str(path),
    )
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return len(rows)


def write_csv_binary(
    binary: IO[bytes],
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    *,
    scale: Scale,
    lang: str = "de",
    delimiter: str = DEFAULT_DELIMITER,
    encoding: str = STDOUT_ENCODING,
) -> int:
    """Write CSV to a binary stream (stdout); returns the number of rows."""
    binary.write(
        csv_bytes(columns, rows, scale=scale, lang=lang, delimiter=delimiter, encoding=encoding)
    )
    binary.flush()
    return len(rows)
