"""Service lists as CSV for German Excel: UTF-8 with BOM and ``;`` by default.

Headers come from the column schema, values are what people read (``3 - Online-Leistung``,
``in Umsetzung``, ``ja``, ``31.12.2026``), so the file imports back unchanged. Text that a
spreadsheet program would run as a formula is neutralised with a leading apostrophe
(:mod:`egov_cli.exporters.safety`); numbers, negative ones included, stay numbers.

With an encoding that cannot hold every character (``cp1252``), the first value that cannot be
written is reported with its row and column; nothing is written then.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from egov_cli import schema
from egov_cli.errors import FileError, ValidationError
from egov_cli.exporters.columns import row_converter
from egov_cli.files import atomic_path

if TYPE_CHECKING:
    from egov_cli.services.scale import Scale

DEFAULT_DELIMITER = ";"
DEFAULT_ENCODING = "utf-8-sig"  # UTF-8 with BOM: German Excel then reads umlauts right
STDOUT_ENCODING = "utf-8"  # no BOM in a pipe


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; a ValidationError for an unknown encoding."""
    try:
        return codecs.lookup(encoding).name
    except LookupError as exc:
        raise ValidationError(
            f"Unknown encoding {encoding!r}.",
            "Use utf-8-sig (the default, for Excel), utf-8 or cp1252.",
        ) from exc


def check_delimiter(delimiter: str) -> str:
    text = {"\\t": "\t", "tab": "\t"}.get(delimiter.lower(), delimiter)
    if len(text) != 1 or text in "\"'\r\n":
        raise ValidationError(
            f"Delimiter {delimiter!r} is not a single character.",
            "Use ; (the default), , or tab.",
        )
    return text


def csv_rows(
    rows: Sequence[Sequence[Any]], columns: Sequence[schema.Column], scale: Scale, lang: str
) -> list[tuple[Any, ...]]:
    """The rows as CSV cells: people's values, text neutralised, dates as text."""
    return list(map(row_converter(columns, scale, lang, csv=True), rows))


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
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    headers = [c.header(lang) for c in columns]
    writer.writerow(headers)
    writer.writerows(map(row_converter(columns, scale, lang, csv=True), rows))
    try:
        return buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        cells = csv_rows(rows, columns, scale, lang)
        for line, row in enumerate([headers, *cells], start=1):
            _check_row(row, line, headers, encoding, file_label)
        raise


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
                    f"{file_label}: row {line}, column {header!r}: the character {char!r} "
                    f"(U+{ord(char):04X}) cannot be written in {encoding} (value {cell!r}). "
                    "Nothing was written.",
                    "Write UTF-8 instead (--encoding utf-8-sig, which Excel reads), or replace "
                    "the character in the catalogue.",
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
