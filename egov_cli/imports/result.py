"""What an import did (or, as a dry run, would do): :class:`ImportResult` and its JSON shape.

``egov import --json`` prints :func:`result_json` of the result: one object, schema 1::

    {
      "schema": 1,                   # raised when a key changes meaning or goes away
      "file_name": "amt32.xlsx",
      "sha256": "…",                 # of the file as read
      "sheet": "Leistungen",         # null for a CSV file
      "header_row": 1,
      "mode": "upsert",              # upsert | insert | update
      "dry_run": false,
      "import_id": 7,                # null in a dry run
      "rows": 120,                   # non-blank rows below the header
      "created": 3, "changed": 5, "unchanged": 110, "rejected": 2,
      "history_records": 12,         # change records written (0 in a dry run)
      "rejects": "zurueck.xlsx",     # where the rejected rows were written (null: not written)
      "rejects_csv": null,           # the same rows, exactly, where a cell was too long for
                                     # a workbook (null: the workbook holds them all)
      "new_departments": ["32"],
      "new_procedures": ["Online-Antrag"],
      "changed_procedures": [{"name": "…", "changes": {"url": ["old", "new"]}}],
      "new_services": [{"row": 4, "leika_key": "99…", "name": "…"}],
      "changes": [{"row": 5, "id": 12, "leika_key": "99…", "name": "…",
                   "changes": {"level": [2, 3]}}],
      "rejected_rows": [{"row": 9, "raw": ["cells", "as", "read"],
                         "problems": [{"message": "…", "file": "…", "sheet": "…", "row": 9,
                                       "column": "Reifegrad", "value": "sieben",
                                       "hint": "…"}]}],
      "unknown_headers": ["Bemerkung intern"],
      "warnings": ["…"],
      "column_map": [{"column": 1, "header": "Zuständiges Amt", "field": "department",
                      "reason": "name", "confidence": 0.95, "candidates": [],
                      "map_hint": null}]   # every column of the file and what became of it
    }

Values of fields are JSON numbers, text, true/false or null; dates are ISO text. Keys may be
added within a schema version; none is renamed or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from egov_cli.core.errors import Problem
from egov_cli.imports.reading.types import ColumnMapping

#: Version of the shape :func:`result_json` makes.
JSON_SCHEMA = 1


@dataclass(frozen=True, slots=True)
class ServiceDiff:
    """A changed service: the row it came from and field -> (old, new)."""

    row: int
    id: int
    leika_key: str | None
    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True, slots=True)
class NewService:
    """A service the import adds: its row, key and name."""

    row: int
    leika_key: str | None
    name: str


@dataclass(frozen=True)
class ProcedureDiff:
    """Changed details of a known online procedure: attribute -> (old, new)."""

    name: str
    changes: dict[str, tuple[Any, Any]]


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: every problem with it, and its cells as read."""

    row: int
    problems: list[Problem]
    raw: list[Any]


@dataclass(frozen=True)
class ImportResult:
    """Counts and lists of what an import did (see the module docstring for each)."""

    file_name: str
    sha256: str
    sheet: str | None
    header_row: int
    mode: str
    dry_run: bool
    import_id: int | None
    rows: int  # non-blank rows below the header
    created: int
    changed: int
    unchanged: int
    rejected: int
    new_departments: list[str]
    new_procedures: list[str]
    changed_procedures: list[ProcedureDiff]
    new_services: list[NewService]
    changes: list[ServiceDiff]
    rejected_rows: list[RejectedRow]
    unknown_headers: list[str]
    warnings: list[str]
    history_records: int = 0
    #: every column of the file and what became of it (see ``reading.types.ColumnMapping``)
    column_map: list[ColumnMapping] = field(default_factory=list)
    #: where the rejected rows were written (the workbook; the CSV beside it where a cell was
    #: too long for a workbook), None where not written
    rejects: str | None = None
    rejects_csv: str | None = None


def result_json(result: ImportResult) -> dict[str, Any]:
    """The result as plain JSON values, in the documented shape (see the module docstring)."""
    return {
        "schema": JSON_SCHEMA,
        "file_name": result.file_name,
        "sha256": result.sha256,
        "sheet": result.sheet,
        "header_row": result.header_row,
        "mode": result.mode,
        "dry_run": result.dry_run,
        "import_id": result.import_id,
        "rows": result.rows,
        "created": result.created,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "history_records": result.history_records,
        "rejects": result.rejects,
        "rejects_csv": result.rejects_csv,
        "new_departments": list(result.new_departments),
        "new_procedures": list(result.new_procedures),
        "changed_procedures": [
            {"name": p.name, "changes": _changes(p.changes)} for p in result.changed_procedures
        ],
        "new_services": [
            {"row": s.row, "leika_key": s.leika_key, "name": s.name} for s in result.new_services
        ],
        "changes": [
            {
                "row": d.row,
                "id": d.id,
                "leika_key": d.leika_key,
                "name": d.name,
                "changes": _changes(d.changes),
            }
            for d in result.changes
        ],
        "rejected_rows": [
            {
                "row": r.row,
                "problems": [_problem(p) for p in r.problems],
                "raw": [_value(v) for v in r.raw],
            }
            for r in result.rejected_rows
        ],
        "unknown_headers": list(result.unknown_headers),
        "warnings": list(result.warnings),
        "column_map": column_map_json(result.column_map),
    }


def column_map_json(column_map: list[ColumnMapping]) -> list[dict[str, Any]]:
    """The column map as plain JSON values: in the result, and in the error of an import
    stopped by problems."""
    return [
        {
            "column": c.index + 1,
            "header": c.header,
            "field": c.field,
            "reason": c.reason,
            "confidence": c.confidence,
            "candidates": list(c.candidates),
            "map_hint": c.map_hint,
        }
        for c in column_map
    ]


def _changes(changes: dict[str, tuple[Any, Any]]) -> dict[str, list[Any]]:
    return {name: [_value(old), _value(new)] for name, (old, new) in changes.items()}


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "message": problem.message,
        "file": problem.file,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "value": _value(problem.value),
        "hint": problem.hint,
    }


def _value(value: Any) -> Any:
    """A field's or cell's value as a JSON value: dates as ISO text, other kinds as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)
