"""What the readers produce: the recognised columns, the parsed rows and every problem found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from egov_cli.errors import Problem


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: which sheet and header row, extra header mappings, CSV dialect."""

    sheet: str | None = None  # sheet name (or its 1-based number); default: first recognised
    header_row: int | None = None  # 1-based; default: found below title rows
    mapping: dict[str, str] = field(default_factory=dict)  # header -> schema field
    encoding: str | None = None  # CSV only; default: UTF-8 (with or without BOM), else cp1252
    delimiter: str | None = None  # CSV only; default: detected among ; , tab


@dataclass(frozen=True)
class ImportColumn:
    """A recognised column: its position in the sheet, its header and the schema field."""

    index: int  # 0-based position within the row's cells
    header: str
    field: str


@dataclass
class ParsedRow:
    """A valid row: its row number in the file, its clean values and its cells as read.

    ``values`` has an entry for every recognised column of the file: None where the cell is
    blank (a blank cell clears the field of an existing service), so a field that is missing
    from ``values`` is one the file has no column for (it is left alone).
    """

    row: int
    values: dict[str, Any]
    raw: list[Any]


@dataclass
class ImportFile:
    """A read file: nothing here has touched the catalogue."""

    file_name: str
    sha256: str
    sheet: str | None
    header_row: int
    headers: list[str]  # the header row's cells as text (for the rejects file)
    columns: list[ImportColumn]
    unknown_headers: list[str]
    rows: list[ParsedRow]
    problems: list[Problem]
    #: cells of rows with problems, by row number (for the rejects file)
    rejected_raw: dict[int, list[Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    data_rows: int = 0  # non-blank rows below the header

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}
