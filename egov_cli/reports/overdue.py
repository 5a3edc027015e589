"""The ``overdue`` report: services past their target date below their target level, and those
due within N days (``ReportOptions.due_within_days``) still below it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from egov_cli.core.models import Department, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.days import local_day
from egov_cli.domain.progress import alerts_of
from egov_cli.domain.scale import load_scale
from egov_cli.domain.service_scope import scoped, service_rows
from egov_cli.reports.builders import ReportOptions
from egov_cli.reports.document import (
    Col,
    Figure,
    Label,
    Report,
    Section,
    Table,
    scale_labels,
)
from egov_cli.reports.scope import due_within_label, scope_filters
from egov_cli.values.fold import german_key

TITLE = Label("Überfällige Leistungen", "Overdue services")


def _columns(days_key: str, days_label: Label) -> tuple[Col, ...]:
    return (
        Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
        Col("name", Label("Leistung", "Service")),
        Col("department", Label("Amt", "Department")),
        Col("level", Label("Reifegrad", "Level"), "level"),
        Col("target_level", Label("Zielreifegrad", "Target level"), "level"),
        Col("target_date", Label("Zieldatum", "Target date"), "date"),
        Col(days_key, days_label, "int"),
        Col("status", Label("Status", "Status"), "status"),
    )


def _rows(
    session: Session,
    flt: ServiceFilter,
    condition: ColumnElement[bool],
    today: date,
    days_key: str,
    limit: int,
) -> tuple[tuple[dict[str, Any], ...], int]:
    below = col(Service.level) < col(Service.target_level)
    query = service_rows(flt).where(below, condition)
    total = session.execute(
        scoped(select(func.count()).select_from(Service), flt).where(below, condition)
    ).scalar_one()
    found = session.execute(
        query.order_by(
            col(Service.target_date), col(Department.code), col(Service.search_text)
        ).limit(limit)
    ).all()
    rows = []
    for row in found:
        values = dict(row._mapping)
        days = (values["target_date"] - today).days
        values[days_key] = -days if days_key == "days_overdue" else days
        rows.append(values)
    rows.sort(key=lambda r: (r["target_date"], german_key(r["department"]), german_key(r["name"])))
    return tuple(rows), int(total)


def _note(total: int, shown: int) -> Label | None:
    if total <= shown:
        return None
    return Label(f"{shown} von {total} gezeigt.", f"{shown} of {total} shown.")


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """Overdue services and those due within ``options.due_within_days`` days."""
    scale = load_scale(session)
    flt = options.service_filter()
    today = local_day(now)
    horizon = today + timedelta(days=options.due_within_days)
    target_date = col(Service.target_date)
    overdue, overdue_total = _rows(
        session, flt, target_date < today, today, "days_overdue", options.max_rows
    )
    soon, soon_total = _rows(
        session,
        flt,
        (target_date >= today) & (target_date <= horizon),
        today,
        "days_left",
        options.max_rows,
    )
    n = options.due_within_days
    section = Section(
        "overdue",
        TITLE,
        figures=(
            Figure("overdue", Label("Überfällig", "Overdue"), overdue_total),
            Figure("due_soon", Label(f"Fällig in {n} Tagen", f"Due within {n} days"), soon_total),
        ),
        tables=(
            Table(
                "overdue",
                Label(
                    "Zieldatum überschritten, Zielreifegrad nicht erreicht",
                    "Past the target date, below the target level",
                ),
                _columns("days_overdue", Label("Tage überfällig", "Days overdue")),
                overdue,
                note=_note(overdue_total, len(overdue)),
            ),
            Table(
                "due_soon",
                Label(
                    f"In den nächsten {n} Tagen fällig, Zielreifegrad noch nicht erreicht",
                    f"Due within {n} days, below the target level",
                ),
                _columns("days_left", Label("Tage bis Zieldatum", "Days left")),
                soon,
                note=_note(soon_total, len(soon)),
            ),
        ),
    )
    filters = scope_filters(session, options) | {"due_within_days": due_within_label(n)}
    return Report(
        name="overdue",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=filters,
        sections=(section,),
        scale_labels=scale_labels(scale),
        as_of=today,
        alerts=alerts_of([], overdue_services=overdue_total),
    )
