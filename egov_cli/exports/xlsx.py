"""Service workbooks for people: the export and the empty import template share this code.

A workbook has these sheets (German names; English with ``lang="en"``):

``Leistungen``
    one row per service, headers from the column schema (the import reads them back), header
    row frozen and filtered, column widths from the schema, LeiKa keys and other text as text
    cells (never numbers, never formulas), dates as Excel dates shown as ``31.12.2026``,
    dropdowns for department, maturity levels, status, vocabulary terms and yes/no, maturity
    levels shaded by level (one conditional format per level, not a format per cell);
    control characters (but tab and line breaks) dropped from text, as in the CSV export.
``Info``
    the maturity scale and what the export holds (generated at, catalogue, filter, row count).
``Spalten``
    what each column means, which values it takes and whether it is required (the template).
``Listen``
    the values of the dropdowns (hidden).

Workbooks are written with xlsxwriter in constant-memory mode (rows stream to disk), to a
temporary file that replaces the target only when complete. This module writes the data sheet
and puts the workbook together; its frame and formats are in ``xlsx_format``, its dropdown
lists in ``xlsx_lists``, the explaining sheets in ``xlsx_help``, its words in ``xlsx_words``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.files import GuardedFile, atomic_path
from egov_cli.exports.columns import ExportMeta, level_text, people_rows
from egov_cli.exports.xlsx_format import (
    Styles,
    close_workbook,
    make_styles,
    open_workbook,
    print_setup,
)
from egov_cli.exports.xlsx_help import write_columns_sheet, write_info_sheet
from egov_cli.exports.xlsx_lists import (
    dropdown_lists,
    list_source,
    list_sources,
    write_lists_sheet,
)
from egov_cli.exports.xlsx_words import SHEETS, TEXTS

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

#: Rows the dropdowns and level shading cover (the whole sheet: rows people add get them too).
LAST_ROW = 1_048_575


def prepare_data_sheet(
    workbook: Any,
    columns: Sequence[schema.Column],
    styles: Styles,
    sources: dict[str, str],
    scale: Scale,
    lang: str,
    *,
    all_text: bool = True,
) -> Any:
    """The data sheet with its header row, widths, frozen and filtered header, dropdowns and
    level shading; rows are written after it (row 1 on).

    Text columns are formatted as text (``@``) so that what people type stays text. Every cell
    written in such a column carries that format, which costs about a tenth of the write time;
    with ``all_text=False`` (an export full of rows) only the columns whose values Excel would
    otherwise turn into numbers or dates (LeiKa key, LeiKa type ``2/3``, OZG ID, department
    code) are formatted; the template formats every text column.
    """
    texts = TEXTS[lang]
    sheet = workbook.add_worksheet(SHEETS[lang]["data"])
    for c, column in enumerate(columns):
        cell_format = styles.text if _as_text(column, all_text) else None
        if column.kind == schema.DATE:
            cell_format = styles.date
        sheet.set_column(c, c, column.width, cell_format)
        sheet.write_string(0, c, column.header(lang), styles.header)
        source = list_source(column, sources)
        if source is not None:
            is_department = column.field == "department"
            sheet.data_validation(
                1,
                c,
                LAST_ROW,
                c,
                {
                    "validate": "list",
                    "source": source,
                    "error_type": "warning" if is_department else "stop",
                    "error_title": column.header(lang),
                    "error_message": texts["pick_dept"] if is_department else texts["pick"],
                },
            )
        if column.kind == schema.LEVEL:
            for lv, fmt in zip(scale.levels, styles.levels, strict=True):
                sheet.conditional_format(
                    1,
                    c,
                    LAST_ROW,
                    c,
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": _excel_string(level_text(lv.level, scale)),
                        "format": fmt,
                    },
                )
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)  # the header row on every printed page
    print_setup(sheet, SHEETS[lang]["data"], lang)
    return sheet


#: Text columns whose typed values Excel would turn into numbers or dates.
CODE_FIELDS = frozenset({"leika_key", "leika_type", "ozg_id", "department"})


def _as_text(column: schema.Column, all_text: bool) -> bool:
    if column.kind == schema.KEY:
        return True
    return column.kind == schema.TEXT and (all_text or column.field in CODE_FIELDS)


def _excel_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def write_rows(
    sheet: Any,
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    scale: Scale,
    lang: str,
) -> int:
    """Write the rows (stored values, in column order) below the header; returns how many.

    Cells take their number format from their column (text, date; see
    :func:`prepare_data_sheet`), so no cell needs a format of its own. The workbook never turns
    text into formulas, links or numbers (:func:`open_workbook`): text stays a text cell,
    numbers stay numbers, dates are dates; empty values leave the cell empty.
    """
    from egov_cli.exports.csv_writer import without_controls

    write_row = sheet.write_row
    r = 0
    for r, row in enumerate(people_rows(without_controls(rows), columns, scale, lang), start=1):
        write_row(r, 0, row)
    sheet.autofilter(0, 0, r, len(columns) - 1)
    sheet.print_area(0, 0, r, len(columns) - 1)
    return r


def write_workbook(
    path: Path,
    columns: Sequence[schema.Column],
    rows: Sequence[Sequence[Any]],
    *,
    scale: Scale,
    departments: Sequence[str],
    meta: ExportMeta | None,
    lang: str = "de",
) -> int:
    """Write a service workbook to ``path`` atomically; returns the number of rows written.

    ``rows`` hold stored values in the order of ``columns`` (see
    :func:`egov_cli.exports.columns.fetch_rows`). With ``meta=None`` the info sheet describes
    an empty import template instead of an export.
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        # Through a guarded file: after a failed write (a full disk) the zip archive xlsxwriter
        # leaves behind has nothing to fail on when it is collected.
        target = GuardedFile(tmp)
        try:
            workbook = open_workbook(target, lang)
            styles = make_styles(workbook, scale, lang)
            # The data sheet comes first (the import reads the first sheet it recognises); its
            # dropdowns point at the lists sheet written last.
            lists = dropdown_lists(scale, departments, lang)
            sources = list_sources(SHEETS[lang]["lists"], lists)
            data = prepare_data_sheet(
                workbook, columns, styles, sources, scale, lang, all_text=not rows
            )
            count = write_rows(data, columns, rows, scale, lang)
            write_info_sheet(workbook, styles, scale, _with_count(meta, count), lang)
            write_columns_sheet(workbook, columns, styles, scale, lang)
            write_lists_sheet(workbook, lists, lang)
            data.activate()
            close_workbook(workbook, path)
        finally:
            target.close()
        if target.error is not None:
            raise target.error  # described, and the temporary file removed, by atomic_path
    return count


def _with_count(meta: ExportMeta | None, count: int) -> ExportMeta | None:
    if meta is None:
        return None
    from dataclasses import replace

    return replace(meta, row_count=count)
