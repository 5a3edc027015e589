"""Levels at a time, computed from the change history (not from a counter).

A service's level at time T is the ``old_value`` of its earliest level update after T, if there
is one, else its current level; a service created after T did not exist at T (``levels_at``:
one window function over the level updates, the same SQL on SQLite and PostgreSQL).

The counting around it lives in modules of its own: days and times
(:mod:`egov_cli.domain.days`), queries over the services a filter selects
(:mod:`egov_cli.domain.service_scope`), counts at a threshold over time
(:mod:`egov_cli.domain.level_series`) and the Digitales Amt counts of online procedures
(:mod:`egov_cli.domain.procedure_counts`). Target progress and status:
``domain/progress.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.service_scope import scoped


def first_level_changes(after: datetime | None, *, created_after: datetime | None = None) -> Any:
    """Per service, the ``old_value`` (as a number) of its earliest level update after
    ``after`` (None: since its creation), as a subquery (``service_id``, ``old_level``).

    One pass over the level updates (``ix_change_field_time``) with a window function, the
    same SQL on SQLite and PostgreSQL. Only updates made since the service's creation count
    (a reused id never inherits a removed service's history).
    """
    change = aliased(ChangeRecord)
    ordered = func.row_number().over(
        partition_by=col(change.entity_id), order_by=(col(change.changed_at), col(change.id))
    )
    numbered = (
        select(
            col(change.entity_id).label("service_id"),
            cast(col(change.old_value), Integer).label("old_level"),
            ordered.label("rn"),
        )
        .select_from(change)
        .join(Service, col(Service.id) == col(change.entity_id))
        .where(
            col(change.entity) == "service",
            col(change.field) == "level",
            col(change.changed_at) >= col(Service.created_at),
        )
    )
    if after is not None:
        numbered = numbered.where(col(change.changed_at) > after)
    if created_after is not None:
        numbered = numbered.where(
            col(Service.created_at) > created_after, col(change.changed_at) > created_after
        )
    sub = numbered.subquery()
    return select(sub.c.service_id, sub.c.old_level).where(sub.c.rn == 1).subquery()


def _changed_services(first: Any, flt: ServiceFilter) -> Any:
    """A query over ``first`` (see :func:`first_level_changes`) joined with its services and
    narrowed by the filter: driven by the (few) changed services, each found by primary key."""
    return scoped(
        select().select_from(first).join(Service, col(Service.id) == first.c.service_id), flt
    )


def levels_at(session: Session, flt: ServiceFilter, at: datetime) -> dict[int, int]:
    """Level -> number of services in scope at time ``at`` (the distribution then)."""
    level = col(Service.level)
    existing = col(Service.created_at) <= at
    counts: dict[int, int] = {}
    current = scoped(select(level, func.count()).select_from(Service), flt)
    for lv, n in session.execute(current.where(existing).group_by(level)).all():
        counts[int(lv)] = int(n)
    first = first_level_changes(at)
    changed = _changed_services(first, flt).where(existing)
    for column, sign in ((level, -1), (first.c.old_level, 1)):
        grouped = changed.add_columns(column, func.count()).group_by(column)
        for lv, n in session.execute(grouped).all():
            counts[int(lv)] = counts.get(int(lv), 0) + sign * int(n)
    return {lv: n for lv, n in sorted(counts.items()) if n}
