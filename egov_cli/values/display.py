"""Numbers and dates for people: in the run's language (German: 1.234,5 / 31.12.2026; English:
1,234.5 / 2026-12-31), or in the language a report asks for."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = "Europe/Berlin"


def _lang(lang: str | None) -> str:
    if lang is not None:
        return lang
    from egov_cli import i18n

    return i18n.language()


def _swap(text: str) -> str:
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def number(value: float | int | None, digits: int = 0, lang: str | None = None) -> str:
    """``1234.5`` -> ``1.234,5`` (de) or ``1,234.5`` (en); None -> ``""``."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}"
    return _swap(text) if _lang(lang) == "de" else text


def count(value: int, one: str, many: str, lang: str | None = None) -> str:
    """A count with its noun: ``1 Leistung``, ``1.234 Leistungen`` (de: German digits)."""
    return f"{number(value, 0, lang)} {one if value == 1 else many}"


def percent(share: float | None, digits: int = 1, lang: str | None = None) -> str:
    """``0.425`` -> ``42,5 %`` (de) or ``42.5%`` (en)."""
    if share is None:
        return ""
    text = number(share * 100, digits, lang)
    return f"{text} %" if _lang(lang) == "de" else f"{text}%"


def day(value: date | None, lang: str | None = None) -> str:
    if value is None:
        return ""
    return value.strftime("%d.%m.%Y") if _lang(lang) == "de" else value.isoformat()


def timestamp(value: datetime | None, lang: str | None = None) -> str:
    """A UTC timestamp in local (Berlin) time: ``25.11.2026 10:15`` or ``2026-11-25 10:15``."""
    if value is None:
        return ""
    local = value.astimezone(_zone()) if value.tzinfo else value
    return clock(local, lang)


def clock(value: datetime, lang: str | None = None) -> str:
    """A date and time as given (no zone conversion): ``25.11.2026 10:15``."""
    return value.strftime("%d.%m.%Y %H:%M" if _lang(lang) == "de" else "%Y-%m-%d %H:%M")


def _zone() -> ZoneInfo:
    return ZoneInfo(LOCAL_ZONE)


def megabytes(size: int | None, lang: str | None = None) -> str:
    return "" if size is None else f"{number(size / 1024 / 1024, 1, lang)} MB"
