"""A report's scope filters in people's words, checked against the catalogue.

The header of every report says what it covers in the report's language ("Amt 33
(Bürgeramt)", "Themenfeld Familie", "SDG-Anhang II: ja"), never a field name. A filter that
matches nothing in the catalogue is an error that says so ("Kein Amt '99'."), not a report
of zeros.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import col

from egov_cli.core.errors import NotFound
from egov_cli.core.models import Department, Service
from egov_cli.i18n import _
from egov_cli.reports.document import Label
from egov_cli.values import display as formats
from egov_cli.values.display import LOCAL_ZONE
from egov_cli.values.fold import german_key

if TYPE_CHECKING:
    from sqlmodel import Session

    from egov_cli.reports.builders import ReportOptions


def scope_filters(session: Session, options: ReportOptions) -> dict[str, Label]:
    """The options' scope filters (department, Themenfeld, LeiKa type, SDG Annex II) in words,
    each checked: raises NotFound naming the filter and what the catalogue has instead."""
    shown: dict[str, Label] = {}
    if options.department:
        shown["department"] = department_label(session, options.department)
    if options.topic:
        shown["topic"] = _topic_label(session, options.topic)
    if options.leika_type:
        shown["leika_type"] = _type_label(session, options.leika_type)
    if options.sdg_annex2 is not None:
        shown["sdg_annex2"] = sdg_label(options.sdg_annex2)
    return shown


def department_label(session: Session, wanted: str) -> Label:
    """``Amt 33 (Bürgeramt)`` for a department given by code or name (as the filter matches
    it: ignoring case)."""
    value = wanted.strip().lower()
    found = session.execute(
        select(col(Department.code), col(Department.name)).where(
            (func.lower(Department.code) == value) | (func.lower(Department.name) == value)
        )
    ).first()
    if found is None:
        codes = session.execute(select(col(Department.code))).scalars().all()
        raise NotFound(
            _("No department '{code}'.").format(code=wanted),
            _("Known departments: {codes}.").format(codes=", ".join(sorted(codes, key=german_key)))
            if codes
            else _("The catalogue has no departments yet (egov departments add)."),
        )
    code, name = found
    return Label(f"Amt {code} ({name})", f"department {code} ({name})")


def _topic_label(session: Session, wanted: str) -> Label:
    value = wanted.strip().lower()
    found = session.execute(
        select(col(Service.topic)).where(func.lower(Service.topic) == value).limit(1)
    ).scalar_one_or_none()
    if found is None:
        topics = session.execute(
            select(col(Service.topic)).where(col(Service.topic).is_not(None)).distinct()
        ).scalars()
        known = sorted((t for t in topics if t), key=german_key)
        raise NotFound(
            _("No Themenfeld '{topic}' in the catalogue.").format(topic=wanted),
            _("Themenfelder in the catalogue: {topics}.").format(topics=", ".join(known))
            if known
            else _("No service of the catalogue has a Themenfeld."),
        )
    return Label(f"Themenfeld {found}", f"topic {found}")


def _type_label(session: Session, wanted: str) -> Label:
    value = wanted.strip()
    found = session.execute(
        select(func.count()).select_from(Service).where(col(Service.leika_type) == value)
    ).scalar_one()
    if not found:
        types = session.execute(
            select(col(Service.leika_type)).where(col(Service.leika_type).is_not(None)).distinct()
        ).scalars()
        known = sorted((t for t in types if t), key=german_key)
        raise NotFound(
            _("No service of LeiKa type '{type}' in the catalogue.").format(type=wanted),
            _("LeiKa types in the catalogue: {types}.").format(types=", ".join(known))
            if known
            else _("No service of the catalogue has a LeiKa type."),
        )
    return Label(f"LeiKa-Typ {value}", f"LeiKa type {value}")


def sdg_label(annex2: bool) -> Label:
    return Label(
        f"SDG-Anhang II: {'ja' if annex2 else 'nein'}",
        f"SDG Annex II: {'yes' if annex2 else 'no'}",
    )


def due_within_label(days: int) -> Label:
    return Label(f"fällig in {days} Tagen", f"due within {days} days")


def target_label(name: str) -> Label:
    return Label(f"Ziel „{name}“", f"target “{name}”")


def since_label(since: date | datetime | None, *, last: bool) -> Label:
    """``seit 31.12.2019`` (a date), ``seit dem letzten Bericht (01.08.2026 08:00)``."""
    if last and since is None:
        return Label(
            "seit Beginn (noch kein früherer Bericht)", "since the start (no earlier report)"
        )

    def when(lang: str) -> str:
        if isinstance(since, datetime):
            local = formats.timestamp(since, lang)
            midnight = since.astimezone(ZoneInfo(LOCAL_ZONE)).time() == datetime.min.time()
            return local.split(" ")[0] if midnight and not last else local
        return formats.day(since, lang)

    if last:
        return Label(
            f"seit dem letzten Bericht ({when('de')})", f"since the last report ({when('en')})"
        )
    return Label(f"seit {when('de')}", f"since {when('en')}")
