"""The ``targets`` report: each target with progress, pace, forecast, burn-up and the services
(or, for Digitales Amt, the online procedures) that still have to move; and per-service targets.

Target status values in tables and figures are the codes ``on-track``, ``at-risk``, ``missed``
of kind ``target_status`` (the renderers show ``document.TARGET_STATUS_LABELS``); the rule is in
each table's note. Text the report words itself (kind, scope, the per-service row) is a Label,
shown in the report's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from egov_cli.core.models import Procedure, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.levels import local_day, narrowed, scoped, service_rows
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
from egov_cli.reports.scope import scope_filters, sdg_label, target_label
from egov_cli.values.fold import german_key

TITLE = Label("Ziele", "Targets")
STATUS_RULE = Label(
    "Regel: verfehlt = Fälligkeitsdatum vorbei und Ziel nicht erreicht; gefährdet = Ziel noch "
    "nicht erreicht und die Prognose zum Fälligkeitsdatum (heutiger Stand + bisheriges Tempo × "
    "verbleibende Wochen) liegt unter dem Ziel; sonst im Plan.",
    "Rule: missed = due date passed and goal not reached; at risk = goal not reached yet and the "
    "forecast for the due date (today's count + pace so far × weeks left) is below the goal; "
    "on track otherwise.",
)
PER_SERVICE = Label("Zielvorgaben je Leistung", "Per-service targets")
KIND_LABELS = {
    "level": Label("Reifegrad", "maturity level"),
    DIGITALES_AMT: Label("Digitales Amt", "Digitales Amt"),
}

STATUS_COLUMNS = (
    Col("target", Label("Ziel", "Target")),
    Col("scope", Label("Umfang", "Scope")),
    Col("threshold", Label("Schwelle", "Threshold"), "level"),
    Col("goal", Label("Zielwert", "Goal"), "int"),
    Col("start", Label("Stand Beginn", "At start"), "int"),
    Col("current", Label("Stand heute", "Today"), "int"),
    Col("forecast", Label("Prognose (abgerundet)", "Forecast (rounded down)"), "int"),
    Col("due", Label("Fällig", "Due"), "date"),
    Col("status", Label("Status", "Status"), "target_status"),
)


ONLINE_PROCEDURES = Label(
    "Online-Dienste (BayernPortal, elektr. Einreichung)",
    "online procedures (BayernPortal, submitted electronically)",
)
ALL = Label("alle", "all")


#: How a target's scope filters read (``domain.progress.scope_dict``: filter -> value).
_SCOPE_WORDS = {
    "department": Label("Amt {}", "department {}"),
    "topic": Label("Themenfeld {}", "topic {}"),
    "leika_type": Label("LeiKa-Typ {}", "LeiKa type {}"),
}


def _scope_part(key: str, value: str, lang: str) -> str:
    if key == "sdg_annex2":
        return sdg_label(value == "true")(lang)
    words = _SCOPE_WORDS.get(key)
    return words(lang).format(value) if words else value


def scope_text(p: Progress) -> Label:
    """The target's scope in words (``Amt 50, Themenfeld Familie``; ``alle`` / ``all``)."""

    def text(lang: str) -> str:
        parts = [_scope_part(k, v, lang) for k, v in p.scope.items()]
        filters = ", ".join(parts) if parts else ALL(lang)
        return f"{ONLINE_PROCEDURES(lang)}: {filters}" if p.kind == DIGITALES_AMT else filters

    return Label(text("de"), text("en"))


def status_row(p: Progress) -> dict[str, Any]:
    return {
        "target": p.name,
        "scope": scope_text(p),
        "threshold": p.threshold_level,
        "goal": p.goal,
        "start": p.start_count,
        "current": p.current_count,
        "forecast": p.forecast,
        "due": p.due_date,
        "status": p.status,
    }


#: Services past their own target date: a line of its own, never a target's status.
SERVICES_OVERDUE = Label(
    "Leistungen nach ihrem Zieldatum unter ihrem Zielreifegrad (Zielvorgaben je Leistung)",
    "Services past their target date below their target level (per-service targets)",
)
FORECAST_NOTE = Label(
    "Prognosen sind ganze Leistungen, abgerundet.",
    "Forecasts are whole services, rounded down.",
)


def status_table(progresses: list[Progress]) -> Table:
    """The targets with their status (the rule in the note): the same targets, and the same
    statuses, as the figures above it (:func:`status_figures`)."""
    return Table(
        "target_status",
        Label("Zielstatus", "Target status"),
        STATUS_COLUMNS,
        tuple(status_row(p) for p in progresses),
        note=Label(f"{STATUS_RULE.de} {FORECAST_NOTE.de}", f"{STATUS_RULE.en} {FORECAST_NOTE.en}"),
    )


def status_figures(
    progresses: list[Progress], st: ServiceTargets | None = None
) -> tuple[Figure, ...]:
    """How many targets are in each status; then, where per-service target dates are set, how
    many services are past theirs (a line of its own: no target's status)."""
    count = {
        s: sum(1 for p in progresses if p.status == s) for s in ("on-track", "at-risk", "missed")
    }
    figures = [
        Figure("targets", Label("Ziele", "Targets"), len(progresses)),
        Figure("targets_on_track", Label("Ziele im Plan", "targets on track"), count["on-track"]),
        Figure("targets_at_risk", Label("Ziele gefährdet", "targets at risk"), count["at-risk"]),
        Figure("targets_missed", Label("Ziele verfehlt", "targets missed"), count["missed"]),
    ]
    if st is not None and st.total:
        figures.append(Figure("services_overdue", SERVICES_OVERDUE, st.overdue))
    return tuple(figures)


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
    flt = scope_filter(target)
    below = col(Service.level) < p.threshold_level
    total = session.execute(
        narrowed(select(func.count()).select_from(Service), flt).where(below)
    ).scalar_one()
    # in SQL by the folded name (to choose the closest), then in German order (DIN 5007)
    order = (col(Service.level).desc(), col(Service.search_text), col(Service.id))
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
    return Table(
        f"to_move_{p.target_id}",
        Label("Leistungen, die sich noch bewegen müssen", "Services that still have to move"),
        _MOVE_COLUMNS,
        tuple(
            sorted(
                (dict(r._mapping) for r in rows),
                key=lambda r: (-r["level"], german_key(r["name"])),
            )
        ),
        note=_more_note(total, len(rows)),
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
    flt = scope_filter(target)
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
    query = (
        select(
            col(Procedure.name),
            col(Procedure.bayernportal),
            col(Procedure.submits_electronically),
            served.c.services,
        )
        .select_from(Procedure)
        .join(served, served.c.procedure_id == col(Procedure.id))
        .where(missing)
        .order_by(served.c.services.desc(), col(Procedure.name))
    )
    rows = session.execute(query.limit(limit)).all()
    total = session.execute(
        select(func.count())
        .select_from(Procedure)
        .join(served, served.c.procedure_id == col(Procedure.id))
        .where(missing)
    ).scalar_one()
    return Table(
        f"to_move_{p.target_id}",
        Label("Online-Dienste, die noch fehlen", "Online procedures still missing"),
        (
            Col("name", Label("Online-Dienst", "Online procedure")),
            Col("bayernportal", Label("BayernPortal", "BayernPortal"), "flag"),
            Col("submits_electronically", Label("Elektr. Einreichung", "Submits online"), "flag"),
            Col("services", Label("Leistungen", "Services"), "int"),
        ),
        tuple(
            sorted(
                (dict(r._mapping) for r in rows),
                key=lambda r: (-r["services"], german_key(r["name"])),
            )
        ),
        note=_more_note(total, len(rows)),
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
