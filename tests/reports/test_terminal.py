"""The terminal view fits an 80-column terminal: keys whole, names wrapped at word boundaries,
fewer columns with a hint where they do not fit."""

from __future__ import annotations

import re
from datetime import date

from egov_cli.cli.report_view import render_text
from egov_cli.domain.catalogue import add_service
from egov_cli.domain.targets import add_target
from egov_cli.reports.builders import ReportOptions, build
from egov_cli.storage.db import Catalogue, transaction

from .conftest import NOW, at

LONG = "Grundsicherung im Alter und bei Erwerbsminderung nach dem Zwölften Buch Bewilligung"


def test_at_80_columns_keys_stay_whole_names_wrap_at_words_and_columns_are_left_out(
    city: Catalogue,
) -> None:
    with transaction(city) as s:
        add_service(s, at("2026-11-20"), {"name": LONG, "leika_key": "99107009017000",
                                           "level": 1, "department": "50"})  # fmt: skip
        add_target(s, at("2026-01-05"), "Online 2026", today=date(2026, 1, 5),
                   threshold_level=3, goal_count=10)  # fmt: skip
        reports = [
            build(name, s, "city.db", NOW, ReportOptions())
            for name in ("readiness", "targets", "overdue", "sdg")
        ]
    for report in reports:
        for lang in ("de", "en"):
            text = render_text(report, lang, width=80)
            lines = text.splitlines()
            assert max(len(line.rstrip()) for line in lines) <= 80, (report.name, lang)
            # a 14-digit key is never split over two lines
            keys = re.findall(r"\b99\d{4,13}\b", text)
            assert all(len(k) == 14 for k in keys), (report.name, lang, keys)
    targets = render_text(reports[1], "de", width=80)
    # the long name wraps between its words: each word whole on a line
    cells = " ".join(part.strip() for line in targets.splitlines() for part in line.split("│")[2:3])
    assert all(word in cells.split() for word in LONG.split())
    assert "Nicht gezeigt (Terminal zu schmal): " in targets
    assert "--format md, html, xlsx oder csv zeigt alle Spalten." in targets
    # the status of a target stays, whatever is left out
    status_table = targets.split("Zielstatus")[1].split("Regel:")[0]
    assert "gefährdet" in status_table
    assert "Nicht gezeigt" not in render_text(reports[1], "de", width=200)


def test_a_narrow_terminal_keeps_what_a_row_is_about_before_more_text() -> None:
    from egov_cli.reports.document import Col, Label, Report, Section, Table

    columns = (
        Col("key", Label("LeiKa-Schlüssel", "LeiKa key")),
        Col("name", Label("Leistung", "Service")),
        Col("contact", Label("Ansprechpartner", "Contact")),
        Col("due", Label("Zieldatum", "Target date"), "date"),
        Col("days", Label("Tage überfällig", "Days overdue"), "int"),
    )
    rows = (
        {"key": "99010001001000", "name": "Aufenthaltserlaubnis Erteilung", "due": date(2026, 9, 30),
         "contact": "Frau Mustermann, Zimmer 12, Bürgerbüro am Markt", "days": 64},
    )  # fmt: skip
    report = Report(
        name="overdue",
        title=Label("Überfällig", "Overdue"),
        generated_at=NOW,
        catalogue="city.db",
        filters={},
        sections=(Section("s", Label("Überfällig", "Overdue"), tables=(Table("t", Label("T", "T"), columns, rows),)),),
    )  # fmt: skip

    text = render_text(report, "de", width=80)

    header = next(line for line in text.splitlines() if "LeiKa-Schlüssel" in line)
    assert "Zieldatum" in header
    assert "Tage überfällig" in header
    assert "Nicht gezeigt (Terminal zu schmal): Ansprechpartner;" in text
