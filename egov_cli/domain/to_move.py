"""What still has to move for a target: the services in its scope below its threshold, closest
first, and, for a Digitales Amt target, the online procedures serving its scope that are not yet
linked on BayernPortal or do not yet submit electronically, those serving most services first
(a service's own online offer among them, see ``procedure_counts``).
Each list is cut at a limit and comes with its full length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal, or_, select, union_all
from sqlmodel import Session, col

from egov_cli.core.models import Procedure, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.german_order import german_order
from egov_cli.domain.procedure_counts import own_offers
from egov_cli.domain.service_scope import narrowed, scoped, service_rows
from egov_cli.values.fold import german_key


@dataclass(frozen=True)
class ToMove:
    """The first ``limit`` rows of a list (column name -> value) and how many it has in all."""

    rows: tuple[dict[str, Any], ...]
    total: int


def services_to_move(session: Session, flt: ServiceFilter, threshold: int, limit: int) -> ToMove:
    """Services in scope below ``threshold``, closest first (highest level, then name in German
    order), with the columns of :func:`~egov_cli.domain.service_scope.service_rows`."""
    below = col(Service.level) < threshold
    total = session.execute(
        narrowed(select(func.count()).select_from(Service), flt).where(below)
    ).scalar_one()
    # closest first: highest level, then name in German order (DIN 5007), then id
    order = (col(Service.level).desc(), *german_order(col(Service.name)), col(Service.id))
    # The closest ones chosen by their ids first: sorting ids (not whole rows with their
    # department) is what takes the time with many services below the threshold.
    closest = (
        narrowed(select(col(Service.id)).select_from(Service), flt)
        .where(below)
        .order_by(*order)
        .limit(limit)
        .subquery()
    )
    rows = session.execute(
        service_rows(ServiceFilter())
        .join(closest, closest.c.id == col(Service.id))
        .order_by(*order)
    ).all()
    return ToMove(
        tuple(
            sorted(
                (dict(r._mapping) for r in rows),
                key=lambda r: (-r["level"], german_key(r["name"])),
            )
        ),
        int(total),
    )


def procedures_to_move(session: Session, flt: ServiceFilter, limit: int) -> ToMove:
    """Online procedures serving the scope that are not yet on BayernPortal or do not yet
    submit electronically (name, the two flags, services in scope they serve), services' own
    online offers included (by the service's name, serving one service)."""
    serving = (
        scoped(
            select(col(Service.procedure_id), func.count().label("services")).select_from(Service),
            flt,
        )
        .where(col(Service.procedure_id).is_not(None))
        .group_by(col(Service.procedure_id))
    )
    served = serving.subquery()
    missing = or_(
        col(Procedure.bayernportal) == False,  # noqa: E712
        col(Procedure.submits_electronically) == False,  # noqa: E712
    )
    procedures = (
        select(
            col(Procedure.name).label("name"),
            col(Procedure.bayernportal).label("bayernportal"),
            col(Procedure.submits_electronically).label("submits_electronically"),
            served.c.services,
        )
        .select_from(Procedure)
        .join(served, served.c.procedure_id == col(Procedure.id))
        .where(missing)
    )
    portal = func.coalesce(col(Service.procedure_bayernportal), False)
    submits = func.coalesce(col(Service.procedure_submits), False)
    own = own_offers(
        select(
            col(Service.name).label("name"),
            portal.label("bayernportal"),
            submits.label("submits_electronically"),
            literal(1).label("services"),
        ).select_from(Service),
        flt,
    ).where(or_(portal == False, submits == False))  # noqa: E712
    both = union_all(procedures, own).subquery()
    query = select(both).order_by(both.c.services.desc(), both.c.name).limit(limit)
    rows = session.execute(query).all()
    total = session.execute(select(func.count()).select_from(both)).scalar_one()
    return ToMove(
        tuple(
            sorted(
                (
                    {
                        **r._mapping,
                        "bayernportal": bool(r.bayernportal),
                        "submits_electronically": bool(r.submits_electronically),
                    }
                    for r in rows
                ),
                key=lambda r: (-r["services"], german_key(r["name"])),
            )
        ),
        int(total),
    )
