"""Numbers and dates for people: German formats by default (1.234,5 / 31.12.2026), English on request."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = "Europe/Berlin"


def _swap(text: str) -> str:
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(value: float | int | None, digits: int = 0, lang: str = "de") -> str:
    """``1234.5`` -> ``1.234,5`` (de) or ``1,234.5`` (en); None -> ``""``."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    return _swap(text) if lang == "de" else text


def count(value: int, one: str, many: str, lang: str = "de") -> str:
    """A count with its noun: ``1 Leistung``, ``1.234 Leistungen`` (de: German digits)."""
    return f"{number(value, 0, lang)} {one if value == 1 else many}"


def percent(share: float | None, digits: int = 1, lang: str = "de") -> str:
    """``0.425`` -> ``42,5 %`` (de) or ``42.5%`` (en)."""
    if share is None:
        return ""
    text = number(share * 100, digits, lang)
    return f"{text} %" if lang == "de" else f"{text}%"


def day(value: date | None, lang: str = "de") -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if lang == "de" else value.isoformat()


def timestamp(value: datetime | None, lang: str = "de") -> str:
    """A UTC timestamp in local (Berlin) time: ``25.11.2026 10:15`` or ``2026-11-25 10:15``."""
    if value is None:
        return ""
    local = value.astimezone(_zone()) if value.tzinfo else value
    return local.strftime("%d.%m.%Y %H:%M") if lang == "de" else local.strftime("%Y-%m-%d %H:%M")


def _zone() -> ZoneInfo:
    return ZoneInfo(LOCAL_ZONE)


def megabytes(size: int | None, lang: str = "de") -> str:
    return "" if size is None else f"{number(size / 1024 / 1024, 1, lang)} MB"
