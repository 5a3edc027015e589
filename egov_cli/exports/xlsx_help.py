"""The sheets of a service workbook that explain it: the info sheet (what the file holds and
the maturity scale) and the columns sheet (what each column means and which values it takes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.exports.columns import YES_NO, ExportMeta, level_text, level_texts
from egov_cli.exports.xlsx_format import Styles, print_setup
from egov_cli.exports.xlsx_words import KIND_NAMES, SHEETS, TEXTS
from egov_cli.values import display as formats

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale


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
