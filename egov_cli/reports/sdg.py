"""The ``sdg`` report: SDG Annex II services (Single Digital Gateway) below the top level of the
maturity scale (level 4 on the OZG 1.1 scale; the scale's highest level in general)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from egov_cli.core.models import Department, Service
from egov_cli.domain.catalogue import ServiceFilter
from egov_cli.domain.days import local_day
from egov_cli.domain.scale import load_scale
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
from egov_cli.reports.scope import scope_filters, sdg_label
from egov_cli.values.fold import german_key

TITLE = Label("SDG-Anhang II", "SDG Annex II")


def build(session: Session, catalogue_label: str, now: datetime, options: ReportOptions) -> Report:
    """SDG Annex II services below the scale's highest level, with the level distribution."""
    scale = load_scale(session)
    top = max(scale.numbers) if scale.numbers else 0
    base = options.service_filter()
    flt = ServiceFilter(
        department=base.department, topic=base.topic, leika_type=base.leika_type, sdg_annex2=True
    )
    level = col(Service.level)
    counts = {
        int(lv): int(n)
        for lv, n in session.execute(
            scoped(select(level, func.count()).select_from(Service), flt).group_by(level)
        ).all()
    }
    total = sum(counts.values())
    below = sum(n for lv, n in counts.items() if lv < top)
    rows = session.execute(
        scoped(
            select(
                col(Service.leika_key),
                col(Service.name),
                col(Department.code).label("department"),
                level,
                col(Service.target_level),
                col(Service.target_date),
                col(Service.status),
            ).select_from(Service),
            flt,
        )
        .where(level < top)
        .order_by(level, col(Department.code), col(Service.search_text), col(Service.id))
        .limit(options.max_rows)
    ).all()
    section = Section(
        "sdg",
        TITLE,
        figures=(
            Figure("services", Label("SDG-Leistungen", "SDG services"), total),
            Figure("top_level", Label("Höchster Reifegrad", "Top level"), top, "level"),
            Figure("at_top", Label("Auf höchstem Reifegrad", "At the top level"), total - below),
            Figure("below_top", Label("Darunter", "Below it"), below),
            Figure(
                "share_at_top",
                Label("Anteil auf höchstem Reifegrad", "Share at the top level"),
                (total - below) / total if total else None,
                "share",
            ),
        ),
        tables=(
            Table(
                "below_top",
                Label(
                    f"SDG-Leistungen unter Reifegrad {level_label(scale, top).de}",
                    f"SDG services below level {level_label(scale, top).en}",
                ),
                (
                    Col("leika_key", Label("LeiKa-Schlüssel", "LeiKa key")),
                    Col("name", Label("Leistung", "Service")),
                    Col("department", Label("Amt", "Department")),
                    Col("level", Label("Reifegrad", "Level"), "level"),
                    Col("target_level", Label("Zielreifegrad", "Target level"), "level"),
                    Col("target_date", Label("Zieldatum", "Target date"), "date"),
                    Col("status", Label("Status", "Status"), "status"),
                ),
                tuple(
                    sorted(
                        (dict(r._mapping) for r in rows),
                        key=lambda r: (
                            r["level"],
                            german_key(r["department"]),
                            german_key(r["name"]),
                        ),
                    )
                ),
                note=None
                if below <= len(rows)
                else Label(f"{len(rows)} von {below} gezeigt.", f"{len(rows)} of {below} shown."),
            ),
        ),
        charts=(
            Chart(
                "sdg_levels",
                Label("SDG-Leistungen nach Reifegrad", "SDG services by maturity level"),
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
            ),
        ),
    )
    return Report(
        name="sdg",
        title=TITLE,
        generated_at=now,
        catalogue=catalogue_label,
        filters=scope_filters(session, options) | {"sdg_annex2": sdg_label(True)},
        sections=(section,),
        scale_labels=scale_labels(scale),
        as_of=local_day(now),
    )
