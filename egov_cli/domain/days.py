"""Days and times of the catalogue: timestamps as aware UTC (as stored), and the local (Berlin)
calendar day a timestamp falls on or a day starts at (due dates, weeks and "today" of reports
and targets are local days).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from egov_cli.values.display import LOCAL_ZONE

_ZONE = ZoneInfo(LOCAL_ZONE)


def aware(moment: datetime) -> datetime:
    """A timestamp as aware UTC (the catalogue stores UTC; SQLite returns it naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    """The start of a local (Berlin) calendar day, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=_ZONE).astimezone(UTC)


def local_day(moment: datetime) -> date:
    """The local (Berlin) calendar day of a timestamp."""
    return aware(moment).astimezone(_ZONE).date()
