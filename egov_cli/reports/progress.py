"""Progress of targets, computed from the change history (not from a counter).

A service's level at time T is the ``old_value`` of its earliest level update after T, if there
is one, else its current level; a service created after T did not exist at T. This is one
correlated subquery per service (on ``ix_change_entity``), the same SQL on SQLite and PostgreSQL.

The weekly burn-up counts are derived in one aggregate query from the current count, going back
through the threshold crossings recorded since the start of the period (level updates whose old
and new value lie on different sides of the threshold, and creations of services that started at
or above it). With a consistent history both give the same figures.

Status rule (also in the reports and in ``egov targets --help``):
- missed: the due date has passed and the goal is not reached;
- at risk: not missed, the goal not reached yet, and the forecast for the due date (today's count
  plus the pace so far times the weeks left) is below the goal;
- on track: otherwise (including: goal reached).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from egov_cli.formats import LOCAL_ZONE
from egov_cli.models import ChangeRecord, Department, Procedure, Service, Target
from egov_cli.reports.document import Label
from egov_cli.services.catalogue import ServiceFilter, apply_filter
from egov_cli.services.targets import DIGITALES_AMT, goal_of, scope_filter

ON_TRACK = "on-track"
AT_RISK = "at-risk"
MISSED = "missed"
STATUSES = (ON_TRACK, AT_RISK, MISSED)
STATUS_LABELS = {
    ON_TRACK: Label("im Plan", "on track"),
    AT_RISK: Label("gefährdet", "at risk"),
    MISSED: Label("verfehlt", "missed"),
}
STATUS_RULE = Label(
    "Regel: verfehlt = Fälligkeitsdatum vorbei und Ziel nicht erreicht; gefährdet = Ziel noch "
    "nicht erreicht und die Prognose zum Fälligkeitsdatum (heutiger Stand + bisheriges Tempo × "
    "verbleibende Wochen) liegt unter dem Ziel; sonst im Plan.",
    "Rule: missed = due date passed and goal not reached; at risk = goal not reached yet and the "
    "forecast for the due date (today's count + pace so far × weeks left) is below the goal; "
    "on track otherwise.",
)
_ZONE = ZoneInfo(LOCAL_ZONE)


# --- time --------------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """A timestamp as aware UTC (the catalogue stores UTC; SQLite returns it naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    """The start of a local (Berlin) calendar day, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=_ZONE).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The local (Berlin) calendar day of a timestamp."""
    return aware(moment).astimezone(_ZONE).date()


# --- levels at a time --------------------------------------------------------------------------


def scoped(query: Any, flt: ServiceFilter) -> Select[Any]:
    """A query over ``service`` joined with its department, narrowed by the filter."""
    joined = query.outerjoin(Department, col(Service.department_id) == col(Department.id))
    return apply_filter(joined, flt)


def level_at(at: Any) -> ColumnElement[int]:
    """The level of the (outer) service row at time ``at``: see the module docstring.

    Only level updates made since the service's creation count (a reused id never inherits
    a removed service's history).
    """
    change = aliased(ChangeRecord)
    earliest_after = (
        select(cast(col(change.old_value), Integer))
        .where(
            col(change.entity) == "service",
            col(change.entity_id) == col(Service.id),
            col(change.field) == "level",
            col(change.changed_at) > at,
            col(change.changed_at) >= col(Service.created_at),
        )
        .order_by(col(change.changed_at), col(change.id))
        .limit(1)
        .correlate(Service)
        .scalar_subquery()
    )
    return func.coalesce(earliest_after, col(Service.level))


def count_at_level(
    session: Session, flt: ServiceFilter, threshold: int, at: datetime | None = None
) -> int:
    """Services in scope at ``threshold`` or higher at time ``at`` (None: now)."""
    query = scoped(select(func.count()).select_from(Service), flt)
    if at is None:
        query = query.where(col(Service.level) >= threshold)
    else:
        query = query.where(col(Service.created_at) <= at, level_at(at) >= threshold)
    return int(session.execute(query).scalar_one())


def levels_at(session: Session, flt: ServiceFilter, at: datetime) -> dict[int, int]:
    """Level -> number of services in scope at time ``at`` (the distribution then)."""
    level = level_at(at).label("lv")
    query = scoped(select(level, func.count()).select_from(Service), flt)
    query = query.where(col(Service.created_at) <= at).group_by(level)
    return {int(lv): int(n) for lv, n in session.execute(query).all()}


def _crossing(value: Any, threshold: int) -> ColumnElement[int]:
    return case((cast(value, Integer) >= threshold, 1), else_=0)


def level_burnup(
    session: Session, flt: ServiceFilter, threshold: int, points: list[datetime], current: int
) -> list[int]:
    """The count at or above ``threshold`` at each of ``points`` (ascending), in two queries.

    count(T) = count now - (threshold crossings after T): level updates whose old and new
    value lie on different sides of the threshold, and new services that started at or above it.
    """
    if not points:
        return []
    first = points[0]
    update_delta = _crossing(col(ChangeRecord.new_value), threshold) - _crossing(
        col(ChangeRecord.old_value), threshold
    )
    updates = scoped(
        select(
            *[
                func.coalesce(
                    func.sum(case((col(ChangeRecord.changed_at) > t, update_delta), else_=0)), 0
                )
                for t in points
            ]
        )
        .select_from(ChangeRecord)
        .join(Service, col(Service.id) == col(ChangeRecord.entity_id)),
        flt,
    ).where(
        col(ChangeRecord.entity) == "service",
        col(ChangeRecord.field) == "level",
        col(ChangeRecord.changed_at) > first,
        col(ChangeRecord.changed_at) >= col(Service.created_at),
    )
    start_level = level_at(col(Service.created_at))
    created = scoped(
        select(
            *[
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(col(Service.created_at) > t, start_level >= threshold),
                                1,
                            ),
                            else_=0,
                        )
                    ),
                    0,
                )
                for t in points
            ]
        ).select_from(Service),
        flt,
    ).where(col(Service.created_at) > first)
    moved = session.execute(updates).one()
    added = session.execute(created).one()
    return [current - int(m) - int(a) for m, a in zip(moved, added, strict=True)]


