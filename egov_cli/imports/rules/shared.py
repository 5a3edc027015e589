"""What every rule of an import shares: the :class:`Plan` being built, :data:`ABSENT`, the
fields the rules treat alike, and :class:`PlannerState`, the planner's findings (problems by
row, warnings, new departments and procedures) with :meth:`PlannerState.problem` to note one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from egov_cli.core import schema
from egov_cli.core.errors import Problem
from egov_cli.core.schema import SERVICE_FIELDS
from egov_cli.domain.reference import load_reference
from egov_cli.imports.known import KnownCatalogue
from egov_cli.imports.options import ImportOptions
from egov_cli.imports.reading.types import ImportFile

#: Fields the federal reference catalogue can fill from a LeiKa key.
REFERENCE_FIELDS = ("name", "leika_type", "ozg_id", "ozg_name", "topic", "life_event")
REFERENCE_SET = frozenset(REFERENCE_FIELDS)
#: Fields every service has: a blank cell keeps the current value (new services: defaults).
ALWAYS_SET = ("name", "level", "status", "sdg_annex2")
#: Rows without a key for which similar reference names are looked up and suggested.
SUGGESTED_ROWS = 20
#: How many rows a summarised warning names as examples.
WARNING_EXAMPLES = 5
#: Defaults of a new service (as the Service model has them).
NEW_DEFAULTS: dict[str, Any] = {"level": 0, "status": "planned", "sdg_annex2": False}
#: Order of the fields in the snapshot and in field-level differences.
SHOWN_FIELDS = (*SERVICE_FIELDS[:9], "department", *SERVICE_FIELDS[9:11], "procedure",
                *SERVICE_FIELDS[11:])  # fmt: skip


ABSENT: Any = type("_Absent", (), {"__repr__": lambda self: "<absent>"})()
"""A planned value that leaves the field alone (no column, or a blank cell of a field every
service has)."""


@dataclass
class Plan:
    """The planned rows, column by column (aligned lists)."""

    numbers: list[int]
    existing: list[int | None]
    values: dict[str, list[Any]]  # field -> values; ABSENT leaves the field alone
    departments: list[str | None] | None  # department codes (None: no department column)
    procedures: list[str | None] | None  # procedure names (None: no procedure column)

    def take(self, keep: list[int]) -> Plan:
        def pick(values: list[Any]) -> list[Any]:
            return [values[i] for i in keep]

        return Plan(
            pick(self.numbers),
            pick(self.existing),
            {name: pick(values) for name, values in self.values.items()},
            None if self.departments is None else pick(self.departments),
            None if self.procedures is None else pick(self.procedures),
        )


class PlannerState:
    """The planner's state, shared by the rules (:mod:`egov_cli.imports.rules`): the file, the
    catalogue, the options, and what was found besides the plan."""

    def __init__(self, data: ImportFile, cat: KnownCatalogue, options: ImportOptions):
        self.data = data
        self.cat = cat
        self.options = options
        self.problems: dict[int, list[Problem]] = {}
        self.warnings: list[str] = list(data.warnings)
        self.new_departments: dict[str, str] = {}  # code -> name
        self.new_procedures: dict[str, dict[str, Any]] = {}  # name -> attributes
        self.procedure_values: dict[str, dict[str, Any]] = {}
        self.headers = {c.field: c.header for c in data.columns}
        self._new_dept_folded: dict[str, str] = {}
        self._new_proc_folded: dict[str, str] = {}
        self._reference = load_reference().by_key
        fields = data.fields
        self._procedure_columns = [f for f in schema.PROCEDURE_ATTRIBUTES if f in fields]
        self._all_reference_columns = fields >= REFERENCE_SET
        self.not_in_reference: list[tuple[int, str]] = []  # (row, key)
        self.reference_notes: list[tuple[int, str]] = []  # (row, warning)

    def problem(
        self, row: int, message: str, field: str | None, value: object, hint: str | None
    ) -> None:
        self.problems.setdefault(row, []).append(
            Problem(
                message,
                file=self.data.file_name,
                sheet=self.data.sheet,
                row=row,
                column=self.headers.get(field) if field else None,
                value=value,
                hint=hint,
            )
        )
