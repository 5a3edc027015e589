"""Report workbooks fit for print: page setup, sheet names, hidden helpers, coloured status,
goal line and forecast told apart without colour."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date

import openpyxl

from egov_cli.reports.document import Chart, Col, Label, Section, Series, Table
from egov_cli.reports.render import xlsx as report_xlsx
from egov_cli.reports.render.common import STATUS_FILLS

from .report_sample import sample_report

LONG_TITLE = Label("Leistungen, die sich noch bewegen müssen", "Services that still have to move")


def _workbook_with_status_and_forecast() -> bytes:
    report = sample_report()
    status = Table(
        "target_status",
        LONG_TITLE,
        (
            Col("name", Label("Ziel", "Target")),
            Col("status", Label("Status", "Status"), "target_status"),
        ),
        ({"name": "Online 2026", "status": "at-risk"}, {"name": "Je Leistung", "status": "missed"}),
    )
    burnup = Chart(
        "burnup",
        Label("Ziel", "Target"),
        "burnup",
        (
            Series(
                Label("Erreicht", "Reached"),
                ((date(2026, 1, 1), 1.0), (date(2026, 11, 25), 30.0)),
                "line",
            ),
            Series(
                Label("Ziellinie", "Goal line"),
                ((date(2026, 1, 1), 1.0), (date(2026, 12, 31), 60.0)),
                "dashed",
            ),
            Series(
                Label("Prognose", "Forecast"),
                ((date(2026, 11, 25), 30.0), (date(2026, 12, 31), 33.0)),
                "dotted",
            ),
        ),
    )
    extra = Section("targets", Label("Ziele", "Targets"), tables=(status,), charts=(burnup,))
    return report_xlsx.render(replace(report, sections=(*report.sections, extra)), "de")


def test_sheet_names_fit_31_characters_at_a_word_boundary() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_workbook_with_status_and_forecast()))
    assert "Leistungen, die sich noch" in book.sheetnames
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_every_visible_sheet_prints_on_a4_fit_to_width_and_the_chart_data_is_hidden() -> None:
    book = openpyxl.load_workbook(io.BytesIO(_workbook_with_status_and_forecast()))
    assert book["Diagrammdaten"].sheet_state == "hidden"
    visible = [s for s in book.worksheets if s.sheet_state == "visible"]
    assert len(visible) >= 3
    for sheet in visible:
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.print_area, sheet.title
        assert "Seite &P von &N" in sheet.oddFooter.right.text
    table = book["Leistungen"]
    assert table.print_title_rows == "$3:$3"  # the header row repeats on every page
    assert table.page_setup.orientation == "landscape"  # nine columns: wider than portrait
    assert book["Übersicht"].page_setup.orientation == "landscape"  # the charts beside the figures


def test_target_status_cells_are_coloured_as_in_the_html() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(_workbook_with_status_and_forecast()))[
        "Leistungen, die sich noch"
    ]
    fills = {
        c.value: c.fill.fgColor.rgb for row in sheet.iter_rows(min_row=4) for c in row if c.value
    }
    assert fills["gefährdet"] == "FF" + STATUS_FILLS["at-risk"].lstrip("#").upper()
    assert fills["verfehlt"] == "FF" + STATUS_FILLS["missed"].lstrip("#").upper()


def test_goal_line_and_forecast_have_different_dash_types_and_end_labels_in_the_workbook() -> None:
    with zipfile.ZipFile(io.BytesIO(_workbook_with_status_and_forecast())) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if "charts/chart" in n]
    burnup = [c for c in charts if "scatterChart" in c][-1]  # the last burn-up: the one above
    assert '<a:prstDash val="dash"/>' in burnup
    assert '<a:prstDash val="sysDot"/>' in burnup
    assert burnup.count('<c:showSerName val="1"/>') >= 2
