"""The report renderers on a report with every kind of value and hostile text."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import openpyxl
import pytest

from egov_cli.cli.report_view import render_text
from egov_cli.reports.render import (
    csv as report_csv,
)
from egov_cli.reports.render import (
    html as report_html,
)
from egov_cli.reports.render import (
    json as report_json,
)
from egov_cli.reports.render import (
    md as report_md,
)
from egov_cli.reports.render import (
    xlsx as report_xlsx,
)
from egov_cli.reports.render.common import format_value
from tests.reports.report_sample import ESCAPE, FORMULA, PIPES, SCRIPT, UMLAUTS, sample_report


@pytest.mark.parametrize(
    ("value", "kind", "lang", "expected"),
    [
        (12345, "int", "de", "12.345"),
        (12345, "int", "en", "12,345"),
        (0.425, "share", "de", "42,5 %"),
        (0.425, "share", "en", "42.5%"),
        (1234.5, "decimal", "de", "1.234,5"),
        (3, "level", "de", "3 Online-Leistung"),
        ("in_progress", "status", "de", "in Umsetzung"),
        ("in_progress", "status", "en", "in progress"),
        (True, "flag", "de", "ja"),
        (False, "flag", "en", "no"),
        (None, "int", "de", ""),
    ],
)
def test_values_are_formatted_by_kind_and_language(
    value: object, kind: str, lang: str, expected: str
) -> None:
    assert format_value(value, kind, lang, {3: "Online-Leistung"}) == expected  # type: ignore[arg-type]


def test_dates_are_german_by_default_and_iso_in_english() -> None:
    from datetime import date

    assert format_value(date(2026, 12, 31), "date") == "31.12.2026"
    assert format_value(date(2026, 12, 31), "date", "en") == "2026-12-31"


def test_markdown_tables_escape_pipes_markup_and_leading_characters() -> None:
    text = report_md.render(sample_report())
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    # every row of the services table has exactly as many unescaped pipes as the header
    widths = {
        len(re.findall(r"(?<!\\)\|", line))
        for line in rows
        if any(k in line for k in ("Ordnungsamt", "HYPERLINK", "Bürgerbüro", "| Leistung "))
    }
    assert widths == {10}
    assert len([r for r in rows if "HYPERLINK" in r or "Bürgerbüro" in r]) == 2
    assert r"\| a \| b \|" in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert "<script>" not in text
    assert r"\=HYPERLINK" in text
    assert "\x1b" not in text
    assert UMLAUTS in text
    assert "- **Erstellt:** 25.11.2026 10:00 (MEZ/MESZ)" in text
    assert "- **Katalog:** demo.db" in text


def test_markdown_in_english_uses_english_labels_and_numbers() -> None:
    text = report_md.render(sample_report(), "en")
    assert "# Readiness" in text
    assert "- **Generated:** 2026-11-25 10:00 (Berlin time)" in text
    assert "12,345" in text
    assert "42.5%" in text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            assert (
                name == "xmlns" or value is None or not value.startswith(("http:", "https:", "//"))
            )

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_escaped_and_has_svg_charts() -> None:
    page = report_html.render(sample_report())
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags
    assert not {"link", "img", "iframe", "object"} & set(parser.tags)
    assert parser.tags.count("svg") == 2
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT in "".join(parser.text)  # shown as text
    assert "stroke-dasharray" in page  # the goal line is dashed
    assert "\x1b" not in page
    assert "default-src 'none'" in page
    assert "Ziel gefährdet" in page


def test_xlsx_keeps_formulas_as_text_and_carries_native_charts() -> None:
    data = report_xlsx.render(sample_report())
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Leistungen"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    assert cells[FORMULA].data_type == "s"
    assert cells[PIPES].data_type == "s"
    assert "rot" in cells
    assert ESCAPE not in cells
    assert cells[12345].number_format == "#,##0"
    assert cells[0.425].number_format == "0.0%"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) == 2
    burnup = zipfile.ZipFile(io.BytesIO(data)).read(charts[1]).decode()
    assert "scatterChart" in burnup
    assert 'prstDash val="dash"' in burnup
    bars = zipfile.ZipFile(io.BytesIO(data)).read(charts[0]).decode()
    assert "barChart" in bars
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet3.xml").decode()


def test_xlsx_is_byte_identical_for_the_same_report() -> None:
    assert report_xlsx.render(sample_report()) == report_xlsx.render(sample_report())


def test_csv_neutralises_formulas_and_uses_semicolons_in_german() -> None:
    text = report_csv.render(sample_report())
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert "'" + FORMULA in flat
    assert FORMULA not in flat
    assert PIPES in flat
    assert SCRIPT in flat
    assert ["Leistungen", "120"] in rows
    assert "rot" in flat
    assert all("\x1b" not in c for c in flat)
    english = list(csv.reader(io.StringIO(report_csv.render(sample_report(), "en")[1:])))
    assert ["Services", "120"] in english


def test_json_has_the_documented_shape_with_raw_values() -> None:
    doc = json.loads(report_json.render(sample_report()))
    assert doc["schema"] == 1
    assert doc["report"] == "readiness"
    assert doc["generated_at"] == "2026-11-25T09:00:00+00:00"
    assert doc["generated_at_local"] == "2026-11-25T10:00:00+01:00"
    assert doc["alerts"] == ["at-risk"]
    table = doc["sections"][1]["tables"][0]
    assert [c["key"] for c in table["columns"]][:3] == ["name", "department", "level"]
    assert table["rows"][0]["share"] == 0.425
    assert table["rows"][0]["due"] == "2026-12-31"
    assert table["rows"][2]["name"] == "rot"
    chart = doc["sections"][1]["charts"][0]
    assert chart["series"][1]["style"] == "dashed"
    assert chart["series"][0]["points"][0] == ["2026-01-01", 20.0]


def test_terminal_view_strips_escape_sequences_and_draws_bars() -> None:
    text = render_text(sample_report(), "de")
    assert "\x1b" not in text
    assert "████" in text
    assert "Online-Quote" in text
    assert "42,5 %" in text
    assert "Ziel gefährdet" in text


def test_every_renderer_is_deterministic() -> None:
    for render in (report_md.render, report_html.render, report_csv.render, report_json.render):
        assert render(sample_report(), "de") == render(sample_report(), "de")
