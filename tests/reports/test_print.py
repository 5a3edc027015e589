"""Reports fit for print: the HTML's print rules, the PDF (Typst), charts readable without colour."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pypdf

from egov_cli.reports.document import Chart, Label, Series
from egov_cli.reports.render import html as report_html
from egov_cli.reports.render import pdf as report_pdf

from .report_sample import SCRIPT, UMLAUTS, sample_report

A4_POINTS = (595, 842)


def _pdf_text(data: bytes) -> tuple[int, str, list[tuple[int, int]]]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    sizes = [
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages
    ]
    text = "\n".join(p.extract_text() for p in reader.pages)
    return len(reader.pages), text, sizes


def test_the_html_report_prints_on_a4_with_a_running_header_and_page_numbers() -> None:
    page = report_html.render(sample_report())
    assert "@page{size:A4;" in page
    assert "counter(page)" in page
    assert "counter(pages)" in page
    assert "break-after:avoid-page" in page  # headings stay with what follows
    assert "thead{display:table-header-group}" in page  # table headers repeat on every page


def test_the_running_header_of_the_html_cannot_be_broken_out_of_by_a_title() -> None:
    report = sample_report()
    hostile = replace(report, title=Label('x";}</style><b>', "x"))
    page = report_html.render(hostile)
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    assert "</style>" not in style.group(1)
    assert '";}' not in style.group(1)
    assert "<b>" not in page


def test_a_pdf_report_is_a_real_pdf_on_a4_with_umlauts_charts_and_page_numbers() -> None:
    data = report_pdf.render(sample_report(), "de")
    assert data.startswith(b"%PDF-")
    pages, text, sizes = _pdf_text(data)
    assert set(sizes) == {A4_POINTS}
    assert "Umsetzungsstand" in text
    assert UMLAUTS in text
    assert SCRIPT in text  # catalogue text is shown as text, never run as Typst code
    assert f"Seite 1 von {pages}" in text
    assert "Reifegrade" in text
    assert "Ziel gefährdet" in text
    assert "12.345" in text
    assert "42,5 %" in text
    assert "31.12.2026" in text
    assert "Keine Einträge." in text  # the empty table says so
    assert "01.01.2026" in text  # the burn-up's first date: only its chart has it


def test_a_pdf_report_in_english_has_english_labels_and_numbers() -> None:
    _pages, text, _sizes = _pdf_text(report_pdf.render(sample_report(), "en"))
    assert "Readiness" in text
    assert "Page 1 of" in text
    assert "12,345" in text
    assert "2026-12-31" in text


def test_the_pdf_of_a_report_is_the_same_bytes_every_time() -> None:
    assert report_pdf.render(sample_report()) == report_pdf.render(sample_report())


def test_goal_line_and_forecast_differ_in_dash_pattern_and_are_labelled_at_their_ends() -> None:
    chart = Chart(
        "burnup",
        Label("Ziel", "Target"),
        "burnup",
        (
            Series(Label("Erreicht", "Reached"), (("2026-01-01", 1.0),), "line"),
            Series(
                Label("Ziellinie", "Goal line"),
                ((date(2026, 1, 1), 10.0), (date(2026, 12, 31), 60.0)),
                "dashed",
            ),
            Series(
                Label("Prognose", "Forecast"),
                ((date(2026, 11, 25), 40.0), (date(2026, 12, 31), 50.0)),
                "dotted",
            ),
        ),
    )
    svg = report_html.chart_svg(chart, "de")
    dashes = re.findall(r'<polyline[^>]*stroke-dasharray="([^"]+)"', svg)
    assert len(dashes) == 2
    assert dashes[0] != dashes[1]
    assert "Ziellinie: 60</text>" in svg
    assert "Prognose: 50</text>" in svg
