"""The council pack on the small city catalogue (tests/reports/conftest.py), pinned clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from egov_cli.domain.catalogue import edit_service
from egov_cli.domain.targets import add_target
from egov_cli.reports.builders import ReportOptions, build, record_run, report_names
from egov_cli.reports.document import Report, Table
from egov_cli.reports.render import pdf as report_pdf
from egov_cli.storage.db import Catalogue, transaction

from .conftest import KEYS, NOW, at


def _council(cat: Catalogue, **options: Any) -> Report:
    with transaction(cat) as s:
        return build("council", s, "city.db", NOW, ReportOptions(**options))


def _table(report: Report, key: str) -> Table:
    return next(t for s in report.sections for t in s.tables if t.key == key)


def test_the_council_pack_is_a_report_like_the_others() -> None:
    assert "council" in report_names()


def test_the_three_counts_stand_side_by_side_with_what_each_means(city: Catalogue) -> None:
    report = _council(city)
    counts = {r["count"].de: r for r in _table(report, "counts").rows}
    assert list(counts) == ["Leistungen (LeiKa)", "Online-Dienste", "OZG-Leistungen"]
    assert (counts["Leistungen (LeiKa)"]["total"], counts["Leistungen (LeiKa)"]["online"]) == (7, 5)
    # P1, P2 and P3 serve the catalogue's services (as readiness counts them); P1 and P2
    # (since October) are on BayernPortal and take applications electronically
    assert (counts["Online-Dienste"]["total"], counts["Online-Dienste"]["online"]) == (3, 2)
    assert counts["OZG-Leistungen"]["total"] == 0  # no service names an OZG bundle
    assert all(r["meaning"].de and r["meaning"].en for r in counts.values())


def test_progress_is_shown_since_the_start_of_the_year_and_since_the_last_council_report(
    city: Catalogue,
) -> None:
    first = _table(_council(city), "progress")
    assert [r["when"].de for r in first.rows] == ["heute", "Jahresbeginn"]
    assert first.note is not None  # no council report on record yet
    start = first.rows[1]
    assert (start["date"], start["online"], start["online_since"]) == (date(2026, 1, 1), 2, 3)
    assert (start["procedures"], start["procedures_since"]) == (1, 1)

    with transaction(city) as s:
        record_run(
            s,
            "council",
            generated_at=datetime(2026, 8, 1, 8, 0, tzinfo=UTC),
            actor="tester",
            format="pdf",
        )
    rows = _table(_council(city), "progress").rows
    assert [r["when"].de for r in rows] == ["heute", "letzter Ratsbericht", "Jahresbeginn"]
    assert (rows[1]["date"], rows[1]["online"], rows[1]["online_since"]) == (date(2026, 8, 1), 4, 1)


def test_what_went_online_lists_the_services_that_reached_the_threshold_in_the_period(
    city: Catalogue,
) -> None:
    rows = _table(_council(city), "went_online").rows
    # A and C crossed the threshold; F and G joined the catalogue since and are online now.
    # Less D, which fell below it, that is the progress table's "added since" (3).
    assert {r["leika_key"] for r in rows} == {KEYS[k] for k in "ACFG"}
    assert {r["leika_key"] for r in rows if r["new"]} == {KEYS["F"], KEYS["G"]}


def test_what_is_late_lists_overdue_services_with_their_notes_as_the_reason(
    city: Catalogue,
) -> None:
    with transaction(city) as s:
        edit_service(s, at("2026-11-01"), KEYS["E"], {"notes": "Fachverfahren erst 2027"})
    rows = _table(_council(city), "late").rows
    assert [(r["leika_key"], r["notes"]) for r in rows] == [(KEYS["E"], "Fachverfahren erst 2027")]


def test_targets_come_with_status_forecast_and_burn_up_and_the_pack_shows_departments(
    city: Catalogue,
) -> None:
    with transaction(city) as s:
        add_target(s, at("2026-01-05"), "Online 2026", today=date(2026, 1, 5),
                   threshold_level=3, goal_count=10)  # fmt: skip
    report = _council(city)
    status = _table(report, "target_status")
    assert status.rows[0]["status"] == "at-risk"
    assert "forecast" in status.rows[0]
    targets = next(s for s in report.sections if s.key == "targets")
    assert [c.kind for c in targets.charts] == ["burnup"]
    assert report.alerts
    assert {r["department"] for r in _table(report, "departments").rows} == {"32", "50"}


def test_the_council_pack_prints_as_pdf(city: Catalogue) -> None:
    assert report_pdf.render(_council(city), "de").startswith(b"%PDF-")


def test_the_council_pack_and_the_readiness_report_count_alike(city: Catalogue) -> None:
    council = {r["count"].de: r["total"] for r in _table(_council(city), "counts").rows}
    with transaction(city) as s:
        readiness = build("readiness", s, "city.db", NOW, ReportOptions())
    three = next(
        t
        for section in readiness.sections
        for t in section.tables
        if t.rows and "value" in t.rows[0] and "count" in t.rows[0]
    )
    assert {r["count"].de: r["value"] for r in three.rows} == council
