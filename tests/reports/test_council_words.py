"""Every report, in every format and both languages, speaks the council's words: no status
code, field name or filter key of the program, no word of the other language."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from egov_cli.cli.report_view import render_text
from egov_cli.demo import build_demo
from egov_cli.reports.builders import ReportOptions, build, report_names
from egov_cli.reports.document import Report
from egov_cli.reports.render import csv as report_csv
from egov_cli.reports.render import html as report_html
from egov_cli.reports.render import json as report_json
from egov_cli.reports.render import md as report_md
from egov_cli.reports.render import xlsx as report_xlsx
from egov_cli.storage.db import Catalogue, transaction

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

#: Words of the program, never of a report: status codes, field names, filter keys.
CODES = re.compile(
    r"in_progress|in\\_progress|on-track|at-risk|digitales_amt|due_within_days|sdg_annex2"
    r"|leika_type|target_level|target_date|(?:department|topic|since)[=:] ?\d|\bNone\b"
)
#: English words a German report must not show (and the code forms above).
NOT_GERMAN = re.compile(
    r"Burn-up|Go-live|\bplanned\b|\bon track\b|\bat risk\b|\bmissed\b|\btarget\b|\bForecast\b"
    r"|\bOnline service\b|Form assistant"
)
#: German words an English report must not show.
NOT_ENGLISH = re.compile(
    r"Online-Leistung|Formular-Assistent|Online-Transaktion|\bohne Amt\b|\bohne Themenfeld\b"
    r"|\bgefährdet\b|\bverfehlt\b|\bim Plan\b|\bgeplant\b|in Umsetzung|Zielvorgaben|Überblick"
    r"|Stand heute|abgerundet|Zieldatum|Fällig|\bVerlauf\b"
    r"|kommunaler Vollzug|laut Filter|prüfen\)|\bja\b|\bnein\b"
)
#: The options each report is rendered with: every filter line a report can show.
OPTIONS = {
    "readiness": ReportOptions(department="33", sdg_annex2=True),
    "targets": ReportOptions(),
    "overdue": ReportOptions(due_within_days=60, department="33"),
    "changes": ReportOptions(since=datetime(2025, 12, 31, 23, 0, tzinfo=UTC)),
    "sdg": ReportOptions(),
    "coverage": ReportOptions(),
}


@pytest.fixture
def reports(catalogue: Catalogue) -> dict[str, Report]:
    with transaction(catalogue) as session:
        build_demo(session, "tester", NOW)
    with transaction(catalogue, write=False) as session:
        return {
            name: build(name, session, "demo.db", NOW, OPTIONS.get(name, ReportOptions()))
            for name in report_names()
        }


def _json_words(value: Any, key: str = "") -> Iterator[str]:
    """The text of a JSON report people read: titles, labels, texts, notes, filters, names
    (raw values and keys are for machines and keep their codes)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("rows", "points", "value", "key", "kind", "report", "lang", "alerts"):
                continue
            yield from _json_words(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _json_words(item, key)
    elif isinstance(value, str) and key not in ("catalogue",):
        yield value


def _words(report: Report, fmt: str, lang: str) -> str:
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(report_xlsx.render(report, lang)))
        cells = [
            str(c.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for c in row
            if isinstance(c.value, str)
        ]
        return "\n".join([*(s.title for s in book.worksheets), *cells])
    if fmt == "json":
        return "\n".join(_json_words(json.loads(report_json.render(report, lang))))
    if fmt == "csv":
        rows = csv.reader(io.StringIO(report_csv.render(report, lang).lstrip("\ufeff")))
        return "\n".join(" | ".join(row) for row in rows)
    if fmt == "html":
        page = report_html.render(report, lang)
        body = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S)
        return re.sub(r"<[^>]+>", " ", body)
    if fmt == "md":
        return report_md.render(report, lang).replace("\\", "")
    return render_text(report, lang)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return sorted({m.group(0) for m in pattern.finditer(text)})


def test_no_report_shows_a_code_a_field_name_or_the_other_language(
    reports: dict[str, Report],
) -> None:
    found: dict[tuple[str, str, str], list[str]] = {}
    for lang in ("de", "en"):
        foreign = NOT_GERMAN if lang == "de" else NOT_ENGLISH
        for fmt in ("md", "html", "xlsx", "csv", "json", "rich"):
            for name, report in reports.items():
                text = _words(report, fmt, lang)
                words = _found(CODES, text) + _found(foreign, text)
                if words:
                    found[(name, fmt, lang)] = words
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
