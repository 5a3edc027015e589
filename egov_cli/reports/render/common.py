"""What every report renderer shares: value formatting per column kind, the header, escaping.

Values are formatted for people with :mod:`egov_cli.values.display` (German numbers and dates by
default, English with ``lang="en"``); machine formats (json, the number cells of xlsx) use
:func:`plain_value` instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from egov_cli.reports.document import (
    ALERT_LABELS,
    TARGET_STATUS_LABELS,
    Chart,
    Kind,
    Label,
    Report,
    Section,
)
from egov_cli.values import display as formats
from egov_cli.values.vocab import STATUSES, label_of

#: Output formats of every report (``rich`` is the terminal view, rendered in ``egov_cli.cli``).
FORMATS = ("rich", "md", "html", "pdf", "xlsx", "csv", "json")
#: Formats that can be written to a file by the unattended run.
FILE_FORMATS = ("md", "html", "pdf", "xlsx", "csv", "json")
EXTENSIONS = {
    "pdf": "pdf",
    "md": "md",
    "html": "html",
    "xlsx": "xlsx",
    "csv": "csv",
    "json": "json",
    "rich": "txt",
}
LANGS = ("de", "en")
NUMERIC_KINDS = frozenset({"int", "share", "decimal"})

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

L_GENERATED = Label("Erstellt", "Generated")
L_CATALOGUE = Label("Katalog", "Catalogue")
L_FILTERS = Label("Filter", "Filters")
L_AS_OF = Label("Stand", "As of")
L_ALL = Label("alle Leistungen", "all services")
L_FIGURE = Label("Kennzahl", "Figure")
L_VALUE = Label("Wert", "Value")
L_ALERTS = Label("Warnungen", "Alerts")
L_SERIES = Label("Reihe", "Series")
L_DATE = Label("Datum", "Date")
L_NONE = Label("Keine Einträge.", "No entries.")
#: The background of a target status cell, the same in every format that has colour (HTML, PDF,
#: xlsx): green on track, amber at risk, red missed.
STATUS_FILLS = {"on-track": "#e3f2e6", "at-risk": "#fff1d6", "missed": "#fbdcd8"}


def clean(text: object) -> str:
    """User text without terminal escape sequences and control characters (tabs, newlines kept)."""
    return _CONTROL.sub("", _ANSI.sub("", str(text)))


def one_line(text: object) -> str:
    """``clean`` text on one line (newlines and tabs become spaces)."""
    return " ".join(clean(text).replace("\t", " ").splitlines())


def format_value(
    value: Any, kind: Kind, lang: str = "de", scale_labels: dict[int, str] | None = None
) -> str:
    """A cell for people: ``1.234``, ``42,5 %``, ``31.12.2026``, ``3 Online-Leistung``, ``ja``."""
    if value is None or value == "":
        return ""
    if isinstance(value, Label):
        return one_line(value(lang))
    if isinstance(value, bool) and kind not in ("text", "status", "target_status"):
        return ("ja" if value else "nein") if lang == "de" else ("yes" if value else "no")
    if kind == "int" and isinstance(value, int | float | Decimal):
        return formats.number(float(value), 0, lang)
    if kind == "decimal" and isinstance(value, int | float | Decimal):
        return formats.number(float(value), 1, lang)
    if kind == "share" and isinstance(value, int | float | Decimal):
        return formats.percent(float(value), 1, lang)
    if kind == "level" and isinstance(value, int):
        label = (scale_labels or {}).get(value)
        return f"{value} {clean(label)}" if label else str(value)
    if kind == "status":
        return one_line(label_of(STATUSES, str(value), lang))
    if kind == "target_status":
        status = TARGET_STATUS_LABELS.get(str(value))
        return one_line(status(lang) if status else value)
    if isinstance(value, datetime):
        return formats.timestamp(value, lang)
    if isinstance(value, date):
        return formats.day(value, lang)
    if isinstance(value, float | Decimal):
        return formats.number(float(value), 1, lang)
    if isinstance(value, int):
        return formats.number(value, 0, lang)
    return one_line(value)


def plain_value(value: Any, lang: str = "de") -> Any:
    """A value for machines (JSON): ISO dates, floats for decimals, text cleaned, a Label in
    the report's language."""
    if isinstance(value, Label):
        return clean(value(lang))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return clean(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean(str(value))


def as_of(report: Report) -> date:
    """The day the figures refer to: ``report.as_of``, else the local date of generation."""
    if report.as_of is not None:
        return report.as_of
    local = report.generated_at.astimezone(formats._zone()) if report.generated_at.tzinfo else None
    return (local or report.generated_at).date()


def filters_text(report: Report, lang: str) -> str:
    if not report.filters:
        return L_ALL(lang)
    return ", ".join(one_line(v(lang)) for v in report.filters.values())


def header(report: Report, lang: str) -> list[tuple[str, str]]:
    """The report header as (label, text): when generated (Berlin time), catalogue, filters."""
    zone = "MEZ/MESZ" if lang == "de" else "Berlin time"
    rows = [
        (L_GENERATED(lang), f"{formats.timestamp(report.generated_at, lang)} ({zone})"),
        (L_AS_OF(lang), formats.day(as_of(report), lang)),
        (L_CATALOGUE(lang), one_line(report.catalogue)),
        (L_FILTERS(lang), filters_text(report, lang)),
    ]
    if report.alerts:
        rows.append((L_ALERTS(lang), alerts_text(report, lang)))
    return rows


def alerts_text(report: Report, lang: str) -> str:
    return ", ".join(
        ALERT_LABELS[a](lang) if a in ALERT_LABELS else one_line(a) for a in report.alerts
    )


def figure_rows(section: Section, lang: str, scale: dict[int, str]) -> list[list[str]]:
    return [
        [one_line(f.label(lang)), format_value(f.value, f.kind, lang, scale)]
        for f in section.figures
    ]


def x_text(x: Any, lang: str) -> str:
    """A chart's x value for people (a category, or a date)."""
    if isinstance(x, datetime | date):
        return format_value(x, "date", lang)
    if isinstance(x, Label):
        return one_line(x(lang))
    return one_line(x)


def chart_table(chart: Chart, lang: str) -> tuple[list[str], list[list[str]]]:
    """A chart's data as a table: x values down, one column per series (for md, csv, rich)."""
    xs: list[Any] = []
    for series in chart.series:
        for x, _y in series.points:
            if x not in xs:
                xs.append(x)
    if chart.kind == "burnup":
        xs.sort(key=lambda v: v if isinstance(v, date) else date.min)
    x_head = (
        chart.x_label(lang) if chart.x_label else (L_DATE(lang) if chart.kind == "burnup" else "")
    )
    headers = [one_line(x_head), *(one_line(s.name(lang)) for s in chart.series)]
    lookup = [dict(s.points) for s in chart.series]
    rows = [[x_text(x, lang), *(number_text(points.get(x), lang) for points in lookup)] for x in xs]
    return headers, rows


def number_text(value: float | None, lang: str) -> str:
    """A chart value: whole numbers without decimals."""
    if value is None:
        return ""
    digits = 0 if float(value).is_integer() else 1
    return formats.number(value, digits, lang)


def file_stem(report: Report) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", report.name).strip("-") or "report"
