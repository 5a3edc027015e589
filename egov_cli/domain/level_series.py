"""Services at a threshold level or higher, at a series of points in time, from the change
history (not from a counter).

Level targets count services at a threshold or higher at a series of points (the start of the
period, each week, today): :func:`level_series`, two aggregate queries whatever the number of
points. It starts from today's levels and goes back through the threshold crossings recorded
since the first point (level updates whose old and new value lie on different sides of the
threshold), read from the partial covering index ``ix_change_level``. With a consistent history
(each update's old value is the previous new value) this is a service's level at a time as
:mod:`egov_cli.domain.levels` defines it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import InternalTraversal
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Department, Service
from egov_cli.domain.catalogue import ServiceFilter, apply_filter


def level_changes(change: Any = ChangeRecord) -> ColumnElement[bool]:
    """Level updates of services in ``change`` (the history table or an alias of it), stated
    as the condition of the partial covering index ``ix_change_level`` (one expression, with
    literals), so that every database answers from it."""
    return (
        col(change.entity) + literal_column("':'", String) + col(change.field)
    ) == literal_column("'service:level'", String)


#: :func:`level_changes` of the history table itself.
LEVEL_CHANGES = level_changes()


def _at_least(value: Any, threshold: int) -> ColumnElement[int]:
    return case((value >= threshold, 1), else_=0)


def _sum(value: Any) -> Any:
    return func.coalesce(func.sum(value), 0)


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
