"""Digitales Amt counts: distinct online procedures serving the services in a scope, with their
flags (linked on BayernPortal, submits electronically) now or at a time, read from the change
history (the old value of a flag's earliest update after the time, else its current value).

A service that names no procedure but states an online offer of its own (e-payment, a
BayernPortal link … as city lists give them per service, kept on the service) is one online
procedure: counted once, with its own flags and their history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Procedure, Service
from egov_cli.core.schema import BY_FIELD, FLAG, PROCEDURE_ATTRIBUTES
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.service_scope import scoped

#: The Digitales Amt's two flags, as a service's own fields (a procedure's attributes:
#: ``PROCEDURE_ATTRIBUTES``).
FLAGS = ("procedure_bayernportal", "procedure_submits")


def _flag_at(entity: Any, name: str, field: str, at: datetime | None) -> ColumnElement[bool]:
    """The flag ``field`` of the row of ``entity`` (Procedure or Service; its history's entity
    ``name``) at time ``at`` (None: now), from the row's history: the old value of its earliest
    update after ``at``, else its current value."""
    current: ColumnElement[bool] = col(getattr(entity, field)) == true()
    if at is None:
        return current
    change = aliased(ChangeRecord)
    after = (
        col(change.entity) == name,
        col(change.entity_id) == col(entity.id),
        col(change.field) == field,
        col(change.changed_at) > at,
        col(change.changed_at) >= col(entity.created_at),
    )
    earliest_after = (
        select(col(change.old_value))
        .where(*after)
        .order_by(col(change.changed_at), col(change.id))
        .limit(1)
        .correlate(entity)
        .scalar_subquery()
    )
    changed_after = exists(select(literal(1)).select_from(change).where(*after).correlate(entity))
    return case((changed_after, earliest_after == "true"), else_=current)


def _serves_scope(flt: ServiceFilter) -> ColumnElement[bool]:
    inner = scoped(select(literal(1)).select_from(Service), flt).where(
        col(Service.procedure_id) == col(Procedure.id)
    )
    return exists(inner.correlate(Procedure))


def own_offers(query: Any, flt: ServiceFilter) -> Any:
    """``query`` over ``service`` narrowed to the services in scope without a procedure that
    state an online offer of their own: a detail given, a flag given as yes (a "no" states
    none)."""
    states = or_(
        *(
            col(getattr(Service, f)) == true()
            if BY_FIELD[f].kind == FLAG
            else col(getattr(Service, f)).is_not(None)
            for f in PROCEDURE_ATTRIBUTES
        )
    )
    return scoped(query, flt).where(col(Service.procedure_id).is_(None), states)


def count_procedures(session: Session, flt: ServiceFilter, at: datetime | None = None) -> int:
    """Distinct online procedures serving services in scope that are linked on BayernPortal
    and submit electronically (at time ``at``; None: now), services' own offers included.
    Links are today's."""
    query = select(func.count()).select_from(Procedure).where(_serves_scope(flt))
    query = query.where(
        *(_flag_at(Procedure, "procedure", PROCEDURE_ATTRIBUTES[f], at) for f in FLAGS)
    )
    own = own_offers(select(func.count()).select_from(Service), flt).where(
        *(_flag_at(Service, "service", f, at) for f in FLAGS)
    )
    if at is not None:
        query = query.where(col(Procedure.created_at) <= at)
        own = own.where(col(Service.created_at) <= at)
    return int(session.execute(query).scalar_one()) + int(session.execute(own).scalar_one())


def procedure_scope_size(session: Session, flt: ServiceFilter) -> int:
    """Distinct online procedures serving services in scope (whatever their flags), services'
    own offers included."""
    query = select(func.count()).select_from(Procedure).where(_serves_scope(flt))
    return int(session.execute(query).scalar_one()) + int(
        session.execute(own_offers(select(func.count()).select_from(Service), flt)).scalar_one()
    )
