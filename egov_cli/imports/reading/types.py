"""What the readers produce: the recognised columns, the parsed rows and every problem found."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from egov_cli.core.errors import Problem


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file: which sheet and header row, extra header mappings, CSV dialect."""

    sheet: str | None = None  # sheet name (or its 1-based number); default: first recognised
    header_row: int | None = None  # 1-based; default: found below title rows
    mapping: dict[str, str] = field(default_factory=dict)  # header -> schema field
    encoding: str | None = None  # CSV only; default: UTF-8 (with or without BOM), else cp1252
    delimiter: str | None = None  # CSV only; default: detected among ; , tab
    #: a sender's words for term values: field -> folded word -> the catalogue's value
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    base_url: str | None = None  # relative links are joined with it (else left out)


@dataclass(frozen=True)
class ImportColumn:
    """A recognised column: its position in the sheet, its header and the schema field, why
    (``--map``, ``name``, ``similar name``, ``content``) and how sure (0-1)."""

    index: int  # 0-based position within the row's cells
    header: str
    field: str
    reason: str = "name"
    confidence: float = 1.0


@dataclass(frozen=True)
class ColumnMapping:
    """What became of one column of the file: the field it is imported as (None where it is
    not imported), why, how sure, and the fields it may be where it is not imported."""

    index: int  # 0-based position within the row's cells
    header: str
    field: str | None
    reason: str
    confidence: float
    candidates: tuple[str, ...] = ()
    #: the ``--map`` that would import a column that is not imported (None for the others)
    map_hint: str | None = dataclasses.field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.field is None:
            target = self.candidates[0] if self.candidates else "FIELD"
            object.__setattr__(self, "map_hint", f'--map "{self.header}={target}"')


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


class RawCells:
    """The cells of a sheet's data rows as read, kept column by column (the cell objects are
    mostly the parsed values themselves), so that any row can be given back as read (for the
    rejects file) without keeping a list per row alive."""

    def __init__(
        self, numbers: list[int], columns: list[Sequence[Any]], lengths: list[int] | None
    ) -> None:
        self.numbers = numbers
        self.columns = columns
        self.lengths = lengths  # each row's length where rows differ (CSV); else None
        self._position: dict[int, int] | None = None

    def row(self, number: int) -> list[Any]:
        """The cells of row ``number`` as read ([] for a row that is not a data row)."""
        if self._position is None:
            self._position = {n: i for i, n in enumerate(self.numbers)}
        position = self._position.get(number)
        if position is None:
            return []
        cells = [column[position] for column in self.columns]
        if self.lengths is not None:
            del cells[self.lengths[position] :]
        return cells


@dataclass
class ImportFile:
    """A read file: nothing here has touched the catalogue.

    The valid rows are kept column by column: ``numbers`` are their row numbers in the file,
    ``values`` maps every recognised field to its clean values (None where the cell is blank),
    aligned with ``numbers``. :attr:`rows` gives the same rows one by one.
    """

    file_name: str
    sha256: str
    sheet: str | None
    header_row: int
    headers: list[str]  # the header row's cells as text (for the rejects file)
    columns: list[ImportColumn]
    unknown_headers: list[str]
    numbers: list[int]
    values: dict[str, list[Any]]
    problems: list[Problem]
    #: cells of rows with problems, by row number (for the rejects file)
    rejected_raw: dict[int, list[Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    data_rows: int = 0  # non-blank rows below the header
    raw: RawCells | None = None  # every data row's cells as read
    #: every column of the file and what became of it (field, why, how sure; or the --map
    #: that would take it), in the file's order
    column_map: list[ColumnMapping] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    @property
    def rows(self) -> list[ParsedRow]:
        """The valid rows one by one (values by field, cells as read)."""
        names = list(self.values)
        raw = self.raw
        return [
            ParsedRow(
                number, dict(zip(names, row_values, strict=True)), raw.row(number) if raw else []
            )
            for number, row_values in zip(
                self.numbers,
                zip(*self.values.values(), strict=True) if names else [()] * len(self.numbers),
                strict=True,
            )
        ]

    def raw_row(self, number: int) -> list[Any]:
        """The cells of row ``number`` as read."""
        if number in self.rejected_raw:
            return self.rejected_raw[number]
        return self.raw.row(number) if self.raw is not None else []
