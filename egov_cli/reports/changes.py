"""The ``changes`` report: what moved since a date or since the last ``changes`` report.

From the change history (between ``since`` and ``now``): level ups and downs (per service, its
level before the first and after the last level change in the period, for services that existed
at ``since``), new services, go-lives (status changed to live) and removed services.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, select
from sqlmodel import Session, col

from egov_cli.core.models import ChangeRecord, Department, Service
from egov_cli.domain.catalogue import apply_filter
from egov_cli.domain.days import aware, day_start, local_day
from egov_cli.domain.scale import load_scale
from egov_cli.reports.builders import ReportOptions, last_run
from egov_cli.reports.document import (
    Col,
    Figure,
    Label,
    Report,
    Section,
    Table,
    scale_labels,
)
from egov_cli.reports.scope import scope_filters, since_label
from egov_cli.values.fold import german_key

TITLE = Label("Änderungen", "Changes")
_KEY = Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key"))
_NAME = Col("name", Label("Leistung", "Service"))
_DEPT = Col("department", Label("Amt", "Department"))
_WHEN = Col("changed_at", Label("Zeitpunkt", "When"), "date")


def resolve_since(session: Session, options: ReportOptions) -> datetime | None:
    """The start of the period: the given date (local midnight) or time, the last ``changes``
    report (``since_last``), or None (the whole history)."""
    if options.since_last:
        return last_run(session, "changes")
    if isinstance(options.since, datetime):
        return aware(options.since)
    if isinstance(options.since, date):
        return day_start(options.since)
    return None


def _period(since: datetime | None, now: datetime) -> list[Any]:
    conditions: list[Any] = [col(ChangeRecord.changed_at) <= now]
    if since is not None:
        conditions.append(col(ChangeRecord.changed_at) > since)
    return conditions


def _with_service(query: Any, options: ReportOptions) -> Any:
    """Outer-join the record's service (and department) and apply the scope filters."""
    joined = query.outerjoin(
        Service,
        and_(col(Service.id) == col(ChangeRecord.entity_id), col(ChangeRecord.entity) == "service"),
    ).outerjoin(Department, col(Service.department_id) == col(Department.id))
    return apply_filter(joined, options.service_filter())


