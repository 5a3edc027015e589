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
temporary file that replaces the target only when complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import FileError
from egov_cli.core.files import GuardedFile, atomic_path
from egov_cli.exports.columns import (
    YES_NO,
    ExportMeta,
    level_text,
    level_texts,
    people_rows,
)
from egov_cli.i18n import _
from egov_cli.values import display as formats

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

#: Rows the dropdowns and level shading cover (the whole sheet: rows people add get them too).
LAST_ROW = 1_048_575
#: Fills for the maturity levels, lowest to highest; a scale of any length picks from these.
LEVEL_FILLS = ("#F4CCCC", "#FCE5CD", "#FFF2CC", "#D9EAD3", "#B6D7A8", "#93C47D")
HEADER_FILL = "#1F4E78"
DATE_FORMATS = {"de": "DD.MM.YYYY", "en": "YYYY-MM-DD"}

SHEETS = {
    "de": {"data": "Leistungen", "info": "Info", "columns": "Spalten", "lists": "Listen"},
    "en": {"data": "Services", "info": "Info", "columns": "Columns", "lists": "Lists"},
}
TEXTS = {
    "de": {
        "scale": "Reifegradmodell",
        "level": "Stufe",
        "label": "Bezeichnung",
        "description": "Beschreibung",
        "online": "gilt als online",
        "about": "Diese Datei",
        "generated": "Erstellt am",
        "catalogue": "Katalog",
        "filter": "Filter",
        "rows": "Anzahl Leistungen",
        "template": "Leere Importvorlage: eine Zeile je Leistung, Import mit 'egov import DATEI'.",
        "column": "Spalte",
        "field": "Feldname",
        "kind": "Art",
        "required": "Pflicht",
        "values": "Zulässige Werte",
        "meaning": "Bedeutung",
        "pick": "Bitte einen Wert aus der Liste wählen.",
        "pick_dept": "Unbekannte Ämter werden beim Import angelegt (dann Amtsbezeichnung angeben).",
    },
    "en": {
        "scale": "Maturity scale",
        "level": "Level",
        "label": "Label",
        "description": "Description",
        "online": "counts as online",
        "about": "This file",
        "generated": "Generated at",
        "catalogue": "Catalogue",
        "filter": "Filter",
        "rows": "Services",
        "template": "Empty import template: one row per service, import with 'egov import FILE'.",
        "column": "Column",
        "field": "Field",
        "kind": "Kind",
        "required": "Required",
        "values": "Allowed values",
        "meaning": "Meaning",
        "pick": "Please choose a value from the list.",
        "pick_dept": "Unknown departments are created on import (give the department name then).",
    },
}
KIND_NAMES = {
    "de": {
        schema.KEY: "Schlüssel (Text)",
        schema.TEXT: "Text",
        schema.INT: "Zahl",
        schema.ID: "Zahl",
        schema.DATE: "Datum",
        schema.FLAG: "ja/nein",
        schema.LEVEL: "Reifegrad",
        schema.TERM: "Auswahl",
    },
    "en": {
        schema.KEY: "key (text)",
        schema.TEXT: "text",
        schema.INT: "number",
        schema.ID: "number",
        schema.DATE: "date",
        schema.FLAG: "yes/no",
        schema.LEVEL: "maturity level",
        schema.TERM: "choice",
    },
}


@dataclass
class Styles:
    """The few format objects a workbook uses (created once, shared by every cell)."""

    header: Any
    text: Any
    date: Any
    wrap: Any
    title: Any
    bold: Any
    levels: list[Any]


