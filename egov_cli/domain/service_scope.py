"""Queries over the services a filter selects: a query narrowed by a
:class:`~egov_cli.domain.catalogue.ServiceFilter` (joined with the departments where it needs
them), the service columns report tables list, and the size of a scope.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from egov_cli.core.models import Department, Service
from egov_cli.domain.catalogue import ServiceFilter, apply_filter


def scoped(query: Any, flt: ServiceFilter) -> Select[Any]:
    """A query over ``service`` joined with its department, narrowed by the filter."""
    joined = query.outerjoin(Department, col(Service.department_id) == col(Department.id))
    return apply_filter(joined, flt)


def narrowed(query: Any, flt: ServiceFilter) -> Select[Any]:
    """Like :func:`scoped`, for queries that read no department column: joined with the
    departments only to filter by one. (The join alone makes SQLite read the services through
    an index, with one table lookup per service.)"""
    return scoped(query, flt) if flt.department else apply_filter(query, flt)


def service_rows(flt: ServiceFilter) -> Select[Any]:
    """The service columns report tables list (key, name, department, level, target level and
    date, status), over the services the filter selects."""
    return scoped(
        select(
            col(Service.leika_key),
            col(Service.name),
            col(Department.code).label("department"),
            col(Service.level),
            col(Service.target_level),
            col(Service.target_date),
            col(Service.status),
        ).select_from(Service),
        flt,
    )


def scope_size(session: Session, flt: ServiceFilter) -> int:
    return int(session.execute(scoped(select(func.count()).select_from(Service), flt)).scalar_one())
