"""A report as an Excel workbook: an overview sheet with the header, headline figures and native
Excel charts (level distribution as columns, each target's burn-up against its dashed goal
line), one sheet per table, and the charts' data on their own sheet.

Numbers, shares and dates are real cells (so people can sort and sum); every text is written
with ``write_string``, so a name like ``=HYPERLINK(...)`` stays text and never becomes a
formula. Chart and series titles refer to such text cells instead of carrying the text.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

import xlsxwriter

from egov_cli.reports.document import Chart, Label, Report, Table
from egov_cli.reports.render.common import (
    L_FIGURE,
    L_NONE,
    L_VALUE,
    STATUS_FILLS,
    format_value,
    header,
    one_line,
    x_text,
)

L_DATA = Label("Diagrammdaten", "Chart data")
L_OVERVIEW = Label("Übersicht", "Overview")
COLOURS = ("#1F5FA8", "#E07B00", "#2E8B57", "#8E44AD", "#5D6D7E")
GOAL_COLOUR = "#C0392B"
#: Excel's dash types of the line styles (as the HTML's dash patterns).
_DASHES = {"dashed": "dash", "dotted": "round_dot"}
#: Kinds written as the text people read (a status or level label, yes/no).
_TEXT_KINDS = frozenset({"text", "status", "target_status", "flag", "level"})
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def _serial(day: date) -> int:
    """An Excel date number (days since 30.12.1899)."""
    if isinstance(day, datetime):
        day = day.date()
    return (day - date(1899, 12, 30)).days


def _fit(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut after a whole word (a single longer word is
    cut where it must be): "Leistungen, die sich noch bewegen müssen" -> "Leistungen, die sich
    noch", not "... noch beweg"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    words, kept = text.split(" "), ""
    for word in words:
        longer = f"{kept} {word}" if kept else word
        if len(longer) > limit:
            break
        kept = longer
    return (kept or text[:limit]).rstrip(" ,;:-–")


def _print_setup(sheet: Any, title: str, lang: str, *, landscape: bool) -> None:
    """A4, fit to the page's width, margins, and a running header (title) and footer (page
    numbers), so that every sheet prints as a document."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.set_header(f"&L&8 {_header_text(title)}&R&8&D")
    page = "Seite &P von &N" if lang == "de" else "Page &P of &N"
    sheet.set_footer(f"&L&8egov-cli&R&8{page}")


def _header_text(text: str) -> str:
    """Text for an Excel page header: ``&`` doubled (it starts a control code), at most 200
    characters (Excel's limit for the whole header is 255)."""
    return one_line(text).replace("&", "&&")[:200]


