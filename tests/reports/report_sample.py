"""A report with every kind of value and hostile text, for the renderer tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from egov_cli.reports.document import (
    Chart,
    Col,
    Figure,
    Label,
    Report,
    Section,
    Series,
    Table,
)

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("x")'
PIPES = "| a | b |"
ESCAPE = "\x1b[31mrot\x1b[0m"
UMLAUTS = "Bürgerbüro Straße Äußeres"


def sample_report(*, alerts: tuple[str, ...] = ("at-risk",)) -> Report:
    columns = (
        Col("name", Label("Leistung", "Service")),
        Col("department", Label("Amt", "Department")),
        Col("level", Label("Reifegrad", "Level"), "level"),
        Col("status", Label("Status", "Status"), "status"),
        Col("cases", Label("Fälle", "Cases"), "int"),
        Col("share", Label("Anteil", "Share"), "share"),
        Col("pace", Label("Tempo", "Pace"), "decimal"),
        Col("due", Label("Fällig", "Due"), "date"),
        Col("sdg", Label("SDG", "SDG"), "flag"),
    )
    rows = (
        {
            "name": SCRIPT,
            "department": "32 Ordnungsamt",
            "level": 3,
            "status": "live",
            "cases": 12345,
            "share": 0.425,
            "pace": 1.25,
            "due": date(2026, 12, 31),
            "sdg": True,
        },
        {
            "name": FORMULA,
            "department": PIPES,
            "level": 0,
            "status": "in_progress",
            "cases": None,
            "share": 1.0,
            "pace": 0.0,
            "due": None,
            "sdg": False,
        },
        {
            "name": ESCAPE,
            "department": UMLAUTS,
            "level": 4,
            "status": "planned",
            "cases": 7,
            "share": 0.0,
            "pace": 1234.5,
            "due": date(2027, 1, 15),
            "sdg": False,
        },
    )
    levels = Chart(
        "levels",
        Label("Reifegrade", "Maturity levels"),
        "bar",
        (
            Series(
                Label("Leistungen", "Services"),
                (("0 Offline", 40.0), ("1 Information", 30.0), ("3 Online-Leistung", 50.0)),
            ),
        ),
        x_label=Label("Reifegrad", "Level"),
        y_label=Label("Leistungen", "Services"),
    )
    burnup = Chart(
        "burnup-1",
        Label(f"Ziel {SCRIPT}", f"Target {SCRIPT}"),
        "burnup",
        (
            Series(
                Label("Ist", "Actual"),
                ((date(2026, 1, 1), 20.0), (date(2026, 6, 1), 35.0), (date(2026, 11, 25), 52.0)),
                "line",
            ),
            Series(
                Label("Ziel", "Goal"),
                ((date(2026, 1, 1), 70.0), (date(2026, 12, 31), 70.0)),
                "dashed",
            ),
        ),
    )
    return Report(
        name="readiness",
        title=Label("Umsetzungsstand", "Readiness"),
        generated_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        catalogue="demo.db",
        filters={"department": Label(f"Amt {PIPES}", f"department {PIPES}")},
        sections=(
            Section(
                "overview",
                Label("Überblick", "Overview"),
                figures=(
                    Figure("services", Label("Leistungen", "Services"), 120),
                    Figure("online", Label("Online-Quote", "Online share"), 0.425, "share"),
                    Figure("note", Label("Hinweis", "Note"), SCRIPT, "text"),
                ),
                charts=(levels,),
            ),
            Section(
                "services",
                Label("Leistungen", "Services"),
                tables=(
                    Table(
                        "services",
                        Label("Leistungen", "Services"),
                        columns,
                        rows,
                        Label("Stand heute", "As of today"),
                    ),
                    Table("empty", Label("Überfällig", "Overdue"), columns, ()),
                ),
                charts=(burnup,),
            ),
        ),
        scale_labels={
            0: Label("Offline", "Offline"),
            1: Label("Information", "Information"),
            2: Label("Formular-Assistent", "Form assistant"),
            3: Label("Online-Leistung", "Online service"),
            4: Label("Online-Transaktion", "Online transaction"),
        },
        alerts=alerts,
    )
