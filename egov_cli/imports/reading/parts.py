"""The data rows of a sheet parsed column by column, a part of the sheet at a time.

:func:`parse_part` takes data rows (row number, cells), leaves out blank ones and converts
each recognised column in one go (a sender's words translated first, see ``senders``);
:func:`joined_parts` joins the parts of a sheet read in halves as if it had been read whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, zip_longest
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError
from egov_cli.imports.reading.headers import HeaderMatch
from egov_cli.imports.reading.rows import is_blank_row, parse_column
from egov_cli.imports.reading.senders import translate
from egov_cli.imports.reading.types import ReadOptions

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

PROGRESS_STEP = 2000


def _columns(rows: list[list[Any]], width: int | None) -> list[Sequence[Any]]:
    """The rows' cells column by column; ``width`` where every row has that many cells, else
    None (short rows are filled with blanks)."""
    if width is None:
        return list(zip_longest(*rows, fillvalue=""))
    # All cells in one list, read off with a stride: several times quicker than zip(*rows),
    # which steps through one iterator per row for every column.
    cells = list(chain.from_iterable(rows))
    return [cells[column::width] for column in range(width)]


@dataclass
class Part:
    """Data rows of a sheet parsed column by column: their numbers, their cells as read (one
    sequence per column of the sheet, from A), each row's length where the rows differ, and
    per recognised column the clean values and the (position, error) pairs."""

    numbers: list[int]
    cells: list[Sequence[Any]]
    lengths: list[int] | None
    clean: list[list[Any]]
    errors: list[list[tuple[int, ValidationError]]]
    #: relative links left out for want of --base-url: (row number, header, link)
    left_out: list[tuple[int, str, str]] = field(default_factory=list)
    #: lists written out in free text, taken as their items: (row number, header)
    joined_lists: list[tuple[int, str]] = field(default_factory=list)


def parse_part(
    items: Iterator[tuple[int, list[Any]]],
    match: HeaderMatch,
    scale: Scale,
    progress: Callable[[int], None] | None,
    options: ReadOptions,
) -> Part:
    """Parse the data rows ``items`` (row number, cells), blank rows left out."""
    body: list[list[Any]] = []
    numbers: list[int] = []
    while chunk := list(islice(items, PROGRESS_STEP)):  # a stretch at a time: the progress bar
        # Quick test first: a row's first cell is nearly always filled.
        kept = [
            item
            for item in chunk
            if (
                (first := item[1][0] if item[1] else None) is not None
                and (type(first) is not str or first.strip() != "")
            )
            or not is_blank_row(item[1])
        ]
        numbers.extend([number for number, _cells in kept])
        body.extend([cells for _number, cells in kept])
        if progress is not None:
            progress(len(chunk))
    lengths = list(map(len, body))
    uniform = not lengths or min(lengths) == max(lengths)
    cells = _columns(body, lengths[0] if uniform and lengths else None)
    del body
    blank_column: Sequence[Any] = ("",) * len(numbers)
    clean: list[list[Any]] = []
    errors: list[list[tuple[int, ValidationError]]] = []
    left_out: list[tuple[int, str, str]] = []
    joined_lists: list[tuple[int, str]] = []
    for column in match.columns:
        index = column.index
        column_cells = cells[index] if index < len(cells) else blank_column
        described = schema.BY_FIELD[column.field]
        translated = translate(
            described, column_cells, options.value_map.get(column.field), options.base_url
        )
        values, column_errors = parse_column(described, translated.cells, scale)
        if translated.errors:
            refused = {position for position, _exc in translated.errors}
            column_errors = [
                *translated.errors,
                *((p, exc) for p, exc in column_errors if p not in refused),
            ]
            for position in refused:
                values[position] = None
        left_out.extend(
            (numbers[p], column.header, str(column_cells[p]).strip()) for p in translated.left_out
        )
        joined_lists.extend((numbers[p], column.header) for p in translated.joined)
        clean.append(values)
        errors.append(column_errors)
    return Part(numbers, cells, None if uniform else lengths, clean, errors, left_out, joined_lists)


def joined_parts(parts: list[Part]) -> Part:
    """The parts as one (positions counted over all of them): a part narrower than another
    has its cells filled with blanks, as the whole sheet reads."""
    first = parts[0]
    if len(parts) == 1:
        return first
    width = max(len(part.cells) for part in parts)
    numbers: list[int] = []
    cells: list[list[Any]] = [[] for _ in range(width)]
    lengths: list[int] | None = None
    if any(part.lengths is not None for part in parts):
        lengths = []
    clean: list[list[Any]] = [[] for _ in first.clean]
    errors: list[list[tuple[int, ValidationError]]] = [[] for _ in first.errors]
    left_out: list[tuple[int, str, str]] = []
    joined_lists: list[tuple[int, str]] = []
    for part in parts:
        left_out.extend(part.left_out)
        joined_lists.extend(part.joined_lists)
        offset = len(numbers)
        count = len(part.numbers)
        numbers.extend(part.numbers)
        for index, column in enumerate(cells):
            column.extend(part.cells[index] if index < len(part.cells) else ("",) * count)
        if lengths is not None:
            lengths.extend(part.lengths or [len(part.cells)] * count)
        for joined, values in zip(clean, part.clean, strict=True):
            joined.extend(values)
        for joined_errors, found in zip(errors, part.errors, strict=True):
            joined_errors.extend((position + offset, exc) for position, exc in found)
        part.cells, part.clean = [], []  # let go of each part's lists as they are taken
    return Part(numbers, [*cells], lengths, clean, errors, left_out, joined_lists)
