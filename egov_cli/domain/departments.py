"""Departments (Ämter / Fachbereiche)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from egov_cli.core import history
from egov_cli.core.errors import Conflict, ValidationError
from egov_cli.core.history import ChangeContext
from egov_cli.core.models import Department, Service
from egov_cli.domain.common import apply_changes, department_by_code
from egov_cli.i18n import _
from egov_cli.values.fold import german_key
from egov_cli.values.parse import parse_text


@dataclass(frozen=True)
class DepartmentView:
    id: int
    code: str
    name: str
    contact: str | None
    services: int


def list_departments(session: Session) -> list[DepartmentView]:
    counts = (
        select(col(Department.id), func.count(col(Service.id)))
        .outerjoin(Service, col(Service.department_id) == col(Department.id))
        .group_by(col(Department.id))
    )
    per_id: dict[int | None, int] = dict(session.execute(counts).all())
    departments = sorted(
        session.exec(select(Department)).all(), key=lambda d: (german_key(d.code), d.id or 0)
    )
    return [
        DepartmentView(d.id or 0, d.code, d.name, d.contact, per_id.get(d.id, 0))
        for d in departments
    ]


def _clean_code(code: str) -> str:
    code = parse_text(code, _("Department code")) or ""
    if not code or len(code) > 32:
        raise ValidationError(
            _("Department code {code!r} must be 1 to 32 characters.").format(code=code),
            _("E.g. 32 or FB3."),
        )
    return code


def add_department(
    session: Session, ctx: ChangeContext, code: str, name: str, contact: str | None = None
) -> Department:
    code = _clean_code(code)
    name = parse_text(name, _("Department name")) or ""
    contact = parse_text(contact, "Contact")
    if not name:
        raise ValidationError(_("A department needs a name."), _("E.g. 'Ordnungsamt'."))
    if session.exec(select(Department).where(Department.code == code)).first():
        raise Conflict(
            _("Department {code!r} exists already.").format(code=code),
            _("Rename it with 'egov departments rename'."),
        )
    dept = Department(code=code, name=name, contact=contact, created_at=ctx.at, updated_at=ctx.at)
    session.add(dept)
    session.flush()
    assert dept.id is not None
    history.insert_records(
        session,
        [
            history.created(
                ctx,
                "department",
                dept.id,
                code,
                {"code": code, "name": dept.name, "contact": contact},
            )
        ],
    )
    return dept


def rename_department(
    session: Session,
    ctx: ChangeContext,
    code: str,
    *,
    name: str | None = None,
    new_code: str | None = None,
    contact: str | None = None,
) -> tuple[Department, dict[str, tuple[object, object]]]:
    dept = department_by_code(session, code)
    values: dict[str, object] = {}
    if name is not None:
        values["name"] = parse_text(name, _("Department name"))
        if values["name"] is None:
            raise ValidationError(_("A department needs a name."), _("E.g. 'Ordnungsamt'."))
    if new_code is not None:
        values["code"] = _clean_code(new_code)
        clash = session.exec(select(Department).where(Department.code == values["code"])).first()
        if clash is not None and clash.id != dept.id:
            raise Conflict(
                _("Department code {code!r} is taken by {name!r}.").format(
                    code=new_code, name=clash.name
                )
            )
    if contact is not None:
        values["contact"] = parse_text(contact, "Contact")
    return dept, apply_changes(session, ctx, "department", dept, values)
