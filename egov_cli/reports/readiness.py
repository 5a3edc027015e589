"""The ``readiness`` report: how ready the city is.

Headline figures (services, online share at the scale's online threshold, level distribution),
the same per department and per Themenfeld, and the status of every target. Four aggregate
queries for the figures, plus the targets' progress queries.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from egov_cli.core.models import Department, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.days import local_day
from egov_cli.domain.procedure_counts import procedure_scope_size
from egov_cli.domain.progress import alerts_of, all_progress, service_targets
from egov_cli.domain.scale import Scale, load_scale
from egov_cli.domain.service_scope import scoped
from egov_cli.reports.builders import ReportOptions
from egov_cli.reports.document import (
    Chart,
    Col,
    Figure,
    Label,
    Report,
    Section,
    Series,
    Table,
    level_label,
    scale_labels,
)
from egov_cli.reports.scope import scope_filters
from egov_cli.reports.target_status import status_figures, status_table
from egov_cli.values.fold import german_key

TITLE = Label("Reifegrad der Verwaltungsleistungen", "Readiness of the administrative services")
NO_DEPARTMENT = Label("ohne Amt", "no department")
NO_TOPIC = Label("ohne Themenfeld", "no topic")


def online_of(counts: dict[int, int], threshold: int | None) -> int | None:
    if threshold is None:
        return None
    return sum(n for level, n in counts.items() if level >= threshold)


def share(part: int | None, whole: int) -> float | None:
    return None if part is None or not whole else part / whole


def level_columns(scale: Scale) -> tuple[Col, ...]:
    return tuple(
        Col(f"level_{lv.level}", level_label(scale, lv.level), "int") for lv in scale.levels
    )


def distribution_table(counts: dict[int, int], scale: Scale) -> Table:
    total = sum(counts.values())
    rows = tuple(
        {
            "level": lv.level,
            "online": lv.online,
            "services": counts.get(lv.level, 0),
            "share": share(counts.get(lv.level, 0), total),
        }
        for lv in scale.levels
    )
    return Table(
        "levels",
        Label("Verteilung nach Reifegrad", "Distribution by maturity level"),
        (
            Col("level", Label("Reifegrad", "Level"), "level"),
            Col("online", Label("zählt als online", "counts as online"), "flag"),
            Col("services", Label("Leistungen", "Services"), "int"),
            Col("share", Label("Anteil", "Share"), "share"),
        ),
        rows,
    )


def distribution_chart(counts: dict[int, int], scale: Scale) -> Chart:
    return Chart(
        "levels",
        Label("Leistungen nach Reifegrad", "Services by maturity level"),
        "bar",
        (
            Series(
                Label("Leistungen", "Services"),
                tuple(
                    (level_label(scale, lv.level), float(counts.get(lv.level, 0)))
                    for lv in scale.levels
                ),
            ),
        ),
        x_label=Label("Reifegrad", "Maturity level"),
        y_label=Label("Leistungen", "Services"),
    )


def grouped_table(
    key: str,
    title: Label,
    group_cols: tuple[Col, ...],
    groups: dict[tuple[Any, ...], dict[int, int]],
    scale: Scale,
) -> Table:
    threshold = scale.online_threshold
    rows = []
    for group, counts in groups.items():
        total = sum(counts.values())
        online = online_of(counts, threshold)
        row: dict[str, Any] = {c.key: v for c, v in zip(group_cols, group, strict=True)}
        row["services"] = total
        row |= {f"level_{lv.level}": counts.get(lv.level, 0) for lv in scale.levels}
        row["online"] = online
        row["online_share"] = share(online, total)
        rows.append(row)
    return Table(
        key,
        title,
        (
            *group_cols,
            Col("services", Label("Leistungen", "Services"), "int"),
            *level_columns(scale),
            Col("online", Label("online", "online"), "int"),
            Col("online_share", Label("Online-Quote", "Online share"), "share"),
        ),
        tuple(rows),
    )


def _in_german_order(
    groups: dict[tuple[Any, ...], dict[int, int]], none: Label
) -> dict[tuple[Any, ...], dict[int, int]]:
    """Groups by their first value in German order (DIN 5007), the group without one last."""
    return dict(
        sorted(groups.items(), key=lambda kv: (kv[0][0] is none, german_key(str(kv[0][0]))))
    )


def three_counts(session: Session, flt: ServiceFilter) -> Table:
    """The three counts councils meet, side by side, each with what it means: LeiKa services,
    online services (distinct online procedures) and OZG services (distinct OZG bundles)."""
    services = session.execute(scoped(select(func.count()).select_from(Service), flt)).scalar_one()
    ozg = session.execute(
        scoped(select(func.count(func.distinct(col(Service.ozg_id)))).select_from(Service), flt)
    ).scalar_one()
    rows = (
        {
            "count": Label("Leistungen (LeiKa)", "Services (LeiKa)"),
            "value": int(services),
            "meaning": Label(
                "Verwaltungsleistungen im Katalog, je LeiKa-Schlüssel einmal.",
                "Administrative services in the catalogue, once per LeiKa key.",
            ),
        },
        {
            "count": Label("Online-Dienste", "Online services"),
            "value": procedure_scope_size(session, flt),
            "meaning": Label(
                "Verschiedene Online-Dienste, über die diese Leistungen beantragt werden "
                "(ein Online-Dienst kann viele Leistungen tragen; eine Leistung mit eigenen "
                "Online-Angaben wie E-Payment, aber ohne benannten Online-Dienst, zählt als "
                "einer); so zählen BayernPortal und „Digitales Amt“.",
                "Distinct online procedures through which these services are applied for (one "
                "can carry many services; a service with online details of its own, such as "
                "e-payment, but no named procedure counts as one); what BayernPortal and "
                "“Digitales Amt” count.",
            ),
        },
        {
            "count": Label("OZG-Leistungen", "OZG services"),
            "value": int(ozg),
            "meaning": Label(
                "Verschiedene OZG-Leistungen (Leistungsbündel des OZG-Umsetzungskatalogs), "
                "denen diese Leistungen zugeordnet sind.",
                "Distinct OZG services (bundles of the OZG implementation catalogue) these "
                "services belong to.",
            ),
        },
    )
    return Table(
        "three_counts",
        Label("Drei Zählweisen", "Three ways of counting"),
        (
            Col("count", Label("Zählweise", "Count")),
            Col("value", Label("Anzahl", "Number"), "int"),
            Col("meaning", Label("Was gezählt wird", "What is counted")),
        ),
        rows,
    )


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """Headline figures, per department, per Themenfeld, target status."""
    filters = scope_filters(session, options)
    scale = load_scale(session)
    threshold = scale.online_threshold
    flt = options.service_filter()
    today = local_day(now)

    level = col(Service.level)
    counts = {
        int(lv): int(n)
        for lv, n in session.execute(
            scoped(select(level, func.count()).select_from(Service), flt).group_by(level)
        ).all()
    }
    total = sum(counts.values())
    online = online_of(counts, threshold)

    code, name = col(Department.code), col(Department.name)
    by_department: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for dcode, dname, lv, n in session.execute(
        scoped(select(code, name, level, func.count()).select_from(Service), flt)
        .group_by(code, name, level)
        .order_by(code.is_(None), code, level)
    ).all():
        group = (dcode, dname) if dcode is not None else (NO_DEPARTMENT, None)
        by_department[group][int(lv)] = int(n)

    by_department = _in_german_order(by_department, NO_DEPARTMENT)

    topic = col(Service.topic)
    by_topic: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for tp, lv, n in session.execute(
        scoped(select(topic, level, func.count()).select_from(Service), flt)
        .group_by(topic, level)
        .order_by(topic.is_(None), topic, level)
    ).all():
        by_topic[(tp if tp is not None else NO_TOPIC,)][int(lv)] = int(n)
    by_topic = _in_german_order(by_topic, NO_TOPIC)

    progresses = all_progress(session, now, weekly=False)
    st = service_targets(session, flt, today, options.due_within_days)
    statuses = [p.status for p in progresses]

    headline = Section(
        "overview",
        Label("Überblick", "Overview"),
        figures=(
            Figure("services", Label("Leistungen", "Services"), total),
            Figure(
                "online",
                Label(f"Online (ab Reifegrad {threshold})", f"Online (level {threshold} and up)"),
                online,
            ),
            Figure(
                "online_share", Label("Online-Quote", "Online share"), share(online, total), "share"
            ),
            Figure("online_threshold", Label("Online ab", "Online from"), threshold, "level"),
            *(
                Figure(
                    f"level_{lv.level}",
                    level_label(scale, lv.level),
                    counts.get(lv.level, 0),
                )
                for lv in scale.levels
            ),
        ),
        tables=(three_counts(session, flt), distribution_table(counts, scale)),
        charts=(distribution_chart(counts, scale),),
    )
    departments = Section(
        "departments",
        Label("Je Amt", "Per department"),
        tables=(
            grouped_table(
                "departments",
                Label("Reifegrad je Amt", "Maturity per department"),
                (
                    Col("department", Label("Amt", "Department")),
                    Col("department_name", Label("Bezeichnung", "Name")),
                ),
                by_department,
                scale,
            ),
        ),
    )
    topics = Section(
        "topics",
        Label("Je Themenfeld", "Per topic"),
        tables=(
            grouped_table(
                "topics",
                Label("Reifegrad je Themenfeld", "Maturity per topic"),
                (Col("topic", Label("Themenfeld", "Topic")),),
                by_topic,
                scale,
            ),
        ),
    )
    targets = Section(
        "targets",
        Label("Zielstatus", "Target status"),
        figures=status_figures(progresses, st),
        tables=(status_table(progresses),),
    )
    return Report(
        name="readiness",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=filters,
        sections=(headline, departments, topics, targets),
        scale_labels=scale_labels(scale),
        as_of=today,
        alerts=alerts_of(statuses, overdue_services=st.overdue),
    )
