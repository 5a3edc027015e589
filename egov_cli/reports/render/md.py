"""A report as Markdown: headings, tables in tabulate's ``pipe`` format, charts as data tables.

All text from the catalogue is escaped, so a service named ``| a | b |`` or ``<script>`` stays
text in any Markdown viewer.
"""

from __future__ import annotations

import re

from tabulate import tabulate

from egov_cli.reports.document import Report, Table
from egov_cli.reports.render.common import (
    L_FIGURE,
    L_NONE,
    L_VALUE,
    NUMERIC_KINDS,
    chart_table,
    figure_rows,
    format_value,
    header,
    one_line,
)

_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|~#!])")
# What would start a list, a heading underline or a numbered item at the start of a line.
_LEADING = re.compile(r"^(\s*)(?=[-+](?:\s|$)|=)")
_NUMBERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")


def escape(text: object) -> str:
    """Text safe inside a Markdown table cell or heading: no pipes, markup or HTML take effect."""
    line = one_line(text)
    line = _SPECIAL.sub(r"\\\1", line)
    line = _NUMBERED.sub(r"\1\\\2", line)
    return _LEADING.sub(lambda m: m.group(1) + "\\", line)


def _pipe(headers: list[str], rows: list[list[str]], align: list[str] | None = None) -> str:
    return tabulate(
        [[escape(c) for c in row] for row in rows],
        headers=[escape(h) for h in headers],
        tablefmt="pipe",
        disable_numparse=True,
        colalign=align,
    )


def _table(table: Table, lang: str, scale: dict[int, str]) -> str:
    headers = [c.label(lang) for c in table.columns]
    rows = [
        [format_value(row.get(c.key), c.kind, lang, scale) for c in table.columns]
        for row in table.rows
    ]
    if not rows:
        return f"*{escape(L_NONE(lang))}*"
    align = ["right" if c.kind in NUMERIC_KINDS else "left" for c in table.columns]
    return _pipe(headers, rows, align)


def render(report: Report, lang: str = "de") -> str:
    scale = report.level_names(lang)
    out: list[str] = [f"# {escape(report.title(lang))}", ""]
    out += [f"- **{escape(k)}:** {escape(v)}" for k, v in header(report, lang)]
    for section in report.sections:
        out += ["", f"## {escape(section.title(lang))}"]
        if section.figures:
            out += [
                "",
                _pipe(
                    [L_FIGURE(lang), L_VALUE(lang)],
                    figure_rows(section, lang, scale),
                    ["left", "right"],
                ),
            ]
        for table in section.tables:
            out += ["", f"### {escape(table.title(lang))}", "", _table(table, lang, scale)]
            if table.note:
                out += ["", f"*{escape(table.note(lang))}*"]
        for chart in section.charts:
            headers, rows = chart_table(chart, lang)
            align = ["left"] + ["right"] * (len(headers) - 1)
            out += ["", f"### {escape(chart.title(lang))}", ""]
            out.append(_pipe(headers, rows, align) if rows else f"*{escape(L_NONE(lang))}*")
    return "\n".join(out) + "\n"
