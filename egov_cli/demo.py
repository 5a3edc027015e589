"""The demo catalogue: about 120 services of "Musterstadt", a mid-sized Bavarian city, with a
year of history and a year-end target.

The data comes from the shipped workbook ``catalogue/demo/demo-katalog.xlsx`` (built by
``catalogue/demo/build_demo_workbook.py`` from the LeiKa reference): its sheet ``Leistungen``
is imported through the real import (``imports.run_import``) as the state a
year ago; the dated changes of sheet ``Verlauf`` are then applied as service edits on their
(backdated) days. All dates are moved so that the workbook's reference day (``Stichtag``) is
today: the demo always shows "this year".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from egov_cli.core.errors import FileError
from egov_cli.core.history import ChangeContext
from egov_cli.core.resources import catalogue_file
from egov_cli.i18n import _
from egov_cli.values.display import LOCAL_ZONE

SOURCE = "demo"
WORKBOOK = "demo/demo-katalog.xlsx"


@dataclass(frozen=True)
class DemoResult:
    services: int
    departments: int
    procedures: int
    changes: int  # dated changes applied after the import
    target: str
    imported_at: datetime
    shift_days: int


@dataclass(frozen=True)
class _Change:
    day: date
    key: str
    values: dict[str, Any]


def workbook_path() -> Path:
    return catalogue_file(WORKBOOK)


def _local(day: date, hour: int) -> datetime:
    """``day`` at ``hour`` o'clock in Berlin, as UTC."""
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(LOCAL_ZONE)).astimezone(UTC)


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _read_sheets(path: Path) -> tuple[dict[str, str], list[tuple[Any, ...]]]:
    """The Info sheet (key -> value) and the rows of the Verlauf sheet (without header)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise FileError(
            _("The demo workbook {path} cannot be read: {reason}.").format(path=path, reason=exc),
            _("Reinstall egov-cli."),
        ) from exc
    try:
        info = {
            str(row[0]): str(row[1])
            for row in book["Info"].iter_rows(values_only=True)
            if row and row[0] is not None
        }
        history = [row for row in book["Verlauf"].iter_rows(min_row=2, values_only=True) if row[0]]
    finally:
        book.close()
    return info, history


def _changes(rows: list[tuple[Any, ...]], shift: timedelta, years: int) -> list[_Change]:
    from egov_cli.values.parse import parse_term
    from egov_cli.values.vocab import STATUSES

    changes = []
    for when, key, _name, level, status, live, target_level, target_date in rows:
        day = _day(when)
        if day is None or not key:
            continue
        values: dict[str, Any] = {}
        if level not in (None, ""):
            values["level"] = int(level)
        if status:
            values["status"] = parse_term(STATUSES, status, "status")
        if (live_day := _day(live)) is not None:
            values["go_live"] = live_day + shift
        if target_level not in (None, ""):
            values["target_level"] = int(target_level)
        if (due := _day(target_date)) is not None:
            values["target_date"] = due.replace(year=due.year + years)
        changes.append(_Change(day + shift, str(key), values))
    return changes


def build_demo(session: Session, actor: str, now: datetime) -> DemoResult:
    """Fill an empty catalogue with the demo data as of ``now`` (see the module docstring)."""
    from egov_cli.domain.catalogue import edit_service
    from egov_cli.domain.scale import load_scale
    from egov_cli.domain.targets import add_target
    from egov_cli.imports import ImportOptions, run_import

    path = workbook_path()
    info, rows = _read_sheets(path)
    today = now.astimezone(ZoneInfo(LOCAL_ZONE)).date()
    reference_day = date.fromisoformat(info["Stichtag"])
    shift = today - reference_day
    years = today.year - reference_day.year
    scale = load_scale(session)

    imported_at = _local(reference_day - timedelta(days=365) + shift, 8)
    result = run_import(
        session, path, ImportOptions(sheet="Leistungen", actor=actor, at=imported_at)
    )

    changes = _changes(rows, shift, years)
    for change in changes:
        ctx = ChangeContext(actor=actor, source=SOURCE, at=_local(change.day, 10))
        edit_service(session, ctx, change.key, change.values)

    name = info.get("Ziel", "Online-Ziel {jahr}").replace("{jahr}", str(today.year))
    start = date(today.year, 1, 1)
    add_target(
        session,
        ChangeContext(actor=actor, source=SOURCE, at=max(_local(start, 9), imported_at)),
        name,
        today=today,
        threshold_level=scale.online_threshold,
        goal_count=int(info.get("Zielwert", "60")),
        start_date=start,
        notes="Demo: Leistungen ab Reifegrad 'online' bis Jahresende.",
    )
    return DemoResult(
        services=result.created,
        departments=len(result.new_departments),
        procedures=len(result.new_procedures),
        changes=len(changes),
        target=name,
        imported_at=imported_at,
        shift_days=shift.days,
    )