def _level_moves(
    session: Session, since: datetime | None, now: datetime, options: ReportOptions
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    ordered = (col(ChangeRecord.changed_at), col(ChangeRecord.id))
    first = func.row_number().over(partition_by=col(ChangeRecord.entity_id), order_by=ordered)
    last = func.row_number().over(
        partition_by=col(ChangeRecord.entity_id), order_by=[c.desc() for c in ordered]
    )
    numbered = (
        select(
            col(ChangeRecord.entity_id).label("entity_id"),
            col(ChangeRecord.old_value).label("old_value"),
            col(ChangeRecord.new_value).label("new_value"),
            col(ChangeRecord.changed_at).label("changed_at"),
            first.label("rn_first"),
            last.label("rn_last"),
        )
        .where(
            col(ChangeRecord.entity) == "service",
            col(ChangeRecord.field) == "level",
            *_period(since, now),
        )
        .subquery()
    )
    moves = (
        select(
            numbered.c.entity_id,
            func.max(case((numbered.c.rn_first == 1, cast(numbered.c.old_value, Integer)))).label(
                "before"
            ),
            func.max(case((numbered.c.rn_last == 1, cast(numbered.c.new_value, Integer)))).label(
                "after"
            ),
            func.max(numbered.c.changed_at).label("changed_at"),
        )
        .group_by(numbered.c.entity_id)
        .subquery()
    )
    query = (
        select(
            col(Service.leika_key),
            col(Service.name),
            col(Department.code).label("department"),
            moves.c.before,
            moves.c.after,
            moves.c.changed_at,
        )
        .select_from(moves)
        .join(Service, col(Service.id) == moves.c.entity_id)
        .outerjoin(Department, col(Service.department_id) == col(Department.id))
        .where(moves.c.before != moves.c.after)
    )
    if since is not None:
        query = query.where(col(Service.created_at) <= since)
    query = apply_filter(query, options.service_filter()).order_by(col(Service.id))
    ups: list[dict[str, Any]] = []
    downs: list[dict[str, Any]] = []
    for row in session.execute(query).all():
        values = dict(row._mapping)
        values["changed_at"] = local_day(values["changed_at"])
        (ups if values["after"] > values["before"] else downs).append(values)
    for listed in (ups, downs):
        listed.sort(key=lambda r: (german_key(r["department"]), german_key(r["name"])))
    return ups, downs


def _new_services(
    session: Session, since: datetime | None, now: datetime, options: ReportOptions
) -> list[dict[str, Any]]:
    query = _with_service(
        select(
            func.coalesce(col(Service.leika_key), col(ChangeRecord.entity_key)).label("leika_key"),
            col(Service.name),
            col(Department.code).label("department"),
            col(Service.level),
            col(ChangeRecord.changed_at),
            col(ChangeRecord.actor),
        ).select_from(ChangeRecord),
        options,
    ).where(
        col(ChangeRecord.entity) == "service",
        col(ChangeRecord.action) == "create",
        *_period(since, now),
    )
    rows = session.execute(query.order_by(col(ChangeRecord.changed_at), col(ChangeRecord.id))).all()
    return [dict(r._mapping) | {"changed_at": local_day(r.changed_at)} for r in rows]


def _go_lives(
    session: Session, since: datetime | None, now: datetime, options: ReportOptions
) -> list[dict[str, Any]]:
    went_live = (
        select(
            col(ChangeRecord.entity_id).label("entity_id"),
            func.max(col(ChangeRecord.changed_at)).label("changed_at"),
        )
        .where(
            col(ChangeRecord.entity) == "service",
            col(ChangeRecord.field) == "status",
            col(ChangeRecord.new_value) == "live",
            *_period(since, now),
        )
        .group_by(col(ChangeRecord.entity_id))
        .subquery()
    )
    query = (
        select(
            col(Service.leika_key),
            col(Service.name),
            col(Department.code).label("department"),
            col(Service.level),
            col(Service.go_live),
            went_live.c.changed_at,
        )
        .select_from(went_live)
        .join(Service, col(Service.id) == went_live.c.entity_id)
        .outerjoin(Department, col(Service.department_id) == col(Department.id))
    )
    query = apply_filter(query, options.service_filter()).order_by(
        went_live.c.changed_at, col(Service.name)
    )
    went = [
        dict(r._mapping) | {"changed_at": local_day(r.changed_at)}
        for r in session.execute(query).all()
    ]
    return sorted(went, key=lambda r: (r["changed_at"], german_key(r["name"])))


def _first_record(session: Session) -> datetime | None:
    """When the change history begins (None for an empty one)."""
    first = session.execute(select(func.min(col(ChangeRecord.changed_at)))).scalar_one_or_none()
    return None if first is None else aware(first)


def _removed(session: Session, since: datetime | None, now: datetime) -> list[dict[str, Any]]:
    query: Any = (
        select(
            col(ChangeRecord.entity_key).label("leika_key"),
            col(ChangeRecord.changed_at),
            col(ChangeRecord.actor),
        )
        .where(
            col(ChangeRecord.entity) == "service",
            col(ChangeRecord.action) == "delete",
            *_period(since, now),
        )
        .order_by(col(ChangeRecord.changed_at), col(ChangeRecord.id))
    )
    return [
        dict(r._mapping) | {"changed_at": local_day(r.changed_at)}
        for r in session.execute(query).all()
    ]


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """Level ups and downs, new services, go-lives and removed services since a date."""
    filters = scope_filters(session, options)
    scoped_report = bool(filters)
    scale = load_scale(session)
    since = resolve_since(session, options)
    ups, downs = _level_moves(session, since, now, options)
    new = _new_services(session, since, now, options)
    live = _go_lives(session, since, now, options)
    removed = [] if scoped_report else _removed(session, since, now)
    move_cols = (
        _KEY,
        _NAME,
        _DEPT,
        Col("before", Label("Reifegrad vorher", "Level before"), "level"),
        Col("after", Label("Reifegrad jetzt", "Level now"), "level"),
        _WHEN,
    )
    tables = [
        Table("level_ups", Label("Aufgestiegen", "Level ups"), move_cols, tuple(ups)),
        Table("level_downs", Label("Abgestiegen", "Level downs"), move_cols, tuple(downs)),
        Table(
            "new_services",
            Label("Neue Leistungen", "New services"),
            (
                _KEY,
                _NAME,
                _DEPT,
                Col("level", Label("Reifegrad", "Level"), "level"),
                _WHEN,
                Col("actor", Label("Von", "By")),
            ),
            tuple(new),
        ),
        Table(
            "go_lives",
            Label("Live gegangen", "Went live"),
            (
                _KEY,
                _NAME,
                _DEPT,
                Col("level", Label("Reifegrad", "Level"), "level"),
                Col("go_live", Label("Live-Datum", "Go-live date"), "date"),
                _WHEN,
            ),
            tuple(live),
        ),
    ]
    if not scoped_report:
        tables.append(
            Table(
                "removed",
                Label("Entfernte Leistungen", "Removed services"),
                (_KEY, _WHEN, Col("actor", Label("Von", "By"))),
                tuple(removed),
            )
        )
    # Without a date the report covers the whole history: since its first record.
    start = since or _first_record(session)
    figures = (
        Figure("level_ups", Label("Aufgestiegen", "Level ups"), len(ups)),
        Figure("level_downs", Label("Abgestiegen", "Level downs"), len(downs)),
        Figure("new_services", Label("Neue Leistungen", "New services"), len(new)),
        Figure("go_lives", Label("Live gegangen", "Went live"), len(live)),
        *(
            ()
            if scoped_report
            else (Figure("removed", Label("Entfernt", "Removed"), len(removed)),)
        ),
        Figure("since", Label("Seit", "Since"), local_day(start) if start else None, "date"),
    )
    if options.since_last or since is not None:
        filters["since"] = since_label(since, last=options.since_last)
    return Report(
        name="changes",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=filters,
        sections=(Section("changes", TITLE, figures=figures, tables=tuple(tables)),),
        scale_labels=scale_labels(scale),
        as_of=local_day(now),
    )
