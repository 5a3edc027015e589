"""Digitales Amt counts: distinct online procedures serving the services in a scope, with their
flags (linked on BayernPortal, submits electronically) now or at a time, read from the
procedures' change history (the old value of a flag's earliest update after the time, else
its current value).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Procedure, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.service_scope import scoped


def _flag_at(flag: str, at: datetime | None) -> ColumnElement[bool]:
    """Procedure flag ``flag`` at time ``at`` (None: now), from the procedure's history."""
    current: ColumnElement[bool] = col(getattr(Procedure, flag)) == true()
    if at is None:
        return current
    change = aliased(ChangeRecord)
    earliest_after = (
        select(col(change.old_value))
        .where(
            col(change.entity) == "procedure",
            col(change.entity_id) == col(Procedure.id),
            col(change.field) == flag,
            col(change.changed_at) > at,
            col(change.changed_at) >= col(Procedure.created_at),
        )
        .order_by(col(change.changed_at), col(change.id))
        .limit(1)
        .correlate(Procedure)
        .scalar_subquery()
    )
    return or_(and_(earliest_after.is_(None), current), earliest_after == "true")


def _serves_scope(flt: ServiceFilter) -> ColumnElement[bool]:
    inner = scoped(select(literal(1)).select_from(Service), flt).where(
        col(Service.procedure_id) == col(Procedure.id)
    )
    return exists(inner.correlate(Procedure))


def count_procedures(session: Session, flt: ServiceFilter, at: datetime | None = None) -> int:
    """Distinct online procedures serving services in scope that are linked on BayernPortal
    and submit electronically (at time ``at``; None: now). Links are today's."""
    query = select(func.count()).select_from(Procedure).where(_serves_scope(flt))
    query = query.where(_flag_at("bayernportal", at), _flag_at("submits_electronically", at))
    if at is not None:
        query = query.where(col(Procedure.created_at) <= at)
    return int(session.execute(query).scalar_one())


def procedure_scope_size(session: Session, flt: ServiceFilter) -> int:
    """Distinct online procedures serving services in scope (whatever their flags)."""
    query = select(func.count()).select_from(Procedure).where(_serves_scope(flt))
    return int(session.execute(query).scalar_one())
