"""Finding the header row of a sheet, and the errors where there is none.

:func:`locate_header` takes the first rows of a sheet and returns the header row egov chose
(``--header-row`` where given) and how its cells match the columns (``headers``);
:func:`no_header` is the error that names the file, the sheet and what to try.
"""

from __future__ import annotations

from typing import Any

from egov_cli.core.errors import FileError
from egov_cli.i18n import _
from egov_cli.imports.reading.headers import (
    HEADER_SEARCH_ROWS,
    HeaderMatch,
    find_header,
    match_cells,
)
from egov_cli.imports.reading.types import ReadOptions


def locate_header(
    file_name: str,
    sheet: str | None,
    head: list[tuple[int, list[Any]]] | list[list[Any]],
    options: ReadOptions,
) -> tuple[int, HeaderMatch] | None:
    """(1-based header row, match) or None where no row looks like a header."""
    rows = [item[1] if isinstance(item, tuple) else item for item in head]
    if options.header_row is not None:
        index = options.header_row - 1
        if index >= len(rows):
            where = _where(file_name, sheet)
            raise FileError(
                _("{where} has no row {row}.").format(where=where, row=options.header_row),
                _("Check --header-row (rows are counted as Excel shows them, from 1)."),
            )
        match = match_cells(rows[index], options.mapping, rows[index + 1 :])
        if not match.columns:
            return None
        return options.header_row, match
    found = find_header(rows, options.mapping)
    return None if found is None else (found[0] + 1, found[1])


def no_header(
    file_name: str, sheet: str | None, options: ReadOptions, sheets: list[str] | None = None
) -> FileError:
    where = _where(file_name, sheet)
    if options.header_row is not None:
        return FileError(
            _("{where}: row {row} names no column egov knows.").format(
                where=where, row=options.header_row
            ),
            _(
                'Map its headers with --map "Header=field" (see egov import --describe-format), '
                "or choose another row with --header-row N."
            ),
        )
    message = _("{where}: no header row found in the first {count} rows.").format(
        where=where, count=HEADER_SEARCH_ROWS
    )
    if sheets:
        message = _(
            "{where}: no header row found in the first {count} rows (sheets searched: {sheets})."
        ).format(where=where, count=HEADER_SEARCH_ROWS, sheets=", ".join(repr(s) for s in sheets))
    return FileError(
        message,
        _(
            "The header row must name at least two columns (e.g. LeiKa-Schlüssel, Leistung). "
            'Map other headers with --map "Header=field", name the row with --header-row N '
            "or the sheet with --sheet NAME; egov import --describe-format lists the columns."
        ),
    )


def _where(file_name: str, sheet: str | None) -> str:
    """``file.xlsx, sheet 'Leistungen'`` (or the file alone)."""
    if not sheet:
        return file_name
    return f"{file_name}, " + _("sheet {sheet!r}").format(sheet=sheet)
