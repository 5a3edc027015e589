"""The ``targets`` report: each target with progress, pace, forecast, burn-up and the services
(or, for Digitales Amt, the online procedures) that still have to move; and per-service targets.

The status table and figures it shares with the readiness and council reports are in
``target_status.py``; what still has to move is found in ``domain/to_move.py``. Text the report
words itself (kind, scope, the per-service row) is a Label, shown in the report's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from egov_cli.domain import to_move
from egov_cli.domain.days import local_day
from egov_cli.domain.progress import (
    Progress,
    ServiceTargets,
    alerts_of,
    all_progress,
    service_targets,
)
from egov_cli.domain.scale import Scale, load_scale
from egov_cli.domain.targets import DIGITALES_AMT, scope_filter
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
    scale_labels,
)
from egov_cli.reports.scope import scope_filters, target_label
from egov_cli.reports.target_status import (
    SERVICES_OVERDUE,
    scope_text,
    status_figures,
    status_table,
)

TITLE = Label("Ziele", "Targets")
PER_SERVICE = Label("Zielvorgaben je Leistung", "Per-service targets")
KIND_LABELS = {
    "level": Label("Reifegrad", "maturity level"),
    DIGITALES_AMT: Label("Digitales Amt", "Digitales Amt"),
}


def burnup_chart(p: Progress) -> Chart:
    series = [
        Series(
            Label("Erreicht", "Reached"),
            tuple((d, float(n)) for d, n in p.burnup),
            "line",
        ),
        Series(
            Label("Ziellinie", "Goal line"),
            ((p.start_date, float(p.start_count)), (p.due_date, float(p.goal))),
            "dashed",
        ),
    ]
    if p.forecast is not None and p.today <= p.due_date:
        series.append(
            Series(
                Label("Prognose (abgerundet)", "Forecast (rounded down)"),
                ((p.today, float(p.current_count)), (p.due_date, float(p.forecast))),
                "dotted",
            )
        )
    return Chart(
        f"burnup_{p.target_id}",
        Label(f"Verlauf: {p.name}", f"Progress: {p.name}"),
        "burnup",
        tuple(series),
        x_label=Label("Woche", "Week"),
        y_label=(
            Label("Online-Dienste", "Online procedures")
            if p.kind == DIGITALES_AMT
            else Label("Leistungen ab Schwelle", "Services at threshold or above")
        ),
    )


def target_figures(p: Progress) -> tuple[Figure, ...]:
    return (
        Figure("kind", Label("Art", "Kind"), KIND_LABELS[p.kind], "text"),
        Figure("scope", Label("Umfang", "Scope"), scope_text(p), "text"),
        Figure("scope_size", Label("Im Umfang", "In scope"), p.scope_size),
        Figure("threshold", Label("Schwelle", "Threshold"), p.threshold_level, "level"),
        Figure("goal", Label("Zielwert", "Goal"), p.goal),
        Figure("start_date", Label("Beginn", "Start"), p.start_date, "date"),
        Figure("due_date", Label("Fällig", "Due"), p.due_date, "date"),
        Figure("start_count", Label("Stand Beginn", "At start"), p.start_count),
        Figure("current_count", Label("Stand heute", "Today"), p.current_count),
        Figure("share_reached", Label("Zielerreichung", "Goal reached"), p.share_reached, "share"),
        Figure("remaining", Label("Noch offen", "Still to go"), p.remaining),
        Figure(
            "pace", Label("Tempo bisher (je Woche)", "Pace so far (per week)"), p.pace, "decimal"
        ),
        Figure(
            "pace_needed",
            Label("Nötiges Tempo (je Woche)", "Pace needed (per week)"),
            p.pace_needed,
            "decimal",
        ),
        Figure("weeks_left", Label("Wochen bis Fälligkeit", "Weeks left"), p.weeks_left, "decimal"),
        Figure(
            "forecast",
            Label(
                "Prognose zum Fälligkeitsdatum (abgerundet)",
                "Forecast for the due date (rounded down)",
            ),
            p.forecast,
            "int",
        ),
        Figure("status", Label("Status", "Status"), p.status, "target_status"),
    )


_MOVE_COLUMNS = (
    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
    Col("name", Label("Leistung", "Service")),
    Col("department", Label("Amt", "Department")),
    Col("level", Label("Reifegrad", "Level"), "level"),
    Col("target_level", Label("Zielreifegrad", "Target level"), "level"),
    Col("target_date", Label("Zieldatum", "Target date"), "date"),
    Col("status", Label("Umsetzung", "Implementation"), "status"),
)


def services_to_move(session: Session, p: Progress, target: Any, limit: int) -> Table:
    """Services in scope below the threshold, closest first (highest level, then name)."""
    assert p.threshold_level is not None
    found = to_move.services_to_move(session, scope_filter(target), p.threshold_level, limit)
    return Table(
        f"to_move_{p.target_id}",
        Label("Leistungen, die sich noch bewegen müssen", "Services that still have to move"),
        _MOVE_COLUMNS,
        found.rows,
        note=_more_note(found.total, len(found.rows)),
    )


def _more_note(total: int, shown: int) -> Label | None:
    if total <= shown:
        return None
    return Label(
        f"{shown} von {total} gezeigt (die nächsten zuerst).",
        f"{shown} of {total} shown (closest first).",
    )


def procedures_to_move(session: Session, p: Progress, target: Any, limit: int) -> Table:
    """Online procedures serving the scope that are not yet on BayernPortal or do not yet
    submit electronically."""
    found = to_move.procedures_to_move(session, scope_filter(target), limit)
    return Table(
        f"to_move_{p.target_id}",
        Label("Online-Dienste, die noch fehlen", "Online procedures still missing"),
        (
            Col("name", Label("Online-Dienst", "Online procedure")),
            Col("bayernportal", Label("BayernPortal", "BayernPortal"), "flag"),
            Col("submits_electronically", Label("Elektr. Einreichung", "Submits online"), "flag"),
            Col("services", Label("Leistungen", "Services"), "int"),
        ),
        found.rows,
        note=_more_note(found.total, len(found.rows)),
    )


def per_service_section(st: ServiceTargets, options: ReportOptions) -> Section:
    return Section(
        "per_service",
        PER_SERVICE,
        figures=(
            Figure("with_target", Label("Mit Zielvorgabe", "With a target"), st.total),
            Figure("met", Label("Erreicht", "Met"), st.met),
            Figure("open", Label("Offen, noch nicht fällig", "Open, not yet due"), st.open),
            Figure(
                "due_soon",
                Label(
                    f"Fällig in {options.due_within_days} Tagen",
                    f"Due within {options.due_within_days} days",
                ),
                st.due_soon,
            ),
            Figure("overdue", SERVICES_OVERDUE, st.overdue),
        ),
    )


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """Each target with progress, pace, forecast, burn-up and what still has to move."""
    from egov_cli.domain.targets import find_target, list_targets

    scale: Scale = load_scale(session)
    today = local_day(now)
    targets = [find_target(session, options.target)] if options.target else list_targets(session)
    progresses = all_progress(session, now, options.target)
    st = (
        None
        if options.target
        else service_targets(session, options.service_filter(), today, options.due_within_days)
    )
    sections = [
        Section(
            "overview",
            Label("Überblick", "Overview"),
            figures=status_figures(progresses, st),
            tables=(status_table(progresses),),
        )
    ]
    for target, p in zip(targets, progresses, strict=True):
        to_move = (
            procedures_to_move(session, p, target, options.max_rows)
            if p.kind == DIGITALES_AMT
            else services_to_move(session, p, target, options.max_rows)
        )
        sections.append(
            Section(
                f"target_{p.target_id}",
                Label(f"Ziel: {p.name}", f"Target: {p.name}"),
                figures=target_figures(p),
                tables=(to_move,),
                charts=(burnup_chart(p),),
            )
        )
    if st is not None:
        sections.append(per_service_section(st, options))
    statuses = [p.status for p in progresses]
    filters = scope_filters(session, options)
    if options.target:
        filters["target"] = target_label(options.target)
    return Report(
        name="targets",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=filters,
        sections=tuple(sections),
        scale_labels=scale_labels(scale),
        as_of=today,
        alerts=alerts_of(statuses, overdue_services=st.overdue if st is not None else 0),
    )
