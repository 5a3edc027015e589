"""The ``council`` report: one document for the city council (Stadtrat) or a committee.

What a council asks, on a few pages:

- the three counts side by side, with what each means: LeiKa services (the catalogue), online
  services (distinct online procedures, what BayernPortal and "Digitales Amt" count) and OZG
  services (the OZG bundles the catalogue's services belong to);
- progress since the last council report (the latest recorded run of this report) and since
  the start of the year;
- the targets with status and forecast, and their burn-up charts;
- what went online in the period (services that reached the online threshold);
- what is late and why: services past their target date below their target level, with the
  notes kept on them;
- per department.

Built from the same queries as the other reports (readiness, targets, changes), so its numbers
agree with theirs.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlmodel import Session, col

from egov_cli.core.models import Department, Service
from egov_cli.domain.days import day_start, local_day
from egov_cli.domain.levels import first_level_changes, levels_at
from egov_cli.domain.procedure_counts import count_procedures, procedure_scope_size
from egov_cli.domain.progress import alerts_of, all_progress, service_targets
from egov_cli.domain.scale import load_scale
from egov_cli.domain.service_scope import scoped, service_rows
from egov_cli.reports import readiness
from egov_cli.reports.builders import ReportOptions, last_run
from egov_cli.reports.document import Col, Figure, Label, Report, Section, Table, scale_labels
from egov_cli.reports.scope import scope_filters
from egov_cli.reports.target_status import status_figures, status_table
from egov_cli.reports.targets import burnup_chart

TITLE = Label(
    "Bericht an den Stadtrat: Stand der Digitalisierung", "Council report: state of digitalisation"
)
L_LEIKA = Label("Leistungen (LeiKa)", "Services (LeiKa)")
L_PROCEDURES = Label("Online-Dienste", "Online services")
L_OZG = Label("OZG-Leistungen", "OZG services")


def _online(counts: dict[int, int], threshold: int | None) -> int:
    return readiness.online_of(counts, threshold) or 0


def _counts_section(
    session: Session, options: ReportOptions, threshold: int | None, now: datetime
) -> Section:
    flt = options.service_filter()
    level = col(Service.level)
    counts = {
        int(lv): int(n)
        for lv, n in session.execute(
            scoped(select(level, func.count()).select_from(Service), flt).group_by(level)
        ).all()
    }
    total, online = sum(counts.values()), _online(counts, threshold)
    ozg = col(Service.ozg_id)
    bundles = scoped(select(func.count(func.distinct(ozg))).select_from(Service), flt)
    ozg_total = int(session.execute(bundles.where(ozg.is_not(None))).scalar_one())
    ozg_online = (
        int(session.execute(bundles.where(ozg.is_not(None), level >= threshold)).scalar_one())
        if threshold is not None
        else 0
    )
    procedures = count_procedures(session, flt, now)
    # All online services of the scope, as the readiness report counts them; online: those
    # linked on BayernPortal that take applications electronically ("Digitales Amt").
    procedures_total = procedure_scope_size(session, flt)
    rows = (
        {
            "count": L_LEIKA,
            "total": total,
            "online": online,
            "meaning": Label(
                f"Verwaltungsleistungen im Katalog der Stadt (LeiKa-Leistungen); online = ab "
                f"Reifegrad {threshold}.",
                f"Administrative services in the city's catalogue (LeiKa services); online = "
                f"level {threshold} or higher.",
            ),
        },
        {
            "count": L_PROCEDURES,
            "total": procedures_total,
            "online": procedures,
            "meaning": Label(
                "Verschiedene Online-Dienste, über die Bürger Leistungen beantragen; ein "
                "Online-Dienst kann mehrere Leistungen tragen, eine Leistung mit eigenen "
                "Online-Angaben ohne benannten Online-Dienst zählt als einer. Online = im "
                "BayernPortal verlinkt und elektronisch einzureichen (so zählt „Digitales Amt“).",
                "Distinct online services through which people apply for services; one online "
                "service may serve several services, a service with online details of its own "
                "but no named online service counts as one. Online = linked on BayernPortal and "
                'taking applications electronically (as "Digitales Amt" counts).',
            ),
        },
        {
            "count": L_OZG,
            "total": ozg_total,
            "online": ozg_online,
            "meaning": Label(
                "OZG-Leistungsbündel, denen die Leistungen des Katalogs angehören; online = "
                "mindestens eine ihrer Leistungen ist online.",
                "OZG service bundles the catalogue's services belong to; online = at least one "
                "of their services is online.",
            ),
        },
    )
    return Section(
        "counts",
        Label("Drei Zahlen", "Three counts"),
        figures=(
            Figure("services", L_LEIKA, total),
            Figure("services_online", Label("davon online", "of which online"), online),
            Figure("procedures", L_PROCEDURES, procedures_total),
            Figure("ozg", L_OZG, ozg_total),
        ),
        tables=(
            Table(
                "counts",
                Label("Was die drei Zahlen zählen", "What the three counts count"),
                (
                    Col("count", Label("Zahl", "Count")),
                    Col("total", Label("Gesamt", "Total"), "int"),
                    Col("online", Label("Online", "Online"), "int"),
                    Col("meaning", Label("Bedeutung", "Meaning")),
                ),
                rows,
            ),
        ),
    )


def _progress_section(
    session: Session,
    options: ReportOptions,
    threshold: int | None,
    now: datetime,
    last: datetime | None,
    year_start: datetime,
) -> Section:
    flt = options.service_filter()
    moments: list[tuple[Label, datetime]] = [(Label("heute", "today"), now)]
    if last is not None:
        moments.append((Label("letzter Ratsbericht", "last council report"), last))
    moments.append((Label("Jahresbeginn", "start of the year"), year_start))
    today_online = _online(levels_at(session, flt, now), threshold)
    today_procedures = count_procedures(session, flt, now)
    rows = []
    for label, moment in moments:
        online = _online(levels_at(session, flt, moment), threshold)
        procedures = count_procedures(session, flt, moment)
        rows.append(
            {
                "when": label,
                "date": local_day(moment),
                "online": online,
                "online_since": today_online - online,
                "procedures": procedures,
                "procedures_since": today_procedures - procedures,
            }
        )
    return Section(
        "progress",
        Label("Fortschritt", "Progress"),
        tables=(
            Table(
                "progress",
                Label(
                    "Online-Leistungen und Online-Dienste: heute, beim letzten Ratsbericht, zu "
                    "Jahresbeginn",
                    "Online services and procedures: today, at the last council report, at the "
                    "start of the year",
                ),
                (
                    Col("when", Label("Zeitpunkt", "When")),
                    Col("date", Label("Datum", "Date"), "date"),
                    Col("online", Label("Leistungen online", "Services online"), "int"),
                    Col("online_since", Label("seitdem dazu", "added since"), "int"),
                    Col("procedures", L_PROCEDURES, "int"),
                    Col("procedures_since", Label("seitdem dazu", "added since"), "int"),
                ),
                tuple(rows),
                note=None
                if last is not None
                else Label(
                    "Noch kein Ratsbericht vermerkt: der Vergleich beginnt beim nächsten.",
                    "No council report on record yet: the comparison starts with the next one.",
                ),
            ),
        ),
    )


def _went_online(
    session: Session, options: ReportOptions, since: datetime, threshold: int | None
) -> Table:
    """Services online today that were not at ``since``: below the threshold then, or not yet in
    the catalogue (so the list adds up with the progress table's "added since", less the
    services that fell below the threshold)."""
    first = first_level_changes(since)
    level = col(Service.level)
    then = func.coalesce(first.c.old_level, level)
    new = col(Service.created_at) > since
    rows: list[dict[str, Any]] = []
    if threshold is not None:
        query = (
            select(
                col(Service.leika_key),
                col(Service.name),
                col(Department.code).label("department"),
                case((new, None), else_=then).label("before"),
                level.label("after"),
                new.label("new"),
            )
            .select_from(Service)
            .outerjoin(first, first.c.service_id == col(Service.id))
        )
        query = scoped(query, options.service_filter()).where(
            level >= threshold, or_(new, then < threshold)
        )
        found = session.execute(
            query.order_by(col(Department.code), col(Service.name)).limit(options.max_rows)
        ).all()
        rows = [dict(r._mapping) for r in found]
    day = local_day(since)
    return Table(
        "went_online",
        Label("Online gegangen", "Went online"),
        (
            Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
            Col("name", Label("Leistung", "Service")),
            Col("department", Label("Amt", "Department")),
            Col("before", Label("Reifegrad vorher", "Level before"), "level"),
            Col("after", Label("Reifegrad jetzt", "Level now"), "level"),
            Col("new", Label("neu im Katalog", "new in the catalogue"), "flag"),
        ),
        tuple(rows),
        note=Label(
            f"Leistungen ab Reifegrad {threshold}, die es am {day:%d.%m.%Y} noch nicht waren "
            "(oder noch nicht im Katalog standen).",
            f"Services at level {threshold} or higher that were not on {day.isoformat()} (or "
            "were not yet in the catalogue).",
        ),
    )


def _late(session: Session, options: ReportOptions, today: date) -> Table:
    """Services past their target date below their target level, with their notes (why)."""
    flt = options.service_filter()
    query = (
        service_rows(flt)
        .add_columns(col(Service.notes))
        .where(
            col(Service.level) < col(Service.target_level),
            col(Service.target_date) < today,
        )
    )
    rows = session.execute(
        query.order_by(col(Service.target_date), col(Service.name)).limit(options.max_rows)
    ).all()
    return Table(
        "late",
        Label("Verspätet, und warum", "Late, and why"),
        (
            Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
            Col("name", Label("Leistung", "Service")),
            Col("department", Label("Amt", "Department")),
            Col("level", Label("Reifegrad", "Level"), "level"),
            Col("target_level", Label("Zielreifegrad", "Target level"), "level"),
            Col("target_date", Label("Zieldatum", "Target date"), "date"),
            Col("notes", Label("Begründung (Bemerkungen)", "Reason (notes)")),
        ),
        tuple(dict(r._mapping) for r in rows),
        note=Label(
            "Leistungen nach ihrem Zieldatum unter ihrem Zielreifegrad; die Begründung stammt "
            "aus den Bemerkungen der Leistung.",
            "Services past their target date below their target level; the reason is the "
            "service's notes.",
        ),
    )


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """The council pack (the builder signature of ``egov_cli.reports.builders``)."""
    scale = load_scale(session)
    threshold = scale.online_threshold
    today = local_day(now)
    last = last_run(session, "council")
    year_start = day_start(date(today.year, 1, 1))
    since = last if last is not None and last > year_start else year_start

    progresses = all_progress(session, now, weekly=True)
    st = service_targets(session, options.service_filter(), today, options.due_within_days)
    statuses = [p.status for p in progresses]
    targets = Section(
        "targets",
        Label("Ziele: Stand und Prognose", "Targets: status and forecast"),
        figures=status_figures(progresses, st),
        tables=(status_table(progresses),),
        charts=tuple(burnup_chart(p) for p in progresses),
    )
    ready = readiness.build(session, catalogue_label, now, options)
    departments = next(s for s in ready.sections if s.key == "departments")
    sections = (
        _counts_section(session, options, threshold, now),
        _progress_section(session, options, threshold, now, last, year_start),
        targets,
        Section(
            "went_online",
            Label("Was online gegangen ist", "What went online"),
            tables=(_went_online(session, options, since, threshold),),
        ),
        Section(
            "late",
            Label("Was verspätet ist", "What is late"),
            tables=(_late(session, options, today),),
        ),
        Section("departments", departments.title, tables=departments.tables),
    )
    return Report(
        name="council",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=scope_filters(session, options),
        sections=sections,
        scale_labels=scale_labels(scale),
        as_of=today,
        alerts=alerts_of(statuses, overdue_services=st.overdue),
    )