class _Names:
    """Unique, valid sheet names (at most 31 characters, no ``[]:*?/\\``)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, wanted: str) -> str:
        base = _BAD_SHEET_CHARS.sub(" ", one_line(wanted)).strip() or "Tabelle"
        name, n = _fit(base, 31), 2
        while name.lower() in self.used:
            suffix = f" ({n})"
            name = _fit(base, 31 - len(suffix)) + suffix
            n += 1
        self.used.add(name.lower())
        return name


class _Writer:
    def __init__(self, report: Report, lang: str) -> None:
        self.report, self.lang = report, lang
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "dd.mm.yyyy" if lang == "de" else "yyyy-mm-dd",
            },
        )
        created = report.generated_at.replace(tzinfo=None)
        self.book.set_properties(
            {
                "title": one_line(report.title(lang)),
                "author": "egov-cli",
                "comments": one_line(report.catalogue),
                "created": created,
            }
        )
        b = self.book
        self.f_title = b.add_format({"bold": True, "font_size": 14})
        self.f_section = b.add_format({"bold": True, "font_size": 12, "font_color": "#1F5FA8"})
        self.f_bold = b.add_format({"bold": True})
        self.f_head = b.add_format(
            {"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True}
        )
        self.f_note = b.add_format({"italic": True, "font_color": "#555555"})
        self.f_alert = b.add_format({"bold": True, "font_color": "#C0392B"})
        self.f_int = b.add_format({"num_format": "#,##0"})
        self.f_dec = b.add_format({"num_format": "#,##0.0"})
        self.f_share = b.add_format({"num_format": "0.0%"})
        self.f_date = b.add_format({"num_format": "dd.mm.yyyy" if lang == "de" else "yyyy-mm-dd"})
        self.f_status = {
            status: b.add_format({"bg_color": fill.upper(), "border": 1, "border_color": "#D5DBE3"})
            for status, fill in STATUS_FILLS.items()
        }
        self.names = _Names()
        self.overview = b.add_worksheet(self.names(L_OVERVIEW(lang)))
        self.data: Any = None
        self.data_row = 0
        self.chart_row = 1

    # cells -------------------------------------------------------------------------------
    def text(self, sheet: Any, row: int, col: int, value: object, fmt: Any = None) -> None:
        sheet.write_string(row, col, one_line(value), fmt)

    def value(self, sheet: Any, row: int, col: int, value: Any, kind: str) -> int:
        """Write one value by kind; returns the width it needs."""
        scale = self.report.level_names(self.lang)
        if value is None or value == "":
            sheet.write_blank(row, col, None)
            return 0
        if isinstance(value, bool | Label) or kind in _TEXT_KINDS:
            text = format_value(value, kind, self.lang, scale)  # type: ignore[arg-type]
            status = self.f_status.get(str(value)) if kind == "target_status" else None
            sheet.write_string(row, col, text, status)
            return len(text)
        if isinstance(value, datetime | date) or kind == "date":
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            if isinstance(value, date):
                sheet.write_datetime(row, col, value, self.f_date)
                return 10
        if isinstance(value, int | float):
            fmt = {"share": self.f_share, "decimal": self.f_dec}.get(kind, self.f_int)
            sheet.write_number(row, col, float(value), fmt)
            return len(format_value(value, kind, self.lang, scale))  # type: ignore[arg-type]
        text = one_line(value)
        sheet.write_string(row, col, text)
        return len(text)

    # overview ------------------------------------------------------------------------------
    def write_overview(self) -> None:
        sheet, lang = self.overview, self.lang
        self.text(sheet, 0, 0, self.report.title(lang), self.f_title)
        row = 2
        for label, text in header(self.report, lang):
            self.text(sheet, row, 0, label, self.f_bold)
            self.text(sheet, row, 1, text, self.f_alert if row >= 6 else None)
            row += 1
        for section in self.report.sections:
            if not section.figures:
                continue
            row += 1
            self.text(sheet, row, 0, section.title(lang), self.f_section)
            row += 1
            self.text(sheet, row, 0, L_FIGURE(lang), self.f_head)
            self.text(sheet, row, 1, L_VALUE(lang), self.f_head)
            for figure in section.figures:
                row += 1
                self.text(sheet, row, 0, figure.label(lang))
                self.value(sheet, row, 1, figure.value, figure.kind)
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, 1, 40)
        charts = sum(len(section.charts) for section in self.report.sections)
        last_row = max(row, 1 + 17 * charts)
        sheet.print_area(0, 0, last_row, 13 if charts else 1)
        _print_setup(sheet, self.report.title(lang), lang, landscape=charts > 0)

    # tables --------------------------------------------------------------------------------
    def write_table(self, section_title: str, table: Table) -> None:
        lang = self.lang
        sheet = self.book.add_worksheet(self.names(table.title(lang)))
        self.text(sheet, 0, 0, f"{section_title}: {one_line(table.title(lang))}", self.f_section)
        widths = [len(c.label(lang)) for c in table.columns]
        for i, c in enumerate(table.columns):
            self.text(sheet, 2, i, c.label(lang), self.f_head)
        for r, row in enumerate(table.rows, start=3):
            for i, c in enumerate(table.columns):
                widths[i] = max(widths[i], self.value(sheet, r, i, row.get(c.key), c.kind))
        last = 2 + len(table.rows)
        if table.rows:
            sheet.autofilter(2, 0, last, max(len(table.columns) - 1, 0))
        else:
            last += 1
            self.text(sheet, last, 0, L_NONE(lang), self.f_note)
        if table.note:
            self.text(sheet, last + 2, 0, table.note(lang), self.f_note)
        sheet.freeze_panes(3, 0)
        shown = [min(max(width + 2, 8), 60) for width in widths]
        for i, width in enumerate(shown):
            sheet.set_column(i, i, width)
        sheet.print_area(0, 0, last + (2 if table.note else 0), max(len(table.columns) - 1, 0))
        sheet.repeat_rows(2)  # the header row on every printed page
        title = f"{one_line(self.report.title(lang))}: {one_line(table.title(lang))}"
        # Landscape where the columns are wider than a portrait A4 page (about 90 characters).
        _print_setup(sheet, title, lang, landscape=sum(shown) > 90)

    # charts --------------------------------------------------------------------------------
    def _data_sheet(self) -> Any:
        if self.data is None:
            self.data = self.book.add_worksheet(self.names(L_DATA(self.lang)))
            self.data.set_column(0, 20, 16)
            self.data.hide()  # a helper sheet: the charts read it, people need not
        return self.data

    def write_chart(self, chart: Chart) -> None:
        data, lang = self._data_sheet(), self.lang
        top = self.data_row
        name_ref = [data.name, top, 0]
        self.text(data, top, 0, chart.title(lang), self.f_section)
        colours = self._colours(chart)
        if chart.kind == "burnup":
            xl = self.book.add_chart({"type": "scatter", "subtype": "straight"})
            rows = 0
            for si, series in enumerate(chart.series):
                col = si * 2
                self.text(
                    data,
                    top + 1,
                    col,
                    chart.x_label(lang) if chart.x_label else "Datum" if lang == "de" else "Date",
                    self.f_head,
                )
                self.text(data, top + 1, col + 1, series.name(lang), self.f_head)
                points = sorted(
                    (x, y) for x, y in series.points if isinstance(x, date) and y is not None
                )
                for pi, (x, y) in enumerate(points):
                    day = x.date() if isinstance(x, datetime) else x
                    data.write_datetime(top + 2 + pi, col, day, self.f_date)
                    data.write_number(top + 2 + pi, col + 1, float(y))
                rows = max(rows, len(points))
                if not points:
                    continue
                last = top + 1 + len(points)
                line: dict[str, Any] = {"color": colours[si], "width": 2.25}
                options: dict[str, Any] = {
                    "name": [data.name, top + 1, col + 1],
                    "categories": [data.name, top + 2, col, last, col],
                    "values": [data.name, top + 2, col + 1, last, col + 1],
                    "line": line,
                    "marker": {"type": "none"},
                }
                if series.style in _DASHES:
                    # Goal line and forecast differ in form, not only in colour, and carry
                    # their name at their last point.
                    line["dash_type"] = _DASHES[series.style]
                    options["data_labels"] = {
                        "series_name": True,
                        "value": True,
                        "separator": " ",
                        "position": "below" if series.style == "dotted" else "above",
                        "custom": [{"delete": True}] * (len(points) - 1) + [None],
                    }
                xl.add_series(options)
            days = [_serial(x) for s in chart.series for x, _y in s.points if isinstance(x, date)]
            xl.set_x_axis(
                {
                    "min": min(days, default=0),
                    "max": max(days, default=1),
                    "date_axis": True,
                    "num_format": "dd.mm.yyyy" if lang == "de" else "yyyy-mm-dd",
                    "major_gridlines": {"visible": False},
                }
            )
            xl.set_y_axis(
                {"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#E3E7ED"}}}
            )
            xl.set_legend({"position": "bottom"})
            self.data_row = top + rows + 4
        else:
            xl = self.book.add_chart({"type": "column"})
            categories: list[Any] = []
            for series in chart.series:
                for x, _y in series.points:
                    if x not in categories:
                        categories.append(x)
            self.text(data, top + 1, 0, chart.x_label(lang) if chart.x_label else "", self.f_head)
            for ci, category in enumerate(categories):
                self.text(data, top + 2 + ci, 0, x_text(category, lang))
            last = top + 1 + len(categories)
            for si, series in enumerate(chart.series):
                self.text(data, top + 1, si + 1, series.name(lang), self.f_head)
                values = dict(series.points)
                for ci, category in enumerate(categories):
                    amount = values.get(category)
                    if amount is not None:
                        data.write_number(top + 2 + ci, si + 1, float(amount))
                if categories:
                    xl.add_series(
                        {
                            "name": [data.name, top + 1, si + 1],
                            "categories": [data.name, top + 2, 0, last, 0],
                            "values": [data.name, top + 2, si + 1, last, si + 1],
                            "fill": {"color": colours[si]},
                            "data_labels": {"value": True},
                            "gap": 60,
                        }
                    )
            xl.set_y_axis(
                {"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#E3E7ED"}}}
            )
            xl.set_legend({"none": True} if len(chart.series) == 1 else {"position": "bottom"})
            self.data_row = top + len(categories) + 4
        xl.set_title({"name": name_ref, "name_font": {"size": 12, "bold": True}})
        if chart.y_label:
            ref_col = 0 if chart.kind == "burnup" else len(chart.series) + 1
            self.text(data, top, ref_col + 3, chart.y_label(lang), self.f_note)
            xl.set_y_axis(
                {
                    "name": [data.name, top, ref_col + 3],
                    "min": 0,
                    "major_gridlines": {"visible": True, "line": {"color": "#E3E7ED"}},
                }
            )
        xl.set_size({"width": 640, "height": 320})
        xl.show_hidden_data()  # the chart data sits on a hidden sheet
        self.overview.insert_chart(self.chart_row, 3, xl)
        self.chart_row += 17

    def _colours(self, chart: Chart) -> list[str]:
        colours, i = [], 0
        for series in chart.series:
            if series.style == "dashed" and len(chart.series) > 1:
                colours.append(GOAL_COLOUR)
            else:
                colours.append(COLOURS[i % len(COLOURS)])
                i += 1
        return colours

    def finish(self) -> bytes:
        self.write_overview()
        for section in self.report.sections:
            for chart in section.charts:
                self.write_chart(chart)
        for section in self.report.sections:
            for table in section.tables:
                self.write_table(one_line(section.title(self.lang)), table)
        self.book.close()
        return self.buffer.getvalue()


def render(report: Report, lang: str = "de") -> bytes:
    """The report as the bytes of an .xlsx file."""
    return _Writer(report, lang).finish()
