"""The planned rows against the catalogue: which services are new, which change (field by
field, old and new value), which stay as they are; and the changed details of known online
procedures.

A planned value ``ABSENT`` changes nothing; a blank value (None) of a column the file has
clears the field. Departments and online procedures are compared by code and name.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress
from operator import ne
from typing import Any

from egov_cli.core.schema import SERVICE_FIELDS
from egov_cli.imports.known import KnownCatalogue
from egov_cli.imports.plan import Planner
from egov_cli.imports.result import NewService, ProcedureDiff, ServiceDiff
from egov_cli.imports.rules.shared import ABSENT, SHOWN_FIELDS, Plan

#: field -> (old value, new value)
Changes = dict[str, tuple[Any, Any]]


@dataclass
class Comparison:
    """What the plan does to the catalogue, by the plan's positions."""

    new_positions: list[int]
    changed: list[tuple[int, Changes]]  # (position, changes), in the file's order
    unchanged: int
    procedure_changes: list[ProcedureDiff]


def compare(plan: Plan, cat: KnownCatalogue, planner: Planner) -> Comparison:
    """Compare the plan with the catalogue ``cat`` (see the module docstring).

    Where every planned row is a known service, a column the file holds exactly as the
    catalogue does is replaced in the plan by the catalogue's values (equal, and already held:
    the file's are let go, less memory while writing)."""
    new_positions = [i for i, e in enumerate(plan.existing) if e is None]
    old_positions = [i for i, e in enumerate(plan.existing) if e is not None]
    changed: list[tuple[int, Changes]] = []
    if old_positions:
        changed = _changed_services(plan, cat, old_positions)
    return Comparison(
        new_positions=new_positions,
        changed=changed,
        unchanged=len(old_positions) - len(changed),
        procedure_changes=_changed_procedures(cat, planner),
    )


def _changed_services(
    plan: Plan, cat: KnownCatalogue, old_positions: list[int]
) -> list[tuple[int, Changes]]:
    """Field-level differences of the planned rows of known services (``old_positions``)."""
    values = plan.values
    compared = [name for name in SERVICE_FIELDS if name in values and name in cat.fields]
    matched = cat.places([plan.existing[i] or 0 for i in old_positions])
    everyone = len(old_positions) == len(plan.numbers)
    sides: dict[str, tuple[list[Any], list[Any]]] = {}  # field -> (old values, new values)
    for name in compared:
        column = values[name]
        sides[name] = (
            cat.column(name, matched),
            column if everyone else [column[i] for i in old_positions],
        )
    for name, links, codes, link in (
        ("department", plan.departments, cat.dept_code_of, "department_id"),
        ("procedure", plan.procedures, cat.proc_name_of, "procedure_id"),
    ):
        if links is not None:  # a blank cell clears the department / online procedure
            sides[name] = (
                list(map(codes.get, cat.column(link, matched))),
                links if everyone else [links[i] for i in old_positions],
            )
    # Most columns hold no change at all: one list comparison tells.
    differs: dict[str, list[bool]] = {
        name: list(map(ne, old_values, new_values))
        for name, (old_values, new_values) in sides.items()
        if old_values != new_values
    }
    differing: set[int] = set()
    for flags in differs.values():
        differing.update(compress(range(len(flags)), flags))
    diffs: dict[int, Changes] = {j: {} for j in sorted(differing)}
    for name in SHOWN_FIELDS:  # the order of the fields in a difference
        if name not in differs:
            continue
        old_values, new_values = sides[name]
        for j in compress(range(len(new_values)), differs[name]):
            if (new := new_values[j]) is not ABSENT:
                diffs[j][name] = (old_values[j], new)
    if everyone:
        for name in compared:
            if name not in differs:
                values[name] = sides[name][0]
    return [(old_positions[j], diff) for j, diff in diffs.items() if diff]


def _changed_procedures(cat: KnownCatalogue, planner: Planner) -> list[ProcedureDiff]:
    """New procedures take their details; known ones whose details differ are listed."""
    changes: list[ProcedureDiff] = []
    for name, attrs in planner.procedure_values.items():
        if name in planner.new_procedures:
            planner.new_procedures[name] = attrs
            continue
        current = cat.procedures[name]
        diff = {a: (current[a], v) for a, v in attrs.items() if current[a] != v}
        if diff:
            changes.append(ProcedureDiff(name, diff))
    return changes


def listed(
    plan: Plan, cat: KnownCatalogue, comparison: Comparison
) -> tuple[list[NewService], list[ServiceDiff]]:
    """The new services and the changed ones, each with its row, key and name."""

    def column_of(name: str, positions: list[int]) -> list[Any]:
        column = plan.values.get(name)
        if column is None:
            return [None] * len(positions)
        return [None if (v := column[i]) is ABSENT else v for i in positions]

    new_positions = comparison.new_positions
    changed = comparison.changed
    changed_positions = [i for i, _diff in changed]
    new_services = [
        NewService(plan.numbers[i], key, name or "")
        for i, key, name in zip(
            new_positions,
            column_of("leika_key", new_positions),
            column_of("name", new_positions),
            strict=True,
        )
    ]
    changes = [
        ServiceDiff(
            plan.numbers[i],
            plan.existing[i] or 0,
            key or cat.value(plan.existing[i] or 0, "leika_key"),
            name or cat.value(plan.existing[i] or 0, "name"),
            diff,
        )
        for (i, diff), key, name in zip(
            changed,
            column_of("leika_key", changed_positions),
            column_of("name", changed_positions),
            strict=True,
        )
    ]
    return new_services, changes
