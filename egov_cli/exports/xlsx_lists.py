"""The dropdowns of a service workbook: their lists (departments, maturity levels, yes/no,
vocabulary terms), where each lives on the hidden lists sheet, which list a column takes, and
the lists sheet itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.exports.columns import YES_NO, level_texts
from egov_cli.exports.xlsx_words import SHEETS

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale


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


def list_source(column: schema.Column, sources: dict[str, str]) -> str | None:
    if column.field == "department":
        return sources.get("department")
    if column.kind == schema.LEVEL:
        return sources.get("level")
    if column.kind == schema.FLAG:
        return sources.get("flag")
    if column.kind == schema.TERM:
        return sources.get(column.field)
    return None
