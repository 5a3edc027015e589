"""Online procedures (Onlinedienste): one procedure can serve several services. A service that
names none keeps the details of its online offer itself (``Service.procedure_*``):
:func:`online_detail` reads a service's detail from wherever it is kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from egov_cli.core import history
from egov_cli.core.errors import Conflict, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import Procedure, ProcedureBase, Service
from egov_cli.core.schema import PROCEDURE_ATTRIBUTES
from egov_cli.domain.common import apply_changes, procedure_by_name
from egov_cli.i18n import _
from egov_cli.values.fold import german_key
from egov_cli.values.parse import parse_text

FIELDS = tuple(ProcedureBase.model_fields)


def online_detail(column: str) -> ColumnElement[Any]:
    """A service's online-service detail ``column`` (a procedure column, ``procedure_epayment``)
    in SQL: its procedure's when it has one, else its own. The query joins ``procedure`` on
    ``service.procedure_id`` (an outer join: not every service has one)."""
    return case(
        (col(Service.procedure_id).is_(None), getattr(Service, column)),
        else_=getattr(Procedure, PROCEDURE_ATTRIBUTES[column]),
    )


@dataclass(frozen=True)
class ProcedureView:
    id: int
    name: str
    url: str | None
    provision: str | None
    bayernportal: bool
    authentication: str | None
    bayernid: bool
    bundid: bool
    epayment: bool
    submits_electronically: bool
    services: int


def list_procedures(session: Session) -> list[ProcedureView]:
    query = select(col(Service.procedure_id), func.count()).group_by(col(Service.procedure_id))
    counts: dict[int | None, int] = dict(session.execute(query).all())
    procedures = sorted(
        session.exec(select(Procedure)).all(), key=lambda p: (german_key(p.name), p.id or 0)
    )
    return [
        ProcedureView(
            id=p.id or 0,
            services=counts.get(p.id, 0),
            **{name: getattr(p, name) for name in FIELDS},
        )
        for p in procedures
    ]


def add_procedure(session: Session, ctx: ChangeContext, values: Mapping[str, Any]) -> Procedure:
    name = parse_text(values.get("name"), _("Online procedure name"))
    if not name:
        raise ValidationError(_("An online service needs a name."))
    if session.exec(select(Procedure).where(Procedure.name == name)).first():
        raise Conflict(
            _("Online service {name!r} exists already.").format(name=name),
            _("Change it with 'egov procedures edit'."),
        )
    clean = {k: v for k, v in values.items() if v is not None} | {"name": name}
    procedure = Procedure(**clean, created_at=ctx.at, updated_at=ctx.at)
    session.add(procedure)
    session.flush()
    assert procedure.id is not None
    history.insert_records(
        session,
        [
            history.created(
                ctx, "procedure", procedure.id, name, {k: getattr(procedure, k) for k in FIELDS}
            )
        ],
    )
    return procedure


def edit_procedure(
    session: Session, ctx: ChangeContext, name: str, values: Mapping[str, Any]
) -> tuple[Procedure, dict[str, tuple[Any, Any]]]:
    procedure = procedure_by_name(session, name)
    updates = {k: v for k, v in values.items() if v is not None}
    if "name" in updates:
        updates["name"] = parse_text(updates["name"], _("Online procedure name"))
        if not updates["name"]:
            raise ValidationError(_("An online service needs a name."))
        clash = session.exec(select(Procedure).where(Procedure.name == updates["name"])).first()
        if clash is not None and clash.id != procedure.id:
            raise Conflict(
                _("Online service {name!r} exists already.").format(name=updates["name"])
            )
    return procedure, apply_changes(session, ctx, "procedure", procedure, updates)