# --- Digitales Amt -----------------------------------------------------------------------------


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


def scope_size(session: Session, flt: ServiceFilter) -> int:
    return int(session.execute(scoped(select(func.count()).select_from(Service), flt)).scalar_one())


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where a target stands: counts, pace (per week), forecast, status and burn-up."""

    target_id: int
    name: str
    kind: str
    threshold_level: int | None
    scope: dict[str, str]  # filter name -> value (empty: all services)
    scope_size: int  # services (or, for Digitales Amt, procedures) in scope today
    goal: int
    goal_count: int | None
    goal_share: float | None
    start_date: date
    due_date: date
    today: date
    start_count: int
    current_count: int
    remaining: int  # still to reach the goal (0 when reached)
    weeks_elapsed: float
    weeks_left: float
    pace: float | None  # per week so far (None before the period starts)
    pace_needed: float | None  # per week from today to the due date (None when due)
    forecast: float | None  # count expected on the due date at the pace so far
    reached: bool
    status: str  # on-track, at-risk, missed
    burnup: tuple[tuple[date, int], ...]  # week by week from the start to today

    @property
    def share_reached(self) -> float | None:
        return self.current_count / self.goal if self.goal else None


def scope_dict(target: Target) -> dict[str, str]:
    flt = scope_filter(target)
    scope: dict[str, str] = {}
    if flt.department:
        scope["department"] = flt.department
    if flt.topic:
        scope["topic"] = flt.topic
    if flt.leika_type:
        scope["leika_type"] = flt.leika_type
    if flt.sdg_annex2 is not None:
        scope["sdg_annex2"] = "true" if flt.sdg_annex2 else "false"
    return scope


def week_points(start: datetime, now: datetime) -> list[datetime]:
    """Every 7 days from ``start`` while before ``now``, then ``now``."""
    if now <= start:
        return [now]
    points: list[datetime] = []
    moment = start
    while moment < now:
        points.append(moment)
        moment += timedelta(days=7)
    points.append(now)
    return points


def status_of(*, reached: bool, today: date, due: date, forecast: float | None, goal: int) -> str:
    """The stated rule (see STATUS_RULE)."""
    if reached:
        return ON_TRACK
    if today > due:
        return MISSED
    if forecast is not None and forecast < goal:
        return AT_RISK
    return ON_TRACK


def progress(session: Session, target: Target, now: datetime) -> Progress:
    """Progress of one target at ``now`` (aware UTC), all figures from SQL aggregation."""
    now = aware(now)
    today = local_day(now)
    flt = scope_filter(target)
    start = day_start(target.start_date)
    points = week_points(start, now)
    if target.kind == DIGITALES_AMT:
        size = procedure_scope_size(session, flt)
        current = count_procedures(session, flt)
        start_count = count_procedures(session, flt, start) if start < now else current
        series = [count_procedures(session, flt, t) for t in points[:-1]] + [current]
    else:
        assert target.threshold_level is not None
        size = scope_size(session, flt)
        current = count_at_level(session, flt, target.threshold_level)
        start_count = (
            count_at_level(session, flt, target.threshold_level, start) if start < now else current
        )
        series = level_burnup(session, flt, target.threshold_level, points, current)
    goal = goal_of(target, size)
    elapsed_days = (now - start).total_seconds() / 86400
    days_left = max((target.due_date - today).days, 0)
    weeks_elapsed = max(elapsed_days, 0) / 7
    weeks_left = days_left / 7
    pace = (current - start_count) / weeks_elapsed if elapsed_days >= 1 else None
    remaining = max(goal - current, 0)
    pace_needed = (remaining / weeks_left if weeks_left > 0 else None) if remaining else 0.0
    forecast = current + pace * weeks_left if pace is not None else None
    reached = current >= goal
    burn = tuple(
        (local_day(t) if i < len(points) - 1 else today, n)
        for i, (t, n) in enumerate(zip(points, series, strict=True))
    )
    assert target.id is not None
    return Progress(
        target_id=target.id,
        name=target.name,
        kind=target.kind,
        threshold_level=target.threshold_level,
        scope=scope_dict(target),
        scope_size=size,
        goal=goal,
        goal_count=target.goal_count,
        goal_share=target.goal_share,
        start_date=target.start_date,
        due_date=target.due_date,
        today=today,
        start_count=start_count,
        current_count=current,
        remaining=remaining,
        weeks_elapsed=round(weeks_elapsed, 4),
        weeks_left=round(weeks_left, 4),
        pace=round(pace, 4) if pace is not None else None,
        pace_needed=round(pace_needed, 4) if pace_needed is not None else None,
        forecast=round(forecast, 2) if forecast is not None else None,
        reached=reached,
        status=status_of(
            reached=reached, today=today, due=target.due_date, forecast=forecast, goal=goal
        ),
        burnup=burn,
    )


def all_progress(session: Session, now: datetime, name: str | None = None) -> list[Progress]:
    """Progress of every target (or the one named), by due date and name."""
    from egov_cli.services.targets import find_target, list_targets

    targets = [find_target(session, name)] if name else list_targets(session)
    return [progress(session, t, now) for t in targets]


# --- per-service targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTargets:
    """Per-service targets (Service.target_level / target_date) in a scope, at a day."""

    total: int  # services with a target level and date
    met: int  # at or above their target level
    overdue: int  # past their target date, below their target level
    due_soon: int  # due within the horizon, below their target level
    open: int  # not met, not yet due
    status: str  # missed where any is overdue, else on track


def service_targets(
    session: Session, flt: ServiceFilter, today: date, within_days: int
) -> ServiceTargets:
    """Counts of per-service targets in one aggregate query."""
    below = col(Service.level) < col(Service.target_level)
    target_date = col(Service.target_date)
    horizon = today + timedelta(days=within_days)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = scoped(
        select(
            func.count(),
            count_if(~below),
            count_if(and_(below, target_date < today)),
            count_if(and_(below, target_date >= today, target_date <= horizon)),
            count_if(and_(below, target_date >= today)),
        ).select_from(Service),
        flt,
    ).where(col(Service.target_level).is_not(None), target_date.is_not(None))
    total, met, overdue, due_soon, still_open = (int(v) for v in session.execute(query).one())
    return ServiceTargets(
        total, met, overdue, due_soon, still_open, MISSED if overdue else ON_TRACK
    )


def alerts_of(statuses: list[str]) -> tuple[str, ...]:
    """The alerts for ``report run --fail-on``: ``missed`` and/or ``at-risk``, in that order."""
    return tuple(s for s in (MISSED, AT_RISK) if s in statuses)
