"""Writing the rejected rows of an import back to a workbook the sender can fix and resend.

Nothing is lost: a workbook cell holds at most 32,767 characters, so where a rejected row has a
longer cell, the rows are also written, exactly, to a CSV file beside the workbook (same name,
``.csv``; UTF-8 with BOM and ``;``, as Excel opens it), and the workbook's cell says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from egov_cli.core.errors import FileError
from egov_cli.core.files import GuardedFile, atomic_path
from egov_cli.i18n import _

ERROR_HEADER = "Fehler"
#: The most characters a workbook cell holds.
CELL_LIMIT = 32_767


def write_rejects(
    path: Path, headers: Sequence[str], rows: Sequence[tuple[Sequence[Any], str]]
) -> Path | None:
    """Write ``rows`` (cells as read, error text) under ``headers`` plus an error column; the
    CSV file written beside it where a cell is too long for a workbook (else None).

    Each file appears complete or not at all: it is written under a temporary name in the same
    folder and then renamed.
    """
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(
            _("No folder {folder!r} for the rejects file.").format(folder=str(folder)),
            _("Create it first."),
        )
    too_long = any(
        isinstance(value, str) and len(value) > CELL_LIMIT for cells, _e in rows for value in cells
    )
    beside = path.with_suffix(".csv") if too_long else None
    if beside is not None:
        _write_csv(beside, headers, rows)
    with atomic_path(path) as temp_name:
        # Through a guarded file: a full disk gives one message, no traceback after it.
        target = GuardedFile(temp_name)
        try:
            _write_book(
                xlsxwriter.Workbook(target, {"strings_to_numbers": False}), headers, rows, beside
            )
        except FileCreateError:
            if target.error is None:
                raise
        finally:
            target.close()
        if target.error is not None:
            raise target.error  # described, and the temporary file removed, by atomic_path
    return beside


def _write_book(
    book: Any,
    headers: Sequence[str],
    rows: Sequence[tuple[Sequence[Any], str]],
    beside: Path | None,
) -> None:
    """The sheet of rejected rows: cells as read (cut where too long: ``beside`` has them
    whole), the error text in a last column."""
    sheet = book.add_worksheet("Abgelehnt")
    bold = book.add_format({"bold": True})
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    stamp_format = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
    width = max([len(headers), *(len(cells) for cells, _e in rows)])
    names = [*headers, *[""] * (width - len(headers))]
    for col, header in enumerate([*names, ERROR_HEADER]):
        sheet.write_string(0, col, header, bold)
    for number, (cells, error) in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(number, col, value, stamp_format)
            elif isinstance(value, date):
                sheet.write_datetime(number, col, value, date_format)
            elif isinstance(value, time | timedelta):
                sheet.write_string(number, col, str(value))
            elif isinstance(value, bool):
                sheet.write_boolean(number, col, value)
            elif isinstance(value, int | float):
                sheet.write_number(number, col, value)
            else:
                text = str(value)
                if len(text) > CELL_LIMIT and beside is not None:
                    text = text[:CELL_LIMIT]
                    error = (
                        f"{error}; {names[col] or 'a cell'}: cut at {CELL_LIMIT:,} characters "
                        f"here, the whole row is in {beside.name}"
                    )
                sheet.write_string(number, col, text)
        sheet.write_string(number, width, error)
    sheet.freeze_panes(1, 0)
    sheet.set_column(width, width, 80)
    book.close()


def _write_csv(
    path: Path, headers: Sequence[str], rows: Sequence[tuple[Sequence[Any], str]]
) -> None:
    """The rejected rows, every cell exactly as read, with the error column, as CSV."""
    import csv

    width = max([len(headers), *(len(cells) for cells, _e in rows)])
    names = [*headers, *[""] * (width - len(headers))]
    with (
        atomic_path(path) as temp_name,
        open(temp_name, "w", encoding="utf-8-sig", newline="") as out,
    ):
        writer = csv.writer(out, delimiter=";")
        writer.writerow([*names, ERROR_HEADER])
        for cells, error in rows:
            shown = ["" if v is None else v for v in cells]
            writer.writerow([*shown, *[""] * (width - len(shown)), error])
