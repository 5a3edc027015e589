"""A report as JSON, for scripts and dashboards. The shape is stable (``schema`` 1)::

    {
      "schema": 1,
      "report": "readiness",                 # the report's name
      "title": "Umsetzungsstand",            # in the chosen language
      "lang": "de",
      "generated_at": "2026-11-25T09:00:00+00:00",   # UTC
      "generated_at_local": "2026-11-25T10:00:00+01:00",  # Europe/Berlin
      "as_of": "2026-11-25",
      "catalogue": "demo.db",
      "filters": {"department": "Amt 32 (Ordnungsamt)"},  # in words; {} for all services
      "alerts": ["at-risk"],                 # what ``report run --fail-on`` looks at
      "scale": [{"level": 0, "label": "Offline"}, ...],
      "sections": [
        {"key": ..., "title": ...,
         "figures": [{"key", "label", "kind", "value", "text"}],
         "tables": [{"key", "title", "note",
                     "columns": [{"key", "label", "kind", "labels" (kind target_status:
                                  {"on-track": "im Plan", ...})}],
                     "rows": [{column key: raw value}]}],
         "charts": [{"key", "title", "kind": "bar"|"burnup", "x_label", "y_label",
                     "series": [{"name", "style", "points": [[x, y], ...]}]}]}
      ]
    }

Values are raw (numbers as numbers, shares as 0..1, dates as ISO text, levels as numbers,
target statuses as ``on-track``/``at-risk``/``missed``; text the report words itself, such as a
target's scope, in the chosen language); ``text`` of a figure is the formatted value for people. Keys are ASCII and never translated.
"""

from __future__ import annotations

import json
from typing import Any

from egov_cli.reports.document import TARGET_STATUS_LABELS, Chart, Col, Label, Report, Section
from egov_cli.reports.render.common import as_of, format_value, one_line, plain_value
from egov_cli.values import display as formats

SCHEMA = 1


def _label(label: Label | None, lang: str) -> str | None:
    return None if label is None else one_line(label(lang))


def _chart(chart: Chart, lang: str) -> dict[str, Any]:
    return {
        "key": chart.key,
        "title": _label(chart.title, lang),
        "kind": chart.kind,
        "x_label": _label(chart.x_label, lang),
        "y_label": _label(chart.y_label, lang),
        "series": [
            {
                "name": _label(s.name, lang),
                "style": s.style,
                "points": [[plain_value(x), plain_value(y)] for x, y in s.points],
            }
            for s in chart.series
        ],
    }


def _column(column: Col, lang: str) -> dict[str, Any]:
    """A table column; a target status column also names its values in the language."""
    out: dict[str, Any] = {
        "key": column.key,
        "label": _label(column.label, lang),
        "kind": column.kind,
    }
    if column.kind == "target_status":
        out["labels"] = {code: label(lang) for code, label in TARGET_STATUS_LABELS.items()}
    return out


def _section(section: Section, lang: str, scale: dict[int, str]) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": _label(section.title, lang),
        "figures": [
            {
                "key": f.key,
                "label": _label(f.label, lang),
                "kind": f.kind,
                "value": plain_value(f.value, lang),
                "text": format_value(f.value, f.kind, lang, scale),
            }
            for f in section.figures
        ],
        "tables": [
            {
                "key": t.key,
                "title": _label(t.title, lang),
                "note": _label(t.note, lang),
                "columns": [_column(c, lang) for c in t.columns],
                "rows": [
                    {c.key: plain_value(row.get(c.key), lang) for c in t.columns} for row in t.rows
                ],
            }
            for t in section.tables
        ],
        "charts": [_chart(c, lang) for c in section.charts],
    }


def document(report: Report, lang: str = "de") -> dict[str, Any]:
    """The report as plain JSON-ready data (the documented shape above)."""
    local = report.generated_at.astimezone(formats._zone()) if report.generated_at.tzinfo else None
    return {
        "schema": SCHEMA,
        "report": report.name,
        "title": _label(report.title, lang),
        "lang": lang,
        "generated_at": report.generated_at.isoformat(),
        "generated_at_local": (local or report.generated_at).isoformat(),
        "as_of": as_of(report).isoformat(),
        "catalogue": one_line(report.catalogue),
        "filters": {one_line(k): one_line(v(lang)) for k, v in report.filters.items()},
        "alerts": list(report.alerts),
        "scale": [
            {"level": level, "label": one_line(label)}
            for level, label in sorted(report.level_names(lang).items())
        ],
        "sections": [_section(s, lang, report.level_names(lang)) for s in report.sections],
    }


def render(report: Report, lang: str = "de") -> str:
    return json.dumps(document(report, lang), ensure_ascii=False, indent=2) + "\n"
