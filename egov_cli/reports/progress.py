"""Progress of targets, computed from the change history (not from a counter).

A service's level at time T is the ``old_value`` of its earliest level update after T, if there
is one, else its current level; a service created after T did not exist at T (``levels_at``:
one window function over the level updates, the same SQL on SQLite and PostgreSQL).

Level targets count services at a threshold or higher at a series of points (the start of the
period, each week, today): :func:`level_series`, two aggregate queries whatever the number of
points. It starts from today's levels and goes back through the threshold crossings recorded
since the first point (level updates whose old and new value lie on different sides of the
threshold), read from the partial covering index ``ix_change_level``. With a consistent history
(each update's old value is the previous new value) this is the level at T above.

Status rule (also in the reports and in ``egov targets --help``):
- missed: the due date has passed and the goal is not reached;
- at risk: not missed, the goal not reached yet, and the forecast for the due date (today's count
  plus the pace so far times the weeks left) is below the goal;
- on track: otherwise (including: goal reached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Department, Procedure, Service, Target
from egov_cli.domain.catalogue import ServiceFilter, apply_filter
from egov_cli.domain.targets import DIGITALES_AMT, goal_of, scope_filter
from egov_cli.reports.document import TARGET_STATUS_LABELS, Label
from egov_cli.values.display import LOCAL_ZONE

ON_TRACK = "on-track"
AT_RISK = "at-risk"
MISSED = "missed"
STATUSES = (ON_TRACK, AT_RISK, MISSED)
STATUS_LABELS = TARGET_STATUS_LABELS
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


def _at_least(value: Any, threshold: int) -> ColumnElement[int]:
    return case((value >= threshold, 1), else_=0)


def _sum(value: Any) -> Any:
    return func.coalesce(func.sum(value), 0)


def _changed_services(first: Any, flt: ServiceFilter) -> Any:
    """A query over ``first`` (see :func:`first_level_changes`) joined with its services and
    narrowed by the filter: driven by the (few) changed services, each found by primary key."""
    return scoped(
        select().select_from(first).join(Service, col(Service.id) == first.c.service_id), flt
    )


def level_changes(change: Any = ChangeRecord) -> ColumnElement[bool]:
    """Level updates of services in ``change`` (the history table or an alias of it), stated
    as the condition of the partial covering index ``ix_change_level`` (one expression, with
    literals), so that every database answers from it."""
    return (
        col(change.entity) + literal_column("':'", String) + col(change.field)
    ) == literal_column("'service:level'", String)


#: :func:`level_changes` of the history table itself.
LEVEL_CHANGES = level_changes()


#: Up to this many points, :func:`level_series` sums per point instead of grouping.
_FEW_POINTS = 3


class _Bare(ColumnElement[Any]):
    """A column's value without the column's type affinity, for comparisons on SQLite.

    SQLite compares a DATETIME column (numeric affinity) with a bound text value by first
    trying to read the text as a number, on every comparison; a bare value (SQLite's no-op
    unary ``+``) is compared as the text it is, with the same result. Other databases get
    the column itself.
    """

    inherit_cache = True
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, value: Any):
        self.value = value
        self.type = value.type


@compiles(_Bare)
def _compile_bare(element: _Bare, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.value, **kw))


@compiles(_Bare, "sqlite")
def _compile_bare_sqlite(element: _Bare, compiler: Any, **kw: Any) -> str:
    return f"+{compiler.process(element.value, **kw)}"


def _points_before(
    column: Any, points: list[datetime], *, after_first: bool = False
) -> ColumnElement[int]:
    """How many of ``points`` (ascending) lie before ``column``'s value: 0 at once when the
    value is not after the first point (most services were created before the period), else
    a balanced CASE (a binary search of about log2(len(points)) comparisons per row), the same
    SQL on every database. ``after_first``: the query keeps only values after the first point.
    """
    value = _Bare(column)

    def between(lo: int, hi: int) -> ColumnElement[int]:
        if lo == hi:
            return literal_column(str(lo), Integer)
        mid = (lo + hi) // 2
        return case((value > points[mid], between(mid + 1, hi)), else_=between(lo, mid))

    if after_first:
        return between(1, len(points))
    return case((value <= points[0], literal_column("0", Integer)), else_=between(1, len(points)))


def _scope_condition(flt: ServiceFilter) -> ColumnElement[bool] | None:
    """The filter's conditions on ``service`` (and ``department``) as one expression, or None
    when it holds every service."""
    condition = apply_filter(select(literal(1)), flt).whereclause
    return None if condition is None else condition


def _needs_department(flt: ServiceFilter) -> bool:
    return bool(flt.department)


def _in_scope(condition: ColumnElement[bool] | None, value: Any) -> Any:
    return value if condition is None else case((condition, value), else_=0)


@dataclass(frozen=True)
class LevelSeries:
    """Services in a scope at a threshold level or higher, at each of some points in time."""

    scope_size: int  # services in scope now
    current: int  # of them at the threshold or higher now
    counts: tuple[int, ...]  # at the threshold or higher at each point


def level_series(
    session: Session, flt: ServiceFilter, threshold: int, points: list[datetime]
) -> LevelSeries:
    """The count at or above ``threshold`` at each of ``points`` (ascending); see
    :func:`level_series_many`."""
    return level_series_many(session, [(flt, threshold)], points)[0]


def level_series_many(
    session: Session, scopes: Sequence[tuple[ServiceFilter, int]], points: list[datetime]
) -> list[LevelSeries]:
    """For each (scope, threshold): the count at or above the threshold at each of ``points``
    (ascending), all in two queries, whatever the number of scopes and points.

    Up to three points (the start of a period): each service's level at each point (the old
    value of its earliest level update after it, else its current level, see the module
    docstring), one index seek in ``ix_change_level`` per service and point, counted per
    scope in one query (:func:`_counts_at`).

    More points (a weekly burn-up): count(T) = services in scope created at or before T that
    are at the threshold now, minus the threshold crossings after T of those services: level
    updates (after the service's creation) whose old and new value lie on different sides of
    the threshold, each +1 upwards and -1 downwards. A crossing at ``changed_at`` of a service
    created at ``created_at`` counts for the points T with created_at <= T < changed_at; so
    both are reduced to the number of points before them (:func:`_points_before`) and summed
    per pair in SQL (one sum per scope: a CASE on the scope), and the counts follow from a
    difference array over the points, one pass for all of them (:func:`_crossings`).

    With a consistent history (each update's old value is the previous new value, as the
    program writes it) both give the same counts.
    """
    size = len(points)
    conditions = [_scope_condition(flt) for flt, _ in scopes]
    department = any(_needs_department(flt) for flt, _ in scopes)
    diffs = [[0] * (size + 1) for _ in scopes]
    sizes = [0] * len(scopes)
    currents = [0] * len(scopes)
    level = col(Service.level)
    created_at = col(Service.created_at)

    def from_services(query: Select[Any]) -> Select[Any]:
        if department:
            query = query.outerjoin(Department, col(Service.department_id) == col(Department.id))
        return query

    totals: list[Any] = []
    for condition, (_, threshold) in zip(conditions, scopes, strict=True):
        totals.append(_sum(_in_scope(condition, literal_column("1", Integer))))
        totals.append(_sum(_in_scope(condition, _at_least(level, threshold))))
    few = len(points) <= _FEW_POINTS
    everyone = from_services(select(literal(0), *totals).select_from(Service))
    if points and not few:
        # grouped by the points before their creation: the many services created before
        # the period in one sum, the others (few, as a rule) grouped
        created = _points_before(created_at, points).label("created")
        later = _Bare(created_at) > points[0]
        by_creation = [
            everyone.where(~later),
            from_services(select(created, *totals).select_from(Service))
            .where(later)
            .group_by(created),
        ]
    else:
        by_creation = [everyone]
    for row in (row for query in by_creation for row in session.execute(query).all()):
        k = int(row[0])
        for i in range(len(scopes)):
            in_scope, flagged = int(row[1 + 2 * i]), int(row[2 + 2 * i])
            sizes[i] += in_scope
            currents[i] += flagged
            diffs[i][k] += flagged
    thresholds = [t for _, t in scopes]
    if points and scopes and few:
        at_points = _counts_at(session, from_services, conditions, thresholds, points)
        return [LevelSeries(sizes[i], currents[i], tuple(at_points[i])) for i in range(len(scopes))]
    if points and scopes:
        for created_k, changed_k, deltas in _crossings(
            session, from_services, conditions, thresholds, points
        ):
            for i, delta in enumerate(deltas):
                # counts at points created <= k < changed lack this change
                diffs[i][created_k] -= delta
                diffs[i][changed_k] += delta
    series: list[LevelSeries] = []
    for i in range(len(scopes)):
        counts: list[int] = []
        running = 0
        for k in range(size):
            running += diffs[i][k]
            counts.append(running)
        series.append(LevelSeries(sizes[i], currents[i], tuple(counts)))
    return series


def _crossings(
    session: Session,
    from_services: Any,
    conditions: list[ColumnElement[bool] | None],
    thresholds: list[int],
    points: list[datetime],
) -> list[tuple[int, int, list[int]]]:
    """Threshold crossings after ``points[0]``, summed per scope: (points before the service's
    creation, points before the change, the sum per scope), in two queries.

    Driven by the services (read in id order), each one's level updates found in
    ``ix_change_level`` by ``entity_id`` and ``changed_at``: the index is read in its own
    order. (``service.id + 0``: no lookup of services by id, which would read the table in a
    random order for each update.) SQLite sorts the crossings to group them, most of the
    query's time; it may use helper threads for that (``db.SQLITE_SORT_THREADS``).
    """
    change = ChangeRecord
    changed_at = col(change.changed_at)
    created_at = col(Service.created_at)
    new = cast(col(change.new_value), Integer)
    old = cast(col(change.old_value), Integer)
    distinct = sorted(set(thresholds))
    crossing = or_(*((new >= t) != (old >= t) for t in distinct))
    # +1 upwards, -1 downwards, 0 for a row crossing another threshold only; with one
    # threshold every row read crosses it, and the new value tells the direction
    ups: dict[int, ColumnElement[int]] = {
        t: (
            case((new >= t, 1), else_=-1)
            if len(distinct) == 1
            else _at_least(new, t) - _at_least(old, t)
        )
        for t in distinct
    }
    scope = _any_scope(conditions)
    joined = from_services(
        select().select_from(Service).join(change, col(change.entity_id) == col(Service.id) + 0)
    ).where(LEVEL_CHANGES, changed_at > points[0], changed_at >= created_at, crossing)
    if scope is not None:
        joined = joined.where(scope)
    sums = [_sum(_in_scope(c, ups[th])) for c, th in zip(conditions, thresholds, strict=True)]
    created = _points_before(created_at, points).label("created")
    changed = _points_before(changed_at, points, after_first=True).label("changed")
    later = _Bare(created_at) > points[0]
    found: list[tuple[int, int, list[int]]] = []
    # Services created before the period (most) grouped by the change's points only, those
    # created later (few, as a rule) also by the points before their creation: a smaller
    # grouping key for most rows, which SQLite sorts to group.
    for row in session.execute(
        joined.where(~later).add_columns(changed, *sums).group_by(changed)
    ).all():
        found.append((0, int(row[0]), [int(v) for v in row[1:]]))
    for row in session.execute(
        joined.where(later).add_columns(created, changed, *sums).group_by(created, changed)
    ).all():
        found.append((int(row[0]), int(row[1]), [int(v) for v in row[2:]]))
    return found


def _any_scope(conditions: list[ColumnElement[bool] | None]) -> ColumnElement[bool] | None:
    """Services in any of the scopes (None: every service)."""
    if any(c is None for c in conditions):
        return None
    return or_(*(c for c in conditions if c is not None))


def _level_after(at: datetime) -> Any:
    """A service's level at ``at`` as a correlated subquery: the old value of its earliest
    level update after ``at`` (and after its creation), else NULL. One seek in
    ``ix_change_level`` (entity_id, changed_at), read in index order (two updates of a
    service at the same microsecond are not told apart)."""
    change = aliased(ChangeRecord)
    return (
        select(cast(col(change.old_value), Integer))
        .where(
            level_changes(change),
            col(change.entity_id) == col(Service.id),
            col(change.changed_at) > at,
            col(change.changed_at) >= col(Service.created_at),
        )
        .order_by(col(change.changed_at))
        .limit(1)
        .correlate(Service)
        .scalar_subquery()
    )


def _counts_at(
    session: Session,
    from_services: Any,
    conditions: list[ColumnElement[bool] | None],
    thresholds: list[int],
    points: list[datetime],
) -> list[list[int]]:
    """Per scope, the services at or above its threshold at each of (a few) ``points``: each
    service's level at each point (:func:`_level_after`), counted in one query."""
    created_at = col(Service.created_at)
    one = literal_column("1", Integer)
    flags = [_in_scope(c, one).label(f"s{i}") for i, c in enumerate(conditions)]
    levels = [
        case((created_at <= t, func.coalesce(_level_after(t), col(Service.level)))).label(f"l{k}")
        for k, t in enumerate(points)
    ]
    inner = from_services(select(*flags, *levels).select_from(Service)).where(
        created_at <= points[-1]
    )
    scope = _any_scope(conditions)
    if scope is not None:
        inner = inner.where(scope)
    # OFFSET 0: each level is looked up once per service, not once per scope (the databases
    # do not merge a subquery with an offset into the query around it)
    sub = inner.offset(0).subquery()
    sums = [
        _sum(case((and_(sub.c[f"s{i}"] == 1, sub.c[f"l{k}"] >= th), 1), else_=0))
        for k in range(len(points))
        for i, th in enumerate(thresholds)
    ]
    row = session.execute(select(*sums)).one()
    n = len(conditions)
    return [[int(row[k * n + i]) for k in range(len(points))] for i in range(n)]


def count_at_level(
    session: Session, flt: ServiceFilter, threshold: int, at: datetime | None = None
) -> int:
    """Services in scope at ``threshold`` or higher at time ``at`` (None: now)."""
    series = level_series(session, flt, threshold, [] if at is None else [at])
    return series.current if at is None else series.counts[0]


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
    return ServiceTargets(
        total, met, overdue, due_soon, still_open, MISSED if overdue else ON_TRACK
    )


def alerts_of(statuses: list[str]) -> tuple[str, ...]:
    """The alerts for ``report run --fail-on``: ``missed`` and/or ``at-risk``, in that order."""
    return tuple(s for s in (MISSED, AT_RISK) if s in statuses)
