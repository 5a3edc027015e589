"""Parsing the cells of a row through the column schema, fast.

The common cases (text that needs nothing, a 14-digit key, a whole number, a date cell) are
handled here without the general parsers; everything else, and every error, goes through
``egov_cli.parsing.parse_value`` so that values and messages are the same as everywhere else.
Vocabulary terms, flags and levels repeat a lot: each distinct cell value is parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from egov_cli import schema
from egov_cli.errors import Problem, ValidationError
from egov_cli.importers.types import ImportColumn
from egov_cli.parsing import parse_value

if TYPE_CHECKING:
    from egov_cli.services.scale import Scale

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_TEXT = 32_767

Converter = Callable[[Any], Any]


def _text(column: schema.Column, scale: Scale) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is str:
            text = value.strip()
            if not text:
                return None
            if len(text) <= _MAX_TEXT and not _CONTROL.search(text):
                return text
        return parse_value(column, value, scale)

    return convert


def _key(column: schema.Column, scale: Scale) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is str and len(value) == 14 and value.isascii() and value.isdigit():
            return value
        return parse_value(column, value, scale)

    return convert


def _int(column: schema.Column, scale: Scale) -> Converter:
    minimum = 1 if column.kind == schema.ID else 0

    def convert(value: Any) -> Any:
        if type(value) is int and value >= minimum:
            return value
        if type(value) is float and value.is_integer() and value >= minimum:
            return int(value)
        return parse_value(column, value, scale)

    return convert


def _date(column: schema.Column, scale: Scale) -> Converter:
    def convert(value: Any) -> Any:
        if type(value) is datetime:
            return value.date()
        if type(value) is date:
            return value
        return parse_value(column, value, scale)

    return convert


def _cached(column: schema.Column, scale: Scale) -> Converter:
    """For terms, flags and levels: each distinct value is parsed once."""
    cache: dict[tuple[type, Any], Any] = {}

    def convert(value: Any) -> Any:
        key = (type(value), value)
        try:
            result = cache[key]
        except KeyError:
            try:
                result = parse_value(column, value, scale)
            except ValidationError as exc:
                result = exc
            cache[key] = result
        if isinstance(result, ValidationError):
            raise result
        return result

    return convert


_FACTORIES: dict[str, Callable[[schema.Column, Scale], Converter]] = {
    schema.TEXT: _text,
    schema.KEY: _key,
    schema.INT: _int,
    schema.ID: _int,
    schema.DATE: _date,
    schema.FLAG: _cached,
    schema.TERM: _cached,
    schema.LEVEL: _cached,
}


def converter(column: schema.Column, scale: Scale) -> Converter:
    return _FACTORIES[column.kind](column, scale)


class RowParser:
    """Turns a row's cells into clean values (blank cells left out) or problems."""

    def __init__(
        self, columns: Sequence[ImportColumn], scale: Scale, file_name: str, sheet: str | None
    ):
        self.specs = [
            (c.index, c.header, c.field, converter(schema.BY_FIELD[c.field], scale))
            for c in columns
        ]
        self.file_name = file_name
        self.sheet = sheet

    def parse(self, row: int, cells: Sequence[Any]) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        width = len(cells)
        for index, header, field, convert in self.specs:
            if index >= width:
                continue
            cell = cells[index]
            if cell is None or cell == "":
                continue
            try:
                value = convert(cell)
            except ValidationError as exc:
                problems.append(
                    Problem(
                        exc.message,
                        file=self.file_name,
                        sheet=self.sheet,
                        row=row,
                        column=header,
                        value=cell,
                        hint=exc.hint,
                    )
                )
                continue
            if value is not None:
                values[field] = value
        return values, problems


def is_blank_row(cells: Sequence[Any]) -> bool:
    for cell in cells:
        if cell is None or cell == "":
            continue
        if type(cell) is str and not cell.strip():
            continue
        return False
    return True
