"""The JSON of ``departments`` and ``procedures``: the departments and the online services."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from egov_cli.cli.json_shapes.common import JSON, changes, document, plain

if TYPE_CHECKING:
    from egov_cli.core.models import Department, Procedure
    from egov_cli.domain.departments import DepartmentView
    from egov_cli.domain.procedures import ProcedureView


def _department_fields(d: Department | DepartmentView) -> JSON:
    return {"id": d.id, "code": d.code, "name": d.name, "contact": d.contact}


def department(d: Department) -> JSON:
    return {
        **_department_fields(d),
        "created_at": plain(d.created_at),
        "updated_at": plain(d.updated_at),
    }


def departments_list(rows: Iterable[DepartmentView]) -> JSON:
    """``departments list``: every department with its number of services."""
    return document(departments=[{**_department_fields(d), "services": d.services} for d in rows])


def department_added(d: Department) -> JSON:
    """``departments add``: the department."""
    return document(**department(d))


def department_renamed(d: Department, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``departments rename``: the department after the change and what changed."""
    return document(department=department(d), changes=changes(found))


_PROCEDURE_FIELDS = (
    "url", "provision", "bayernportal", "authentication", "bayernid", "bundid", "epayment",
    "submits_electronically",
)  # fmt: skip


def _procedure_fields(p: Procedure | ProcedureView) -> JSON:
    return {"id": p.id, "name": p.name, **{name: getattr(p, name) for name in _PROCEDURE_FIELDS}}


def procedure(p: Procedure) -> JSON:
    return {
        **_procedure_fields(p),
        "created_at": plain(p.created_at),
        "updated_at": plain(p.updated_at),
    }


def procedures_list(rows: Iterable[ProcedureView]) -> JSON:
    """``procedures list``: every online procedure with the number of services it serves."""
    return document(procedures=[{**_procedure_fields(p), "services": p.services} for p in rows])


def procedure_added(p: Procedure) -> JSON:
    """``procedures add``: the procedure."""
    return document(**procedure(p))


def procedure_edited(p: Procedure, found: Mapping[str, tuple[Any, Any]]) -> JSON:
    """``procedures edit``: the procedure after the change and what changed."""
    return document(procedure=procedure(p), changes=changes(found))
