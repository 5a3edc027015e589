"""A report as PDF, typeset in-process by Typst (the ``typst`` package: wheels for Windows, macOS
and Linux, no system libraries, so it runs unattended under cron or the Windows task scheduler).

The layout is a fixed Typst file (``report.typ`` beside this module: A4, running header with
title and date, page numbers, headings kept with what follows, table headers repeated on every
page). The report reaches it as data, never as markup: ``report.json`` carries the texts already
formatted for the report's language (so no text from the catalogue is ever read as Typst code),
and every chart is the same SVG as in the HTML report (``chart-N.svg``).

Only the fonts built into Typst are used (Libertinus Serif, with German umlauts and ß): the same
PDF on every machine, and no time spent scanning the system's fonts.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from egov_cli.reports.document import Report, Table
from egov_cli.reports.render.common import (
    L_NONE,
    NUMERIC_KINDS,
    STATUS_FILLS,
    alerts_text,
    as_of,
    format_value,
    header,
    one_line,
)
from egov_cli.reports.render.html import L_MADE, L_OF, L_PAGE, chart_svg

TEMPLATE = "report.typ"


def _table(table: Table, lang: str, scale: dict[int, str]) -> dict[str, Any]:
    rows, fills = [], []
    for row in table.rows:
        rows.append([format_value(row.get(c.key), c.kind, lang, scale) for c in table.columns])
        fills.append(
            [
                STATUS_FILLS.get(str(row.get(c.key))) if c.kind == "target_status" else None
                for c in table.columns
            ]
        )
    return {
        "title": one_line(table.title(lang)),
        "columns": [
            {"label": one_line(c.label(lang)), "numeric": c.kind in NUMERIC_KINDS}
            for c in table.columns
        ],
        "rows": rows,
        "fills": fills,
        "note": one_line(table.note(lang)) if table.note else None,
    }


def document(report: Report, lang: str = "de") -> dict[str, bytes]:
    """The Typst project of ``report``: the layout, the report's data and its charts, by file
    name (what :func:`render` compiles)."""
    scale = report.level_names(lang)
    charts: dict[str, bytes] = {}
    sections = []
    for section in report.sections:
        section_charts = []
        for chart in section.charts:
            name = f"chart-{len(charts) + 1}.svg"
            charts[name] = chart_svg(chart, lang).encode("utf-8")
            section_charts.append({"title": one_line(chart.title(lang)), "file": name})
        sections.append(
            {
                "title": one_line(section.title(lang)),
                "figures": [
                    {
                        "label": one_line(f.label(lang)),
                        "value": format_value(f.value, f.kind, lang, scale),
                    }
                    for f in section.figures
                ],
                "charts": section_charts,
                "tables": [_table(t, lang, scale) for t in section.tables],
            }
        )
    meta = header(report, lang)
    data = {
        "lang": lang,
        "title": one_line(report.title(lang)),
        "date": format_value(as_of(report), "date", lang),
        "meta": [list(row) for row in meta[:4]],
        "alert": f"{meta[-1][0]}: {alerts_text(report, lang)}" if report.alerts else None,
        "sections": sections,
        "made": L_MADE(lang),
        "page": L_PAGE(lang),
        "of": L_OF(lang),
        "none": L_NONE(lang),
    }
    layout = files(__package__).joinpath(TEMPLATE).read_bytes()
    return {
        "main.typ": layout,
        "report.json": json.dumps(data, ensure_ascii=False).encode("utf-8"),
        **charts,
    }


def render(report: Report, lang: str = "de") -> bytes:
    """The report as the bytes of a PDF file (the same bytes for the same report)."""
    import typst

    pdf = typst.compile(
        document(report, lang),  # type: ignore[call-overload]
        format="pdf",
        ignore_system_fonts=True,
        timestamp=report.generated_at.replace(microsecond=0),
    )
    assert isinstance(pdf, bytes)
    return pdf
