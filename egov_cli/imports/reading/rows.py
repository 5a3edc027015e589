"""Parsing the cells of a row through the column schema, fast.

The common cases (text that needs nothing, a 14-digit key, a whole number, a date cell) are
handled here without the general parsers; everything else, and every error, goes through
``egov_cli.values.column.parse_value`` so that values and messages are the same as everywhere else.
Vocabulary terms, flags and levels repeat a lot: each distinct cell value is parsed once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from egov_cli.core import schema
from egov_cli.core.errors import ValidationError
from egov_cli.values.column import parse_value

if TYPE_CHECKING:
    from egov_cli.domain.scale import Scale

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MAX_TEXT = 32_767


def is_blank_row(cells: Sequence[Any]) -> bool:
    for cell in cells:
        if cell is None or cell == "":
            continue
        if type(cell) is str and not cell.strip():
            continue
        return False
    return True


_SLOW = object()


def _fast_column(
    column: schema.Column, cells: Sequence[Any], cache: dict[Any, Any]
) -> tuple[list[Any], bool]:
    """Convert a whole column with list comprehensions; cells needing care become ``_SLOW``.
    The flag is False where the column was converted as a whole (no ``_SLOW`` in it)."""
    kind = column.kind
    slow = _SLOW
    if kind == schema.TEXT and not _by_value(column):
        try:  # the usual case: text cells (or blank ones)
            stripped = list(map(str.strip, cells))
        except TypeError:  # not all text
            pass
        else:
            joined = " ".join(stripped)
            # isprintable() is quick and refuses every control character (and a few harmless
            # ones, such as a line break, which the exact check below lets through).
            if max(map(len, stripped), default=0) <= _MAX_TEXT and (
                joined.isprintable() or _CONTROL.search(joined) is None
            ):
                return ([v or None for v in stripped] if "" in stripped else stripped), False
        out = [
            (v.strip() or None) if type(v) is str else (None if v is None else slow) for v in cells
        ]
        texts = [v for v in out if type(v) is str]
        if texts and (
            max(map(len, texts)) > _MAX_TEXT or _CONTROL.search("\n".join(texts)) is not None
        ):
            out = [
                slow if type(v) is str and (len(v) > _MAX_TEXT or _CONTROL.search(v)) else v
                for v in out
            ]
        return out, True
    if kind == schema.KEY:
        try:
            joined = "".join(cells)
        except TypeError:  # not all text
            joined = ""
        if joined.isascii() and joined.isdigit() and set(map(len, cells)) == {14}:
            return list(cells), False  # every cell a 14-digit key as text
        return [
            v
            if type(v) is str and len(v) == 14 and v.isascii() and v.isdigit()
            else (None if v == "" or v is None else slow)
            for v in cells
        ], True
    if kind in (schema.INT, schema.ID):
        low = 1 if kind == schema.ID else 0
        return [
            int(v)
            if type(v) is float and v.is_integer() and v >= low
            else (v if type(v) is int and v >= low else (None if v == "" or v is None else slow))
            for v in cells
        ], True
    if kind == schema.DATE:
        return [
            v.date()
            if type(v) is datetime
            else (v if type(v) is date else (None if v == "" or v is None else slow))
            for v in cells
        ], True
    # terms, flags, levels: each distinct value parsed once (booleans always on their own)
    get = cache.get
    if bool not in set(map(type, cells)):
        known = {**cache, "": None, None: None}
        return list(map(known.get, cells, repeat(slow))), True
    return [
        (None if v == "" or v is None else get(v, slow)) if type(v) is not bool else slow
        for v in cells
    ], True


def _by_value(column: schema.Column) -> bool:
    """Whether the column's distinct values are parsed once each (few values, repeated)."""
    return column.kind in (schema.FLAG, schema.TERM, schema.LEVEL) or column.field == schema.OZG_ID


def parse_column(
    column: schema.Column, cells: Sequence[Any], scale: Scale
) -> tuple[list[Any], list[tuple[int, ValidationError]]]:
    """Clean values of a column's cells (None where blank) and (position, error) pairs."""
    cache: dict[Any, Any] = {}
    if _by_value(column):
        for value in set(cells):  # each distinct value once
            if value == "" or value is None or type(value) is bool:
                continue
            try:
                cache[value] = parse_value(column, value, scale)
            except ValidationError:
                continue  # reported below, per cell
    out, maybe_slow = _fast_column(column, cells, cache)
    errors: list[tuple[int, ValidationError]] = []
    if not maybe_slow or _SLOW not in out:
        return out, errors
    for position in [p for p, value in enumerate(out) if value is _SLOW]:
        try:
            out[position] = parse_value(column, cells[position], scale)
        except ValidationError as exc:
            out[position] = None
            errors.append((position, exc))
    return out, errors
