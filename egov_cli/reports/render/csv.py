"""A report as CSV: one file holding the header, the headline figures and each table in turn.

Each block starts with a row naming it and ends with an empty row. German reports use ``;``
as separator (what Excel expects with German number formats), English ones ``,``. The file
starts with a byte-order mark so Excel on Windows reads the umlauts. Text that a spreadsheet
would take for a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return at its start) is
prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io

from egov_cli.reports.document import Kind, Report
from egov_cli.reports.render.common import (
    L_FIGURE,
    L_VALUE,
    NUMERIC_KINDS,
    chart_table,
    figure_rows,
    format_value,
    header,
    one_line,
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value: object, kind: Kind, lang: str, scale: dict[int, str]) -> str:
    text = format_value(value, kind, lang, scale)
    # Numbers are ours (a negative change is -3, not a formula); only text is neutralised.
    return text if kind in NUMERIC_KINDS and not isinstance(value, str) else neutral(text)


def render(report: Report, lang: str = "de") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if lang == "de" else ",", lineterminator="\r\n")
    scale = report.level_names(lang)
    writer.writerow([neutral(one_line(report.title(lang)))])
    for label, text in header(report, lang):
        writer.writerow([neutral(label), neutral(text)])
    for section in report.sections:
        title = one_line(section.title(lang))
        if section.figures:
            writer.writerow([])
            writer.writerow([neutral(title)])
            writer.writerow([L_FIGURE(lang), L_VALUE(lang)])
            for label, text in figure_rows(section, lang, scale):
                writer.writerow([neutral(label), neutral(text)])
        for table in section.tables:
            writer.writerow([])
            writer.writerow([neutral(f"{title}: {one_line(table.title(lang))}")])
            writer.writerow([neutral(one_line(c.label(lang))) for c in table.columns])
            for row in table.rows:
                writer.writerow(
                    [
                        neutral(format_value(row.get(c.key), c.kind, lang, scale))
                        for c in table.columns
                    ]
                )
        for chart in section.charts:
            headers, rows = chart_table(chart, lang)
            writer.writerow([])
            writer.writerow([neutral(f"{title}: {one_line(chart.title(lang))}")])
            writer.writerow([neutral(h) for h in headers])
            for x, *values in rows:
                writer.writerow([neutral(x), *values])
    return "\ufeff" + buffer.getvalue()
