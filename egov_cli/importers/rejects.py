"""Writing the rejected rows of an import back to a workbook the sender can fix and resend."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from egov_cli.errors import FileError
from egov_cli.files import atomic_path
from egov_cli.i18n import _

ERROR_HEADER = "Fehler"


def write_rejects(
    path: Path, headers: Sequence[str], rows: Sequence[tuple[Sequence[Any], str]]
) -> None:
    """Write ``rows`` (cells as read, error text) under ``headers`` plus an error column.

    The file appears complete or not at all: it is written under a temporary name in the same
    folder and then renamed.
    """
    import xlsxwriter

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileError(
            _("No folder {folder!r} for the rejects file.").format(folder=str(folder)),
            _("Create it first."),
        )
    with atomic_path(path) as temp_name:
        book = xlsxwriter.Workbook(str(temp_name), {"strings_to_numbers": False})
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
                    sheet.write_string(number, col, str(value))
            sheet.write_string(number, width, error)
        sheet.freeze_panes(1, 0)
        sheet.set_column(width, width, 80)
        book.close()
