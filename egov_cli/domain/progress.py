"""Progress of rollout targets: counts at the start and today, pace, forecast, status, burn-up.

The counts come from the change history (``domain/levels.py``). Status rule (also in the
reports and in ``egov targets --help``):
- missed: the due date has passed and the goal is not reached;
- at risk: not missed, the goal not reached yet, and the forecast for the due date (today's count
  plus the pace so far times the weeks left) is below the goal;
- on track: otherwise (including: goal reached).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlmodel import Session, col

from egov_cli.core.models import Service, Target
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.days import aware, day_start, local_day
from egov_cli.domain.level_series import level_series_many
from egov_cli.domain.procedure_counts import count_procedures, procedure_scope_size
from egov_cli.domain.service_scope import narrowed
from egov_cli.domain.targets import DIGITALES_AMT, goal_of, scope_filter

ON_TRACK = "on-track"
AT_RISK = "at-risk"
MISSED = "missed"
STATUSES = (ON_TRACK, AT_RISK, MISSED)


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
    # count expected on the due date at the pace so far: a whole number, rounded down (a
    # forecast of 50.4 services is 50 services); None before the period starts
    forecast: int | None
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


def whole_count(expected: float) -> int:
    """A forecast of a count as a whole number: rounded down (what is sure to be reached at
    this pace), never below zero. Float noise (``50.99999999``) does not cost a service."""
    return max(math.floor(round(expected, 6)), 0)


def status_of(*, reached: bool, today: date, due: date, forecast: int | None, goal: int) -> str:
    """The stated rule (see the module docstring)."""
    if reached:
        return ON_TRACK
    if today > due:
        return MISSED
    if forecast is not None and forecast < goal:
        return AT_RISK
    return ON_TRACK


def progress(session: Session, target: Target, now: datetime, *, weekly: bool = True) -> Progress:
    """Progress of one target at ``now`` (aware UTC), all figures from SQL aggregation.

    ``weekly=False`` skips the weekly burn-up (the burn-up then holds the start and today).
    """
    return progress_of(session, [target], now, weekly=weekly)[0]


def _points_of(target: Target, now: datetime, weekly: bool) -> list[datetime]:
    """The burn-up's points in time: the start, each week (or none), ``now``."""
    start = day_start(target.start_date)
    return week_points(start, now) if weekly else ([start, now] if start < now else [now])


def progress_of(
    session: Session, targets: Sequence[Target], now: datetime, *, weekly: bool = True
) -> list[Progress]:
    """Progress of each of ``targets`` at ``now`` (aware UTC), in their order.

    The level targets share their queries (:func:`level_series_many`: two queries for all of
    them, at the union of their points before ``now``); Digitales Amt targets are counted one
    by one (few procedures).
    """
    now = aware(now)
    points = {id(t): _points_of(t, now, weekly) for t in targets}
    level_targets = [t for t in targets if t.kind != DIGITALES_AMT]
    union = sorted({p for t in level_targets for p in points[id(t)][:-1]})
    position = {p: i for i, p in enumerate(union)}
    found = (
        level_series_many(
            session,
            [(scope_filter(t), _threshold(t)) for t in level_targets],
            union,
        )
        if level_targets
        else []
    )
    levels = {id(t): s for t, s in zip(level_targets, found, strict=True)}
    result: list[Progress] = []
    for target in targets:
        own = points[id(target)]
        if target.kind == DIGITALES_AMT:
            flt = scope_filter(target)
            size = procedure_scope_size(session, flt)
            current = count_procedures(session, flt)
            series = [count_procedures(session, flt, t) for t in own[:-1]] + [current]
        else:
            level = levels[id(target)]
            size, current = level.scope_size, level.current
            series = [level.counts[position[t]] for t in own[:-1]] + [current]
        result.append(_progress(target, now, own, size, current, series))
    return result


def _threshold(target: Target) -> int:
    assert target.threshold_level is not None
    return target.threshold_level


def _progress(
    target: Target,
    now: datetime,
    points: list[datetime],
    size: int,
    current: int,
    series: list[int],
) -> Progress:
    """A target's progress from its counts at ``points`` (``series``; the last is today's)."""
    today = local_day(now)
    start = day_start(target.start_date)
    start_count = series[0] if start < now else current
    goal = goal_of(target, size)
    elapsed_days = (now - start).total_seconds() / 86400
    days_left = max((target.due_date - today).days, 0)
    weeks_elapsed = max(elapsed_days, 0) / 7
    weeks_left = days_left / 7
    pace = (current - start_count) / weeks_elapsed if elapsed_days >= 1 else None
    remaining = max(goal - current, 0)
    pace_needed = (remaining / weeks_left if weeks_left > 0 else None) if remaining else 0.0
    forecast = whole_count(current + pace * weeks_left) if pace is not None else None
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
        forecast=forecast,
        reached=reached,
        status=status_of(
            reached=reached, today=today, due=target.due_date, forecast=forecast, goal=goal
        ),
        burnup=burn,
    )


def all_progress(
    session: Session, now: datetime, name: str | None = None, *, weekly: bool = True
) -> list[Progress]:
    """Progress of every target (or the one named), by due date and name."""
    from egov_cli.domain.targets import find_target, list_targets

    targets = [find_target(session, name)] if name else list_targets(session)
    return progress_of(session, targets, now, weekly=weekly)


# --- per-service targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceTargets:
    """Per-service targets (Service.target_level / target_date) in a scope, at a day."""

    total: int  # services with a target level and date
    met: int  # at or above their target level
    overdue: int  # past their target date, below their target level
    due_soon: int  # due within the horizon, below their target level
    open: int  # not met, not yet due


def service_targets(
    session: Session, flt: ServiceFilter, today: date, within_days: int
) -> ServiceTargets:
    """Counts of per-service targets in one aggregate query."""
    below = col(Service.level) < col(Service.target_level)
    target_date = col(Service.target_date)
    horizon = today + timedelta(days=within_days)

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = narrowed(
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
    return ServiceTargets(total, met, overdue, due_soon, still_open)


#: The alert of services past their own target date (not a target's status).
OVERDUE = "overdue"


def alerts_of(statuses: list[str], *, overdue_services: int = 0) -> tuple[str, ...]:
    """A report's alerts: ``missed`` and/or ``at-risk`` where a target is (what
    ``report run --fail-on`` looks at), in that order, then ``overdue`` where services are past
    their own target date below their target level (per-service target dates are no target:
    they never make a target missed)."""
    found = tuple(s for s in (MISSED, AT_RISK) if s in statuses)
    return found + ((OVERDUE,) if overdue_services else ())
