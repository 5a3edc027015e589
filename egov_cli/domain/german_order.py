"""The German sort order of names (DIN 5007, variant 1) in SQL, the same on SQLite and
PostgreSQL, for lists the database sorts (and pages): ``Ä`` sorts as ``A``, ``Ö`` as ``O``,
``Ü`` as ``U``, ``ß`` as ``ss``, case does not matter, ties are broken by the text itself.

It is what :func:`egov_cli.values.fold.german_key` does in Python for the German letters (and
``é``; other accented letters sort after ``z`` here). The text is compared by its characters'
code points on every database (PostgreSQL's ``COLLATE "C"``; SQLite's own order), never by a
database's locale.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

#: Letters spelled as DIN 5007 variant 1 sorts them (upper case too: SQLite's ``lower`` only
#: lowers ASCII letters). Only these: SQLite parses a few dozen nested calls at most.
SORTED_AS = {
    "Ä": "a", "ä": "a", "Ö": "o", "ö": "o", "Ü": "u", "ü": "u", "ß": "ss", "ẞ": "ss",
    "É": "e", "é": "e",
}  # fmt: skip


class _ByCodePoint(GenericFunction[str]):
    """Text compared by its characters' code points (the same order on every database)."""

    type = String()
    inherit_cache = True
    name = "by_code_point"


@compiles(_ByCodePoint)
def _by_code_point(element: _ByCodePoint, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_ByCodePoint, "postgresql")
def _by_code_point_postgresql(element: _ByCodePoint, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


def german_order(column: Any) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """ORDER BY terms that sort ``column`` in German order (DIN 5007, variant 1)."""
    folded: Any = column
    for letter, spelled in SORTED_AS.items():
        folded = func.replace(folded, letter, spelled)
    return _ByCodePoint(func.lower(folded)), _ByCodePoint(column)