def open_workbook(target: Path | GuardedFile, lang: str = "de") -> Any:
    """An xlsxwriter workbook streaming rows to disk; text is never turned into formulas,
    links or numbers, so a name such as ``=HYPERLINK(...)`` is a text cell."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(target) if isinstance(target, Path) else target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": DATE_FORMATS[lang],
        },
    )


def make_styles(workbook: Any, scale: Scale, lang: str) -> Styles:
    fills = _level_fills(len(scale.levels))
    return Styles(
        header=workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": HEADER_FILL,
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        ),
        text=workbook.add_format({"num_format": "@"}),
        date=workbook.add_format({"num_format": DATE_FORMATS[lang]}),
        wrap=workbook.add_format({"text_wrap": True, "valign": "top"}),
        title=workbook.add_format({"bold": True, "font_size": 13}),
        bold=workbook.add_format({"bold": True}),
        levels=[workbook.add_format({"bg_color": fill}) for fill in fills],
    )


def _level_fills(count: int) -> list[str]:
    if count <= 1:
        return list(LEVEL_FILLS[-1:]) * count
    last = len(LEVEL_FILLS) - 1
    return [LEVEL_FILLS[round(i * last / (count - 1))] for i in range(count)]


def dropdown_lists(
    scale: Scale, departments: Sequence[str], lang: str
) -> list[tuple[str, list[str]]]:
    """The dropdown lists of a workbook: (name, values), in the order of the lists sheet."""
    lists: list[tuple[str, list[str]]] = [
        ("department", list(departments)),
        ("level", level_texts(scale)),
        ("flag", list(YES_NO[lang])),
    ]
    for column in schema.COLUMNS:
        if column.kind == schema.TERM and column.terms is not None:
            lists.append((column.field, [t.label(lang) for t in column.terms]))
    return lists


def list_sources(sheet_name: str, lists: Sequence[tuple[str, list[str]]]) -> dict[str, str]:
    """Where each non-empty list lives on the lists sheet, as a validation source."""
    sources: dict[str, str] = {}
    for c, (name, values) in enumerate(lists):
        if values:
            letter = _col_letter(c)
            sources[name] = f"='{sheet_name}'!${letter}$2:${letter}${len(values) + 1}"
    return sources


def write_lists_sheet(workbook: Any, lists: Sequence[tuple[str, list[str]]], lang: str) -> None:
    """The hidden sheet holding the dropdown values (rows written in order: constant memory)."""
    sheet = workbook.add_worksheet(SHEETS[lang]["lists"])
    for c, (name, _values) in enumerate(lists):
        sheet.write_string(0, c, name)
        sheet.set_column(c, c, 26)
    longest = max((len(values) for _name, values in lists), default=0)
    for r in range(longest):
        for c, (_name, values) in enumerate(lists):
            if r < len(values):
                sheet.write_string(r + 1, c, values[r])
    sheet.hide()


def _col_letter(index: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return str(xl_col_to_name(index))


def print_setup(sheet: Any, title: str, lang: str) -> None:
    """Print the sheet as a document: A4 landscape, fit to the page's width (as many pages
    down as it takes), margins, the sheet's name and the date at the top and page numbers at
    the foot."""
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    sheet.set_header(f"&L&8 {title.replace('&', '&&')}&R&8&D")
    sheet.set_footer("&R&8" + ("Seite &P von &N" if lang == "de" else "Page &P of &N"))


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
        source = _list_source(column, sources)
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


def _list_source(column: schema.Column, sources: dict[str, str]) -> str | None:
    if column.field == "department":
        return sources.get("department")
    if column.kind == schema.LEVEL:
        return sources.get("level")
    if column.kind == schema.FLAG:
        return sources.get("flag")
    if column.kind == schema.TERM:
        return sources.get(column.field)
    return None


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


def write_info_sheet(
    workbook: Any, styles: Styles, scale: Scale, meta: ExportMeta | None, lang: str
) -> None:
    """The scale of maturity levels and what this file holds."""
    texts = TEXTS[lang]
    sheet = workbook.add_worksheet(SHEETS[lang]["info"])
    print_setup(sheet, SHEETS[lang]["info"], lang)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 80)
    sheet.set_column(3, 3, 16)
    row = 0
    sheet.write_string(row, 0, texts["about"], styles.title)
    row += 1
    if meta is None:
        sheet.write_string(row, 0, texts["template"])
        row += 1
    else:
        for label, value in (
            (texts["generated"], formats.timestamp(meta.generated_at, lang)),
            (texts["catalogue"], meta.catalogue),
            (texts["filter"], meta.filter_text),
        ):
            sheet.write_string(row, 0, label, styles.bold)
            sheet.write_string(row, 1, value)
            row += 1
        sheet.write_string(row, 0, texts["rows"], styles.bold)
        sheet.write_number(row, 1, meta.row_count)
        row += 1
    row += 1
    sheet.write_string(row, 0, f"{texts['scale']}: {scale.name}", styles.title)
    row += 1
    for c, key in enumerate(("level", "label", "description", "online")):
        sheet.write_string(row, c, texts[key], styles.header)
    row += 1
    yes, no = YES_NO[lang]
    for lv, fmt in zip(scale.levels, styles.levels, strict=True):
        sheet.write_string(row, 0, level_text(lv.level, scale), fmt)
        sheet.write_string(row, 1, lv.label)
        sheet.write_string(row, 2, lv.description, styles.wrap)
        sheet.write_string(row, 3, yes if lv.online else no)
        row += 1


def write_columns_sheet(
    workbook: Any, columns: Sequence[schema.Column], styles: Styles, scale: Scale, lang: str
) -> None:
    """What each column means and which values it takes."""
    texts = TEXTS[lang]
    sheet = workbook.add_worksheet(SHEETS[lang]["columns"])
    heads = ("column", "field", "kind", "required", "values", "meaning")
    for c, (key, width) in enumerate(zip(heads, (28, 24, 16, 9, 45, 80), strict=True)):
        sheet.set_column(c, c, width, styles.wrap if key in ("values", "meaning") else None)
        sheet.write_string(0, c, texts[key], styles.header)
    yes, no = YES_NO[lang]
    for r, column in enumerate(columns, start=1):
        sheet.write_string(r, 0, column.header(lang), styles.bold)
        sheet.write_string(r, 1, column.field)
        sheet.write_string(r, 2, KIND_NAMES[lang][column.kind])
        sheet.write_string(r, 3, yes if column.required else no)
        sheet.write_string(r, 4, _allowed_values(column, scale, lang))
        sheet.write_string(r, 5, column.help_de)
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    print_setup(sheet, SHEETS[lang]["columns"], lang)


def _allowed_values(column: schema.Column, scale: Scale, lang: str) -> str:
    if column.kind == schema.LEVEL:
        return ", ".join(level_texts(scale))
    if column.kind == schema.TERM and column.terms is not None:
        return ", ".join(t.label(lang) for t in column.terms)
    if column.kind == schema.FLAG:
        return " / ".join(YES_NO[lang])
    if column.kind == schema.DATE:
        return formats.day(date(2026, 12, 31), lang)
    if column.kind == schema.KEY:
        return "99050012104000"
    return ""


def close_workbook(workbook: Any, path: Path) -> None:
    """Finish the workbook; an OS error becomes a FileError naming the file."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except FileCreateError as exc:
        if exc.args and isinstance(exc.args[0], OSError):
            raise exc.args[0] from None  # a full disk, say: described where the file is written
        raise FileError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc),
            _("Check the disk space and the folder's permissions; nothing was written."),
        ) from exc


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
