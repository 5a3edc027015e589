"""Target statuses and the wording of targets read in the report's language in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import openpyxl
import pytest

from egov_cli.cli.report_view import render_text
from egov_cli.domain.targets import add_target
from egov_cli.reports.builders import ReportOptions, build
from egov_cli.reports.document import Report
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
from egov_cli.storage.db import Catalogue, transaction

from .conftest import NOW, at


@pytest.fixture
def report(city: Catalogue) -> Report:
    with transaction(city) as s:
        add_target(s, at("2026-01-05"), "Online 2026", today=date(2026, 1, 5),
                   threshold_level=3, goal_count=10)  # fmt: skip
        add_target(s, at("2026-01-05"), "Digital", today=date(2026, 1, 5),
                   kind="digitales_amt", department="50")  # fmt: skip
        add_target(s, at("2026-01-05"), "Halbjahr", today=date(2026, 1, 5), threshold_level=3,
                   goal_count=10, due_date=date(2026, 6, 30))  # fmt: skip
        return build("targets", s, "city.db", NOW, ReportOptions())


def _text(report: Report, fmt: str, lang: str) -> str:
    if fmt == "rich":
        return render_text(report, lang)
    renderer = {"md": report_md, "html": report_html, "csv": report_csv}[fmt]
    text = renderer.render(report, lang)
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "rich"])
def test_a_target_status_is_shown_by_its_label_in_german_and_english(
    report: Report, fmt: str
) -> None:
    german, english = _text(report, fmt, "de"), _text(report, fmt, "en")
    # "Online 2026" is at risk, "Halbjahr" is missed
    assert "gefährdet" in german
    assert "verfehlt" in german
    assert "at risk" in english
    assert "at-risk" not in german
    assert "at-risk" not in english.replace("target at risk", "")


def test_the_status_table_of_a_csv_report_holds_labels_not_codes(report: Report) -> None:
    rows = list(csv.reader(io.StringIO(report_csv.render(report, "en").lstrip("\ufeff"))))
    names = ("Online 2026", "Digital", "Halbjahr")
    statuses = {row[0]: row[-1] for row in rows if row and row[0] in names}
    assert statuses == {"Online 2026": "at risk", "Digital": "at risk", "Halbjahr": "missed"}


def test_json_keeps_the_status_code_and_adds_the_label(report: Report) -> None:
    doc = json.loads(report_json.render(report, "en"))
    overview = doc["sections"][0]
    table = overview["tables"][0]
    status_column = next(c for c in table["columns"] if c["key"] == "status")
    assert status_column["kind"] == "target_status"
    assert status_column["labels"] == {
        "on-track": "on track",
        "at-risk": "at risk",
        "missed": "missed",
    }
    assert {r["target"]: r["status"] for r in table["rows"]}["Online 2026"] == "at-risk"
    target = next(s for s in doc["sections"] if s["title"] == "Target: Online 2026")
    status = next(f for f in target["figures"] if f["key"] == "status")
    assert (status["value"], status["text"]) == ("at-risk", "at risk")


def test_the_workbook_shows_target_status_labels(report: Report) -> None:
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx.render(report, "de")))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "gefährdet" in cells
    assert "verfehlt" in cells
    assert "at-risk" not in cells


def _figures(doc: dict[str, Any], title: str) -> dict[str, Any]:
    section = next(s for s in doc["sections"] if s["title"] == title)
    return {f["key"]: f for f in section["figures"]}


def test_the_kind_and_scope_of_a_target_follow_the_language(report: Report) -> None:
    german = json.loads(report_json.render(report, "de"))
    english = json.loads(report_json.render(report, "en"))
    de_level, en_level = (
        _figures(german, "Ziel: Online 2026"),
        _figures(english, "Target: Online 2026"),
    )
    assert (de_level["kind"]["text"], de_level["scope"]["text"]) == ("Reifegrad", "alle")
    assert (en_level["kind"]["text"], en_level["scope"]["text"]) == ("maturity level", "all")
    assert en_level["scope"]["value"] == "all"
    de_digital, en_digital = _figures(german, "Ziel: Digital"), _figures(english, "Target: Digital")
    assert de_digital["scope"]["text"] == (
        "Online-Dienste (BayernPortal, elektr. Einreichung): Amt 50"
    )
    assert en_digital["scope"]["text"] == (
        "online procedures (BayernPortal, submitted electronically): department 50"
    )
    # the per-service target dates are a line of their own, not a row of the target table
    rows = english["sections"][0]["tables"][0]["rows"]
    assert {r["target"] for r in rows} == {"Online 2026", "Digital", "Halbjahr"}
    overdue = next(f for f in english["sections"][0]["figures"] if f["key"] == "services_overdue")
    assert overdue["label"] == (
        "Services past their target date below their target level (per-service targets)"
    )
    markdown = report_md.render(report, "en")
    assert "per-service targets" in markdown
    assert "Leistungen mit Zielreifegrad" not in markdown
